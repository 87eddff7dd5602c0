package filelock

import (
	"container/list"
	"sync"
)

// Inode names a locked file in /proc/locks: its device and inode number.
type Inode struct{ Dev, Ino uint64 }

// Table is every file's locks (each inode's file_lock_context) and the
// POSIX requests waiting for a lock (the global blocked_hash). One mutex
// guards all of it, as Linux's blocked_lock_lock guards deadlock
// detection across files.
type Table struct {
	mu      sync.Mutex
	files   map[any]*fileLocks // guarded by mu; a file leaves when it holds no lock
	blocked []*Waiter          // guarded by mu: POSIX (not OFD) waiters, oldest first
	seq     uint64             // guarded by mu: insertions so far
}

// fileLocks is one file's file_lock_context. Guarded by Table.mu.
type fileLocks struct {
	ino   Inode
	posix *list.List // of *held: POSIX and OFD locks, each owner's together by start
	flock *list.List // of *held: flock locks, oldest first
}

// held is a lock in a file's list with the requests waiting for it
// (fl_blocked_requests).
type held struct {
	Lock
	waiters []*Waiter
}

// Waiter is a request that found a conflicting lock and waits for it to
// change (FILE_LOCK_DEFERRED).
type Waiter struct {
	req     Lock
	blocker *held
	done    chan struct{}
}

// Done is closed when the lock waited for is released or changed: the
// caller then asks again.
func (w *Waiter) Done() <-chan struct{} { return w.done }

// file returns key's locks, made on first use when create says so.
// t.mu is held.
func (t *Table) file(key any, ino Inode, create bool) *fileLocks {
	if fl := t.files[key]; fl != nil || !create {
		return fl
	}
	if t.files == nil {
		t.files = map[any]*fileLocks{}
	}
	fl := &fileLocks{ino: ino, posix: list.New(), flock: list.New()}
	t.files[key] = fl
	return fl
}

// tidy forgets key once it holds no lock. t.mu is held.
func (t *Table) tidy(key any, fl *fileLocks) {
	if fl != nil && fl.posix.Len() == 0 && fl.flock.Len() == 0 {
		delete(t.files, key)
	}
}

// newHeld copies l into a lock for a file's list. t.mu is held.
func (t *Table) newHeld(l Lock) *held {
	t.seq++
	l.seq = t.seq
	return &held{Lock: l}
}

// block queues a waiter for h (__locks_insert_block); POSIX waiters
// also enter the blocked list deadlock detection walks. t.mu is held.
func (t *Table) block(h *held, req Lock) *Waiter {
	w := &Waiter{req: req, blocker: h, done: make(chan struct{})}
	h.waiters = append(h.waiters, w)
	if req.Class == Posix {
		t.blocked = append(t.blocked, w)
	}
	return w
}

// wake releases every waiter of h (locks_wake_up_blocks): h was removed
// or shrunk, so each asks again. t.mu is held.
func (t *Table) wake(h *held) {
	for _, w := range h.waiters {
		t.unblock(w)
		close(w.done)
	}
	h.waiters = nil
}

// unblock takes w off the blocked list (locks_delete_global_blocked).
// t.mu is held.
func (t *Table) unblock(w *Waiter) {
	for i, b := range t.blocked {
		if b == w {
			t.blocked = append(t.blocked[:i], t.blocked[i+1:]...)
			break
		}
	}
	w.blocker = nil
}

// Cancel abandons a wait (locks_delete_block), as a request interrupted
// by a signal does. Cancelling a woken waiter does nothing.
func (t *Table) Cancel(w *Waiter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := w.blocker
	if h == nil {
		return
	}
	for i, o := range h.waiters {
		if o == w {
			h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
			break
		}
	}
	t.unblock(w)
}

// remove deletes e's lock from l and wakes its waiters
// (locks_delete_lock_ctx). t.mu is held.
func (t *Table) remove(l *list.List, e *list.Element) {
	t.wake(e.Value.(*held))
	l.Remove(e)
}

// Set applies a request to file key's locks: flock_lock_inode for a
// Flock request, posix_lock_inode for the others. ino names the file in
// /proc/locks. A conflict is EAGAIN, or with wait a Waiter to wait on
// (or EDEADLK when the wait would never end).
func (t *Table) Set(key any, ino Inode, req Lock, wait bool) (*Waiter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.file(key, ino, req.Type != Unlock)
	if fl == nil {
		return nil, nil // nothing to unlock
	}
	defer t.tidy(key, fl)
	if req.Class == Flock {
		return t.flockSet(fl, req, wait)
	}
	return t.posixSet(fl, req, wait)
}

// RemovePosix drops owner's POSIX or OFD locks on key
// (locks_remove_posix): a process's POSIX locks go when it closes any
// descriptor of the file, an OFD lock when its description goes.
func (t *Table) RemovePosix(key any, owner any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.files[key]
	if fl == nil || fl.posix.Len() == 0 {
		return
	}
	t.posixSet(fl, Lock{Class: Posix, Type: Unlock, Start: 0, End: OffsetMax, Owner: owner}, false)
	t.tidy(key, fl)
}

// RemoveFile drops the locks an open file description owns when its
// last reference goes (locks_remove_file): its OFD and flock locks.
func (t *Table) RemoveFile(key any, desc any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.files[key]
	if fl == nil {
		return
	}
	if fl.posix.Len() > 0 {
		t.posixSet(fl, Lock{Class: OFD, Type: Unlock, Start: 0, End: OffsetMax, Owner: desc}, false)
	}
	t.flockSet(fl, Lock{Class: Flock, Type: Unlock, Owner: desc}, false)
	t.tidy(key, fl)
}

// Locked reports whether key has any lock (so callers can skip work).
func (t *Table) Locked(key any) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.files[key] != nil
}
