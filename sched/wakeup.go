package sched

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"

	"sigil/irq"
	"sigil/linux"
)

// Wakeup tells a goroutine (a bottom half) that something happened: a
// futex word a top half bumps and the goroutine sleeps on. A wake that
// comes between the goroutine's Seq and its Wait bumps the word, so the
// Wait returns at once: nothing is missed, and several wakes before the
// goroutine runs are one.
type Wakeup struct {
	word uint32 // bumped by Signal and Wake; read by Seq and Wait
}

// Signal wakes the goroutine from a top half and leaves the idle thread so
// it runs soon. Interrupt context.
//
//go:nosplit
func (w *Wakeup) Signal(c *irq.Context) {
	atomic.AddUint32(&w.word, 1)
	schedLock.Lock()
	WakeFutex(uintptr(unsafe.Pointer(&w.word)), 1)
	Reschedule(c)
	unlock()
}

// Wake wakes the goroutine from goroutine context.
func (w *Wakeup) Wake() {
	atomic.AddUint32(&w.word, 1)
	syscall.Syscall6(linux.SYS_FUTEX, uintptr(unsafe.Pointer(&w.word)), linux.FUTEX_WAKE_PRIVATE, 1, 0, 0, 0)
}

// Seq returns the wake count, to pass to Wait after checking the state
// the wakes announce.
func (w *Wakeup) Seq() uint32 { return atomic.LoadUint32(&w.word) }

// Wait sleeps until a wake after seq (at once if one came already).
// Goroutine context.
func (w *Wakeup) Wait(seq uint32) { w.WaitUntil(seq, 0) }

// WaitUntil is Wait that also returns once the monotonic clock
// (clock.Nanotime) reaches deadline, if not zero. The sleep is a system
// call that blocks the goroutine's kernel thread, so a wake readies that
// thread (a reschedule IPI if its CPU idles), not a goroutine on the
// waker's P. Goroutine context.
func (w *Wakeup) WaitUntil(seq uint32, deadline int64) {
	// Let what the last wake readied run first, on this kernel thread:
	// the sleep hands this P off, and what waits on it would need
	// another thread woken to run it.
	runtime.Gosched()
	// FUTEX_WAIT_BITSET's timeout is absolute on CLOCK_MONOTONIC, the
	// kernel runtime's clock.Nanotime.
	ts := &linux.Timespec{Sec: deadline / 1e9, Nsec: deadline % 1e9}
	op := uintptr(linux.FUTEX_WAIT_BITSET_PRIVATE)
	if deadline == 0 {
		op, ts = linux.FUTEX_WAIT_PRIVATE, nil
	}
	futexSleep(&w.word, seq, op, ts)
}

// futexSleep is the kernel-runtime futex wait on word, told to the Go
// runtime as a blocking system call (entersyscallblock, as gVisor tells
// it its blocking host calls): the P is handed off at once, with
// whatever this goroutine readied on it, instead of staying with the
// sleeping thread until sysmon retakes it (20 us to 10 ms), so a
// goroutine readied meanwhile finds a P. Nothing between the two runtime
// calls may grow the stack.
//
//go:nosplit
func futexSleep(word *uint32, seq uint32, op uintptr, ts *linux.Timespec) {
	entersyscallblock()
	syscall.RawSyscall6(linux.SYS_FUTEX, uintptr(unsafe.Pointer(word)), op, uintptr(seq), uintptr(unsafe.Pointer(ts)), 0, linux.FUTEX_BITSET_MATCH_ANY)
	exitsyscall()
}

//go:linkname entersyscallblock runtime.entersyscallblock
func entersyscallblock()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()
