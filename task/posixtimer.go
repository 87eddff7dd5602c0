package task

import (
	"encoding/binary"
	"time"

	"sigil/clock"
	"sigil/linux"
	"sigil/ptimer"
	"sigil/signal"
)

// POSIX timers (timer_create and friends) as Linux's
// kernel/time/posix-timers.c keeps them: a timer's signal is queued once
// per expiry; a periodic timer then waits, unarmed, until that signal is
// taken (delivered, sigtimedwait, signalfd), and is re-armed there, past
// now, counting the periods it missed as the signal's si_overrun, which
// timer_getoverrun reports afterwards. A signal the process ignores is
// not queued, and the timer goes on, counting.

// posixTimer is one timer of a process.
type posixTimer struct {
	id     int32
	clock  uint64
	ev     ptimer.Event
	target *Thread // SIGEV_THREAD_ID's thread; nil: the process

	// Guarded by the process's mu.
	t           ptimer.Timer
	armed       bool        // an expiry is due (it_active), or SIGEV_NONE's is set
	waiting     bool        // its signal is queued; re-armed when it is taken (REQUEUE_PENDING)
	gen         uint64      // bumped by each arming: a stale expiry or signal does nothing
	overrun     int64       // expirations not signalled since the last delivery, less one (it_overrun)
	overrunLast int64       // the last delivered signal's si_overrun (it_overrun_last)
	wake        *time.Timer // the goroutine timer behind the next expiry
}

// timerClock reads a timer's clock. The CPU-time clocks are not timer
// clocks here (they would need per-thread CPU accounting): EINVAL.
func timerClock(clk uint64) (func() int64, error) {
	switch clk {
	case linux.CLOCK_REALTIME, linux.CLOCK_TAI, linux.CLOCK_REALTIME_ALARM:
		return clock.Realtime, nil
	case linux.CLOCK_MONOTONIC, linux.CLOCK_BOOTTIME, linux.CLOCK_BOOTTIME_ALARM:
		return clock.Nanotime, nil
	}
	return nil, linux.EINVAL
}

// sysTimerCreate is timer_create(2). A NULL sigevent means SIGALRM to the
// process carrying the timer's ID. Each timer holds a queued-signal entry
// for its life (sigqueue_alloc), counted for the user with the pending
// signals, so RLIMIT_SIGPENDING bounds them together: EAGAIN beyond. Its
// signal uses that entry (signal.Queue.Add), and is never refused.
func sysTimerCreate(t *Thread, a *args) (uint64, error) {
	clk := a[0]
	if _, err := timerClock(clk); err != nil {
		return 0, err
	}
	ev := ptimer.Event{Signo: int32(linux.SIGALRM), Notify: linux.SIGEV_SIGNAL}
	if a[1] != 0 {
		var b [ptimer.EventSize]byte
		if err := t.p.as.CopyIn(b[:], a[1]); err != nil {
			return 0, err
		}
		ev = ptimer.ParseEvent(b[:])
	}
	p := t.p
	p.mu.Lock()
	if !rootUser.Reserve(int(min(p.limits[linux.RLIMIT_SIGPENDING].Cur, 1<<20))) {
		p.mu.Unlock()
		return 0, linux.EAGAIN
	}
	// The ID is taken before the sigevent is judged, and a refused
	// timer's ID is not given again soon (posix_timer_add comes first
	// in do_timer_create).
	id := p.nextTimerID
	for p.timers[id] != nil {
		id = (id + 1) & (1<<31 - 1)
	}
	p.nextTimerID = (id + 1) & (1<<31 - 1)
	var target *Thread
	err := ev.Check(func(tid int32) bool {
		target = p.threads[tid]
		return target != nil
	})
	if err != nil {
		rootUser.Release()
		p.mu.Unlock()
		return 0, err
	}
	if a[1] == 0 {
		ev.Value = uint64(id)
	}
	if p.timers == nil {
		p.timers = map[int32]*posixTimer{}
	}
	pt := &posixTimer{id: id, clock: clk, ev: ev, target: target, overrun: -1}
	p.timers[id] = pt
	p.mu.Unlock()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(id))
	if err := t.p.as.CopyOut(a[2], b[:]); err != nil {
		p.deleteTimer(id)
		return 0, err
	}
	return 0, nil
}

// timerLocked finds timer id of p; p.mu is held.
func (p *Process) timerLocked(id uint64) (*posixTimer, error) {
	if pt := p.timers[int32(id)]; pt != nil && id == uint64(uint32(id)) {
		return pt, nil
	}
	return nil, linux.EINVAL
}

// sysTimerSettime is timer_settime(2): it disarms, reports the old
// setting, and arms anew unless the new value is zero. TIMER_ABSTIME
// takes the value as a time on the timer's clock.
func sysTimerSettime(t *Thread, a *args) (uint64, error) {
	if a[2] == 0 {
		return 0, linux.EINVAL
	}
	var b [ptimer.SpecSize]byte
	if err := t.p.as.CopyIn(b[:], a[2]); err != nil {
		return 0, err
	}
	spec, err := ptimer.ParseSpec(b[:])
	if err != nil {
		return 0, err
	}
	p := t.p
	p.mu.Lock()
	pt, err := p.timerLocked(a[0])
	if err != nil {
		p.mu.Unlock()
		return 0, err
	}
	now := pt.now()
	old := pt.getLocked(now)
	pt.disarmLocked()
	pt.overrunLast = 0
	if spec.Value != 0 {
		expiry := spec.Value
		if a[1]&linux.TIMER_ABSTIME == 0 {
			expiry = now + spec.Value
		}
		pt.t = ptimer.Timer{Expiry: expiry, Interval: spec.Interval}
		pt.armed = true
		if pt.ev.Notify != linux.SIGEV_NONE {
			pt.scheduleLocked(p, now)
		}
	}
	p.mu.Unlock()
	if a[3] != 0 {
		ob := old.Bytes()
		return 0, t.p.as.CopyOut(a[3], ob[:])
	}
	return 0, nil
}

func (pt *posixTimer) now() int64 {
	now, _ := timerClock(pt.clock)
	return now()
}

// disarmLocked stops the timer and makes any expiry or signal of the old
// arming stale.
func (pt *posixTimer) disarmLocked() {
	if pt.wake != nil {
		pt.wake.Stop()
		pt.wake = nil
	}
	pt.armed, pt.waiting = false, false
	pt.gen++
}

// scheduleLocked starts the goroutine timer for the next expiry.
func (pt *posixTimer) scheduleLocked(p *Process, now int64) {
	gen := pt.gen
	pt.wake = time.AfterFunc(time.Duration(max(pt.t.Remaining(now), 0)), func() { p.timerExpired(pt, gen) })
}

// getLocked is common_timer_get: the period, and the time to the next
// expiry, forwarding a periodic timer whose signal waits (or that has no
// signal) past now. A timer whose expiry passed but whose signal is not
// yet taken reports 1ns left, as Linux does.
func (pt *posixTimer) getLocked(now int64) ptimer.Spec {
	s := ptimer.Spec{Interval: pt.t.Interval}
	sigNone := pt.ev.Notify == linux.SIGEV_NONE
	if pt.t.Interval == 0 && !pt.armed {
		return s
	}
	if pt.t.Interval != 0 && (pt.waiting || sigNone) {
		pt.overrun += pt.t.Forward(now)
	}
	if rem := pt.t.Remaining(now); rem > 0 {
		s.Value = rem
	} else if !sigNone {
		s.Value = 1
	}
	return s
}

// timerExpired runs when an armed timer's goroutine timer fires: it
// queues the timer's signal, then a periodic timer waits for the signal
// to be taken; if the signal was not queued (ignored, or the target gone)
// it re-arms at once, counting the periods as overruns (posix_timer_fn).
func (p *Process) timerExpired(pt *posixTimer, gen uint64) {
	p.mu.Lock()
	if p.timers[pt.id] != pt || pt.gen != gen || !pt.armed {
		p.mu.Unlock()
		return
	}
	pt.wake = nil
	if pt.t.Interval == 0 {
		pt.armed = false
	} else {
		pt.waiting = true
	}
	info := signal.Info(int(pt.ev.Signo), linux.SI_TIMER)
	binary.LittleEndian.PutUint32(info.Fields[linux.SiginfoTimerIDOffset-16:], uint32(pt.id))
	signal.SetValue(&info, pt.ev.Value)
	binary.LittleEndian.PutUint64(info.Fields[linux.SiginfoTimerPrivateOffset-16:], pt.gen)
	target := pt.target
	q := &p.shared
	if target != nil {
		q = &target.sig.pending
	}
	switch {
	case target != nil && p.threads[target.TID] != target:
		p.mu.Unlock() // the thread is gone: nothing to signal
	case !signal.IsRealtime(int(pt.ev.Signo)) && q.Pending().Has(int(pt.ev.Signo)):
		// A standard signal pending already would absorb this one,
		// which Linux queues apart (its own sigqueue): count it as
		// not queued, an overrun.
		p.mu.Unlock()
	default:
		p.mu.Unlock()
		if queued, _ := p.generate(target, info, false); queued {
			return
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pt.t.Interval != 0 && pt.gen == gen && p.timers[pt.id] == pt {
		now := pt.now()
		pt.waiting = false
		pt.overrun += pt.t.Forward(now)
		pt.scheduleLocked(p, now)
	}
}

// timerSignalTaken is posixtimer_rearm, for a signal just taken from a
// queue with p.mu held: a periodic timer's own signal re-arms it past
// now, and the signal's si_overrun says how many expirations it stood
// for beyond the first.
func (p *Process) timerSignalTaken(info *linux.SignalInfo) {
	if info.Code != linux.SI_TIMER {
		return
	}
	id := binary.LittleEndian.Uint32(info.Fields[linux.SiginfoTimerIDOffset-16:])
	pt := p.timers[int32(id)]
	if pt == nil || !pt.waiting || pt.t.Interval == 0 ||
		binary.LittleEndian.Uint64(info.Fields[linux.SiginfoTimerPrivateOffset-16:]) != pt.gen {
		return
	}
	now := pt.now()
	pt.overrun += pt.t.Forward(now)
	pt.overrunLast, pt.overrun = pt.overrun, -1
	pt.waiting = false
	pt.gen++
	pt.scheduleLocked(p, now)
	binary.LittleEndian.PutUint32(info.Fields[linux.SiginfoOverrunOffset-16:], uint32(min(pt.overrunLast, 1<<31-1)))
}

// sysTimerGettime is timer_gettime(2).
func sysTimerGettime(t *Thread, a *args) (uint64, error) {
	p := t.p
	p.mu.Lock()
	pt, err := p.timerLocked(a[0])
	if err != nil {
		p.mu.Unlock()
		return 0, err
	}
	s := pt.getLocked(pt.now())
	p.mu.Unlock()
	b := s.Bytes()
	return 0, t.p.as.CopyOut(a[1], b[:])
}

// sysTimerGetoverrun is timer_getoverrun(2): the overrun count of the
// timer's last delivered signal, at most INT_MAX.
func sysTimerGetoverrun(t *Thread, a *args) (uint64, error) {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	pt, err := p.timerLocked(a[0])
	if err != nil {
		return 0, err
	}
	return uint64(min(pt.overrunLast, 1<<31-1)), nil
}

// sysTimerDelete is timer_delete(2). A signal of the timer still queued
// stays queued, as on Linux.
func sysTimerDelete(t *Thread, a *args) (uint64, error) {
	t.p.mu.Lock()
	_, err := t.p.timerLocked(a[0])
	t.p.mu.Unlock()
	if err != nil {
		return 0, err
	}
	t.p.deleteTimer(int32(a[0]))
	return 0, nil
}

func (p *Process) deleteTimer(id int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pt := p.timers[id]; pt != nil {
		pt.disarmLocked()
		delete(p.timers, id)
		rootUser.Release()
	}
}

// deleteTimersLocked ends every timer: exec and exit (exit_itimers).
func (p *Process) deleteTimersLocked() {
	for id, pt := range p.timers {
		pt.disarmLocked()
		delete(p.timers, id)
		rootUser.Release()
	}
}
