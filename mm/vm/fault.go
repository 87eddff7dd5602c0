package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Signal is what an access that cannot be served gets: its signal and
// si_code, as Linux's page-fault handler decides them.
type Signal struct {
	Signo int
	Code  int32
}

func (e Signal) Error() string { return linux.Signal(e.Signo).Name() }

var (
	// ErrMapErr: no area holds the address (SEGV_MAPERR).
	ErrMapErr = Signal{int(linux.SIGSEGV), linux.SEGV_MAPERR}
	// ErrAccErr: the area forbids the access (SEGV_ACCERR).
	ErrAccErr = Signal{int(linux.SIGSEGV), linux.SEGV_ACCERR}
	// ErrBus: the page lies wholly beyond the end of its file (BUS_ADRERR).
	ErrBus = Signal{int(linux.SIGBUS), linux.BUS_ADRERR}
)

// ErrNoMemory reports that a page was needed and memory ran out: the
// caller reclaims (or kills) and tries again.
var ErrNoMemory = errNoMemory

// ErrNoSpace reports that a file system's page budget is spent (ENOSPC
// for a write; a fault gets SIGBUS, as shmem_fault's).
var ErrNoSpace = errNoSpace

// access is what a fault tried to do.
type access struct{ write, exec bool }

// Fault serves a page fault at addr that the page tables alone could not
// (mm.Fault), as Linux's do_user_addr_fault does: it finds the area (or
// grows a stack down to it), checks the access against the area's
// protection, and maps the page. It returns nil when the access can be
// retried, a Signal when it cannot, or ErrNoMemory.
func (s *Space) Fault(addr uintptr, write, exec bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faultLocked(addr, access{write, exec})
}

func (s *Space) faultLocked(addr uintptr, acc access) error {
	if addr >= TaskSize {
		return ErrMapErr
	}
	a := s.areas.above(addr)
	if a == nil || a.Flags&reserved != 0 && a.Start <= addr {
		return ErrMapErr
	}
	if a.Start > addr && (a.Flags&GrowsDown == 0 || s.expandStack(a, addr) != nil) {
		return ErrMapErr
	}
	// Linux's access_error: a write needs PROT_WRITE, anything else some
	// access; an instruction fetch from a page without PROT_EXEC faults
	// again on the mapped page (NX) with the same result.
	if acc.write && a.Prot&Write == 0 || acc.exec && a.Prot&Exec == 0 || !a.accessible() {
		return ErrAccErr
	}
	return s.fill(a, addr&^pageMask, acc.write)
}

// fill maps page of area a for an access the area allows.
func (s *Space) fill(a *Area, page uintptr, write bool) error {
	e := mm.Entry(s.root, page)
	if e&mm.PTEPresent != 0 && e&mm.PTEUser != 0 && (!write || e&mm.PTEWrite != 0) {
		// Already allowed: a stale translation after a change that
		// only widened access.
		withIRQsOff(func() { mm.Flush(s.root) })
		return nil
	}
	if a.anon() && a.private() || e&mm.PTECOW != 0 {
		// Demand-zero memory, or a copy-on-write page: what mm.Fault
		// does, which failed only for want of memory (or, for a page
		// whose marker went missing, is restored first).
		var handled, oom bool
		withIRQsOff(func() {
			if e == 0 {
				mm.SetRange(s.root, page, page+pageSize, a.marker(), true)
			}
			handled, oom = mm.Fault(s.root, page, write, true)
		})
		switch {
		case handled:
			return nil
		case oom:
			return ErrNoMemory
		}
	}
	pa, err := a.Obj.page(a.offAt(page) / pageSize)
	switch err {
	case nil:
	case errBeyondEOF:
		return ErrBus
	case errNoMemory:
		return ErrNoMemory
	default:
		return ErrBus // the file could not be read (Linux: SIGBUS)
	}
	bits := a.pte()
	if a.private() {
		if write {
			cp, ok := allocFrame(mm.KindAnon)
			if !ok {
				withIRQsOff(func() { mm.Unref(pa) })
				return ErrNoMemory
			}
			*(*[pageSize]byte)(mm.Phys(cp)) = *(*[pageSize]byte)(mm.Phys(pa))
			withIRQsOff(func() { mm.Unref(pa) })
			pa = cp
		} else if bits&mm.PTEWrite != 0 {
			bits = bits&^mm.PTEWrite | mm.PTECOW
		}
	}
	ok := false
	withIRQsOff(func() {
		if ok = mm.MapPage(s.root, page, pa, bits); !ok {
			mm.Unref(pa)
		}
	})
	if !ok {
		return ErrNoMemory
	}
	return nil
}

// expandStack grows the stack area a down to addr's page (Linux's
// expand_downwards and acct_stack_growth).
func (s *Space) expandStack(a *Area, addr uintptr) error {
	addr &^= pageMask
	if addr < MinAddr {
		return linux.EPERM
	}
	if p := s.areas.prev(a); p != nil && p.Flags&GrowsDown == 0 && p.accessible() &&
		(addr < p.End || addr-p.End < stackGuardGap) {
		return linux.ENOMEM
	}
	grow := uint64((a.Start - addr) / pageSize)
	switch {
	case !s.mayExpand(a.Prot, a.Flags, grow):
		return linux.ENOMEM
	case s.lim.Stack != linux.RLIM_INFINITY && uint64(a.End-addr) > s.lim.Stack:
		return linux.ENOMEM
	case a.Flags&Locked != 0 && !s.lim.Privileged && s.lim.Memlock != linux.RLIM_INFINITY &&
		s.locked+grow > s.lim.Memlock/pageSize:
		return linux.ENOMEM
	case a.Flags&Account != 0 && !s.enoughMemory(grow):
		return linux.ENOMEM
	}
	old := a.Start
	s.unlink(a)
	a.Start = addr
	if a.Obj != nil {
		a.Off -= uint64(old - addr)
	}
	s.link(a)
	return s.setRange(addr, old, a.marker())
}
