package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Munmap is munmap(2): every area in the range goes, whole or in part;
// a hole in the range is no error.
func (s *Space) Munmap(addr, length uintptr) error {
	if addr&pageMask != 0 || addr > TaskSize || length > TaskSize-addr {
		return linux.EINVAL
	}
	n := pageUp(length)
	if n == 0 {
		return linux.EINVAL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unmap(addr, addr+n)
	return nil
}

// Mprotect is mprotect(2) (Linux's do_mprotect_pkey): it changes the areas
// from addr up to the first hole, and fails with ENOMEM if there is one.
func (s *Space) Mprotect(addr, length uintptr, prot uint64) error {
	if addr&pageMask != 0 {
		return linux.EINVAL
	}
	if length == 0 {
		return nil
	}
	n := pageUp(length)
	end := addr + n
	if n == 0 || end <= addr {
		return linux.ENOMEM
	}
	grows := prot & (linux.PROT_GROWSDOWN | linux.PROT_GROWSUP)
	prot &^= grows
	if grows == linux.PROT_GROWSDOWN|linux.PROT_GROWSUP || prot&^(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC|linux.PROT_SEM) != 0 {
		return linux.EINVAL
	}
	p := Prot(prot) & rwx
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.areas.above(addr)
	if a == nil || a.Flags&reserved != 0 {
		return linux.ENOMEM
	}
	switch {
	case grows&linux.PROT_GROWSDOWN != 0:
		if a.Start >= end {
			return linux.ENOMEM
		}
		if a.Flags&GrowsDown == 0 {
			return linux.EINVAL
		}
		addr = a.Start
	case grows&linux.PROT_GROWSUP != 0:
		return linux.EINVAL // no stack grows up on x86
	case a.Start > addr:
		return linux.ENOMEM
	}
	for at := addr; at < end; {
		a := s.areas.above(at)
		if a == nil || a.Start > at || a.Flags&reserved != 0 {
			return linux.ENOMEM
		}
		// The flag VM_MAY* of each requested VM_* (Linux shifts the
		// two sets onto each other).
		if p&Read != 0 && a.Flags&MayRead == 0 || p&Write != 0 && a.Flags&MayWrite == 0 ||
			p&Exec != 0 && a.Flags&MayExec == 0 {
			return linux.EACCES
		}
		to := min(a.End, end)
		if err := s.protect(a, at, to, p); err != nil {
			return err
		}
		at = to
	}
	return nil
}

// protect gives [start, end), inside area a, the protection p (Linux's
// mprotect_fixup).
func (s *Space) protect(a *Area, start, end uintptr, p Prot) error {
	if a.Prot == p {
		return nil
	}
	f := a.Flags
	// Making private memory writable commits it; it stays committed
	// when it stops being writable (Linux keeps VM_ACCOUNT).
	if p&Write != 0 && f&(Account|Shared|NoReserve) == 0 {
		if !s.enoughMemory(uint64((end - start) / pageSize)) {
			return linux.ENOMEM
		}
		f |= Account
	}
	for _, b := range s.carve(start, end) {
		s.unlink(b)
		b.Prot, b.Flags = p, f
		s.link(b)
		var changed, ok bool
		withIRQsOff(func() {
			changed, ok = mm.Protect(s.root, b.Start, b.End, b.pte(), b.private())
			if changed || !ok {
				mm.Flush(s.root)
			}
		})
		if !ok {
			return linux.ENOMEM
		}
	}
	s.merge(start, end)
	return nil
}
