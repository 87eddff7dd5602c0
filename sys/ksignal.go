package sys

import (
	"unsafe"

	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/proc"
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
	act := actions[sig]
	t := proc.Current()
	if act.Handler <= linux.SIG_IGN || signal.Set(t.SigMask).Has(sig) {
		return false // no handler, or a fault inside its own handler
	}
	ks := &kscratch[arch.This().Index()]
	d := &ks.d
	f := &c.TF
	d.Err, d.Trapno, d.Cr2 = f.ErrorCode, f.Vector, addr
	d.Info = signal.Info(sig, code)
	signal.SetAddr(&d.Info, addr)
	d.Action = act
	d.Mask = signal.Set(t.SigMask)
	d.AltStack = t.AltStack
	p := &ks.p
	if !signal.Place(d, f, p) {
		return false
	}
	// Materialise the frame's pages through the page tables: touching them
	// would fault on this same IST stack and overwrite this very frame.
	for pg := p.FrameAddr &^ (mm.PageSize - 1); pg < p.FPAddr+signal.FPSize; pg += mm.PageSize {
		if _, _, ok := mm.Lookup(mm.KernelRoot, uintptr(pg)); !ok {
			if ok, _ := mm.Fault(mm.KernelRoot, uintptr(pg), true, false); !ok {
				return false
			}
		}
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
	proc.Current().SigMask = uint64(mask)
}
