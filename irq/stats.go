package irq

import (
	"fmt"
	"io"
)

// WriteStats prints per-vector counts and handler cycles, like Linux's
// /proc/interrupts with timings: every vector that fired, then the spurious
// counters. Goroutine context.
func WriteStats(w io.Writer) {
	fmt.Fprintf(w, "sigil: irqstat: %6s %-16s %10s %10s %10s %10s\n", "vector", "name", "count", "min-cyc", "mean-cyc", "max-cyc")
	for v := 0; v < NumVectors; v++ {
		s := Stats(v)
		if s.Count == 0 {
			continue
		}
		if v == SyscallVector && s.Cycles == 0 { // counted, not timed (dispatch)
			fmt.Fprintf(w, "sigil: irqstat: %#6x %-16s %10d %10s %10s %10s\n", v, Name(v), s.Count, "-", "-", "-")
			continue
		}
		fmt.Fprintf(w, "sigil: irqstat: %#6x %-16s %10d %10d %10d %10d\n", v, Name(v), s.Count, s.Min, s.Cycles/s.Count, s.Max)
	}
	fmt.Fprintf(w, "sigil: irqstat: spurious: pic-irq7 %d, pic-irq15 %d, lapic %d\n",
		SpuriousCount(SpuriousPIC7), SpuriousCount(SpuriousPIC15), SpuriousCount(SpuriousLAPIC))
}

// Name is vector v's name: its handler's (Register), or the
// architecture's for an exception.
func Name(v int) string {
	if names[v] != "" {
		return names[v]
	}
	return VectorName(uint64(v))
}

// StatsOn returns vector v's statistics on the CPU whose row is cpu
// (arch.CPU.Index).
func StatsOn(cpu, v int) Stat { return stats[uint(cpu)%uint(len(stats))][v] }

// SpuriousOn returns how many spurious interrupts source k raised on the
// CPU whose row is cpu.
func SpuriousOn(cpu, k int) uint64 { return spurious[uint(cpu)%uint(len(spurious))][k] }
