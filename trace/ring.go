package trace

import (
	"sort"

	"sigil/arch"
)

// Event is one recorded event: when, on which CPU (set when the rings are
// read), which kind, the task it ran for (Linux's common_pid: a thread ID,
// 0 for the idle loop) and the kind's fields (see its Record function).
type Event struct {
	TSC  uint64
	Kind Kind
	CPU  uint8
	PID  int32
	A    [7]uint64
}

// ringSize is each CPU's ring in events (72 bytes each, so 18 KiB a CPU):
// enough for a test's or a benchmark round's events between reads; the
// oldest are overwritten, as Linux's overwrite mode does. A power of two.
const ringSize = 256

const _ = -uint(ringSize & (ringSize - 1))

// ring is one CPU's buffer. Only its CPU records into it; readers copy it
// out and Clear empties it.
type ring struct {
	lock    arch.Spinlock // guards ev and written
	ev      [ringSize]Event
	written uint64 // events recorded since the last Clear; the latest ringSize are kept
}

var rings [arch.MaxCPUs]ring

// record appends an event of kind k for task pid to this CPU's ring.
// Interrupt context.
//
//go:nosplit
func record(k Kind, pid int32, a0, a1, a2, a3, a4, a5, a6 uint64) {
	r := &rings[arch.This().Index()]
	r.lock.Lock()
	e := &r.ev[r.written%ringSize]
	e.TSC, e.Kind, e.PID = arch.RDTSC(), k, pid
	e.A = [7]uint64{a0, a1, a2, a3, a4, a5, a6}
	r.written++
	r.lock.Unlock()
}

// Events returns the events still in the rings in TSC order (the order
// the trace file merges the CPUs' buffers in), and how many were recorded
// since the last Clear.
func Events() (evs []Event, written uint64) {
	copied := new([ringSize]Event) // allocated before the lock: holders never allocate
	for i := range rings {
		r := &rings[i]
		r.lock.Lock()
		n := min(r.written, ringSize)
		for j := uint64(0); j < n; j++ {
			copied[j] = r.ev[(r.written-n+j)%ringSize]
		}
		written += r.written
		r.lock.Unlock()
		for j := range copied[:n] {
			copied[j].CPU = uint8(i)
		}
		evs = append(evs, copied[:n]...)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].TSC < evs[j].TSC })
	return evs, written
}

// Clear empties every ring, as opening tracefs's trace with O_TRUNC does
// (tracing_open: tracing_reset_online_cpus).
func Clear() {
	for i := range rings {
		r := &rings[i]
		r.lock.Lock()
		r.written = 0
		r.lock.Unlock()
	}
}
