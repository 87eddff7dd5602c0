package intr

import (
	"sigil/arch"
	"sigil/irq"
	"sigil/sched"
	"sigil/trace"
)

// runLine runs ISA line n's handler h, between its irq_handler_entry and
// irq_handler_exit events when either is on (handle_irq_event_percpu):
// one load and a branch when both are off.
//
//go:nosplit
func runLine(n uint8, h LineHandler, c *irq.Context, cpu *arch.CPU) irq.Return {
	if !trace.OnAny(trace.IRQEvents) {
		return h(c, cpu)
	}
	pid := interruptedTID(c, cpu)
	if trace.On(trace.IRQHandlerEntry) {
		trace.RecordIRQEntry(n, pid)
	}
	ret := h(c, cpu)
	if trace.On(trace.IRQHandlerExit) {
		trace.RecordIRQExit(n, pid, ret == irq.Handled)
	}
	return ret
}

// interruptedTID is the user thread the interrupt came in on, the task
// Linux's trace shows, or 0 (the idle task's) when it came in on the
// kernel.
//
//go:nosplit
func interruptedTID(c *irq.Context, cpu *arch.CPU) int32 {
	if !c.TF.FromUser() {
		return 0
	}
	if ut := sched.CurrentUser(cpu); ut != nil {
		return ut.TID
	}
	return 0
}
