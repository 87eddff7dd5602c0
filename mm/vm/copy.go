package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// User memory as system calls reach it: copies through the page tables
// and the direct map (mm.CopyIn, mm.CopyOut), and, where the tables alone
// cannot serve an address, the page fault the program's own access would
// take (Fault), then a retry. An address the program could not access is
// EFAULT; memory running out is ErrNoMemory, for the caller to deal with.
// Never called with s.mu held.

// CopyIn copies len(dst) bytes from user address addr.
func (s *Space) CopyIn(dst []byte, addr uintptr) error {
	return s.copy(dst, addr, false)
}

// CopyOut copies src to user address addr.
func (s *Space) CopyOut(addr uintptr, src []byte) error {
	return s.copy(src, addr, true)
}

func (s *Space) copy(b []byte, addr uintptr, out bool) error {
	if addr+uintptr(len(b)) < addr {
		return linux.EFAULT
	}
	var stuck uintptr = ^uintptr(0)
	for {
		var n int
		if out {
			n = mm.CopyOut(s.root, addr, b)
		} else {
			n = mm.CopyIn(s.root, b, addr)
		}
		if n == len(b) {
			return nil
		}
		b, addr = b[n:], addr+uintptr(n)
		if n == 0 && addr == stuck {
			return linux.EFAULT // the fault said retry, and nothing changed
		}
		stuck = addr
		if err := s.Fault(addr, out, false); err != nil {
			return faultErrno(err)
		}
	}
}

// faultErrno is what a system call returns for a fault it cannot serve.
func faultErrno(err error) error {
	if err == ErrNoMemory {
		return err
	}
	return linux.EFAULT
}

// CopyInString reads a NUL-terminated string of at most max bytes:
// EFAULT for a bad address, ENAMETOOLONG when no NUL came within max
// bytes.
func (s *Space) CopyInString(addr uintptr, max int) (string, error) {
	var out []byte
	var buf [256]byte
	for len(out) < max {
		n := min(int(pageSize-addr%pageSize), len(buf))
		if err := s.CopyIn(buf[:n], addr); err != nil {
			return "", err
		}
		for i := 0; i < n; i++ {
			if buf[i] == 0 {
				return string(append(out, buf[:i]...)), nil
			}
		}
		out = append(out, buf[:n]...)
		addr += uintptr(n)
	}
	return "", linux.ENAMETOOLONG
}

// Probe reports whether [addr, addr+n) is accessible (for writing if
// write), faulting its pages in: calls that consume input check their
// buffer first, so that a bad pointer loses nothing. The error is EFAULT
// or ErrNoMemory.
func (s *Space) Probe(addr uintptr, n uint64, write bool) error {
	if n == 0 {
		return nil
	}
	end := addr + uintptr(n)
	if end < addr {
		return linux.EFAULT
	}
	for p := addr &^ pageMask; p < end; p += pageSize {
		for try := 0; !mm.Touch(s.root, max(p, addr), write); try++ {
			if try == 2 {
				return linux.EFAULT
			}
			if err := s.Fault(max(p, addr), write, false); err != nil {
				return faultErrno(err)
			}
		}
	}
	return nil
}
