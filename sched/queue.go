package sched

import (
	"sync/atomic"

	"sigil/irq"
)

// ByteQueue carries bytes from an interrupt top half to the goroutine that
// handles them (the bottom half). The top half Puts and Signals without
// blocking, allocating or locking; the bottom half Reads, sleeping on the
// queue's Wakeup. One producer, one consumer.
type ByteQueue struct {
	buf     [512]byte
	head    uint32 // written by the top half
	tail    uint32 // written by the bottom half
	wake    Wakeup
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

// Signal wakes the bottom half. Top half.
//
//go:nosplit
func (q *ByteQueue) Signal(c *irq.Context) { q.wake.Signal(c) }

// Wake wakes the bottom half from goroutine context.
func (q *ByteQueue) Wake() { q.wake.Wake() }

// Read blocks until bytes are queued and copies them into p. Goroutine
// context.
func (q *ByteQueue) Read(p []byte) int {
	for {
		seq := q.wake.Seq()
		t, h := atomic.LoadUint32(&q.tail), atomic.LoadUint32(&q.head)
		n := 0
		for ; t != h && n < len(p); t, n = t+1, n+1 {
			p[n] = q.buf[t%uint32(len(q.buf))]
		}
		atomic.StoreUint32(&q.tail, t)
		if n > 0 {
			return n
		}
		q.wake.Wait(seq)
	}
}
