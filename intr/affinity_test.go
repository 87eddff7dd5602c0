package intr

import (
	"sync"
	"sync/atomic"
	"testing"

	"sigil/arch"
)

func TestPickCPU(t *testing.T) {
	var load [arch.MaxCPUs]int
	load[0], load[1], load[2] = 2, 1, 1
	for _, c := range []struct {
		cand arch.CPUMask
		cur  int
		want int
	}{
		{0b11, -1, 1},  // the fewest lines
		{0b111, -1, 1}, // a tie goes to the lowest row
		{0b11, 0, 0},   // already there: no move (assign_vector_locked)
		{0b10, 0, 1},   // the current CPU left the mask
		{0b1, -1, 0},
		{0, 0, -1}, // no candidate
		{0b1000, 3, 3},
	} {
		if got := pickCPU(c.cand, c.cur, &load); got != c.want {
			t.Errorf("pickCPU(%#b, %d) = %d, want %d", uint64(c.cand), c.cur, got, c.want)
		}
	}
}

// Entries on several CPUs at once: the handler never runs on two at
// once, and runs once for every entry (each entry that finds it busy
// leaves a note that the holder acts on), give or take the notes that
// coalesce, as IRQS_PENDING does: never fewer runs than the last entry
// needs.
func TestLineRun(t *testing.T) {
	var r lineRun
	var inside, runs, entries atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				entries.Add(1)
				if !r.begin() {
					continue
				}
				for again := true; again; again = r.end() {
					if inside.Add(1) != 1 {
						t.Error("two CPUs in the handler")
					}
					runs.Add(1)
					inside.Add(-1)
				}
			}
		}()
	}
	wg.Wait()
	if r.state.Load() != 0 {
		t.Errorf("left in state %#x", r.state.Load())
	}
	if runs.Load() == 0 || runs.Load() > entries.Load() {
		t.Errorf("%d runs for %d entries", runs.Load(), entries.Load())
	}
	// One entry while another holds the lock makes the holder run again.
	if !r.begin() || r.begin() || !r.end() || r.end() {
		t.Error("a note left while busy was not acted on exactly once")
	}
}
