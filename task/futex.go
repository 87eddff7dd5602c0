package task

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"sigil/clock"
	"sigil/futex"
	"sigil/linux"
	"sigil/mm/vm"
)

// futexTable holds futex wait queues. A futex is keyed as Linux's
// get_futex_key keys it: in private memory by its address, in a table of
// its address space's own; in shared memory (a MAP_SHARED mapping, which
// other processes may map elsewhere) by the memory itself, the object and
// offset, in one table for the whole system. FUTEX_PRIVATE_FLAG promises
// the former.
type futexTable struct {
	mu      sync.Mutex
	waiters map[futexKey][]*futexWaiter
}

type futexKey struct {
	obj *vm.Object // nil for private memory: off is then the address
	off uint64
}

// sharedFutexes are the futexes of shared memory.
var sharedFutexes futexTable

// futexQueue returns the table and key of the futex at addr.
func (as *AddressSpace) futexQueue(addr uint64, private bool) (*futexTable, futexKey) {
	if !private {
		if obj, off, ok := as.SharedAt(uintptr(addr)); ok {
			return &sharedFutexes, futexKey{obj, off}
		}
	}
	return &as.futex, futexKey{off: addr}
}

// futexWaiter is one blocked futex_wait. A requeue moves it to another
// futex, maybe in another table: table changes only with both tables'
// locks held, key with its table's.
//
// A waiter sleeps one of two ways. Parked, its goroutine's kernel thread
// blocks on its thread's Wakeup, so a wake is a kernel-thread wake and,
// across CPUs, a reschedule IPI, as Linux's futex_wake -> wake_up_q ->
// try_to_wake_up. That is for short waits: at most maxParkedWaiters at
// once, each for at most maxPark. Otherwise, and after that, its
// goroutine parks on woken, and the kernel thread runs other goroutines,
// so any number of waiters, and a thread idle for good, costs no kernel
// thread each.
type futexWaiter struct {
	t     *Thread       // the waiting thread: the waker nudges it too (park)
	woken chan struct{} // closed by the waker
	bits  uint32
	table atomic.Pointer[futexTable]
	key   futexKey
}

// maxParkedWaiters bounds the futex waits that block a kernel thread at
// once: the kernel's thread table is small (sched.MaxThreads), and the Go
// runtime starts a new kernel thread for the P of each one that sleeps
// while there is other work.
const maxParkedWaiters = 8

// maxPark is how long a waiter stays parked (ns) before it sleeps on its
// channel instead, giving its slot and its kernel thread back: a program's
// idle threads (a Go program's idle Ms sleep on futexes) would otherwise
// hold the slots for good.
const maxPark = 4e6

// parkedWaiters counts the waiters parked now.
var parkedWaiters atomic.Int32

// wakeLocked wakes the waiter; its table's lock held. The close comes
// first: a parked waiter either sees it or is nudged (park). While the
// waiter is queued its thread waits for it alone, so the thread's
// parking is the waiter's.
func (w *futexWaiter) wakeLocked() {
	close(w.woken)
	w.t.nudge()
}

// futexWait blocks t while the word at addr equals val, until woken,
// timed out (deadline, on clock.Nanotime; zero: never) or interrupted
// (t.Interrupted, taken once the waiter is queued).
func (as *AddressSpace) futexWait(t *Thread, addr uint64, private bool, val uint32, bits uint32, deadline int64) error {
	if addr%4 != 0 {
		return linux.EINVAL
	}
	ft, key := as.futexQueue(addr, private)
	w := &futexWaiter{t: t, woken: make(chan struct{}), bits: bits, key: key}
	w.table.Store(ft)
	ft.mu.Lock()
	var b [4]byte
	if err := as.CopyIn(b[:], addr); err != nil {
		ft.mu.Unlock()
		return err
	}
	if binary.LittleEndian.Uint32(b[:]) != val {
		ft.mu.Unlock()
		return linux.EAGAIN
	}
	if ft.waiters == nil {
		ft.waiters = map[futexKey][]*futexWaiter{}
	}
	ft.waiters[key] = append(ft.waiters[key], w)
	ft.mu.Unlock()
	// Asleep from here, as Linux's futex_wait_queue sets the task's
	// state only once it is queued: a thread that sees this one 'S' in
	// /proc finds it on the queue.
	cancel := t.Interrupted()
	var ended bool
	var err error
	if parkedWaiters.Add(1) <= maxParkedWaiters {
		ended, err = w.park(cancel, deadline)
	}
	parkedWaiters.Add(-1)
	if ended {
		return err
	}
	var timeout <-chan time.Time
	if deadline != 0 {
		tm := time.NewTimer(time.Duration(deadline - clock.Nanotime()))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-w.woken:
		return nil
	case <-timeout:
		return w.expire(linux.ETIMEDOUT)
	case <-cancel:
		return w.expire(linux.ERESTARTSYS)
	}
}

// park is futexWait's parked sleep: t's kernel thread blocks until woken
// closes, cancel closes, the deadline passes (the wait then ends: ended)
// or maxPark passes (it goes on on the channels). Whoever closes woken or
// cancel (wakeLocked, t's interruptLocked) then nudges t: parking is set
// before the wake count is read, and the channels checked after, so a
// close is either seen here or followed by a wake of t.wake.
func (w *futexWaiter) park(cancel <-chan struct{}, deadline int64) (ended bool, err error) {
	t := w.t
	limit := clock.Nanotime() + maxPark
	if deadline != 0 {
		limit = min(limit, deadline)
	}
	t.parking.Store(true)
	defer t.parking.Store(false)
	for {
		seq := t.wake.Seq()
		select {
		case <-w.woken:
			return true, nil
		case <-cancel:
			return true, w.expire(linux.ERESTARTSYS)
		default:
		}
		if now := clock.Nanotime(); now >= limit {
			if deadline != 0 && now >= deadline {
				return true, w.expire(linux.ETIMEDOUT)
			}
			return false, nil
		}
		t.wake.WaitUntil(seq, limit)
	}
}

// expire ends a wait that stops for err (a timeout or a signal): err if
// the waiter was still queued, nil if a wake took it first.
func (w *futexWaiter) expire(err error) error {
	if w.remove() {
		return err
	}
	return nil
}

// remove takes a waiter that stops waiting off its queue, wherever a
// requeue has moved it, and reports whether it was still there (not
// woken).
func (w *futexWaiter) remove() bool {
	for {
		ft := w.table.Load()
		ft.mu.Lock()
		if w.table.Load() == ft {
			ok := ft.removeLocked(w.key, w)
			ft.mu.Unlock()
			return ok
		}
		ft.mu.Unlock()
	}
}

func (ft *futexTable) removeLocked(key futexKey, w *futexWaiter) bool {
	q := ft.waiters[key]
	for i, x := range q {
		if x == w {
			ft.waiters[key] = append(q[:i:i], q[i+1:]...)
			if len(ft.waiters[key]) == 0 {
				delete(ft.waiters, key)
			}
			return true
		}
	}
	return false
}

// wake wakes up to n waiters on addr whose bitset meets bits, oldest first.
func (as *AddressSpace) futexWake(addr uint64, private bool, n int, bits uint32) int {
	ft, key := as.futexQueue(addr, private)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	q := ft.waiters[key]
	woken := 0
	var rest []*futexWaiter
	for _, w := range q {
		if woken < n && w.bits&bits != 0 {
			w.wakeLocked()
			woken++
		} else {
			rest = append(rest, w)
		}
	}
	if len(rest) == 0 {
		delete(ft.waiters, key)
	} else {
		ft.waiters[key] = rest
	}
	return woken
}

// futexRequeue is FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (futex_requeue):
// with cmp, EAGAIN unless the word at addr still holds val3; then up to
// wake waiters of addr are woken and up to move of the rest moved to
// wait on addr2, oldest first. It returns how many it woke and moved.
func (as *AddressSpace) futexRequeue(addr, addr2 uint64, private bool, wake, move int, cmp bool, val3 uint32) (int, error) {
	ft1, key1 := as.futexQueue(addr, private)
	ft2, key2 := as.futexQueue(addr2, private)
	first, second := ft1, ft2
	if uintptr(unsafe.Pointer(first)) > uintptr(unsafe.Pointer(second)) {
		first, second = second, first
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	if second != first {
		second.mu.Lock()
		defer second.mu.Unlock()
	}
	if cmp {
		var b [4]byte
		if err := as.CopyIn(b[:], addr); err != nil {
			return 0, err
		}
		if binary.LittleEndian.Uint32(b[:]) != val3 {
			return 0, linux.EAGAIN
		}
	}
	q := ft1.waiters[key1]
	delete(ft1.waiters, key1)
	n := 0
	var rest []*futexWaiter
	for _, w := range q {
		switch {
		case n < wake:
			w.wakeLocked()
		case n < wake+move && !(ft1 == ft2 && key1 == key2):
			if ft2.waiters == nil {
				ft2.waiters = map[futexKey][]*futexWaiter{}
			}
			ft2.waiters[key2] = append(ft2.waiters[key2], w)
			w.key = key2
			w.table.Store(ft2)
		default:
			rest = append(rest, w)
			continue
		}
		n++
	}
	if len(rest) > 0 {
		ft1.waiters[key1] = append(rest, ft1.waiters[key1]...)
	}
	return n, nil
}

func sysFutex(t *Thread, a *args) (uint64, error) {
	addr, op, val, timeout, addr2, val3 := a[0], a[1], a[2], a[3], a[4], a[5]
	o, e := futex.Decode(addr, op, val3)
	if e != 0 {
		return 0, e
	}
	as := t.p.as
	if o.Requeue {
		wake, move, e := futex.RequeueCounts(val, timeout, addr2)
		if e != 0 {
			return 0, e
		}
		n, err := as.futexRequeue(addr, addr2, o.Private, wake, move, o.Cmp, uint32(val3))
		return uint64(n), err
	}
	if !o.Wait {
		return uint64(as.futexWake(addr, o.Private, int(int32(val)), o.Bits)), nil
	}
	var deadline int64
	if timeout != 0 {
		d, err := timespecIn(t, timeout)
		if err != nil {
			return 0, err
		}
		// At least 1: zero means no timeout, and a deadline at the
		// clock's zero has passed.
		deadline = max(o.Deadline(int64(d), clock.Nanotime(), clock.Realtime()), 1)
	}
	return 0, as.futexWait(t, addr, o.Private, uint32(val), o.Bits, deadline)
}
