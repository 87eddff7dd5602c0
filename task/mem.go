package task

import (
	"sort"
	"sync"

	"sigil/arch"
	"sigil/linux"
	"sigil/mm"
	"sigil/proc"
)

// User address-space layout (Linux's, without randomisation): programs at
// their link addresses (0x400000 for ET_EXEC), static-PIE at
// loader.PIEBase, the heap (brk) after the program, mmaps top-down below
// mmapTop, the stack below stackTop. [3 GiB, 4 GiB) is the kernel's shared
// window (mm.WindowStart), never given to mappings.
const (
	stackTop  = 0x7fff_ffff_f000
	stackSize = 8 << 20 // RLIMIT_STACK's default, reserved up front
	mmapTop   = stackTop - stackSize - 1<<30
	pageSize  = mm.PageSize
)

type vma struct {
	start, end uintptr
	prot       uint64 // PROT_*
}

// AddressSpace is a process's memory: page tables plus the list of mapped
// regions (the tables hold what is materialised; the list decides where new
// mappings go and what mprotect and fork cover).
type AddressSpace struct {
	mu       sync.Mutex
	root     uint64
	vmas     []vma // sorted, non-overlapping
	brkStart uintptr
	brk      uintptr
	refs     int
	futex    futexTable
}

func newAddressSpace() (*AddressSpace, error) {
	var root uint64
	var ok bool
	arch.NoInterrupts(func() { root, ok = mm.NewUserRoot() })
	if !ok {
		return nil, linux.ENOMEM
	}
	return &AddressSpace{root: root, refs: 1}, nil
}

// release drops a reference; the last one frees the memory.
func (as *AddressSpace) release() {
	as.mu.Lock()
	as.refs--
	last := as.refs == 0
	as.mu.Unlock()
	if last {
		proc.FreeRoot(as.root)
	}
}

func pageUp(x uintptr) uintptr { return (x + pageSize - 1) &^ (pageSize - 1) }

func pteProt(prot uint64) uint64 {
	p := uint64(mm.PTEUser)
	if prot&linux.PROT_WRITE != 0 {
		p |= mm.PTEWrite
	}
	if prot&linux.PROT_EXEC == 0 {
		p |= mm.NX
	}
	return p
}

// validRange reports whether [start, end) is user space a mapping may use.
func validRange(start, end uintptr) bool {
	return start < end && end <= mm.UserEnd && start >= pageSize && (end <= mm.WindowStart || start >= mm.WindowEnd)
}

// flush drops stale translations of as if the CPU has it loaded.
func (as *AddressSpace) flush(ch mm.Changes) {
	if ch.NeedFlush() {
		proc.FlushRoot(as.root)
	}
}

// mapLocked makes [start, end) an anonymous mapping with prot, replacing
// what was there.
func (as *AddressSpace) mapLocked(start, end uintptr, prot uint64) error {
	want := uint64(0)
	if prot&(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC) != 0 {
		want = mm.Demand(pteProt(prot))
	}
	var ch mm.Changes
	arch.NoInterrupts(func() { ch = mm.SetRange(as.root, start, end, want, true) })
	as.flush(ch)
	if ch.NoMemory {
		return linux.ENOMEM
	}
	as.cut(start, end)
	as.vmas = append(as.vmas, vma{start, end, prot})
	sort.Slice(as.vmas, func(i, j int) bool { return as.vmas[i].start < as.vmas[j].start })
	return nil
}

// cut removes [start, end) from the region list, splitting regions.
func (as *AddressSpace) cut(start, end uintptr) {
	var out []vma
	for _, v := range as.vmas {
		if v.end <= start || v.start >= end {
			out = append(out, v)
			continue
		}
		if v.start < start {
			out = append(out, vma{v.start, start, v.prot})
		}
		if v.end > end {
			out = append(out, vma{end, v.end, v.prot})
		}
	}
	as.vmas = out
}

// findFree finds n bytes of unmapped space below top, top-down.
func (as *AddressSpace) findFree(n, top uintptr) (uintptr, bool) {
	cand := top - n
	for i := len(as.vmas) - 1; i >= 0; i-- {
		v := as.vmas[i]
		if v.start >= cand+n {
			continue
		}
		if v.end <= cand {
			break
		}
		cand = v.start - n
	}
	if cand < mm.WindowEnd && cand+n > mm.WindowStart {
		return as.findFree(n, mm.WindowStart)
	}
	return cand, cand >= pageSize && cand < top
}

// mapped reports whether addr lies in a mapped region.
func (as *AddressSpace) mapped(addr uint64) bool {
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.overlaps(uintptr(addr), uintptr(addr)+1)
}

func (as *AddressSpace) overlaps(start, end uintptr) bool {
	for _, v := range as.vmas {
		if v.start < end && start < v.end {
			return true
		}
	}
	return false
}

// Mmap implements anonymous mmap(2) for user programs.
func (as *AddressSpace) Mmap(addr, length uintptr, prot, flags uint64) (uintptr, error) {
	n := pageUp(length)
	switch {
	case length == 0 || n < length:
		return 0, linux.EINVAL
	case flags&linux.MAP_ANONYMOUS == 0:
		return 0, linux.ENODEV // file mappings come with writable file systems
	case flags&linux.MAP_TYPE != linux.MAP_PRIVATE && flags&linux.MAP_TYPE != linux.MAP_SHARED:
		return 0, linux.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	fixed := flags&(linux.MAP_FIXED|linux.MAP_FIXED_NOREPLACE) != 0
	if fixed {
		if addr%pageSize != 0 {
			return 0, linux.EINVAL
		}
		if !validRange(addr, addr+n) {
			return 0, linux.ENOMEM
		}
		if flags&linux.MAP_FIXED_NOREPLACE != 0 && as.overlaps(addr, addr+n) {
			return 0, linux.EEXIST
		}
	} else {
		// A hint is honoured when the range is free, as Linux does.
		hint := addr &^ (pageSize - 1)
		if hint != 0 && validRange(hint, hint+n) && !as.overlaps(hint, hint+n) {
			addr = hint
		} else {
			var ok bool
			if addr, ok = as.findFree(n, mmapTop); !ok {
				return 0, linux.ENOMEM
			}
		}
	}
	if prot&linux.PROT_WRITE != 0 && uint64(n)/pageSize > mm.Stats().Free {
		return 0, linux.ENOMEM // heuristic overcommit, as for the kernel
	}
	if err := as.mapLocked(addr, addr+n, prot); err != nil {
		return 0, err
	}
	return addr, nil
}

// Munmap implements munmap(2).
func (as *AddressSpace) Munmap(addr, length uintptr) error {
	n := pageUp(length)
	if addr%pageSize != 0 || length == 0 || !validRange(addr, addr+n) {
		return linux.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	var ch mm.Changes
	arch.NoInterrupts(func() { ch = mm.SetRange(as.root, addr, addr+n, 0, true) })
	as.flush(ch)
	as.cut(addr, addr+n)
	return nil
}

// Mprotect implements mprotect(2): every page of the range must be mapped.
func (as *AddressSpace) Mprotect(addr, length uintptr, prot uint64) error {
	n := pageUp(length)
	if addr%pageSize != 0 || !validRange(addr, addr+n) && length != 0 {
		return linux.EINVAL
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	covered := addr
	for _, v := range as.vmas {
		if v.end > covered && v.start <= covered {
			covered = v.end
		}
	}
	if covered < addr+n {
		return linux.ENOMEM
	}
	if prot&(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC) == 0 {
		// PROT_NONE keeps the region but makes every access fault.
		var ch mm.Changes
		arch.NoInterrupts(func() { ch = mm.SetRange(as.root, addr, addr+n, 0, true) })
		as.flush(ch)
	} else {
		var changed, ok bool
		arch.NoInterrupts(func() { changed, ok = mm.Protect(as.root, addr, addr+n, pteProt(prot)) })
		if changed {
			proc.FlushRoot(as.root)
		}
		if !ok {
			return linux.ENOMEM
		}
	}
	var out []vma
	for _, v := range as.vmas {
		switch {
		case v.end <= addr || v.start >= addr+n:
			out = append(out, v)
		default:
			if v.start < addr {
				out = append(out, vma{v.start, addr, v.prot})
			}
			out = append(out, vma{max(v.start, addr), min(v.end, addr+n), prot})
			if v.end > addr+n {
				out = append(out, vma{addr + n, v.end, v.prot})
			}
		}
	}
	as.vmas = out
	return nil
}

// Brk implements brk(2): the program break moves within its region.
func (as *AddressSpace) Brk(addr uintptr) uintptr {
	as.mu.Lock()
	defer as.mu.Unlock()
	if addr < as.brkStart || addr == as.brk {
		return as.brk
	}
	old, next := pageUp(as.brk), pageUp(addr)
	switch {
	case next > old:
		if as.overlaps(old, next) || !validRange(old, next) {
			return as.brk
		}
		if as.mapLocked(old, next, linux.PROT_READ|linux.PROT_WRITE) != nil {
			return as.brk
		}
	case next < old:
		var ch mm.Changes
		arch.NoInterrupts(func() { ch = mm.SetRange(as.root, next, old, 0, true) })
		as.flush(ch)
		as.cut(next, old)
	}
	as.brk = addr
	return as.brk
}

// Madvise implements madvise(2)'s MADV_DONTNEED and MADV_FREE; the rest
// are hints.
func (as *AddressSpace) Madvise(addr, length uintptr, advice uint64) error {
	n := pageUp(length)
	if addr%pageSize != 0 || !validRange(addr, addr+n) {
		return linux.EINVAL
	}
	if advice == linux.MADV_DONTNEED || advice == linux.MADV_FREE {
		var ch mm.Changes
		arch.NoInterrupts(func() { ch = mm.Discard(as.root, addr, addr+n) })
		as.flush(ch)
	}
	return nil
}

// fork returns a copy (Linux copies private memory; here eagerly).
func (as *AddressSpace) fork() (*AddressSpace, error) {
	child, err := newAddressSpace()
	if err != nil {
		return nil, err
	}
	as.mu.Lock()
	defer as.mu.Unlock()
	var ok bool
	arch.NoInterrupts(func() { ok = mm.CopyUser(child.root, as.root) })
	if !ok {
		child.release()
		return nil, linux.ENOMEM
	}
	child.vmas = append([]vma(nil), as.vmas...)
	child.brkStart, child.brk = as.brkStart, as.brk
	return child, nil
}

// CopyIn, CopyOut and friends: user memory as EFAULT-checked copies.
func (as *AddressSpace) CopyIn(dst []byte, addr uint64) error {
	if !mm.CopyIn(as.root, dst, uintptr(addr)) {
		return linux.EFAULT
	}
	return nil
}

func (as *AddressSpace) CopyOut(addr uint64, src []byte) error {
	if !mm.CopyOut(as.root, uintptr(addr), src) {
		return linux.EFAULT
	}
	return nil
}

func (as *AddressSpace) CopyInString(addr uint64, max int) (string, error) {
	s, ok, tooLong := mm.CopyInString(as.root, uintptr(addr), max)
	switch {
	case !ok:
		return "", linux.EFAULT
	case tooLong:
		return "", linux.ENAMETOOLONG
	}
	return s, nil
}
