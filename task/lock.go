package task

import (
	"sync"
	"sync/atomic"

	"sigil/arch"
)

// procLock is a process's lock: Linux's siglock and the process-state
// locks in one. Goroutines hold it across anything (allocation, waking
// others), so it cannot be a spinlock; interrupt context, which serves a
// few signal calls itself (fast.go) and cannot wait, may only try it.
// Both kinds of holder take the same lock word, so a signal-state change
// made in interrupt context on one CPU excludes goroutines on every CPU
// and the other way round: no check-then-act.
//
// A goroutine takes mu (ordering goroutines, sleeping while contended),
// then the word, spinning only while interrupt context on another CPU has
// it for a few hundred instructions. On one CPU interrupt context runs to
// completion before the goroutine it interrupted resumes, so that spin
// never happens there.
type procLock struct {
	mu   sync.Mutex
	word atomic.Uint32 // 1 while held, by a goroutine or by interrupt context
}

func (l *procLock) Lock() {
	l.mu.Lock()
	for !l.word.CompareAndSwap(0, 1) {
		arch.Pause()
	}
}

func (l *procLock) Unlock() {
	l.word.Store(0)
	l.mu.Unlock()
}

// tryIRQ takes the lock for interrupt context if no one holds it.
//
//go:nosplit
func (l *procLock) tryIRQ() bool { return l.word.CompareAndSwap(0, 1) }

// unlockIRQ releases what tryIRQ took.
//
//go:nosplit
func (l *procLock) unlockIRQ() { l.word.Store(0) }
