package intr

import (
	"errors"
	"sync/atomic"

	"sigil/arch"
	"sigil/irq"
	"sigil/sched"
)

// User-space drivers. A process claims an ISA line through its IRQ file
// (package irqfile): the line's interrupts then go to the file's top half,
// UserLine.interrupt, which counts them, masks a level-triggered line
// until the driver has serviced its device (Unmask), and wakes the file's
// bottom half. A line a kernel driver holds is busy, unless that driver
// was made to yield it at boot (Yield: kbd=user for the i8042); the
// kernel's handler comes back when the claim ends, as UIO drivers give a
// line back on close.

// UserLine is an ISA line while a user-space driver holds it.
type UserLine struct {
	n     uint8
	count atomic.Uint32 // interrupts since the claim: the top half adds
	wake  sched.Wakeup  // the bottom half's
	ended atomic.Bool   // Release ran
}

// Errors of Claim.
var (
	ErrNoLine = errors.New("intr: no such ISA line")
	ErrBusy   = errors.New("intr: line held")
)

// yielding marks the lines whose kernel driver gives way to a user-space
// driver, and resume is what that driver does when it gets its line
// back. Set at boot, before the line is routed; read-only after.
var (
	yielding [16]bool
	resume   [16]func()
)

// kernelHandler is the handler of a yielding kernel driver while a user
// driver holds its line, to be restored at Release. routeLock.
var kernelHandler [16]LineHandler

// claimed is the user driver of each line, or nil: written under
// routeLock while the line is masked, read by the line's top half.
var claimed [16]atomic.Pointer[UserLine]

// Yield makes the kernel's driver of line n give it to a user-space
// driver that claims it; resumeDriver runs when the line comes back (the
// device may be left mid-conversation: an edge-triggered line held high
// by unread data would never interrupt again). Call at boot, before a
// process runs.
func Yield(n uint8, resumeDriver func()) { yielding[n], resume[n] = true, resumeDriver }

// Claim gives ISA line n to a user-space driver: ErrNoLine past 15,
// ErrBusy while a kernel driver that does not yield, or another user
// driver, holds it. The timer's and the cascade's lines are the kernel's.
func Claim(n uint8) (*UserLine, error) {
	if n >= 16 {
		return nil, ErrNoLine
	}
	u := &UserLine{n: n}
	routeLock.Lock()
	defer routeLock.Unlock()
	if claimed[n].Load() != nil || n == 0 || n == 2 || handlers[n] != nil && !yielding[n] {
		return nil, ErrBusy
	}
	maskLine(n)
	kernelHandler[n] = handlers[n]
	claimed[n].Store(u)
	routeISA(n, userLineInterrupt, lines[n].level && handlers[n] != nil)
	return u, nil
}

// Release ends u's claim: the line goes back to the kernel driver that
// yielded it, or is masked. The bottom half's Wait returns (Ended).
func (u *UserLine) Release() {
	routeLock.Lock()
	n := u.n
	maskLine(n)
	claimed[n].Store(nil)
	handlers[n] = nil
	k := kernelHandler[n]
	if k != nil {
		kernelHandler[n] = nil
		routeISA(n, k, lines[n].level)
	}
	routeLock.Unlock()
	// A top half that found u before the claim ended may still be
	// using it on another CPU: let it finish (synchronize_irq).
	lines[n].run.idle()
	if k != nil && resume[n] != nil {
		// The driver's catch-up is its handler's work: under the line's
		// run lock, so an interrupt the line now takes on another CPU
		// does not drain the device at the same time; that CPU leaves
		// a note instead, and the catch-up runs again.
		if r := &lines[n].run; r.begin() {
			for again := true; again; again = r.end() {
				resume[n]()
			}
		}
	}
	u.ended.Store(true)
	u.wake.Wake()
}

// IRQ is the line's number.
func (u *UserLine) IRQ() uint8 { return u.n }

// Count returns the interrupts since the claim.
func (u *UserLine) Count() uint32 { return u.count.Load() }

// Ended reports whether the claim ended.
func (u *UserLine) Ended() bool { return u.ended.Load() }

// Seq and Wait are the bottom half's: Wait sleeps until an interrupt (or
// Release) after Seq.
func (u *UserLine) Seq() uint32     { return u.wake.Seq() }
func (u *UserLine) Wait(seq uint32) { u.wake.Wait(seq) }

// Unmask unmasks the line (on) or masks it (off) for the driver, UIO's
// irqcontrol: the driver serviced its device, or wants no interrupts.
func (u *UserLine) Unmask(on bool) {
	routeLock.Lock()
	if claimed[u.n].Load() == u {
		if on {
			unmaskLine(u.n)
		} else {
			maskLine(u.n)
		}
	}
	routeLock.Unlock()
}

// userLineInterrupt is the top half of a claimed line: a plain function
// (a method value's wrapper would not be nosplit). A level-triggered line
// stays asserted until the driver services its device, so it is masked
// until the driver says so; an edge-triggered one is left alone. The line
// counts as handled: only the driver knows whether its device raised it.
//
//go:nosplit
func userLineInterrupt(c *irq.Context, _ *arch.CPU) irq.Return {
	n := uint8(c.TF.Vector - VecISA)
	if mode == PIC {
		n = uint8(c.TF.Vector - VecPIC)
	}
	u := claimed[n%16].Load()
	if u == nil {
		return irq.None // released while the interrupt was on its way
	}
	u.count.Add(1)
	if lines[u.n].level {
		routeLock.Lock()
		maskLine(u.n)
		routeLock.Unlock()
	}
	u.wake.Signal(c)
	return irq.Handled
}

// maskLine and unmaskLine mask and unmask line n at its controller.
// routeLock held.
//
//go:nosplit
func maskLine(n uint8) { setLineMasked(n, true) }

//go:nosplit
func unmaskLine(n uint8) { setLineMasked(n, false) }

//go:nosplit
func setLineMasked(n uint8, masked bool) {
	l := &lines[n]
	switch {
	case mode == PIC && masked:
		pics.Mask(n)
	case mode == PIC:
		pics.Unmask(n)
	case l.gsi >= 0:
		ioapics[l.ioapic].SetMasked(uint32(l.gsi), masked)
	}
}
