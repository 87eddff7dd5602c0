package mm

import (
	"sync/atomic"
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

// lastUser holds userFrame's last two translations on each CPU. A
// system call's user memory is mostly one or two pages (its arguments on
// the caller's stack, a constant signal set in the program's data: musl's
// sigqueue alternates the two), so the next access usually skips the
// four-level walk.
//
// Each CPU's rows are written only by that CPU, with interrupts off. A row
// is good while userGen still has the value the row recorded when it was
// filled: forgetUser, called under userTables wherever a page may go away
// or lose write permission (SetRange, Discard, Protect, FreeRoot, a
// copy-on-write break, fork), advances userGen and so retires every CPU's
// rows at once without writing another CPU's. A reader that compared the
// generation just before the change uses the old frame at most until it
// turns interrupts on: the frame is freed only after the flush that
// reaches this CPU (lock.go's gather rule), as Linux's gup_fast relies on.
var lastUser [arch.MaxCPUs]userRows

// userRows is one CPU's pair of translations; a walk refills the one not
// used last.
type userRows struct {
	row  [2]userRow
	next uint8 // the row the next fill replaces
}

type userRow struct {
	root  uint64
	page  uintptr
	pa    uint64
	gen   uint64 // userGen when filled
	write bool   // the page is writable
	// An empty row has root 0, which no address space has.
}

// find returns the frame of page (for writing, if write) if a row holds
// it.
//
//go:nosplit
func (r *userRows) find(root uint64, page uintptr, write bool) (uint64, bool) {
	gen := userGen.Load()
	if c := &r.row[0]; c.page == page && c.root == root && c.gen == gen && (c.write || !write) {
		r.next = 1
		return c.pa, true
	}
	if c := &r.row[1]; c.page == page && c.root == root && c.gen == gen && (c.write || !write) {
		r.next = 0
		return c.pa, true
	}
	return 0, false
}

// userGen is the generation of user translations: advanced under
// userTables, read by any CPU.
var userGen atomic.Uint64

//go:nosplit
func forgetUser(root uint64) {
	if root == KernelRoot {
		return // lastUser holds user spaces' pages only
	}
	userGen.Add(1)
}

// cachedFrame returns the frame of va's page from this CPU's rows if they
// still hold it (for writing, if write).
//
//go:nosplit
func cachedFrame(root uint64, va uintptr, write bool) (uint64, bool) {
	return lastUser[arch.This().Index()].find(root, va&^(PageSize-1), write)
}

// rememberFrame puts e, the leaf entry of va's page read while the
// generation was gen, in this CPU's row not used last.
//
//go:nosplit
func rememberFrame(root uint64, va uintptr, e uint64, gen uint64) {
	lastUser[arch.This().Index()].fill(root, va&^(PageSize-1), e&pteAddr, e&PTEWrite != 0, gen)
}

// fill puts a translation in the row not used last.
//
//go:nosplit
func (r *userRows) fill(root uint64, page uintptr, pa uint64, write bool, gen uint64) {
	c := &r.row[r.next&1]
	r.next ^= 1
	c.root, c.page, c.pa, c.write, c.gen = root, page, pa, write, gen
}

// userLeaf reports whether a leaf entry e at level l lets the user access
// its page (write it, if write).
//
//go:nosplit
func userLeaf(e uint64, l int, ok bool, write bool) bool {
	return ok && l == 1 && e&PTEUser != 0 && (!write || e&PTEWrite != 0)
}

// userFrame returns the physical address backing va for a user access,
// resolving what Fault resolves on the way (demand-zero memory,
// copy-on-write), as a user access would. userTables held.
//
//go:nosplit
func userFrame(root uint64, va uintptr, write bool) (uint64, bool) {
	for try := 0; ; try++ {
		if pa, ok := userFrameFast(root, va, write); ok {
			return pa, true
		}
		if try == 2 || va >= UserEnd || va >= WindowStart && va < WindowEnd {
			return 0, false
		}
		if handled, _ := fault(root, va, write, true); !handled {
			return 0, false
		}
	}
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
// interrupt context or any code with interrupts off on cpu (this CPU,
// which interrupt context has at hand: arch.This costs a call): bytes within one
// page the tables map already are copied without the lock
// (UserPointerFast), the rest page by page under userTables, resolving what
// a fault would.
//
//go:nosplit
func CopyInIRQ(cpu *arch.CPU, root uint64, dst []byte, va uintptr) bool {
	if p := UserPointerFast(cpu, root, va, uintptr(len(dst)), false); p != nil {
		copy(dst, unsafe.Slice((*byte)(p), len(dst)))
		return true
	}
	userTables.LockIRQ()
	n := copyUser(root, va, dst, false, copyPage)
	userTables.UnlockIRQ()
	return n == len(dst)
}

//go:nosplit
func CopyOutIRQ(cpu *arch.CPU, root uint64, va uintptr, src []byte) bool {
	if p := UserPointerFast(cpu, root, va, uintptr(len(src)), true); p != nil {
		copy(unsafe.Slice((*byte)(p), len(src)), src)
		return true
	}
	userTables.LockIRQ()
	n := copyUser(root, va, src, true, copyPage)
	userTables.UnlockIRQ()
	return n == len(src)
}

// ReadUint64IRQ and WriteUint64IRQ are CopyInIRQ and CopyOutIRQ of one
// little-endian 64-bit word (a sigset_t, as the signal calls pass it): a
// word within one mapped page is read or written in place, without a
// copy through a buffer, which on a system call's fast path costs more
// than the rest of the access.
//
//go:nosplit
func ReadUint64IRQ(cpu *arch.CPU, root uint64, va uintptr) (uint64, bool) {
	if p := UserPointerFast(cpu, root, va, 8, false); p != nil {
		return *(*uint64)(p), true
	}
	var v uint64
	ok := CopyInIRQ(cpu, root, (*[8]byte)(unsafe.Pointer(&v))[:], va)
	return v, ok
}

//go:nosplit
func WriteUint64IRQ(cpu *arch.CPU, root uint64, va uintptr, v uint64) bool {
	if p := UserPointerFast(cpu, root, va, 8, true); p != nil {
		*(*uint64)(p) = v
		return true
	}
	return CopyOutIRQ(cpu, root, va, (*[8]byte)(unsafe.Pointer(&v))[:])
}

// UserPointerFast is UserPointerIRQ for a page the tables map already,
// taking no lock: nil where UserPointerIRQ would have to resolve a fault.
// It returns the kernel's view of the n bytes at va if they lie in one
// such page (writable, if write), found as userFrameFast finds it: interrupts off on cpu. Else nil. cpu's
// rows are checked here rather than through userFrameFast, as every
// interrupt-context access comes this way and most hit.
//
//go:nosplit
func UserPointerFast(cpu *arch.CPU, root uint64, va uintptr, n uintptr, write bool) unsafe.Pointer {
	off := va & (PageSize - 1)
	// Host tests run every goroutine as the boot CPU (arch.This), so
	// rows are not per CPU there: they take the lock.
	if off+n > PageSize || !arch.Bare() {
		return nil
	}
	if pa, ok := lastUser[cpu.Index()].find(root, va-off, write); ok {
		return Phys(pa | uint64(off))
	}
	if pa, ok := userWalkFast(root, va, write); ok {
		return Phys(pa)
	}
	return nil
}

// UserPointerIRQ returns the kernel's view (through the direct map) of the
// n bytes at user address va of root, if they lie in one page and the user
// may access them (write them, if write), materialising demand-zero memory;
// otherwise nil, and the caller copies instead. Reading or writing user
// memory in place saves a pass over it; the pointer is good while
// interrupts stay off and cpu, this CPU, takes no lock (see lock.go: a CPU that
// spins for a lock answers other CPUs' TLB shootdowns, after which a
// frame may go). A caller that holds one such pointer and needs another
// uses UserPointerFast, or copies what it needs first.
//
//go:nosplit
func UserPointerIRQ(cpu *arch.CPU, root uint64, va uintptr, n uintptr, write bool) unsafe.Pointer {
	if p := UserPointerFast(cpu, root, va, n, write); p != nil || va%PageSize+n > PageSize {
		return p
	}
	userTables.LockIRQ() // to resolve what a fault would
	pa, ok := userFrame(root, va, write)
	userTables.UnlockIRQ()
	if !ok {
		return nil
	}
	return Phys(pa)
}

// userFrameFast is userFrame for a page the tables map already: from this
// CPU's row, else by a walk (userWalkFast).
//
//go:nosplit
func userFrameFast(root uint64, va uintptr, write bool) (uint64, bool) {
	if pa, ok := cachedFrame(root, va, write); ok {
		return pa | uint64(va)&(PageSize-1), true
	}
	return userWalkFast(root, va, write)
}

// userWalkFast walks the tables for va's page and remembers it in this
// CPU's row. It needs no lock where interrupts are off, as Linux's
// gup_fast: neither the tables walked nor the frame found are freed before
// this CPU turns them on or spins for a lock (see lastUser). Not inlined,
// so that its callers' frames stay small on interrupt context's deepest
// nosplit chains.
//
//go:nosplit
//go:noinline
func userWalkFast(root uint64, va uintptr, write bool) (uint64, bool) {
	if va >= UserEnd || va >= WindowStart && va < WindowEnd {
		return 0, false
	}
	gen := userGen.Load()
	if e, l, ok := lookup(root, va); userLeaf(e, l, ok, write) {
		rememberFrame(root, va, e, gen)
		return e&pteAddr | uint64(va)&(PageSize-1), true
	}
	return 0, false
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
