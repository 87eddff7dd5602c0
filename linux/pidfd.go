package linux

// pidfd_open(2) flags. Source: include/uapi/linux/pidfd.h.
const PIDFD_NONBLOCK = O_NONBLOCK

// Limits clone3(2) checks. Sources: include/linux/pid_namespace.h
// (MAX_PID_NS_LEVEL), kernel/fork.c (CLONE_LEGACY_FLAGS: the flags
// clone(2) can pass, all of its 32 bits).
const (
	MAX_PID_NS_LEVEL   = 32
	CLONE_LEGACY_FLAGS = 0xffffffff
)
