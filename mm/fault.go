package mm

import (
	"sigil/arch"
	"sigil/console"
	"sigil/irq"
	"sigil/power"
)

// HandlePageFault resolves a kernel-mode page fault in demand-zero kernel
// memory (the runtime touching memory it mmapped) and reports whether it
// did; anything else is a kernel bug for the caller (package trap) to
// report. With no frame left the machine powers off. Running on the
// exception IST stack with IF clear; see the irq package for the rules.
//
//go:nosplit
func HandlePageFault(c *irq.Context) bool {
	addr := uintptr(arch.CR2())
	code := c.TF.ErrorCode
	if !c.TF.FromUser() && code&irq.PFPresent == 0 {
		kernelTables.LockIRQ()
		ok, oom := fault(KernelRoot, addr, code&irq.PFWrite != 0, false)
		kernelTables.UnlockIRQ()
		if ok {
			return true
		}
		if oom {
			console.Puts("<0>sigil: out of memory: no frame for kernel page ")
			console.PutHex(uint64(addr))
			console.Puts("\n")
			power.Off(power.ExitOutOfMemory)
		}
	}
	return false
}

// Fault resolves what the page tables alone can resolve of a page fault at
// va in root: a demand-zero page whose permissions allow the access gets a
// zeroed frame (and any missing tables); a write to a copy-on-write page
// gets a frame of its own (or keeps its frame, if it holds the only
// reference). It returns false for anything else (no mapping, a
// permission the entry does not give, a page whose contents come from
// elsewhere), which the caller takes to the address space's areas, and
// oom when a frame was needed and none was free. It takes root's tables
// lock (lock.go).
//
//go:nosplit
func Fault(root uint64, va uintptr, write, user bool) (handled, oom bool) {
	g := lockTables(root)
	handled, oom = fault(root, va, write, user)
	unlockTables(g)
	return handled, oom
}

// fault is Fault with root's tables lock held.
//
//go:nosplit
func fault(root uint64, va uintptr, write, user bool) (handled, oom bool) {
	t := table(root)
	for l := 4; ; l-- {
		e := &t[index(va, l)]
		if isTable(*e, l) {
			t = table(*e)
			continue
		}
		if *e&PTEPresent != 0 {
			if l == 1 && write && *e&PTECOW != 0 && (!user || *e&PTEUser != 0) {
				return breakCOW(root, va, e)
			}
			if (!write || *e&PTEWrite != 0) && (!user || *e&PTEUser != 0) {
				// Present and allowing the access: another CPU
				// filled the page between this CPU's fault and
				// the lock, or this CPU's TLB held an older entry,
				// which the fault dropped (SDM Vol. 3A §4.10.4.1).
				// Retry, as Linux's spurious_kernel_fault and a
				// second handle_mm_fault on a filled pte do.
				return true, false
			}
			return false, false // a protection fault
		}
		if *e&PTEDemand == 0 {
			return false, false // nothing here the tables know of
		}
		if write && *e&PTEWrite == 0 || user && *e&PTEUser == 0 {
			return false, false
		}
		if l > 1 {
			if !split(e, user) {
				return false, true
			}
			t = table(*e)
			continue
		}
		k := KindKernel
		if user {
			k = KindAnon
		}
		pa, ok := AllocZeroed(k)
		if !ok {
			return false, true
		}
		*e = pa | PTEPresent | PTERef | *e&permBits
		return true, false
	}
}

// breakCOW gives the copy-on-write page at *e (mapping va) a frame this
// entry alone holds, and makes it writable.
//
//go:nosplit
func breakCOW(root uint64, va uintptr, e *uint64) (handled, oom bool) {
	forgetUser(root)
	old := *e & pteAddr
	if Refs(old) == 1 && KindOf(old) == KindAnon {
		*e = *e&^PTECOW | PTEWrite
	} else {
		pa, ok := AllocFrame(KindAnon)
		if !ok {
			return false, true
		}
		*(*[PageSize]byte)(Phys(pa)) = *(*[PageSize]byte)(Phys(old))
		*e = pa | *e&^(pteAddr|PTECOW) | PTEWrite | PTERef
		invalidate(root, va) // before the old frame can go (lock.go)
		Unref(old)
		return true, false
	}
	invalidate(root, va)
	return true, false
}

// MapPage makes va in the user space root map frame pa with the entry
// bits flags (PTEWrite, PTEUser, PTENX, PTECOW), taking over the caller's
// reference on pa. A page that was mapped there is released. It reports
// false, with nothing changed, when a table cannot be allocated.
//
//go:nosplit
func MapPage(root uint64, va uintptr, pa uint64, flags uint64) bool {
	g := lockTables(root)
	forgetUser(root)
	e := walkTo(root, va, 1, true)
	if e != nil {
		old := *e
		*e = pa | flags&(permBits|PTECOW) | PTEPresent | PTERef
		if old&PTEPresent != 0 {
			invalidate(root, va) // before the old frame can go (lock.go)
			g.leaf(old)
		}
	}
	unlockTables(g)
	return e != nil
}

// invalidate drops the translation of va in root from every TLB that may
// hold it: this CPU's, if root is loaded (with no PCIDs, an unloaded space
// has no TLB entries) or is the kernel's, and the other CPUs' by a shootdown (shootdown.go).
//
//go:nosplit
func invalidate(root uint64, va uintptr) {
	if root == KernelRoot || arch.This().Root == root { // the kernel half is in every root
		arch.Invlpg(va)
	}
	shootdown(root)
}

// Flush drops every translation of the user space root from the TLBs that
// may hold them (flushTLB), after a change that only narrowed access or
// removed pages that hold no frame. Interrupts off.
//
//go:nosplit
func Flush(root uint64) { flushTLB(root) }

// flushTLB drops every translation of root's tables from every TLB that
// may hold one: this CPU's, reloading CR3 when root is loaded, and always
// for the kernel's root, whose half every space shares (the arena's entries
// are not global; the direct map's and the APIC window's, which never
// change, are); then the other CPUs' that may (shootdown.go).
//
//go:nosplit
func flushTLB(root uint64) {
	if cpu := arch.This(); arch.Bare() && (root == KernelRoot || cpu.Root == root) {
		arch.SetCR3(arch.CR3())
	}
	shootdown(root)
}

// Populate gives every page of [va, end) of root a frame, as a touch by
// kernel code (user false) would, and reports whether it could.
//
//go:nosplit
func Populate(root uint64, va, end uintptr) bool {
	g := lockTables(root)
	ok := true
	for ; ok && va < end; va += PageSize {
		if _, _, mapped := lookup(root, va); !mapped {
			ok, _ = fault(root, va, true, false)
		}
	}
	unlockTables(g)
	return ok
}
