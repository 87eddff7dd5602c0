package vm

import (
	"testing"

	"sigil/linux"
	"sigil/mm"
)

// hostSpace gives the test memory to run on and a fresh space.
func hostMemory(t testing.TB) {
	t.Helper()
	release, err := mm.HostMemory(48 << 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
}

func newSpace(t testing.TB) *Space {
	t.Helper()
	s, err := New(NoLimits)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// areasOf lists the space's areas (the window left out), checking the
// map's invariants on the way: order, tree facts, counters, and that no
// two neighbours could be one area.
func areasOf(t *testing.T, s *Space) []Area {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Area
	var total uint64
	nodes := checkTree(t, &s.areas)
	for i, a := range nodes {
		if i > 0 && mergeable(nodes[i-1], a) {
			t.Fatalf("areas %#x-%#x and %#x-%#x left unmerged", nodes[i-1].Start, nodes[i-1].End, a.Start, a.End)
		}
		if a.Flags&reserved != 0 {
			continue
		}
		total += uint64(a.Len() / pageSize)
		out = append(out, *a)
	}
	if total != s.total {
		t.Fatalf("space counts %d pages, areas hold %d", s.total, total)
	}
	return out
}

const base = 0x10000000

func mmapAnon(t *testing.T, s *Space, addr, n uintptr, prot uint64, flags uint64) uintptr {
	t.Helper()
	a, err := s.Mmap(MapRequest{Addr: addr, Len: n, Prot: prot, Flags: flags | linux.MAP_ANONYMOUS})
	if err != nil {
		t.Fatalf("mmap(%#x, %#x, %d, %#x): %v", addr, n, prot, flags, err)
	}
	return a
}

func TestSplitMergeProtect(t *testing.T) {
	hostMemory(t)
	s := newSpace(t)
	defer s.Release()
	rw := uint64(linux.PROT_READ | linux.PROT_WRITE)
	mmapAnon(t, s, base, 16*pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED)
	// Two mappings side by side with the same properties are one area.
	mmapAnon(t, s, base+16*pageSize, 4*pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED)
	if as := areasOf(t, s); len(as) != 1 || as[0].End != base+20*pageSize {
		t.Fatalf("adjacent mappings not merged: %v", as)
	}
	// mprotect of the middle splits in three; back again merges.
	if err := s.Mprotect(base+4*pageSize, 2*pageSize, linux.PROT_READ); err != nil {
		t.Fatal(err)
	}
	if as := areasOf(t, s); len(as) != 3 || as[1].Start != base+4*pageSize || as[1].Prot != Read {
		t.Fatalf("after mprotect: %v", as)
	}
	if err := s.Mprotect(base+4*pageSize, 2*pageSize, rw); err != nil {
		t.Fatal(err)
	}
	if as := areasOf(t, s); len(as) != 1 {
		t.Fatalf("after mprotect back: %d areas", len(as))
	}
	// munmap of the middle leaves two; mprotect across the hole changes
	// what lies before it and fails.
	if err := s.Munmap(base+8*pageSize, pageSize); err != nil {
		t.Fatal(err)
	}
	if err := s.Mprotect(base, 12*pageSize, linux.PROT_READ); err != linux.ENOMEM {
		t.Fatalf("mprotect over a hole: %v, want ENOMEM", err)
	}
	as := areasOf(t, s)
	if len(as) != 2 || as[0].Prot != Read || as[1].Prot != Read|Write {
		t.Fatalf("mprotect over a hole changed %v", as)
	}
	// The pthread case: a PROT_NONE reservation made usable later.
	stk := mmapAnon(t, s, 0, 64*pageSize, linux.PROT_NONE, linux.MAP_PRIVATE)
	if err := s.CopyOut(stk+10*pageSize, []byte{1}); err != linux.EFAULT {
		t.Fatalf("write to PROT_NONE: %v", err)
	}
	if err := s.Mprotect(stk+pageSize, 63*pageSize, rw); err != nil {
		t.Fatal(err)
	}
	if err := s.CopyOut(stk+10*pageSize, []byte{1}); err != nil {
		t.Fatalf("write after mprotect: %v", err)
	}
	if err := s.Fault(stk, true, false); err != ErrAccErr {
		t.Errorf("write to the guard page: %v, want SEGV_ACCERR", err)
	}
	if err := s.Fault(stk-pageSize, false, false); err != ErrMapErr {
		t.Errorf("read below the mapping: %v, want SEGV_MAPERR", err)
	}
	// Contents survive PROT_NONE and back.
	if err := s.Mprotect(stk+pageSize, 63*pageSize, linux.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	s.Mprotect(stk+pageSize, 63*pageSize, linux.PROT_READ)
	var b [1]byte
	if err := s.CopyIn(b[:], stk+10*pageSize); err != nil || b[0] != 1 {
		t.Errorf("after PROT_NONE and back read %d (%v), want 1", b[0], err)
	}
}

func TestMremap(t *testing.T) {
	hostMemory(t)
	s := newSpace(t)
	defer s.Release()
	rw := uint64(linux.PROT_READ | linux.PROT_WRITE)
	a := mmapAnon(t, s, 0, 4*pageSize, rw, linux.MAP_PRIVATE)
	for i := uintptr(0); i < 4; i++ {
		s.CopyOut(a+i*pageSize, []byte{byte(10 + i)})
	}
	// Growing in place when the room is free.
	if got, err := s.Mremap(a, 4*pageSize, 6*pageSize, 0, 0); err != nil || got != a {
		t.Fatalf("grow in place: %#x %v", got, err)
	}
	// A neighbour in the way: no move allowed is ENOMEM, with MAYMOVE the
	// contents travel.
	mmapAnon(t, s, a+6*pageSize, pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED)
	s.Mprotect(a+6*pageSize, pageSize, linux.PROT_READ) // not mergeable
	if _, err := s.Mremap(a, 6*pageSize, 8*pageSize, 0, 0); err != linux.ENOMEM {
		t.Fatalf("grow into a neighbour: %v", err)
	}
	b, err := s.Mremap(a, 6*pageSize, 64*pageSize, linux.MREMAP_MAYMOVE, 0)
	if err != nil || b == a {
		t.Fatalf("move: %#x %v", b, err)
	}
	var x [1]byte
	for i := uintptr(0); i < 4; i++ {
		if s.CopyIn(x[:], b+i*pageSize); x[0] != byte(10+i) {
			t.Errorf("page %d after the move holds %d", i, x[0])
		}
	}
	if s.CopyIn(x[:], b+40*pageSize); x[0] != 0 {
		t.Error("grown part not zero")
	}
	if err := s.Fault(a, false, false); err != ErrMapErr {
		t.Errorf("old place still mapped: %v", err)
	}
	// Across areas is EFAULT; shrinking always works.
	if _, err := s.Mremap(a+6*pageSize, 2*pageSize, pageSize, 0, 0); err != nil {
		t.Errorf("shrink: %v", err)
	}
	mmapAnon(t, s, b+64*pageSize, pageSize, linux.PROT_READ, linux.MAP_PRIVATE|linux.MAP_FIXED)
	if _, err := s.Mremap(b, 65*pageSize, 66*pageSize, linux.MREMAP_MAYMOVE, 0); err != linux.EFAULT {
		t.Errorf("mremap across areas: %v, want EFAULT", err)
	}
	// MREMAP_FIXED onto a mapping replaces it; DONTUNMAP leaves the old
	// range mapped and empty.
	c := mmapAnon(t, s, 0, 2*pageSize, rw, linux.MAP_PRIVATE)
	s.CopyOut(c, []byte{77})
	if got, err := s.Mremap(c, 2*pageSize, 2*pageSize, linux.MREMAP_MAYMOVE|linux.MREMAP_DONTUNMAP, 0); err != nil {
		t.Fatalf("DONTUNMAP: %v", err)
	} else if s.CopyIn(x[:], got); x[0] != 77 {
		t.Errorf("DONTUNMAP moved %d", x[0])
	}
	if s.CopyIn(x[:], c); x[0] != 0 {
		t.Errorf("DONTUNMAP left %d behind", x[0])
	}
	for _, bad := range []struct {
		old, new uintptr
		flags    uint64
	}{{pageSize, 2 * pageSize, linux.MREMAP_FIXED}, {pageSize, 2 * pageSize, 8}, {pageSize, 0, 0},
		{pageSize, 2 * pageSize, linux.MREMAP_MAYMOVE | linux.MREMAP_DONTUNMAP}} {
		if _, err := s.Mremap(c, bad.old, bad.new, bad.flags, 0); err != linux.EINVAL {
			t.Errorf("mremap(%#x, %#x, %#x): %v, want EINVAL", bad.old, bad.new, bad.flags, err)
		}
	}
}

func TestStackGrowsDown(t *testing.T) {
	hostMemory(t)
	s := newSpace(t)
	defer s.Release()
	if err := s.MapStack(100, false); err != nil {
		t.Fatal(err)
	}
	low := uintptr(StackTop - pageSize - stackExpand)
	if err := s.CopyOut(low-3*pageSize, []byte{1}); err != nil {
		t.Fatalf("write below the stack: %v", err)
	}
	as := areasOf(t, s)
	if len(as) != 1 || as[0].Start != low-3*pageSize {
		t.Fatalf("stack did not grow: %v", as)
	}
	// Not past RLIMIT_STACK.
	if err := s.Fault(StackTop-(8<<20)-pageSize, true, false); err != ErrMapErr {
		t.Errorf("growth past RLIMIT_STACK: %v", err)
	}
	// Nor to within the guard gap of the mapping below.
	rw := uint64(linux.PROT_READ | linux.PROT_WRITE)
	below := low - 3*pageSize - stackGuardGap - 8*pageSize
	mmapAnon(t, s, below, pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED)
	if err := s.Fault(below+pageSize+stackGuardGap-pageSize, true, false); err != ErrMapErr {
		t.Errorf("growth into the guard gap: %v", err)
	}
	if err := s.Fault(below+pageSize+stackGuardGap+pageSize, true, false); err != nil {
		t.Errorf("growth to the guard gap's edge: %v", err)
	}
}

func TestLeaks(t *testing.T) {
	hostMemory(t)
	before := mm.Stats()
	c0 := Committed()
	s := newSpace(t)
	rw := uint64(linux.PROT_READ | linux.PROT_WRITE)
	a := mmapAnon(t, s, 0, 300*pageSize, rw, linux.MAP_PRIVATE)
	sh := mmapAnon(t, s, 0, 8*pageSize, rw, linux.MAP_SHARED)
	for i := uintptr(0); i < 300; i += 7 {
		s.CopyOut(a+i*pageSize, []byte{1})
	}
	s.CopyOut(sh, []byte{5})
	c, err := s.Fork()
	if err != nil {
		t.Fatal(err)
	}
	c.CopyOut(a, []byte{2})
	c.CopyOut(sh+pageSize, []byte{6})
	var x [1]byte
	if s.CopyIn(x[:], a); x[0] != 1 {
		t.Error("child's write seen by the parent")
	}
	if s.CopyIn(x[:], sh+pageSize); x[0] != 6 {
		t.Error("child's write to shared memory not seen by the parent")
	}
	s.Munmap(sh, 8*pageSize)
	if c.CopyIn(x[:], sh); x[0] != 5 {
		t.Error("shared memory lost when the parent unmapped it")
	}
	c.Release()
	s.Release()
	if after := mm.Stats(); after.InUse != before.InUse {
		t.Errorf("%d frames leaked (%+v)", int64(after.InUse)-int64(before.InUse), after.ByKind)
	}
	if Committed() != c0 {
		t.Errorf("committed memory %d pages, was %d", Committed(), c0)
	}
}
