// Package ptimer holds the rules of Linux's interval timers that need no
// hardware: the layouts of struct itimerspec and struct sigevent, which
// sigevents timer_create accepts (good_sigevent), and an hrtimer's
// arithmetic — forwarding an expiry past now by whole intervals and
// counting them, which is where POSIX timer overruns come from
// (kernel/time/posix-timers.c, kernel/time/hrtimer.c).
package ptimer

import (
	"encoding/binary"

	"sigil/linux"
)

// Spec is struct itimerspec in nanoseconds: the first expiry (Value; 0
// disarms) and the period after it (Interval; 0 fires once).
type Spec struct{ Interval, Value int64 }

// SpecSize is sizeof(struct itimerspec) on x86-64.
const SpecSize = 32

// ParseSpec reads a struct itimerspec: EINVAL unless both timespecs are
// valid (timespec64_valid: seconds not negative, nanoseconds in [0, 1e9)).
func ParseSpec(b []byte) (Spec, error) {
	iv, ok1 := timespec(b[0:16])
	v, ok2 := timespec(b[16:32])
	if !ok1 || !ok2 {
		return Spec{}, linux.EINVAL
	}
	return Spec{Interval: iv, Value: v}, nil
}

func timespec(b []byte) (int64, bool) {
	sec, nsec := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, false
	}
	if sec >= (1<<63-1)/1_000_000_000 {
		return 1<<63 - 1, true // KTIME_MAX: timespec64_to_ktime saturates
	}
	return sec*1e9 + nsec, true
}

// Bytes is the struct itimerspec for s.
func (s Spec) Bytes() [SpecSize]byte {
	var b [SpecSize]byte
	for i, ns := range []int64{s.Interval, s.Value} {
		binary.LittleEndian.PutUint64(b[16*i:], uint64(ns/1e9))
		binary.LittleEndian.PutUint64(b[16*i+8:], uint64(ns%1e9))
	}
	return b
}

// Event is what the kernel reads of a struct sigevent (64 bytes on
// x86-64): sigev_value at 0, sigev_signo at 8, sigev_notify at 12 and the
// thread of SIGEV_THREAD_ID at 16.
type Event struct {
	Value  uint64
	Signo  int32
	Notify int32
	TID    int32
}

// EventSize is sizeof(struct sigevent).
const EventSize = 64

// ParseEvent reads a struct sigevent.
func ParseEvent(b []byte) Event {
	return Event{Value: binary.LittleEndian.Uint64(b), Signo: int32(binary.LittleEndian.Uint32(b[8:])),
		Notify: int32(binary.LittleEndian.Uint32(b[12:])), TID: int32(binary.LittleEndian.Uint32(b[16:]))}
}

// Check is good_sigevent: SIGEV_NONE; SIGEV_SIGNAL or SIGEV_THREAD (which
// the C library builds on a signal) with a signal in 1..SIGRTMAX; or
// SIGEV_THREAD_ID, whose thread must be in the caller's thread group
// (inGroup). Anything else is EINVAL.
func (e Event) Check(inGroup func(tid int32) bool) error {
	switch e.Notify {
	case linux.SIGEV_NONE:
		return nil
	case linux.SIGEV_SIGNAL | linux.SIGEV_THREAD_ID:
		if !inGroup(e.TID) {
			return linux.EINVAL
		}
		fallthrough
	case linux.SIGEV_SIGNAL, linux.SIGEV_THREAD:
		if e.Signo <= 0 || e.Signo > int32(linux.SIGRTMAX) {
			return linux.EINVAL
		}
		return nil
	}
	return linux.EINVAL
}

// Timer is an hrtimer's state: when it next expires, on its clock, and
// its period.
type Timer struct {
	Expiry   int64 // nanoseconds on the timer's clock
	Interval int64 // 0: fires once
}

// Forward moves a periodic timer's expiry past now by whole intervals
// and returns how many it moved (hrtimer_forward): 0 if it lies ahead
// already. An expiry more than one interval behind counts each interval
// it missed, which a POSIX timer reports as overruns.
func (t *Timer) Forward(now int64) int64 {
	delta := now - t.Expiry
	if delta < 0 || t.Interval <= 0 {
		return 0
	}
	n := delta/t.Interval + 1
	t.Expiry += n * t.Interval
	return n
}

// Remaining is how long until the expiry, at now; negative once past.
func (t *Timer) Remaining(now int64) int64 { return t.Expiry - now }
