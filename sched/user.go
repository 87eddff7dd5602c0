package sched

import (
	"sync/atomic"
	"syscall"
	"unsafe"

	"sigil/arch"
	"sigil/irq"
	"sigil/mm"
)

// User mode. A user thread is a goroutine that calls EnterUser in a loop.
// EnterUser is a raw system call (SysEnterUser): the Go runtime does not
// see it as a system call at all, so the goroutine keeps its P while the
// thread runs user code, as if it ran Go code. In interrupt context the
// call saves its own frame as the thread's kernel continuation and loads
// the user registers; the next trap from CPL 3 that the kernel cannot
// finish there (a system call, a fault, a kick) saves the user registers
// back and resumes the continuation with the reason in RAX.
//
// So user threads are goroutines, and the Go scheduler alone decides which
// of them runs, on as many Ms as there are Ps: any number of user threads
// costs no kernel thread each. A short futex wait is the exception: up to
// eight at once block their kernel thread for up to 4 ms (package task's
// futexWaiter.park), so
// that a FUTEX_WAKE from another CPU readies that thread there, a
// reschedule IPI away, as Linux's does, instead of readying the waiter's
// goroutine behind the waker's. The kernel takes the CPU back from user code
// by a kick (ReasonInterrupt): at the end of the time slice, when an
// interrupt wakes a kernel thread, or when a signal comes. The goroutine
// then yields to the kernel's other runnable threads and to the Go
// scheduler's other goroutines (Thread.run in package task).

// SysEnterUser is the private system-call number of EnterUser, far above
// Linux's numbers.
const SysEnterUser = 0x51c1_0000

// Why EnterUser returned.
const (
	ReasonSyscall   = 1 // the user executed SYSCALL; its number is in Ctx.TF.RAX
	ReasonFault     = 2 // a CPU exception: Trap says which
	ReasonInterrupt = 3 // the kernel asked for the CPU back (a kick): yield, then enter again
)

// TrapInfo describes the trap that ended a stretch of user mode.
type TrapInfo struct {
	Vector    uint64
	ErrorCode uint64
	CR2       uint64
}

// UserContext is a user thread's registers and trap information, shared by
// its goroutine and interrupt context.
//
// Guards: Ctx, FSBase and Trap belong to whoever runs the thread: its
// goroutine while it is in the kernel, interrupt context on the CPU that
// runs it in user mode; Root, PID, TID and Process are written before the
// thread first enters user mode and only read after.
type UserContext struct {
	Ctx    irq.Context
	FSBase uint64 // user FS base (arch_prctl)
	Root   uint64 // the process's PML4
	Trap   TrapInfo
	// Identity, for the system calls served without leaving interrupt
	// context (sys/fast.go): PID and TID set when the thread starts; the
	// real and effective user and group IDs (getuid, geteuid, getgid,
	// getegid, in that order) written by the owner thread whenever its
	// credentials change, read only by traps of that same thread.
	PID, TID int32
	IDs      [4]uint32
	// IDsSlow: the IDs may still change meaning (a user namespace whose
	// uid or gid map is not yet written), so getuid and friends take
	// the goroutine's path. Written with IDs.
	IDsSlow bool
	// Process: the context is part of a process's thread (package task,
	// which finds the thread from it for the signal work interrupt
	// context does itself), not a self-test's.
	Process bool
	// IO is the I/O ports the thread may use (ioperm, iopl): nil for
	// none. Written by the owner thread, read when it enters user mode.
	IO *arch.IOBitmap
	// Allowed is the thread's CPU affinity (sched_setaffinity), 0 for
	// every CPU. Written by the owner thread in the kernel, read by
	// HandleEnterUser on its way out.
	Allowed arch.CPUMask
	// CPU is the CPU the thread last ran user code on (ExitUser), which
	// getcpu reports: its goroutine may serve the call on another one.
	// Owner thread.
	CPU int32
	// carrier is the slot of the kernel thread that last carried the
	// context into user mode (HandleEnterUser, on that thread's CPU,
	// before it publishes the context in Thread.User); KickUser, under
	// schedLock, checks that one slot instead of the whole table.
	carrier int32
	// kicked is 1 when KickUser asked for the thread while no kernel
	// thread carried it into user mode (it was in the kernel, or on its
	// way in): HandleEnterUser takes it and comes straight back, as
	// Linux's exit to user mode checks TIF_SIGPENDING with interrupts
	// off. Atomic: set by any CPU, swapped by the entering one.
	kicked uint32
}

// userFlags are the RFLAGS bits user mode controls (SDM Vol. 1 §3.4.3):
// the status flags, TF, DF, AC and ID. IOPL, NT, RF and VM are never
// taken from user state, and IF is always set.
const userFlags = arch.RFLAGS_Status | arch.RFLAGS_TF | arch.RFLAGS_DF | arch.RFLAGS_AC | arch.RFLAGS_ID

// EnterUser runs ut in user mode until a trap the kernel hands back, and
// returns the reason. Goroutine context.
func EnterUser(ut *UserContext) uint64 {
	r, _, _ := syscall.RawSyscall(SysEnterUser, uintptr(unsafe.Pointer(ut)), 0, 0)
	return uint64(r)
}

// YieldToKernel gives the CPU to the kernel's other runnable threads, if
// any, and comes back (sched_yield, made as a system call so that a
// thread waking from one can take this goroutine's P). A kicked user
// thread calls it before it yields to the Go scheduler. Goroutine context.
func YieldToKernel() { syscall.Syscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }

// HandleEnterUser is SysEnterUser in interrupt context.
//
//go:nosplit
func HandleEnterUser(c *irq.Context) {
	t := Current()
	ut := (*UserContext)(unsafe.Add(unsafe.Pointer(nil), c.TF.RDI))
	if a := ut.Allowed; a != 0 && !a.Has(int(arch.This().Index())) {
		// Not allowed here (Linux's __set_cpus_allowed_ptr moves a
		// running task away): the kernel thread carrying it takes the
		// thread's affinity and goes back to the run queue with its
		// SYSCALL undone, so that it is made again on a CPU it may use.
		migrate(c, t, a)
		return
	}
	t.KernelTF = c.TF
	ut.carrier = arch.This().Current
	t.User = uintptr(unsafe.Pointer(ut))
	t.UserFS, t.UserRoot = ut.FSBase, ut.Root
	*c = ut.Ctx
	c.LoadFP()
	c.TF.CS, c.TF.SS = arch.UserCS, arch.UserDS
	c.TF.RFLAGS = c.TF.RFLAGS&userFlags | arch.RFLAGS_IF | 2
	enterUser(t)
	// After t.User is visible (the swap is a full barrier): a KickUser
	// either sees this thread carrying ut, or left its mark here.
	if atomic.SwapUint32(&ut.kicked, 0) != 0 {
		t.Kick = true // the caller's ReturnToUser takes it back at once
	}
}

// enterUser loads what user mode on this CPU takes from the thread t runs
// there: its FS base, its address space and its I/O ports.
//
//go:nosplit
func enterUser(t *Thread) {
	cpu := arch.This()
	cpu.LoadIOBitmap((*UserContext)(unsafe.Add(unsafe.Pointer(nil), t.User)).IO)
	cpu.UserFS = t.UserFS
	cpu.KernelFS = t.FSBase
	cpu.UserRoot = t.UserRoot
	if cpu.Root != t.UserRoot {
		cpu.SetRoot(t.UserRoot) // before the load: see arch.CPU.SetRoot
		loadRoot(t.UserRoot)
	}
}

// syscallLen is the length of SYSCALL (0F 05).
const syscallLen = 2

// migrate sends the running thread, in a SysEnterUser call from c, to the
// run queue restricted to the CPUs in a, to make the call again there.
//
//go:nosplit
func migrate(c *irq.Context, t *Thread, a arch.CPUMask) {
	schedLock.Lock()
	c.TF.RIP -= syscallLen
	c.TF.RAX = SysEnterUser
	t.Allowed = a
	requeue(c, t)
	unlock()
}

// CurrentUser returns the user thread cpu was running when it trapped
// from CPL 3, or nil. Interrupt context.
//
//go:nosplit
func CurrentUser(cpu *arch.CPU) *UserContext {
	return (*UserContext)(unsafe.Add(unsafe.Pointer(nil), OnCPU(cpu).User))
}

// ExitUser saves the user state of the running thread (in c) and resumes
// its kernel continuation with reason.
//
//go:nosplit
func ExitUser(c *irq.Context, reason uint64, trap TrapInfo) {
	t := Current()
	ut := (*UserContext)(unsafe.Add(unsafe.Pointer(nil), t.User))
	c.CompleteFP()
	ut.Ctx = *c
	ut.Trap = trap
	// The continuation is a system call made from Go code, after which
	// the Go ABI expects nothing of the SSE registers but a zero X15 and
	// the runtime's MXCSR: the user's other values may stay in them.
	c.TF = t.KernelTF
	c.KernelFP()
	c.TF.RAX = reason
	t.User = 0
	t.Allowed = t.Affinity
	cpu := arch.This()
	cpu.UserRoot = 0
	ut.CPU = cpu.ID
	// The context came in from CPL 3, or from a switch that expected to
	// return there; either way FS may not be this thread's yet.
	loadFSBase(t.FSBase)
}

// Kicked reports whether the user thread cpu runs has a kick to answer.
// Interrupt context on cpu.
//
//go:nosplit
func Kicked(cpu *arch.CPU) bool { return OnCPU(cpu).Kick }

// DropKick forgets the kick of the user thread cpu runs, answered where
// the thread trapped (task.KickedSignal). The caller holds the lock every
// other CPU holds to kick that thread (its process's: task's wakeLocked),
// so a later kick sets it again and none is lost. Interrupt context on
// cpu.
//
//go:nosplit
func DropKick(cpu *arch.CPU) { OnCPU(cpu).Kick = false }

// KickCurrent sends the running user thread back to its goroutine when it
// next returns to user mode (ReturnToUser). Interrupt context.
//
//go:nosplit
func KickCurrent() { Current().Kick = true }

// UserPageFault resolves a user page fault that the page tables alone
// can (demand-zero memory, copy-on-write), and reports whether it did; the
// rest go to the thread's goroutine, which consults the areas.
//
//go:nosplit
func UserPageFault(c *irq.Context) bool {
	code := c.TF.ErrorCode
	if code&irq.PFPresent != 0 {
		return false
	}
	return mm.UserFault(Current().UserRoot, uintptr(arch.CR2()), code&irq.PFWrite != 0)
}

// ReturnToUser is the last step of every entry from CPL 3 (package trap,
// and intr's device entries) before the CPU goes back there: a kicked
// thread returns to its goroutine instead.
//
//go:nosplit
func ReturnToUser(c *irq.Context, cpu *arch.CPU) {
	if !c.TF.FromUser() {
		return
	}
	if t := OnCPU(cpu); t.User != 0 && t.Kick {
		t.Kick = false
		ExitUser(c, ReasonInterrupt, TrapInfo{})
	}
}

// kickRemote sends a reschedule IPI to the CPU running t in user mode, if
// not this one, so that its kick is seen now (Linux's kick_process; KVM's
// kvm_vcpu_kick) rather than at that CPU's next tick. schedLock held.
//
//go:nosplit
func kickRemote(t *Thread) {
	if t.State != Running || t.User == 0 || t.CPU == arch.This().ID || SendResched == nil {
		return
	}
	c := arch.CPUAt(int(t.CPU))
	if c.Current == slot(t) {
		kick(c)
	}
}

// ClearKick forgets a kick that came while no kernel thread carried ut.
// The goroutine calls it before it looks for signals to deliver, so a
// kick it has answered that way does not send it straight back out of its
// next entry to user mode, while one that comes after the look still
// does. Goroutine context, owner thread.
func (ut *UserContext) ClearKick() { atomic.StoreUint32(&ut.kicked, 0) }

// KickUser asks whichever kernel thread runs ut in user mode to bring it
// back to its goroutine (ReasonInterrupt). Goroutine or interrupt
// context.
//
//go:nosplit
func KickUser(ut *UserContext) {
	atomic.StoreUint32(&ut.kicked, 1)
	schedLock.Lock()
	if t := &threads[ut.carrier]; t.State != Free && t.User == uintptr(unsafe.Pointer(ut)) {
		t.Kick = true
		kickRemote(t)
		atomic.StoreUint32(&ut.kicked, 0) // the carrier has it
	}
	unlock()
}

// InUser returns the context of user thread tid of process pid if a CPU
// runs it in user mode now, else nil. Interrupt context.
//
//go:nosplit
func InUser(pid, tid int32) *UserContext {
	var found *UserContext
	schedLock.Lock()
	for i := 0; i < arch.MaxCPUs; i++ {
		c := arch.CPUAt(i)
		if !c.Online() || OnCPU(c).User == 0 {
			continue // (the compiler takes unsafe.Add's result for non-nil)
		}
		if ut := (*UserContext)(unsafe.Add(unsafe.Pointer(nil), OnCPU(c).User)); ut.PID == pid && ut.TID == tid {
			found = ut
			break
		}
	}
	unlock()
	return found
}
