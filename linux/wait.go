package linux

// wait4/waitid options. The double-underscore C names (__WNOTHREAD, __WALL,
// __WCLONE) are spelled WNOTHREAD, WALL, WCLONE so that they are exported.
// Source: include/uapi/linux/wait.h.
const (
	WNOHANG    = 0x00000001
	WUNTRACED  = 0x00000002
	WSTOPPED   = WUNTRACED
	WEXITED    = 0x00000004
	WCONTINUED = 0x00000008
	WNOWAIT    = 0x01000000 // leave the child waitable
	WNOTHREAD  = 0x20000000 // C: __WNOTHREAD; only this thread's children
	WALL       = 0x40000000 // C: __WALL; wait for all children
	WCLONE     = 0x80000000 // C: __WCLONE; only non-SIGCHLD children
)

// waitid idtype values. Source: include/uapi/linux/wait.h.
const (
	P_ALL   = 0
	P_PID   = 1
	P_PGID  = 2
	P_PIDFD = 3
)
