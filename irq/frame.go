// Package irq is Sigil's trap path: the IDT, the assembly entry stubs, the
// one register-frame layout every entry uses (exceptions, IRQs, IPIs and
// SYSCALL), per-vector handler registration, dispatch and statistics.
//
// Every entry — interrupt gate or SYSCALL — lands on a stack that is not the
// interrupted code's (an IST stack, or the per-CPU kernel stack for SYSCALL),
// saves all fifteen general-purpose registers and the FXSAVE image there, and
// calls dispatch with a *Context. Handlers run in interrupt context: they are
// //go:nosplit, never allocate, block or take a lock the interrupted code may
// hold, and do not store Go pointers into the heap (the write barrier would
// use the interrupted goroutine's buffers). A handler switches threads by
// overwriting the Context in place; the common exit restores whatever the
// Context holds.
package irq

import "sigil/arch"

// TrapFrame is the register frame saved on every entry, lowest address
// first. Its layout is fixed by entry_amd64.s: the CPU (or the SYSCALL entry)
// pushes SS..RIP, the vector stub pushes ErrorCode (its own zero where the
// CPU pushes none, SDM Vol. 3A §6.13) and Vector, and the common path pushes
// RAX first and R15 last. frame_test.go pins every offset.
type TrapFrame struct {
	R15, R14, R13, R12, R11, R10, R9, R8 uint64
	RBP, RDI, RSI, RDX, RCX, RBX, RAX    uint64

	Vector    uint64
	ErrorCode uint64

	// The interrupt frame of SDM Vol. 3A §6.14.2 (Figure 6-9).
	RIP, CS, RFLAGS, RSP, SS uint64
}

// FPState is the 512-byte FXSAVE64 image of the x87, MMX and SSE state
// (SDM Vol. 1 §10.5.1, Table 10-2).
type FPState [512]byte

// Offsets inside FPState used when building a fresh state.
const (
	fpFCW   = 0  // x87 control word
	fpMXCSR = 24 // SSE control and status
)

// FPMXCSR is MXCSR's offset in an FPState, for the signal frame's image.
const FPMXCSR = fpMXCSR

// Context is everything an entry saves: the FXSAVE image below the trap
// frame, exactly as the entry stub lays them out on the stack (the image is
// 16-byte aligned there because the frame above it is).
type Context struct {
	FP FPState
	TF TrapFrame
}

// SyscallVector is the pseudo-vector the SYSCALL entry records in
// TrapFrame.Vector; real vectors are 0-255.
const SyscallVector = 256

// NumVectors counts the real vectors and the syscall pseudo-vector.
const NumVectors = 257

// Privilege levels of the code that was interrupted.
//
//go:nosplit
func (f *TrapFrame) FromUser() bool { return f.CS&3 == 3 }

// sysretVector replaces TrapFrame.Vector when dispatch has found that the
// return may use SYSRETQ (entry_amd64.s checks for it).
const sysretVector = 257

// userTop is the end of the user half minus a guard page: SYSRET to a
// non-canonical RCX raises #GP in ring 0 on Intel CPUs, with the user's
// RSP already loaded, so the address must stay clear of the hole (Linux's
// TASK_SIZE_MAX, arch/x86/entry/common.c).
const userTop = 1<<47 - 4096

// sysretSafe reports whether SYSRETQ returns to f exactly as IRETQ would
// (SDM Vol. 2B "SYSRET"): it takes RIP from RCX and RFLAGS from R11 (less RF
// and VM) and loads fixed user selectors (STAR, idt.go). It is cheaper than
// IRETQ, which reads both descriptors from the GDT: about 150 cycles of a
// 1000-cycle getpid under QEMU's TCG.
//
//go:nosplit
func (f *TrapFrame) sysretSafe() bool {
	return f.CS == arch.UserCS && f.SS == arch.UserDS && f.RCX == f.RIP && f.R11 == f.RFLAGS &&
		f.RIP < userTop && f.RFLAGS&(arch.RFLAGS_RF|arch.RFLAGS_TF) == 0
}

// ResetFP gives c the FPU state of a fresh thread: x87 control word 0x37F and
// MXCSR 0x1F80, all exceptions masked (SDM Vol. 1 §8.1.5, §10.2.3.1).
//
//go:nosplit
func (c *Context) ResetFP() {
	c.FP = FPState{}
	c.FP[fpFCW], c.FP[fpFCW+1] = 0x7f, 0x03
	c.setMXCSR(mxcsrDefault)
}

// mxcsrDefault is MXCSR at reset, all SSE exceptions masked, and what the
// Go runtime runs with.
const mxcsrDefault = 0x1f80

//go:nosplit
func (c *Context) setMXCSR(v uint32) {
	c.FP[fpMXCSR], c.FP[fpMXCSR+1], c.FP[fpMXCSR+2], c.FP[fpMXCSR+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
