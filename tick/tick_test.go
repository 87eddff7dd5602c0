package tick

import "testing"

// TestTicksTo: the next event falls on the grid of ticks after the last
// one, at the first tick at or after a deadline within Stride, else at the
// housekeeping tick; a deadline already past, or due before the next
// tick, takes the next tick.
func TestTicksTo(t *testing.T) {
	periodTSC = 1000
	const base = 50_000
	for _, c := range []struct {
		d    uint64
		want uint64
	}{
		{never, Stride},
		{0, 1},                             // long past
		{base, 1},                          // due now
		{base + 1, 1},                      // before the next tick
		{base + 1000, 1},                   // at the next tick
		{base + 1001, 2},                   // just after it: the tick after
		{base + 2000, 2},                   //
		{base + 3999, 4},                   //
		{base + 4000, Stride},              // the housekeeping tick itself
		{base + 4001, Stride},              // beyond it: housekeeping first
		{base + 1_000_000_000_000, Stride}, // far
	} {
		if got := ticksTo(base, c.d, Stride); got != c.want {
			t.Errorf("ticksTo(base, base%+d) = %d, want %d", int64(c.d-base), got, c.want)
		}
	}
	// An idle CPU's stride: a deadline within it still comes first.
	if got := ticksTo(base, base+3_500, IdleStride); got != 4 {
		t.Errorf("idle: deadline 3.5 ticks on: %d, want 4", got)
	}
	if got := ticksTo(base, never, IdleStride); got != IdleStride {
		t.Errorf("idle: no deadline: %d, want %d", got, IdleStride)
	}
}

// TestEventPlans: the next event after one that fired keeps the grid (or
// re-phases at now when taken too late); a deadline brings an armed event
// forward only to an earlier tick and never moves a due one; leaving idle
// charges the whole ticks from the idle event's start to now to idle and
// arms the housekeeping tick after them.
func TestEventPlans(t *testing.T) {
	periodTSC = 1000
	const p = 1000
	fired := event{target: 100 * p, ticks: Stride}

	// next: on the grid, Stride on; an idle CPU's far one; a deadline's
	// tick first; taken too late, one period after now.
	for _, c := range []struct {
		now, d, stride uint64
		want           event
	}{
		{100*p + 50, never, Stride, event{104 * p, 4}},
		{100*p + 50, never, IdleStride, event{(100 + IdleStride) * p, IdleStride}},
		{100*p + 50, 102*p + 1, IdleStride, event{103 * p, 3}},
		{100*p + 50, 10 * p, Stride, event{101 * p, 1}}, // a deadline past: the next tick
		{105*p + 7, never, Stride, event{106*p + 7, 1}}, // taken 5 periods late
	} {
		if got := fired.next(c.now, c.d, c.stride); got != c.want {
			t.Errorf("next(now %d, d %d, stride %d) = %+v, want %+v", c.now, c.d, c.stride, got, c.want)
		}
	}

	// reprogram: an event of 4 ticks from 100p (target 104p).
	armedE := event{target: 104 * p, ticks: 4}
	if got, ok := armedE.reprogram(101*p, 101*p+300); !ok || got != (event{102 * p, 2}) {
		t.Errorf("reprogram to 101.3p: %+v %v, want {102p 2} true", got, ok)
	}
	if _, ok := armedE.reprogram(101*p, 104*p); ok {
		t.Error("reprogram to the armed tick itself moved it")
	}
	if _, ok := armedE.reprogram(101*p, never); ok {
		t.Error("reprogram without a deadline moved it")
	}
	if _, ok := armedE.reprogram(104*p+1, 102*p); ok {
		t.Error("reprogram moved an event already due")
	}
	if _, ok := (event{101 * p, 1}).reprogram(100*p+10, 100*p+20); ok {
		t.Error("reprogram moved a one-tick event")
	}

	// resume: an idle event armed at 100p for IdleStride ticks, left at
	// 537.4p: 437 ticks idle, the grid at 537p, the next event at 541p,
	// or 539p for a deadline at 538.5p.
	idleE := event{target: (100 + IdleStride) * p, ticks: IdleStride}
	idle, at, ne, ok := idleE.resume(537*p+400, never)
	if !ok || idle != 437 || at != 537*p || ne != (event{541 * p, 4}) {
		t.Errorf("resume = idle %d at %d %+v %v, want 437 537p {541p 4} true", idle, at, ne, ok)
	}
	if _, _, ne, _ := idleE.resume(537*p+400, 538*p+500); ne != (event{539 * p, 2}) {
		t.Errorf("resume with a deadline at 538.5p armed %+v, want {539p 2}", ne)
	}
	if idle, _, ne, ok := idleE.resume(100*p+10, never); !ok || idle != 0 || ne != (event{104 * p, 4}) {
		t.Errorf("resume at once: idle %d %+v %v, want 0 {104p 4} true", idle, ne, ok)
	}
	if _, _, _, ok := idleE.resume((100+IdleStride)*p, never); ok {
		t.Error("resume replaced an idle event already due")
	}
	if _, _, _, ok := armedE.resume(101*p, never); ok {
		t.Error("resume replaced a housekeeping event")
	}
}
