package irq

// Return is what a device line's handler says of one interrupt, as Linux's
// irqreturn_t: Handled when its device had raised it, None when the device
// had nothing pending ("not mine").
type Return uint8

const (
	None    Return = iota // IRQ_NONE
	Handled               // IRQ_HANDLED
)

// The unhandled-interrupt rules of Linux's note_interrupt
// (kernel/irq/spurious.c): interrupts are counted in windows of
// StormWindow; a window in which more than StormUnhandled went unhandled
// means the line is stuck. The unhandled count starts again from one when
// an unhandled interrupt comes more than StormGap after the previous
// unhandled one, so the odd stray interrupt never adds up to a verdict.
const (
	StormWindow    = 100000
	StormUnhandled = 99900
	StormGap       = 100_000_000 // ns: Linux's HZ/10
)

// Spurious is one line's unhandled-interrupt accounting: Linux's
// irq_desc irq_count, irqs_unhandled and last_unhandled. Note is called
// from the line's interrupt context only (one CPU, interrupts off, the
// line not re-entered before its EOI), which is what guards the fields;
// readers elsewhere see racy but harmless snapshots.
type Spurious struct {
	Count         uint32 // interrupts in the current window (irq_count)
	Unhandled     uint32 // unhandled ones in it, since the last gap (irqs_unhandled)
	LastUnhandled int64  // time of the last unhandled one, ns (last_unhandled)
	Total         uint64 // unhandled interrupts ever, for statistics
}

// Note records one interrupt that the line's handlers answered with ret
// at time now (ns, monotonic) and reports whether the line is stuck: the
// end of a window of StormWindow interrupts with more than StormUnhandled
// of them unhandled. The caller then disables the line.
//
//go:nosplit
func (s *Spurious) Note(ret Return, now int64) (stuck bool) {
	if ret != Handled {
		if now-s.LastUnhandled > StormGap {
			s.Unhandled = 1
		} else {
			s.Unhandled++
		}
		s.LastUnhandled = now
		s.Total++
	}
	s.Count++
	if s.Count < StormWindow {
		return false
	}
	s.Count = 0
	stuck = s.Unhandled > StormUnhandled
	s.Unhandled = 0
	return stuck
}
