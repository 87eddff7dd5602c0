package file

import "sync"

// Notifier is a broadcast: Wait gets a channel closed at the next Notify.
// Notify allocates nothing (the bottom half of an interrupt calls it on
// its way to a queued signal): the channel that replaces the closed one is
// made by Wait, on the waiting side, before anyone can need it.
type Notifier struct {
	mu   sync.Mutex    // guards ch and next
	ch   chan struct{} // closed and replaced by each Notify
	next chan struct{} // ch's replacement, made by the first Wait on ch
}

// NewNotifier makes a Notifier.
func NewNotifier() *Notifier { return &Notifier{ch: make(chan struct{})} }

// Wait returns the channel the next Notify closes.
func (n *Notifier) Wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.next == nil {
		n.next = make(chan struct{})
	}
	return n.ch
}

// Notify wakes every holder of Wait's channel. With no holder (no Wait
// since the last Notify) there is no one to wake and the channel stays.
func (n *Notifier) Notify() {
	n.mu.Lock()
	if n.next != nil {
		close(n.ch)
		n.ch, n.next = n.next, nil
	}
	n.mu.Unlock()
}

// Events is notified whenever any pollable file changes state; poll and
// epoll re-check their descriptors then (simple, and correct: a waiter only
// ever sleeps after checking and fetching the channel).
var Events = NewNotifier()
