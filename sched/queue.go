package sched

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"

	"sigil/irq"
	"sigil/linux"
)

// ByteQueue carries bytes from an interrupt top half to the goroutine that
// handles them (the bottom half). The top half Puts and Signals without
// blocking, allocating or locking; the bottom half Reads, sleeping in a
// futex on the queue's wake word. One producer, one consumer.
type ByteQueue struct {
	buf     [512]byte
	head    uint32 // written by the top half
	tail    uint32 // written by the bottom half
	wake    uint32 // futex word, bumped by Signal
	Dropped uint64 // bytes lost to a full queue
}

// Put appends b, or counts it dropped when the queue is full. Top half.
//
//go:nosplit
func (q *ByteQueue) Put(b byte) {
	h := atomic.LoadUint32(&q.head)
	if h-atomic.LoadUint32(&q.tail) >= uint32(len(q.buf)) {
		q.Dropped++
		return
	}
	q.buf[h%uint32(len(q.buf))] = b
	atomic.StoreUint32(&q.head, h+1)
}

// Signal wakes the bottom half and leaves the idle thread so it runs soon.
// Top half.
//
//go:nosplit
func (q *ByteQueue) Signal(c *irq.Context) {
	atomic.AddUint32(&q.wake, 1)
	schedLock.Lock()
	WakeFutex(uintptr(unsafe.Pointer(&q.wake)), 1)
	Reschedule(c)
	schedLock.Unlock()
}

// Read blocks until bytes are queued and copies them into p. Goroutine
// context.
func (q *ByteQueue) Read(p []byte) int {
	for {
		seq := atomic.LoadUint32(&q.wake)
		t, h := atomic.LoadUint32(&q.tail), atomic.LoadUint32(&q.head)
		n := 0
		for ; t != h && n < len(p); t, n = t+1, n+1 {
			p[n] = q.buf[t%uint32(len(q.buf))]
		}
		atomic.StoreUint32(&q.tail, t)
		if n > 0 {
			return n
		}
		// Let what the last bytes woke (a reader of the terminal) run
		// first: the futex wait is a system call that keeps this P, and
		// a goroutine readied onto it would wait for sysmon to retake
		// it, up to 10 ms on an idle system. A Signal meanwhile bumps
		// wake, so the wait below returns at once.
		runtime.Gosched()
		syscall.Syscall6(linux.SYS_FUTEX, uintptr(unsafe.Pointer(&q.wake)),
			linux.FUTEX_WAIT_PRIVATE, uintptr(seq), 0, 0, 0)
	}
}
