package signal

import (
	"sigil/irq"
	"sigil/linux"
)

// The registers a frame saves are the trap frame's: one conversion each
// way, for the user's signals (task) and the kernel runtime's (sys).

// SaveRegs fills g, the sigcontext of a frame, from the interrupted
// registers f and the last trap (Linux's thread.error_code, trap_nr and
// cr2).
//
//go:nosplit
func SaveRegs(g *linux.SigContext, f *irq.TrapFrame, err, trapno, cr2 uint64) {
	// Field by field, every field once: a composite literal would be
	// built on the stack first (nosplit stacks are small), and this
	// often writes the user's stack itself.
	g.R8, g.R9, g.R10, g.R11, g.R12, g.R13, g.R14, g.R15 = f.R8, f.R9, f.R10, f.R11, f.R12, f.R13, f.R14, f.R15
	g.Rdi, g.Rsi, g.Rbp, g.Rbx, g.Rdx, g.Rax, g.Rcx, g.Rsp, g.Rip = f.RDI, f.RSI, f.RBP, f.RBX, f.RDX, f.RAX, f.RCX, f.RSP, f.RIP
	g.Eflags, g.Err, g.Trapno, g.Cr2 = f.RFLAGS, err, trapno, cr2
	g.Cs, g.Gs, g.Fs, g.Ss = 0, 0, 0, 0
	g.Oldmask, g.FPState = 0, 0
	g.Reserved1 = [8]uint64{}
}

// LoadRegs puts a restored sigcontext's general registers, RSP, RIP and
// RFLAGS into f (Restore has sanitised them); the selectors stay the
// caller's.
//
//go:nosplit
func LoadRegs(f *irq.TrapFrame, g *linux.SigContext) {
	f.R8, f.R9, f.R10, f.R11, f.R12, f.R13, f.R14, f.R15 = g.R8, g.R9, g.R10, g.R11, g.R12, g.R13, g.R14, g.R15
	f.RDI, f.RSI, f.RBP, f.RBX, f.RDX, f.RAX, f.RCX = g.Rdi, g.Rsi, g.Rbp, g.Rbx, g.Rdx, g.Rax, g.Rcx
	f.RSP, f.RIP, f.RFLAGS = g.Rsp, g.Rip, g.Eflags
}
