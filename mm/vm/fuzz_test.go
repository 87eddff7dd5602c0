package vm

import (
	"testing"

	"sigil/linux"
	"sigil/mm"
)

// FuzzSpace runs random mmap, munmap, mprotect, madvise, fork, reads and
// writes on a few address spaces and checks each against a model of
// pages: what is mapped, with which protection, and what each page
// holds, private pages by copy-on-write, shared ones through their
// object. At the end every frame and every committed page must be back.
func FuzzSpace(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 4, 0, 2, 9, 6, 0, 0, 0, 4, 1, 2, 3, 5, 0, 2, 0})
	f.Add([]byte{1, 0, 4, 6, 4, 0, 5, 1, 6, 0, 0, 0, 4, 1, 6, 7, 5, 0, 6, 0, 3, 0, 4, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		hostMemory(t)
		before := mm.Stats().InUse
		c0 := Committed()
		m := newModel(t)
		for i := 0; i+3 < len(ops) && i < 400; i += 4 {
			m.step(ops[i], ops[i+1], ops[i+2], ops[i+3])
		}
		m.checkAll(true)
		for _, s := range m.spaces {
			s.Release()
		}
		if after := mm.Stats().InUse; after != before {
			t.Fatalf("%d frames leaked", int64(after)-int64(before))
		}
		if !mm.ZeroedListClean() {
			t.Fatal("a frame freed as zero is not")
		}
		if Committed() != c0 {
			t.Fatalf("committed memory %d pages, was %d", Committed(), c0)
		}
	})
}

const modelPages = 48

type pageModel struct {
	mapped bool
	prot   Prot
	obj    int // 0: private; else a shared object's id
	idx    int // page in the object
	val    byte
}

type model struct {
	t      *testing.T
	spaces []*Space
	pages  [][modelPages]pageModel
	objs   map[[2]int]byte
	nobj   int
}

func newModel(t *testing.T) *model {
	m := &model{t: t, objs: map[[2]int]byte{}}
	m.spaces = []*Space{newSpace(t)}
	m.pages = make([][modelPages]pageModel, 1)
	return m
}

func addr(p int) uintptr { return base + uintptr(p)*pageSize }

func (m *model) step(op, sp, a, b byte) {
	t := m.t
	k := int(sp) % len(m.spaces)
	s, pg := m.spaces[k], &m.pages[k]
	lo := int(a) % modelPages
	n := 1 + int(b)%8
	hi := min(lo+n, modelPages)
	prot := Prot(b>>3) & rwx
	switch op % 9 {
	case 0, 1: // mmap private or shared anonymous memory, fixed
		flags := uint64(linux.MAP_FIXED | linux.MAP_ANONYMOUS | linux.MAP_PRIVATE)
		if op%9 == 1 {
			flags = linux.MAP_FIXED | linux.MAP_ANONYMOUS | linux.MAP_SHARED
			m.nobj++
		}
		if _, err := s.Mmap(MapRequest{Addr: addr(lo), Len: uintptr(hi-lo) * pageSize, Prot: uint64(prot), Flags: flags}); err != nil {
			t.Fatalf("mmap: %v", err)
		}
		for p := lo; p < hi; p++ {
			pg[p] = pageModel{mapped: true, prot: prot}
			if op%9 == 1 {
				pg[p].obj, pg[p].idx = m.nobj, p-lo
			}
		}
	case 2:
		if err := s.Munmap(addr(lo), uintptr(hi-lo)*pageSize); err != nil {
			t.Fatalf("munmap: %v", err)
		}
		for p := lo; p < hi; p++ {
			pg[p] = pageModel{}
		}
	case 3:
		err := s.Mprotect(addr(lo), uintptr(hi-lo)*pageSize, uint64(prot))
		var want error
		for p := lo; p < hi; p++ {
			if !pg[p].mapped {
				want = linux.ENOMEM
				break
			}
			pg[p].prot = prot
		}
		if err != want {
			t.Fatalf("mprotect [%d,%d) %d: %v, want %v", lo, hi, prot, err, want)
		}
	case 4: // write b to page lo
		err := s.CopyOut(addr(lo)+100, []byte{b})
		p := &pg[lo]
		if ok := p.mapped && p.prot&Write != 0; ok != (err == nil) {
			t.Fatalf("write page %d (%+v): %v", lo, *p, err)
		}
		if err == nil {
			if p.obj != 0 {
				m.objs[[2]int{p.obj, p.idx}] = b
			} else {
				p.val = b
			}
		}
	case 5:
		m.read(k, lo)
	case 6: // fork
		if len(m.spaces) == 3 {
			return
		}
		c, err := s.Fork()
		if err != nil {
			t.Fatalf("fork: %v", err)
		}
		m.spaces = append(m.spaces, c)
		m.pages = append(m.pages, *pg)
	case 7: // MADV_DONTNEED
		err := s.Madvise(addr(lo), uintptr(hi-lo)*pageSize, linux.MADV_DONTNEED)
		var want error
		for p := lo; p < hi; p++ {
			if !pg[p].mapped {
				want = linux.ENOMEM
			} else if pg[p].obj == 0 {
				pg[p].val = 0
			}
		}
		if err != want {
			t.Fatalf("madvise [%d,%d): %v, want %v", lo, hi, err, want)
		}
	case 8: // a process exits
		if len(m.spaces) == 1 {
			return
		}
		s.Release()
		m.spaces = append(m.spaces[:k], m.spaces[k+1:]...)
		m.pages = append(m.pages[:k], m.pages[k+1:]...)
	}
	m.checkAll(false)
}

// read checks page p of space k reads as the model says.
func (m *model) read(k, p int) {
	s, pm := m.spaces[k], m.pages[k][p]
	var x [1]byte
	err := s.CopyIn(x[:], addr(p)+100)
	if ok := pm.mapped && pm.prot != 0; ok != (err == nil) {
		m.t.Fatalf("space %d: read page %d (%+v): %v", k, p, pm, err)
	}
	want := pm.val
	if pm.obj != 0 {
		want = m.objs[[2]int{pm.obj, pm.idx}]
	}
	if err == nil && x[0] != want {
		m.t.Fatalf("space %d: page %d holds %d, want %d (%+v)", k, p, x[0], want, pm)
	}
}

// checkAll compares every space's areas with the model, and with
// contents too.
func (m *model) checkAll(contents bool) {
	for k, s := range m.spaces {
		areasOf(m.t, s) // the map's own invariants
		for p := 0; p < modelPages; p++ {
			pm := m.pages[k][p]
			s.mu.Lock()
			a := s.areas.find(addr(p))
			s.mu.Unlock()
			switch {
			case (a != nil) != pm.mapped:
				m.t.Fatalf("space %d: page %d mapped %v, model %v", k, p, a != nil, pm.mapped)
			case a != nil && (a.Prot != pm.prot || (a.Flags&Shared != 0) != (pm.obj != 0)):
				m.t.Fatalf("space %d: page %d in %#x-%#x prot %d flags %#x, model %+v", k, p, a.Start, a.End, a.Prot, a.Flags, pm)
			}
			if contents {
				m.read(k, p)
			}
		}
	}
}
