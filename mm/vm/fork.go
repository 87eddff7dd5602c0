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
	if !s.forkAreas(c) {
		c.Release()
		return nil, linux.ENOMEM
	}
	// The page tables, in one stretch with interrupts off: the
	// parent's writable pages become copy-on-write, and are flushed
	// before anything runs on them.
	var ch mm.Changes
	withIRQsOff(func() {
		for a := range s.areas.all() {
			if ch.NoMemory {
				break
			}
			if a.Flags&(reserved|DontFork) != 0 {
				continue
			}
			var d mm.Changes
			if a.Flags&WipeOnFork != 0 {
				d = mm.SetRange(c.root, a.Start, a.End, a.marker(), true)
			} else {
				d = mm.Share(c.root, s.root, a.Start, a.End, a.private())
			}
			ch.Unmapped += d.Unmapped
			ch.NoMemory = d.NoMemory
		}
		if ch.NeedFlush() {
			mm.Flush(s.root)
		}
	})
	if ch.NoMemory {
		c.Release()
		return nil, linux.ENOMEM
	}
	return c, nil
}

// forkAreas gives c a copy of s's areas: the tree copied whole, node for
// node (no insertions, no rebalancing), when no area is left out;
// otherwise area by area. It reports false if memory may not be
// committed for them.
func (s *Space) forkAreas(c *Space) bool {
	whole := true
	for a := range s.areas.all() {
		if a.Flags&DontFork != 0 {
			whole = false
		}
		if a.Flags&Account != 0 && !s.enoughMemory(uint64(a.Len()/pageSize)) {
			return false
		}
	}
	if whole {
		c.areas = tree{root: cloneTree(s.areas.root), n: s.areas.n}
		for a := range c.areas.all() {
			if a.Flags&reserved == 0 {
				c.count(a, 1)
			}
		}
		return true
	}
	for a := range s.areas.all() {
		if a.Flags&(reserved|DontFork) == 0 {
			b := clone(a)
			b.Flags &^= Locked
			c.link(b)
		}
	}
	return true
}

// cloneTree copies subtree n: each area as clone does (locks are not
// inherited), with n's shape and subtree facts, which depend on
// boundaries and flags the copy keeps.
func cloneTree(n *Area) *Area {
	if n == nil {
		return nil
	}
	b := clone(n)
	b.Flags &^= Locked
	b.left, b.right = cloneTree(n.left), cloneTree(n.right)
	b.height, b.lo, b.hi, b.gap = n.height, n.lo, n.hi, n.gap
	return b
}
