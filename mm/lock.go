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
// What userTables does not yet cover: package vm's multi-step sections
// (fork, mprotect, munmap, teardown, filling a page) are Go code the
// scheduler can preempt, so they cannot hold a spinlock; they run with
// interrupts off (WithIRQsOff), which excludes this CPU's interrupt
// context, and under the space's mutex, which excludes other goroutines.
// A second CPU's interrupt context is not excluded, and forgetUser clears
// other CPUs' lastUser rows unlocked. The SMP work must move each page-table
// step of those sections under userTables inside mm (Linux's page-table
// lock, taken per operation under mmap_lock) and free frames and tables
// only after the TLB shootdown.
//
// A pointer into a user page kept after the lock is released
// (UserPointerIRQ, used with interrupts off) stays good while frames are
// freed only after every CPU that may cache their translation has been
// flushed: true on one CPU, and what the SMP issue's TLB shootdown must
// keep true (Linux's mmu_gather frees after the flush, and GUP-fast walks
// with interrupts off on the same promise).
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

// LockTables and UnlockTables take and release the lock guarding root's
// tables, for nosplit callers with interrupts off (interrupt context: the
// kernel runtime's memory calls; boot).
//
//go:nosplit
func LockTables(root uint64) { tablesLock(root).LockIRQ() }

//go:nosplit
func UnlockTables(root uint64) { tablesLock(root).UnlockIRQ() }

// WithIRQsOff runs a section of page-table changes with interrupts off on
// this CPU (see above for what that does and does not exclude).
func WithIRQsOff(f func()) { arch.NoInterrupts(f) }

// UserFault is Fault for a user page fault in interrupt context.
//
//go:nosplit
func UserFault(root uint64, va uintptr, write bool) (handled bool) {
	userTables.LockIRQ()
	handled, _ = Fault(root, va, write, true)
	userTables.UnlockIRQ()
	return handled
}
