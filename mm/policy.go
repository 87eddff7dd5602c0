package mm

// How memory is shared between the kernel and user programs.
//
// The kernel keeps a reserve of frames that only its own allocations may
// use (its runtime's heap and stacks, kernel page tables): user memory
// stops at the reserve, so a program that exhausts memory gets ENOMEM or
// an OOM kill, and the kernel page fault that follows still finds a frame.
// Its size follows Linux's min_free_kbytes (mm/page_alloc.c,
// init_per_zone_wmark_min: sqrt(16 × memory in KiB) KiB), doubled because
// the reserve must also cover the Go runtime's growth until its collector
// catches up.
//
// The kernel's runtime is told how much it may use (GOMEMLIMIT at boot,
// then debug.SetMemoryLimit as user memory comes and goes: a soft limit
// its collector works to stay under): free memory less the reserve and a
// sixteenth for page tables and the runtime's own untracked use. Without
// it the runtime's pacer, which assumes the memory of a whole machine,
// lets its heap grow past a small machine's RAM.

// MachineRAM is the machine's memory size (QEMU's -m): the end of the
// highest RAM range the boot memory map reported, in bytes.
var MachineRAM uint64

// ReserveFrames returns the reserve for a machine with total frames.
func ReserveFrames(total uint64) uint64 {
	kib := total * PageSize / 1024
	r := isqrt(16*kib) * 2
	r = max(r, 512)    // 512 KiB
	r = min(r, 64<<10) // 64 MiB
	return r * 1024 / PageSize
}

// KernelLimit returns the memory limit for the kernel's runtime, in bytes,
// on a machine with total frames of which free are free, while the
// runtime holds held bytes: what it holds and the free frames above the
// reserve and a sixteenth of memory, but never below 8 MiB, where the
// collector would only thrash.
func KernelLimit(total, free, held uint64) uint64 {
	room := free - min(free, ReserveFrames(total)+total/16)
	return max(held+room*PageSize, 8<<20)
}

// isqrt is the integer square root (Newton's method).
func isqrt(n uint64) uint64 {
	if n < 2 {
		return n
	}
	x := n
	y := (x + 1) / 2
	for y < x {
		x = y
		y = (x + n/x) / 2
	}
	return x
}
