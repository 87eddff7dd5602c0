package mm

// The frame allocator hands out 4 KiB physical frames from the free ranges
// the boot memory map reported. It bumps through the ranges and recycles
// freed frames through a list threaded through the frames themselves, so it
// needs no metadata proportional to memory and no set-up time.

// Range is a half-open range of physical addresses.
type Range struct{ Start, End uint64 }

const maxRanges = 64

type frameAllocator struct {
	ranges [maxRanges]Range // remaining bump space
	n      int
	cur    int
	free   uint64 // head of the freed list (physical), 0 when empty
	nfree  uint64 // frames on the freed list
	total  uint64 // frames handed to the allocator
	inUse  uint64
}

var frames frameAllocator

// FrameStats reports the allocator's counters in frames.
type FrameStats struct {
	Total, InUse, Free uint64
}

// Stats returns the allocator's counters.
//
//go:nosplit
func Stats() FrameStats {
	return FrameStats{Total: frames.total, InUse: frames.inUse, Free: frames.total - frames.inUse}
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
	if frames.n == maxRanges {
		return false
	}
	frames.ranges[frames.n] = Range{start, end}
	frames.n++
	frames.total += (end - start) / PageSize
	return true
}

// AllocFrame returns an unzeroed frame, or ok=false when memory is exhausted.
//
//go:nosplit
func AllocFrame() (pa uint64, ok bool) {
	if frames.free != 0 {
		pa = frames.free
		frames.free = *(*uint64)(Phys(pa))
		frames.nfree--
		frames.inUse++
		return pa, true
	}
	for frames.cur < frames.n {
		r := &frames.ranges[frames.cur]
		if r.Start < r.End {
			pa = r.Start
			r.Start += PageSize
			frames.inUse++
			return pa, true
		}
		frames.cur++
	}
	return 0, false
}

// AllocZeroed returns a zeroed frame.
//
//go:nosplit
func AllocZeroed() (pa uint64, ok bool) {
	pa, ok = AllocFrame()
	if ok {
		zeroPage(pa)
	}
	return
}

// FreeFrame returns frame pa to the allocator.
//
//go:nosplit
func FreeFrame(pa uint64) {
	*(*uint64)(Phys(pa)) = frames.free
	frames.free = pa
	frames.nfree++
	frames.inUse--
}

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
