package task

import (
	"sync"
	"sync/atomic"
)

// procMutex is a process's lock, which interrupt context can test but never
// takes. Interrupt context serves a few signal calls itself (fast.go); it
// cannot wait, so it goes ahead only when no goroutine is inside a
// critical section it could have interrupted, and falls back to the
// thread's goroutine otherwise. Held is set once Lock has the mutex and
// cleared before Unlock gives it up, so while it reads false every
// protected field is as its last holder left it. On one CPU with IF clear,
// no goroutine can enter meanwhile: interrupt context needs no lock of its
// own.
type procMutex struct {
	mu   sync.Mutex
	held atomic.Bool
}

func (m *procMutex) Lock() {
	m.mu.Lock()
	m.held.Store(true)
}

func (m *procMutex) Unlock() {
	m.held.Store(false)
	m.mu.Unlock()
}

// Held reports whether a goroutine is inside a critical section.
//
//go:nosplit
func (m *procMutex) Held() bool { return m.held.Load() }
