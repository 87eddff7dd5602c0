package mm

import (
	"sync/atomic"
	"unsafe"

	"sigil/arch"
)

// The frame allocator hands out 4 KiB physical frames from the free ranges
// the boot memory map reported. It bumps through the ranges and recycles
// freed frames through two lists threaded through the frames themselves:
// frames known to be zero (page-table pages emptied as their space went
// away) and the rest. A zeroed frame is handed out for a zeroed request
// without writing 4 KiB again, which under emulation is most of what a
// new page table costs.
//
// Each frame has one 32-bit word of metadata (Linux's struct page, much
// reduced): a reference count in the low 28 bits, for frames that several
// mappings share (copy-on-write after fork, the page cache), and the
// frame's kind in the top 4, for the accounting /proc/meminfo shows. The
// words live in frames carved from the first free range at boot (InitMeta):
// 4 bytes per 4 KiB, a thousandth of memory.
//
// Guarded by frames.lock, a leaf: the allocator's functions take it and
// touch nothing but the direct map while they hold it, so no fault can
// come while it is held. Reference counts change atomically, so reading
// one needs nothing; a count that drops to zero frees under the lock.

// Range is a half-open range of physical addresses.
type Range struct{ Start, End uint64 }

const maxRanges = 64

// Kind says what a frame holds.
type Kind uint8

const (
	KindFree   Kind = iota
	KindKernel      // the kernel's runtime memory and the kernel's page tables
	KindTable       // a user address space's page tables
	KindAnon        // user anonymous memory
	KindCache       // file data (the page cache)
	KindShmem       // shared anonymous memory
	NumKinds
)

// User reports whether frames of kind k are user memory, which stops at
// the kernel's reserve.
//
//go:nosplit
func (k Kind) User() bool { return k >= KindTable }

const (
	refBits   = 28
	refMask   = 1<<refBits - 1
	kindShift = refBits
)

type frameAllocator struct {
	lock    arch.Spinlock
	ranges  [maxRanges]Range // remaining bump space
	n       int
	cur     int
	free    uint64 // head of the freed list (physical), 0 when empty
	zeroed  uint64 // head of the list of freed frames that are zero but for the link
	nfree   uint64 // frames on the freed lists
	total   uint64 // frames handed to the allocator
	inUse   uint64
	reserve uint64    // frames only kernel allocations may take
	kinds   [8]uint64 // by Kind, indexed k&7 so that no bounds check (and its panic path) is needed
	meta    []uint32  // per frame number: reference count and kind
}

var frames frameAllocator

// FrameStats reports the allocator's counters in frames.
type FrameStats struct {
	Total, InUse, Free, Reserve uint64
	ByKind                      [NumKinds]uint64
}

// Stats returns the allocator's counters.
//
//go:nosplit
func Stats() FrameStats {
	frames.lock.Lock()
	st := FrameStats{Total: frames.total, InUse: frames.inUse, Free: frames.total - frames.inUse,
		Reserve: frames.reserve}
	copy(st.ByKind[:], frames.kinds[:])
	frames.lock.Unlock()
	return st
}

// UserFree returns the frames user memory may still take: a snapshot, as
// any answer is by the time the caller acts on it.
//
//go:nosplit
func UserFree() uint64 {
	f := frames.total - frames.inUse
	return f - min(f, frames.reserve)
}

// SetReserve sets the number of frames kept for the kernel.
func SetReserve(n uint64) {
	frames.lock.Lock()
	frames.reserve = n
	frames.lock.Unlock()
}

// ResetFrames forgets every range (host tests).
func ResetFrames() { frames = frameAllocator{} }

// AddFree gives [start, end) to the allocator, trimmed to whole pages. It
// reports false when the range table is full.
//
//go:nosplit
func AddFree(start, end uint64) bool {
	start = (start + PageSize - 1) &^ (PageSize - 1)
	end &^= PageSize - 1
	if start == 0 { // physical page 0 doubles as the empty-list marker
		start = PageSize
	}
	if end <= start {
		return true
	}
	frames.lock.Lock()
	ok := frames.n < maxRanges
	if ok {
		frames.ranges[uint(frames.n)%maxRanges] = Range{start, end}
		frames.n++
		frames.total += (end - start) / PageSize
	}
	frames.lock.Unlock()
	return ok
}

// InitMeta sets up the per-frame words for every frame below top (the end
// of the highest range the allocator will ever be given), carving them from
// the start of the first range that can hold them. It runs once, after the
// ranges below the direct map's first gigabyte were added and before
// anything is allocated.
func InitMeta(top uint64) bool {
	n := top / PageSize
	size := (n*4 + PageSize - 1) &^ (PageSize - 1)
	for i := 0; i < frames.n; i++ {
		r := &frames.ranges[i]
		if r.End-r.Start < size {
			continue
		}
		p := (*uint32)(Phys(r.Start))
		frames.meta = unsafe.Slice(p, n)
		clear(frames.meta)
		r.Start += size
		frames.total -= size / PageSize
		return true
	}
	return false
}

// metaOf returns frame pa's word. No bounds check: every frame lies below
// the top InitMeta was given, and a check's panic path would not fit the
// nosplit stack of the page-table walks that call this.
//
//go:nosplit
func metaOf(pa uint64) *uint32 {
	return (*uint32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(frames.meta)), pa/PageSize*4))
}

// AllocFrame returns an unzeroed frame of kind k with one reference, or
// ok=false when memory is exhausted (for user kinds: down to the reserve).
//
//go:nosplit
func AllocFrame(k Kind) (pa uint64, ok bool) {
	frames.lock.Lock()
	pa, ok = allocFrame(k)
	frames.lock.Unlock()
	return pa, ok
}

// allocFrame is AllocFrame. frames.lock held.
//
//go:nosplit
func allocFrame(k Kind) (pa uint64, ok bool) {
	if k.User() && frames.total-frames.inUse <= frames.reserve {
		return 0, false
	}
	switch {
	case frames.free != 0:
		pa = pop(&frames.free)
	case bump(&pa):
	case frames.zeroed != 0:
		pa = pop(&frames.zeroed)
	default:
		return 0, false
	}
	count(pa, k)
	return pa, true
}

// pop takes the first frame of a freed list.
//
//go:nosplit
func pop(list *uint64) uint64 {
	pa := *list
	*list = *(*uint64)(Phys(pa))
	frames.nfree--
	return pa
}

// bump takes a frame never handed out before.
//
//go:nosplit
func bump(pa *uint64) bool {
	for ; frames.cur < frames.n; frames.cur++ {
		// The modulo (n never exceeds the array) drops a bounds check that
		// would deepen interrupt context's nosplit chains.
		if r := &frames.ranges[uint(frames.cur)%maxRanges]; r.Start < r.End {
			*pa = r.Start
			r.Start += PageSize
			return true
		}
	}
	return false
}

// count records frame pa as handed out with kind k and one reference.
//
//go:nosplit
func count(pa uint64, k Kind) {
	frames.inUse++
	frames.kinds[k&7]++
	if frames.meta != nil {
		atomic.StoreUint32(metaOf(pa), uint32(k)<<kindShift|1)
	}
}

// AddUsed counts [start, end), memory the allocator never hands out, as
// memory in use of kind k: the initrd, whose files stay where the loader
// put them and are the page cache's (Linux counts its initramfs files,
// unpacked to memory, in MemTotal too).
func AddUsed(start, end uint64, k Kind) {
	start &^= PageSize - 1
	end = (end + PageSize - 1) &^ (PageSize - 1)
	n := (end - start) / PageSize
	frames.lock.Lock()
	frames.total += n
	frames.inUse += n
	frames.kinds[k&7] += n
	frames.lock.Unlock()
}

// Adopt gives frame pa, memory AddUsed counted, one reference and kind k,
// so that page tables can map it and count references to it like any
// other. The caller keeps that reference for good: the frame must never
// come back to the allocator.
//
//go:nosplit
func Adopt(pa uint64, k Kind) {
	atomic.StoreUint32(metaOf(pa), uint32(k)<<kindShift|1)
}

// AllocZeroed returns a zeroed frame of kind k: one from the zeroed list
// if there is one, else any frame, zeroed here.
//
//go:nosplit
func AllocZeroed(k Kind) (pa uint64, ok bool) {
	frames.lock.Lock()
	zeroed := frames.zeroed != 0 && (!k.User() || frames.total-frames.inUse > frames.reserve)
	if zeroed {
		pa = pop(&frames.zeroed)
		*(*uint64)(Phys(pa)) = 0 // the link
		count(pa, k)
		ok = true
	} else {
		pa, ok = allocFrame(k)
	}
	frames.lock.Unlock()
	if ok && !zeroed {
		zeroPage(pa) // the frame is the caller's alone: outside the lock
	}
	return
}

// FreeFrame returns frame pa to the allocator, whatever its count.
//
//go:nosplit
func FreeFrame(pa uint64) { release1(pa, &frames.free) }

// FreeZeroed returns frame pa, whose every byte is zero, to the allocator.
//
//go:nosplit
func FreeZeroed(pa uint64) { release1(pa, &frames.zeroed) }

//go:nosplit
func release1(pa uint64, list *uint64) {
	frames.lock.Lock()
	releaseLocked(pa, list)
	frames.lock.Unlock()
}

// releaseLocked puts frame pa on list. frames.lock held.
//
//go:nosplit
func releaseLocked(pa uint64, list *uint64) {
	k := KindKernel
	if frames.meta != nil {
		m := metaOf(pa)
		k = Kind(atomic.LoadUint32(m) >> kindShift)
		atomic.StoreUint32(m, 0)
	}
	frames.kinds[k&7]--
	*(*uint64)(Phys(pa)) = *list
	*list = pa
	frames.nfree++
	frames.inUse--
}

// Ref takes another reference on frame pa.
//
//go:nosplit
func Ref(pa uint64) { atomic.AddUint32(metaOf(pa), 1) }

// Unref drops a reference on frame pa and frees it when it was the last.
//
//go:nosplit
func Unref(pa uint64) {
	if atomic.AddUint32(metaOf(pa), ^uint32(0))&refMask == 0 {
		// Not through FreeFrame: a level less on the fault path's
		// nosplit stack (copy-on-write breaks reach here from the
		// signal fast path).
		frames.lock.Lock()
		releaseLocked(pa, &frames.free)
		frames.lock.Unlock()
	}
}

// releaseGathered frees the first n of a gather's frames (lock.go) by their
// fates: a leaf's reference dropped (Unref), a table page freed. The
// caller holds a tables lock, so interrupts are off: the allocator's lock
// is taken as interrupt context takes it, once for the batch.
//
//go:nosplit
func releaseGathered(held *[256]uint64, n uint) {
	frames.lock.LockIRQ()
	for i := uint(0); i < n && i < uint(len(held)); i++ {
		switch pa := held[i] &^ fateMask; held[i] & fateMask {
		case fateUnref:
			if atomic.AddUint32(metaOf(pa), ^uint32(0))&refMask == 0 {
				releaseLocked(pa, &frames.free)
			}
		case fateFree:
			releaseLocked(pa, &frames.free)
		default:
			releaseLocked(pa, &frames.zeroed)
		}
	}
	frames.lock.UnlockIRQ()
}

// Refs returns frame pa's reference count.
//
//go:nosplit
func Refs(pa uint64) uint32 { return atomic.LoadUint32(metaOf(pa)) & refMask }

// KindOf returns what frame pa holds.
//
//go:nosplit
func KindOf(pa uint64) Kind { return Kind(atomic.LoadUint32(metaOf(pa)) >> kindShift) }

// FreeRanges computes the usable free ranges: every RAM range minus every
// reserved range, each trimmed to whole pages, written to out. It returns the
// number written. Hardware-free so host tests can check it.
func FreeRanges(ram, reserved []Range, out []Range) int {
	n := 0
	for _, r := range ram {
		n = subtract(r, reserved, out, n)
	}
	return n
}

func subtract(r Range, reserved []Range, out []Range, n int) int {
	if r.End <= r.Start {
		return n
	}
	for i, x := range reserved {
		if x.End <= r.Start || x.Start >= r.End {
			continue
		}
		// Split around x and handle the pieces against the rest.
		n = subtract(Range{r.Start, x.Start}, reserved[i+1:], out, n)
		return subtract(Range{x.End, r.End}, reserved[i+1:], out, n)
	}
	start := (r.Start + PageSize - 1) &^ (PageSize - 1)
	end := r.End &^ (PageSize - 1)
	if end > start && n < len(out) {
		out[n] = Range{start, end}
		n++
	}
	return n
}
