package clock

import (
	"testing"
	"time"
)

func TestRTCToUnix(t *testing.T) {
	cases := []struct {
		raw     rtcTime
		statusB uint8
		want    time.Time
	}{
		// BCD, 24 hour: 2026-11-22 13:45:07.
		{rtcTime{0x07, 0x45, 0x13, 0x22, 0x11, 0x26, 0x20}, statusB24Hour, time.Date(2026, 11, 22, 13, 45, 7, 0, time.UTC)},
		// Binary, 12 hour, PM: 1999-12-31 11:59:59 PM.
		{rtcTime{59, 59, 11 | hourPM, 31, 12, 99, 19}, statusBBinary, time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)},
		// 12 AM is hour 0; leap day.
		{rtcTime{0, 0, 12, 29, 2, 24, 20}, statusBBinary, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{rtcTime{0, 0, 0, 1, 1, 0x70, 0x19}, statusB24Hour, time.Unix(0, 0)},
	}
	for _, c := range cases {
		if got := rtcToUnix(c.raw, c.statusB); got != c.want.Unix() {
			t.Errorf("%+v: got %v, want %v", c.raw, time.Unix(got, 0).UTC(), c.want)
		}
	}
}

func TestDaysFromCivil(t *testing.T) {
	for d := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2500; d = d.AddDate(0, 0, 13) {
		if got, want := daysFromCivil(int64(d.Year()), int64(d.Month()), int64(d.Day())), d.Unix()/86400; got != want {
			t.Fatalf("%v: %d, want %d", d, got, want)
		}
	}
}

func TestTSCToNanos(t *testing.T) {
	tscHz = 2_500_000_000
	nsPerTick = (uint64(1e9) << 32) / tscHz
	for _, c := range []struct {
		ticks uint64
		ns    int64
	}{
		{2_500_000_000, 1e9},
		{2_500_000_000 * 3600 * 24 * 365, 1e9 * 3600 * 24 * 365},
		{25, 10},
	} {
		got := TSCToNanos(c.ticks)
		if d := got - c.ns; d > c.ns/1e6+1 || d < -(c.ns/1e6+1) {
			t.Errorf("TSCToNanos(%d) = %d, want %d", c.ticks, got, c.ns)
		}
	}
}

// NanosToTSC is TSCToNanos's inverse rounded up: the first count that
// converts back to at least ns, and deadlines past the TSC's range are
// never.
func TestNanosToTSC(t *testing.T) {
	for _, hz := range []uint64{1_000_000_000, 2_100_000_123, 3_600_000_000} {
		tscHz, tscBoot = hz, 12345
		nsPerTick = (uint64(1e9) << 32) / tscHz
		for _, ns := range []int64{1, 999, 1_000_000, 4_000_001, 86_400_000_000_000, 1 << 50} {
			c := NanosToTSC(ns)
			if got, before := TSCToNanos(c-tscBoot), TSCToNanos(c-1-tscBoot); got < ns || before >= ns {
				t.Errorf("hz %d: NanosToTSC(%d) = %d, back %d ns (one count before %d)", hz, ns, c, got, before)
			}
		}
		if got := NanosToTSC(1<<63 - 1); hz > 2e9 && got != ^uint64(0) {
			t.Errorf("hz %d: NanosToTSC(max) = %d, want never", hz, got)
		}
		if got := NanosToTSC(0); got != tscBoot {
			t.Errorf("NanosToTSC(0) = %d, want boot's %d", got, tscBoot)
		}
	}
}
