package sched

import (
	"sync/atomic"

	"sigil/arch"
	"sigil/irq"
)

// CPU time as /proc/stat counts it: each tick is charged to what it
// interrupted on its CPU — user mode, the kernel, or the idle loop — as
// Linux's account_process_tick does without precise accounting.

// tickNanos is the length of a tick (boot sets it from the timer's rate):
// the granularity of the tick-based clocks.
var tickNanos int64 = 1e6

// SetTickRate records the timer's frequency.
//
//go:nosplit
func SetTickRate(hz uint32) { tickNanos = 1e9 / int64(hz) }

// TickNanos returns the length of a tick.
//
//go:nosplit
func TickNanos() int64 { return tickNanos }

// cpuTicks are each CPU's ticks that found it in user mode and in the
// kernel. Written by their CPU's tick alone, read by any (atomic).
var cpuTicks [arch.MaxCPUs]struct{ user, system atomic.Uint64 }

// chargeTick charges the n ticks of the timer event that interrupted c on
// cpu to what it interrupted, as Linux's tick samples at its rate: the
// idle loop's ticks are counted apart (IdleTicks) and the rest of uptime
// is idle.
//
//go:nosplit
func chargeTick(cpu *arch.CPU, c *irq.Context, n uint64) {
	switch {
	case cpu.Current == idleSlot:
	case c.TF.FromUser():
		cpuTicks[cpu.Index()].user.Add(n)
	default:
		cpuTicks[cpu.Index()].system.Add(n)
	}
}

// CPUTime is one CPU's time since boot, in nanoseconds.
type CPUTime struct{ User, System, Idle int64 }

// TimeOf returns CPU id's time after uptime nanoseconds: the ticks it
// charged to user mode and to the kernel, and the rest idle (ticks the
// timer lost under emulation included, so that the three add up to the
// uptime, as tools such as top expect).
func TimeOf(id int, uptime int64) CPUTime {
	t := &cpuTicks[uint(id)%arch.MaxCPUs]
	u, s := int64(t.user.Load())*tickNanos, int64(t.system.Load())*tickNanos
	return CPUTime{User: u, System: s, Idle: max(uptime-u-s, 0)}
}
