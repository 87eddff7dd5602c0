package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Madvise is madvise(2) (Linux's do_madvise): the advice is applied to
// every area in the range; a hole in the range is ENOMEM once the rest is
// done, an error from an area stops it there.
func (s *Space) Madvise(addr, length uintptr, advice uint64) error {
	switch advice {
	case linux.MADV_NORMAL, linux.MADV_RANDOM, linux.MADV_SEQUENTIAL, linux.MADV_WILLNEED,
		linux.MADV_DONTNEED, linux.MADV_FREE, linux.MADV_REMOVE, linux.MADV_DONTFORK,
		linux.MADV_DOFORK, linux.MADV_MERGEABLE, linux.MADV_UNMERGEABLE, linux.MADV_HUGEPAGE,
		linux.MADV_NOHUGEPAGE, linux.MADV_DONTDUMP, linux.MADV_DODUMP, linux.MADV_WIPEONFORK,
		linux.MADV_KEEPONFORK, linux.MADV_COLD, linux.MADV_PAGEOUT, linux.MADV_POPULATE_READ,
		linux.MADV_POPULATE_WRITE, linux.MADV_DONTNEED_LOCKED, linux.MADV_COLLAPSE:
	case linux.MADV_HWPOISON, linux.MADV_SOFT_OFFLINE:
		// Memory-failure injection (CAP_SYS_ADMIN) needs real faulty
		// memory to mean anything.
		return linux.EPERM
	default:
		return linux.EINVAL
	}
	if addr&pageMask != 0 {
		return linux.EINVAL
	}
	n := pageUp(length)
	if length != 0 && n == 0 || addr+n < addr {
		return linux.EINVAL
	}
	if n == 0 {
		return nil
	}
	end := addr + n
	if advice == linux.MADV_POPULATE_READ || advice == linux.MADV_POPULATE_WRITE {
		return s.populateAdvice(addr, end, advice == linux.MADV_POPULATE_WRITE)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eachArea(addr, end, func(a *Area, start, end uintptr) error { return s.advise(a, start, end, advice) })
}

// eachArea calls f for the part of each area in [start, end), in order,
// and stops at the first error f returns. A hole in the range (or the
// kernel's window) is ENOMEM, returned once the rest is done: Linux's
// madvise_walk_vmas, which msync's walk follows too.
func (s *Space) eachArea(start, end uintptr, f func(a *Area, start, end uintptr) error) error {
	var holeErr error
	for at := start; at < end; {
		a := s.areas.above(at)
		if a == nil || a.Start >= end {
			return linux.ENOMEM
		}
		if a.Start > at {
			holeErr = linux.ENOMEM
			at = a.Start
		}
		to := min(a.End, end)
		if a.Flags&reserved != 0 {
			holeErr = linux.ENOMEM // not the program's memory
		} else if err := f(a, at, to); err != nil {
			return err
		}
		at = to
	}
	return holeErr
}

// advise applies advice to [start, end) of area a.
func (s *Space) advise(a *Area, start, end uintptr, advice uint64) error {
	switch advice {
	case linux.MADV_DONTNEED, linux.MADV_DONTNEED_LOCKED, linux.MADV_FREE:
		if a.Flags&Locked != 0 && advice != linux.MADV_DONTNEED_LOCKED {
			return linux.EINVAL
		}
		if advice == linux.MADV_FREE && !(a.anon() && a.private()) {
			return linux.EINVAL // only private anonymous memory can be freed lazily
		}
		// Private anonymous memory reads as zero next time, a private
		// file mapping as the file, shared memory as it is.
		return s.setRange(start, end, a.marker())
	case linux.MADV_REMOVE:
		if a.Flags&Locked != 0 || a.Obj == nil {
			return linux.EINVAL
		}
		if a.Flags&Shared == 0 {
			return linux.EACCES
		}
		if a.Obj.src != nil {
			return linux.EOPNOTSUPP // the initrd's files cannot punch holes
		}
		s.setRange(start, end, 0)
		a.Obj.punch(a.offAt(start)/pageSize, a.offAt(end)/pageSize)
		return nil
	case linux.MADV_DONTFORK:
		return s.setFlags(a, start, end, a.Flags|DontFork)
	case linux.MADV_DOFORK:
		return s.setFlags(a, start, end, a.Flags&^DontFork)
	case linux.MADV_WIPEONFORK:
		if a.Obj != nil || a.Flags&Shared != 0 {
			return linux.EINVAL
		}
		return s.setFlags(a, start, end, a.Flags|WipeOnFork)
	case linux.MADV_KEEPONFORK:
		return s.setFlags(a, start, end, a.Flags&^WipeOnFork)
	}
	// NORMAL, RANDOM, SEQUENTIAL, WILLNEED, COLD, PAGEOUT, DODUMP,
	// DONTDUMP, MERGEABLE, UNMERGEABLE, HUGEPAGE, NOHUGEPAGE and COLLAPSE
	// are hints about paging, swap, core dumps, KSM and huge pages, none
	// of which changes what the program sees here.
	return nil
}

// setFlags gives [start, end) of area a the flags f.
func (s *Space) setFlags(a *Area, start, end uintptr, f Flags) error {
	if a.Flags == f {
		return nil
	}
	for _, b := range s.carve(start, end) {
		s.unlink(b)
		b.Flags = f
		s.link(b)
	}
	s.merge(start, end)
	return nil
}

// populateAdvice is MADV_POPULATE_READ and _WRITE: fault in every page,
// as the program's reads (or writes) would.
func (s *Space) populateAdvice(start, end uintptr, write bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := start; p < end; p += pageSize {
		a := s.areas.find(p)
		if a == nil || a.Flags&reserved != 0 {
			return linux.ENOMEM
		}
		if write && a.Prot&Write == 0 || !a.accessible() {
			return linux.EINVAL
		}
		if mm.Touch(s.root, p, write) {
			continue
		}
		switch err := s.faultLocked(p, access{write: write}); err {
		case nil:
		case ErrNoMemory:
			return linux.ENOMEM
		default:
			return linux.EFAULT
		}
	}
	return nil
}

// Mincore is mincore(2): one byte per page of [addr, addr+length), 1 if
// the page is in memory (mapped here, or, for a file or shared memory, in
// its object), returned for the caller to copy out. The whole range must
// be mapped.
func (s *Space) Mincore(addr, length uintptr) ([]byte, error) {
	if addr&pageMask != 0 {
		return nil, linux.EINVAL
	}
	n := pageUp(length)
	if length > TaskSize || addr > TaskSize-n {
		return nil, linux.ENOMEM
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vec := make([]byte, n/pageSize)
	for i := range vec {
		p := addr + uintptr(i)*pageSize
		a := s.areas.find(p)
		if a == nil || a.Flags&reserved != 0 {
			return nil, linux.ENOMEM
		}
		if e := mm.Entry(s.root, p); e&mm.PTEPresent != 0 || a.Obj != nil && a.Obj.cached(a.offAt(p)/pageSize) {
			vec[i] = 1
		}
	}
	return vec, nil
}

// Msync is msync(2). Every file here keeps its data in its pages, so
// there is nothing to write back: what is left is Linux's checks.
func (s *Space) Msync(addr, length uintptr, flags uint64) error {
	if flags&^(linux.MS_ASYNC|linux.MS_INVALIDATE|linux.MS_SYNC) != 0 || addr&pageMask != 0 ||
		flags&linux.MS_ASYNC != 0 && flags&linux.MS_SYNC != 0 {
		return linux.EINVAL
	}
	n := pageUp(length)
	end := addr + n
	if end < addr {
		return linux.ENOMEM
	}
	if end == addr {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eachArea(addr, end, func(a *Area, _, _ uintptr) error {
		if flags&linux.MS_INVALIDATE != 0 && a.Flags&Locked != 0 {
			return linux.EBUSY
		}
		return nil
	})
}
