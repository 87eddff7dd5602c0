package vm

import "sigil/linux"

// SetBreak sets where the program break starts (exec): the page after the
// program's last segment.
func (s *Space) SetBreak(addr uintptr) {
	s.mu.Lock()
	s.brkStart, s.brk = addr, addr
	s.mu.Unlock()
}

// Brk is brk(2) (Linux's sys_brk): the break moves to addr when it can,
// and the call returns where the break is.
func (s *Space) Brk(addr uintptr) uintptr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if addr < s.brkStart {
		return s.brk
	}
	// RLIMIT_DATA bounds the heap (check_data_rlimit; the data segment
	// itself is mapped separately here and counted in data pages).
	if s.lim.Data != linux.RLIM_INFINITY && uint64(addr-s.brkStart) > s.lim.Data {
		return s.brk
	}
	oldEnd, newEnd := pageUp(s.brk), pageUp(addr)
	switch {
	case newEnd == oldEnd:
	case newEnd < oldEnd:
		s.unmap(newEnd, oldEnd)
	default:
		// Not into the next mapping, nor its stack guard gap.
		if next := s.areas.above(oldEnd); next != nil && newEnd+pageSize > next.gapStart() {
			return s.brk
		}
		if newEnd > TaskSize {
			return s.brk
		}
		f := mayAll | Account
		pages := uint64((newEnd - oldEnd) / pageSize)
		if !s.mayExpand(Read|Write, f, pages) || !s.enoughMemory(pages) {
			return s.brk
		}
		a := &Area{Start: oldEnd, End: newEnd, Prot: Read | Write, Flags: f}
		s.link(a)
		if s.setRange(a.Start, a.End, a.marker()) != nil {
			s.unlink(a)
			return s.brk
		}
		s.merge(oldEnd, newEnd)
	}
	s.brk = addr
	return s.brk
}
