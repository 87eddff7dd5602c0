package signal

import "sigil/linux"

// Queue is the pending signals of one target: a thread (its private queue)
// or a process (the shared one). Standard signals are a bitmap, each with
// the siginfo of its first generation: a second one while pending
// coalesces. Real-time signals queue FIFO with their own siginfo (in a
// slice: only goroutine-context callers queue real-time signals; standard
// signals never allocate).
type Queue struct {
	std     Set
	stdInfo [32]linux.SignalInfo
	rt      []linux.SignalInfo
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

// Enqueue adds info. A standard signal already pending coalesces (and is
// reported queued). A real-time signal is refused (ok false) when the queue
// holds limit entries already: the caller returns EAGAIN and nothing queued
// is lost.
//
//go:nosplit
func (q *Queue) Enqueue(info *linux.SignalInfo, limit int) (ok bool) {
	sig := int(info.Signo)
	if !IsRealtime(sig) {
		if !q.std.Has(sig) {
			q.std |= Bit(sig)
			q.stdInfo[sig] = *info
		}
		return true
	}
	if len(q.rt) >= limit {
		return false
	}
	q.rt = append(q.rt, *info)
	return true
}

// next picks the signal to deliver among pending ones not in mask: the
// synchronous (fault) signals first, then the lowest number.
//
//go:nosplit
func next(pending, mask Set) int {
	ready := pending &^ mask
	if ready == 0 {
		return 0
	}
	if s := ready & synchronous; s != 0 {
		ready = s
	}
	for sig := 1; sig <= 64; sig++ {
		if ready.Has(sig) {
			return sig
		}
	}
	return 0
}

// Dequeue removes and returns the next deliverable signal (not in mask).
//
//go:nosplit
func (q *Queue) Dequeue(mask Set) (info linux.SignalInfo, ok bool) {
	sig := next(q.Pending(), mask)
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

//go:nosplit
func (q *Queue) take(sig int) linux.SignalInfo {
	if !IsRealtime(sig) {
		q.std &^= Bit(sig)
		return q.stdInfo[sig]
	}
	// The oldest entry of sig: FIFO within one real-time number.
	for i := range q.rt {
		if int(q.rt[i].Signo) == sig {
			info := q.rt[i]
			q.rt = append(q.rt[:i], q.rt[i+1:]...)
			return info
		}
	}
	return linux.SignalInfo{}
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
	kept := q.rt[:0]
	for _, e := range q.rt {
		if int(e.Signo) != sig {
			kept = append(kept, e)
		}
	}
	q.rt = kept
}
