package sys

import (
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
	"sigil/signal"
)

// Signal dispositions and masks are recorded with Linux's checks now; the
// signals issue delivers them.

var actions [linux.NSIG]linux.SigAction // the kernel process's sigaction table

//go:nosplit
func validSignal(sig uint64) bool { return sig >= 1 && sig < linux.NSIG }

//go:nosplit
func sysRtSigaction(c *irq.Context) {
	sig, act, oact, size, _, _ := args(c)
	if e := signal.CheckAction(int(min(sig, linux.NSIG)), act != 0, size); e != 0 {
		fail(c, e)
		return
	}
	old := actions[sig]
	if act != 0 {
		actions[sig] = signal.NewAction(*(*linux.SigAction)(at(act)))
	}
	if oact != 0 {
		*(*linux.SigAction)(at(oact)) = old
	}
	ret(c, 0)
}

//go:nosplit
func sysRtSigprocmask(c *irq.Context) {
	how, set, oset, size, _, _ := args(c)
	if size != 8 {
		fail(c, linux.EINVAL)
		return
	}
	t := sched.Current()
	old := t.SigMask
	if set != 0 {
		next, ok := signal.ChangeMask(signal.Set(t.SigMask), how, signal.Set(*(*uint64)(at(set))))
		if !ok {
			fail(c, linux.EINVAL)
			return
		}
		t.SigMask = uint64(next)
	}
	if oset != 0 {
		*(*uint64)(at(oset)) = old
	}
	ret(c, 0)
}

//go:nosplit
func sysSigaltstack(c *irq.Context) {
	ss, oss, _, _, _, _ := args(c)
	t := sched.Current()
	old := signal.ReportAltStack(t.AltStack, c.TF.RSP)
	if ss != 0 {
		if e := signal.SetAltStack(&t.AltStack, *(*linux.SigAltStack)(at(ss)), c.TF.RSP); e != 0 {
			fail(c, e)
			return
		}
	}
	if oss != 0 {
		*(*linux.SigAltStack)(at(oss)) = old
	}
	ret(c, 0)
}

// deliverLater makes sig pending on t (sig 0 only probes); Handle
// delivers it when t next returns from a system call. byKill marks a
// kill(2), whose siginfo says SI_USER rather than SI_TKILL.
//
//go:nosplit
func deliverLater(c *irq.Context, t *sched.Thread, sig uint64, byKill bool) {
	switch {
	case sig >= linux.NSIG:
		fail(c, linux.EINVAL)
	case t == nil:
		fail(c, linux.ESRCH)
	default:
		if sig != 0 {
			t.Pending |= uint64(signal.Bit(int(sig)))
			if byKill {
				t.ByKill |= uint64(signal.Bit(int(sig)))
			}
		}
		ret(c, 0)
	}
}

//go:nosplit
func sysTgkill(c *irq.Context) {
	tgid, tid, sig, _, _, _ := args(c)
	if int64(tgid) <= 0 || int64(tid) <= 0 {
		fail(c, linux.EINVAL)
		return
	}
	var t *sched.Thread
	if tgid == kernelPID {
		t = sched.ByTID(int32(tid))
	}
	deliverLater(c, t, sig, false)
}

//go:nosplit
func sysTkill(c *irq.Context) {
	tid, sig, _, _, _, _ := args(c)
	if int64(tid) <= 0 {
		fail(c, linux.EINVAL)
		return
	}
	deliverLater(c, sched.ByTID(int32(tid)), sig, false)
}

//go:nosplit
func sysKill(c *irq.Context) {
	pid, sig, _, _, _, _ := args(c)
	var t *sched.Thread
	if pid == kernelPID || pid == 0 {
		// A process-directed signal goes to the caller unless it blocks
		// it (complete_signal's wants_signal), else to the main thread.
		if t = sched.Current(); sig != 0 && signal.Set(t.SigMask).Has(int(sig)) {
			t = sched.ByTID(kernelPID)
		}
	}
	deliverLater(c, t, sig, true)
}
