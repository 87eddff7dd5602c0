package filelock

// maxDeadlkIterations is MAX_DEADLK_ITERATIONS: how far down a chain of
// waiting owners deadlock detection looks.
const maxDeadlkIterations = 10

// waitingFor is what_owner_is_waiting_for: the lock a POSIX waiter of
// owner waits for, the newest such waiter's first. t.mu is held.
func (t *Table) waitingFor(owner any) *Lock {
	for i := len(t.blocked) - 1; i >= 0; i-- {
		if w := t.blocked[i]; w.req.Owner == owner {
			return &w.blocker.Lock
		}
	}
	return nil
}

// deadlock is posix_locks_deadlock: whether req, about to wait for
// block, would wait for itself (block's owner waits for a lock whose
// owner waits ... for a lock of req's owner). OFD requests are never
// checked. t.mu is held.
func (t *Table) deadlock(req *Lock, block *Lock) bool {
	if req.Class == OFD {
		return false
	}
	for i := 0; ; i++ {
		if block = t.waitingFor(block.Owner); block == nil {
			return false
		}
		if i > maxDeadlkIterations {
			return false
		}
		if block.Owner == req.Owner {
			return true
		}
	}
}
