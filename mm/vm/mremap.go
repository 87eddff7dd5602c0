package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Mremap is mremap(2) (Linux's mm/mremap.c): shrink in place, grow in
// place when the room after the area is free, else move (MREMAP_MAYMOVE)
// to a new place or to newAddr (MREMAP_FIXED), leaving the old range
// mapped but empty with MREMAP_DONTUNMAP.
func (s *Space) Mremap(addr, oldLen, newLen uintptr, flags uint64, newAddr uintptr) (uintptr, error) {
	const known = linux.MREMAP_MAYMOVE | linux.MREMAP_FIXED | linux.MREMAP_DONTUNMAP
	mayMove := flags&linux.MREMAP_MAYMOVE != 0
	switch {
	case flags&^known != 0,
		flags&linux.MREMAP_FIXED != 0 && !mayMove,
		flags&linux.MREMAP_DONTUNMAP != 0 && (!mayMove || oldLen != newLen),
		addr&pageMask != 0:
		return 0, linux.EINVAL
	}
	oldLen, newLen = pageUp(oldLen), pageUp(newLen)
	if newLen == 0 {
		return 0, linux.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if flags&(linux.MREMAP_FIXED|linux.MREMAP_DONTUNMAP) != 0 {
		return s.mremapTo(addr, oldLen, newAddr, newLen, flags)
	}
	if oldLen >= newLen {
		if addr+newLen < addr+oldLen {
			s.unmap(addr+newLen, addr+oldLen)
		}
		return addr, nil
	}
	a, err := s.toResize(addr, oldLen, newLen, flags)
	if err != nil {
		return 0, err
	}
	if oldLen == a.End-addr && s.expandable(a, newLen-oldLen) {
		grow := uint64((newLen - oldLen) / pageSize)
		if a.Flags&Account != 0 && !s.enoughMemory(grow) {
			return 0, linux.ENOMEM
		}
		old := a.End
		s.unlink(a)
		a.End = addr + newLen
		s.link(a)
		if err := s.setRange(old, a.End, a.marker()); err != nil {
			return 0, err
		}
		return addr, nil
	}
	if !mayMove {
		return 0, linux.ENOMEM
	}
	to, err := s.unmappedArea(0, newLen, a.mapFlags(), a.Obj != nil)
	if err != nil {
		return 0, err
	}
	return s.move(addr, oldLen, to, newLen, false)
}

// mremapTo is Linux's mremap_to: a move to newAddr (MREMAP_FIXED) or to
// anywhere (MREMAP_DONTUNMAP).
func (s *Space) mremapTo(addr, oldLen, newAddr, newLen uintptr, flags uint64) (uintptr, error) {
	if newAddr&pageMask != 0 || newLen > TaskSize || newAddr > TaskSize-newLen {
		return 0, linux.EINVAL
	}
	if addr+oldLen > newAddr && newAddr+newLen > addr {
		return 0, linux.EINVAL
	}
	if s.areas.n+2 >= maxAreas-3 {
		return 0, linux.ENOMEM
	}
	fixed := flags&linux.MREMAP_FIXED != 0
	if fixed {
		if s.overlapsWindow(newAddr, newAddr+newLen) {
			return 0, linux.ENOMEM
		}
		s.unmap(newAddr, newAddr+newLen)
	}
	if oldLen > newLen {
		s.unmap(addr+newLen, addr+oldLen)
		oldLen = newLen
	}
	a, err := s.toResize(addr, oldLen, newLen, flags)
	if err != nil {
		return 0, err
	}
	dontUnmap := flags&linux.MREMAP_DONTUNMAP != 0
	if dontUnmap && !s.mayExpand(a.Prot, a.Flags, uint64(oldLen/pageSize)) {
		return 0, linux.ENOMEM
	}
	mf := a.mapFlags()
	if fixed {
		mf |= linux.MAP_FIXED
	}
	to, err := s.unmappedArea(newAddr, newLen, mf, a.Obj != nil)
	if err != nil {
		return 0, err
	}
	if !fixed {
		newAddr = to
	}
	return s.move(addr, oldLen, newAddr, newLen, dontUnmap)
}

// toResize finds the area [addr, addr+oldLen) lies in and checks that it
// may become newLen long (Linux's vma_to_resize).
func (s *Space) toResize(addr, oldLen, newLen uintptr, flags uint64) (*Area, error) {
	a := s.areas.find(addr)
	if a == nil || a.Flags&reserved != 0 {
		return nil, linux.EFAULT
	}
	if oldLen == 0 && a.Flags&(Shared|sharedReadOnly) == 0 {
		return nil, linux.EINVAL // "duplicating" a private mapping
	}
	if oldLen > a.End-addr {
		return nil, linux.EFAULT // across areas
	}
	if newLen == oldLen {
		return a, nil
	}
	if pg := a.offAt(addr) / pageSize; pg+uint64(newLen/pageSize) < pg {
		return nil, linux.EINVAL
	}
	grow := uint64((newLen - oldLen) / pageSize)
	if a.Flags&Locked != 0 && !s.lim.Privileged && s.lim.Memlock != linux.RLIM_INFINITY &&
		s.locked+grow > s.lim.Memlock/pageSize {
		return nil, linux.EAGAIN
	}
	if !s.mayExpand(a.Prot, a.Flags, grow) {
		return nil, linux.ENOMEM
	}
	return a, nil
}

// expandable reports whether a can grow by delta bytes where it is.
func (s *Space) expandable(a *Area, delta uintptr) bool {
	end := a.End + delta
	if end < a.End || end > TaskSize {
		return false
	}
	return len(s.areas.overlapping(a.End, end)) == 0
}

// mapFlags are the MAP_* flags placement treats a's memory with.
func (a *Area) mapFlags() uint64 {
	if a.Flags&(Shared|sharedReadOnly) != 0 {
		return linux.MAP_SHARED
	}
	return 0
}

// move moves [addr, addr+oldLen), inside one area, to [to, to+newLen),
// which is unmapped (Linux's move_vma): the pages go with it, and the
// part beyond oldLen is fresh. The old range is unmapped, or with
// dontUnmap stays mapped and empty.
func (s *Space) move(addr, oldLen, to, newLen uintptr, dontUnmap bool) (uintptr, error) {
	olds := s.carve(addr, addr+oldLen)
	var old *Area
	if len(olds) == 1 {
		old = olds[0]
	} else {
		old = s.areas.find(addr) // oldLen 0: duplicating shared memory
	}
	if old.Flags&Account != 0 && !s.enoughMemory(uint64(newLen/pageSize)) {
		return 0, linux.ENOMEM
	}
	b := clone(old)
	b.Start, b.End, b.Off = to, to+newLen, old.offAt(addr)
	s.link(b)
	var c mm.Changes
	withIRQsOff(func() {
		c = mm.Move(s.root, addr, to, oldLen)
		if c.NeedFlush() {
			mm.Flush(s.root)
		}
	})
	if c.NoMemory {
		s.unlink(b)
		s.drop(b)
		return 0, linux.ENOMEM
	}
	if newLen > oldLen {
		if err := s.setRange(to+oldLen, to+newLen, b.marker()); err != nil {
			return 0, err
		}
	}
	if dontUnmap {
		s.setRange(addr, addr+oldLen, old.marker())
	} else if oldLen != 0 {
		s.unmap(addr, addr+oldLen)
	}
	s.merge(to, to+newLen)
	return to, nil
}
