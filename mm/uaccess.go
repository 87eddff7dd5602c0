package mm

import "unsafe"

// User memory is reached through the owning process's page tables and the
// direct map, never through user virtual addresses: the kernel can serve a
// process's system call whichever address space the CPU has loaded, and a bad
// pointer is an error (EFAULT), not a kernel page fault. Demand-zero pages
// are materialised on the way, as a user access would.
//
// Each page is translated and copied with interrupts off (the caller's
// duty, through WithUser), so another thread cannot unmap it in between.

// lastUser is userFrame's last translation. A system call's user memory
// is mostly one page (its arguments on the caller's stack), so the next
// access usually skips the four-level walk. forgetUser clears it wherever
// a page may go away or lose write permission (SetRange, Discard, Protect,
// DestroyUser); those run with interrupts off, like every userFrame, so
// no access sees a stale entry.
var lastUser struct {
	root   uint64
	page   uintptr
	pa     uint64
	write  bool // the page is writable
	filled bool
}

//go:nosplit
func forgetUser() { lastUser.filled = false }

// userFrame returns the physical address backing va for a user access,
// materialising demand-zero memory.
//
//go:nosplit
func userFrame(root uint64, va uintptr, write bool) (uint64, bool) {
	off := uint64(va) & (PageSize - 1)
	if c := &lastUser; c.filled && c.root == root && c.page == va-uintptr(off) && (c.write || !write) {
		return c.pa | off, true
	}
	if va >= UserEnd || va >= WindowStart && va < WindowEnd {
		return 0, false
	}
	for try := 0; try < 2; try++ {
		e, l, ok := Lookup(root, va)
		if ok {
			if l != 1 || e&PTEUser == 0 || write && e&PTEWrite == 0 {
				return 0, false
			}
			pa := e & pteAddr
			lastUser.root, lastUser.page, lastUser.pa = root, va-uintptr(off), pa
			lastUser.write, lastUser.filled = e&PTEWrite != 0, true
			return pa | off, true
		}
		if handled, _ := Fault(root, va, write, true); !handled {
			return 0, false
		}
	}
	return 0, false
}

// copyPage copies between b and user memory at va, up to the end of va's
// page, and returns how many bytes it copied (0 on a bad address). out
// copies b to the user. Interrupts must be off.
//
//go:nosplit
func copyPage(root uint64, va uintptr, b []byte, out bool) int {
	pa, ok := userFrame(root, va, out)
	if !ok {
		return 0
	}
	page := (*[PageSize]byte)(Phys(pa &^ (PageSize - 1)))[pa%PageSize:]
	if out {
		return copy(page, b)
	}
	return copy(b, page)
}

// pageCopier copies within one page as copyPage does.
type pageCopier func(root uint64, va uintptr, b []byte, out bool) int

// copyPageIRQsOff is copyPage for goroutine context: interrupts go off for
// the page only.
func copyPageIRQsOff(root uint64, va uintptr, b []byte, out bool) (n int) {
	withIRQsOff(func() { n = copyPage(root, va, b, out) })
	return n
}

// copyUser copies all of b a page at a time.
//
//go:nosplit
func copyUser(root uint64, va uintptr, b []byte, out bool, page pageCopier) bool {
	for len(b) > 0 {
		n := page(root, va, b, out)
		if n == 0 {
			return false
		}
		b, va = b[n:], va+uintptr(n)
	}
	return true
}

// CopyIn copies len(dst) bytes from user address va of root.
func CopyIn(root uint64, dst []byte, va uintptr) bool {
	return copyUser(root, va, dst, false, copyPageIRQsOff)
}

// CopyOut copies src to user address va of root.
func CopyOut(root uint64, va uintptr, src []byte) bool {
	return copyUser(root, va, src, true, copyPageIRQsOff)
}

// CopyInIRQ and CopyOutIRQ are CopyIn and CopyOut for interrupt context,
// where interrupts are off already.
//
//go:nosplit
func CopyInIRQ(root uint64, dst []byte, va uintptr) bool {
	return copyUser(root, va, dst, false, copyPage)
}

//go:nosplit
func CopyOutIRQ(root uint64, va uintptr, src []byte) bool {
	return copyUser(root, va, src, true, copyPage)
}

// UserPointerIRQ returns the kernel's view (through the direct map) of the
// n bytes at user address va of root, if they lie in one page and the user
// may access them (write them, if write), materialising demand-zero memory;
// otherwise nil, and the caller copies instead. Reading or writing user
// memory in place saves a pass over it; the pointer is good while
// interrupts stay off.
//
//go:nosplit
func UserPointerIRQ(root uint64, va uintptr, n uintptr, write bool) unsafe.Pointer {
	if va%PageSize+n > PageSize {
		return nil
	}
	pa, ok := userFrame(root, va, write)
	if !ok {
		return nil
	}
	return Phys(pa)
}

// CopyInString reads a NUL-terminated string of at most max bytes. ok is
// false on a bad address; tooLong when no NUL came within max bytes.
func CopyInString(root uint64, va uintptr, max int) (s string, ok, tooLong bool) {
	var out []byte
	var buf [256]byte
	for len(out) < max {
		n := int(PageSize - va%PageSize)
		if n > len(buf) {
			n = len(buf)
		}
		if !CopyIn(root, buf[:n], va) {
			return "", false, false
		}
		for i := 0; i < n; i++ {
			if buf[i] == 0 {
				return string(append(out, buf[:i]...)), true, false
			}
		}
		out = append(out, buf[:n]...)
		va += uintptr(n)
	}
	return "", true, true
}

// withIRQsOff runs f with interrupts off on the machine; host tests have no
// interrupts (IRQsOff is nil there).
func withIRQsOff(f func()) {
	if IRQsOff != nil {
		IRQsOff(f)
		return
	}
	f()
}

// IRQsOff runs a function with interrupts disabled (set at boot: mm does not
// execute privileged instructions itself, so host tests can run it).
var IRQsOff func(func())

// ProbeUser reports whether [va, va+n) is accessible to the user (for
// writing if write), materialising demand-zero pages. Calls that consume
// input check their buffer with it first, so a bad pointer loses nothing.
func ProbeUser(root uint64, va uintptr, n uint64, write bool) bool {
	if n == 0 {
		return true
	}
	end := va + uintptr(n)
	if end < va {
		return false
	}
	for p := va &^ (PageSize - 1); p < end; p += PageSize {
		ok := false
		withIRQsOff(func() { _, ok = userFrame(root, p, write) })
		if !ok {
			return false
		}
	}
	return true
}
