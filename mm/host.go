package mm

import (
	"errors"
	"unsafe"
)

// HostMemory makes a Go buffer of size bytes the "physical memory" that
// host tests of this package and the ones above it run on: frames from
// 1 MiB up with their frame table, and a kernel root with the kernel half
// pinned and the shared window slot mapped, as boot leaves them. The
// returned function forgets it all.
func HostMemory(size int) (release func(), err error) {
	buf := make([]byte, size+PageSize)
	skip := (PageSize - uintptr(unsafe.Pointer(&buf[0]))%PageSize) % PageSize
	SetDirectBase(unsafe.Pointer(&buf[skip]))
	ResetFrames()
	release = func() { _ = buf[0]; ResetFrames(); userGen.Add(1) } // the new generation retires every lastUser row
	if !AddFree(1<<20, uint64(size)) || !InitMeta(uint64(size)) {
		return release, errors.New("mm: host memory too small")
	}
	root, ok := AllocZeroed(KindKernel)
	if !ok || !MapLarge(root, WindowStart+0x3ec00000, 0x3ec00000, 4<<20, PTEWrite) || !PinKernelHalf(root) {
		return release, errors.New("mm: no memory for the kernel root")
	}
	KernelRoot = root
	return release, nil
}

// ZeroedListClean reports whether every frame on the zeroed free list is
// zero but for its link (host tests: a page table freed as zero that was
// not would corrupt the next space that gets it).
func ZeroedListClean() bool {
	for pa := frames.zeroed; pa != 0; pa = *(*uint64)(Phys(pa)) {
		p := (*[PageSize / 8]uint64)(Phys(pa))
		for _, w := range p[1:] {
			if w != 0 {
				return false
			}
		}
	}
	return true
}
