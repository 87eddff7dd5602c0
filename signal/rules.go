package signal

import "sigil/linux"

// The rules of the signal calls that the kernel's own runtime (package
// sys) and user programs (package task) both make, written once: the two
// layers differ only in how they reach the caller's memory and state.

// ChangeMask is sigprocmask's rule (Linux's sigprocmask and
// rt_sigprocmask): the mask after applying s to mask by how, SIGKILL and
// SIGSTOP never blocked. ok is false for an unknown how (EINVAL).
//
//go:nosplit
func ChangeMask(mask Set, how uint64, s Set) (next Set, ok bool) {
	switch how {
	case linux.SIG_BLOCK:
		next = mask | s
	case linux.SIG_UNBLOCK:
		next = mask &^ s
	case linux.SIG_SETMASK:
		next = s
	default:
		return mask, false
	}
	return next &^ Unblockable, true
}

// SetAltStack is do_sigaltstack's rule for a new alternate stack n, the
// caller's stack pointer being sp: it changes *cur, or returns Linux's
// errno with *cur unchanged — EPERM while running on the current one,
// EINVAL for unknown flags, ENOMEM below MINSIGSTKSZ. SS_ONSTACK in n is
// accepted and dropped (old programs pass it).
//
//go:nosplit
func SetAltStack(cur *linux.SigAltStack, n linux.SigAltStack, sp uint64) linux.Errno {
	switch {
	case StackFlags(cur, sp) == linux.SS_ONSTACK:
		return linux.EPERM
	case uint32(n.Flags)&^(linux.SS_DISABLE|linux.SS_ONSTACK|linux.SS_AUTODISARM) != 0:
		return linux.EINVAL
	case uint32(n.Flags)&linux.SS_DISABLE != 0:
		*cur = linux.SigAltStack{Flags: linux.SS_DISABLE}
	case n.Size < linux.MINSIGSTKSZ:
		return linux.ENOMEM
	default:
		n.Flags &^= linux.SS_ONSTACK
		*cur = n
	}
	return 0
}

// ReportAltStack is what sigaltstack's oss reads for the stack old, the
// caller's stack pointer being sp: SS_ONSTACK while on it.
//
//go:nosplit
func ReportAltStack(old linux.SigAltStack, sp uint64) linux.SigAltStack {
	if StackFlags(&old, sp) == linux.SS_ONSTACK {
		old.Flags = linux.SS_ONSTACK | old.Flags&^linux.SS_DISABLE
	}
	return old
}

// CheckAction is rt_sigaction's argument rule (do_sigaction): EINVAL for
// a sigset size other than 8, a signal out of range, or a change to the
// action of SIGKILL or SIGSTOP.
//
//go:nosplit
func CheckAction(sig int, changing bool, size uint64) linux.Errno {
	if size != 8 || sig < 1 || sig >= linux.NSIG {
		return linux.EINVAL
	}
	if changing && (sig == int(linux.SIGKILL) || sig == int(linux.SIGSTOP)) {
		return linux.EINVAL
	}
	return 0
}

// NewAction is the action rt_sigaction installs for a: SIGKILL and SIGSTOP
// are never blocked by a handler's mask.
//
//go:nosplit
func NewAction(a linux.SigAction) linux.SigAction {
	a.Mask &^= uint64(Unblockable)
	return a
}
