package signal

import (
	"math/bits"
	"sync/atomic"

	"sigil/linux"
)

// UserCount counts the real-time signals queued for one user in all its
// processes: RLIMIT_SIGPENDING limits that count, per user, as Linux's
// ucounts do, so that memory for queued signals is bounded however many
// processes the user has.
type UserCount struct{ n atomic.Int32 }

// Queued returns the count.
//
//go:nosplit
func (u *UserCount) Queued() int { return int(u.n.Load()) }

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
	std        Set
	stdInfo    [32]linux.SignalInfo
	rt         Set   // the signals of the real-time entries (sigpending.signal's)
	head, tail ref   // the real-time entries, oldest first
	n          int32 // how many
	// User is the count the queue's real-time entries add to (set when
	// the queue is made, read in interrupt context); nil counts nothing.
	User *UserCount
}

// Pending returns every signal with something pending.
//
//go:nosplit
func (q *Queue) Pending() Set { return q.std | q.rt }

// Queued returns how many real-time entries are queued (SigQ).
//
//go:nosplit
func (q *Queue) Queued() int { return int(q.n) }

// Enqueue adds info. A standard signal already pending coalesces (and is
// reported queued). A real-time signal is refused (ok false) when limit
// entries are queued already, in the queue or, with a User, for its user
// (the caller returns EAGAIN and nothing queued is lost), or when the
// pool can grow no more. Goroutine context: it grows the pool when it is
// below its reserve (__sigqueue_alloc, with the slab's growth in place of
// GFP_ATOMIC's).
func (q *Queue) Enqueue(info *linux.SignalInfo, limit int) (ok bool) {
	if IsRealtime(int(info.Signo)) && q.room(limit) && Free() < reserve {
		refill()
	}
	return q.Add(info, limit)
}

// AddAtomic is Add for a goroutine that must not allocate (an interrupt's
// bottom half: send_sigio's GFP_ATOMIC): it wakes the refiller when it
// leaves the pool low, so the next caller finds entries.
func (q *Queue) AddAtomic(info *linux.SignalInfo, limit int) (ok bool) {
	ok = q.Add(info, limit)
	nudge()
	return ok
}

// room reports whether another real-time entry stays within limit.
//
//go:nosplit
func (q *Queue) room(limit int) bool {
	if q.User != nil {
		return q.User.Queued() < limit
	}
	return int(q.n) < limit
}

// count adds d real-time entries to the user's count.
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
	for r := q.head; r != 0; {
		next := *link(r)
		put(r)
		r = next
	}
	q.count(-int(q.n))
	q.head, q.tail, q.n = 0, 0, 0
	q.std, q.rt = 0, 0
}

// Add adds info without allocating, so interrupt context may call it: a
// real-time signal takes a free entry of the pool and is refused, like
// Enqueue at the limit, when there is none (GFP_ATOMIC failing).
//
//go:nosplit
func (q *Queue) Add(info *linux.SignalInfo, limit int) (ok bool) {
	sig := int(info.Signo)
	if !IsRealtime(sig) {
		if !q.std.Has(sig) {
			q.std |= Bit(sig)
			q.stdInfo[sig] = *info
		}
		return true
	}
	if !q.room(limit) {
		return false
	}
	r := take()
	if r == 0 {
		return false
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
	q.count(1)
	return true
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
	_, r := q.oldest(sig)
	return entry(r)
}

// oldest returns sig's first real-time entry, which must be queued (FIFO
// within one real-time number), and the entry before it (0: none).
//
//go:nosplit
func (q *Queue) oldest(sig int) (prev, r ref) {
	for r = q.head; int(entry(r).Signo) != sig; r = *link(r) {
		prev = r
	}
	return prev, r
}

//go:nosplit
func (q *Queue) take(sig int) linux.SignalInfo {
	if !IsRealtime(sig) {
		info := q.stdInfo[sig]
		q.Remove(sig)
		return info
	}
	prev, r := q.oldest(sig)
	info := *entry(r)
	q.drop(prev, r, sig)
	return info
}

// Remove drops sig's next entry (the one Next returned), which must be
// queued.
//
//go:nosplit
func (q *Queue) Remove(sig int) {
	if !IsRealtime(sig) {
		q.std &^= Bit(sig)
		return
	}
	prev, r := q.oldest(sig)
	q.drop(prev, r, sig)
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
	put(r)
	q.n--
	q.count(-1)
	return next
}

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
		q.std &^= Bit(sig)
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
