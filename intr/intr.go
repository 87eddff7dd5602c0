// Package intr runs the active interrupt controller: the 8259 pair with the
// PIT as tick (irq=pic), or the IOAPIC with the local APIC timer as tick
// (irq=apic, the default when there is an APIC). Drivers ask for an ISA IRQ
// with RouteISA and never see which controller delivers it.
//
// Handlers run in interrupt context (see package irq).
package intr

import (
	"unsafe"

	"sigil/apic"
	"sigil/arch"
	"sigil/clock"
	"sigil/console"
	"sigil/irq"
	"sigil/pic"
	"sigil/sched"
	"sigil/tick"
	"sigil/trace"
)

// Mode is the interrupt controller in use.
type Mode uint8

const (
	PIC Mode = iota
	APIC
)

func (m Mode) String() string {
	if m == APIC {
		return "apic"
	}
	return "pic"
}

// Vectors.
const (
	VecPIC      = 0x20 // 8259 IRQ n is VecPIC+n
	VecISA      = 0x30 // IOAPIC-routed ISA IRQ n is VecISA+n
	VecTimer    = 0x40 // local APIC timer
	VecTest     = 0x41 // self-IPI, for tests
	VecError    = 0xfe // local APIC error
	VecSpurious = 0xff // local APIC spurious (low nibble all ones, SDM Vol. 3A §11.9)
)

var (
	mode     Mode
	hasLAPIC bool
	pics     pic.PIC
	madt     apic.MADT
	ioapics  [8]apic.IOAPIC
	handlers [16]LineHandler
	tickHz   uint32
)

// Config is what Init was asked for and what it did.
type Config struct {
	Mode   Mode
	Timer  tick.Mode
	TickHz uint32
	X2APIC bool
	Note   string // why a request was not honoured, if it was not
}

// Init sets up the controllers and starts the tick at hz. want and wantTimer
// are the command line's choices; m is the MADT (nil when ACPI has none).
func Init(want Mode, wantTimer tick.Mode, m *apic.MADT, hz uint32) (cfg Config) {
	pics = pic.New(&arch.PortBus)
	pics.Init(VecPIC, VecPIC+8)
	for v := VecPIC; v < VecPIC+16; v++ {
		irq.Register(v, "pic", picEntry)
	}
	irq.Register(VecSpurious, "lapic-spurious", lapicSpurious)
	irq.Register(VecError, "lapic-error", lapicError)
	irq.Register(VecTest, "self-ipi", selfIPI)

	hasLAPIC = apic.Present()
	addr := uint64(0xfee00000)
	if m != nil {
		madt = *m
		if m.LocalAPICAddr != 0 {
			addr = m.LocalAPICAddr
		}
	}
	if hasLAPIC {
		apic.Local.Enable(addr, VecSpurious, VecError)
		cfg.X2APIC = apic.Local.X2
		initIPIs()
		// Every CPU's tick but the boot CPU's under irq=pic is its
		// local APIC timer (StartAPTimer), at the boot CPU's rate.
		irq.Register(VecTimer, "lapic-timer", apicTick)
		apic.Local.CalibrateTimer(clock.TSCHz() / 100) // 10 ms
	}
	mode = want
	if mode == APIC && (!hasLAPIC || madt.NIOAPICs == 0) {
		mode = PIC
		cfg.Note = "no local APIC or no IOAPIC in the MADT: using the 8259"
	}
	cfg.Mode = mode
	timer := wantTimer
	switch {
	case timer == tick.Auto && apic.HasTSCDeadline():
		timer = tick.Deadline
	case timer == tick.Auto:
		timer = tick.OneShot
	case timer == tick.Deadline && !apic.HasTSCDeadline():
		timer = tick.OneShot
		if cfg.Note == "" {
			cfg.Note = "no TSC-deadline timer (CPUID.01H:ECX[24]): using one-shot"
		}
	}

	if mode == PIC {
		tickHz = clock.StartPeriodic(hz)
		tick.Setup(timer, VecTimer, tickHz) // the PIT's period; the APs' LAPIC timers
		if hasLAPIC {
			cfg.Timer = timer
		}
		handlers[0] = pitTick
		trace.NameIRQ(0, "timer")
		pics.Unmask(0)
		cfg.TickHz = tickHz
		return cfg
	}

	pics.MaskAll()
	apic.Local.MaskLINT0()
	for i := 0; i < madt.NIOAPICs; i++ {
		ioapics[i] = apic.NewIOAPIC(madt.IOAPICs[i])
		ioapics[i].MaskAll()
	}
	for v := VecISA; v < VecISA+16; v++ {
		irq.Register(v, "ioapic", ioapicEntry)
	}
	tickHz = hz
	tick.Setup(timer, VecTimer, hz)
	tick.Start(arch.This())
	cfg.Timer, cfg.TickHz = timer, tickHz
	return cfg
}

// StartAPTimer starts an application processor's tick: its own local
// APIC timer, in the boot CPU's mode at the boot CPU's rate, with the
// boot CPU's calibration (every local APIC counts the same bus clock,
// as Linux's setup_secondary_APIC_clock reuses lapic_timer_period), in
// either interrupt mode (under irq=pic the 8259 and the PIT reach the
// boot CPU alone). It reports false without a local APIC. Bring-up, on
// the AP, interrupts off.
//
//go:nosplit
func StartAPTimer() bool {
	if !hasLAPIC || tickHz == 0 {
		return false
	}
	tick.Start(arch.This())
	return true
}

// LAPICTimerHz is the calibrated local APIC timer rate (divide by 16).
func LAPICTimerHz() uint64 { return apic.Local.HzDiv16 }

// ActiveMode returns the controller in use.
func ActiveMode() Mode { return mode }

// LineHandler handles one interrupt of an ISA line in interrupt context
// (see package irq) and says whether its device had raised it: irq.None
// ("not mine": nothing pending) counts toward the line's storm verdict.
type LineHandler func(c *irq.Context, cpu *arch.CPU) irq.Return

// routeLock guards handlers, line's routing fields (level, gsi, ioapic,
// disabled) and the controllers' mask and redirection registers while a
// line is routed or disabled. The interrupt entry reads handlers[n]
// without it: a line's handler is stored before the line is unmasked.
var routeLock arch.Spinlock

// lineState is an ISA line's routing and storm state.
type lineState struct {
	// Under routeLock (set before the line is unmasked; read without it by
	// the line's own interrupt entry, which cannot run before that).
	level    bool  // level-triggered (ELCR bit, or IOAPIC trigger mode)
	gsi      int32 // IOAPIC input, -1 when not routed through an IOAPIC
	ioapic   int8  // index into ioapics
	disabled bool  // masked as a storm (Linux's IRQS_SPURIOUS_DISABLED)

	// Under routeLock: where the line's interrupts go (affinity.go).
	affinity    arch.CPUMask // the CPUs it may go to (the irq_desc's affinity)
	affinitySet bool         // written through /proc (IRQD_AFFINITY_SET): kept across routings
	cpu         int8         // the CPU row its IOAPIC entry names (effective affinity); -1 if none

	// run is the line's handler lock across CPUs (affinity.go), taken
	// and released by its interrupt entries alone.
	run lineRun

	// Written only by the line's interrupt entry, while it holds run;
	// others read snapshots.
	spurious irq.Spurious
}

var (
	lines   [16]lineState
	storms  uint64 // lines disabled as storms; written under routeLock
	noDebug bool   // noirqdebug: no storm detection; set at boot
)

// RouteISA delivers ISA IRQ n to h (and acknowledges it after h returns),
// with the bus's (or the MADT override's) trigger mode.
func RouteISA(n uint8, name string, h LineHandler) { RouteISATrigger(n, name, h, false) }

// RouteISATrigger is RouteISA with the line forced level-triggered (active
// high) when level is set: the ELCR bit of the 8259 (PIIX ELCR, ports
// 0x4d0-0x4d1), or the IOAPIC entry's trigger mode.
func RouteISATrigger(n uint8, name string, h LineHandler, level bool) {
	trace.NameIRQ(n, name)
	routeLock.Lock()
	routeISA(n, h, level)
	routeLock.Unlock()
}

// SetNoIRQDebug turns storm detection off (Linux's noirqdebug).
func SetNoIRQDebug(off bool) { noDebug = off }

// Line is an ISA interrupt line as /proc/interrupts and /proc/irq
// show it.
type Line struct {
	IRQ      uint8
	Vector   int
	Chip     string // "IO-APIC" or "XT-PIC", as Linux names them
	Pin      int    // the IOAPIC input (GSI), -1 on the 8259
	Level    bool   // level-triggered
	Name     string // the device
	Disabled bool   // masked as a storm

	Routed    bool         // a driver has it (Lines lists only these)
	Affinity  arch.CPUMask // the CPUs the line may go to
	Effective arch.CPUMask // the CPU its interrupts go to now
	Spurious  irq.Spurious // the storm detector's window and total of interrupts no handler claimed
}

// Lines returns the lines that have a handler, in IRQ order, a line
// disabled as a storm included.
func Lines() []Line {
	var out []Line
	for _, l := range AllLines() {
		if l.Routed {
			out = append(out, l)
		}
	}
	return out
}

// AllLines returns every ISA line, routed or not, in IRQ order: Linux
// allocates the sixteen legacy descriptors at boot, and /proc/irq shows
// each. A line no driver routed has the affinity written for it (or the
// default) and no effective CPU: it has no IOAPIC entry yet.
func AllLines() (out [16]Line) {
	routeLock.Lock() // nothing below allocates
	for n := range out {
		l, st := &out[n], &lines[n]
		*l = Line{IRQ: uint8(n), Vector: VecISA + n, Chip: "IO-APIC", Pin: int(st.gsi), Level: st.level,
			Affinity: st.affinity, Routed: handlers[n] != nil}
		if l.Routed {
			l.Name, l.Disabled, l.Spurious = trace.IRQName(uint8(n)), st.disabled, st.spurious
			if st.cpu >= 0 {
				l.Effective = l.Effective.With(int(st.cpu))
			}
		} else if !st.affinitySet {
			l.Affinity = defaultAffinity
		}
		if mode == PIC {
			l.Vector, l.Chip, l.Pin = VecPIC+n, "XT-PIC", -1
		}
	}
	routeLock.Unlock()
	return out
}

// Storms returns how many lines were disabled as storms.
func Storms() uint64 { return storms }

// elcr is the PIIX edge/level control register pair (PIIX datasheet
// §4.1.11; QEMU's i8259 models it): bit n set makes 8259 IRQ n level
// triggered.
const elcr = 0x4d0

func routeISA(n uint8, h LineHandler, level bool) {
	handlers[n] = h
	l := &lines[n]
	l.gsi, l.disabled, l.spurious = -1, false, irq.Spurious{}
	if !l.affinitySet {
		l.affinity = defaultAffinity // irq_setup_affinity at the line's startup
	}
	l.cpu = -1 // the 8259 names no CPU: its INTR output reaches the boot CPU alone
	if mode == PIC {
		l.level = level
		port := uint16(elcr) + uint16(n/8)
		v := arch.Inb(port)
		if level {
			v |= 1 << (n % 8)
		} else {
			v &^= 1 << (n % 8)
		}
		arch.Outb(port, v)
		pics.Unmask(n)
		return
	}
	gsi, flags := madt.ISAToGSI(n)
	if level {
		flags = flags&^(apic.TriggerMask|apic.PolarityMask) | apic.TriggerLevel | apic.PolarityHigh
	}
	l.level = flags&apic.TriggerMask == apic.TriggerLevel
	for i := 0; i < madt.NIOAPICs; i++ {
		if info := madt.IOAPICs[i]; gsi >= info.GSIBase && gsi < info.GSIBase+24 {
			l.gsi, l.ioapic = int32(gsi), int8(i)
			l.cpu = int8(routeTarget(n, l.affinity))
			ioapics[i].Route(gsi, VecISA+n, flags, destID(int(l.cpu)))
		}
	}
}

// noteLine is Linux's note_interrupt for ISA line n after its handler
// answered ret: it disables the line when Spurious says it is stuck.
//
//go:nosplit
func noteLine(n uint8, ret irq.Return) {
	if noDebug {
		return
	}
	if lines[n].spurious.Note(ret, clock.Nanotime()) {
		disableStorm(n)
	}
}

// disableStorm masks line n at its controller and reports it as Linux's
// __report_bad_irq does (without the stack dump): from interrupt
// context, through the console's lock-free-of-the-interrupted-code path
// (its line lock is a spinlock, never held where interrupts are on).
//
//go:nosplit
func disableStorm(n uint8) {
	routeLock.Lock()
	l := &lines[n]
	l.disabled = true
	storms++
	maskLine(n)
	routeLock.Unlock()
	console.Puts("<3>sigil: irq ")
	console.PutDec(uint64(n))
	console.Puts(": nobody cared (try booting with the \"irqpoll\" option)\n")
	console.Puts("<3>sigil: handlers:\n<3>sigil: [<")
	console.PutHex(handlerPC(n))
	console.Puts(">] ")
	console.Puts(trace.IRQName(n))
	console.Puts("\n<0>sigil: Disabling IRQ #")
	console.PutDec(uint64(n))
	console.Puts("\n")
}

// handlerPC is the code address of line n's handler (a func value points
// at a closure whose first word is the code pointer), 0 without one.
//
//go:nosplit
func handlerPC(n uint8) uint64 {
	h := handlers[n]
	if h == nil {
		return 0
	}
	return uint64(**(**uintptr)(unsafe.Pointer(&h)))
}

// picEntry handles vectors 0x20-0x2f: 8259 IRQs, including the spurious
// IRQ 7 and IRQ 15 the 8259A raises when a request vanishes before INTA.
//
//go:nosplit
func picEntry(c *irq.Context, cpu *arch.CPU) {
	n := uint8(c.TF.Vector - VecPIC)
	if n == 7 || n == 15 {
		if pics.HandleSpurious(n) {
			if n == 7 {
				irq.CountSpurious(cpu, irq.SpuriousPIC7)
			} else {
				irq.CountSpurious(cpu, irq.SpuriousPIC15)
			}
			return
		}
	}
	if mode == PIC {
		serveLine(n, c, cpu)
	}
	pics.EOI(n)
	sched.ReturnToUser(c, cpu)
}

// serveLine runs line n's handler under its run lock. A line retargeted
// to another CPU may interrupt there while this CPU still runs its
// handler for the previous interrupt: the lock keeps one CPU in the
// handler and has it run the handler again for the interrupt the other
// CPU took (Linux's handle_edge_irq). It also tells Release when no
// handler still holds the line's old one (synchronize_irq).
//
//go:nosplit
func serveLine(n uint8, c *irq.Context, cpu *arch.CPU) {
	l := &lines[n%16]
	if l.run.begin() {
		for again := true; again; again = l.run.end() {
			ret := irq.None
			if h := handlers[n%16]; h != nil {
				ret = runLine(n, h, c, cpu)
			}
			noteLine(n, ret)
		}
	}
}

// ioapicEntry handles vectors 0x30-0x3f, the IOAPIC's ISA lines.
//
//go:nosplit
func ioapicEntry(c *irq.Context, cpu *arch.CPU) {
	serveLine(uint8(c.TF.Vector-VecISA), c, cpu)
	apic.Local.EOI()
	sched.ReturnToUser(c, cpu)
}

// lapicSpurious counts the APIC's spurious vector, which sets no ISR bit
// and so takes no EOI (SDM Vol. 3A §11.9).
//
//go:nosplit
func lapicSpurious(c *irq.Context, cpu *arch.CPU) {
	irq.CountSpurious(cpu, irq.SpuriousLAPIC)
	sched.ReturnToUser(c, cpu)
}

//go:nosplit
func lapicError(c *irq.Context, cpu *arch.CPU) {
	apic.Local.EOI()
	sched.ReturnToUser(c, cpu)
}

var selfIPIs uint64

//go:nosplit
func selfIPI(c *irq.Context, cpu *arch.CPU) {
	selfIPIs++
	apic.Local.EOI()
	sched.ReturnToUser(c, cpu)
}

// SelfIPIs counts self-IPIs received.
func SelfIPIs() uint64 { return selfIPIs }

// SendSelfIPI sends VecTest to this CPU; false if there is no local APIC.
func SendSelfIPI() bool {
	if !hasLAPIC {
		return false
	}
	apic.Local.SelfIPI(VecTest)
	return true
}

// pitTick is the PIT's handler under irq=pic: one tick each.
//
//go:nosplit
func pitTick(c *irq.Context, cpu *arch.CPU) irq.Return {
	countTick(cpu, 1, true)
	sched.Tick(c, 1)
	return irq.Handled
}

// countTick records how late a timer event standing for n ticks came
// (arch.CPU's LostTicks and OnTimeEvents), from a periodic timer or not. Lateness accumulates in LateTSC,
// so a run of events each a little late (1.4 periods apart, say: a vCPU
// descheduled often) adds up to the ticks that time held; early events (a
// one-shot timer catching up) pay it back, down to one period ahead at
// most.
//
//go:nosplit
func countTick(cpu *arch.CPU, n uint64, periodic bool) {
	now := arch.RDTSC()
	cpu.TimerEvents++
	periodTSC := tick.PeriodTSC()
	if last := cpu.LastTickTSC; last != 0 && periodTSC != 0 {
		// On time: within a tenth of a period of a periodic timer's
		// next tick. A one-shot timer armed for a tick after a halt
		// comes with the emulated CPU's wake-up latency (up to a
		// quarter period under TCG, measured), and over a long wait
		// with the local APIC clock's calibration error (a part in
		// 500).
		d, want := now-last, n*periodTSC
		slack := periodTSC / 10
		if !periodic {
			slack = max(periodTSC/4, want/500)
		}
		if d > want-slack && d < want+slack {
			cpu.OnTimeEvents++
		}
		late := cpu.LateTSC + int64(d) - int64(want)
		if late >= int64(periodTSC) {
			cpu.LostTicks += uint64(late) / periodTSC
			late %= int64(periodTSC)
		}
		cpu.LateTSC = max(late, -int64(periodTSC))
	}
	cpu.LastTickTSC = now
}

// apicTick is the local APIC timer's handler: the ticks its event stands
// for (package tick), then, in the one-shot modes, the next event, armed
// for the scheduler's earliest deadline after this tick's expiries, or
// further on if the CPU is idle.
//
//go:nosplit
func apicTick(c *irq.Context, cpu *arch.CPU) {
	n := tick.Fired(cpu)
	apic.Local.EOI()
	if n != 0 { // else early, and armed again
		countTick(cpu, n, tick.ActiveMode() == tick.Periodic)
		next, idle := sched.Tick(c, n)
		tick.Next(cpu, next, idle)
	}
	sched.ReturnToUser(c, cpu)
}

// TickHz returns the tick rate in effect.
func TickHz() uint32 { return tickHz }

// TimerVector returns the vector the tick arrives on.
func TimerVector() int {
	if mode == APIC {
		return VecTimer
	}
	return VecPIC
}
