package selftest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"sigil/arch"
	"sigil/clock"
	"sigil/intr"
	"sigil/irq"
)

func init() { register("storm", testStorm) }

// COM2's 16550 (PC16550D Table 2), the device the storm test leaves
// interrupting: with THRI enabled in IER and the transmitter empty it
// keeps its interrupt asserted until IIR is read or THR written.
const (
	com2      = 0x2f8
	com2IRQ   = 3
	uartIER   = 1
	uartMCR   = 4
	uartLSR   = 5
	ierTHRI   = 0x02
	mcrOUT2   = 0x08 // gates the IRQ line on PCs
	lsrDR     = 0x01
	stormWait = 30 * time.Second
)

// stormIgnored is a COM2 handler that only looks for received data (which
// never comes): every THR-empty interrupt is "not mine". It touches
// neither IIR nor THR, so the line stays asserted.
//
//go:nosplit
func stormIgnored(c *irq.Context, _ *arch.CPU) irq.Return {
	if arch.Inb(com2+uartLSR)&lsrDR != 0 {
		arch.Inb(com2)
		return irq.Handled
	}
	return irq.None
}

// testStorm: COM2 raises a level-triggered IRQ 3 that no handler claims;
// after 100,000 interrupts with more than 99,900 unhandled the line is
// masked at its controller and reported ("nobody cared", "Disabling IRQ
// #3"), and the tick and goroutines go on. Needs a second serial port
// (QEMU: -serial null after the console's).
func testStorm(t *T) error {
	if arch.Inb(com2+uartLSR) == 0xff {
		return errors.New("no COM2 at 0x2f8 (boot QEMU with a second -serial)")
	}
	cpu := arch.This()
	arch.Outb(com2+uartIER, 0)
	intr.RouteISATrigger(com2IRQ, "ttyS1", stormIgnored, true)
	ticks0 := atomic.LoadUint64(&cpu.Ticks)
	t0 := clock.Nanotime()
	arch.Outb(com2+uartMCR, mcrOUT2)
	arch.Outb(com2+uartIER, ierTHRI) // the storm starts here
	defer arch.Outb(com2+uartIER, 0)

	line := func() (intr.Line, bool) {
		for _, l := range intr.Lines() {
			if l.IRQ == com2IRQ {
				return l, true
			}
		}
		return intr.Line{}, false
	}
	var l intr.Line
	for deadline := time.Now().Add(stormWait); ; {
		var ok bool
		if l, ok = line(); !ok {
			return errors.New("IRQ 3 is not listed")
		}
		if l.Disabled {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("IRQ 3 not disabled after %v (%d interrupts, %d unhandled)", stormWait, irq.Stats(l.Vector).Count, l.Spurious.Total)
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Duration(clock.Nanotime() - t0)
	// The interrupt that disabled the line is counted when its entry
	// returns (irq.dispatch), on whichever CPU took it, which may be just
	// after Disabled shows here: wait for that count.
	n := irq.Stats(l.Vector).Count
	for wait := time.Now().Add(time.Second); n < irq.StormWindow && time.Now().Before(wait); n = irq.Stats(l.Vector).Count {
		time.Sleep(time.Millisecond)
	}
	t.Logf("IRQ %d disabled after %d interrupts (%d unhandled) in %v, %s mode; %d storms",
		l.IRQ, n, l.Spurious.Total, took.Round(time.Millisecond), intr.ActiveMode(), intr.Storms())
	if n < irq.StormWindow || l.Spurious.Total <= irq.StormUnhandled {
		return fmt.Errorf("disabled after %d interrupts, %d unhandled: want at least %d, more than %d",
			n, l.Spurious.Total, irq.StormWindow, irq.StormUnhandled)
	}
	if intr.Storms() != 1 {
		return fmt.Errorf("%d storms counted, want 1", intr.Storms())
	}

	// The line stays quiet, the tick goes on, a goroutine runs.
	ticks1 := atomic.LoadUint64(&cpu.Ticks)
	done := make(chan struct{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		return errors.New("a goroutine sleeping 20 ms did not finish within 5 s")
	}
	ticks2 := atomic.LoadUint64(&cpu.Ticks)
	if ticks2 <= ticks1 {
		return fmt.Errorf("no tick after the storm (%d ticks)", ticks2)
	}
	if after := irq.Stats(l.Vector).Count; after > n+1 {
		return fmt.Errorf("IRQ 3 still fires after being disabled: %d -> %d", n, after)
	}
	t.Logf("after: %d ticks during the storm, %d in the 20 ms after; IRQ 3 quiet at %d", ticks1-ticks0, ticks2-ticks1, n)
	return nil
}
