// Clocks and sleeps: clock_gettime, clock_getres, gettimeofday, time,
// nanosleep, clock_nanosleep.

package task

import (
	"encoding/binary"
	"time"

	"sigil/clock"
	"sigil/linux"
)

func timespecIn(t *Thread, addr uint64) (time.Duration, error) {
	var b [16]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, linux.EINVAL
	}
	if sec > 1<<33 {
		sec = 1 << 33
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}

func timespecOut(t *Thread, addr uint64, ns int64) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(ns/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9))
	return t.p.as.CopyOut(addr, b[:])
}

// clockNow reads clock clk for user programs.
func clockNow(t *Thread, clk uint64) (int64, error) {
	switch clk {
	case linux.CLOCK_REALTIME, linux.CLOCK_REALTIME_COARSE, linux.CLOCK_TAI:
		return clock.Realtime(), nil
	case linux.CLOCK_MONOTONIC, linux.CLOCK_MONOTONIC_RAW, linux.CLOCK_MONOTONIC_COARSE:
		mono, _ := t.ns().time.offsets()
		return clock.Nanotime() + mono, nil
	case linux.CLOCK_BOOTTIME:
		_, boot := t.ns().time.offsets()
		return clock.Nanotime() + boot, nil
	case linux.CLOCK_PROCESS_CPUTIME_ID, linux.CLOCK_THREAD_CPUTIME_ID:
		return cpuClock(t, clk), nil
	}
	return 0, linux.EINVAL
}

func sysClockGettime(t *Thread, a *args) (uint64, error) {
	now, err := clockNow(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, timespecOut(t, a[1], now)
}

func sysClockGetres(t *Thread, a *args) (uint64, error) {
	if _, err := clockNow(t, a[0]); err != nil {
		return 0, err
	}
	if a[1] == 0 {
		return 0, nil
	}
	return 0, timespecOut(t, a[1], 1)
}

func sysGettimeofday(t *Thread, a *args) (uint64, error) {
	if a[0] == 0 {
		return 0, nil
	}
	now := clock.Realtime()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(now/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(now%1e9/1e3))
	return 0, t.p.as.CopyOut(a[0], b[:])
}

func sysTime(t *Thread, a *args) (uint64, error) {
	s := clock.Realtime() / 1e9
	if a[0] != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(s))
		if err := t.p.as.CopyOut(a[0], b[:]); err != nil {
			return 0, err
		}
	}
	return uint64(s), nil
}

// sleep waits d, or until the process must stop (EINTR).
func (t *Thread) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-t.Interrupted():
		return linux.ERESTARTNOHAND
	}
}

func sysNanosleep(t *Thread, a *args) (uint64, error) {
	d, err := timespecIn(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.sleep(d)
}

func sysClockNanosleep(t *Thread, a *args) (uint64, error) {
	d, err := timespecIn(t, a[2])
	if err != nil {
		return 0, err
	}
	if a[1]&linux.TIMER_ABSTIME != 0 {
		now, err := clockNow(t, a[0])
		if err != nil {
			return 0, err
		}
		d -= time.Duration(now)
	}
	return 0, t.sleep(d)
}
