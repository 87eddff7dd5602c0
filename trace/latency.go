package trace

import (
	"fmt"
	"io"
	"math/bits"
	"strings"
	"sync/atomic"

	"sigil/arch"
)

// Vectors is how many entry vectors the histograms keep: the IDT's 256
// and the SYSCALL entry (irq.NumVectors).
const Vectors = 257

// latBuckets is the log2 buckets per vector: bucket b counts entries of
// [2^b, 2^(b+1)) cycles (bucket 0 also 0 and 1), the last one everything
// from 2^(latBuckets-1) up.
const latBuckets = 20

// latencyOn is 1 while the histograms record: off at boot (irq_latency=1
// on the command line, or a write of 1 to /proc/irq_latency, starts
// them), so that an entry costs one load and a branch until then.
// Written by SetLatency, read by every entry.
var latencyOn uint32

// LatencyOn reports whether entries are counted in the histograms.
//
//go:nosplit
func LatencyOn() bool { return atomic.LoadUint32(&latencyOn) != 0 }

// SetLatency starts or stops the histograms (the counts stay).
func SetLatency(on bool) {
	v := uint32(0)
	if on {
		v = 1
	}
	atomic.StoreUint32(&latencyOn, v)
}

// latency holds a histogram per CPU and vector. Each CPU's row is written
// only by that CPU, in interrupt context with interrupts off; readers sum
// the rows without a lock (a count may be one entry behind).
var latency [arch.MaxCPUs][Vectors][latBuckets]uint32

// RecordLatency counts one entry of vector v on CPU row cpu that took
// cycles from the entry stub's hand-off to the handler's return.
// Interrupt context.
//
//go:nosplit
func RecordLatency(cpu uint, v uint64, cycles uint64) {
	if v >= Vectors {
		return
	}
	b := bits.Len64(cycles)
	if b > 0 {
		b--
	}
	if b >= latBuckets {
		b = latBuckets - 1
	}
	latency[cpu%arch.MaxCPUs][v][b]++
}

// Histogram is vector v's buckets summed over the CPUs.
func Histogram(v int) (h [latBuckets]uint64) {
	for c := range latency {
		for b, n := range latency[c][v] {
			h[b] += uint64(n)
		}
	}
	return h
}

// WriteLatency writes /proc/irq_latency: whether it records, then a line per vector that has
// fired, "vector name count", then "log2:count" for each bucket that is
// not empty, where log2 is b for the bucket of [2^b, 2^(b+1)) cycles
// (the last bucket, 19, holds everything longer). name(v) is the
// vector's name, its blanks written as underscores ("#DE_divide_error").
func WriteLatency(w io.Writer, name func(v int) string) {
	state := "on"
	if !LatencyOn() {
		state = "off (echo 1 > /proc/irq_latency starts it)"
	}
	fmt.Fprintf(w, "# recording %s\n", state)
	fmt.Fprintf(w, "# cycles from entry to handler return, log2 buckets: b:n = n entries of [2^b, 2^(b+1)) cycles\n")
	fmt.Fprintf(w, "# vector name count buckets\n")
	for v := 0; v < Vectors; v++ {
		h := Histogram(v)
		var total uint64
		for _, n := range h {
			total += n
		}
		if total == 0 {
			continue
		}
		fmt.Fprintf(w, "%#x %s %d", v, strings.ReplaceAll(name(v), " ", "_"), total)
		for b, n := range h {
			if n != 0 {
				fmt.Fprintf(w, " %d:%d", b, n)
			}
		}
		io.WriteString(w, "\n")
	}
}
