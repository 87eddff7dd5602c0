// Package mm manages memory: physical frames, four-level page tables and the
// kernel's virtual address space (the direct map of physical memory and the
// arena the Go runtime's mmap calls are served from).
//
// Protection state lives in the page tables themselves. A non-present entry
// at any level may carry the software bit Anon: it then stands for "every
// page below me is anonymous demand-zero memory with these permissions", so
// reserving or committing a gigabyte costs a few entry writes, and the page
// fault handler materialises tables and zeroed frames on first touch.
//
// Functions here run in kernel context (syscall or fault handling, IF
// clear): //go:nosplit, no allocation, no sleeping locks. Spinlocks guard
// the shared state (lock.go): the frame allocator's own, kernelTables for
// the kernel's page tables and userTables for user spaces', each taken by
// every page-table operation for itself; lock.go also says when what an
// operation removes is freed. Physical memory is reached through the
// direct map at DirectBase, a variable so that host tests can put
// "physical memory" in a Go buffer.
package mm

import "unsafe"

// PageSize is the base page size.
const PageSize = 4096

// Virtual layout of the kernel half (PML4 entries 256-511).
const (
	// DirectMapBase maps all physical memory, 2 MiB pages.
	DirectMapBase = 0xffff800000000000
	// ArenaBase..ArenaEnd serves the kernel runtime's anonymous mmaps.
	ArenaBase = 0xffffc00000000000
	ArenaEnd  = 0xffffe00000000000
	// KernelBase is where the kernel image's physical address 0 appears
	// (the image is linked at KernelBase+2 MiB).
	KernelBase = 0xffffffff80000000
)

// directBase is where physical address 0 appears: DirectMapBase on the
// machine, a test buffer in host tests.
var directBase uintptr = DirectMapBase

// SetDirectBase moves the direct map (host tests).
func SetDirectBase(p unsafe.Pointer) { directBase = uintptr(p) }

// Phys returns a pointer to physical address pa through the direct map. The
// direct map is outside the Go heap, so the collector ignores the result.
//
//go:nosplit
func Phys(pa uint64) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), directBase+uintptr(pa))
}

// PhysOf returns the physical address behind p, if p points into the
// direct map.
func PhysOf(p unsafe.Pointer) (uint64, bool) {
	a := uintptr(p)
	if a < directBase || uint64(a-directBase) >= MachineRAM {
		return 0, false
	}
	return uint64(a - directBase), true
}

//go:nosplit
func zeroPage(pa uint64) {
	p := (*[PageSize / 8]uint64)(Phys(pa))
	for i := range p {
		p[i] = 0
	}
}

// KernelRoot is the physical address of the kernel's PML4.
var KernelRoot uint64

// NX is PTENX when the CPU supports execute-disable, else 0 (boot clears it).
var NX uint64 = PTENX
