// Package trace records kernel events in a ring buffer, each stamped with
// the TSC, and writes them out in the format of Linux's tracefs "trace"
// file with the x86-tsc clock, so that a program reads Sigil's events as
// it reads Linux's. Today's event is irq_handler_entry: a device
// interrupt's handler starting.
//
// Recording is interrupt context: //go:nosplit, no allocation. Each CPU
// records into its own ring under the ring's spinlock, which a reader
// takes to copy the ring out.
package trace

import (
	"fmt"
	"io"

	"sigil/arch"
)

// Event is one recorded event.
type Event struct {
	TSC  uint64
	Kind uint8
	Arg  uint32
}

// Event kinds.
const (
	IRQHandlerEntry = 1 // Arg: the IRQ line
)

const ringSize = 1024 // a power of two

type ring struct {
	lock    arch.Spinlock // guards ev and written
	ev      [ringSize]Event
	written uint64 // events ever recorded; the latest ringSize are kept
}

var (
	rings    [arch.MaxCPUs]ring
	irqNames [16]string // set when a line is routed, before it fires
)

// NameIRQ names ISA IRQ n (Linux's irqaction name), for the trace and
// for /proc/interrupts (IRQName).
func NameIRQ(n uint8, name string) { irqNames[n&15] = name }

// IRQName is the name NameIRQ gave ISA IRQ n.
func IRQName(n uint8) string { return irqNames[n&15] }

// IRQEntry records that IRQ n's handler starts. Interrupt context.
//
//go:nosplit
func IRQEntry(n uint8) {
	r := &rings[arch.This().Index()]
	r.lock.Lock()
	r.ev[r.written%ringSize] = Event{TSC: arch.RDTSC(), Kind: IRQHandlerEntry, Arg: uint32(n)}
	r.written++
	r.lock.Unlock()
}

// Events returns the recorded events still in the rings, oldest first in
// each ring, and how many were ever recorded.
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
		evs = append(evs, copied[:n]...)
	}
	return evs, written
}

// WriteTrace writes the events as tracefs's trace file does, with its
// header; each line's timestamp is the raw TSC (trace_clock x86-tsc).
func WriteTrace(w io.Writer, evs []Event, written uint64) {
	fmt.Fprintf(w, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %d/%d   #P:1\n#\n", len(evs), written)
	io.WriteString(w, `#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`)
	for _, e := range evs {
		if e.Kind == IRQHandlerEntry {
			fmt.Fprintf(w, "          <idle>-0       [000] d.h1. %d: irq_handler_entry: irq=%d name=%s\n",
				e.TSC, e.Arg, irqNames[e.Arg&15])
		}
	}
}
