package mm

import (
	"runtime"
	"sync"
	"testing"

	"sigil/arch"
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

// TestTablesConcurrent: one space's tables changed by range operations
// (map, write, protect, unmap) while other goroutines, as other CPUs
// would, copy through them, resolve user faults and read them. Each
// operation takes the tables lock for itself (lockTables); without it,
// the race detector reports the tables' words written and read at once,
// and frames can be freed under a copy. Afterwards every frame and table
// is back.
func TestTablesConcurrent(t *testing.T) {
	_, user := userSpace(t)
	base := Stats().InUse
	const va, pages = 0x400000, 64
	rw := Demand(PTEWrite | PTEUser | PTENX)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			b := make([]byte, 8)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%64 == 0 {
					runtime.Gosched() // host goroutines are not CPUs: let a lock holder run
				}
				a := uintptr(va + (i*7+g)%pages*PageSize)
				switch g {
				case 0:
					CopyInIRQ(arch.This(), user, b, a)
					CopyOutIRQ(arch.This(), user, a, b)
				case 1:
					UserFault(user, a, i%2 == 0)
					in(user, b, a)
				default:
					Entry(user, a)
					Resident(user, va, va+pages*PageSize)
					TablePages(user)
				}
			}
		}(g)
	}
	for i := 0; i < 300; i++ {
		SetRange(user, va, va+pages*PageSize, rw, true)
		out(user, va+uintptr(i%pages)*PageSize, []byte{byte(i)})
		Protect(user, va, va+pages/2*PageSize, PTEUser|PTENX, true)
		Discard(user, va+pages/2*PageSize, va+pages*PageSize)
		SetRange(user, va, va+pages*PageSize, 0, true)
	}
	close(stop)
	wg.Wait()
	if got := Stats().InUse; got != base {
		t.Errorf("%d frames in use after everything was unmapped, want %d", got, base)
	}
	if !ZeroedListClean() {
		t.Error("a table freed as zeroed is not zero")
	}
}
