package filelock

import "sigil/linux"

// flockSet is flock_lock_inode. A description's existing lock of another
// type is removed before the new one is sought, so a conversion that
// then fails has lost the old lock, as on Linux. t.mu is held.
func (t *Table) flockSet(fl *fileLocks, req Lock, wait bool) (*Waiter, error) {
	req.Start, req.End = 0, OffsetMax
	for e := fl.flock.Front(); e != nil; e = e.Next() {
		h := e.Value.(*held)
		if h.Owner != req.Owner {
			continue
		}
		if h.Type == req.Type {
			return nil, nil
		}
		t.remove(fl.flock, e)
		break
	}
	if req.Type == Unlock {
		return nil, nil
	}
	for e := fl.flock.Front(); e != nil; e = e.Next() {
		h := e.Value.(*held)
		if !flockConflict(&req, &h.Lock) {
			continue
		}
		if !wait {
			return nil, linux.EAGAIN
		}
		return t.block(h, req), nil
	}
	fl.flock.PushBack(t.newHeld(req))
	return nil, nil
}
