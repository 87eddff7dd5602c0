package file

import "sync"

// Notifier is a broadcast: Wait gets a channel closed at the next Notify.
type Notifier struct {
	mu sync.Mutex    // guards ch
	ch chan struct{} // closed and replaced by each Notify
}

// NewNotifier makes a Notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Wait returns the channel the next Notify closes.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Notify wakes every holder of Wait's channel.
func (n *Notifier) Notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// Events is notified whenever any pollable file changes state; poll and
// epoll re-check their descriptors then (simple, and correct: a waiter only
// ever sleeps after checking and fetching the channel).
var Events = NewNotifier()
