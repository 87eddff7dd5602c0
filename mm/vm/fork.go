package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Fork returns a copy of the space for a child process (Linux's
// dup_mmap): private memory is shared copy-on-write, shared memory stays
// shared, MADV_DONTFORK areas are left out and MADV_WIPEONFORK areas
// start empty. Locks are not inherited.
func (s *Space) Fork() (*Space, error) {
	c, err := New(s.lim)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.brkStart, c.brk, c.stack, c.codeSize, c.mmapBase = s.brkStart, s.brk, s.stack, s.codeSize, s.mmapBase
	flush := false
	for a := s.areas.first(); a != nil; a = s.areas.next(a) {
		if a.Flags&(reserved|DontFork) != 0 {
			continue
		}
		if a.Flags&Account != 0 && !s.enoughMemory(uint64(a.Len()/pageSize)) {
			c.Release()
			return nil, linux.ENOMEM
		}
		b := clone(a)
		b.Flags &^= Locked
		c.link(b)
		var ch mm.Changes
		withIRQsOff(func() {
			if a.Flags&WipeOnFork != 0 {
				ch = mm.SetRange(c.root, b.Start, b.End, b.marker(), true)
			} else {
				ch = mm.Share(c.root, s.root, a.Start, a.End, a.private())
			}
		})
		if ch.NoMemory {
			if ch.NeedFlush() || flush {
				withIRQsOff(func() { mm.Flush(s.root) })
			}
			c.Release()
			return nil, linux.ENOMEM
		}
		flush = flush || ch.NeedFlush()
	}
	if flush {
		// The parent's writable pages became copy-on-write.
		withIRQsOff(func() { mm.Flush(s.root) })
	}
	return c, nil
}
