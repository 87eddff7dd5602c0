package linux

// futex(2) operations. The op argument is a command ORed with
// FUTEX_PRIVATE_FLAG and/or FUTEX_CLOCK_REALTIME.
// Source: include/uapi/linux/futex.h.
const (
	FUTEX_WAIT            = 0
	FUTEX_WAKE            = 1
	FUTEX_FD              = 2 // removed in Linux 2.6.26
	FUTEX_REQUEUE         = 3
	FUTEX_CMP_REQUEUE     = 4
	FUTEX_WAKE_OP         = 5
	FUTEX_LOCK_PI         = 6
	FUTEX_UNLOCK_PI       = 7
	FUTEX_TRYLOCK_PI      = 8
	FUTEX_WAIT_BITSET     = 9
	FUTEX_WAKE_BITSET     = 10
	FUTEX_WAIT_REQUEUE_PI = 11
	FUTEX_CMP_REQUEUE_PI  = 12
	FUTEX_LOCK_PI2        = 13

	FUTEX_PRIVATE_FLAG   = 128 // futex is process-private (no shared mapping)
	FUTEX_CLOCK_REALTIME = 256 // timeout is measured against CLOCK_REALTIME
	FUTEX_CMD_MASK       = ^(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)

	FUTEX_WAIT_PRIVATE        = FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	FUTEX_WAKE_PRIVATE        = FUTEX_WAKE | FUTEX_PRIVATE_FLAG
	FUTEX_REQUEUE_PRIVATE     = FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG
	FUTEX_CMP_REQUEUE_PRIVATE = FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG
	FUTEX_WAKE_OP_PRIVATE     = FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG
	FUTEX_WAIT_BITSET_PRIVATE = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG
	FUTEX_WAKE_BITSET_PRIVATE = FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG

	// FUTEX_BITSET_MATCH_ANY is the bitset that makes *_BITSET operations
	// behave like plain FUTEX_WAIT / FUTEX_WAKE.
	FUTEX_BITSET_MATCH_ANY = 0xffffffff
)

// FUTEX_WAKE_OP encoding: val3 = op<<28 | cmp<<24 | oparg<<12 | cmparg, with
// oparg and cmparg 12-bit fields. Source: include/uapi/linux/futex.h.
const (
	FUTEX_OP_SET         = 0 // *uaddr2 = oparg
	FUTEX_OP_ADD         = 1 // *uaddr2 += oparg
	FUTEX_OP_OR          = 2 // *uaddr2 |= oparg
	FUTEX_OP_ANDN        = 3 // *uaddr2 &= ^oparg
	FUTEX_OP_XOR         = 4 // *uaddr2 ^= oparg
	FUTEX_OP_OPARG_SHIFT = 8 // flag ORed into op: use 1<<oparg

	FUTEX_OP_CMP_EQ = 0 // wake if oldval == cmparg
	FUTEX_OP_CMP_NE = 1
	FUTEX_OP_CMP_LT = 2
	FUTEX_OP_CMP_LE = 3
	FUTEX_OP_CMP_GT = 4
	FUTEX_OP_CMP_GE = 5
)

// Bits of a PI / robust futex word. Source: include/uapi/linux/futex.h.
const (
	FUTEX_WAITERS    = 0x80000000
	FUTEX_OWNER_DIED = 0x40000000
	FUTEX_TID_MASK   = 0x3fffffff
)

// futex_waitv(2). Source: include/uapi/linux/futex.h.
const (
	FUTEX_32        = 2   // FutexWaitv.Flags: 32-bit futex
	FUTEX_WAITV_MAX = 128 // maximum number of FutexWaitv entries
)

// FutexWaitv is struct futex_waitv (24 bytes).
// Source: include/uapi/linux/futex.h.
type FutexWaitv struct {
	Val   uint64 // expected value
	Uaddr uint64 // user address of the futex word
	Flags uint32 // FUTEX_32 | FUTEX_PRIVATE_FLAG
	_     uint32
}

// RobustListHead is struct robust_list_head as registered with
// set_robust_list(2) (24 bytes; the call's len argument must equal its size).
// Source: include/uapi/linux/futex.h.
type RobustListHead struct {
	List          uint64 // user address of the first struct robust_list
	FutexOffset   int64  // offset from a list entry to its futex word
	ListOpPending uint64 // user address of the entry being (un)locked
}

// ROBUST_LIST_LIMIT bounds the robust-list walk at thread exit.
// Source: include/uapi/linux/futex.h.
const ROBUST_LIST_LIMIT = 2048
