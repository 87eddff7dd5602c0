// Package tick drives each CPU's local APIC timer, the tick's event device
// (Linux's clockevents and tick-sched). Periodic mode interrupts every
// tick. In the one-shot and TSC-deadline modes a CPU's timer is armed for
// its next event alone: the next housekeeping tick, Stride ticks on, or
// the first tick at or after the scheduler's earliest deadline, whichever
// comes first (hrtimer_reprogram's rule, at the tick's resolution). Every
// event falls on the CPU's grid of ticks one period apart and stands for
// the ticks since the last one, so deadlines keep the tick's resolution
// and accounting its rate, while a CPU with nothing due takes a Stride-th
// of the interrupts: Linux's HZ=250. Under emulation that is host time:
// each timer event wakes QEMU's main loop, which on a host with as many
// cores as vCPUs takes one from a running vCPU.
//
// An idle CPU's events come IdleStride ticks apart unless a deadline is
// due sooner (Linux's NO_HZ idle), and Resume restarts the housekeeping
// tick when it leaves idle.
//
// Everything runs on the CPU whose timer it arms, interrupts off; the
// per-CPU fields it keeps (arch.CPU's TimerDeadline and TimerTicks) are
// owner-CPU only.
package tick

import (
	"sigil/apic"
	"sigil/arch"
	"sigil/clock"
)

// Mode is how the local APIC timer makes the tick.
type Mode uint8

const (
	Periodic Mode = iota
	OneShot       // armed for each event
	Deadline      // TSC-deadline, armed for each event
	// Auto is TSC-deadline where CPUID offers it, else one-shot: the
	// default (the issue's "TSC-deadline where offered, else the
	// calibrated LAPIC timer"; Linux's choice too, with NO_HZ).
	Auto
)

func (m Mode) String() string {
	return [...]string{"periodic", "one-shot", "tsc-deadline", "auto"}[m]
}

// Stride is the ticks between housekeeping events in the one-shot modes:
// 4 at 1000 Hz, Linux's 250 Hz for time slices and CPU-time sampling.
const Stride = 4

// IdleStride is the ticks between an idle CPU's events when no deadline
// comes sooner: a second (Linux's NO_HZ idle stops the tick altogether).
// Work reaches an idle CPU by IPI, and Resume restarts its housekeeping
// tick when it leaves idle.
const IdleStride = 1000

// Set once by Setup, before any CPU's timer starts; read-only after.
var (
	mode      Mode
	vector    uint8
	hz        uint64
	periodTSC uint64
)

// Setup chooses the mode (Periodic, OneShot or Deadline: the caller
// resolves Auto), the vector and the tick rate for every CPU's timer
// (under irq=pic: the rate of the boot CPU's PIT, which Setup does not
// drive, and the mode of the other CPUs' LAPIC timers).
func Setup(m Mode, vec uint8, rate uint32) {
	mode, vector, hz = m, vec, uint64(rate)
	periodTSC = clock.TSCHz() / hz
}

// PeriodTSC returns a tick's length in TSC counts.
//
//go:nosplit
func PeriodTSC() uint64 { return periodTSC }

// ActiveMode returns the mode Setup chose.
//
//go:nosplit
func ActiveMode() Mode { return mode }

// Start starts the running CPU's timer: its first event one period on.
//
//go:nosplit
func Start(cpu *arch.CPU) {
	switch mode {
	case Periodic:
		apic.Local.StartPeriodic(vector, hz)
		return
	case OneShot:
		apic.Local.StartOneShot(vector)
	case Deadline:
		apic.Local.ArmDeadline(vector)
	}
	arm(cpu, arch.RDTSC()+periodTSC, 1)
}

// Fired returns the ticks the event that just fired on cpu stands for, or
// 0 if it came early. The one-shot timer counts the local APIC's clock,
// calibrated against the TSC to a part in a thousand or so, which over an
// idle CPU's second is a tick or more: an event that comes before its
// TSC target is armed again for the rest and stands for nothing (as
// hrtimer_interrupt finds nothing expired and reprograms).
//
//go:nosplit
func Fired(cpu *arch.CPU) uint64 {
	if mode == Periodic {
		return 1
	}
	if mode == OneShot && arch.RDTSC()+periodTSC/10 < cpu.TimerDeadline {
		arm(cpu, cpu.TimerDeadline, cpu.TimerTicks)
		return 0
	}
	return cpu.TimerTicks
}

// Next arms the event after the one that fired: the next housekeeping
// tick (IdleStride ticks on if the CPU is idle), or deadline's tick
// (monotonic ns, 0 for none) if that comes first.
//
//go:nosplit
func Next(cpu *arch.CPU, deadline int64, idle bool) {
	if mode == Periodic {
		return
	}
	stride := uint64(Stride)
	if idle {
		stride = IdleStride
	}
	e := armed(cpu).next(arch.RDTSC(), deadlineTSC(deadline), stride)
	arm(cpu, e.target, e.ticks)
}

// Reprogram brings cpu's armed event forward to deadline's tick if that
// comes first, so that a thread blocking until deadline wakes at its tick
// and not at the next housekeeping one (hrtimer_reprogram). The caller
// blocks the running thread on this CPU, interrupts off.
//
//go:nosplit
func Reprogram(cpu *arch.CPU, deadline int64) {
	if mode == Periodic {
		return
	}
	if e, ok := armed(cpu).reprogram(arch.RDTSC(), deadlineTSC(deadline)); ok {
		arm(cpu, e.target, e.ticks)
	}
}

// Resume restarts the housekeeping tick on a CPU leaving idle, whose armed
// event may be up to IdleStride ticks away (tick_nohz_idle_exit), and
// returns the ticks idle has had since the last event, for the caller to
// charge to idle. The tick's lateness count (countTick in package intr)
// restarts from the grid point they end at, as if an event had come
// there.
//
//go:nosplit
func Resume(cpu *arch.CPU, deadline int64) (idleTicks uint64) {
	if mode == Periodic {
		return 0
	}
	idleTicks, at, e, ok := armed(cpu).resume(arch.RDTSC(), deadlineTSC(deadline))
	if !ok {
		return 0
	}
	arm(cpu, e.target, e.ticks)
	cpu.LastTickTSC = at
	return idleTicks
}

// event is a CPU's armed timer event: the TSC count it fires at, on the
// CPU's grid of ticks, and the ticks since the last event it stands for.
// Its methods plan the next event; they touch no hardware.
type event struct{ target, ticks uint64 }

//go:nosplit
func armed(cpu *arch.CPU) event { return event{cpu.TimerDeadline, cpu.TimerTicks} }

// next is the event after e, which has fired by now: stride ticks on, or
// at the tick of TSC count d if that comes first. One the CPU took too
// late for re-phases the grid at now: missed ticks are not replayed (the
// tick's handler counts them lost).
//
//go:nosplit
func (e event) next(now, d, stride uint64) event {
	n := ticksTo(e.target, d, stride)
	if e.target+n*periodTSC <= now {
		return event{now + periodTSC, 1}
	}
	return event{e.target + n*periodTSC, n}
}

// reprogram is e brought forward to the tick of TSC count d, if that
// comes first and e is not due already (its interrupt then pending).
//
//go:nosplit
func (e event) reprogram(now, d uint64) (event, bool) {
	if e.ticks <= 1 || e.target <= now {
		return e, false
	}
	base := e.target - e.ticks*periodTSC // the last event's target
	if n := ticksTo(base, d, Stride); n < e.ticks {
		return event{base + n*periodTSC, n}, true
	}
	return e, false
}

// resume is the event that replaces e, an idle CPU's far event, when the
// CPU leaves idle at now: the grid moves to the last tick at or before
// now (at), the ticks from e's start to at are idle's, and the new event
// comes Stride ticks after at, or at the tick of TSC count d if that
// comes first. An event of Stride ticks or fewer, or one due by now,
// stays: it charges its ticks itself.
//
//go:nosplit
func (e event) resume(now, d uint64) (idle, at uint64, ne event, ok bool) {
	if e.ticks <= Stride || e.target <= now {
		return 0, 0, e, false
	}
	at = e.target - e.ticks*periodTSC
	if now > at {
		idle = (now - at) / periodTSC
	}
	at += idle * periodTSC
	n := ticksTo(at, d, Stride)
	return idle, at, event{at + n*periodTSC, n}, true
}

// ticksTo is how many ticks after base the next event falls: at the tick
// of TSC count d (a deadline's, never for none) if that is within stride,
// else at stride.
//
//go:nosplit
func ticksTo(base, d, stride uint64) uint64 {
	if d <= base+periodTSC {
		return 1
	}
	return min((d-base-1)/periodTSC+1, stride)
}

// deadlineTSC is the TSC count of a deadline in monotonic ns (0: never).
//
//go:nosplit
func deadlineTSC(deadline int64) uint64 {
	if deadline == 0 {
		return never
	}
	return clock.NanosToTSC(deadline)
}

const never = ^uint64(0)

// arm sets cpu's timer to fire at TSC target, an event standing for n
// ticks. A target already past fires at once (the least count).
//
//go:nosplit
func arm(cpu *arch.CPU, target, n uint64) {
	cpu.TimerDeadline, cpu.TimerTicks = target, n
	if mode == Deadline {
		apic.Local.SetDeadline(target)
		return
	}
	ns := uint64(0)
	if now := arch.RDTSC(); target > now {
		ns = uint64(clock.TSCToNanos(target - now))
	}
	apic.Local.Rearm(ns)
}
