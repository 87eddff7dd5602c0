package mm

import (
	"unsafe"

	"sigil/arch"
)

// User memory is reached through the owning process's page tables and the
// direct map, never through user virtual addresses: the kernel can serve a
// process's system call whichever address space the CPU has loaded, and a bad
// pointer is an error (EFAULT), not a kernel page fault. Demand-zero pages
// are materialised on the way, as a user access would.
//
// Each page is translated and copied holding userTables (lock.go), so
// another thread cannot unmap it in between.

// lastUser is userFrame's last translation. A system call's user memory
// is mostly one page (its arguments on the caller's stack), so the next
// access usually skips the four-level walk. forgetUser clears it wherever
// a page may go away or lose write permission (SetRange, Discard, Protect,
// FreeRoot) on every CPU's row; those hold userTables, like every
// userFrame, so no access sees a stale entry. Rows per CPU, userTables.
var lastUser [arch.MaxCPUs]struct {
	root   uint64
	page   uintptr
	pa     uint64
	write  bool // the page is writable
	filled bool
}

//go:nosplit
func forgetUser(root uint64) {
	if root == KernelRoot {
		return // lastUser holds user spaces' pages only
	}
	for i := range lastUser {
		lastUser[i].filled = false
	}
}

// userFrame returns the physical address backing va for a user access,
// resolving what Fault resolves on the way (demand-zero memory,
// copy-on-write), as a user access would.
//
//go:nosplit
func userFrame(root uint64, va uintptr, write bool) (uint64, bool) {
	off := uint64(va) & (PageSize - 1)
	c := &lastUser[arch.This().Index()]
	if c.filled && c.root == root && c.page == va-uintptr(off) && (c.write || !write) {
		return c.pa | off, true
	}
	if va >= UserEnd || va >= WindowStart && va < WindowEnd {
		return 0, false
	}
	for try := 0; try < 2; try++ {
		e, l, ok := lookup(root, va)
		if ok && l == 1 && e&PTEUser != 0 && (!write || e&PTEWrite != 0) {
			pa := e & pteAddr
			c.root, c.page, c.pa = root, va-uintptr(off), pa
			c.write, c.filled = e&PTEWrite != 0, true
			return pa | off, true
		}
		if handled, _ := fault(root, va, write, true); !handled {
			return 0, false
		}
	}
	return 0, false
}

// cachedUser returns the kernel's view of the n bytes at va if they lie in
// the page of this CPU's last translation (lastUser), else nil: a system
// call's arguments mostly share a page, and the interrupt-context copies
// take this path without a call (it inlines). userTables held.
//
//go:nosplit
func cachedUser(root uint64, va uintptr, n int, write bool) unsafe.Pointer {
	c := &lastUser[arch.This().Index()]
	off := va & (PageSize - 1)
	if !c.filled || c.root != root || c.page != va-off || write && !c.write || off+uintptr(n) > PageSize {
		return nil
	}
	return Phys(c.pa | uint64(off))
}

// copyPage copies between b and user memory at va, up to the end of va's
// page, and returns how many bytes it copied (0 on a bad address). out
// copies b to the user. userTables held.
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

// copyPageLocked is copyPage taking userTables for the page only.
//
//go:nosplit
func copyPageLocked(root uint64, va uintptr, b []byte, out bool) (n int) {
	userTables.Lock()
	n = copyPage(root, va, b, out)
	userTables.Unlock()
	return n
}

// copyUser copies b a page at a time and returns how many bytes it
// copied: fewer than len(b) when it reached an address the page tables
// alone cannot serve.
//
//go:nosplit
func copyUser(root uint64, va uintptr, b []byte, out bool, page pageCopier) (done int) {
	for done < len(b) {
		n := page(root, va+uintptr(done), b[done:], out)
		if n == 0 {
			break
		}
		done += n
	}
	return done
}

// CopyIn copies up to len(dst) bytes from user address va of root and
// returns how many it copied: all, or up to the first address the page
// tables cannot serve (which the address space's areas may still serve:
// a file's page, a stack to grow).
func CopyIn(root uint64, dst []byte, va uintptr) int {
	return copyUser(root, va, dst, false, copyPageLocked)
}

// CopyOut copies src to user address va of root, as CopyIn.
func CopyOut(root uint64, va uintptr, src []byte) int {
	return copyUser(root, va, src, true, copyPageLocked)
}

// CopyInIRQ and CopyOutIRQ copy all of the bytes or report false, for
// interrupt context or any code with interrupts off: the whole copy under
// userTables.
//
//go:nosplit
func CopyInIRQ(root uint64, dst []byte, va uintptr) bool {
	userTables.LockIRQ()
	var n int
	if p := cachedUser(root, va, len(dst), false); p != nil {
		n = copy(dst, unsafe.Slice((*byte)(p), len(dst)))
	} else {
		n = copyUser(root, va, dst, false, copyPage)
	}
	userTables.UnlockIRQ()
	return n == len(dst)
}

//go:nosplit
func CopyOutIRQ(root uint64, va uintptr, src []byte) bool {
	userTables.LockIRQ()
	var n int
	if p := cachedUser(root, va, len(src), true); p != nil {
		n = copy(unsafe.Slice((*byte)(p), len(src)), src)
	} else {
		n = copyUser(root, va, src, true, copyPage)
	}
	userTables.UnlockIRQ()
	return n == len(src)
}

// UserPointerIRQ returns the kernel's view (through the direct map) of the
// n bytes at user address va of root, if they lie in one page and the user
// may access them (write them, if write), materialising demand-zero memory;
// otherwise nil, and the caller copies instead. Reading or writing user
// memory in place saves a pass over it; the pointer is good while
// interrupts stay off (see lock.go).
//
//go:nosplit
func UserPointerIRQ(root uint64, va uintptr, n uintptr, write bool) unsafe.Pointer {
	if va%PageSize+n > PageSize {
		return nil
	}
	userTables.LockIRQ()
	pa, ok := userFrame(root, va, write)
	userTables.UnlockIRQ()
	if !ok {
		return nil
	}
	return Phys(pa)
}

// Touch resolves va's page for a user access (for writing if write) as
// the copies do, without copying, and reports whether the page tables
// alone could.
//
//go:nosplit
func Touch(root uint64, va uintptr, write bool) (ok bool) {
	userTables.Lock()
	_, ok = userFrame(root, va, write)
	userTables.Unlock()
	return ok
}
