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
