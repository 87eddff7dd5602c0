package vm

import (
	"sync"

	"sigil/linux"
	"sigil/mm"
)

// User address-space layout (Linux's x86-64 layout without
// randomisation).
const (
	// TaskSize is the end of user space (Linux's TASK_SIZE_MAX).
	TaskSize = mm.UserEnd - mm.PageSize
	// StackTop is where the main stack ends (STACK_TOP).
	StackTop = TaskSize
	// MinAddr is the lowest address mmap chooses or, without privilege,
	// may be given (vm.mmap_min_addr, Debian's 65536).
	MinAddr = 64 << 10
	// unmappedBase is where bottom-up placement starts (TASK_UNMAPPED_BASE).
	unmappedBase = TaskSize / 3 &^ (mm.PageSize - 1)
	// maxAreas bounds the areas of one space (vm.max_map_count).
	maxAreas = 65530
	// stackExpand is the room the main stack gets below its arguments at
	// exec (setup_arg_pages' stack_expand).
	stackExpand = 128 << 10

	pageSize = mm.PageSize
	pageMask = mm.PageSize - 1
)

// Limits are the resource limits a space obeys, in bytes
// (linux.RLIM_INFINITY for none), and whether the process may map below
// MinAddr (CAP_SYS_RAWIO) and lock memory (CAP_IPC_LOCK): root.
type Limits struct {
	AS, Data, Stack, Memlock uint64
	Privileged               bool
}

// NoLimits are the limits of a space nobody has limited.
var NoLimits = Limits{AS: linux.RLIM_INFINITY, Data: linux.RLIM_INFINITY, Stack: 8 << 20,
	Memlock: 8 << 20, Privileged: true}

// Space is a process's address space: page tables, and the areas
// (Linux's VMAs) that say what the page tables may map. The page tables
// are a cache of the areas: interrupt context resolves what it can from
// them alone (demand-zero pages, copy-on-write), and a fault it cannot
// resolve comes to Fault, which consults the areas.
type Space struct {
	// root is the PML4, fixed for life. Its tables change with
	// interrupts off (interrupt context resolves faults in them), and
	// only under mu, so that they always agree with the areas.
	root uint64

	mu       sync.Mutex // guards everything below
	areas    tree
	lim      Limits
	brkStart uintptr // where the program break started (start_brk)
	brk      uintptr // the program break
	stack    uintptr // the initial stack pointer's page (start_stack)
	codeSize uintptr // the executable's text, for VmExe
	mmapBase uintptr // where top-down placement starts

	// Pages mapped, by what they hold (Linux's mm counters, for limits
	// and /proc/PID/status).
	total, data, stackPages, exec, locked uint64
	peak                                  uint64 // highest total
	hwm                                   uint64 // highest resident count seen
	committed                             uint64 // pages counted in the committed memory
}

// New returns an empty address space, or ENOMEM.
func New(lim Limits) (*Space, error) {
	var root uint64
	var ok bool
	withIRQsOff(func() { root, ok = mm.NewUserRoot() })
	if !ok {
		return nil, linux.ENOMEM
	}
	s := &Space{root: root, lim: lim, mmapBase: mmapBase(lim.Stack)}
	// The kernel's window, which every address space shares, is an area
	// no mapping may use.
	s.areas.insert(&Area{Start: mm.WindowStart, End: mm.WindowEnd, Flags: reserved})
	return s, nil
}

// mmapBase is where top-down placement starts: below the stack's limit
// and its guard gap, at least 128 MiB and at most 5/6 of user space below
// the top (arch/x86/mm/mmap.c, mmap_base).
func mmapBase(stack uint64) uintptr {
	const minGap, maxGap = 128 << 20, TaskSize / 6 * 5
	gap := uintptr(minGap)
	if g := stack + stackGuardGap; g > stack && g < maxGap {
		gap = max(gap, uintptr(g))
	} else if g >= maxGap {
		gap = maxGap
	}
	return (TaskSize - gap) &^ pageMask
}

// Root returns the space's PML4.
func (s *Space) Root() uint64 { return s.root }

// SetLimits changes the limits the space obeys (setrlimit).
func (s *Space) SetLimits(lim Limits) {
	s.mu.Lock()
	s.lim = lim
	s.mu.Unlock()
}

// Release frees the whole space: every area, page and table, area by
// area (mm.Clear, mm.FreeTables), as Linux's exit_mmap does. Nothing may
// use it after.
func (s *Space) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	withIRQsOff(func() {
		for a := range s.areas.all() {
			if a.Flags&reserved == 0 {
				mm.Clear(s.root, a.Start, a.End)
			}
		}
		for l := 1; l <= 3; l++ {
			for a := range s.areas.all() {
				if a.Flags&reserved == 0 {
					mm.FreeTables(s.root, a.Start, a.End, l)
				}
			}
		}
		mm.FreeRoot(s.root)
	})
	for a := range s.areas.all() {
		if a.Flags&reserved == 0 {
			s.count(a, -1)
			s.drop(a)
		}
	}
	s.areas = tree{}
	s.root = 0
}

// link puts a into the map and counts its pages.
func (s *Space) link(a *Area) {
	s.areas.insert(a)
	s.count(a, 1)
}

// unlink takes a out of the map and uncounts its pages.
func (s *Space) unlink(a *Area) {
	s.areas.remove(a)
	s.count(a, -1)
}

// count adds (sign 1) or removes (sign -1) a's pages from the counters
// (Linux's vm_stat_account) and from the committed memory.
func (s *Space) count(a *Area, sign int) {
	n := uint64(a.Len() / pageSize)
	if sign < 0 {
		n = -n
	}
	s.total += n
	s.peak = max(s.peak, s.total)
	switch {
	case a.isExec():
		s.exec += n
	case a.isStack():
		s.stackPages += n
	case a.isData():
		s.data += n
	}
	if a.Flags&Locked != 0 {
		s.locked += n
	}
	if a.Flags&Account != 0 {
		s.committed += n
		commit(n)
	}
}

// drop lets go of an area that left the map for good: its object loses a
// user; shared anonymous memory goes with its last one, and so does a
// file no name or open file holds any more (Object.Orphan).
func (s *Space) drop(a *Area) {
	if o := a.Obj; o != nil && o.maps.Add(-1) == 0 {
		switch {
		case o.anon:
			o.dropAll()
		case o.orphaned.Load():
			o.Release()
		}
	}
}

// clone returns a copy of a that is not in any map.
func clone(a *Area) *Area {
	b := &Area{Start: a.Start, End: a.End, Prot: a.Prot, Flags: a.Flags, Obj: a.Obj, Off: a.Off}
	if b.Obj != nil {
		b.Obj.maps.Add(1)
	}
	return b
}

// splitAt makes addr an area boundary if an area straddles it.
func (s *Space) splitAt(addr uintptr) {
	a := s.areas.find(addr)
	if a == nil || a.Start == addr || a.Flags&reserved != 0 {
		return
	}
	b := clone(a)
	s.unlink(a)
	a.End = addr
	b.Start, b.Off = addr, b.offAt(addr)
	s.link(a)
	s.link(b)
}

// carve splits the areas straddling start and end, and returns the areas
// inside [start, end), in order, the kernel's window left out.
func (s *Space) carve(start, end uintptr) []*Area {
	s.splitAt(start)
	s.splitAt(end)
	var out []*Area
	for _, a := range s.areas.overlapping(start, end) {
		if a.Flags&reserved == 0 {
			out = append(out, a)
		}
	}
	return out
}

// merge joins the areas around [start, end) with their neighbours where
// they can be one (after a change that may have made them alike).
func (s *Space) merge(start, end uintptr) {
	a := s.areas.below(start)
	if a == nil {
		a = s.areas.above(start)
	}
	for a != nil && a.Start <= end {
		b := s.areas.next(a)
		if b == nil {
			return
		}
		if mergeable(a, b) {
			s.unlink(a)
			s.unlink(b)
			a.End = b.End
			s.link(a)
			s.drop(b)
			continue
		}
		a = b
	}
}

// setRange makes [start, end)'s entries the non-present entry want.
func (s *Space) setRange(start, end uintptr, want uint64) error {
	var c mm.Changes
	withIRQsOff(func() {
		c = mm.SetRange(s.root, start, end, want, true)
		if c.NeedFlush() {
			mm.Flush(s.root)
		}
	})
	if c.NoMemory {
		return linux.ENOMEM
	}
	return nil
}

// unmap removes every area in [start, end) and what they mapped.
func (s *Space) unmap(start, end uintptr) {
	for _, a := range s.carve(start, end) {
		s.setRange(a.Start, a.End, 0) // clearing allocates nothing
		s.unlink(a)
		s.drop(a)
	}
}

// mappedPages counts the pages of [start, end) that areas cover.
func (s *Space) mappedPages(start, end uintptr) uint64 {
	var n uintptr
	for _, a := range s.areas.overlapping(start, end) {
		if a.Flags&reserved == 0 {
			n += min(a.End, end) - max(a.Start, start)
		}
	}
	return uint64(n / pageSize)
}

// mayExpand reports whether n more pages with prot and flags fit the
// address-space and data limits (Linux's may_expand_vm).
func (s *Space) mayExpand(p Prot, f Flags, n uint64) bool {
	if s.lim.AS != linux.RLIM_INFINITY && s.total+n > s.lim.AS/pageSize {
		return false
	}
	a := Area{Prot: p, Flags: f}
	return !a.isData() || s.lim.Data == linux.RLIM_INFINITY || s.data+n <= s.lim.Data/pageSize
}

// covered reports whether areas cover all of [start, end).
func (s *Space) covered(start, end uintptr) bool {
	for _, a := range s.areas.overlapping(start, end) {
		if a.Start > start || a.Flags&reserved != 0 {
			return false
		}
		start = a.End
	}
	return start >= end
}

func pageUp(x uintptr) uintptr { return (x + pageMask) &^ pageMask }

// SharedAt returns the memory behind addr if it lies in a shared mapping:
// its object and offset, which name it in every space that maps it (a
// shared futex's key, as Linux's get_futex_key).
func (s *Space) SharedAt(addr uintptr) (*Object, uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.areas.find(addr)
	if a == nil || a.Obj == nil || a.Flags&(Shared|sharedReadOnly) == 0 {
		return nil, 0, false
	}
	return a.Obj, a.offAt(addr), true
}
