package boottest

import (
	"testing"
)

// TestFileLocks runs locktest (checked on Linux 6.1): flock locks shared
// by dup and fork, converted, released by the last close, EWOULDBLOCK,
// woken waits and EINTR/SA_RESTART; POSIX record locks seen by a child
// with the parent's pid, split and merged, SEEK_CUR/SEEK_END, EAGAIN,
// EBADF, EINVAL and EOVERFLOW, the close-any-descriptor rule, release at
// exit, F_SETLKW woken, EDEADLK across two processes and EINTR; OFD
// locks owned by the description; /proc/locks.
func TestFileLocks(t *testing.T) {
	runProgram(t, "locktest", `(?m)^locktest: flock ok$`, `(?m)^locktest: posix ok$`, `(?m)^locktest: ofd ok$`,
		`(?m)^locktest: proclocks ok$`, `(?m)^locktest: ok$`)
}
