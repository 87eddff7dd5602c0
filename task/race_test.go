package task

import (
	"sync"
	"sync/atomic"
	"testing"

	"sigil/linux"
	"sigil/sched"
	"sigil/signal"
)

// TestSIGCONTRacingSIGSTOP: SIGCONT's generation (prepare_signal) and a
// stop take the process lock once each, so a stop never leaves a
// continue report pending behind it (Linux's signal_set_stop_flags
// clears SIGNAL_CLD_CONTINUED).
func TestSIGCONTRacingSIGSTOP(t *testing.T) {
	p := newProcess(nil)
	p.publish()
	defer p.reap()
	const n = 200000
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			p.send(nil, signal.Info(int(linux.SIGCONT), linux.SI_USER))
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			p.stop(int(linux.SIGSTOP))
		}
	}()
	bad := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			if bad > 0 {
				t.Errorf("%d times stopped with a continue report pending", bad)
			}
			return
		default:
		}
		p.mu.Lock()
		if p.stopped && p.contPending {
			bad++
		}
		p.mu.Unlock()
	}
}

// TestIDsWhileThreadsComeAndGo: threads cloned and exiting in one process
// while another creates processes and a third lists them. IDs are
// allocated from one table under tableMu and never read from another
// process's thread map (which its own lock guards), so there is no
// concurrent map access and no ID is handed out twice.
func TestIDsWhileThreadsComeAndGo(t *testing.T) {
	p := newProcess(nil)
	p.publish()
	defer p.reap()
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(3)
	seen := make(chan int32, 4*n)
	go func() { // clone(CLONE_THREAD) and the thread's exit, as thread.go does them
		defer wg.Done()
		for i := 0; i < n; i++ {
			th := newThread(sched.UserContext{})
			th.TID, th.p = allocID(), p
			seen <- th.TID
			p.mu.Lock()
			p.threads[th.TID] = th
			p.mu.Unlock()
			p.mu.Lock()
			delete(p.threads, th.TID)
			p.mu.Unlock()
			freeID(th.TID)
		}
	}()
	go func() { // fork and reap
		defer wg.Done()
		for i := 0; i < n; i++ {
			c := newProcess(p)
			seen <- c.PID
			c.publish()
			c.reap()
		}
	}()
	go func() { // ps
		defer wg.Done()
		for i := 0; i < n/10; i++ {
			for _, q := range All() {
				q.Info()
			}
		}
	}()
	wg.Wait()
	close(seen)
	// IDs are reused only after the counter wraps (1<<22), so none repeats.
	used := map[int32]bool{}
	for id := range seen {
		if used[id] {
			t.Fatalf("ID %d handed out twice", id)
		}
		used[id] = true
	}
}

// TestProcLockExcludesInterruptContext has goroutines take a process lock
// while others take it as interrupt context does (tryIRQ); both increment
// one counter inside. A lost update means a holder of each kind at once,
// the check-then-act the lock word replaced.
func TestProcLockExcludesInterruptContext(t *testing.T) {
	var l procLock
	var n, want int
	var wg sync.WaitGroup
	var irqWins atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				l.Lock()
				n++
				l.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 5000; i++ {
				if l.tryIRQ() {
					n++
					l.unlockIRQ()
					irqWins.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	want = 4*5000 + int(irqWins.Load())
	if n != want {
		t.Fatalf("counter %d, want %d", n, want)
	}
}
