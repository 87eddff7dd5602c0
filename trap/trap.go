// Package trap routes every CPU entry that is not a device interrupt, as
// xv6's usertrap and kerneltrap do: each step is a call by name, so a
// reader follows a system call, a fault or a signal from the entry stub
// (irq/entry_amd64.s, irq.dispatch, the vector table) to its handler
// folder by folder. The vector table is the only indirection: Install
// puts exception and syscall here, and package intr puts its device
// entries there, which end in sched.ReturnToUser by name too.
//
// Interrupt context: //go:nosplit, no allocation, no sleeping.
package trap

import (
	"sigil/arch"
	"sigil/console"
	"sigil/fault"
	"sigil/intr"
	"sigil/irq"
	"sigil/mm"
	"sigil/power"
	"sigil/sched"
	"sigil/sys"
	"sigil/task"
	"sigil/trace"
)

// FastSignals lets the common signal calls and caught CPU faults of user
// programs be served where the CPU trapped (task/fast.go) instead of by
// the thread's goroutine. The command line's fast=0 clears it, before
// any user program runs.
var FastSignals = true

// Install claims the exception vectors, the system-call vector and the
// reschedule IPI's (package intr sends it, on a CPU with a local APIC). It runs
// in boot0, before the runtime's first system call.
//
//go:nosplit
func Install() {
	for v := 0; v < 32; v++ {
		irq.Register(v, irq.VectorName(uint64(v)), exception)
	}
	irq.Register(irq.SyscallVector, "syscall", syscall)
	irq.Register(intr.VecResched, "resched", resched)
}

// syscall is the SYSCALL entry's step: a user program's call is answered
// here when it needs nothing but the thread (sys.FastIdentity,
// task.FastSyscall), or goes back to the thread's goroutine; the kernel
// runtime's own calls are served by sys.Handle. A user call's sys_enter
// is recorded here, and its sys_exit too when it is answered here (the
// goroutine records the others': task.Thread.syscall).
//
//go:nosplit
func syscall(c *irq.Context, cpu *arch.CPU) {
	nr := c.TF.RAX
	if !c.TF.FromUser() {
		if nr == sched.SysEnterUser {
			sched.HandleEnterUser(c)
			sched.ReturnToUser(c, cpu) // a kick sent meanwhile (from another CPU)
			return
		}
		sys.Handle(c, cpu, nr)
		return
	}
	ut := sched.CurrentUser(cpu)
	if trace.OnAny(trace.SyscallEvents) {
		traceSysEnter(c, cpu, ut)
	}
	if !sys.FastIdentity(c, ut, nr) && !(FastSignals && task.FastSyscall(c, cpu, ut, nr)) {
		sched.ExitUser(c, sched.ReasonSyscall, sched.TrapInfo{Vector: irq.SyscallVector})
	} else if trace.On(trace.SysExit) {
		traceSysExit(c, cpu, ut)
	}
	sched.ReturnToUser(c, cpu)
}

// resched is the reschedule IPI's step: another CPU made a thread runnable
// here, or kicked the user thread running here (sched.KickUser). A kick
// for a signal the thread catches is answered before the IPI returns to
// CPL 3 (task.KickedSignal), as Linux's exit to user mode delivers it;
// any other goes back to the thread's goroutine.
//
//go:nosplit
func resched(c *irq.Context, cpu *arch.CPU) {
	intr.ServeResched(c)
	if FastSignals && c.TF.FromUser() {
		task.KickedSignal(c, cpu, sched.CurrentUser(cpu))
	}
	sched.ReturnToUser(c, cpu)
}

// exception is every CPU exception's step.
//
//go:nosplit
func exception(c *irq.Context, cpu *arch.CPU) {
	if c.TF.FromUser() {
		userException(c, cpu)
		sched.ReturnToUser(c, cpu)
		return
	}
	if c.TF.Vector == irq.VecPageFault && mm.HandlePageFault(c) {
		return // demand-zero kernel memory
	}
	kernelFault(c, cpu)
}

// userException: a page fault the page tables resolve is done; a fault
// whose signal the thread catches gets its handler's frame here
// (task.FaultSignal); anything else goes to the thread's goroutine.
//
//go:nosplit
func userException(c *irq.Context, cpu *arch.CPU) {
	info := sched.TrapInfo{Vector: c.TF.Vector, ErrorCode: c.TF.ErrorCode}
	if c.TF.Vector == irq.VecPageFault {
		if sched.UserPageFault(c) {
			return
		}
		info.CR2 = arch.CR2()
	} else if FastSignals && task.FaultSignal(c, cpu, sched.CurrentUser(cpu), info) {
		return
	}
	sched.ExitUser(c, sched.ReasonFault, info)
}

// kernelFault: a fault in a kernel goroutine becomes a signal for the
// kernel's runtime, which makes it a recoverable panic (sys.DeliverFault);
// otherwise it is reported, and a survivor thread is parked
// (fault.Handle); otherwise the machine powers off.
//
//go:nosplit
func kernelFault(c *irq.Context, cpu *arch.CPU) {
	if cpu.IRQDepth > 2 {
		console.Puts("<0>sigil: fault while handling a fault\n")
		irq.RawReport(c)
		power.Off(power.ExitKernelFault)
	}
	if sys.DeliverFault(c) {
		return
	}
	// A fault the runtime cannot take is the kernel's panic, but in a
	// survivor thread: the other CPUs stop first, so that the report is
	// not interleaved with their output (Linux's panic -> smp_send_stop).
	if !sched.Current().Survivor {
		intr.StopOthers()
	}
	irq.RawReport(c)
	if fault.Handle(c) {
		return
	}
	power.Off(power.ExitKernelFault)
}
