package task

import "sync"

// notifier is a broadcast: wait gets a channel closed at the next notify.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// pollEvents is notified whenever any pollable file changes state; poll and
// epoll re-check their descriptors then (simple, and correct: a waiter only
// ever sleeps after checking and fetching the channel).
var pollEvents = newNotifier()
