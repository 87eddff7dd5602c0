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
// coalesces. Real-time signals queue FIFO with their own siginfo, in a
// slice that only Enqueue grows. Interrupt context may enqueue a real-time
// signal only where Fits says the slice has room: then nothing allocates,
// and no method ever writes a pointer (a write barrier needs a P, which
// interrupt context does not have).
type Queue struct {
	std     Set
	stdInfo [32]linux.SignalInfo
	rt      []linux.SignalInfo
	// User is the count the queue's real-time entries add to (set when
	// the queue is made, read in interrupt context); nil counts nothing.
	User *UserCount
}

// Pending returns every signal with something pending.
//
//go:nosplit
func (q *Queue) Pending() Set {
	s := q.std
	for i := range q.rt {
		s |= Bit(int(q.rt[i].Signo))
	}
	return s
}

// Queued returns how many real-time entries are queued (SigQ).
//
//go:nosplit
func (q *Queue) Queued() int { return len(q.rt) }

// Fits reports whether Add(sig) has room without growing the queue.
//
//go:nosplit
func (q *Queue) Fits(sig int) bool { return !IsRealtime(sig) || len(q.rt) < cap(q.rt) }

// Enqueue adds info. A standard signal already pending coalesces (and is
// reported queued). A real-time signal is refused (ok false) when limit
// entries are queued already, in the queue or, with a User, for its user:
// the caller returns EAGAIN and nothing queued is lost. Goroutine context:
// it may grow the queue.
func (q *Queue) Enqueue(info *linux.SignalInfo, limit int) (ok bool) {
	if IsRealtime(int(info.Signo)) && q.room(limit) && !q.Fits(int(info.Signo)) {
		q.rt = append(q.rt, linux.SignalInfo{})[:len(q.rt)]
	}
	return q.Add(info, limit)
}

// room reports whether another real-time entry stays within limit.
//
//go:nosplit
func (q *Queue) room(limit int) bool {
	if q.User != nil {
		return q.User.Queued() < limit
	}
	return len(q.rt) < limit
}

// count adds d real-time entries to the user's count.
//
//go:nosplit
func (q *Queue) count(d int) {
	if q.User != nil {
		q.User.n.Add(int32(d))
	}
}

// Clear drops everything queued (the owner is gone).
//
//go:nosplit
func (q *Queue) Clear() {
	q.count(-len(q.rt))
	q.rt = q.rt[:0]
	q.std = 0
}

// Add is Enqueue for a queue that Fits: it never allocates, so interrupt
// context may call it. Without room it refuses, like Enqueue at the limit.
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
	if !q.room(limit) || !q.Fits(sig) {
		return false
	}
	q.rt = q.rt[:len(q.rt)+1] // a re-slice of itself writes only the length
	q.rt[len(q.rt)-1] = *info
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
	return &q.rt[q.oldest(sig)]
}

// oldest returns the index of sig's first real-time entry, which must be
// queued: FIFO within one real-time number.
//
//go:nosplit
func (q *Queue) oldest(sig int) int {
	i := 0
	for int(q.rt[i].Signo) != sig {
		i++
	}
	return i
}

//go:nosplit
func (q *Queue) take(sig int) linux.SignalInfo {
	var info linux.SignalInfo
	if !IsRealtime(sig) {
		info = q.stdInfo[sig]
	} else {
		info = q.rt[q.oldest(sig)]
	}
	q.Remove(sig)
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
	i := q.oldest(sig)
	n := copy(q.rt[i:], q.rt[i+1:])
	q.rt = q.rt[:i+n]
	q.count(-1)
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
	n := 0
	for i := range q.rt {
		if int(q.rt[i].Signo) != sig {
			q.rt[n] = q.rt[i]
			n++
		}
	}
	q.count(n - len(q.rt))
	q.rt = q.rt[:n]
}
