package sys

import (
	"sigil/clock"
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
)

// clockNow reads clock id clk (include/uapi/linux/time.h).
//
//go:nosplit
func clockNow(clk uint64) (int64, bool) {
	switch clk {
	case linux.CLOCK_REALTIME, linux.CLOCK_REALTIME_COARSE, linux.CLOCK_TAI:
		return clock.Realtime(), true
	case linux.CLOCK_MONOTONIC, linux.CLOCK_MONOTONIC_RAW, linux.CLOCK_MONOTONIC_COARSE, linux.CLOCK_BOOTTIME:
		return clock.Nanotime(), true
	case linux.CLOCK_PROCESS_CPUTIME_ID:
		return clock.Nanotime(), true // one CPU, always busy with the kernel
	case linux.CLOCK_THREAD_CPUTIME_ID:
		return int64(sched.Current().Ticks) * sched.TickNanos(), true
	}
	return 0, false
}

//go:nosplit
func sysClockGettime(c *irq.Context) {
	clk, ts, _, _, _, _ := args(c)
	now, ok := clockNow(clk)
	if !ok {
		fail(c, linux.EINVAL)
		return
	}
	writeTimespec(ts, now)
	ret(c, 0)
}

//go:nosplit
func sysClockGetres(c *irq.Context) {
	clk, ts, _, _, _, _ := args(c)
	if _, ok := clockNow(clk); !ok {
		fail(c, linux.EINVAL)
		return
	}
	if ts != 0 {
		res := int64(1) // TSC-backed clocks resolve nanoseconds
		if clk == linux.CLOCK_THREAD_CPUTIME_ID {
			res = sched.TickNanos()
		}
		writeTimespec(ts, res)
	}
	ret(c, 0)
}

//go:nosplit
func sysGettimeofday(c *irq.Context) {
	tv, _, _, _, _, _ := args(c)
	if tv != 0 {
		now := clock.Realtime()
		t := (*linux.Timeval)(at(tv))
		t.Sec = now / 1e9
		t.Usec = now % 1e9 / 1e3
	}
	ret(c, 0)
}

//go:nosplit
func sysTime(c *irq.Context) {
	tloc, _, _, _, _, _ := args(c)
	s := clock.Realtime() / 1e9
	if tloc != 0 {
		*(*int64)(at(tloc)) = s
	}
	ret(c, uint64(s))
}
