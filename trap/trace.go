package trap

import (
	"sigil/arch"
	"sigil/irq"
	"sigil/sched"
	"sigil/trace"
)

// traceSysEnter records a user system call's raw_syscalls:sys_enter
// (syscall_trace_enter), if on: the number and the six argument
// registers of the x86-64 calling convention; and keeps the number for
// the sys_exit of a call answered in interrupt context (trace.ExitCall),
// so that syscall need not keep it across the call. Not inlined: its
// argument array would deepen syscall's frame, on the deepest nosplit
// chain there is.
//
//go:nosplit
//go:noinline
func traceSysEnter(c *irq.Context, cpu *arch.CPU, ut *sched.UserContext) {
	if ut == nil {
		return
	}
	f := &c.TF
	trace.EnterCall(cpu.Index(), f.RAX)
	if trace.On(trace.SysEnter) {
		a := [6]uint64{f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9}
		trace.RecordSysEnter(ut.TID, f.RAX, &a)
	}
}

// traceSysExit records the sys_exit of a call answered in interrupt
// context, if the signal it delivered has not (task.Thread.traceTaken):
// its result is in RAX.
//
//go:nosplit
//go:noinline
func traceSysExit(c *irq.Context, cpu *arch.CPU, ut *sched.UserContext) {
	if ut != nil {
		trace.ExitCall(cpu.Index(), ut.TID, c.TF.RAX)
	}
}
