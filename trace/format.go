package trace

import (
	"fmt"
	"io"

	"sigil/arch"
)

// CommOf names task pid for the trace file: the command of the process
// whose thread pid is, as Linux's saved_cmdlines does at read time; set
// by the process layer at boot. "" for an unknown task, which the trace
// shows as Linux shows one: "<...>".
var CommOf func(pid int32) string

func comm(pid int32) string {
	if pid == 0 {
		return "<idle>"
	}
	if CommOf != nil {
		if c := CommOf(pid); c != "" {
			return c
		}
	}
	return "<...>"
}

// flags is each kind's latency-format column (irqs-off, need-resched,
// hardirq, preempt depth, migrate-disable) as Linux shows it for the
// place the event fires: device interrupts in hard-IRQ context, signals
// under the signal lock with interrupts off, system calls from a
// preemptible task, sched_switch in __schedule.
var flags = [numKinds]string{
	IRQHandlerEntry: "d.h1.",
	IRQHandlerExit:  "d.h1.",
	SignalGenerate:  "d..1.",
	SignalDeliver:   "d..1.",
	SysEnter:        ".....",
	SysExit:         ".....",
	SchedSwitch:     "d..2.",
}

// header is tracefs's trace file header for the latency-format columns
// (print_trace_header's default, print_func_help_header_irq).
const header = `#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`

// WriteTrace writes evs as tracefs's trace file does, with its header;
// each line's timestamp is the raw TSC (trace_clock x86-tsc), and each
// line's text is the event's TP_printk format in Linux 6.1.
func WriteTrace(w io.Writer, evs []Event, written uint64) {
	fmt.Fprintf(w, "# tracer: nop\n#\n# entries-in-buffer/entries-written: %d/%d   #P:%d\n#\n", len(evs), written, arch.OnlineMask().Count()) // #P: the CPUs online (the boot CPU in host tests)
	io.WriteString(w, header)
	for i := range evs {
		writeEvent(w, &evs[i])
	}
}

// writeEvent writes one line: trace_print_context's "%16s-%-7d [%03d] ",
// the flags, " %12llu: ", the event's name and its fields.
func writeEvent(w io.Writer, e *Event) {
	if e.Kind >= numKinds {
		return
	}
	fmt.Fprintf(w, "%16s-%-7d [%03d] %s %12d: %s: ", comm(e.PID), e.PID, e.CPU, flags[e.Kind], e.TSC, events[e.Kind].name)
	a := &e.A
	switch e.Kind {
	case IRQHandlerEntry:
		fmt.Fprintf(w, "irq=%d name=%s\n", a[0], IRQName(uint8(a[0])))
	case IRQHandlerExit:
		ret := "unhandled"
		if a[1] != 0 {
			ret = "handled"
		}
		fmt.Fprintf(w, "irq=%d ret=%s\n", a[0], ret)
	case SignalGenerate:
		target := int32(a[3])
		fmt.Fprintf(w, "sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d\n",
			int32(a[0]), int32(a[1]), int32(a[2]), comm(target), target, a[4], a[5])
	case SignalDeliver:
		fmt.Fprintf(w, "sig=%d errno=%d code=%d sa_handler=%x sa_flags=%x\n", int32(a[0]), int32(a[1]), int32(a[2]), a[3], a[4])
	case SysEnter:
		fmt.Fprintf(w, "NR %d (%x, %x, %x, %x, %x, %x)\n", int64(a[0]), a[1], a[2], a[3], a[4], a[5], a[6])
	case SysExit:
		fmt.Fprintf(w, "NR %d = %d\n", int64(a[0]), int64(a[1]))
	case SchedSwitch:
		next := int32(a[0])
		fmt.Fprintf(w, "prev_comm=%s prev_pid=%d prev_prio=120 prev_state=%c ==> next_comm=%s next_pid=%d next_prio=120\n",
			switchComm(e.PID, e.CPU), e.PID, byte(a[1]), switchComm(next, e.CPU), next)
	}
}

// switchComm names a sched_switch task: the idle task is swapper/CPU, as
// Linux names each CPU's idle task (init_idle).
func switchComm(pid int32, cpu uint8) string {
	if pid == 0 {
		return fmt.Sprintf("swapper/%d", cpu)
	}
	return comm(pid)
}
