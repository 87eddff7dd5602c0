package irq

import "testing"

// TestSpuriousNote: Linux's note_interrupt rules, driven by a fake clock.
func TestSpuriousNote(t *testing.T) {
	type run struct {
		n       int    // interrupts
		ret     Return // each answered so
		stepNs  int64  // the clock advances this much before each
		handled int    // every handled-th is Handled instead (0: none)
	}
	const us = 1000
	cases := []struct {
		name  string
		runs  []run
		stuck bool // the last interrupt ends a window with the line stuck
		at    int  // index (1-based) of the interrupt that disables, 0: none
	}{
		{"all unhandled, fast", []run{{n: StormWindow, ret: None, stepNs: 10 * us}}, true, StormWindow},
		{"one short of a window", []run{{n: StormWindow - 1, ret: None, stepNs: us}}, false, 0},
		{"all handled", []run{{n: 3 * StormWindow, ret: Handled, stepNs: us}}, false, 0},
		// 99,901 unhandled of 100,000 is stuck; 99,900 is not (strictly more).
		{"99900 unhandled + 100 handled", []run{{n: 100, ret: Handled, stepNs: us}, {n: 99900, ret: None, stepNs: us}}, false, 0},
		{"99 handled then 99901 unhandled", []run{{n: 99, ret: Handled, stepNs: us}, {n: 99901, ret: None, stepNs: us}}, true, StormWindow},
		// Unhandled interrupts 101 ms apart never count past one.
		{"slow unhandled", []run{{n: 2 * StormWindow, ret: None, stepNs: 101_000_000}}, false, 0},
		// Exactly 100 ms apart is not "after" the gap: they add up.
		{"unhandled 100 ms apart", []run{{n: StormWindow, ret: None, stepNs: 100_000_000}}, true, StormWindow},
		// A gap in the middle restarts the unhandled count from one.
		{"gap mid-window", []run{{n: 50000, ret: None, stepNs: us}, {n: 1, ret: None, stepNs: 200_000_000}, {n: 49999, ret: None, stepNs: us}}, false, 0},
		// Next window, after a gap early in the first: the second is all unhandled.
		{"stuck in the second window", []run{{n: 50000, ret: None, stepNs: us}, {n: 1, ret: None, stepNs: 200_000_000}, {n: 49999 + StormWindow, ret: None, stepNs: us}}, true, 2 * StormWindow},
		// One in 500 handled (200 of 100,000): not stuck.
		{"shared line, 0.2% handled", []run{{n: 2 * StormWindow, ret: None, stepNs: us, handled: 500}}, false, 0},
		// One in 2000 handled (50 of 100,000): stuck.
		{"0.05% handled", []run{{n: StormWindow, ret: None, stepNs: us, handled: 2000}}, true, StormWindow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s Spurious
			now := int64(5_000_000_000)
			i, at := 0, 0
			for _, r := range c.runs {
				for k := 1; k <= r.n; k++ {
					now += r.stepNs
					ret := r.ret
					if r.handled > 0 && k%r.handled == 0 {
						ret = Handled
					}
					i++
					if s.Note(ret, now) && at == 0 {
						at = i
					}
				}
			}
			if (at != 0) != c.stuck || at != c.at {
				t.Errorf("disabled at interrupt %d, want %d (stuck %v)", at, c.at, c.stuck)
			}
		})
	}
}
