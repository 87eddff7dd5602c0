package filelock

import (
	"container/list"

	"sigil/linux"
)

// posixSet is posix_lock_inode for POSIX and OFD requests: a conflict
// with another owner's lock fails or waits; otherwise the owner's locks
// in the range are replaced, split or merged so that each owner's list
// stays sorted, without overlaps, with adjacent locks of one type
// merged. t.mu is held.
func (t *Table) posixSet(fl *fileLocks, req Lock, wait bool) (*Waiter, error) {
	if req.Type != Unlock {
		for e := fl.posix.Front(); e != nil; e = e.Next() {
			h := e.Value.(*held)
			if !posixConflict(&req, &h.Lock) {
				continue
			}
			if !wait {
				return nil, linux.EAGAIN
			}
			if t.deadlock(&req, &h.Lock) {
				return nil, linux.EDEADLK
			}
			return t.block(h, req), nil
		}
	}

	// Find the first old lock with the same owner as the new one.
	e := fl.posix.Front()
	for e != nil && e.Value.(*held).Owner != req.Owner {
		e = e.Next()
	}
	// request is the caller's lock until it becomes one in the list.
	request := &held{Lock: req}
	var left, right *held
	added := false
	for e != nil {
		next := e.Next()
		h := e.Value.(*held)
		if h.Owner != req.Owner {
			break
		}
		if request.Type == h.Type {
			// Adjacent or overlapping regions of one type merge.
			// Compare with start-1, never end+1 (OffsetMax+1 wraps).
			if h.End < request.Start-1 {
				e = next
				continue
			}
			if h.Start-1 > request.End {
				break
			}
			h.Start = min(h.Start, request.Start)
			request.Start = h.Start
			h.End = max(h.End, request.End)
			request.End = h.End
			if added {
				t.remove(fl.posix, e)
				e = next
				continue
			}
			request = h
			added = true
		} else {
			if h.End < request.Start {
				e = next
				continue
			}
			if h.Start > request.End {
				break
			}
			if request.Type == Unlock {
				added = true
			}
			if h.Start < request.Start {
				left = h
			}
			if h.End > request.End {
				right = h
				break
			}
			if h.Start >= request.Start {
				// The request covers h: h goes, the request
				// takes its place once.
				if added {
					t.remove(fl.posix, e)
					e = next
					continue
				}
				n := t.newHeld(request.Lock)
				fl.posix.InsertBefore(n, e)
				t.remove(fl.posix, e)
				request = n
				added = true
			}
		}
		e = next
	}

	at := e // where a new lock goes: before e, or last
	if !added {
		if request.Type == Unlock {
			return nil, nil
		}
		at = insertBefore(fl.posix, t.newHeld(request.Lock), e)
	}
	if right != nil {
		if left == right {
			// The request splits one lock in two.
			left = t.newHeld(right.Lock)
			insertBefore(fl.posix, left, at)
		}
		right.Start = request.End + 1
		t.wake(right)
	}
	if left != nil {
		left.End = request.Start - 1
		t.wake(left)
	}
	return nil, nil
}

// insertBefore puts h before at in l (last when at is nil).
func insertBefore(l *list.List, h *held, at *list.Element) *list.Element {
	if at == nil {
		return l.PushBack(h)
	}
	return l.InsertBefore(h, at)
}

// Test is posix_test_lock (F_GETLK): the first lock in key's list that
// conflicts with req.
func (t *Table) Test(key any, req Lock) (Lock, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.files[key]
	if fl == nil {
		return Lock{}, false
	}
	for e := fl.posix.Front(); e != nil; e = e.Next() {
		if h := e.Value.(*held); posixConflict(&req, &h.Lock) {
			return h.Lock, true
		}
	}
	return Lock{}, false
}
