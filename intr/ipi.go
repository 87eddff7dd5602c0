package intr

import (
	"sync/atomic"

	"sigil/apic"
	"sigil/arch"
	"sigil/irq"
	"sigil/mm"
	"sigil/sched"
)

// Inter-processor interrupts (SDM Vol. 3A §11.6), on Linux's vectors
// (arch/x86/include/asm/irq_vectors.h): each is counted per CPU by the
// vector statistics, which /proc/interrupts shows as the RES, CAL and
// TLB rows. Stop-all is an NMI, which reaches a CPU spinning with
// interrupts off (Linux's nmi_shootdown_cpus, used by its panic path).
const (
	VecResched  = 0xfd // RESCHEDULE_VECTOR: sched's wake-ups and kicks
	VecCallFunc = 0xfc // CALL_FUNCTION_VECTOR: CallOn
	VecTLB      = 0xfb // TLB shootdowns (package mm)
)

// initIPIs registers the IPI handlers (but VecResched's, whose step is
// package trap's: it may deliver a signal) and gives sched and mm their
// senders. boot0, before a second CPU runs.
func initIPIs() {
	irq.Register(VecCallFunc, "callfunc", callFuncIPI)
	irq.Register(VecTLB, "tlb", tlbIPI)
	irq.Register(VecStop, "stop", stopIPI)
	sched.SendResched = sendResched
	mm.SendShootdownIPI = sendTLB
	arch.SpinPoll = mm.ServeShootdown
}

//go:nosplit
func sendResched(c *arch.CPU) { apic.Local.SendIPI(c.APICID, VecResched, apic.DeliverFixed) }

//go:nosplit
func sendTLB(c *arch.CPU) { apic.Local.SendIPI(c.APICID, VecTLB, apic.DeliverFixed) }

// ServeResched is the reschedule IPI's work for the scheduler (trap's
// resched step): another CPU made a thread runnable here, or kicked the
// user thread running here. Interrupt context.
//
//go:nosplit
func ServeResched(c *irq.Context) {
	apic.Local.EOI()
	mm.ServeShootdown() // a request whose IPI may find this CPU in a wait
	sched.Resched(c)
}

//go:nosplit
func tlbIPI(c *irq.Context, cpu *arch.CPU) {
	apic.Local.EOI()
	mm.ServeShootdown()
	sched.ReturnToUser(c, cpu)
}

// Function calls on other CPUs (Linux's smp_call_function_single): one
// call in flight per target, in its row of calls; the caller waits for
// the target's acknowledgement, serving its own row meanwhile.
type callSlot struct {
	fn   atomic.Uintptr // *func(): the call, 0 when the slot is free
	done atomic.Uint32  // set by the target after the call
}

// calls is a row per target CPU: a caller claims it (fn from 0), the
// target runs it and sets done, the caller frees it.
var calls [arch.MaxCPUs]callSlot

// CallOn runs f on CPU id in interrupt context there (nosplit and
// allocation-free, as any handler) and waits for it to return; on this
// CPU it runs f at once with interrupts off. It reports false if id is
// not online or there is no local APIC. Interrupt context, or goroutine
// context with f pinned (f must be a func value that stays reachable).
//
//go:nosplit
func CallOn(id int, f *func()) bool {
	target := arch.CPUAt(id)
	if id < 0 || id >= arch.MaxCPUs || !target.Online() {
		return false
	}
	if target == arch.This() {
		(*f)()
		return true
	}
	if !hasLAPIC {
		return false
	}
	s := &calls[id]
	for !s.fn.CompareAndSwap(0, uintptr(ptrOf(f))) {
		arch.SpinWait()
		serveCalls()
	}
	s.done.Store(0)
	apic.Local.SendIPI(target.APICID, VecCallFunc, apic.DeliverFixed)
	for s.done.Load() == 0 {
		arch.SpinWait()
		serveCalls()
	}
	s.fn.Store(0)
	return true
}

//go:nosplit
func callFuncIPI(c *irq.Context, cpu *arch.CPU) {
	apic.Local.EOI()
	serveCalls()
	sched.ReturnToUser(c, cpu)
}

// serveCalls runs the call waiting in this CPU's row, if any.
//
//go:nosplit
func serveCalls() {
	s := &calls[arch.This().Index()]
	if p := s.fn.Load(); p != 0 && s.done.Load() == 0 {
		(*funcAt(p))()
		s.done.Store(1)
	}
}

// stopper is the row+1 of the CPU stopping the others (StopOthers), 0
// before any does.
var stopper atomic.Int32

// StopOthers takes every other online CPU out of service for a kernel
// panic's report (Linux's panic -> smp_send_stop): each gets VecStop,
// puts its thread back on the run queue and halts for good
// (sched.StopCPU), so that the report is the only output and the
// runtime, which the report uses, keeps its threads (they run here). A
// fixed vector, not an NMI, so that no CPU stops holding a spinlock the
// report needs: a CPU spinning with interrupts off takes it once it
// has its lock and lets it go. The first caller stops the others; a
// later call returns at once. Interrupt context.
//
//go:nosplit
func StopOthers() {
	self := arch.This()
	if !stopper.CompareAndSwap(0, self.ID+1) || !hasLAPIC {
		return
	}
	for i := 0; i < arch.MaxCPUs; i++ {
		if c := arch.CPUAt(i); c != self && c.Online() {
			apic.Local.SendIPI(c.APICID, VecStop, apic.DeliverFixed)
		}
	}
}

// VecStop is REBOOT_VECTOR, Linux's smp_send_stop vector.
const VecStop = 0xf8

//go:nosplit
func stopIPI(c *irq.Context, cpu *arch.CPU) {
	apic.Local.EOI()
	sched.StopCPU(c)
	for {
		arch.DisableInterrupts()
		mm.ServeShootdown() // a shootdown begun before this CPU stopped
		arch.Pause()
	}
}
