package task

import (
	"unsafe"

	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/sched"
	"sigil/signal"
	"sigil/trace"
)

// Signal work done in interrupt context, where the CPU trapped, instead of
// in the thread's goroutine. A trip through the goroutine costs two more
// kernel entries and the Go scheduler, several times Linux's whole
// kill-self round trip; the common cases below need neither. Each goes
// ahead only when it gets the process lock (procLock.tryIRQ), which it
// holds throughout, and the case is one whose outcome is certain; anything else returns false and the
// goroutine does the general work. They use the same code as the goroutine
// for frames and sigreturn (handlerFrame, sigreturn, takeHandlerLocked).
//
// Interrupt context: //go:nosplit, no allocation, no pointer writes (a
// write barrier needs a P), no channel or lock operations. That is why a
// signal is only generated here when no one can be waiting for it: the
// process has one thread, this one, running, and no signalfd.

// threadOf is container_of for the user context every Thread embeds
// first: nil for nil or for a context no process owns (a self-test's).
//
//go:nosplit
func threadOf(uc *sched.UserContext) *Thread {
	if uc == nil || !uc.Process {
		return nil
	}
	return (*Thread)(unsafe.Pointer(uc))
}

// threadOf's conversion needs uc at offset 0.
const _ = -uint(unsafe.Offsetof(Thread{}.uc))

// quiet reports whether t's signal state is one interrupt context may
// change: no exit, exec, restart or trace under way. p.mu held.
//
//go:nosplit
func (t *Thread) quiet() bool {
	p := t.p
	return !p.exiting && !p.zombie && !t.stopped.Load() &&
		t.sig.restart == 0 && !t.sig.restoreOK
}

// syscallTrap is the trap a frame records for a signal taken on a system
// call's return, as the goroutine path records it (sched.ExitUser).
var syscallTrap = sched.TrapInfo{Vector: irq.SyscallVector}

// FastSyscall (from trap.syscall): kill, tkill and tgkill of the caller
// itself, rt_sigqueueinfo to its own process, rt_sigtimedwait with a signal
// already pending, rt_sigprocmask and rt_sigreturn.
//
//go:nosplit
func FastSyscall(c *irq.Context, cpu *arch.CPU, ut *sched.UserContext, nr uint64) bool {
	t := threadOf(ut)
	if t == nil || !t.p.mu.tryIRQ() { // nil: a self-test's thread, no process
		return false
	}
	done := t.quiet() && t.fastSyscallLocked(c, scratchOn(cpu), nr)
	t.p.mu.unlockIRQ()
	return done
}

//go:nosplit
func (t *Thread) fastSyscallLocked(c *irq.Context, s *frameScratch, nr uint64) bool {
	f := &c.TF
	p := t.p
	info := &s.info
	thread, tid := false, t.TID // thread-directed, to thread tid
	switch nr {
	case linux.SYS_RT_SIGRETURN:
		if !t.sigreturn(c, s, true) {
			return false // the goroutine forces SIGSEGV
		}
		if t.sig.flagged {
			sched.KickCurrent() // the restored mask unblocked one (setBlockedLocked)
		}
		return true
	case linux.SYS_RT_SIGTIMEDWAIT:
		return t.fastTimedwait(c, s.cpu)
	case linux.SYS_RT_SIGPROCMASK:
		return t.fastSigprocmask(c, s.cpu)
	case linux.SYS_KILL:
		if int32(f.RDI) != p.PID || !validSig(int(f.RSI)) || t.uc.IDsSlow {
			return false
		}
		*info = signal.Info(int(f.RSI), linux.SI_USER)
	case linux.SYS_TKILL:
		if !validSig(int(f.RSI)) || t.uc.IDsSlow {
			return false
		}
		*info, thread, tid = signal.Info(int(f.RSI), linux.SI_TKILL), true, int32(f.RDI)
	case linux.SYS_TGKILL:
		if int32(f.RDI) != p.PID || !validSig(int(f.RDX)) || t.uc.IDsSlow {
			return false
		}
		*info, thread, tid = signal.Info(int(f.RDX), linux.SI_TKILL), true, int32(f.RSI)
	case linux.SYS_RT_SIGQUEUEINFO:
		// To itself a process may pass any si_code (siginfoIn).
		b := (*[128]byte)(unsafe.Pointer(info))
		if int32(f.RDI) != p.PID || !validSig(int(f.RSI)) || !mm.CopyInIRQ(s.cpu, t.uc.Root, b[:], uintptr(f.RDX)) {
			return false
		}
		info.Signo = int32(f.RSI)
		return t.fastSend(c, s, info, false)
	default:
		return false
	}
	signal.SetSender(info, p.PID, t.uc.IDs[0])
	if tid != t.TID {
		return t.fastSendSibling(c, tid, info)
	}
	return t.fastSend(c, s, info, thread)
}

// fastSend generates info for the calling thread (thread) or its process,
// as send does, and delivers it at once if it is deliverable: a signal that
// is caught, unblocked, and first in line is generated and taken in one
// step, so it is never pending.
//
//go:nosplit
func (t *Thread) fastSend(c *irq.Context, s *frameScratch, info *linux.SignalInfo, thread bool) bool {
	p := t.p
	sig := int(info.Signo)
	if len(p.threads) != 1 || p.stopped || p.signalfd || sig == int(linux.SIGCONT) || signal.DefaultAction(sig) == signal.Stop {
		return false // waiters to wake, or job control: the goroutine's work
	}
	act := p.actions[sig]
	f := &c.TF
	if !t.sig.mask.Has(sig) {
		switch {
		case p.ignoresLocked(sig):
			f.RAX = 0 // discarded at generation (ignoredLocked: no thread blocks it)
			t.p.noteGenerated(t.TID, t, !thread, info, trace.SignalIgnored)
			return true
		case !t.catchesNowLocked(sig, &act):
			return false
		}
		rax := f.RAX
		f.RAX = 0 // the frame saves the call's result
		if !t.takeHandler(c, s, &syscallTrap, info, &act) {
			f.RAX = rax
			return false
		}
		if trace.OnAny(trace.SignalEvents) {
			t.traceTaken(s.cpu, info, &act, !thread, true)
		}
		return true
	}
	// Blocked: it stays pending.
	q := &p.shared
	if thread {
		q = &t.sig.pending
	}
	res, _, ok := p.queueIRQ(f, q, info)
	if !ok {
		return false
	}
	t.p.noteGenerated(t.TID, t, !thread, info, res)
	return true
}

// queueIRQ queues info on q, one of p's queues, as generate does, and sets
// the system call's result in f: 0, or EAGAIN for a real-time signal past
// RLIMIT_SIGPENDING (not queued). It returns the trace result and whether
// info was queued (a standard signal pending already is not); ok is
// false, with nothing done, when the signal pool is spent (the goroutine
// grows it: Enqueue). p.mu held.
//
//go:nosplit
func (p *Process) queueIRQ(f *irq.TrapFrame, q *signal.Queue, info *linux.SignalInfo) (res int, queued, ok bool) {
	res, ok = q.Add(info, int(p.limits[linux.RLIMIT_SIGPENDING].Cur))
	switch {
	case !ok:
		return 0, false, false
	case res == trace.SignalOverflowFail:
		f.RAX = linux.Neg(linux.EAGAIN)
		return res, false, true
	}
	f.RAX = 0
	return res, res != trace.SignalAlreadyPending, true
}

// fastSendSibling generates info for thread tid of t's process when a CPU
// runs that thread in user mode now, as send would, and kicks it there
// (signal_wake_up -> kick_process): a thread in user mode waits on
// nothing, so there is no one to wake but it. A thread not in user mode,
// job control, a signal that may be ignored (dropping it looks at every
// thread) and a spent signal pool are the goroutine's. p.mu held.
//
//go:nosplit
func (t *Thread) fastSendSibling(c *irq.Context, tid int32, info *linux.SignalInfo) bool {
	p := t.p
	sig := int(info.Signo)
	if p.stopped || p.signalfd || sig == int(linux.SIGKILL) || sig == int(linux.SIGCONT) ||
		signal.DefaultAction(sig) == signal.Stop || p.ignoresLocked(sig) {
		return false
	}
	to := threadOf(sched.InUser(p.PID, tid))
	if to == nil || to.p != p || to.stopped.Load() {
		return false
	}
	res, queued, ok := p.queueIRQ(&c.TF, &to.sig.pending, info)
	if !ok {
		return false
	}
	if queued && !to.sig.mask.Has(sig) {
		// complete_signal: it wants the signal.
		to.sig.flagged = true
		sched.KickUser(&to.uc)
	}
	p.noteGenerated(t.TID, to, false, info, res)
	return true
}

// takeHandler runs act's handler for info now: the frame is written from
// the live context c, then the mask and action change as delivery changes
// them. It reports false, with nothing changed, if the frame cannot be
// written.
//
//go:nosplit
func (t *Thread) takeHandler(c *irq.Context, s *frameScratch, trap *sched.TrapInfo, info *linux.SignalInfo, act *linux.SigAction) bool {
	if !t.handlerFrame(c, s, true, trap, info, act, t.sig.mask) {
		return false
	}
	t.takeHandlerLocked(int(info.Signo), act) // saves t.sig.mask: restoreOK is clear (quiet)
	c.ResetLiveFP()
	return true
}

// fastSigprocmask serves rt_sigprocmask when its pointers are good (the
// goroutine returns the errors); a signal it unblocks is delivered by the
// goroutine.
//
//go:nosplit
func (t *Thread) fastSigprocmask(c *irq.Context, cpu *arch.CPU) bool {
	f := &c.TF
	how, set, oset := f.RDI, f.RSI, f.RDX
	if f.R10 != 8 || set != 0 && how > linux.SIG_SETMASK {
		return false
	}
	var s uint64
	if set != 0 {
		var ok bool
		if s, ok = mm.ReadUint64IRQ(cpu, t.uc.Root, uintptr(set)); !ok {
			return false
		}
	}
	// Written before the mask changes, so a bad oset changes nothing
	// here: the goroutine then does it all and returns EFAULT.
	if oset != 0 && !mm.WriteUint64IRQ(cpu, t.uc.Root, uintptr(oset), uint64(t.sig.mask)) {
		return false
	}
	if set != 0 {
		t.setMaskLocked(how, signal.Set(s))
	}
	if t.sig.flagged {
		sched.KickCurrent() // the new mask unblocked one (setBlockedLocked)
	}
	f.RAX = 0
	return true
}

// fastTimedwait serves rt_sigtimedwait(set, info, NULL, 8) when a signal
// of set is pending; otherwise the goroutine waits.
//
//go:nosplit
func (t *Thread) fastTimedwait(c *irq.Context, cpu *arch.CPU) bool {
	f := &c.TF
	if f.RDX != 0 || f.R10 != 8 {
		return false
	}
	word, ok := mm.ReadUint64IRQ(cpu, t.uc.Root, uintptr(f.RDI))
	if !ok {
		return false
	}
	set := signal.Set(word) &^ signal.Unblockable
	q, next := t.nextPendingLocked(set)
	if next == nil || next.Code == linux.SI_TIMER {
		return false // a POSIX timer's signal re-arms its timer: the goroutine takes it
	}
	if f.RSI != 0 && !mm.CopyOutIRQ(cpu, t.uc.Root, uintptr(f.RSI), (*[128]byte)(unsafe.Pointer(next))[:]) {
		return false // EFAULT from the goroutine
	}
	f.RAX = uint64(next.Signo)
	q.Remove(int(next.Signo))
	return true
}

// nextPendingLocked returns t's next pending signal in set, left queued,
// and its queue: the thread's own first, then the process's, as
// takeSignalLocked takes them; nil when there is none. p.mu held.
//
//go:nosplit
func (t *Thread) nextPendingLocked(set signal.Set) (*signal.Queue, *linux.SignalInfo) {
	if next := t.sig.pending.Next(set); next != nil {
		return &t.sig.pending, next
	}
	return &t.p.shared, t.p.shared.Next(set)
}

// interruptTrap is the trap a frame records for a signal taken on an
// interrupt's return, as the goroutine path records it (sched.ExitUser).
var interruptTrap sched.TrapInfo

// KickedSignal answers the kick of the user thread running on cpu (another
// CPU's wakeLocked, through the reschedule IPI that found it in user mode)
// when all the kick asks for is a signal the thread catches: the handler's
// frame is written here and the kick dropped, as Linux's exit to user mode
// delivers it (exit_to_user_mode_loop -> arch_do_signal_or_restart),
// with no trip through the thread's goroutine and the Go scheduler.
// Anything else (a default action, a stop, an exit, a POSIX timer's
// signal, which re-arms its timer, or a second signal) leaves the kick
// for the goroutine.
//
//go:nosplit
func KickedSignal(c *irq.Context, cpu *arch.CPU, ut *sched.UserContext) {
	t := threadOf(ut)
	if t == nil || !sched.Kicked(cpu) || !t.p.mu.tryIRQ() {
		return
	}
	if t.quiet() && !t.p.stopped && t.kickedSignalLocked(c, scratchOn(cpu)) {
		sched.DropKick(cpu) // p.mu held: a kick sent after this look sets it again
	}
	t.p.mu.unlockIRQ()
}

// kickedSignalLocked takes t's next deliverable signal into its handler,
// as deliver would, if t is flagged and has one; it reports whether
// nothing is left to deliver after it (t is then no longer flagged).
//
//go:nosplit
func (t *Thread) kickedSignalLocked(c *irq.Context, s *frameScratch) bool {
	if !t.sig.flagged {
		return false // not picked for a signal: the kick is for something else
	}
	q, next := t.nextPendingLocked(^t.sig.mask)
	if next == nil || next.Code == linux.SI_TIMER {
		return false
	}
	sig := int(next.Signo)
	act := t.p.actions[sig]
	if act.Handler == linux.SIG_DFL || act.Handler == linux.SIG_IGN {
		return false
	}
	s.info = *next
	if !t.takeHandler(c, s, &interruptTrap, &s.info, &act) {
		return false // the goroutine forces SIGSEGV
	}
	q.Remove(sig)
	if trace.On(trace.SignalDeliver) {
		trace.RecordSignalDeliver(t.TID, traceSignal(&s.info), act.Handler, act.Flags)
	}
	if t.deliverableLocked() != 0 {
		return false
	}
	t.sig.flagged = false // recalc_sigpending after the dequeue
	return true
}

// FaultSignal is sched.FaultSignal: a CPU exception whose signal the thread
// catches, unblocked and first in line, gets its handler's frame here. Page
// faults go to the goroutine, which tells ACCERR from MAPERR by the
// mappings.
//
//go:nosplit
func FaultSignal(c *irq.Context, cpu *arch.CPU, ut *sched.UserContext, trap sched.TrapInfo) bool {
	t := threadOf(ut)
	if t == nil || trap.Vector == irq.VecPageFault || t.iopl == 3 || !t.p.mu.tryIRQ() {
		return false // iopl 3: the goroutine decides about CLI and STI (ioplFixup)
	}
	done := t.quiet() && t.faultSignalLocked(c, scratchOn(cpu), &trap)
	t.p.mu.unlockIRQ()
	return done
}

//go:nosplit
func (t *Thread) faultSignalLocked(c *irq.Context, s *frameScratch, trap *sched.TrapInfo) bool {
	if trap.Vector == irq.Vecx87 {
		c.CompleteFP() // faultInfo reads the x87 control and status words
	}
	info := &s.info
	faultInfo(info, trap, c.TF.RIP, &c.FP)
	sig := int(info.Signo)
	act := t.p.actions[sig]
	if !t.catchesNowLocked(sig, &act) {
		return false // forced, killing, or behind other signals
	}
	if !t.takeHandler(c, s, trap, info, &act) {
		return false
	}
	if trace.OnAny(trace.SignalEvents) {
		t.traceTaken(s.cpu, info, &act, false, false) // force_sig_info: the thread's
	}
	return true
}
