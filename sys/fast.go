package sys

import (
	"sigil/irq"
	"sigil/linux"
	"sigil/proc"
)

// FastUser lets the identity and signal calls of user programs be answered
// in interrupt context, where the CPU trapped, instead of by the thread's
// goroutine: a round trip through the goroutine costs two kernel entries
// and the runtime's entersyscall/exitsyscall, ten times Linux's whole
// getpid. Pending signals still get their chance: the return to CPL 3 goes
// through irq.ReturnToUserHook, which sends a kicked thread back to its
// goroutine. The kernel turns it off when tracing system calls, so that
// every call is seen.
var FastUser = true

// fastUser serves system call nr for the user thread the CPU was running,
// if it needs nothing but the thread's identity or its signal state, and
// reports whether it did. Interrupt context.
//
//go:nosplit
func fastUser(c *irq.Context, nr uint64) bool {
	ut := proc.CurrentUser()
	switch nr {
	case linux.SYS_GETPID:
		ret(c, uint64(ut.PID))
	case linux.SYS_GETTID:
		ret(c, uint64(ut.TID))
	case linux.SYS_GETUID, linux.SYS_GETEUID, linux.SYS_GETGID, linux.SYS_GETEGID:
		ret(c, 0) // Sigil runs everything as root (sysGetID)
	default:
		return UserSignals != nil && UserSignals(c, ut, nr)
	}
	return true
}

// UserSignals, when set (task.FastSyscall), serves the signal calls that
// need no goroutine, from kill-self to rt_sigreturn, and reports whether it
// did.
// ut is the thread the CPU trapped from (proc.CurrentUser).
var UserSignals func(c *irq.Context, ut *proc.UserThread, nr uint64) bool
