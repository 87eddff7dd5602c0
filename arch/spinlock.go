package arch

import "sync/atomic"

// Spinlock is a mutual-exclusion lock for data that interrupt handlers
// share with other code, and CPUs with each other. Holding one keeps
// interrupts off on the holding CPU (xv6's acquire: push_off, then spin),
// so a handler on that CPU can never spin on a lock its own CPU holds;
// spinlocks nest, and interrupts come back on only when the outermost is
// released (pop_off).
//
// A holder must not block, sleep, allocate or yield: Go code under a
// spinlock is as interrupt context (no channel, mutex or map operation,
// no call that can grow the stack into a reschedule). Sections are short.
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
		pause()
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
	c := This()
	if !Bare() {
		return c
	}
	on := readFlags()&RFLAGS_IF != 0
	cli()
	if c.lockDepth == 0 {
		c.irqsWereOn = on
	}
	c.lockDepth++
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
	if c.lockDepth == 0 && c.irqsWereOn {
		sti()
	}
}

// NoInterrupts runs f with interrupts off on this CPU, nesting with
// spinlocks. It protects state only this CPU touches (per-CPU data); data
// another CPU can reach needs a Spinlock.
func NoInterrupts(f func()) {
	c := pushOff()
	f()
	popOff(c)
}
