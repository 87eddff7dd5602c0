// Package sched schedules threads. For now the only threads are the Go
// runtime's own (each M the runtime clones is a kernel thread here, running
// at CPL 0 with its own saved registers, FPU state and FS base).
//
// The scheduler is preemptive round-robin on each CPU's periodic tick,
// with one run queue that every CPU takes from: it balances the load by
// itself (per-CPU queues, which the issue allows in its place, are not
// written; the choice is not measured at 4 CPUs). An idle CPU halts in the idle thread, whose slot
// all idle CPUs share (its code uses no stack: sti; hlt), and a CPU that
// makes a thread runnable while another idles sends that one a
// reschedule IPI (Linux's resched_curr -> smp_send_reschedule). A
// thread's
// whole state is its saved irq.Context: blocking saves the caller's Context
// into its slot and loads another thread's into the live one, and waking
// writes the system call's result into the sleeper's saved RAX. No kernel
// stack is kept per thread, so blocking costs nothing but the copy.
//
// Everything runs in interrupt context or under the scheduler lock
// (schedLock, a spinlock: IF clear): //go:nosplit, no allocation, no
// sleeping, and no Go pointers in the tables. Entry points that take the
// lock themselves say so; the rest say "schedLock held": the kernel
// runtime's system calls hold it throughout (sys.Handle), as the futex
// check and the block it decides on must be one step on every CPU.
package sched

import (
	"sync/atomic"
	"unsafe"

	"sigil/arch"
	"sigil/clock"
	"sigil/console"
	"sigil/irq"
	"sigil/linux"
	"sigil/power"
	"sigil/tick"
	"sigil/trace"
)

// MaxThreads bounds the thread table.
const MaxThreads = 128

// TIDBase is the first kernel thread id: Linux's PID_MAX_LIMIT on 64-bit
// (include/linux/threads.h), so kernel thread ids never collide with the
// process ids user programs will get.
const TIDBase = 1 << 22

// SliceTicks is the time slice in ticks.
const SliceTicks = 10

// State is a thread's scheduling state.
type State uint8

const (
	Free State = iota
	Runnable
	Running
	Blocked
)

// Wait says what a blocked thread waits for.
type Wait uint8

const (
	WaitNone  Wait = iota
	WaitFutex      // Key is the futex word's address
	WaitSleep      // only the deadline ends it
	WaitPoll       // Key is the epoll instance's descriptor
	WaitFault      // parked after a fault, until Resume
)

// Thread is one kernel thread. Its fields are guarded by schedLock, but
// for the running thread's own slot, which the CPU running it reads
// without the lock (Current).
type Thread struct {
	Ctx    irq.Context // registers while not running
	FSBase uint64      // IA32_FS_BASE (the runtime's TLS)
	TID    int32
	State  State
	Wait   Wait
	next   int32 // run queue link

	Key           uintptr
	Deadline      int64  // monotonic ns; 0 = none (nextDeadline is at or before it)
	TimeoutResult uint64 // RAX when the deadline passes

	// The kernel runtime's signal state (sys/ksignal.go). schedLock.
	SigMask  uint64
	AltStack linux.SigAltStack
	Pending  uint64 // standard signals sent to this thread, not yet delivered
	ByKill   uint64 // those of Pending that kill(2) sent (SI_USER, not SI_TKILL)

	Ticks    uint64 // ticks spent running
	ClearTID uint64 // CLONE_CHILD_CLEARTID address, zeroed and woken at exit
	Comm     [16]byte
	Survivor bool // a kernel thread whose faults are reported and skipped

	// CPU is the row of the CPU running the thread, while Running.
	CPU int32
	// Allowed is the set of CPUs the thread may run on, 0 for any: the
	// affinity of the user thread it carries, while it carries one
	// whose affinity is restricted (user.go), else Affinity.
	Allowed arch.CPUMask
	// Affinity is the kernel thread's own (sched_setaffinity from the
	// kernel's runtime: SetAffinity), 0 for any; inherited by Clone.
	Affinity arch.CPUMask

	// User mode (user.go).
	User     uintptr       // *UserContext while in user mode, else 0
	KernelTF irq.TrapFrame // the EnterUser call to resume (no FPU state: see ExitUser)
	UserFS   uint64
	UserRoot uint64
	// Kick asks for the thread's goroutine at its next return to CPL 3
	// (ReturnToUser). Set by its own CPU, or by another under schedLock
	// and the carried process thread's lock (KickUser from task's
	// wakeLocked); cleared by its own CPU.
	Kick bool
}

// idleSlot is the idle thread's slot, every idle CPU's: the idle loop
// touches no memory, so one saved Context serves them all.
const idleSlot = 0

// schedLock guards threads, the run queue and nextTID, and each CPU's
// Current and SliceLeft where another CPU reads them.
var schedLock arch.Spinlock

var (
	threads          [MaxThreads]Thread
	runHead, runTail int32 = -1, -1
	nextTID          int32 = TIDBase
	// hiSlot is one past the highest slot ever taken: slots are taken
	// lowest free first, so the table's scans stop there (a kernel has
	// tens of threads, the table room for MaxThreads).
	hiSlot int32 = 2
	// nextDeadline is the earliest Deadline of a blocked thread, or
	// later (0: none): the tick scans the table only once it passes.
	nextDeadline int64
)

// Lock takes the scheduler lock, for callers that must decide and block
// (or wake) in one step, such as the kernel runtime's system calls.
//
//go:nosplit
func Lock() { schedLock.Lock() }

// Unlock releases the scheduler lock.
//
//go:nosplit
func Unlock() { unlock() }

// kicks are the CPUs owed a reschedule IPI, decided under schedLock
// (kickIdle, kickRemote) and sent by unlock once the lock is free: an IPI
// is a write to the local APIC's ICR, slow to emulate, and the other
// CPUs may be spinning for the lock meanwhile. Atomic.
var kicks atomic.Uint64

// unlock releases schedLock and sends the IPIs decided under it.
//
//go:nosplit
func unlock() {
	schedLock.Unlock()
	if kicks.Load() != 0 {
		sendKicks()
	}
}

//go:nosplit
func sendKicks() {
	m := arch.CPUMask(kicks.Swap(0))
	for i := 0; m != 0 && i < arch.MaxCPUs; i++ {
		if m.Has(i) {
			m &^= 1 << i
			SendResched(arch.CPUAt(i))
		}
	}
}

// kick owes CPU c a reschedule IPI, sent when schedLock is released.
// schedLock held.
//
//go:nosplit
func kick(c *arch.CPU) { kicks.Or(1 << c.Index()) }

// Init makes slot 0 the idle thread (entered at idlePC on idleSP with
// interrupts on) and slot 1 the running boot thread.
//
//go:nosplit
func Init(idlePC, idleSP uint64) {
	idle := &threads[idleSlot]
	idle.Ctx.ResetFP()
	idle.Ctx.TF.RIP = idlePC
	idle.Ctx.TF.RSP = idleSP
	idle.Ctx.TF.CS = arch.KernelCS
	idle.Ctx.TF.SS = arch.KernelDS
	idle.Ctx.TF.RFLAGS = arch.RFLAGS_IF | 2 // bit 1 is reserved as 1
	idle.State = Runnable

	boot := &threads[1]
	boot.State = Running
	boot.TID = nextTID
	nextTID++
	c := arch.This()
	c.Current = 1
	c.SliceLeft = SliceTicks
	boot.CPU = c.ID
	cpuStarted = cpuStarted.With(int(c.ID))
}

// Current returns the running thread.
//
//go:nosplit
func Current() *Thread { return OnCPU(arch.This()) }

// OnCPU is the thread cpu runs (after a switch in the handler, the one
// it switched to). Interrupt context.
//
//go:nosplit
func OnCPU(cpu *arch.CPU) *Thread { return &threads[cpu.Current] }

// ByTID finds a live thread.
// schedLock held.
//
//go:nosplit
func ByTID(tid int32) *Thread {
	for i := int32(1); i < hiSlot; i++ {
		if threads[i].State != Free && threads[i].TID == tid {
			return &threads[i]
		}
	}
	return nil
}

// Count returns the number of live threads, idle excluded.
// schedLock held.
//
//go:nosplit
func Count() int {
	n := 0
	for i := int32(1); i < hiSlot; i++ {
		if threads[i].State != Free {
			n++
		}
	}
	return n
}

//go:nosplit
func enqueue(i int32) {
	threads[i].next = -1
	if runTail < 0 {
		runHead = i
	} else {
		threads[runTail].next = i
	}
	runTail = i
}

// firstOn returns the first queued thread that may run on CPU row cpu
// and the one queued before it (-1 for the head), or -1, -1.
//
//go:nosplit
func firstOn(cpu int) (i, prev int32) {
	prev = -1
	for i = runHead; i >= 0; prev, i = i, threads[i].next {
		if a := threads[i].Allowed; a == 0 || a.Has(cpu) {
			return i, prev
		}
	}
	return -1, -1
}

// dequeue takes the first runnable thread that may run on CPU row cpu,
// or returns -1.
//
//go:nosplit
func dequeue(cpu int) int32 {
	i, prev := firstOn(cpu)
	if i < 0 {
		return -1
	}
	if prev < 0 {
		runHead = threads[i].next
	} else {
		threads[prev].next = threads[i].next
	}
	if runTail == i {
		runTail = prev
	}
	return i
}

// runnableOn reports whether a queued thread may run on CPU row cpu.
//
//go:nosplit
func runnableOn(cpu int) bool {
	i, _ := firstOn(cpu)
	return i >= 0
}

// SendResched sends CPU cpu the reschedule IPI (package intr sets it; nil
// without a local APIC). Interrupt context.
var SendResched func(cpu *arch.CPU)

// kickIdle finds an idle CPU for queued thread t and reports whether it
// found one: this CPU, if it idles (an interrupt woke t) and t is the
// thread it takes next, as Linux's wake_affine_idle keeps a wakee on an
// idle waking CPU (every interrupt that wakes leaves the idle thread
// through Reschedule or Yield); else another idle CPU t may run on, sent
// a reschedule IPI.
//
//go:nosplit
func kickIdle(t *Thread) bool {
	if SendResched == nil || arch.Alone() {
		return false
	}
	self := arch.This()
	if self.Current == idleSlot {
		if i, _ := firstOn(int(self.Index())); i >= 0 && &threads[i] == t {
			return true
		}
	}
	for i := 0; i < arch.MaxCPUs; i++ {
		c := arch.CPUAt(i)
		if c == self || !c.Online() || c.Current != idleSlot || t.Allowed != 0 && !t.Allowed.Has(i) || !started(c) {
			continue
		}
		kick(c)
		return true
	}
	return false
}

// cpuStarted marks the CPUs that run threads (StartCPU; the boot CPU from
// Init). schedLock.
var cpuStarted arch.CPUMask

//go:nosplit
func started(c *arch.CPU) bool { return cpuStarted.Has(int(c.ID)) }

// StartCPU makes the calling CPU (an application processor at the end of
// its bring-up) one that runs threads: it enters the idle thread, which
// the caller runs next with interrupts on. Interrupts off.
//
//go:nosplit
func StartCPU() {
	schedLock.Lock()
	c := arch.This()
	c.Current = idleSlot
	c.SliceLeft = SliceTicks
	c.KernelFS = threads[idleSlot].FSBase
	cpuStarted = cpuStarted.With(int(c.ID))
	unlock()
}

// StopCPU takes this CPU out of service for good (a panic elsewhere):
// its thread, from the live c, goes back to the run queue for the CPUs
// still running, and the CPU runs nothing more. The caller halts.
// Interrupt context.
//
//go:nosplit
func StopCPU(c *irq.Context) {
	schedLock.Lock()
	cpu := arch.This()
	cpuStarted &^= 1 << uint(cpu.Index())
	if cur := cpu.Current; cur != idleSlot {
		t := save(c)
		t.State = Runnable
		enqueue(cur)
		kickIdle(t)
	}
	cpu.Current = idleSlot
	cpu.UserRoot = 0 // kernel code from now on: a shootdown may drop the root
	unlock()
}

// Resched is the reschedule IPI's work: leave the idle thread if a thread
// is runnable here, or move a kernel thread whose affinity no longer
// allows this CPU (SetAffinity); a user thread's kick, if one was asked,
// is seen on the way out (ReturnToUser). It takes schedLock.
//
//go:nosplit
func Resched(c *irq.Context) {
	schedLock.Lock()
	cpu := arch.This()
	if t := Current(); cpu.Current != idleSlot && t.User == 0 && !c.TF.FromUser() &&
		t.Allowed != 0 && !t.Allowed.Has(int(cpu.Index())) {
		requeue(c, t) // SetAffinity moved it off this CPU
	} else {
		Reschedule(c)
	}
	unlock()
}

// Clone creates a thread that resumes from the system call in c with RAX 0
// on stack sp (unchanged if 0), inheriting the caller's FPU state, signal
// mask and FS base unless tls is set. It returns the new thread id, or 0 when
// the table is full. schedLock held.
//
//go:nosplit
func Clone(c *irq.Context, sp uint64, setTLS bool, tls uint64) int32 {
	parent := Current()
	i := freeSlot()
	if i < 0 {
		return 0
	}
	t := &threads[i]
	t.Ctx = *c
	t.Ctx.TF.RAX = 0
	if sp != 0 {
		t.Ctx.TF.RSP = sp
	}
	t.FSBase = parent.FSBase
	if setTLS {
		t.FSBase = tls
	}
	t.SigMask = parent.SigMask
	t.AltStack = linux.SigAltStack{Flags: linux.SS_DISABLE} // clones get no alternate stack
	t.TID = nextTID
	nextTID++
	t.Wait, t.Key, t.Deadline, t.Ticks = WaitNone, 0, 0, 0
	t.ClearTID, t.Pending, t.ByKill, t.Comm, t.Survivor = 0, 0, 0, parent.Comm, false
	t.User, t.Kick = 0, false
	// An M the runtime clones has its parent's own affinity, as a Linux
	// clone, not that of the user thread it carried.
	t.Affinity = parent.Affinity
	t.Allowed = t.Affinity
	t.State = Runnable
	enqueue(i)
	kickIdle(t)
	return t.TID
}

// switchTo makes thread i the running one by loading its saved Context into
// the live c.
//
//go:nosplit
func switchTo(c *irq.Context, i int32) {
	cpu := arch.This()
	if trace.On(trace.SchedSwitch) && i != cpu.Current {
		traceSwitch(cpu.Current, i)
	}
	if cpu.Current == idleSlot && i != idleSlot {
		// Leaving idle: the timer's next event may be a second away
		// (package tick); the ticks idle has had since its last one
		// are idle's.
		k := tick.Resume(cpu, nextDeadline)
		cpu.Ticks += k
		threads[idleSlot].Ticks += k
	}
	t := &threads[i]
	*c = t.Ctx
	if c.TF.FromUser() {
		c.LoadFP()
	}
	t.State = Running
	t.CPU = cpu.ID
	cpu.Current = i
	cpu.SliceLeft = SliceTicks
	cpu.KernelFS = t.FSBase
	if c.TF.FromUser() {
		enterUser(t) // the exit path loads UserFS
	} else {
		cpu.UserRoot = 0
		loadFSBase(t.FSBase)
	}
}

// loadRoot switches page tables (host tests replace it).
var loadRoot = arch.SetCR3

// nanotime is the monotonic clock (host tests replace it).
var nanotime = clock.Nanotime

// loadFSBase installs the running thread's TLS base (host tests replace it:
// WRMSR is privileged).
var loadFSBase = writeFSBase

//go:nosplit
func writeFSBase(v uint64) { arch.WriteMSR(arch.MSR_FS_BASE, v) }

// schedule runs the next runnable thread, or idle.
//
//go:nosplit
func schedule(c *irq.Context) {
	next := dequeue(int(arch.This().Index()))
	if next < 0 {
		next = idleSlot
	}
	switchTo(c, next)
}

// save stores the live Context into the running thread's slot.
//
//go:nosplit
func save(c *irq.Context) *Thread {
	t := Current()
	if c.TF.FromUser() {
		c.CompleteFP()
	}
	t.Ctx = *c
	return t
}

// Block suspends the running thread until Wake or the deadline (monotonic
// ns, 0 for none), at which its system call returns timeoutResult.
// schedLock held.
//
//go:nosplit
func Block(c *irq.Context, w Wait, key uintptr, deadline int64, timeoutResult uint64) {
	t := save(c)
	t.State = Blocked
	t.Wait = w
	t.Key = key
	t.Deadline = deadline
	if deadline != 0 {
		if nextDeadline == 0 || deadline < nextDeadline {
			nextDeadline = deadline
		}
		tick.Reprogram(arch.This(), deadline)
	}
	t.TimeoutResult = timeoutResult
	schedule(c)
}

// Wake makes blocked thread t runnable with result as its system call's
// return value. If this CPU is running user code, that code is kicked
// back to its goroutine, which yields (package task): user code keeps the
// goroutine's P, and the woken thread needs one to run Go code.
// schedLock held.
//
//go:nosplit
func Wake(t *Thread, result uint64) {
	t.Ctx.TF.RAX = result
	t.State = Runnable
	t.Wait = WaitNone
	t.Deadline = 0
	enqueue(slot(t))
	if kickIdle(t) {
		return
	}
	if cur := Current(); cur.User != 0 && (t.Allowed == 0 || t.Allowed.Has(int(arch.This().Index()))) {
		cur.Kick = true
	}
}

//go:nosplit
func slot(t *Thread) int32 {
	return int32((uintptr(unsafe.Pointer(t)) - uintptr(unsafe.Pointer(&threads[0]))) / unsafe.Sizeof(threads[0]))
}

// freeSlot returns the lowest free slot, to be filled by the caller
// (hiSlot counts it from here), or -1 when the table is full. schedLock
// held.
//
//go:nosplit
func freeSlot() int32 {
	for i := int32(1); i < MaxThreads; i++ {
		if threads[i].State == Free {
			hiSlot = max(hiSlot, i+1)
			return i
		}
	}
	return -1
}

// WakeFutex wakes up to n threads waiting on the futex word at addr and
// returns how many it woke. schedLock held.
//
//go:nosplit
func WakeFutex(addr uintptr, n int) int {
	woken := 0
	for i := int32(1); i < hiSlot && woken < n; i++ {
		t := &threads[i]
		if t.State == Blocked && t.Wait == WaitFutex && t.Key == addr {
			Wake(t, 0)
			woken++
		}
	}
	return woken
}

// EachBlocked calls f for each thread blocked with w (e.g. to complete
// pollers). schedLock held, and f runs under it.
//
//go:nosplit
func EachBlocked(w Wait, f func(t *Thread)) {
	for i := int32(1); i < hiSlot; i++ {
		if t := &threads[i]; t.State == Blocked && t.Wait == w {
			f(t)
		}
	}
}

// Yield puts the running thread at the back of the run queue if another
// thread is runnable. schedLock held.
//
//go:nosplit
func Yield(c *irq.Context) {
	if !runnableOn(int(arch.This().Index())) {
		return
	}
	t := save(c)
	cur := arch.This().Current
	if cur != idleSlot {
		t.State = Runnable
		enqueue(cur)
	}
	schedule(c)
}

// requeue sends the running thread t, saved from c, back to the run queue
// for a CPU it may use (kicking one that idles) and switches this CPU to
// the next thread. schedLock held.
//
//go:nosplit
func requeue(c *irq.Context, t *Thread) {
	save(c)
	t.State = Runnable
	enqueue(slot(t))
	kickIdle(t)
	schedule(c)
}

// SetAffinity restricts kernel thread tid (0: the caller) to the CPUs in
// m, 0 for any (sched_setaffinity from the kernel's runtime). The caller,
// if this CPU is not in m, moves before its call returns, as Linux's
// __set_cpus_allowed_ptr moves a running task; another thread running
// kernel code on a CPU outside m moves as soon as that CPU takes the
// reschedule IPI sent to it (Resched), though the call does not wait for
// that as Linux's migration stopper makes it; a queued thread waits for
// a CPU in m. The caller has found the thread (Affinity) under the same
// hold of schedLock. The system call in c; schedLock held.
//
//go:nosplit
func SetAffinity(c *irq.Context, tid int32, m arch.CPUMask) {
	t := callerOr(tid)
	if t == nil {
		return
	}
	t.Affinity = m
	if t.User == 0 {
		t.Allowed = m
	}
	switch {
	case m == 0:
	case t == Current() && !m.Has(int(arch.This().Index())):
		requeue(c, t)
	case t.State == Running && t.User == 0 && !m.Has(int(t.CPU)):
		kick(arch.CPUAt(int(t.CPU))) // Resched there moves it
	}
}

// Affinity returns kernel thread tid's own affinity (0: the caller's), 0
// for any CPU, and whether there is such a thread. schedLock held.
//
//go:nosplit
func Affinity(tid int32) (m arch.CPUMask, ok bool) {
	if t := callerOr(tid); t != nil {
		return t.Affinity, true
	}
	return 0, false
}

// callerOr is thread tid, the caller for 0 (as sched_*affinity's pid), or
// nil. schedLock held.
//
//go:nosplit
func callerOr(tid int32) *Thread {
	if t := Current(); tid == 0 || tid == t.TID {
		return t
	}
	return ByTID(tid)
}

// Exit ends the running thread. schedLock held.
//
//go:nosplit
func Exit(c *irq.Context) {
	t := Current()
	t.State = Free
	t.Wait = WaitNone
	schedule(c)
}

// Tick is the timer's work for an event standing for n ticks (package
// tick): expire deadlines, charge the running thread and preempt it at
// the end of its slice. It leaves the idle thread as soon as anything is
// runnable. It takes schedLock, and returns what the one-shot timer's
// next event is armed for (package tick): the earliest deadline still
// pending (0 for none), and whether this CPU is idle now.
//
//go:nosplit
func Tick(c *irq.Context, n uint64) (next int64, idle bool) {
	schedLock.Lock()
	tickLocked(c, n)
	next, idle = nextDeadline, arch.This().Current == idleSlot
	unlock()
	return next, idle
}

//go:nosplit
func tickLocked(c *irq.Context, n uint64) {
	cpu := arch.This()
	cpu.Ticks += n
	now := nanotime()
	checkWatchdog(now)
	if d := nextDeadline; d != 0 && d <= now {
		expire(now)
	}
	chargeTick(cpu, c, n)
	cur := Current()
	cur.Ticks += n
	cpu.SliceLeft -= int32(n)
	switch {
	case cpu.Current != idleSlot && cpu.SliceLeft > 0:
	case cur.User != 0:
		// User code's slice is over: it goes back to its goroutine,
		// which yields to the Go scheduler's other goroutines.
		cur.Kick = true
		cpu.SliceLeft = SliceTicks
	default:
		Yield(c)
	}
}

// expire wakes the blocked threads whose deadline has passed, with their
// timeout results, and finds the next deadline. schedLock held.
//
//go:nosplit
func expire(now int64) {
	next := int64(0)
	for i := int32(1); i < hiSlot; i++ {
		t := &threads[i]
		if t.State != Blocked || t.Deadline == 0 {
			continue
		}
		if t.Deadline <= now {
			Wake(t, t.TimeoutResult)
		} else if next == 0 || t.Deadline < next {
			next = t.Deadline
		}
	}
	nextDeadline = next
}

// Reschedule leaves the idle thread if an interrupt made work runnable.
// schedLock held.
//
//go:nosplit
func Reschedule(c *irq.Context) {
	if arch.This().Current == idleSlot {
		Yield(c)
	}
}

// watchdogDeadline is monotonic ns, 0 when disarmed. Atomic: the fault
// path arms it from wherever the fault struck, locks held or not.
var watchdogDeadline atomic.Int64

// SetWatchdog makes the tick power the machine off (power.ExitKernelFault)
// once the monotonic clock passes deadline (0 disarms). The fault path
// arms it so that a report that cannot finish still ends in power-off.
//
//go:nosplit
func SetWatchdog(deadline int64) { watchdogDeadline.Store(deadline) }

//go:nosplit
func checkWatchdog(now int64) {
	if d := watchdogDeadline.Load(); d != 0 && now >= d {
		console.Puts("<0>sigil: fault report did not finish: powering off\n")
		power.Off(power.ExitKernelFault)
	}
}

// IdleTicks counts the ticks that found the idle thread running
// (/proc/uptime's idle time). Goroutine context.
// The idle slot is every idle CPU's, so its ticks are all CPUs' idle
// ticks, as /proc/uptime's second figure on Linux.
func IdleTicks() (n uint64) {
	locked(func() { n = threads[idleSlot].Ticks })
	return n
}

// locked runs f under schedLock: goroutine-context callers use it to touch
// the thread table.
func locked(f func()) {
	schedLock.Lock()
	f()
	unlock()
}

// KernelTLS is a TLS block for threads that are not the runtime's: every
// entry's Go ABI wrapper loads g from FS:-8, so FS must be readable.
func KernelTLS() uint64 { return uint64(uintptr(unsafe.Pointer(&idleTLS[1]))) }

// SpawnKernel starts a kernel thread that is not one of the runtime's: it
// runs pc on stack sp with arg in RDI and interrupts on. Its faults are
// reported and skipped (see package fault). It returns the thread id, or 0.
func SpawnKernel(pc, sp, arg uint64) (tid int32) {
	locked(func() {
		i := freeSlot()
		if i < 0 {
			return
		}
		t := &threads[i]
		*t = Thread{TID: nextTID, FSBase: KernelTLS(), Survivor: true, State: Runnable}
		nextTID++
		t.Ctx.ResetFP()
		t.Ctx.TF = irq.TrapFrame{RIP: pc, RSP: sp, RDI: arg, CS: arch.KernelCS, SS: arch.KernelDS,
			RFLAGS: arch.RFLAGS_IF | 2}
		enqueue(i)
		tid = t.TID
	})
	return tid
}

// Resume restarts a thread parked by a fault at rip. Goroutine context.
func Resume(tid int32, rip uint64) bool {
	ok := false
	locked(func() {
		if t := ByTID(tid); t != nil && t.State == Blocked && t.Wait == WaitFault {
			t.Ctx.TF.RIP = rip
			Wake(t, t.Ctx.TF.RAX)
			ok = true
		}
	})
	return ok
}
