// Package trace records kernel events in per-CPU rings, each stamped with
// the TSC, and shows them as Linux's tracefs does: the "trace" file's
// lines with the x86-tsc clock, set_event, tracing_on and the
// events/<system>/<event>/enable files, so that a program (or a person)
// reads and steers Sigil's events as Linux's.
//
// The events are Linux 6.1's of the same names and formats: irq
// (irq_handler_entry, irq_handler_exit), signal (signal_generate,
// signal_deliver), raw_syscalls (sys_enter, sys_exit) and sched
// (sched_switch).
//
// An event site costs one load and one branch while its event is off:
//
//	if trace.On(trace.SysEnter) {
//		trace.RecordSysEnter(...)
//	}
//
// Recording is interrupt context: //go:nosplit, no allocation.
package trace

import "sync/atomic"

// Kind is an event type; the kinds are bits of the enabled mask.
type Kind uint8

// Event kinds. Each Record function says what its Event's A words hold.
const (
	IRQHandlerEntry Kind = iota
	IRQHandlerExit
	SignalGenerate
	SignalDeliver
	SysEnter
	SysExit
	SchedSwitch
	numKinds
)

// events names each kind as tracefs does: its system (the events/
// directory) and its name.
var events = [numKinds]struct{ system, name string }{
	IRQHandlerEntry: {"irq", "irq_handler_entry"},
	IRQHandlerExit:  {"irq", "irq_handler_exit"},
	SignalGenerate:  {"signal", "signal_generate"},
	SignalDeliver:   {"signal", "signal_deliver"},
	SysEnter:        {"raw_syscalls", "sys_enter"},
	SysExit:         {"raw_syscalls", "sys_exit"},
	SchedSwitch:     {"sched", "sched_switch"},
}

// active is the mask of kinds recorded now: the enabled events while
// tracing_on is 1, else 0. Written by control.go under ctlMu; read
// without a lock by every event site (On).
var active uint32

// On reports whether events of kind k are recorded now: one load and
// one test, inlined at each event site.
//
//go:nosplit
func On(k Kind) bool { return atomic.LoadUint32(&active)&(1<<k) != 0 }

// IRQEvents is the mask of the irq system's events, for OnAny.
const IRQEvents = 1<<IRQHandlerEntry | 1<<IRQHandlerExit

// OnAny reports whether any kind in the mask ks (bits 1<<Kind) is
// recorded now: one load for a site with several events.
//
//go:nosplit
func OnAny(ks uint32) bool { return atomic.LoadUint32(&active)&ks != 0 }

// SignalEvents is the mask of the signal system's events.
const SignalEvents = 1<<SignalGenerate | 1<<SignalDeliver

// SyscallEvents is the mask of the raw_syscalls system's events.
const SyscallEvents = 1<<SysEnter | 1<<SysExit
