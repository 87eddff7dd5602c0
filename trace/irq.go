package trace

// irqNames are the ISA IRQs' names (Linux's irqaction name). Each is set
// when its line is routed, before it can fire, and read afterwards.
var irqNames [16]string

// NameIRQ names ISA IRQ n, for the trace and for /proc/interrupts
// (IRQName).
func NameIRQ(n uint8, name string) { irqNames[n&15] = name }

// IRQName is the name NameIRQ gave ISA IRQ n.
func IRQName(n uint8) string { return irqNames[n&15] }

// RecordIRQEntry records that IRQ n's handler starts, for task pid (the
// thread the interrupt came in on, 0 for the kernel): Linux's
// irq_handler_entry (include/trace/events/irq.h). A[0] is n.
//
//go:nosplit
func RecordIRQEntry(n uint8, pid int32) { record(IRQHandlerEntry, pid, uint64(n), 0, 0, 0, 0, 0, 0) }

// RecordIRQExit records that IRQ n's handler returned, handled or not:
// irq_handler_exit. A[0] is n, A[1] 1 when handled.
//
//go:nosplit
func RecordIRQExit(n uint8, pid int32, handled bool) {
	h := uint64(0)
	if handled {
		h = 1
	}
	record(IRQHandlerExit, pid, uint64(n), h, 0, 0, 0, 0, 0)
}
