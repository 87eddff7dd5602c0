package vm

import (
	"testing"

	"sigil/linux"
)

type zeroSource struct{}

func (zeroSource) ReadAt(p []byte, off int64) (int, error) { clear(p); return len(p), nil }

// smallProgram maps what a small static musl program has: text and data
// from its file, bss, a heap, a stack, a couple of mmaps, some of each
// touched.
func smallProgram(b testing.TB) *Space {
	s := newSpace(b)
	obj := NewFileObject(zeroSource{}, 64<<10, "/bin/prog", 0, 1, nil)
	f := &File{Obj: obj, Readable: true}
	m := func(addr, n uintptr, prot uint64, flags uint64, file *File, off uint64) uintptr {
		a, err := s.Mmap(MapRequest{Addr: addr, Len: n, Prot: prot, Flags: flags, File: file, Off: off})
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	rw := uint64(linux.PROT_READ | linux.PROT_WRITE)
	text := m(0x400000, 10*pageSize, linux.PROT_READ|linux.PROT_EXEC, linux.MAP_PRIVATE|linux.MAP_FIXED, f, 0)
	data := m(0x40b000, 2*pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED, f, 10*pageSize)
	bss := m(0x40d000, 3*pageSize, rw, linux.MAP_PRIVATE|linux.MAP_FIXED|linux.MAP_ANONYMOUS, nil, 0)
	s.SetBreak(0x410000)
	s.Brk(0x414000)
	s.MapStack(512, false)
	mm1 := m(0, 8*pageSize, rw, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, nil, 0)
	mm2 := m(0, pageSize, rw, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, nil, 0)
	var x [1]byte
	for i := uintptr(0); i < 6; i++ {
		s.CopyIn(x[:], text+i*pageSize)
	}
	for _, a := range []uintptr{data, data + pageSize, bss, bss + 2*pageSize, 0x410000, 0x411000, mm1, mm2,
		StackTop - pageSize, StackTop - 2*pageSize, StackTop - 3*pageSize} {
		s.CopyOut(a, []byte{1})
	}
	return s
}

func BenchmarkForkRelease(b *testing.B) {
	hostMemory(b)
	s := smallProgram(b)
	defer s.Release()
	b.ReportAllocs()
	for b.Loop() {
		c, err := s.Fork()
		if err != nil {
			b.Fatal(err)
		}
		c.CopyOut(StackTop-pageSize, []byte{2}) // the child's first write
		c.Release()
	}
}
