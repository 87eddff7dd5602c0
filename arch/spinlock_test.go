package arch

import (
	"sync"
	"testing"
)

// TestSpinlockExcludes runs goroutines that increment a counter under one
// spinlock; a lost update means two holders at once.
func TestSpinlockExcludes(t *testing.T) {
	var l Spinlock
	var n int
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20000; i++ {
				l.Lock()
				n++
				l.Unlock()
			}
		}()
	}
	wg.Wait()
	if n != 8*20000 {
		t.Fatalf("counter %d, want %d: the lock let two holders in", n, 8*20000)
	}
}

func TestSpinlockHeld(t *testing.T) {
	var l Spinlock
	if l.Held() {
		t.Fatal("a free lock reads as held")
	}
	l.Lock()
	if !l.Held() {
		t.Fatal("a held lock reads as free")
	}
	l.Unlock()
	if l.Held() {
		t.Fatal("released lock reads as held")
	}
}

func TestSpinlockMisuse(t *testing.T) {
	var l Spinlock
	mustPanic(t, "release of a free lock", func() { l.Unlock() })
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}

// TestSpinlockIRQ: the interrupt-context pair excludes the goroutine pair
// and is told apart from it on release.
func TestSpinlockIRQ(t *testing.T) {
	var l Spinlock
	var n int
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if g%2 == 0 {
					l.LockIRQ()
					n++
					l.UnlockIRQ()
				} else {
					l.Lock()
					n++
					l.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	if n != 4000 {
		t.Errorf("n = %d, want 4000", n)
	}
	l.Lock()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("UnlockIRQ of a Lock'd lock did not panic")
			}
		}()
		l.UnlockIRQ()
	}()
	l.Unlock()
}
