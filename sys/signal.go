package sys

import (
	"sigil/irq"
	"sigil/linux"
	"sigil/proc"
)

// Signal dispositions and masks are recorded with Linux's checks now; the
// signals issue delivers them.

var actions [linux.NSIG]linux.SigAction // the kernel process's sigaction table

const unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)

//go:nosplit
func validSignal(sig uint64) bool { return sig >= 1 && sig < linux.NSIG }

//go:nosplit
func sysRtSigaction(c *irq.Context) {
	sig, act, oact, size, _, _ := args(c)
	if size != 8 || !validSignal(sig) {
		fail(c, linux.EINVAL)
		return
	}
	if act != 0 && (linux.Signal(sig) == linux.SIGKILL || linux.Signal(sig) == linux.SIGSTOP) {
		fail(c, linux.EINVAL)
		return
	}
	old := actions[sig]
	if act != 0 {
		a := *(*linux.SigAction)(at(act))
		a.Mask &^= unblockable
		actions[sig] = a
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
	t := proc.Current()
	old := t.SigMask
	if set != 0 {
		s := *(*uint64)(at(set))
		switch how {
		case linux.SIG_BLOCK:
			t.SigMask |= s
		case linux.SIG_UNBLOCK:
			t.SigMask &^= s
		case linux.SIG_SETMASK:
			t.SigMask = s
		default:
			fail(c, linux.EINVAL)
			return
		}
		t.SigMask &^= unblockable
	}
	if oset != 0 {
		*(*uint64)(at(oset)) = old
	}
	ret(c, 0)
}

//go:nosplit
func sysSigaltstack(c *irq.Context) {
	ss, oss, _, _, _, _ := args(c)
	t := proc.Current()
	old := t.AltStack
	if ss != 0 {
		n := (*linux.SigAltStack)(at(ss))
		switch {
		case uint32(n.Flags)&^(linux.SS_DISABLE|linux.SS_ONSTACK|linux.SS_AUTODISARM) != 0:
			fail(c, linux.EINVAL)
			return
		case uint32(n.Flags)&linux.SS_DISABLE != 0:
			t.AltStack = [3]uint64{0, linux.SS_DISABLE, 0}
		case n.Size < linux.MINSIGSTKSZ:
			fail(c, linux.ENOMEM)
			return
		default:
			t.AltStack = [3]uint64{n.SP, uint64(uint32(n.Flags)), n.Size}
		}
	}
	if oss != 0 {
		o := (*linux.SigAltStack)(at(oss))
		o.SP, o.Flags, o.Size = old[0], int32(old[1]), old[2]
	}
	ret(c, 0)
}

// deliverLater records sig as pending on t (sig 0 only probes).
//
//go:nosplit
func deliverLater(c *irq.Context, t *proc.Thread, sig uint64) {
	switch {
	case sig >= linux.NSIG:
		fail(c, linux.EINVAL)
	case t == nil:
		fail(c, linux.ESRCH)
	default:
		if sig != 0 {
			t.Pending |= 1 << (sig - 1)
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
	var t *proc.Thread
	if tgid == kernelPID {
		t = proc.ByTID(int32(tid))
	}
	deliverLater(c, t, sig)
}

//go:nosplit
func sysTkill(c *irq.Context) {
	tid, sig, _, _, _, _ := args(c)
	if int64(tid) <= 0 {
		fail(c, linux.EINVAL)
		return
	}
	deliverLater(c, proc.ByTID(int32(tid)), sig)
}

//go:nosplit
func sysKill(c *irq.Context) {
	pid, sig, _, _, _, _ := args(c)
	var t *proc.Thread
	if pid == kernelPID || pid == 0 {
		t = proc.ByTID(kernelPID)
	}
	deliverLater(c, t, sig)
}
