package task

import (
	"encoding/binary"
	"runtime"
	"sync/atomic"

	"sigil/arch"
	"sigil/clock"
	"sigil/cred"

	"sigil/irq"
	"sigil/linux"
	"sigil/mm/vm"
	"sigil/sched"
	"sigil/signal"
	"sigil/trace"
)

// Thread is a user thread: a goroutine looping through sched.EnterUser.
//
// Guards: TID and p are fixed once the thread is published (TID changes
// only in de_thread, with every other thread gone); ut and clearTID are
// the owner thread's (its goroutine, or interrupt context trapped from
// it); sig and altstack are guarded by p.mu, which interrupt context
// holds through tryIRQ; stopped is atomic.
type Thread struct {
	uc       sched.UserContext // first: threadOf finds the Thread from it
	TID      int32
	p        *Process
	clearTID uint64
	sig      sigState
	altstack linux.SigAltStack
	stopped  atomic.Bool // execve in another thread: leave
	// blocking: the thread is in a system call that may sleep (it took
	// its Interrupted channel), so /proc shows it 'S' as Linux shows a
	// task in TASK_INTERRUPTIBLE. Written by the owner thread (set by
	// Interrupted, cleared when the call returns), read by anyone.
	blocking atomic.Bool
	// parking: the thread's kernel thread sleeps, or is about to, on
	// wake (a parked futex wait: futex.go), which nudge then wakes.
	// parking is written by the owner thread and read by anyone; wake is
	// waited on by the owner thread and woken by anyone.
	parking atomic.Bool
	wake    sched.Wakeup

	// cred is the thread's credentials: replaced whole by the owner
	// thread (set*id, capset, prctl, exec), read by anyone (kill's
	// permission, /proc), as Linux's RCU-published task->cred.
	cred       atomic.Pointer[cred.Cred]
	noNewPrivs atomic.Bool // PR_SET_NO_NEW_PRIVS: set once, inherited, never cleared
	// nsp is the thread's namespaces but the user one (nsproxy.go):
	// replaced whole by the owner thread (unshare, setns) or its
	// creator before it runs, read by anyone; nil is initNS.
	nsp atomic.Pointer[nsProxy]

	utime     atomic.Int64  // nanoseconds in user mode (written by the owner thread)
	pdeathsig atomic.Int32  // PR_SET_PDEATHSIG: sent when the parent goes; not inherited
	nice      atomic.Int32  // -20..19 (setpriority); inherited
	sched     atomic.Uint64 // scheduling policy<<32 | priority (sched_setscheduler); inherited

	// Port access (sys_ioport.go), owner thread only: the ioperm map
	// (nil: none), the iopl level, and whether its CLI/STI was reported.
	// Inherited by clone; uc.IO is what user mode gets of them.
	ioBits     *arch.IOBitmap
	iopl       uint8
	ioplWarned bool

	// args is the system call being served's arguments, owner thread
	// only: kept here, a handler's pointer to them does not make each
	// call allocate them.
	args args
}

// newThread returns a thread whose user registers are uc's, with no
// alternate signal stack, its queued signals counted for its user.
func newThread(uc sched.UserContext) *Thread {
	t := &Thread{uc: uc}
	t.uc.Process = true
	t.altstack.Flags = linux.SS_DISABLE
	t.sig.pending.User = &rootUser
	// Made here, not at the first wake, so that waking it never
	// allocates (an interrupt's bottom half signals without allocating).
	t.sig.intrCh = make(chan struct{})
	return t
}

// errStop ends the thread's loop; errNoResult keeps the registers a system
// call set itself (execve).
type sysErr string

func (e sysErr) Error() string { return string(e) }

const (
	errStop     sysErr = "thread stops"
	errNoResult sysErr = "registers already set"
)

// start runs the thread; its identity, fixed for life, is copied where
// interrupt context answers getpid and gettid (sys/fast.go) and finds the
// thread for signal work (fast.go).
func (t *Thread) start() {
	t.uc.PID, t.uc.TID = t.p.PID, t.TID
	runOnRunner(t)
}

func (t *Thread) dying() bool {
	if t.stopped.Load() {
		return true
	}
	select {
	case <-t.p.dying:
		return true
	default:
		return false
	}
}

func (t *Thread) kick() { sched.KickUser(&t.uc) }

func (t *Thread) run() {
	for !t.dying() {
		t.uc.ClearKick() // before deliver looks: a later kick still counts
		t.deliver()
		if t.waitWhileStopped() {
			continue // deliver what came meanwhile
		}
		if t.dying() {
			break
		}
		start := clock.Nanotime()
		reason := sched.EnterUser(&t.uc)
		used := clock.Nanotime() - start
		t.utime.Add(used)
		switch reason {
		case sched.ReasonSyscall:
			if t.syscall() == errStop {
				t.finish()
				return
			}
		case sched.ReasonFault:
			t.fault()
		case sched.ReasonInterrupt:
			yieldCPU() // the kernel wants the CPU
		}
	}
	t.finish()
}

// yieldCPU gives the CPU to what else may run here: the kernel's threads
// first (one an interrupt woke may be waiting for this P), then the other
// goroutines, user threads among them.
func yieldCPU() {
	sched.YieldToKernel()
	runtime.Gosched()
}

// fault serves a CPU exception from user mode. A page fault goes to the
// address space, which maps the page (the access is retried) or says
// which signal it gets; memory that cannot be found even by killing is
// SIGKILL, as Linux's pagefault_out_of_memory ends. Anything else is its
// signal.
func (t *Thread) fault() {
	tr := &t.uc.Trap
	var info linux.SignalInfo
	if t.ioplFixup() {
		return
	}
	if tr.Vector == irq.VecPageFault {
		err := t.p.as.fault(tr.CR2, tr.ErrorCode&irq.PFWrite != 0, tr.ErrorCode&irq.PFFetch != 0)
		switch err := err.(type) {
		case nil:
			return
		case vm.Signal:
			info = signal.Info(err.Signo, err.Code)
			signal.SetAddr(&info, tr.CR2)
		default:
			t.p.kill(signaledStatus(int(linux.SIGKILL)))
			return
		}
	} else {
		faultInfo(&info, tr, t.uc.Ctx.TF.RIP, &t.uc.Ctx.FP)
	}
	t.force(info)
}

// syscall serves the system call the thread trapped with.
func (t *Thread) syscall() error {
	f := &t.uc.Ctx.TF
	nr := f.RAX
	t.sig.origNr = nr
	t.args = args{f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9}
	r, err := dispatch(t, nr, &t.args)
	if t.blocking.Load() {
		t.blocking.Store(false)
	}
	traced := uint64(0) // the result sys_exit shows, if not RAX
	switch err {
	case nil:
		f.RAX = r
	case errStop:
		return err // exit: no sys_exit, as on Linux
	case errNoResult:
		if trace.On(trace.SysExit) {
			trace.RecordSysExit(t.TID, nr, f.RAX)
		}
		return err
	default:
		e, ok := err.(linux.Errno)
		if !ok {
			e = linux.EIO
		}
		switch e {
		case linux.ERESTARTSYS, linux.ERESTARTNOHAND, linux.ERESTARTNOINTR:
			// Interrupted by a signal: delivery decides between restarting
			// and EINTR. sys_exit shows the restart code, as Linux's
			// does (it fires before the signal's delivery decides).
			t.sig.restart, traced = e, linux.Neg(e)
			e = linux.EINTR
		}
		f.RAX = linux.Neg(e)
	}
	if trace.On(trace.SysExit) {
		if traced == 0 {
			traced = f.RAX
		}
		trace.RecordSysExit(t.TID, nr, traced)
	}
	return nil
}

// finish removes the thread; the last one out turns the process into a
// zombie.
func (t *Thread) finish() {
	p := t.p
	p.mu.Lock()
	as := p.as
	p.mu.Unlock()
	if t.clearTID != 0 && as != nil {
		// CLONE_CHILD_CLEARTID / set_tid_address: zero the word, wake one.
		var zero [4]byte
		if as.CopyOut(t.clearTID, zero[:]) == nil {
			as.futexWake(t.clearTID, false, 1, ^uint32(0))
		}
	}
	p.mu.Lock()
	delete(p.threads, t.TID)
	p.deadUtime += t.utime.Load()
	p.threadEv.Notify()
	t.sig.pending.Clear()
	last := len(p.threads) == 0
	status := p.status
	p.mu.Unlock()
	if t.TID != p.PID {
		freeID(t.TID) // the PID stays taken until the process is reaped
	}
	endTask()
	if last {
		p.exit(status)
	}
}

type args [6]uint64

// clone creates a thread (CLONE_THREAD) or a process, for clone, clone3,
// fork and vfork (clone_args.go).
func (t *Thread) clone(c *cloneArgs) (uint64, error) {
	p := t.p
	flags, stack, ptid, ctid, tls := c.flags, c.stack, c.parentTID, c.childTID, c.tls
	if err := c.check(t.ns()); err != nil {
		return 0, err
	}
	childCred, childNS, err := t.forkNamespaces(flags)
	if err != nil {
		return 0, err
	}
	if err := startTask(); err != nil {
		return 0, err
	}
	if !t.KernelMemory(threadCost) {
		endTask()
		return 0, linux.ENOMEM
	}
	id, err := c.newID()
	if err != nil {
		endTask()
		return 0, err
	}
	uc := t.uc
	uc.Ctx.TF.RAX = 0
	if stack != 0 {
		uc.Ctx.TF.RSP = stack
	}
	if flags&linux.CLONE_SETTLS != 0 {
		uc.FSBase = tls
	}
	child := newThread(uc)
	child.sig.mask = t.sig.mask
	child.commitCred(childCred)
	child.nsp.Store(childNS)
	child.noNewPrivs.Store(t.noNewPrivs.Load())
	child.nice.Store(t.nice.Load())
	child.ioBits, child.iopl = t.ioBits, t.iopl // uc.IO came with uc
	child.sched.Store(t.sched.Load() &^ (resetOnFork << 32))
	if t.sched.Load()>>32&resetOnFork != 0 { // SCHED_RESET_ON_FORK: the child starts plain
		child.sched.Store(0)
		child.nice.Store(max(t.nice.Load(), 0))
	}

	var np *Process
	if flags&linux.CLONE_THREAD != 0 {
		child.TID = id
		child.p = p
		p.mu.Lock()
		if p.exiting {
			p.mu.Unlock()
			freeID(child.TID)
			endTask()
			return 0, linux.EAGAIN
		}
		p.threads[child.TID] = child
		p.mu.Unlock()
	} else {
		np = newProcessID(p, id)
		child.TID = np.PID
		child.p = np
		p.mu.Lock()
		np.pgid, np.sid, np.cwd, np.comm, np.exe, np.umask = p.pgid, p.sid, p.cwd, p.comm, p.exe, p.umask
		np.exitSignal = int(c.exitSignal)
		np.actions, np.limits, np.dumpable, np.personality = p.actions, p.limits, p.dumpable, p.personality
		as, files := p.as, p.files
		p.mu.Unlock()
		if flags&linux.CLONE_CLEAR_SIGHAND != 0 {
			clearHandlers(&np.actions)
		}
		if flags&linux.CLONE_VM != 0 {
			np.as = as.share()
		} else {
			nas, err := as.fork()
			if err != nil {
				np.zombie = true
				np.reap()
				endTask()
				return 0, err
			}
			np.as = nas
		}
		if flags&linux.CLONE_FILES != 0 {
			files.mu.Lock()
			files.refs++
			files.mu.Unlock()
			np.files = files
		} else {
			np.files = files.fork()
		}
		if flags&linux.CLONE_VFORK != 0 {
			np.vforked = make(chan struct{})
		}
		if flags&linux.CLONE_PIDFD != 0 {
			if err := t.clonePidfd(c.pidfd, np); err != nil {
				np.abandon()
				return 0, err
			}
		}
		np.threads[child.TID] = child
		child.uc.Root = np.as.Root()
		np.publish()
		p.mu.Lock()
		p.children[np.PID] = np
		p.mu.Unlock()
	}
	var tid [4]byte
	binary.LittleEndian.PutUint32(tid[:], uint32(child.TID))
	if flags&linux.CLONE_PARENT_SETTID != 0 {
		p.as.CopyOut(ptid, tid[:])
	}
	if flags&linux.CLONE_CHILD_SETTID != 0 {
		child.p.as.CopyOut(ctid, tid[:])
	}
	if flags&linux.CLONE_CHILD_CLEARTID != 0 {
		child.clearTID = ctid
	}
	vf := (<-chan struct{})(nil)
	if np != nil {
		vf = np.vforked
	}
	child.start()
	if vf != nil {
		// CLONE_VFORK: the parent sleeps until the child execs or exits.
		<-vf
	}
	return uint64(child.TID), nil
}
