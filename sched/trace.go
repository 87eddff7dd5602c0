package sched

import (
	"unsafe"

	"sigil/trace"
)

// traceSwitch records sched_switch from slot prev to slot next (Linux's
// trace_sched_switch in __schedule). schedLock held or interrupt context.
//
//go:nosplit
func traceSwitch(prev, next int32) {
	state := byte(trace.StateRunning)
	switch threads[prev].State {
	case Blocked:
		state = trace.StateSleeping
	case Free:
		state = trace.StateDead
	}
	trace.RecordSchedSwitch(tracePID(prev), state, tracePID(next))
}

// tracePID is the task a slot runs as the trace shows it: the user
// thread it carries while in user mode, the idle task (0), or the kernel
// thread.
//
//go:nosplit
func tracePID(i int32) int32 {
	t := &threads[uint32(i)%MaxThreads]
	switch {
	case i == idleSlot:
		return 0
	case t.User != 0:
		return (*UserContext)(unsafe.Add(unsafe.Pointer(nil), t.User)).TID
	}
	return t.TID
}
