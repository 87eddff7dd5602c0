// Package clock keeps time: a TSC calibrated against the 8254 PIT gives the
// monotonic clock, and the CMOS RTC read at boot anchors the realtime clock.
// The PIT also provides the periodic tick in PIC mode.
//
// Everything is //go:nosplit: the clock is read by system calls the Go
// runtime makes and by the timer interrupt.
package clock

import (
	"math/bits"

	"sigil/arch"
)

var (
	tscHz      uint64 // TSC ticks per second
	tscBoot    uint64 // TSC at calibration: monotonic time zero
	nsPerTick  uint64 // ns per TSC tick as a 32.32 fixed-point number
	realAtBoot int64  // realtime (ns since the epoch) at monotonic zero
)

// TSCHz returns the calibrated TSC frequency.
//
//go:nosplit
func TSCHz() uint64 { return tscHz }

// Init calibrates the TSC and reads the RTC.
//
//go:nosplit
func Init() {
	tscHz = calibrateTSC()
	nsPerTick = (uint64(1e9) << 32) / tscHz
	tscBoot = arch.RDTSC()
	realAtBoot = readRTC()*1e9 - Nanotime()
}

// TSCToNanos converts a TSC interval to nanoseconds.
//
//go:nosplit
func TSCToNanos(d uint64) int64 {
	hi, lo := bits.Mul64(d, nsPerTick)
	return int64(hi<<32 | lo>>32)
}

// NanosToTSC returns the TSC reading at which the monotonic clock reaches
// ns: the first count whose Nanotime is at least ns (TSCToNanos inverted,
// rounding up through the same fixed point).
//
//go:nosplit
func NanosToTSC(ns int64) uint64 {
	if ns <= 0 {
		return tscBoot
	}
	hi, lo := uint64(ns)>>32, uint64(ns)<<32
	if hi >= nsPerTick {
		return ^uint64(0) // past the TSC's range: never
	}
	q, r := bits.Div64(hi, lo, nsPerTick)
	if r != 0 {
		q++
	}
	return tscBoot + q
}

// Nanotime returns nanoseconds since calibration (CLOCK_MONOTONIC).
//
//go:nosplit
func Nanotime() int64 { return TSCToNanos(arch.RDTSC() - tscBoot) }

// Realtime returns nanoseconds since the Unix epoch (CLOCK_REALTIME).
//
//go:nosplit
func Realtime() int64 { return realAtBoot + Nanotime() }

// SetRealtime steps the realtime clock to ns since the epoch.
//
//go:nosplit
func SetRealtime(ns int64) { realAtBoot = ns - Nanotime() }
