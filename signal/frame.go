package signal

import (
	"unsafe"

	"sigil/linux"
)

// Frame is x86-64 Linux's struct rt_sigframe (arch/x86/include/asm/
// sigframe.h): the handler's return address (the SA_RESTORER trampoline),
// the ucontext and the siginfo. The FXSAVE image lives below the user
// stack's red zone, 64-byte aligned, and uc_mcontext.fpstate points at it.
type Frame struct {
	Pretcode uint64
	UC       linux.UContext
	Info     linux.SignalInfo
}

// Layout constants.
const (
	FrameSize = int(unsafe.Sizeof(Frame{})) // 440
	FPSize    = 512                         // FXSAVE image (no XSAVE: AVX stays off)
	redZone   = 128                         // the System V ABI's red zone below RSP
	fpAlign   = 64

	// Selectors user code runs with (arch.UserCS, arch.UserDS).
	userCS = 0x33
	userSS = 0x2b

	// flagsRestorable are the RFLAGS bits rt_sigreturn takes from the
	// frame (Linux's FIX_EFLAGS): arithmetic flags, TF, DF, AC and RF.
	// IOPL, IF, NT and the rest stay the kernel's.
	flagsRestorable = 0x50dd5

	// handlerClearFlags are cleared for the handler: DF, RF and TF.
	handlerClearFlags = 0x400 | 0x10000 | 0x100
)

// Delivery is what building a frame needs.
type Delivery struct {
	Regs     linux.SigContext // the interrupted registers (SaveRegs); Build sets Cs and Ss
	Info     linux.SignalInfo
	Action   linux.SigAction
	Mask     Set // the mask rt_sigreturn restores
	AltStack linux.SigAltStack
}

// Placement is a built frame and the handler's registers.
type Placement struct {
	FrameAddr uint64
	FPAddr    uint64
	Frame     Frame
	// The handler starts with these; RAX is 0 and the FPU is reset.
	RIP, RSP, RDI, RSI, RDX uint64
	Flags                   uint64
	// DisarmAltStack is set when SS_AUTODISARM asks to disable the
	// alternate stack while the handler runs.
	DisarmAltStack bool
}

// stackFlags is sas_ss_flags: whether sp is on the alternate stack.
//
//go:nosplit
func stackFlags(ss *linux.SigAltStack, sp uint64) int32 {
	if ss.Size == 0 || uint32(ss.Flags)&linux.SS_DISABLE != 0 {
		return linux.SS_DISABLE
	}
	if sp > ss.SP && sp-ss.SP <= ss.Size {
		return linux.SS_ONSTACK
	}
	return 0
}

// Build lays out the frame for d (Linux's get_sigframe and
// x64_setup_rt_frame). It reports false where Linux forces SIGSEGV: no
// SA_RESTORER (x86-64 requires one), or a frame that overflows the
// alternate stack.
//
//go:nosplit
func Build(d *Delivery, p *Placement) bool {
	if d.Action.Flags&linux.SA_RESTORER == 0 {
		return false
	}
	sp := d.Regs.Rsp - redZone
	entering := false
	if d.Action.Flags&linux.SA_ONSTACK != 0 && stackFlags(&d.AltStack, sp) == 0 {
		sp = d.AltStack.SP + d.AltStack.Size
		entering = true
	}
	nested := stackFlags(&d.AltStack, d.Regs.Rsp) == linux.SS_ONSTACK
	sp = (sp - FPSize) &^ (fpAlign - 1)
	p.FPAddr = sp
	sp = (sp-uint64(FrameSize))&^15 - 8 // as if a call had pushed the return address
	p.FrameAddr = sp
	if (entering || nested) && stackFlags(&d.AltStack, sp) != linux.SS_ONSTACK {
		return false
	}

	f := &p.Frame
	*f = Frame{}
	f.Pretcode = d.Action.Restorer
	f.UC.Flags = linux.UC_SIGCONTEXT_SS | linux.UC_STRICT_RESTORE_SS
	f.UC.Stack = linux.SigAltStack{SP: d.AltStack.SP, Flags: stackFlags(&d.AltStack, d.Regs.Rsp), Size: d.AltStack.Size}
	f.UC.MContext = d.Regs
	f.UC.MContext.Cs, f.UC.MContext.Ss = userCS, userSS
	f.UC.MContext.Oldmask = uint64(d.Mask)
	f.UC.MContext.FPState = p.FPAddr
	f.UC.Sigmask = uint64(d.Mask)
	f.Info = d.Info

	p.RIP = d.Action.Handler
	p.RSP = p.FrameAddr
	p.RDI = uint64(d.Info.Signo)
	p.RSI = p.FrameAddr + uint64(unsafe.Offsetof(f.Info))
	p.RDX = p.FrameAddr + uint64(unsafe.Offsetof(f.UC))
	p.Flags = d.Regs.Eflags &^ handlerClearFlags
	p.DisarmAltStack = entering && uint32(d.AltStack.Flags)&linux.SS_AUTODISARM != 0
	return true
}

// Restored is what rt_sigreturn puts back.
type Restored struct {
	Regs  linux.SigContext
	Mask  Set
	Stack linux.SigAltStack
}

// MXCSR bits a program may set (SDM Vol. 1 §10.2.3: bits 16-31 are
// reserved, and FXRSTOR of a reserved bit is a #GP in the kernel).
const mxcsrWritable = 0xffff
const mxcsrOffset = 24

// Restore reads a frame back for rt_sigreturn into r, forcing user
// selectors and taking only restorable RFLAGS bits (cur is the RFLAGS at the
// call), so a crafted frame cannot gain privilege; fp is sanitised in place.
//
//go:nosplit
func Restore(f *Frame, fp *[FPSize]byte, cur uint64, r *Restored) {
	r.Regs = f.UC.MContext
	r.Regs.Cs, r.Regs.Ss = userCS, userSS
	r.Regs.Eflags = cur&^flagsRestorable | f.UC.MContext.Eflags&flagsRestorable
	r.Mask = Set(f.UC.Sigmask) &^ Unblockable
	r.Stack = f.UC.Stack
	mx := get32(fp[:], mxcsrOffset) & mxcsrWritable
	put32(fp[:], mxcsrOffset, mx)
}
