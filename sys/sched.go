package sys

import (
	"sigil/arch"
	"sigil/clock"
	"sigil/futex"
	"sigil/irq"
	"sigil/linux"
	"sigil/power"
	"sigil/sched"
)

// kernelPID is the kernel process's id: the id of its first thread.
const kernelPID = sched.TIDBase

// Kernel-side clone flags the runtime's threads must carry: they share
// everything with the kernel (there is no second kernel process).
const threadFlags = linux.CLONE_VM | linux.CLONE_THREAD | linux.CLONE_SIGHAND

//go:nosplit
func sysClone(c *irq.Context) {
	flags, stack, ptid, ctid, tls, _ := args(c)
	if flags&threadFlags != threadFlags {
		fail(c, linux.EINVAL) // the kernel cannot fork itself
		return
	}
	tid := sched.Clone(c, stack, flags&linux.CLONE_SETTLS != 0, tls)
	if tid == 0 {
		fail(c, linux.EAGAIN)
		return
	}
	child := sched.ByTID(tid)
	if flags&linux.CLONE_PARENT_SETTID != 0 && ptid != 0 {
		*(*int32)(at(ptid)) = tid
	}
	if flags&linux.CLONE_CHILD_SETTID != 0 && ctid != 0 {
		*(*int32)(at(ctid)) = tid
	}
	if flags&linux.CLONE_CHILD_CLEARTID != 0 {
		child.ClearTID = ctid
	}
	ret(c, uint64(tid))
}

//go:nosplit
func sysExit(c *irq.Context) {
	t := sched.Current()
	if t.ClearTID != 0 {
		// set_tid_address semantics: zero the word and wake one waiter.
		*(*int32)(at(t.ClearTID)) = 0
		sched.WakeFutex(uintptr(t.ClearTID), 1)
	}
	sched.Exit(c)
}

//go:nosplit
func sysExitGroup(c *irq.Context) {
	code, _, _, _, _, _ := args(c)
	power.Off(uint32(code))
}

//go:nosplit
func sysSchedYield(c *irq.Context) {
	ret(c, 0)
	sched.Yield(c)
}

//go:nosplit
func sysGetpid(c *irq.Context) { ret(c, kernelPID) }

//go:nosplit
func sysGetppid(c *irq.Context) { ret(c, 0) }

// sysGetID serves getuid, geteuid, getgid and getegid: the kernel is root.
//
//go:nosplit
func sysGetID(c *irq.Context) { ret(c, 0) }

//go:nosplit
func sysGettid(c *irq.Context) { ret(c, uint64(sched.Current().TID)) }

// sysSchedGetaffinity: the thread's affinity among the online CPUs, in one
// long (the runtime's getproccount sets GOMAXPROCS from it at start, when
// it is every online CPU).
//
//go:nosplit
func sysSchedGetaffinity(c *irq.Context) {
	pid, size, mask, _, _, _ := args(c)
	if size < 8 || size&7 != 0 {
		fail(c, linux.EINVAL)
		return
	}
	m, ok := sched.Affinity(int32(pid))
	if !ok {
		fail(c, linux.ESRCH)
		return
	}
	online := arch.OnlineMask()
	if m == 0 {
		m = online
	}
	*(*uint64)(at(mask)) = uint64(m & online)
	ret(c, 8)
}

// sysSchedSetaffinity follows Linux's sched_setaffinity: a mask with no
// online CPU is EINVAL (an empty one too), an unknown thread ESRCH. The
// kernel has one user (root): no EPERM.
//
//go:nosplit
func sysSchedSetaffinity(c *irq.Context) {
	pid, size, mask, _, _, _ := args(c)
	if _, ok := sched.Affinity(int32(pid)); !ok {
		fail(c, linux.ESRCH)
		return
	}
	var m arch.CPUMask
	if size > 0 {
		m = arch.MaskFromBytes((*[8]byte)(at(mask))[:min(size, 8)])
	}
	m, ok := arch.Affinity(m)
	if !ok {
		fail(c, linux.EINVAL)
		return
	}
	ret(c, 0)
	sched.SetAffinity(c, int32(pid), m) // found above, under the same lock hold (Handle)
}

//go:nosplit
func readTimespec(addr uint64) (ns int64, ok bool) {
	ts := (*linux.Timespec)(at(addr))
	if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
		return 0, false
	}
	if ts.Sec > (1<<62)/1_000_000_000 {
		return 1 << 62, true // effectively forever
	}
	return ts.Sec*1e9 + ts.Nsec, true
}

//go:nosplit
func writeTimespec(addr uint64, ns int64) {
	ts := (*linux.Timespec)(at(addr))
	ts.Sec = ns / 1e9
	ts.Nsec = ns % 1e9
}

// sleepUntil blocks the caller until the monotonic deadline; a deadline
// already past returns at once.
//
//go:nosplit
func sleepUntil(c *irq.Context, deadline int64) {
	ret(c, 0)
	if deadline <= clock.Nanotime() {
		return
	}
	sched.Block(c, sched.WaitSleep, 0, deadline, 0)
}

// spinSleepMax is the longest nanosleep served by spinning (ns).
const spinSleepMax = 5000

// spinSleep serves a nanosleep of at most spinSleepMax by spinning, and
// reports whether it did: the Go runtime's usleep(3) before it steals a
// goroutine another P is about to run (runqgrab) would otherwise block
// until the next tick, a millisecond, where Linux's hrtimer wakes it
// within the task's 50 us slack, and a goroutine readied on a busy P (a
// user thread a signal woke) would wait that long for an idle CPU to
// take it. The spin runs before schedLock is taken (sys.Handle), so no
// other CPU waits for it; this CPU's interrupts wait, as for udelay.
//
//go:nosplit
func spinSleep(c *irq.Context) bool {
	req, _, _, _, _, _ := args(c)
	d, ok := readTimespec(req)
	if !ok || d > spinSleepMax {
		return false
	}
	for end := clock.Nanotime() + d; clock.Nanotime() < end; {
		arch.Pause()
	}
	ret(c, 0)
	return true
}

//go:nosplit
func sysNanosleep(c *irq.Context) {
	req, _, _, _, _, _ := args(c)
	d, ok := readTimespec(req)
	if !ok {
		fail(c, linux.EINVAL)
		return
	}
	sleepUntil(c, clock.Nanotime()+d)
}

//go:nosplit
func sysClockNanosleep(c *irq.Context) {
	clk, flags, req, _, _, _ := args(c)
	d, ok := readTimespec(req)
	if !ok {
		fail(c, linux.EINVAL)
		return
	}
	now, ok := clockNow(clk)
	if !ok || clk == linux.CLOCK_THREAD_CPUTIME_ID {
		fail(c, linux.EINVAL)
		return
	}
	if flags&linux.TIMER_ABSTIME != 0 {
		d -= now
	}
	sleepUntil(c, clock.Nanotime()+d)
}

// Futex operations (kernel/futex/syscalls.c).
//
//go:nosplit
func sysFutex(c *irq.Context) {
	addr, op, val, timeout, _, val3 := args(c)
	o, e := futex.Decode(addr, op, val3)
	if e != 0 {
		fail(c, e)
		return
	}
	if o.Requeue {
		fail(c, linux.ENOSYS) // the runtime never requeues
		return
	}
	if !o.Wait {
		// The runtime uses no bitsets: every waiter matches (ANY).
		ret(c, uint64(sched.WakeFutex(uintptr(addr), int(uint32(val)))))
		return
	}
	var deadline int64
	if timeout != 0 {
		d, ok := readTimespec(timeout)
		if !ok {
			fail(c, linux.EINVAL)
			return
		}
		now := clock.Nanotime()
		if deadline = o.Deadline(d, now, clock.Realtime()); deadline <= now {
			fail(c, linux.ETIMEDOUT)
			return
		}
	}
	if *(*uint32)(at(addr)) != uint32(val) {
		fail(c, linux.EAGAIN)
		return
	}
	sched.Block(c, sched.WaitFutex, uintptr(addr), deadline, linux.Neg(linux.ETIMEDOUT))
}

//go:nosplit
func sysArchPrctl(c *irq.Context) {
	code, addr, _, _, _, _ := args(c)
	t := sched.Current()
	switch code {
	case linux.ARCH_SET_FS:
		t.FSBase = addr
		arch.WriteMSR(arch.MSR_FS_BASE, addr)
	case linux.ARCH_GET_FS:
		*(*uint64)(at(addr)) = t.FSBase
	default:
		// GS belongs to the kernel's per-CPU block.
		fail(c, linux.EINVAL)
		return
	}
	ret(c, 0)
}
