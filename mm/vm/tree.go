package vm

// The area map: a process's areas ordered by address in an AVL tree. Each
// node also keeps three facts about its subtree (its lowest start, its
// highest end, and the largest hole between two of its areas), so that
// the highest hole of a given size below a limit is found in O(log n), as
// Linux's rb_subtree_gap did before its maple tree. An area's own
// boundaries change only through the tree (remove, change, insert), which
// keeps those facts true.
//
// Guarded by the owning Space's mu.

import "iter"

type tree struct {
	root *Area
	n    int
}

func height(a *Area) int8 {
	if a == nil {
		return 0
	}
	return a.height
}

// update recomputes a's height and subtree facts from its children.
func (a *Area) update() {
	a.height = 1 + max(height(a.left), height(a.right))
	a.lo, a.hi, a.gap = a.gapStart(), a.End, 0
	if l := a.left; l != nil {
		a.lo = l.lo
		a.gap = max(l.gap, holeBetween(l.hi, a.gapStart()))
	}
	if r := a.right; r != nil {
		a.hi = r.hi
		a.gap = max(a.gap, r.gap, holeBetween(a.End, r.lo))
	}
}

func holeBetween(lo, hi uintptr) uintptr {
	if hi > lo {
		return hi - lo
	}
	return 0
}

func rotateRight(a *Area) *Area {
	l := a.left
	a.left, l.right = l.right, a
	a.update()
	l.update()
	return l
}

func rotateLeft(a *Area) *Area {
	r := a.right
	a.right, r.left = r.left, a
	a.update()
	r.update()
	return r
}

func rebalance(a *Area) *Area {
	a.update()
	switch bf := height(a.left) - height(a.right); {
	case bf > 1:
		if height(a.left.left) < height(a.left.right) {
			a.left = rotateLeft(a.left)
		}
		return rotateRight(a)
	case bf < -1:
		if height(a.right.right) < height(a.right.left) {
			a.right = rotateRight(a.right)
		}
		return rotateLeft(a)
	}
	return a
}

// insert adds a, which overlaps no area in the tree.
func (t *tree) insert(a *Area) {
	a.left, a.right = nil, nil
	t.root = insertAt(t.root, a)
	t.n++
}

func insertAt(n, a *Area) *Area {
	if n == nil {
		a.update()
		return a
	}
	if a.Start < n.Start {
		n.left = insertAt(n.left, a)
	} else {
		n.right = insertAt(n.right, a)
	}
	return rebalance(n)
}

// remove takes a out of the tree.
func (t *tree) remove(a *Area) {
	t.root = removeAt(t.root, a)
	a.left, a.right = nil, nil
	t.n--
}

func removeAt(n, a *Area) *Area {
	switch {
	case n == nil:
		panic("vm: removing an area not in the map")
	case a.Start < n.Start:
		n.left = removeAt(n.left, a)
	case a.Start > n.Start:
		n.right = removeAt(n.right, a)
	default:
		if n.left == nil {
			return n.right
		}
		if n.right == nil {
			return n.left
		}
		// Replace n by its successor, the leftmost of its right subtree.
		var s *Area
		right := removeMin(n.right, &s)
		s.left, s.right = n.left, right
		return rebalance(s)
	}
	return rebalance(n)
}

func removeMin(n *Area, min **Area) *Area {
	if n.left == nil {
		*min = n
		return n.right
	}
	n.left = removeMin(n.left, min)
	return rebalance(n)
}

// find returns the area holding addr, or nil.
func (t *tree) find(addr uintptr) *Area {
	a := t.above(addr)
	if a != nil && a.Start <= addr {
		return a
	}
	return nil
}

// above returns the lowest area that ends above addr (Linux's find_vma):
// the one holding addr, or the next one up, or nil.
func (t *tree) above(addr uintptr) *Area {
	var best *Area
	for n := t.root; n != nil; {
		if n.End > addr {
			best = n
			n = n.left
		} else {
			n = n.right
		}
	}
	return best
}

// below returns the highest area that starts below addr, or nil.
func (t *tree) below(addr uintptr) *Area {
	var best *Area
	for n := t.root; n != nil; {
		if n.Start < addr {
			best = n
			n = n.right
		} else {
			n = n.left
		}
	}
	return best
}

// next returns the area after a, or nil.
func (t *tree) next(a *Area) *Area { return t.above(a.End) }

// prev returns the area before a, or nil.
func (t *tree) prev(a *Area) *Area { return t.below(a.Start) }

// first returns the lowest area, or nil.
func (t *tree) first() *Area { return t.above(0) }

// all yields the areas in address order by one walk of the tree, each in
// O(1) amortised where next searches from the root. The loop must not
// change the tree.
func (t *tree) all() iter.Seq[*Area] {
	return func(yield func(*Area) bool) { inOrder(t.root, yield) }
}

func inOrder(a *Area, yield func(*Area) bool) bool {
	return a == nil || inOrder(a.left, yield) && yield(a) && inOrder(a.right, yield)
}

// overlapping returns the areas that overlap [start, end), in order.
func (t *tree) overlapping(start, end uintptr) []*Area {
	var out []*Area
	for a := t.above(start); a != nil && a.Start < end; a = t.next(a) {
		out = append(out, a)
	}
	return out
}

// highestHole returns the highest address addr such that [addr, addr+size)
// lies in [lo, hi) and in no area (nor in the guard gap below a stack that
// grows down), or false.
func (t *tree) highestHole(size, lo, hi uintptr) (uintptr, bool) {
	return t.hole(size, lo, hi, true)
}

// lowestHole returns the lowest such address, or false.
func (t *tree) lowestHole(size, lo, hi uintptr) (uintptr, bool) {
	return t.hole(size, lo, hi, false)
}

func (t *tree) hole(size, lo, hi uintptr, top bool) (uintptr, bool) {
	if size == 0 || hi < lo || hi-lo < size {
		return 0, false
	}
	return holeIn(t.root, 0, ^uintptr(0), size, lo, hi, top)
}

// holeIn searches subtree n, whose areas lie between floor (the end of the
// area before them) and ceil (the start of the one after), from the top
// down if top, else from the bottom up.
func holeIn(n *Area, floor, ceil, size, lo, hi uintptr, top bool) (uintptr, bool) {
	if reach(n, ceil) <= lo || floor >= hi {
		return 0, false
	}
	if n == nil {
		a, b := max(floor, lo), min(ceil, hi)
		switch {
		case b <= a || b-a < size:
			return 0, false
		case top:
			return b - size, true
		default:
			return a, true
		}
	}
	if holeBetween(floor, n.lo) < size && n.gap < size && holeBetween(n.hi, ceil) < size {
		return 0, false
	}
	first, second := n.left, n.right
	firstFloor, firstCeil, secondFloor, secondCeil := floor, n.gapStart(), n.End, ceil
	if top {
		first, second = second, first
		firstFloor, firstCeil, secondFloor, secondCeil = secondFloor, secondCeil, firstFloor, firstCeil
	}
	if addr, ok := holeIn(first, firstFloor, firstCeil, size, lo, hi, top); ok {
		return addr, true
	}
	return holeIn(second, secondFloor, secondCeil, size, lo, hi, top)
}

// reach is where the holes of subtree n (bounded above by ceil) can end:
// ceil, or the end of n's last area if the guard gap of the area after
// them reaches back over it.
func reach(n *Area, ceil uintptr) uintptr {
	if n != nil {
		return max(ceil, n.hi)
	}
	return ceil
}
