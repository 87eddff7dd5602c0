package task

import (
	"encoding/binary"
	"unsafe"

	"sigil/arch"
	"sigil/file"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/sched"
	"sigil/signal"
	"sigil/trace"
)

// Signals of user processes: generation, the wake-up of the target thread,
// and delivery on the next return to user mode (see signal/ for the state
// and the frame). Signal state is guarded by the process's mu.

// sigState is a thread's signal state.
//
// Guarded by the process's lock (p.mu), in goroutines and in interrupt
// context alike.
type sigState struct {
	pending   signal.Queue
	mask      signal.Set
	savedMask signal.Set // sigsuspend's mask to restore after delivery
	restoreOK bool       // savedMask is set
	intrCh    chan struct{}
	// flagged is Linux's TIF_SIGPENDING: the thread is to look for
	// signals on its way back to user mode (deliver). Set when a signal
	// is sent to it or it is picked for its process's (wakeLocked), and
	// when a mask change leaves one deliverable (setBlockedLocked);
	// cleared when delivery finds nothing left. A thread not flagged
	// leaves its process's pending signals to the one picked for them.
	flagged bool
	origNr  uint64 // system call number, for restarts
	restart linux.Errno
}

// Interrupted returns a channel closed when the thread must stop blocking: a
// deliverable signal is pending or the process is dying. Blocking system
// calls select on it.
func (t *Thread) Interrupted() <-chan struct{} {
	p := t.p
	t.blocking.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.sig.intrCh == nil {
		t.sig.intrCh = make(chan struct{})
	}
	if !p.stopped {
		// A wake-up whose signal was taken since (in interrupt
		// context: KickedSignal) is spent, as recalc_sigpending clears
		// TIF_SIGPENDING on Linux.
		t.rearmLocked()
	}
	if p.exiting || t.stopped.Load() || t.deliverableLocked() != 0 {
		t.interruptLocked()
	}
	return t.sig.intrCh
}

func (t *Thread) interruptLocked() {
	t.sig.flagged = true
	if t.sig.intrCh == nil {
		t.sig.intrCh = make(chan struct{})
	}
	select {
	case <-t.sig.intrCh:
	default:
		close(t.sig.intrCh)
	}
	t.nudge() // after the close (futexWaiter.park)
}

// nudge wakes t's kernel thread if it sleeps in a parked futex wait
// (futexWaiter.park), whose channels the caller has just closed.
func (t *Thread) nudge() {
	if t.parking.Load() {
		t.wake.Wake()
	}
}

// rearmLocked gives the thread a fresh interrupt channel once nothing is
// left to deliver.
func (t *Thread) rearmLocked() {
	select {
	case <-t.sig.intrCh:
		if t.deliverableLocked() == 0 && !t.p.exiting {
			t.sig.intrCh = make(chan struct{})
		}
	default:
	}
}

// deliverableLocked returns the pending signals t would take now.
//
//go:nosplit
func (t *Thread) deliverableLocked() signal.Set {
	return (t.sig.pending.Pending() | t.p.shared.Pending()) &^ t.sig.mask
}

// wake makes t notice a signal: out of a blocking call, or out of user mode.
func (t *Thread) wakeLocked() {
	t.interruptLocked()
	t.kick()
}

// ignoredLocked reports whether sig would be dropped at generation: its
// disposition ignores it and no thread blocks it (a blocked signal stays
// pending, for its handler may change).
//
// Init (PID 1) ignores every signal left at SIG_DFL (Linux's
// SIGNAL_UNKILLABLE): a stray Ctrl+C or kill cannot end the system, and
// one it had blocked is dropped when delivered (deliver); its own faults
// are forced (Thread.force) and still kill it.
func (p *Process) ignoredLocked(sig int) bool {
	if !p.ignoresLocked(sig) {
		return false
	}
	for _, t := range p.threads {
		if t.sig.mask.Has(sig) {
			return false
		}
	}
	return true
}

// ignoresLocked reports whether sig's disposition drops it: SIG_IGN, or
// SIG_DFL where the default ignores it or the process is init.
//
//go:nosplit
func (p *Process) ignoresLocked(sig int) bool {
	h := p.actions[sig].Handler
	return h == linux.SIG_IGN || h == linux.SIG_DFL && (signal.DefaultAction(sig) == signal.Ignore || p.PID == 1)
}

// catchesNowLocked reports whether t would run act's handler for sig
// before anything else: caught, unblocked, and nothing else deliverable.
//
//go:nosplit
func (t *Thread) catchesNowLocked(sig int, act *linux.SigAction) bool {
	return act.Handler != linux.SIG_DFL && act.Handler != linux.SIG_IGN && !t.sig.mask.Has(sig) && t.deliverableLocked() == 0
}

// send generates info for p (process-directed), or for thread t of p.
// It returns EAGAIN when a real-time signal not sent by kill() would
// exceed RLIMIT_SIGPENDING (signal.Queue.Add says what is queued then).
func (p *Process) send(t *Thread, info linux.SignalInfo) error {
	_, err := p.generate(t, info, false)
	return err
}

// sendAtomic is send for a goroutine that must not allocate (an
// interrupt's bottom half telling an O_ASYNC owner): a real-time signal
// finds no entry only when the signal pool's reserve is spent, and then
// it is EAGAIN, as __sigqueue_alloc failing with GFP_ATOMIC makes
// send_sigqueue's callers see it.
func (p *Process) sendAtomic(t *Thread, info linux.SignalInfo) error {
	_, err := p.generate(t, info, true)
	return err
}

// generate is send (sendAtomic when atomic), reporting too whether the
// signal was queued (not ignored or dropped): a POSIX timer goes on
// counting when it was not. A thread that has ended gets nothing: its
// queue was cleared at its exit (Linux's flush_sigqueue at release).
func (p *Process) generate(t *Thread, info linux.SignalInfo, atomic bool) (queued bool, err error) {
	sig := int(info.Signo)
	p.mu.Lock()
	if p.zombie || p.exiting || t != nil && p.threads[t.TID] != t {
		p.mu.Unlock()
		return false, nil
	}
	continued := false // tell the parent CLD_CONTINUED, after the lock
	switch {
	case sig == int(linux.SIGKILL) && p.PID == 1:
		p.mu.Unlock()
		return false, nil
	case sig == int(linux.SIGKILL):
		p.noteGenerated(sched.Current().TID, t, t == nil, &info, trace.SignalDelivered)
		p.mu.Unlock()
		p.kill(signaledStatus(sig))
		return false, nil
	case sig == int(linux.SIGCONT):
		p.discardLocked(int(linux.SIGSTOP), int(linux.SIGTSTP), int(linux.SIGTTIN), int(linux.SIGTTOU))
		// prepare_signal: the stop ends at generation, under the same
		// lock hold as the rest, so no stop can slip in between.
		if p.stopped {
			p.stopped, p.contPending, continued = false, true, true
		}
		p.stopEv.Notify()
	case signal.DefaultAction(sig) == signal.Stop:
		p.discardLocked(int(linux.SIGCONT))
	}
	defer func() {
		if continued {
			p.notifyParent(linux.CLD_CONTINUED, sig)
		}
	}()
	if p.ignoredLocked(sig) {
		p.noteGenerated(sched.Current().TID, t, t == nil, &info, trace.SignalIgnored)
		p.mu.Unlock()
		return false, nil
	}
	q := &p.shared
	if t != nil {
		q = &t.sig.pending
	}
	limit := int(p.limits[linux.RLIMIT_SIGPENDING].Cur)
	var res int
	if atomic {
		res = q.AddAtomic(&info, limit)
	} else {
		res = q.Enqueue(&info, limit)
	}
	p.noteGenerated(sched.Current().TID, t, t == nil, &info, res)
	switch res {
	case trace.SignalOverflowFail:
		p.mu.Unlock()
		return false, linux.EAGAIN // a real-time signal beyond the user's RLIMIT_SIGPENDING
	case trace.SignalAlreadyPending:
		p.mu.Unlock() // its first generation woke whom it had to
		return true, nil
	}
	p.sigEv.Notify()
	file.Events.Notify()
	target := t
	if target == nil {
		target = p.signalTargetLocked(sig)
	}
	if target != nil {
		target.wakeLocked()
	}
	p.mu.Unlock()
	return true, nil
}

// signalTargetLocked picks the thread to wake for a process-directed sig
// (Linux's complete_signal): the main thread if it wants it, else the
// first that does from the one picked last, in TID order (Linux's thread
// list, in creation order); nil when none does, as every thread either
// blocks it or is flagged already and takes it with the rest. p.mu held.
func (p *Process) signalTargetLocked(sig int) *Thread {
	if main := p.threads[p.PID]; main != nil && main.wantsLocked(sig) {
		return main
	}
	var next, first *Thread // from currTarget on; from the lowest TID
	for _, th := range p.threads {
		if !th.wantsLocked(sig) {
			continue
		}
		if first == nil || th.TID < first.TID {
			first = th
		}
		if th.TID >= p.currTarget && (next == nil || th.TID < next.TID) {
			next = th
		}
	}
	if next == nil {
		next = first
	}
	if next != nil {
		p.currTarget = next.TID
	}
	return next
}

// wantsLocked is Linux's wants_signal: t may take sig now and is not
// flagged already. (Linux also picks a flagged thread that is running on
// a CPU, which finds the signal as soon as any flagged one.) p.mu held.
func (t *Thread) wantsLocked(sig int) bool {
	switch {
	case t.sig.mask.Has(sig) || t.p.exiting || t.stopped.Load():
		return false
	case sig == int(linux.SIGKILL):
		return true
	case t.p.stopped:
		return false
	}
	return !t.sig.flagged
}

// setBlockedLocked makes m the thread's signal mask; a pending signal it
// leaves deliverable flags the thread (__set_task_blocked's
// recalc_sigpending). p.mu held.
//
//go:nosplit
func (t *Thread) setBlockedLocked(m signal.Set) {
	t.sig.mask = m
	if t.deliverableLocked() != 0 {
		t.sig.flagged = true
	}
}

// takeSignalLocked removes the next signal not in blocked, the thread's
// own first, then the process's: the one place signals leave their
// queues for delivery, sigtimedwait or signalfd, so a POSIX timer learns
// here that its signal was taken. p.mu is held.
func (t *Thread) takeSignalLocked(blocked signal.Set) (linux.SignalInfo, bool) {
	info, ok := t.sig.pending.Dequeue(blocked)
	if !ok {
		info, ok = t.p.shared.Dequeue(blocked)
	}
	if ok {
		t.p.timerSignalTaken(&info)
	}
	return info, ok
}

func (p *Process) discardLocked(sigs ...int) {
	for _, s := range sigs {
		p.shared.Discard(s)
		for _, t := range p.threads {
			t.sig.pending.Discard(s)
		}
	}
}

// notifyParent tells the parent of an exit with the child's exit signal
// (do_notify_parent: none for 0, as clone's CSIGNAL asked), and of a stop
// or continue with SIGCHLD unless SA_NOCLDSTOP (do_notify_parent_cldstop),
// and wakes the parent's wait.
func (p *Process) notifyParent(code int32, sigOrStatus int) {
	par := p.parent
	if par == nil {
		return
	}
	par.mu.Lock()
	flags := par.actions[linux.SIGCHLD].Flags
	par.mu.Unlock()
	sig := int(linux.SIGCHLD)
	exit := code == linux.CLD_EXITED || code == linux.CLD_KILLED || code == linux.CLD_DUMPED
	if exit {
		p.mu.Lock()
		sig = p.exitSignal
		p.mu.Unlock()
	}
	if sig != 0 && (exit || flags&linux.SA_NOCLDSTOP == 0) {
		info := signal.Info(sig, code)
		signal.SetSender(&info, p.PID, 0)
		signal.SetStatus(&info, int32(sigOrStatus))
		par.send(nil, info)
	}
	par.childEv.Notify()
}

// faultInfo sets info to the signal and siginfo Linux sends for a CPU
// exception at rip (arch/x86/kernel/traps.c, fault.c); fp is the complete
// FPU image. Page faults are the address space's to decide (vm.Space.Fault).
//
//go:nosplit
func faultInfo(info *linux.SignalInfo, tr *sched.TrapInfo, rip uint64, fp *irq.FPState) {
	switch tr.Vector {
	case irq.VecDivide:
		*info = signal.Info(int(linux.SIGFPE), linux.FPE_INTDIV)
		signal.SetAddr(info, rip)
	case irq.VecInvalidOp:
		*info = signal.Info(int(linux.SIGILL), linux.ILL_ILLOPN)
		signal.SetAddr(info, rip)
	case irq.VecBreakpoint, irq.VecOverflow:
		*info = signal.Info(int(linux.SIGTRAP), linux.SI_KERNEL)
	case irq.VecDebug:
		*info = signal.Info(int(linux.SIGTRAP), linux.TRAP_TRACE)
		signal.SetAddr(info, rip)
	case irq.VecPageFault:
		// The address space decides (vm.Space.Fault); this is for a
		// fault that reaches here without it.
		*info = signal.Info(int(linux.SIGSEGV), linux.SEGV_MAPERR)
		signal.SetAddr(info, tr.CR2)
	case irq.VecStackFault:
		*info = signal.Info(int(linux.SIGBUS), linux.SI_KERNEL)
	case irq.VecAlignment:
		*info = signal.Info(int(linux.SIGBUS), linux.BUS_ADRALN)
	case irq.Vecx87:
		cwd, swd := binary.LittleEndian.Uint16(fp[0:]), binary.LittleEndian.Uint16(fp[2:])
		*info = signal.Info(int(linux.SIGFPE), fpCode(uint32(swd&^cwd)))
		signal.SetAddr(info, rip)
	case irq.VecSIMD:
		mx := binary.LittleEndian.Uint32(fp[24:])
		*info = signal.Info(int(linux.SIGFPE), fpCode(^(mx>>7)&mx))
		signal.SetAddr(info, rip)
	default: // #GP, #NP, #TS and the rest
		*info = signal.Info(int(linux.SIGSEGV), linux.SI_KERNEL)
	}
}

// fpCode turns unmasked, raised floating-point exception bits (IE, DE, ZE,
// OE, UE, PE in bits 0-5, as in both the x87 status word and MXCSR) into
// si_code, with Linux's priority (fpu__exception_code).
//
//go:nosplit
func fpCode(err uint32) int32 {
	switch {
	case err&0x01 != 0:
		return linux.FPE_FLTINV
	case err&0x04 != 0:
		return linux.FPE_FLTDIV
	case err&0x08 != 0:
		return linux.FPE_FLTOVF
	case err&0x10 != 0:
		return linux.FPE_FLTUND
	case err&0x20 != 0:
		return linux.FPE_FLTRES
	}
	return linux.FPE_FLTUNK
}

// force delivers a fault signal to t: a blocked or ignored one is
// unblocked and reset to the default, so it kills (force_sig_info).
func (t *Thread) force(info linux.SignalInfo) {
	sig := int(info.Signo)
	p := t.p
	p.mu.Lock()
	h := p.actions[sig].Handler
	if t.sig.mask.Has(sig) || h == linux.SIG_IGN {
		t.sig.mask &^= signal.Bit(sig)
		p.actions[sig] = linux.SigAction{}
	}
	if p.actions[sig].Handler == linux.SIG_DFL {
		p.killable = true
	}
	t.sig.pending.Enqueue(&info, 1<<30)
	t.interruptLocked()
	p.sigEv.Notify()
	p.mu.Unlock()
}

// deliver runs before each return to user mode: it takes deliverable
// signals and sets up handler frames, or applies default actions.
func (t *Thread) deliver() {
	p := t.p
	handled := false
	for {
		p.mu.Lock()
		if p.exiting {
			p.mu.Unlock()
			return
		}
		var info linux.SignalInfo
		ok := false
		if t.sig.flagged {
			info, ok = t.takeSignalLocked(t.sig.mask)
		}
		if !ok {
			t.finishRestart(handled, 0)
			if t.sig.restoreOK {
				// restore_saved_sigmask: what it unblocks is taken
				// now, before user mode.
				t.sig.restoreOK = false
				t.setBlockedLocked(t.sig.savedMask)
				if t.sig.flagged && t.deliverableLocked() != 0 {
					p.mu.Unlock()
					continue
				}
			}
			t.sig.flagged = false
			t.rearmLocked()
			p.mu.Unlock()
			return
		}
		sig := int(info.Signo)
		act := p.actions[sig]
		if trace.On(trace.SignalDeliver) {
			t.traceDeliver(&info, &act)
		}
		switch {
		case act.Handler == linux.SIG_IGN:
			p.mu.Unlock()
			continue
		case act.Handler == linux.SIG_DFL:
			def := signal.DefaultAction(sig)
			if p.PID == 1 && !p.killable && sig != int(linux.SIGKILL) && sig != int(linux.SIGSTOP) {
				// Init gets no signal it does not want (get_signal's
				// SIGNAL_UNKILLABLE check): one that was pending while
				// blocked is dropped here, as at generation.
				def = signal.Ignore
			}
			p.mu.Unlock()
			switch def {
			case signal.Ignore, signal.Continue:
			case signal.Stop:
				p.stop(sig)
			default:
				p.kill(signaledStatus(sig))
				return
			}
			continue
		}
		// A handler: the interrupted system call restarts or fails.
		t.finishRestart(true, act.Flags)
		handled = true
		mask := t.takeHandlerLocked(sig, &act)
		p.mu.Unlock()
		if !t.setupFrame(&info, &act, mask) {
			// The frame cannot be written (bad stack, no restorer): Linux
			// kills with SIGSEGV (force_sigsegv).
			p.kill(signaledStatus(int(linux.SIGSEGV)))
			return
		}
	}
}

// finishRestart settles a system call interrupted by a signal: restart it
// (rewind to the SYSCALL, RAX back to its number) or fail it with EINTR.
func (t *Thread) finishRestart(handler bool, flags uint64) {
	r := t.sig.restart
	if r == 0 {
		return
	}
	t.sig.restart = 0
	f := &t.uc.Ctx.TF
	restart := !handler && (r == linux.ERESTARTSYS || r == linux.ERESTARTNOHAND || r == linux.ERESTARTNOINTR) ||
		handler && (r == linux.ERESTARTNOINTR || r == linux.ERESTARTSYS && flags&linux.SA_RESTART != 0)
	if restart {
		f.RIP -= 2 // SYSCALL is two bytes
		f.RAX = t.sig.origNr
	} else {
		f.RAX = linux.Neg(linux.EINTR)
	}
}

// takeHandlerLocked applies what running act's handler for sig does to the
// thread (its mask) and the action (SA_RESETHAND), and returns the mask
// the frame saves for rt_sigreturn.
//
//go:nosplit
func (t *Thread) takeHandlerLocked(sig int, act *linux.SigAction) signal.Set {
	saved := t.sig.mask
	if t.sig.restoreOK {
		saved, t.sig.restoreOK = t.sig.savedMask, false
	}
	t.sig.mask = signal.HandlerMask(t.sig.mask, sig, act) // blocks more: flags nothing
	if act.Flags&linux.SA_RESETHAND != 0 {
		t.p.actions[sig] = linux.SigAction{}
	}
	return saved
}

// setupFrame writes the rt_sigframe of a handler and points the thread at
// it. Goroutine context.
func (t *Thread) setupFrame(info *linux.SignalInfo, act *linux.SigAction, mask signal.Set) bool {
	ok := false
	arch.NoInterrupts(func() { ok = t.handlerFrame(&t.uc.Ctx, scratchOn(arch.This()), false, &t.uc.Trap, info, act, mask) })
	if ok {
		t.uc.Ctx.ResetFP()
	}
	t.uc.Trap = sched.TrapInfo{}
	return ok
}

// frameScratch is what building and reading frames with interrupts off
// needs and a nosplit stack has no room for: per CPU.
type frameScratch struct {
	cpu  *arch.CPU // the CPU whose row this is: set at init, read-only
	out  signal.Delivery
	at   signal.Placement
	in   signal.Frame
	info linux.SignalInfo // the siginfo a fast path generates
}

var scratch [arch.MaxCPUs]frameScratch

func init() {
	for i := range scratch {
		scratch[i].cpu = arch.CPUAt(i) // here: interrupt context cannot write a pointer
	}
}

// scratchOn returns the scratch of cpu, the CPU the caller runs on with
// interrupts off, which they must stay while it is in use. Interrupt
// context has cpu at hand; arch.This would cost a call each time.
//
//go:nosplit
func scratchOn(cpu *arch.CPU) *frameScratch { return &scratch[cpu.Index()] }

// handlerFrame writes the rt_sigframe for info on the user stack of c and
// points c's registers at act's handler; mask is what rt_sigreturn will
// restore. c is the thread's saved context, or, if live, the live entry
// frame, whose x87 state is still in the CPU. The caller then gives the
// handler a fresh FPU state (ResetFP, or ResetLiveFP). It reports false,
// with c's registers as they were, where Linux forces SIGSEGV: no
// restorer, or a stack the frame cannot be written to. Interrupts off; the
// goroutine (setupFrame) and interrupt context (fast.go) share it.
//
//go:nosplit
func (t *Thread) handlerFrame(c *irq.Context, s *frameScratch, live bool, trap *sched.TrapInfo, info *linux.SignalInfo, act *linux.SigAction, mask signal.Set) bool {
	d, pl := &s.out, &s.at
	d.Info = *info
	d.Action = *act
	d.Mask = mask
	d.AltStack = t.altstack
	d.Err, d.Trapno, d.Cr2 = trap.ErrorCode, trap.Vector, trap.CR2
	if !signal.Place(d, &c.TF, pl) {
		return false
	}
	span := uintptr(pl.FPAddr + signal.FPSize - pl.FrameAddr)
	p := mm.UserPointerIRQ(s.cpu, t.uc.Root, uintptr(pl.FrameAddr), span, true)
	return t.writeFrame(c, s, live, p)
}

// writeFrame is handlerFrame's second half: it writes the frame this
// CPU's scratch describes to the user stack, through p where the frame
// and its FPU image lie in one mapped page, and points c at the
// handler. A function apart, reading the scratch again, so that
// handlerFrame keeps no per-CPU pointers across UserPointerIRQ, the
// deepest of interrupt context's nosplit chains.
//
//go:nosplit
//go:noinline
func (t *Thread) writeFrame(c *irq.Context, s *frameScratch, live bool, p unsafe.Pointer) bool {
	d, pl := &s.out, &s.at
	root := t.uc.Root
	if p != nil {
		// Frame and FPU image in one page, as they mostly are: written in
		// place, each byte once.
		fp := (*irq.FPState)(unsafe.Add(p, pl.FPAddr-pl.FrameAddr))
		if live {
			c.SaveFP(fp)
		} else {
			*fp = c.FP
		}
		signal.Fill(d, &c.TF, pl, (*signal.Frame)(p))
	} else {
		if live {
			c.CompleteFP()
		}
		signal.Fill(d, &c.TF, pl, &pl.Frame)
		frame := (*[signal.FrameSize]byte)(unsafe.Pointer(&pl.Frame))
		if !mm.CopyOutIRQ(s.cpu, root, uintptr(pl.FPAddr), c.FP[:]) || !mm.CopyOutIRQ(s.cpu, root, uintptr(pl.FrameAddr), frame[:]) {
			return false
		}
	}
	if pl.DisarmAltStack {
		t.altstack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	}
	f := &c.TF
	f.RIP, f.RSP, f.RDI, f.RSI, f.RDX, f.RAX = pl.RIP, pl.RSP, pl.RDI, pl.RSI, pl.RDX, 0
	f.RFLAGS = pl.Flags
	return true
}

// sigreturn restores c (the saved context, or the live entry frame if
// live) from the frame of the handler returning through rt_sigreturn (at
// RSP-8), with the mask and alternate stack it saved. It reports false
// when the frame cannot be read: c's registers are as they were, its FPU
// state reset, as Linux resets the FPU then. Interrupts off, the process
// lock held or free (the mask).
//
//go:nosplit
func (t *Thread) sigreturn(c *irq.Context, s *frameScratch, live bool) bool {
	root := t.uc.Root
	addr := uintptr(c.TF.RSP - 8)
	fr := (*signal.Frame)(mm.UserPointerIRQ(s.cpu, root, addr, uintptr(signal.FrameSize), false))
	if fr == nil {
		fr = &s.in
		if !mm.CopyInIRQ(s.cpu, root, (*[signal.FrameSize]byte)(unsafe.Pointer(fr))[:], addr) {
			return false
		}
	}
	fpAddr := uintptr(fr.UC.MContext.FPState)
	// fr may point into user memory: no lock until it is read (see
	// mm.UserPointerIRQ), so the FPU image is found without one, or the
	// frame is copied out before the copy that may take one.
	if p := mm.UserPointerFast(s.cpu, root, fpAddr, signal.FPSize, false); live && p != nil && fpAddr%16 == 0 &&
		signal.FPClean((*[signal.FPSize]byte)(p)) {
		c.LoadFPFrom((*irq.FPState)(p)) // FXRSTOR from the frame itself
	} else {
		if fr != &s.in {
			s.in = *fr
			fr = &s.in
		}
		if !mm.CopyInIRQ(s.cpu, root, c.FP[:], fpAddr) {
			if live {
				c.ResetLiveFP()
			} else {
				c.ResetFP()
			}
			return false
		}
		signal.SanitizeFP((*[signal.FPSize]byte)(&c.FP))
		if live {
			c.LoadFP()
		}
	}
	mask, st := signal.Restore(fr, &c.TF)
	t.setBlockedLocked(mask)
	t.setAltStack(st, c.TF.RSP)
	return true
}

// sysRtSigreturn restores what a handler's frame saved; an unreadable frame
// is a SIGSEGV.
func sysRtSigreturn(t *Thread, a *args) (uint64, error) {
	ok := false
	t.p.mu.Lock()
	arch.NoInterrupts(func() { ok = t.sigreturn(&t.uc.Ctx, scratchOn(arch.This()), false) })
	t.p.mu.Unlock()
	if !ok {
		t.force(signal.Info(int(linux.SIGSEGV), linux.SI_KERNEL))
	}
	return 0, errNoResult
}

// stop puts the process in the stopped state until SIGCONT, telling the
// parent (CLD_STOPPED, and wait4's WUNTRACED).
func (p *Process) stop(sig int) {
	p.mu.Lock()
	if p.stopped || p.exiting {
		p.mu.Unlock()
		return
	}
	// A stop replaces a continue not yet reported (signal_set_stop_flags).
	p.stopped, p.stopSig = true, sig
	p.stopReported, p.contPending = false, false
	for _, t := range p.threads {
		t.wakeLocked()
	}
	p.mu.Unlock()
	p.notifyParent(linux.CLD_STOPPED, sig)
}

// waitWhileStopped parks a thread of a stopped process until SIGCONT or
// death.
func (t *Thread) waitWhileStopped() (waited bool) {
	p := t.p
	for {
		p.mu.Lock()
		stopped, dying := p.stopped, p.exiting || t.stopped.Load()
		ev := p.stopEv.Wait()
		if waited && !stopped {
			// Continued: back to delivery, as Linux's thread wakes in
			// get_signal, for what came while it was stopped.
			t.sig.flagged = true
		}
		p.mu.Unlock()
		if !stopped || dying {
			return waited
		}
		waited = true
		select {
		case <-ev:
		case <-p.dying:
		}
	}
}
