// Package futex holds futex(2)'s argument rules (Linux's do_futex,
// get_futex_key and futex_init_timeout), written once for the kernel's
// own runtime (package sys, which blocks in the scheduler) and for user
// programs (package task, which blocks in goroutines).
package futex

import "sigil/linux"

// Op is a decoded futex call of the kinds Sigil serves.
type Op struct {
	Wait     bool   // FUTEX_WAIT or FUTEX_WAIT_BITSET
	Requeue  bool   // FUTEX_REQUEUE or FUTEX_CMP_REQUEUE (Cmp); else a wake
	Cmp      bool   // FUTEX_CMP_REQUEUE: the word must still hold val3
	Private  bool   // FUTEX_PRIVATE_FLAG
	Bits     uint32 // the bitset (FUTEX_BITSET_MATCH_ANY for the plain ops)
	absolute bool   // the timeout is a point in time (FUTEX_WAIT_BITSET)
	realtime bool   // ... on CLOCK_REALTIME (FUTEX_CLOCK_REALTIME)
}

// Decode checks a call's op, address and bitset as Linux does: ENOSYS for
// an operation Sigil does not serve or FUTEX_CLOCK_REALTIME on one that
// takes no absolute time, EINVAL for a misaligned word or a zero bitset.
//
//go:nosplit
func Decode(addr, op, val3 uint64) (Op, linux.Errno) {
	cmd := op &^ (linux.FUTEX_PRIVATE_FLAG | linux.FUTEX_CLOCK_REALTIME)
	o := Op{
		Private:  op&linux.FUTEX_PRIVATE_FLAG != 0,
		realtime: op&linux.FUTEX_CLOCK_REALTIME != 0,
		Bits:     linux.FUTEX_BITSET_MATCH_ANY,
	}
	switch cmd {
	case linux.FUTEX_WAIT:
		o.Wait = true
	case linux.FUTEX_WAIT_BITSET:
		o.Wait, o.absolute, o.Bits = true, true, uint32(val3)
	case linux.FUTEX_WAKE:
	case linux.FUTEX_WAKE_BITSET:
		o.Bits = uint32(val3)
	case linux.FUTEX_REQUEUE:
		o.Requeue = true
	case linux.FUTEX_CMP_REQUEUE:
		o.Requeue, o.Cmp = true, true
	default:
		return o, linux.ENOSYS
	}
	switch {
	case o.realtime && cmd != linux.FUTEX_WAIT_BITSET:
		return o, linux.ENOSYS // do_futex: only absolute waits take a clock
	case addr%4 != 0:
		return o, linux.EINVAL // get_futex_key
	case o.Bits == 0:
		return o, linux.EINVAL // futex_wait, futex_wake
	}
	return o, 0
}

// RequeueCounts checks a requeue's counts (futex_requeue): how many to
// wake (val) and how many to move (the timeout register, val2), neither
// negative as an int, and the second word aligned.
//
//go:nosplit
func RequeueCounts(val, val2, addr2 uint64) (wake, move int, e linux.Errno) {
	wake, move = int(int32(val)), int(int32(val2))
	switch {
	case wake < 0 || move < 0:
		return 0, 0, linux.EINVAL
	case addr2%4 != 0:
		return 0, 0, linux.EINVAL
	}
	return wake, move, 0
}

// Deadline is when a wait with timeout d (a valid timespec, in ns) ends,
// on the monotonic clock whose reading is mono; real is CLOCK_REALTIME's
// reading at the same moment. FUTEX_WAIT's timeout is relative;
// FUTEX_WAIT_BITSET's absolute, on CLOCK_MONOTONIC unless
// FUTEX_CLOCK_REALTIME (futex_init_timeout).
//
//go:nosplit
func (o Op) Deadline(d, mono, real int64) int64 {
	switch {
	case !o.absolute:
		return mono + d
	case o.realtime:
		return d - (real - mono)
	default:
		return d
	}
}
