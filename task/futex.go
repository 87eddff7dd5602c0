package task

import (
	"encoding/binary"
	"sync"
	"time"

	"sigil/linux"
)

// futexTable is an address space's futex wait queues, keyed by user
// address (futexes of private mappings are per address space).
type futexTable struct {
	mu      sync.Mutex
	waiters map[uint64][]*futexWaiter
}

type futexWaiter struct {
	woken chan struct{}
	bits  uint32
}

// wait blocks while the word at addr equals val, until woken, timed out
// (deadline zero: never) or cancelled.
func (as *AddressSpace) futexWait(addr uint64, val uint32, bits uint32, deadline time.Time, cancel <-chan struct{}) error {
	if addr%4 != 0 {
		return linux.EINVAL
	}
	ft := &as.futex
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
		ft.waiters = map[uint64][]*futexWaiter{}
	}
	ft.waiters[addr] = append(ft.waiters[addr], w)
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
		if ft.remove(addr, w) {
			return linux.ETIMEDOUT
		}
		return nil // woken as the timer fired
	case <-cancel:
		if ft.remove(addr, w) {
			return linux.ERESTARTSYS
		}
		return nil
	}
}

func (ft *futexTable) remove(addr uint64, w *futexWaiter) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	q := ft.waiters[addr]
	for i, x := range q {
		if x == w {
			ft.waiters[addr] = append(q[:i:i], q[i+1:]...)
			return true
		}
	}
	return false
}

// wake wakes up to n waiters on addr whose bitset meets bits, oldest first.
func (as *AddressSpace) futexWake(addr uint64, n int, bits uint32) int {
	ft := &as.futex
	ft.mu.Lock()
	defer ft.mu.Unlock()
	q := ft.waiters[addr]
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
		delete(ft.waiters, addr)
	} else {
		ft.waiters[addr] = rest
	}
	return woken
}
