package signal

import (
	"math/bits"
	"sync/atomic"

	"sigil/linux"
	"sigil/trace"
)

// UserCount counts the queued-signal entries of one user in all its
// processes, as Linux's ucounts count struct sigqueue allocations
// (UCOUNT_RLIMIT_SIGPENDING): one per pending signal that has its
// siginfo, standard or real-time, and one per POSIX timer (its
// preallocated entry). RLIMIT_SIGPENDING limits that count, per user, so
// that memory for queued signals is bounded however many processes the
// user has.
type UserCount struct{ n atomic.Int32 }

// Queued returns the count (SigQ's first figure).
//
//go:nosplit
func (u *UserCount) Queued() int { return int(u.n.Load()) }

// Reserve counts one entry held apart from any queue (a POSIX timer's,
// sigqueue_alloc) if the count is below limit, and reports whether it
// did.
func (u *UserCount) Reserve(limit int) bool {
	for {
		n := u.n.Load()
		if int(n) >= limit {
			return false
		}
		if u.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release gives back what Reserve counted (sigqueue_free).
func (u *UserCount) Release() { u.n.Add(-1) }

// Queue is the pending signals of one target: a thread (its private queue)
// or a process (the shared one). Standard signals are a bitmap, each with
// the siginfo of its first generation: a second one while pending
// coalesces. Real-time signals queue FIFO with their own siginfo, each in
// an entry of the kernel-wide pool (pool.go), linked by ref as Linux
// links struct sigqueue on sigpending.list. No method ever writes a
// pointer (a write barrier needs a P, which interrupt context does not
// have), and only Enqueue allocates.
//
// The owner's lock guards every field but User (the process's signal
// lock, for both of a process's queues). A queue must be Cleared before
// it is dropped: its entries are the pool's.
type Queue struct {
	std Set
	// stdInfo is each pending standard signal's siginfo; [0], which no
	// signal has, the one Next reports for a real-time signal pending
	// without an entry (queued past the limit by kill()).
	stdInfo [32]linux.SignalInfo
	// counted is the standard signals of std that hold an entry in
	// User's count (those queued past the limit hold none).
	counted    Set
	rt         Set   // the pending real-time signals (sigpending.signal's)
	head, tail ref   // the real-time entries, oldest first
	n          int32 // how many
	// User is the count the queue's entries add to (set when the queue
	// is made, read in interrupt context); nil counts nothing and limits
	// nothing.
	User *UserCount
}

// Pending returns every signal with something pending.
//
//go:nosplit
func (q *Queue) Pending() Set { return q.std | q.rt }

// Queued returns how many real-time entries are queued.
//
//go:nosplit
func (q *Queue) Queued() int { return int(q.n) }

// Enqueue is Add for process context (kill, sigqueue, timers), which may
// allocate: it grows the pool first when it is below its reserve
// (__sigqueue_alloc, with the slab's growth in place of GFP_ATOMIC's), so
// an entry is wanting only at the limit or when the pool can grow no
// more.
func (q *Queue) Enqueue(info *linux.SignalInfo, limit int) (res int) {
	if IsRealtime(int(info.Signo)) && q.room(limit) && Free() < reserve {
		refill()
	}
	res, _ = q.add(info, limit, false)
	return res
}

// AddAtomic is Add for a goroutine that must not allocate (an interrupt's
// bottom half: send_sigio's GFP_ATOMIC), for which a spent pool is a
// failed allocation: it wakes the refiller when it leaves the pool low,
// so the next caller finds entries.
func (q *Queue) AddAtomic(info *linux.SignalInfo, limit int) (res int) {
	res, _ = q.add(info, limit, false)
	nudge()
	return res
}

// room reports whether another entry stays within limit.
//
//go:nosplit
func (q *Queue) room(limit int) bool {
	return q.User == nil || q.User.Queued() < limit
}

// count adds d entries to the user's count.
//
//go:nosplit
func (q *Queue) count(d int) {
	if q.User != nil {
		q.User.n.Add(int32(d))
	}
}

// Clear drops everything queued (the owner is gone), giving the entries
// back to the pool.
//
//go:nosplit
func (q *Queue) Clear() {
	n := bits.OnesCount64(uint64(q.counted))
	for r := q.head; r != 0; {
		next := *link(r)
		if counts(r) {
			n++
		}
		put(r)
		r = next
	}
	q.count(-n)
	q.head, q.tail, q.n = 0, 0, 0
	q.std, q.rt, q.counted = 0, 0, 0
}

// Add adds info as __send_signal_locked queues it, without allocating, so
// that interrupt context may call it, and returns that function's trace
// result (trace.Signal*):
//
//   - SignalAlreadyPending: a standard signal pending already; nothing
//     changes (legacy_queue).
//   - SignalDelivered: pending with its siginfo, in an entry that counts
//     for the user (User) while it is queued. One is had within limit
//     (RLIMIT_SIGPENDING), and past it by a standard signal that the
//     kernel or kill() sends (si_code >= 0: override_rlimit). A POSIX
//     timer's signal (SI_TIMER) uses the entry its timer holds
//     (UserCount.Reserve): it is not counted again, nor limited.
//   - SignalOverflowFail: a real-time signal not sent by kill() that gets
//     no entry is refused; the caller returns EAGAIN, and nothing queued
//     is lost.
//   - SignalLoseInfo: any other signal that gets no entry is pending all
//     the same, without its siginfo: it is delivered as collect_signal
//     reports one it finds no entry for (SI_USER from pid 0, uid 0).
//
// ok is false, with nothing done, when the limit allows a real-time entry
// but the pool has none: the caller can grow it (Enqueue) and try again.
//
//go:nosplit
func (q *Queue) Add(info *linux.SignalInfo, limit int) (res int, ok bool) {
	return q.add(info, limit, true)
}

// add is Add; a spent pool is a failed allocation unless canWait.
//
//go:nosplit
func (q *Queue) add(info *linux.SignalInfo, limit int, canWait bool) (res int, ok bool) {
	sig := int(info.Signo)
	prealloc := info.Code == linux.SI_TIMER
	if !IsRealtime(sig) {
		switch {
		case q.std.Has(sig):
			return trace.SignalAlreadyPending, true
		case prealloc || info.Code >= 0 || q.room(limit):
			if !prealloc {
				q.counted |= Bit(sig)
				q.count(1)
			}
			q.stdInfo[sig] = *info
			res = trace.SignalDelivered
		default:
			q.stdInfo[sig] = Info(sig, linux.SI_USER)
			res = trace.SignalLoseInfo
		}
		q.std |= Bit(sig)
		return res, true
	}
	var r ref
	if prealloc || q.room(limit) {
		if r = take(); r == 0 && canWait {
			return 0, false
		}
	}
	if r == 0 {
		if info.Code != linux.SI_USER {
			return trace.SignalOverflowFail, true
		}
		q.rt |= Bit(sig) // collected with the siginfo lost
		return trace.SignalLoseInfo, true
	}
	*entry(r) = *info
	*link(r) = 0
	if q.tail != 0 {
		*link(q.tail) = r
	} else {
		q.head = r
	}
	q.tail = r
	q.rt |= Bit(sig)
	q.n++
	if !prealloc {
		q.count(1)
	}
	return trace.SignalDelivered, true
}

// NextSignal picks the signal to deliver among pending ones not in mask: the
// synchronous (fault) signals first, then the lowest number.
//
//go:nosplit
func NextSignal(pending, mask Set) int {
	ready := pending &^ mask
	if ready == 0 {
		return 0
	}
	if s := ready & synchronous; s != 0 {
		ready = s
	}
	return bits.TrailingZeros64(uint64(ready)) + 1 // the lowest: signal n is bit n-1
}

// Dequeue removes and returns the next deliverable signal (not in mask).
//
//go:nosplit
func (q *Queue) Dequeue(mask Set) (info linux.SignalInfo, ok bool) {
	sig := NextSignal(q.Pending(), mask)
	if sig == 0 {
		return info, false
	}
	return q.take(sig), true
}

// DequeueFrom removes the next signal among those in set (sigtimedwait and
// signalfd take blocked signals).
//
//go:nosplit
func (q *Queue) DequeueFrom(set Set) (info linux.SignalInfo, ok bool) {
	return q.Dequeue(^set)
}

// Next returns the entry DequeueFrom(set) would remove, or nil, leaving it
// queued.
//
//go:nosplit
func (q *Queue) Next(set Set) *linux.SignalInfo {
	sig := NextSignal(q.Pending(), ^set)
	switch {
	case sig == 0:
		return nil
	case !IsRealtime(sig):
		return &q.stdInfo[sig]
	}
	if _, r := q.oldest(sig); r != 0 {
		return entry(r)
	}
	q.stdInfo[0] = Info(sig, linux.SI_USER)
	return &q.stdInfo[0]
}

// oldest returns sig's first real-time entry (FIFO within one real-time
// number), and the entry before it (0: none); r is 0 when sig is pending
// without an entry.
//
//go:nosplit
func (q *Queue) oldest(sig int) (prev, r ref) {
	for r = q.head; r != 0 && int(entry(r).Signo) != sig; r = *link(r) {
		prev = r
	}
	return prev, r
}

//go:nosplit
func (q *Queue) take(sig int) linux.SignalInfo {
	if !IsRealtime(sig) {
		info := q.stdInfo[sig]
		q.dropStd(sig)
		return info
	}
	prev, r := q.oldest(sig)
	if r == 0 {
		q.rt &^= Bit(sig)
		return Info(sig, linux.SI_USER) // pending without its siginfo
	}
	info := *entry(r)
	q.drop(prev, r, sig)
	return info
}

// Remove drops sig's next instance (the one Next returned), which must be
// pending.
//
//go:nosplit
func (q *Queue) Remove(sig int) {
	if !IsRealtime(sig) {
		q.dropStd(sig)
		return
	}
	prev, r := q.oldest(sig)
	if r == 0 {
		q.rt &^= Bit(sig)
		return
	}
	q.drop(prev, r, sig)
}

// dropStd drops standard signal sig and the count its entry held.
//
//go:nosplit
func (q *Queue) dropStd(sig int) {
	if q.counted.Has(sig) {
		q.count(-1)
	}
	q.std &^= Bit(sig)
	q.counted &^= Bit(sig)
}

// drop unlinks r, sig's oldest entry, after prev (0: r is first), keeping
// sig's bit when a later entry has the same number.
//
//go:nosplit
func (q *Queue) drop(prev, r ref, sig int) {
	if !queuedFrom(q.unlink(prev, r), sig) {
		q.rt &^= Bit(sig)
	}
}

// unlink takes r, after prev (0: r is first), off the queue and gives it
// back to the pool, returning the entry that followed it. It leaves the
// bitmap alone: drop (one entry) and Discard (all of a number) keep it.
//
//go:nosplit
func (q *Queue) unlink(prev, r ref) (next ref) {
	next = *link(r)
	if prev == 0 {
		q.head = next
	} else {
		*link(prev) = next
	}
	if q.tail == r {
		q.tail = prev
	}
	if counts(r) {
		q.count(-1)
	}
	put(r)
	q.n--
	return next
}

// counts reports whether entry r holds a count in its user's (not a POSIX
// timer's signal, whose timer holds it).
//
//go:nosplit
func counts(r ref) bool { return entry(r).Code != linux.SI_TIMER }

// queuedFrom reports whether sig has an entry at r or after it: another
// of the same number keeps the bit (collect_signal's still_pending scan).
// Apart, so that drop's frame stays small on interrupt context's
// nosplit chains.
//
//go:nosplit
//go:noinline
func queuedFrom(r ref, sig int) bool {
	for ; r != 0; r = *link(r) {
		if int(entry(r).Signo) == sig {
			return true
		}
	}
	return false
}

// Discard drops every pending instance of sig (setting SIG_IGN, or a stop
// signal discarding SIGCONT and vice versa).
//
//go:nosplit
func (q *Queue) Discard(sig int) {
	if !IsRealtime(sig) {
		q.dropStd(sig)
		return
	}
	var prev ref
	for r := q.head; r != 0; {
		next := *link(r)
		if int(entry(r).Signo) == sig {
			q.unlink(prev, r)
		} else {
			prev = r
		}
		r = next
	}
	q.rt &^= Bit(sig)
}
