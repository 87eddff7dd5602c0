package mm

import (
	"sync"
	"testing"
)

// TestFramesConcurrent: goroutines allocating and freeing at once (as
// CPUs will) leave the allocator's counters and lists consistent, which
// they do only because frames.lock serialises them.
func TestFramesConcurrent(t *testing.T) {
	fakePhys(t, 8<<20)
	before := Stats()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var held []uint64
			for i := 0; i < 2000; i++ {
				var pa uint64
				var ok bool
				if i%2 == 0 {
					pa, ok = AllocZeroed(KindAnon)
				} else {
					pa, ok = AllocFrame(KindKernel)
				}
				if ok {
					held = append(held, pa)
				}
				if len(held) > 16 || !ok {
					for _, pa := range held {
						Unref(pa)
					}
					held = held[:0]
				}
			}
			for _, pa := range held {
				Unref(pa)
			}
		}(g)
	}
	wg.Wait()
	after := Stats()
	if after.InUse != before.InUse || after.ByKind != before.ByKind {
		t.Errorf("after balanced use: %+v, want %+v", after, before)
	}
	// Every frame is still handed out exactly once: take them all.
	seen := map[uint64]bool{}
	for {
		pa, ok := AllocFrame(KindKernel)
		if !ok {
			break
		}
		if seen[pa] {
			t.Fatalf("frame %#x handed out twice", pa)
		}
		seen[pa] = true
	}
	if uint64(len(seen)) != before.Free {
		t.Errorf("%d frames left, want %d", len(seen), before.Free)
	}
}
