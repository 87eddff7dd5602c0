package vm

import (
	"math/rand"
	"sort"
	"testing"
)

// checkTree verifies the AVL shape, the order and every node's subtree
// facts against a recomputation.
func checkTree(t *testing.T, tr *tree) []*Area {
	t.Helper()
	var out []*Area
	var walk func(n *Area) (h int8, lo, hi, gap uintptr)
	walk = func(n *Area) (int8, uintptr, uintptr, uintptr) {
		if n == nil {
			return 0, 0, 0, 0
		}
		lh, llo, lhi, lgap := walk(n.left)
		out = append(out, n)
		rh, rlo, rhi, rgap := walk(n.right)
		if d := lh - rh; d > 1 || d < -1 {
			t.Fatalf("unbalanced at %#x: %d vs %d", n.Start, lh, rh)
		}
		lo, hi, gap := n.gapStart(), n.End, uintptr(0)
		if n.left != nil {
			lo, gap = llo, max(lgap, holeBetween(lhi, n.gapStart()))
		}
		if n.right != nil {
			hi, gap = rhi, max(gap, rgap, holeBetween(n.End, rlo))
		}
		h := 1 + max(lh, rh)
		if n.height != h || n.lo != lo || n.hi != hi || n.gap != gap {
			t.Fatalf("stale facts at %#x: h %d/%d lo %#x/%#x hi %#x/%#x gap %#x/%#x",
				n.Start, n.height, h, n.lo, lo, n.hi, hi, n.gap, gap)
		}
		return h, lo, hi, gap
	}
	walk(tr.root)
	if len(out) != tr.n {
		t.Fatalf("tree holds %d areas, count says %d", len(out), tr.n)
	}
	for i := 1; i < len(out); i++ {
		if out[i-1].End > out[i].Start {
			t.Fatalf("areas out of order or overlapping: %#x-%#x, %#x-%#x", out[i-1].Start, out[i-1].End, out[i].Start, out[i].End)
		}
	}
	return out
}

// holesModel finds the highest and lowest holes by brute force.
func holesModel(areas []*Area, size, lo, hi uintptr) (high uintptr, hok bool, low uintptr, lok bool) {
	prevEnd := uintptr(0)
	try := func(a, b uintptr) {
		a, b = max(a, lo), min(b, hi)
		if b > a && b-a >= size {
			if !hok || b-size > high {
				high, hok = b-size, true
			}
			if !lok || a < low {
				low, lok = a, true
			}
		}
	}
	for _, a := range areas {
		if a.gapStart() > prevEnd {
			try(prevEnd, a.gapStart())
		}
		prevEnd = a.End
	}
	try(prevEnd, ^uintptr(0))
	return
}

func TestTreeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var tr tree
	var live []*Area
	const unit = 0x1000
	for i := 0; i < 4000; i++ {
		if len(live) > 0 && r.Intn(3) == 0 {
			k := r.Intn(len(live))
			tr.remove(live[k])
			live = append(live[:k], live[k+1:]...)
		} else {
			start := uintptr(r.Intn(1<<16)) * unit
			end := start + uintptr(1+r.Intn(8))*unit
			clash := false
			for _, a := range live {
				if a.Start < end && start < a.End {
					clash = true
				}
			}
			if clash {
				continue
			}
			a := &Area{Start: start, End: end}
			if r.Intn(10) == 0 {
				a.Flags = GrowsDown
			}
			tr.insert(a)
			live = append(live, a)
		}
		got := checkTree(t, &tr)
		sort.Slice(live, func(i, j int) bool { return live[i].Start < live[j].Start })
		for j := range live {
			if got[j] != live[j] {
				t.Fatalf("in-order walk differs at %d", j)
			}
		}
		j := 0
		for a := range tr.all() {
			if j >= len(live) || a != live[j] {
				t.Fatalf("all() differs at %d", j)
			}
			if j++; j == 3 {
				break // a loop that stops early
			}
		}
		if j != min(len(live), 3) {
			t.Fatalf("all() yielded %d areas of %d", j, len(live))
		}
		addr := uintptr(r.Intn(1<<16)) * unit
		var want *Area
		for _, a := range live {
			if a.End > addr {
				want = a
				break
			}
		}
		if tr.above(addr) != want {
			t.Fatalf("above(%#x) wrong", addr)
		}
		size := uintptr(1+r.Intn(300)) * unit
		lo := uintptr(r.Intn(1<<15)) * unit
		hi := lo + uintptr(r.Intn(1<<15))*unit
		high, hok, low, lok := holesModel(live, size, lo, hi)
		if h, ok := tr.highestHole(size, lo, hi); ok != hok || ok && h != high {
			t.Fatalf("highestHole(%#x, %#x, %#x) = %#x %v, want %#x %v", size, lo, hi, h, ok, high, hok)
		}
		if l, ok := tr.lowestHole(size, lo, hi); ok != lok || ok && l != low {
			t.Fatalf("lowestHole(%#x, %#x, %#x) = %#x %v, want %#x %v", size, lo, hi, l, ok, low, lok)
		}
	}
}
