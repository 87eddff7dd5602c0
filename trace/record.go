package trace

import "sigil/arch"

// Result of a signal's generation, as Linux's trace_signal_generate
// reports it (include/trace/events/signal.h: TRACE_SIGNAL_*).
const (
	SignalDelivered      = 0
	SignalIgnored        = 1
	SignalAlreadyPending = 2
	SignalOverflowFail   = 3
	SignalLoseInfo       = 4
)

// RecordSysEnter records user system call nr with its six arguments, by
// thread pid: raw_syscalls' sys_enter. A[0] is nr, A[1:7] the arguments.
//
//go:nosplit
func RecordSysEnter(pid int32, nr uint64, a *[6]uint64) {
	record(SysEnter, pid, nr, a[0], a[1], a[2], a[3], a[4], a[5])
}

// RecordSysExit records that thread pid's call nr returned ret (a
// negative errno on failure): sys_exit. A[0] is nr, A[1] ret.
//
//go:nosplit
func RecordSysExit(pid int32, nr, ret uint64) { record(SysExit, pid, nr, ret, 0, 0, 0, 0, 0) }

// Signal is what signal_generate and signal_deliver show of a siginfo.
type Signal struct {
	Signo, Errno, Code int32
}

// RecordSignalGenerate records signal s generated for target (a thread
// ID, or the process's ID when group) with result res (SignalDelivered,
// ...), by task pid: Linux's signal_generate. A: signo, errno, code,
// target, group, res.
//
//go:nosplit
func RecordSignalGenerate(pid int32, s Signal, target int32, group bool, res int) {
	g := uint64(0)
	if group {
		g = 1
	}
	record(SignalGenerate, pid, uint64(s.Signo), uint64(s.Errno), uint64(s.Code), uint64(target), g, uint64(res), 0)
}

// RecordSignalDeliver records signal s taken by thread pid, whose action
// is handler with flags: signal_deliver. A: signo, errno, code, handler,
// flags.
//
//go:nosplit
func RecordSignalDeliver(pid int32, s Signal, handler, flags uint64) {
	record(SignalDeliver, pid, uint64(s.Signo), uint64(s.Errno), uint64(s.Code), handler, flags, 0, 0)
}

// Task states sched_switch shows for the task leaving the CPU
// (__trace_sched_switch_state's letters).
const (
	StateRunning  = 'R'
	StateSleeping = 'S'
	StateDead     = 'X'
)

// RecordSchedSwitch records this CPU leaving task prev, in state
// (StateRunning, ...), for task next: Linux's sched_switch. PID is prev;
// A[0] next, A[1] the state.
//
//go:nosplit
func RecordSchedSwitch(prev int32, state byte, next int32) {
	record(SchedSwitch, prev, uint64(uint32(next)), uint64(state), 0, 0, 0, 0, 0)
}

// inCall is a CPU's user system call in progress in interrupt context,
// kept from its SYSCALL entry (while a raw_syscalls event is on) to its
// return there, so that its sys_exit is recorded once: before a signal
// the call's return delivers, as Linux's syscall_exit_to_user_mode
// records it before exit_to_user_mode_loop delivers, or at the return.
// Each CPU's row is written and read only by that CPU, in interrupt
// context. (A call whose entry found both events off and whose return
// finds sys_exit on reads the row's last call: the moment tracing is
// switched on.)
type inCall struct {
	nr     uint64
	exited bool // its sys_exit is recorded
}

var calls [arch.MaxCPUs]inCall

// EnterCall keeps nr as CPU row cpu's call in progress.
//
//go:nosplit
func EnterCall(cpu uint, nr uint64) { calls[cpu%arch.MaxCPUs] = inCall{nr: nr} }

// ExitCall records the sys_exit of CPU row cpu's call in progress, made
// by thread pid, with result ret, unless it is recorded already or
// sys_exit is off.
//
//go:nosplit
func ExitCall(cpu uint, pid int32, ret uint64) {
	c := &calls[cpu%arch.MaxCPUs]
	if c.exited || !On(SysExit) {
		return
	}
	c.exited = true
	RecordSysExit(pid, c.nr, ret)
}
