package signal

import (
	"unsafe"

	"sigil/arch"
	"sigil/irq"
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

	// Selectors user code runs with.
	userCS = arch.UserCS
	userSS = arch.UserDS

	// flagsRestorable are the RFLAGS bits rt_sigreturn takes from the
	// frame (Linux's FIX_EFLAGS): status flags, TF, DF, AC and RF.
	// IOPL, IF, NT and the rest stay the kernel's.
	flagsRestorable = arch.RFLAGS_Status | arch.RFLAGS_TF | arch.RFLAGS_DF | arch.RFLAGS_AC | arch.RFLAGS_RF

	// handlerClearFlags are cleared for the handler: DF, RF and TF.
	handlerClearFlags = arch.RFLAGS_DF | arch.RFLAGS_RF | arch.RFLAGS_TF
)

// Delivery is what building a frame needs besides the interrupted
// registers, which come from the trap frame.
type Delivery struct {
	Info     linux.SignalInfo
	Action   linux.SigAction
	Mask     Set // the mask rt_sigreturn restores
	AltStack linux.SigAltStack
	// The last trap, for the sigcontext (Linux's thread.error_code,
	// trap_nr and cr2).
	Err, Trapno, Cr2 uint64
}

// Placement is where a frame goes and the handler's registers.
type Placement struct {
	FrameAddr uint64
	FPAddr    uint64
	Frame     Frame // room to Fill where the frame cannot be written in place
	// The handler starts with these; RAX is 0 and the FPU is reset.
	RIP, RSP, RDI, RSI, RDX uint64
	Flags                   uint64
	// DisarmAltStack is set when SS_AUTODISARM asks to disable the
	// alternate stack while the handler runs.
	DisarmAltStack bool
}

// StackFlags is sas_ss_flags: whether sp is on the alternate stack.
//
//go:nosplit
func StackFlags(ss *linux.SigAltStack, sp uint64) int32 {
	if ss.Size == 0 || uint32(ss.Flags)&linux.SS_DISABLE != 0 {
		return linux.SS_DISABLE
	}
	if sp > ss.SP && sp-ss.SP <= ss.Size {
		return linux.SS_ONSTACK
	}
	return 0
}

// Place lays out the frame for d and the interrupted registers tf (Linux's
// get_sigframe and x64_setup_rt_frame): its addresses and the handler's
// registers; Fill writes it. It reports false where Linux forces SIGSEGV:
// no SA_RESTORER (x86-64 requires one), or a frame that overflows the
// alternate stack.
//
//go:nosplit
func Place(d *Delivery, tf *irq.TrapFrame, p *Placement) bool {
	if d.Action.Flags&linux.SA_RESTORER == 0 {
		return false
	}
	sp := tf.RSP - redZone
	entering := false
	if d.Action.Flags&linux.SA_ONSTACK != 0 && StackFlags(&d.AltStack, sp) == 0 {
		sp = d.AltStack.SP + d.AltStack.Size
		entering = true
	}
	nested := StackFlags(&d.AltStack, tf.RSP) == linux.SS_ONSTACK
	sp = (sp - FPSize) &^ (fpAlign - 1)
	p.FPAddr = sp
	sp = (sp-uint64(FrameSize))&^15 - 8 // as if a call had pushed the return address
	p.FrameAddr = sp
	if (entering || nested) && StackFlags(&d.AltStack, sp) != linux.SS_ONSTACK {
		return false
	}
	p.RIP = d.Action.Handler
	p.RSP = p.FrameAddr
	p.RDI = uint64(d.Info.Signo)
	p.RSI = p.FrameAddr + uint64(unsafe.Offsetof(Frame{}.Info))
	p.RDX = p.FrameAddr + uint64(unsafe.Offsetof(Frame{}.UC))
	p.Flags = tf.RFLAGS &^ handlerClearFlags
	p.DisarmAltStack = entering && uint32(d.AltStack.Flags)&linux.SS_AUTODISARM != 0
	return true
}

// Fill writes the frame Place laid out at f: p.Frame, or the user's stack
// itself through the kernel's view of it. It writes every byte once.
//
//go:nosplit
func Fill(d *Delivery, tf *irq.TrapFrame, p *Placement, f *Frame) {
	f.Pretcode = d.Action.Restorer
	f.UC.Flags = linux.UC_SIGCONTEXT_SS | linux.UC_STRICT_RESTORE_SS
	f.UC.Link = 0
	f.UC.Stack = linux.SigAltStack{}
	f.UC.Stack.SP = d.AltStack.SP
	f.UC.Stack.Flags = StackFlags(&d.AltStack, tf.RSP)
	f.UC.Stack.Size = d.AltStack.Size
	g := &f.UC.MContext
	SaveRegs(g, tf, d.Err, d.Trapno, d.Cr2)
	g.Cs, g.Ss = userCS, userSS
	g.Oldmask = uint64(d.Mask)
	g.FPState = p.FPAddr
	f.UC.Sigmask = uint64(d.Mask)
	f.Info = d.Info
}

// MXCSR bits a program may set (SDM Vol. 1 §10.2.3: bits 16-31 are
// reserved, and FXRSTOR of a reserved bit is a #GP in the kernel).
const mxcsrWritable = 0xffff
const mxcsrOffset = irq.FPMXCSR

// HandlerMask is the mask a handler for sig runs with: the thread's mask,
// the action's sa_mask and, without SA_NODEFER, sig itself; never the
// unblockable signals.
//
//go:nosplit
func HandlerMask(mask Set, sig int, act *linux.SigAction) Set {
	mask |= Set(act.Mask)
	if act.Flags&linux.SA_NODEFER == 0 {
		mask |= Bit(sig)
	}
	return mask &^ Unblockable
}

// Restore reads frame f back for rt_sigreturn: the registers go into tf,
// which keeps its selectors (a user's stay user, the kernel's the kernel's)
// and the RFLAGS bits that are not restorable, so a crafted frame cannot
// gain privilege. It returns the mask and alternate stack the frame saved.
// The FXSAVE image is the caller's: SanitizeFP or FPClean first.
//
//go:nosplit
func Restore(f *Frame, tf *irq.TrapFrame) (mask Set, stack linux.SigAltStack) {
	flags := tf.RFLAGS&^flagsRestorable | f.UC.MContext.Eflags&flagsRestorable
	LoadRegs(tf, &f.UC.MContext)
	tf.RFLAGS = flags
	return Set(f.UC.Sigmask) &^ Unblockable, f.UC.Stack
}

// FPClean reports whether FXRSTOR can load image fp as it is: its MXCSR has
// no reserved bit set.
//
//go:nosplit
func FPClean(fp *[FPSize]byte) bool { return get32(fp[:], mxcsrOffset)&^mxcsrWritable == 0 }

// SanitizeFP clears what FPClean refuses in a copied image, as Linux does
// (mxcsr_feature_mask).
//
//go:nosplit
func SanitizeFP(fp *[FPSize]byte) { put32(fp[:], mxcsrOffset, get32(fp[:], mxcsrOffset)&mxcsrWritable) }
