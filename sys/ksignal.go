package sys

import (
	"unsafe"

	"sigil/arch"
	"sigil/console"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/power"
	"sigil/sched"
	"sigil/signal"
)

// Signals to the kernel's own Go runtime. A nil dereference or an integer
// divide by zero in a kernel goroutine is handed to the runtime as SIGSEGV
// or SIGFPE with a Linux signal frame, exactly as Linux hands them to a Go
// program; the runtime's handler turns them into panics (it rewrites the
// frame to call sigpanic), and its rt_sigreturn comes back here.

// KernelSignals counts signals delivered to the kernel's runtime.
var KernelSignals uint64

// Scratch for building a frame in exception context (IF clear), too large
// for a nosplit stack: per CPU.
var kscratch [arch.MaxCPUs]struct {
	d signal.Delivery
	p signal.Placement
}

// DeliverFault (from trap.kernelFault) reports whether it turned the
// kernel fault in c into a signal for the runtime.
//
//go:nosplit
func DeliverFault(c *irq.Context) bool {
	if arch.This().IRQDepth != 1 {
		return false // a fault inside interrupt context is not Go code's
	}
	var sig int
	var code int32
	var addr uint64
	switch c.TF.Vector {
	case irq.VecDivide:
		sig, code, addr = int(linux.SIGFPE), linux.FPE_INTDIV, c.TF.RIP
	case irq.VecPageFault:
		sig, code, addr = int(linux.SIGSEGV), linux.SEGV_MAPERR, arch.CR2()
		if c.TF.ErrorCode&irq.PFPresent != 0 {
			code = linux.SEGV_ACCERR
		}
	default:
		return false // the rest are kernel bugs: reported, not recovered
	}
	t := sched.Current()
	if actions[sig].Handler <= linux.SIG_IGN || signal.Set(t.SigMask).Has(sig) {
		return false // no handler, or a fault inside its own handler
	}
	d := &kscratch[arch.This().Index()].d
	f := &c.TF
	d.Err, d.Trapno, d.Cr2 = f.ErrorCode, f.Vector, addr
	d.Info = signal.Info(sig, code)
	signal.SetAddr(&d.Info, addr)
	return deliver(c, t, sig)
}

// deliverPending runs as each of the runtime's system calls returns, as
// Linux's exit_to_user_mode_loop: the next pending signal t does not
// block (signal.NextSignal) is taken — ignored, delivered through the runtime's handler, or,
// when its default action kills, the end of the kernel (the runtime
// raises SIGABRT and the like only to die).
//
//go:nosplit
func deliverPending(c *irq.Context, t *sched.Thread) {
	for {
		sig := signal.NextSignal(signal.Set(t.Pending), signal.Set(t.SigMask))
		if sig == 0 {
			return
		}
		code := int32(linux.SI_TKILL)
		if signal.Set(t.ByKill).Has(sig) {
			code = linux.SI_USER
		}
		t.Pending &^= uint64(signal.Bit(sig))
		t.ByKill &^= uint64(signal.Bit(sig))
		switch h := actions[sig].Handler; {
		case h == linux.SIG_IGN:
		case h == linux.SIG_DFL:
			if d := signal.DefaultAction(sig); d == signal.Terminate || d == signal.Core {
				console.Puts("<0>sigil: the kernel's runtime was killed by signal ")
				console.PutDec(uint64(sig))
				console.Puts("\n")
				power.Off(power.ExitPanic)
			}
		default:
			d := &kscratch[arch.This().Index()].d
			d.Err, d.Trapno, d.Cr2 = 0, 0, 0
			d.Info = signal.Info(sig, code)
			signal.SetSender(&d.Info, kernelPID, 0)
			if !deliver(c, t, sig) {
				console.Puts("<0>sigil: no room for the kernel runtime's signal frame\n")
				power.Off(power.ExitKernelFault)
			}
			return // one frame per return; the rest after its sigreturn
		}
	}
}

// deliver builds the frame for sig (siginfo and trap fields already in
// this CPU's kscratch) on t's stack or alternate stack and points c at
// the runtime's handler.
//
//go:nosplit
func deliver(c *irq.Context, t *sched.Thread, sig int) bool {
	ks := &kscratch[arch.This().Index()]
	d, p, f := &ks.d, &ks.p, &c.TF
	act := actions[sig]
	d.Action = act
	d.Mask = signal.Set(t.SigMask)
	d.AltStack = t.AltStack
	if !signal.Place(d, f, p) {
		return false
	}
	// Materialise the frame's pages through the page tables: touching them
	// would fault on this same IST stack and overwrite this very frame.
	if !materialise(p.FrameAddr&^(mm.PageSize-1), p.FPAddr+signal.FPSize) {
		return false
	}
	signal.Fill(d, f, p, (*signal.Frame)(at(p.FrameAddr)))
	*(*irq.FPState)(at(p.FPAddr)) = c.FP
	f.RIP, f.RSP, f.RDI, f.RSI, f.RDX, f.RAX, f.RFLAGS = p.RIP, p.RSP, p.RDI, p.RSI, p.RDX, 0, p.Flags
	c.ResetFP()
	t.SigMask = uint64(signal.HandlerMask(signal.Set(t.SigMask), sig, &act))
	if p.DisarmAltStack {
		t.AltStack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	}
	KernelSignals++
	return true
}

// sysRtSigreturn restores a kernel thread from its signal frame; the
// selectors stay the kernel's.
//
//go:nosplit
func sysRtSigreturn(c *irq.Context) {
	fr := (*signal.Frame)(at(c.TF.RSP - 8))
	fp := (*[signal.FPSize]byte)(at(fr.UC.MContext.FPState))
	restoreFrame(c, fr, fp)
}

//go:nosplit
func restoreFrame(c *irq.Context, fr *signal.Frame, fp *[signal.FPSize]byte) {
	c.FP = *(*irq.FPState)(unsafe.Pointer(fp))
	signal.SanitizeFP((*[signal.FPSize]byte)(&c.FP))
	mask, _ := signal.Restore(fr, &c.TF)
	sched.Current().SigMask = uint64(mask)
}

// materialise gives every page of the kernel's [va, end) a frame, as a
// touch would.
//
//go:nosplit
func materialise(va, end uint64) bool { return mm.Populate(mm.KernelRoot, uintptr(va), uintptr(end)) }
