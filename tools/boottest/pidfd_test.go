package boottest

import (
	"strings"
	"testing"
)

// TestPidfd runs calltest's pidfd case (checked on Linux 6.1): clone3's
// size, flag, exit-signal, stack and set_tid rules, CLONE_INTO_CGROUP's
// EBADF, CLONE_CLEAR_SIGHAND, CLONE_PIDFD through clone and clone3,
// pidfd_open, pidfd_send_signal (siginfo rules, zombie, reaped),
// pidfd_getfd, waitid(P_PIDFD) blocking, WNOHANG and non-blocking, and a
// pidfd's readiness in poll and epoll once its process exits.
func TestPidfd(t *testing.T) {
	res := bootInit(t, "init=/bin/calltest -- pidfd")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^calltest: pidfd ok$`, `(?m)^calltest: 1 of 1 passed$`)
	for _, l := range strings.Split(res.Output, "\n") {
		if strings.Contains(l, "FAILED") || strings.Contains(l, "unimplemented syscall") {
			t.Error(l)
		}
	}
}
