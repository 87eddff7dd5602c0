package arch

import "unsafe"

// CPU is the per-CPU block. GS base points at it in kernel mode, so entry
// stubs reach it with GS-relative moves before they have a stack; Go code
// reaches it through This. All per-CPU state lives here so that a second CPU
// needs a second block and nothing else.
//
// The first fields are read by irq/entry_amd64.s at fixed offsets; the irq
// package's tests pin them.
type CPU struct {
	Self     uintptr // 0: this block's address
	Scratch  uint64  // 8: caller's RSP, parked by the SYSCALL entry
	KStack   uint64  // 16: top of the stack the SYSCALL entry switches to
	KernelFS uint64  // 24: FS base loaded on entry from user mode (the thread's runtime TLS)
	UserFS   uint64  // 32: FS base loaded on return to user mode
	Root     uint64  // CR3 loaded now

	Current   int32  // index of the running thread (package proc)
	IRQDepth  int32  // nesting of entries being handled on this CPU
	Ticks     uint64 // timer interrupts seen
	SliceLeft int32  // ticks left in the running thread's time slice

	// The tick as the TSC saw it (package intr): ticks that came more
	// than half a period late count the periods they missed as lost, and
	// ticks within a tenth of a period of the last one plus a period as
	// on time. Under emulation on a busy host the vCPU may not run when
	// its timer is due, and the timer does not replay what it missed.
	LostTicks   uint64
	OnTimeTicks uint64
	LastTickTSC uint64

	TSS TSS
	gdt [gdtEntries]uint64
}

// cpus holds the block of every CPU; Sigil runs on one for now.
var cpus [1]CPU

// This returns the running CPU's block.
//
//go:nosplit
func This() *CPU { return &cpus[0] }

// InstallCPU points GS base at c (SDM Vol. 3A §3.4.4.1: in 64-bit mode the
// GS base comes from IA32_GS_BASE).
//
//go:nosplit
func InstallCPU(c *CPU) {
	c.Self = uintptr(unsafe.Pointer(c))
	wrmsr(MSR_GS_BASE, uint64(c.Self))
}
