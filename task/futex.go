package task

import (
	"encoding/binary"
	"sync"
	"time"

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

type futexWaiter struct {
	woken chan struct{}
	bits  uint32
}

// wait blocks while the word at addr equals val, until woken, timed out
// (deadline zero: never) or cancelled.
func (as *AddressSpace) futexWait(addr uint64, private bool, val uint32, bits uint32, deadline time.Time, cancel <-chan struct{}) error {
	if addr%4 != 0 {
		return linux.EINVAL
	}
	ft, key := as.futexQueue(addr, private)
	w := &futexWaiter{woken: make(chan struct{}), bits: bits}
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

	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-w.woken:
		return nil
	case <-timeout:
		if ft.remove(key, w) {
			return linux.ETIMEDOUT
		}
		return nil // woken as the timer fired
	case <-cancel:
		if ft.remove(key, w) {
			return linux.ERESTARTSYS
		}
		return nil
	}
}

func (ft *futexTable) remove(key futexKey, w *futexWaiter) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
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
			close(w.woken)
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

func sysFutex(t *Thread, a *args) (uint64, error) {
	addr, op, val, timeout, _, val3 := a[0], a[1], a[2], a[3], a[4], a[5]
	o, e := futex.Decode(addr, op, val3)
	if e != 0 {
		return 0, e
	}
	as := t.p.as
	if !o.Wait {
		return uint64(as.futexWake(addr, o.Private, int(int32(val)), o.Bits)), nil
	}
	var deadline time.Time
	if timeout != 0 {
		d, err := timespecIn(t, timeout)
		if err != nil {
			return 0, err
		}
		mono := clock.Nanotime()
		deadline = time.Now().Add(time.Duration(o.Deadline(int64(d), mono, clock.Realtime()) - mono))
	}
	return 0, as.futexWait(addr, o.Private, uint32(val), o.Bits, deadline, t.intr())
}
