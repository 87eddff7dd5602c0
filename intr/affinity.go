package intr

import (
	"errors"
	"sync/atomic"

	"sigil/apic"
	"sigil/arch"
)

// Interrupt affinity: which CPU an ISA line's interrupts go to, as Linux
// shows and sets it through /proc/irq/N (kernel/irq/proc.c).
//
// Under irq=apic each line's IOAPIC entry names one CPU in physical
// destination mode (its local APIC ID). The line's affinity is a set of
// CPUs; the entry names one of them, chosen as x86's vector domain
// chooses (arch/x86/kernel/apic/vector.c, assign_vector_locked): the CPU
// the line already goes to, if it is online and in the set; otherwise
// the online CPU of the set with the fewest lines, the lowest on a tie
// (kernel/irq/matrix.c, matrix_find_best_cpu, which takes the CPU with
// the most free vectors; every line here has its own vector on every
// CPU, so the lines a CPU serves are its used ones).
//
// Moving a line rewrites only its entry's destination (IOAPIC.SetDest):
// the vector is the same on every CPU and every CPU's IDT sends it to
// the same entry point, so an interrupt already on its way to the old
// CPU is handled there as it would have been, and Linux's deferred move
// (GENERIC_PENDING_IRQ: reprogram at the next interrupt, masked, once
// Remote IRR is clear, then clean the old vector up by IPI) has nothing
// to guard. What remains is two CPUs in the line's handler at once, an
// interrupt taken on the new CPU while the old one still runs the
// handler for the previous: lineRun serialises them.
//
// Under irq=pic the 8259's INTR output is wired to the boot CPU's LINT0
// (through the local APIC's ExtINT, or directly without one): every ISA
// line interrupts CPU 0 and no other, so a line's affinity cannot be set
// (EIO, as Linux's XT-PIC chip, which has no irq_set_affinity) and the
// other CPUs take only their own local APIC timer and IPIs.

// defaultAffinity is /proc/irq/default_smp_affinity, the affinity a line
// takes when it is routed and none was written for it (Linux's
// irq_default_affinity, every CPU unless irqaffinity= says otherwise).
// Under routeLock.
var defaultAffinity = ^arch.CPUMask(0) >> (64 - arch.MaxCPUs)

// Errors of SetAffinity and SetDefaultAffinity.
var (
	ErrFixed = errors.New("intr: the line's CPU cannot be chosen") // EIO
	ErrNoCPU = errors.New("intr: no online CPU in the mask")       // EINVAL
)

// pickCPU is the CPU row a line goes to among candidates (online CPUs
// its entry can name, in its affinity): cur when it is one of them (no
// move), else the candidate with the fewest lines in load, the lowest
// row on a tie; -1 when there is no candidate.
func pickCPU(candidates arch.CPUMask, cur int, load *[arch.MaxCPUs]int) int {
	if candidates.Has(cur) {
		return cur
	}
	best := -1
	for i := 0; i < arch.MaxCPUs; i++ {
		if candidates.Has(i) && (best < 0 || load[i] < load[best]) {
			best = i
		}
	}
	return best
}

// targetable is the online CPUs an IOAPIC entry can name: those whose
// APIC ID fits its destination field.
func targetable() arch.CPUMask {
	online := arch.OnlineMask()
	var m arch.CPUMask
	for i := 0; i < arch.MaxCPUs; i++ {
		if online.Has(i) && destID(i) <= apic.MaxDest {
			m = m.With(i)
		}
	}
	return m
}

// destID is the APIC ID of CPU row cpu, which boot's startAPs records
// for every row (the boot CPU's included) before a driver routes a line.
func destID(cpu int) uint32 { return arch.CPUAt(cpu).APICID }

// targetFor picks the CPU line n goes to with affinity mask, cur being
// where it goes now (-1: nowhere yet), -1 when no online CPU of mask can
// be named. routeLock held.
func targetFor(n uint8, mask arch.CPUMask, cur int) int {
	var load [arch.MaxCPUs]int
	for i := range lines {
		if l := &lines[i]; i != int(n) && handlers[i] != nil && l.gsi >= 0 && l.cpu >= 0 {
			load[l.cpu]++
		}
	}
	return pickCPU(mask&targetable(), cur, &load)
}

// routeTarget is the CPU a line being routed goes to: one of its
// affinity, else any online CPU an entry can name
// (assign_irq_vector_any_locked's last resort), else the boot CPU.
// routeLock held.
func routeTarget(n uint8, mask arch.CPUMask) int {
	if cpu := targetFor(n, mask, -1); cpu >= 0 {
		return cpu
	}
	return max(targetFor(n, arch.OnlineMask(), -1), 0)
}

// CanSetAffinity reports whether line n's CPU can be chosen (Linux's
// irq_can_set_affinity_usr): a routed line the IOAPIC delivers.
func CanSetAffinity(n uint8) bool {
	if n >= 16 {
		return false
	}
	routeLock.Lock()
	ok := settable(n)
	routeLock.Unlock()
	return ok
}

// settable is CanSetAffinity's rule: under irq=apic, a line the IOAPIC
// delivers, or one no driver routed yet (its affinity is kept for when
// one does, as Linux keeps an unrequested legacy line's); never IRQ 0,
// the timer's (IRQF_NOBALANCING), nor 2, the 8259 cascade. routeLock
// held.
func settable(n uint8) bool {
	return mode == APIC && n != 0 && n != 2 && (handlers[n] == nil || lines[n].gsi >= 0)
}

// SetAffinity gives line n the affinity mask (Linux's irq_set_affinity
// from write_irq_affinity) and points its IOAPIC entry at the CPU chosen
// in it: ErrFixed when CanSetAffinity says no, ErrNoCPU when mask holds
// no online CPU (the empty mask included: x86 has no
// irq_select_affinity_usr). The mask is kept as written, offline CPUs
// and all, as Linux keeps it.
func SetAffinity(n uint8, mask arch.CPUMask) error {
	if n >= 16 {
		return ErrFixed
	}
	routeLock.Lock()
	defer routeLock.Unlock()
	l := &lines[n]
	switch {
	case !settable(n):
		return ErrFixed
	case mask&arch.OnlineMask() == 0:
		return ErrNoCPU
	case handlers[n] == nil:
		l.affinity, l.affinitySet = mask, true // routeISA takes it
		return nil
	}
	cpu := targetFor(n, mask, int(l.cpu))
	if cpu < 0 {
		return ErrNoCPU // online, but no APIC ID an entry can name
	}
	l.affinity, l.affinitySet = mask, true
	if cpu != int(l.cpu) {
		l.cpu = int8(cpu)
		ioapics[l.ioapic].SetDest(uint32(l.gsi), destID(cpu))
	}
	return nil
}

// DefaultAffinity returns /proc/irq/default_smp_affinity's mask.
func DefaultAffinity() arch.CPUMask {
	routeLock.Lock()
	m := defaultAffinity
	routeLock.Unlock()
	return m
}

// SetDefaultAffinity sets the affinity lines routed from now on take
// (default_affinity_write): ErrNoCPU when mask holds no online CPU.
func SetDefaultAffinity(mask arch.CPUMask) error {
	if mask&arch.OnlineMask() == 0 {
		return ErrNoCPU
	}
	routeLock.Lock()
	defaultAffinity = mask
	routeLock.Unlock()
	return nil
}

// lineRun is a line's handler lock across CPUs: Linux's
// IRQD_IRQ_INPROGRESS and IRQS_PENDING in one word. The CPU whose entry
// takes it runs the handler; an entry on another CPU that finds it
// taken leaves a note (pending) and returns, and the holder runs the
// handler once more before it lets go. Nothing is lost and the handler
// never runs on two CPUs at once.
type lineRun struct{ state atomic.Uint32 }

// idle waits until no CPU runs the line's handler (synchronize_irq's
// wait for IRQD_IRQ_INPROGRESS to clear).
func (r *lineRun) idle() {
	for r.state.Load()&runBusy != 0 {
		arch.Pause()
	}
}

const (
	runBusy    = 1 << 0
	runPending = 1 << 1
)

// begin takes the lock, or leaves the holder a note and reports false.
//
//go:nosplit
func (r *lineRun) begin() bool {
	for {
		s := r.state.Load()
		if s&runBusy == 0 {
			if r.state.CompareAndSwap(s, runBusy) {
				return true
			}
		} else if r.state.CompareAndSwap(s, s|runPending) {
			return false
		}
	}
}

// end lets the lock go, or takes a note left meanwhile and reports true:
// the handler is to run again.
//
//go:nosplit
func (r *lineRun) end() (again bool) {
	if r.state.CompareAndSwap(runBusy, 0) {
		return false
	}
	r.state.Store(runBusy) // the note is taken; begin only adds notes while busy
	return true
}
