package mm

// The kernel arena hands out the address ranges behind the kernel runtime's
// anonymous mmaps. It keeps the free ranges in a small sorted table: the
// runtime reserves in large pieces (64 MiB heap arenas, their metadata, a
// few stacks) and gives back whole or trimmed pieces, so the table stays
// short. A range that comes back is handed out again, so the runtime's
// retries (a heap-arena hint refused, unmapped, the next one tried) cost
// no address space. Lowest fit first, as Linux's bottom-up allocator, so
// the runtime's heap stays compact and its page tables few.
//
// Interrupt context (the runtime's mmap and munmap): //go:nosplit, no
// allocation.

// arenaSlots bounds the table. Should it fill, a range that cannot be
// recorded is dropped (Lost counts it); the arena is 32 TiB.
const arenaSlots = 256

// Arena is a set of free address ranges.
type Arena struct {
	free [arenaSlots]Range // sorted by Start, disjoint, never adjacent
	n    int
	Lost uint64 // bytes dropped because the table was full
}

// KernelArena serves the kernel runtime's mmaps. Its initialiser is static
// data: the runtime maps memory before any init function has run.
var KernelArena = Arena{free: [arenaSlots]Range{{ArenaBase, ArenaEnd}}, n: 1}

// NewArena returns an arena whose whole range [start, end) is free.
func NewArena(start, end uint64) Arena {
	a := Arena{n: 1}
	a.free[0] = Range{start, end}
	return a
}

// Alloc takes n bytes (a multiple of the page size): [hint, hint+n) if
// that is wholly free, else the lowest free range that fits.
//
//go:nosplit
func (a *Arena) Alloc(n, hint uint64) (uint64, bool) {
	if n == 0 {
		return 0, false
	}
	if hint != 0 && hint+n > hint && a.Take(hint, n) {
		return hint, true
	}
	for i := 0; i < a.n; i++ {
		r := &a.free[i]
		if r.End-r.Start >= n {
			start := r.Start
			r.Start += n
			if r.Start == r.End {
				a.remove(i)
			}
			return start, true
		}
	}
	return 0, false
}

// Take removes [addr, addr+n) from the free ranges if every byte of it is
// free, and reports whether it did.
//
//go:nosplit
func (a *Arena) Take(addr, n uint64) bool {
	end := addr + n
	for i := 0; i < a.n; i++ {
		r := &a.free[i]
		if addr < r.Start || end > r.End {
			continue
		}
		switch {
		case addr == r.Start && end == r.End:
			a.remove(i)
		case addr == r.Start:
			r.Start = end
		case end == r.End:
			r.End = addr
		default: // from the middle: the range splits in two
			if a.n == arenaSlots {
				return false
			}
			tail := Range{end, r.End}
			r.End = addr
			a.insert(i+1, tail)
		}
		return true
	}
	return false
}

// Claim removes whatever part of [addr, addr+n) is free (a MAP_FIXED mmap
// over space the arena had not handed out). Parts already handed out stay
// as they are.
//
//go:nosplit
func (a *Arena) Claim(addr, n uint64) {
	end := addr + n
	for i := 0; i < a.n; {
		r := a.free[i]
		lo, hi := max(r.Start, addr), min(r.End, end)
		if lo >= hi {
			i++
			continue
		}
		if !a.Take(lo, hi-lo) {
			// The table is full and lo..hi is inside r: drop the head
			// of r instead of splitting it.
			a.Lost += lo - r.Start
			a.free[i].Start = hi
		}
		i = 0 // the table changed: start again (it is short)
	}
}

// Free returns [addr, addr+n) to the arena. Parts of it that are already
// free are tolerated (the runtime may unmap what it never mapped).
//
//go:nosplit
func (a *Arena) Free(addr, n uint64) {
	if n == 0 {
		return
	}
	a.Claim(addr, n) // whatever of it is free already, so the table stays disjoint
	end := addr + n
	i := 0
	for i < a.n && a.free[i].Start < addr {
		i++
	}
	prevJoins := i > 0 && a.free[i-1].End == addr
	nextJoins := i < a.n && a.free[i].Start == end
	switch {
	case prevJoins && nextJoins:
		a.free[i-1].End = a.free[i].End
		a.remove(i)
	case prevJoins:
		a.free[i-1].End = end
	case nextJoins:
		a.free[i].Start = addr
	case a.n == arenaSlots:
		a.Lost += n
	default:
		a.insert(i, Range{addr, end})
	}
}

// FreeBytes returns the free space.
func (a *Arena) FreeBytes() uint64 {
	var s uint64
	for i := 0; i < a.n; i++ {
		s += a.free[i].End - a.free[i].Start
	}
	return s
}

// Ranges returns the number of free ranges.
func (a *Arena) Ranges() int { return a.n }

//go:nosplit
func (a *Arena) remove(i int) {
	copy(a.free[i:a.n], a.free[i+1:a.n])
	a.n--
}

//go:nosplit
func (a *Arena) insert(i int, r Range) {
	copy(a.free[i+1:a.n+1], a.free[i:a.n])
	a.free[i] = r
	a.n++
}
