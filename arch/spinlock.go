package arch

import (
	"sync/atomic"
	_ "unsafe" // go:linkname
)

// Spinlock is a mutual-exclusion lock for data that interrupt handlers
// share with other code, and CPUs with each other. Holding one keeps
// interrupts off on the holding CPU (xv6's acquire: push_off, then spin),
// so a handler on that CPU can never spin on a lock its own CPU holds;
// spinlocks nest, and interrupts come back on only when the outermost is
// released (pop_off).
//
// A holder must not block, sleep, allocate or yield: Go code under a
// spinlock is as interrupt context (no channel, mutex or map operation).
// As Linux's spin_lock disables preemption, a goroutine holding one is
// pinned to its M (pinned), so the Go scheduler cannot put another
// goroutine on this CPU in the middle of the section, which would find
// interrupts off and this CPU's push_off count not its own. Sections are
// short.
type Spinlock struct {
	locked atomic.Uint32
	owner  atomic.Int32 // ID+1 of the holding CPU, 0 when free (recursion checks, Held)
}

// Lock turns interrupts off on this CPU and spins until l is free.
// Taking a lock this CPU already holds is a deadlock, reported as such
// (on the machine: in host tests every goroutine reads as CPU 0).
//
//go:nosplit
func (l *Spinlock) Lock() {
	c := pushOff()
	if Bare() && l.owner.Load() == c.ID+1 && l.locked.Load() != 0 {
		panic("spinlock: recursive acquire")
	}
	for !l.locked.CompareAndSwap(0, 1) {
		spinWait()
	}
	l.owner.Store(c.ID + 1)
}

// Unlock releases l and, if it was this CPU's outermost spinlock, restores
// interrupts as they were before it.
//
//go:nosplit
func (l *Spinlock) Unlock() {
	c := This()
	if l.owner.Load() != c.ID+1 {
		panic("spinlock: release of a lock this CPU does not hold")
	}
	l.owner.Store(0)
	l.locked.Store(0)
	popOff(c)
}

// Held reports whether this CPU holds l.
//
//go:nosplit
func (l *Spinlock) Held() bool {
	return l.locked.Load() != 0 && l.owner.Load() == This().ID+1
}

// pushOff turns interrupts off and counts one more reason to keep them
// off, remembering at the first whether they were on (xv6's push_off).
// In host tests interrupts are not the program's to switch and goroutines
// share the one block: only the lock word counts there.
//
//go:nosplit
func pushOff() *CPU {
	if !Bare() {
		return This()
	}
	on := readFlags()&RFLAGS_IF != 0
	cli()
	// The block is read with interrupts off: before, a tick may move
	// this thread to another CPU (RFLAGS.IF, read above, moves with it).
	c := This()
	if c.lockDepth == 0 {
		c.irqsWereOn = on
	}
	c.lockDepth++
	if pinnable(c) {
		procPin()
	}
	return c
}

// popOff undoes one pushOff; the last one turns interrupts back on if they
// were on before the first.
//
//go:nosplit
func popOff(c *CPU) {
	if !Bare() {
		return
	}
	if readFlags()&RFLAGS_IF != 0 {
		panic("spinlock: interrupts on while a spinlock is held")
	}
	if c.lockDepth < 1 {
		panic("spinlock: unbalanced release")
	}
	c.lockDepth--
	if pinnable(c) {
		procUnpin()
	}
	if c.lockDepth == 0 && c.irqsWereOn {
		sti()
	}
}

// pinnable reports whether this is goroutine context, whose goroutine a
// section pins: not interrupt context (which the Go scheduler never
// preempts, and whose g is the interrupted goroutine's) and not boot0,
// before the runtime exists.
//
//go:nosplit
func pinnable(c *CPU) bool { return c.IRQDepth == 0 && runtimeUp.Load() != 0 }

// runtimeUp is set by package initialisation, which runs on the started
// runtime.
var runtimeUp atomic.Uint32

func init() { runtimeUp.Store(1) }

// procPin and procUnpin are the runtime's preemption switch (m.locks, as
// sync.Pool uses it): while pinned, the goroutine is neither preempted
// nor moved to another M.
//
//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// LockIRQ takes l in interrupt context, where the entry's interrupt gate
// has turned interrupts off and they stay off until the matching
// UnlockIRQ: push_off's bookkeeping and the owner's CPU are left out, for
// the paths that run on every system call. The holder is recorded as
// interrupt context (Held reports false for it).
//
//go:nosplit
func (l *Spinlock) LockIRQ() {
	for !l.locked.CompareAndSwap(0, 1) {
		spinWait()
	}
	l.owner.Store(ownerIRQ)
}

// UnlockIRQ releases a lock taken with LockIRQ.
//
//go:nosplit
func (l *Spinlock) UnlockIRQ() {
	if l.owner.Load() != ownerIRQ {
		panic("spinlock: UnlockIRQ of a lock not taken with LockIRQ")
	}
	l.owner.Store(0)
	l.locked.Store(0)
}

// SpinPoll, when set, is called on every turn of a spinning wait (a lock,
// an IPI's acknowledgement): a CPU spins with interrupts off, so the
// requests other CPUs send it by IPI (a TLB shootdown, whose sender may
// hold the very lock this CPU waits for) are served from the loop, as
// Linux's csd_lock_wait lets the waiter run its own queue. It must be
// nosplit and take no lock. Set once at boot, before a second CPU runs.
var SpinPoll func()

// spinWait is one turn of a spinning wait.
//
//go:nosplit
func spinWait() {
	pause()
	if f := SpinPoll; f != nil && Bare() {
		f()
	}
}

// SpinWait is spinWait for waits outside this package.
//
//go:nosplit
func SpinWait() { spinWait() }

// ownerIRQ marks a lock held through LockIRQ.
const ownerIRQ = -1

// NoInterrupts runs f with interrupts off on this CPU, nesting with
// spinlocks. It protects state only this CPU touches (per-CPU data); data
// another CPU can reach needs a Spinlock.
func NoInterrupts(f func()) {
	c := pushOff()
	f()
	popOff(c)
}
