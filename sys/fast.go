package sys

import (
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
)

// FastUser lets the identity calls of user programs be answered in
// interrupt context, where the CPU trapped, instead of by the thread's
// goroutine: a round trip through the goroutine costs two kernel entries
// and the runtime's entersyscall/exitsyscall, ten times Linux's whole
// getpid. The kernel turns it off when tracing system calls, so that every
// call is seen, and with fast=0.
var FastUser = true

// FastIdentity serves system call nr for the user thread ut the CPU was
// running, if it needs nothing but the thread's identity, and reports
// whether it did. Interrupt context.
//
//go:nosplit
func FastIdentity(c *irq.Context, ut *sched.UserContext, nr uint64) bool {
	if !FastUser {
		return false
	}
	if ut.IDsSlow && nr != linux.SYS_GETPID && nr != linux.SYS_GETTID {
		return false
	}
	switch nr {
	case linux.SYS_GETPID:
		ret(c, uint64(ut.PID))
	case linux.SYS_GETTID:
		ret(c, uint64(ut.TID))
	case linux.SYS_GETUID:
		ret(c, uint64(ut.IDs[0]))
	case linux.SYS_GETEUID:
		ret(c, uint64(ut.IDs[1]))
	case linux.SYS_GETGID:
		ret(c, uint64(ut.IDs[2]))
	case linux.SYS_GETEGID:
		ret(c, uint64(ut.IDs[3]))
	default:
		return false
	}
	return true
}
