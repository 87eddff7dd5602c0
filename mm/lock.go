package mm

import "sigil/arch"

// Spinlocks guard mm's shared state, each held only inside nosplit code
// of this package, which the Go scheduler cannot preempt and which never
// blocks: frames.lock (frames.go) inside the allocator; kernelTables and
// userTables around page-table work done in interrupt context and around
// each page of a goroutine's user copy. Lock order: userTables, then
// kernelTables, then frames.lock.
//
// kernelTables guards the kernel's root (the direct map, the image, the
// runtime's arena): the runtime's memory calls (package sys), its demand
// faults (HandlePageFault) and boot's mappings. Its holders touch nothing
// but page tables and frames, so no fault comes while it is held.
//
// userTables guards user page tables against interrupt context: the user
// page faults it resolves (UserFault), the copies and frame pointers of
// the signal fast paths (CopyInIRQ, CopyOutIRQ, UserPointerIRQ) and each
// page of a goroutine's copy (CopyIn, CopyOut). A holder may touch the Go
// heap (a copy fills a buffer), so a kernel demand fault can come while
// it is held; that fault takes kernelTables, never userTables, so no CPU
// waits for itself.
//
// Package vm's multi-step sections (fork, mprotect, munmap, teardown,
// filling a page) are Go code the scheduler could preempt, so they hold no
// spinlock themselves: each page-table operation they call here takes its
// root's lock for itself (lockTables), as Linux takes the page-table lock
// per operation under mmap_lock, and the space's mutex orders the
// operations of one space.
//
// A frame or table page an operation takes out of the tables is freed only
// after the flush that removes every cached translation of it (gather,
// Linux's mmu_gather): another CPU running the same space could otherwise
// write through a stale TLB entry into a frame already given to someone
// else. A single page (a copy-on-write break, MapPage) is invalidated
// before its old frame loses the reference. On one CPU the flush is this
// CPU's (flushTLB); the SMP work makes flushTLB and invalidate a
// shootdown, and the order here is what keeps that sufficient. The same
// rule keeps UserPointerIRQ's pointer valid while interrupts stay off.
var kernelTables, userTables arch.Spinlock

// tablesLock returns the lock guarding root's tables.
//
//go:nosplit
func tablesLock(root uint64) *arch.Spinlock {
	if root == KernelRoot {
		return &kernelTables
	}
	return &userTables
}

// lockTables takes the lock guarding root's tables for one operation and
// returns the gather its frees go to; unlockTables flushes and frees what
// was gathered, then releases the lock. Goroutine context (with interrupts
// off or on) and interrupt context alike. Where interrupts are off already
// (interrupt context, and vm's sections, which run with them off), nothing
// can preempt this nosplit code, so the lock is taken as interrupt context
// takes it, without push_off's bookkeeping: most operations come that way,
// and fork and exit make dozens.
//
//go:nosplit
func lockTables(root uint64) *gather {
	l := tablesLock(root)
	irqsOff := arch.Bare() && arch.Flags()&arch.RFLAGS_IF == 0
	if irqsOff {
		l.LockIRQ()
	} else {
		l.Lock()
	}
	g := &userGather
	if root == KernelRoot {
		g = &kernelGather
	}
	g.root, g.irqsOff = root, irqsOff
	return g
}

//go:nosplit
func unlockTables(g *gather) {
	g.finish()
	if g.irqsOff {
		tablesLock(g.root).UnlockIRQ()
	} else {
		tablesLock(g.root).Unlock()
	}
}

// A gather holds what an operation took out of root's page tables until
// every translation that may still reach it has been flushed (Linux's
// mmu_gather, mm/mmu_gather.c): each entry is a frame's address with its
// fate in the low bits. When it fills, the operation flushes and frees in
// the middle, as tlb_flush_mmu does. userGather is guarded by userTables,
// kernelGather by kernelTables.
type gather struct {
	root    uint64
	irqsOff bool // the lock was taken with LockIRQ
	n       uint
	held    [256]uint64
}

var userGather, kernelGather gather

// A gathered frame's fate.
const (
	fateUnref  = iota // a leaf's reference: Unref
	fateFree          // a page-table page: FreeFrame
	fateZeroed        // an all-zero page-table page: FreeZeroed
	fateMask   = PageSize - 1
)

// add holds frame pa until the flush; fate says how it goes.
//
//go:nosplit
func (g *gather) add(pa, fate uint64) {
	if g.n == uint(len(g.held)) {
		g.finish()
	}
	g.held[g.n%uint(len(g.held))] = pa | fate
	g.n++
}

// finish flushes root's translations, if anything was gathered, and frees
// what was, under one hold of the allocator's lock (releaseGathered).
//
//go:nosplit
func (g *gather) finish() {
	if g.n == 0 {
		return
	}
	flushTLB(g.root)
	releaseGathered(&g.held, g.n)
	g.n = 0
}

// WithIRQsOff runs a section of page-table changes with interrupts off on
// this CPU, so this CPU's interrupt context sees none of them half done
// (each operation's lock excludes the other CPUs).
func WithIRQsOff(f func()) { arch.NoInterrupts(f) }

// UserFault is Fault for a user page fault in interrupt context.
//
//go:nosplit
func UserFault(root uint64, va uintptr, write bool) (handled bool) {
	userTables.LockIRQ()
	handled, _ = fault(root, va, write, true)
	userTables.UnlockIRQ()
	return handled
}
