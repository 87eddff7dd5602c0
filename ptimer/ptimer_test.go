package ptimer

import (
	"encoding/binary"
	"testing"

	"sigil/linux"
)

func spec(isec, insec, vsec, vnsec int64) []byte {
	b := make([]byte, SpecSize)
	for i, v := range []int64{isec, insec, vsec, vnsec} {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	return b
}

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec(spec(1, 5, 0, 999999999))
	if err != nil || s.Interval != 1e9+5 || s.Value != 999999999 {
		t.Errorf("ParseSpec = %+v, %v", s, err)
	}
	if b := s.Bytes(); string(b[:]) != string(spec(1, 5, 0, 999999999)) {
		t.Error("Bytes does not round-trip")
	}
	for _, bad := range [][]byte{spec(0, 1e9, 0, 0), spec(0, 0, -1, 0), spec(0, -1, 0, 0), spec(0, 0, 0, 1e9)} {
		if _, err := ParseSpec(bad); err != linux.EINVAL {
			t.Errorf("ParseSpec(% x) = %v, want EINVAL", bad, err)
		}
	}
}

func TestEventCheck(t *testing.T) {
	mine := func(tid int32) bool { return tid == 7 }
	for _, c := range []struct {
		e    Event
		want error
	}{
		{Event{Notify: linux.SIGEV_NONE, Signo: 999}, nil},
		{Event{Notify: linux.SIGEV_SIGNAL, Signo: 64}, nil},
		{Event{Notify: linux.SIGEV_SIGNAL, Signo: 65}, linux.EINVAL},
		{Event{Notify: linux.SIGEV_SIGNAL, Signo: 0}, linux.EINVAL},
		{Event{Notify: linux.SIGEV_THREAD, Signo: 14}, nil},
		{Event{Notify: linux.SIGEV_THREAD_ID, Signo: 14, TID: 7}, nil},
		{Event{Notify: linux.SIGEV_THREAD_ID, Signo: 14, TID: 8}, linux.EINVAL},
		{Event{Notify: linux.SIGEV_THREAD_ID, Signo: 0, TID: 7}, linux.EINVAL},
		{Event{Notify: 3, Signo: 14}, linux.EINVAL},
		{Event{Notify: linux.SIGEV_THREAD_ID | linux.SIGEV_NONE, Signo: 14, TID: 7}, linux.EINVAL},
	} {
		if got := c.e.Check(mine); got != c.want {
			t.Errorf("%+v: %v, want %v", c.e, got, c.want)
		}
	}
}

// TestForward: a timer delivered late counts the periods it missed; one
// on time counts one move and no overrun.
func TestForward(t *testing.T) {
	tm := Timer{Expiry: 100, Interval: 10}
	if n := tm.Forward(50); n != 0 || tm.Expiry != 100 {
		t.Errorf("before expiry: %d, %d", n, tm.Expiry)
	}
	if n := tm.Forward(100); n != 1 || tm.Expiry != 110 {
		t.Errorf("at expiry: %d, %d", n, tm.Expiry)
	}
	if n := tm.Forward(145); n != 4 || tm.Expiry != 150 {
		t.Errorf("late: %d, %d", n, tm.Expiry)
	}
	one := Timer{Expiry: 5}
	if n := one.Forward(100); n != 0 || one.Remaining(100) != -95 {
		t.Errorf("one-shot forward %d remaining %d", n, one.Remaining(100))
	}
}

func FuzzForward(f *testing.F) {
	f.Add(int64(100), int64(10), int64(145))
	f.Fuzz(func(t *testing.T, expiry, interval, now int64) {
		if interval <= 0 || expiry < 0 || now < 0 || now-expiry > 1<<40 || interval > 1<<40 {
			return
		}
		tm := Timer{Expiry: expiry, Interval: interval}
		n := tm.Forward(now)
		if tm.Expiry <= now && n > 0 || tm.Expiry-n*interval != expiry || n > 0 && tm.Expiry-interval > now {
			t.Errorf("Forward(%d) from %d by %d: n %d expiry %d", now, expiry, interval, n, tm.Expiry)
		}
	})
}
