package signal

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
)

// The entries real-time signals queue in: Linux's struct sigqueue, which
// __sigqueue_alloc takes from a slab (sigqueue_cachep) with GFP_ATOMIC,
// because send_signal runs under the siglock and, from send_sigio, from
// an interrupt's bottom half. Sigil's equivalent is one kernel-wide pool
// of fixed entries, grown a chunk at a time by goroutines that may
// allocate and drawn on by any caller without allocating:
//
//   - Queue.Add (interrupt context) and Queue.AddAtomic (a goroutine that
//     must not allocate: an interrupt's bottom half signalling an O_ASYNC
//     owner) only take a free entry. With none left they fail, as
//     GFP_ATOMIC fails, and the caller does what Linux's does:
//     send_sigio falls back to SIGIO, sigqueue returns EAGAIN.
//   - AddAtomic, when it leaves fewer than lowWater entries free (a
//     chunk short of reserve), wakes the refiller goroutine, which grows
//     the pool back to reserve (as kswapd restores the free pages atomic
//     allocations live on, between its watermarks). So a burst of up to
//     lowWater atomic signals always finds entries, the first one after
//     boot included, and a steady trickle wakes the refiller once a
//     chunk, not once a signal.
//   - Queue.Enqueue (process context: kill, sigqueue, timers) grows the
//     pool itself when it is below reserve, so it fails only at the
//     RLIMIT_SIGPENDING limit, or when maxChunks are made.
//
// A fixed-capacity queue per process would not do: RLIMIT_SIGPENDING may
// be set as large as memory, and all of it would have to be reserved in
// every process. The pool never shrinks (a slab keeps its pages too);
// entries come back to it when dequeued or discarded, and when a thread
// or process ends (Clear).
//
// Entries are named by ref, an index, never by pointer: interrupt
// context links and unlinks them, and a pointer write needs a write
// barrier, which needs a P that interrupt context does not have.

const (
	chunkBits = 6
	chunkLen  = 1 << chunkBits // entries per chunk: 64, 8.5 KiB
	// maxChunks bounds the pool at 262144 entries (34 MiB of siginfo),
	// more than the memory Sigil boots with could hold: the chunk table
	// is a fixed array, so that finding an entry is two loads.
	maxChunks = 4096
	reserve   = 2 * chunkLen // free entries kept for callers that cannot allocate
	lowWater  = reserve - chunkLen
)

// ref names an entry: its index in the pool plus one; 0 is none.
type ref int32

// chunk is chunkLen entries. info and link belong to whoever holds the
// entry: the pool while it is free (next links the free stack), the
// queue it is on while queued (link orders the queue, under that
// queue's owner's lock).
type chunk struct {
	info [chunkLen]linux.SignalInfo
	link [chunkLen]ref          // the next entry of the same queue
	next [chunkLen]atomic.Int32 // the next free entry (a ref): read by racing pops
}

var pool struct {
	// chunks are set once each, in order, under growMu, before their
	// entries are put on the free stack: whoever takes an entry (an
	// atomic load of free) sees its chunk without a barrier of its own.
	chunks [maxChunks]*chunk
	made   int32 // chunks set: growMu's
	// free is the free stack's head (Treiber): a generation count in
	// the high 32 bits, bumped by every push and pop so that a pop
	// whose head was popped and pushed back meanwhile fails its CAS
	// (the ABA problem); the ref in the low 32.
	free   atomic.Uint64
	nfree  atomic.Int32
	growMu sync.Mutex    // serialises growth
	wake   chan struct{} // the refiller's doorbell (buffered: a send never blocks)
}

func init() {
	pool.wake = make(chan struct{}, 1)
	refill()
	go refiller()
}

// refiller grows the pool back to reserve each time AddAtomic finds it
// low.
func refiller() {
	for range pool.wake {
		refill()
	}
}

// refill grows the pool until reserve entries are free (or it is full).
// Goroutine context: it allocates.
func refill() {
	for pool.nfree.Load() < reserve && grow() {
	}
}

// grow adds a chunk to the pool; false when maxChunks are made.
func grow() bool {
	pool.growMu.Lock()
	defer pool.growMu.Unlock()
	n := pool.made
	if n == maxChunks {
		return false
	}
	pool.chunks[n] = new(chunk)
	pool.made = n + 1
	for i := chunkLen; i > 0; i-- {
		put(ref(n<<chunkBits + int32(i)))
	}
	return true
}

// Free returns how many entries are free in the pool.
//
//go:nosplit
func Free() int { return int(pool.nfree.Load()) }

// at returns r's chunk and its index there.
//
//go:nosplit
func at(r ref) (*chunk, int) {
	// Masked, not bounds-checked: no panic path on the nosplit chains.
	i := uint32(r) - 1
	return pool.chunks[i>>chunkBits&(maxChunks-1)], int(i & (chunkLen - 1))
}

// entry returns r's siginfo.
//
//go:nosplit
func entry(r ref) *linux.SignalInfo {
	c, i := at(r)
	return &c.info[i]
}

// link returns where r's successor in its queue is kept.
//
//go:nosplit
func link(r ref) *ref {
	c, i := at(r)
	return &c.link[i]
}

// take pops a free entry, or returns 0 when there is none. Lock-free, so
// interrupt context may call it while a goroutine on this CPU is in the
// middle of put.
//
//go:nosplit
func take() ref {
	for {
		h := pool.free.Load()
		r := ref(uint32(h))
		if r == 0 {
			return 0
		}
		c, i := at(r)
		next := uint64(uint32(c.next[i].Load()))
		if pool.free.CompareAndSwap(h, (h>>32+1)<<32|next) {
			pool.nfree.Add(-1)
			return r
		}
	}
}

// put pushes r back on the free stack.
//
//go:nosplit
func put(r ref) {
	c, i := at(r)
	for {
		h := pool.free.Load()
		c.next[i].Store(int32(uint32(h)))
		if pool.free.CompareAndSwap(h, (h>>32+1)<<32|uint64(uint32(r))) {
			pool.nfree.Add(1)
			return
		}
	}
}

// nudge wakes the refiller if the pool is below its low watermark.
// Goroutine context (a channel send, which never blocks or allocates
// here).
func nudge() {
	if pool.nfree.Load() < lowWater {
		select {
		case pool.wake <- struct{}{}:
		default:
		}
	}
}
