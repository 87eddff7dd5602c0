package task

import (
	"encoding/binary"
	"time"
	"unsafe"

	"sigil/file"
	"sigil/linux"
	"sigil/signal"
)

//go:nosplit
func validSig(sig int) bool { return sig >= 1 && sig < linux.NSIG }

// sysKill implements kill(2): pid > 0 one process, 0 the caller's process
// group, -1 every process but init and the caller, < -1 process group -pid.
// Signal 0 only checks that a target exists and may be signalled. A
// target the caller may not signal is EPERM, unless another target of
// the same call took the signal (kill_pgrp_info).
func sysKill(t *Thread, a *args) (uint64, error) {
	pid, sig := int64(int32(a[0])), int(a[1])
	if sig != 0 && !validSig(sig) {
		return 0, linux.EINVAL
	}
	t.p.mu.Lock()
	myPgid := t.p.pgid
	t.p.mu.Unlock()
	var targets []*Process
	if pid > 0 {
		// One process, found without listing them all (All sorts, which
		// allocates): kill-self is a benchmark row.
		var one [1]*Process
		if one[0] = Lookup(int32(pid)); one[0] != nil {
			targets = one[:]
		}
	} else {
		for _, p := range unordered() {
			p.mu.Lock()
			pg, z := p.pgid, p.zombie
			p.mu.Unlock()
			if z {
				continue
			}
			switch {
			case pid == 0 && pg == myPgid,
				pid == -1 && p.PID != 1 && p != t.p,
				pid < -1 && int64(pg) == -pid:
				targets = append(targets, p)
			}
		}
	}
	if len(targets) == 0 {
		return 0, linux.ESRCH
	}
	sent := false
	for _, p := range targets {
		if !t.maySignal(p, nil, sig) {
			continue
		}
		sent = true
		if sig != 0 {
			info := signal.Info(sig, linux.SI_USER)
			signal.SetSender(&info, t.p.PID, t.creds().UID)
			p.send(nil, info)
		}
	}
	if !sent {
		return 0, linux.EPERM
	}
	return 0, nil
}

// maySignal is check_kill_permission: a thread of the caller's own
// process, a target whose credentials kill_ok_by_cred accepts, or
// SIGCONT within the caller's session. th nil: the process's first
// thread stands for it.
func (t *Thread) maySignal(p *Process, th *Thread, sig int) bool {
	if p == t.p {
		return true
	}
	p.mu.Lock()
	if th == nil {
		th = p.mainThreadLocked()
	}
	sid := p.sid
	p.mu.Unlock()
	if th == nil {
		return true // a zombie: nothing to protect
	}
	if t.creds().MayKill(th.creds()) {
		return true
	}
	t.p.mu.Lock()
	mySid := t.p.sid
	t.p.mu.Unlock()
	return sig == int(linux.SIGCONT) && sid == mySid
}

// threadByID finds a thread of any process by its ID.
func threadByID(tid int32) *Thread {
	_, th := threadByTID(0, tid)
	return th
}

// SignalGroup sends sig to every process of process group pgrp: the
// terminal's ISIG characters (Linux's isig -> kill_pgrp), sent by the
// kernel (SEND_SIG_PRIV: si_code SI_KERNEL, no sender, no value).
func SignalGroup(sig linux.Signal, pgrp int32) {
	eachInGroup(pgrp, func(p, _ *Process, _ int32) bool {
		p.send(nil, signal.Info(int(sig), linux.SI_KERNEL))
		return true
	})
}

func threadByTID(tgid, tid int32) (*Process, *Thread) {
	for _, p := range unordered() {
		if tgid > 0 && p.PID != tgid {
			continue
		}
		p.mu.Lock()
		th := p.threads[tid]
		p.mu.Unlock()
		if th != nil {
			return p, th
		}
	}
	return nil, nil
}

func sendThread(t *Thread, tgid, tid int32, sig int, code int32) (uint64, error) {
	if tid <= 0 || (sig != 0 && !validSig(sig)) {
		return 0, linux.EINVAL
	}
	p, th := threadByTID(tgid, tid)
	if th == nil {
		return 0, linux.ESRCH
	}
	if !t.maySignal(p, th, sig) {
		return 0, linux.EPERM
	}
	if sig == 0 {
		return 0, nil
	}
	info := signal.Info(sig, code)
	signal.SetSender(&info, t.p.PID, t.creds().UID)
	return 0, p.send(th, info)
}

func sysTgkill(t *Thread, a *args) (uint64, error) {
	if int32(a[0]) <= 0 {
		return 0, linux.EINVAL
	}
	return sendThread(t, int32(a[0]), int32(a[1]), int(a[2]), linux.SI_TKILL)
}

func sysTkill(t *Thread, a *args) (uint64, error) {
	return sendThread(t, 0, int32(a[0]), int(a[1]), linux.SI_TKILL)
}

// siginfoIn reads a user siginfo for sigqueue. A process may pass any
// si_code to itself; to others only negative codes (user-space origins),
// as Linux insists, so nobody can forge a kernel signal.
func (t *Thread) siginfoIn(addr uint64, sig int, target *Process) (linux.SignalInfo, error) {
	info, err := t.readSiginfo(addr)
	if err != nil {
		return info, err
	}
	if target != t.p && forgedSiginfo(info.Code) {
		return info, linux.EPERM
	}
	info.Signo = int32(sig)
	return info, nil
}

// readSiginfo copies a siginfo in from the caller.
func (t *Thread) readSiginfo(addr uint64) (linux.SignalInfo, error) {
	var info linux.SignalInfo
	b := (*[128]byte)(unsafe.Pointer(&info))
	return info, t.p.as.CopyIn(b[:], addr)
}

// forgedSiginfo reports whether a siginfo's code claims an origin that
// is not user space's to claim towards another task: the kernel (codes
// >= 0) or a kill()/tgkill() that adds the sender itself (SI_TKILL).
// Linux's do_rt_sigqueueinfo and pidfd_send_signal refuse those (EPERM).
func forgedSiginfo(code int32) bool { return code >= 0 || code == linux.SI_TKILL }

func sysRtSigqueueinfo(t *Thread, a *args) (uint64, error) {
	pid, sig := int32(a[0]), int(a[1])
	if !validSig(sig) {
		return 0, linux.EINVAL
	}
	p := Lookup(pid)
	if p == nil {
		return 0, linux.ESRCH
	}
	info, err := t.siginfoIn(a[2], sig, p)
	if err != nil {
		return 0, err
	}
	if !t.maySignal(p, nil, sig) {
		return 0, linux.EPERM
	}
	return 0, p.send(nil, info)
}

func sysRtTgsigqueueinfo(t *Thread, a *args) (uint64, error) {
	tgid, tid, sig := int32(a[0]), int32(a[1]), int(a[2])
	if tgid <= 0 || tid <= 0 || !validSig(sig) {
		return 0, linux.EINVAL
	}
	p, th := threadByTID(tgid, tid)
	if th == nil {
		return 0, linux.ESRCH
	}
	info, err := t.siginfoIn(a[3], sig, p)
	if err != nil {
		return 0, err
	}
	if !t.maySignal(p, th, sig) {
		return 0, linux.EPERM
	}
	return 0, p.send(th, info)
}

func sysRtSigaction(t *Thread, a *args) (uint64, error) {
	sig, act, oact, size := int(min(a[0], linux.NSIG)), a[1], a[2], a[3]
	if e := signal.CheckAction(sig, act != 0, size); e != 0 {
		return 0, e
	}
	var nw linux.SigAction
	raw := (*[32]byte)(unsafe.Pointer(&nw))
	if act != 0 {
		if err := t.p.as.CopyIn(raw[:], act); err != nil {
			return 0, err
		}
		nw = signal.NewAction(nw)
	}
	p := t.p
	p.mu.Lock()
	old := p.actions[sig]
	if act != 0 {
		p.actions[sig] = nw
		// POSIX: setting SIG_IGN (or SIG_DFL for an ignore-by-default
		// signal) discards what is pending.
		if nw.Handler == linux.SIG_IGN || nw.Handler == linux.SIG_DFL && signal.DefaultAction(sig) == signal.Ignore {
			p.discardLocked(sig)
		}
	}
	p.mu.Unlock()
	if oact != 0 {
		b := (*[32]byte)(unsafe.Pointer(&old))
		return 0, t.p.as.CopyOut(oact, b[:])
	}
	return 0, nil
}

func (t *Thread) sigsetIn(addr, size uint64) (signal.Set, error) {
	if size != 8 {
		return 0, linux.EINVAL
	}
	var b [8]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	return signal.Set(binary.LittleEndian.Uint64(b[:])), nil
}

func (t *Thread) sigsetOut(addr uint64, s signal.Set) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(s))
	return t.p.as.CopyOut(addr, b[:])
}

func sysRtSigprocmask(t *Thread, a *args) (uint64, error) {
	how, set, oset, size := a[0], a[1], a[2], a[3]
	if size != 8 {
		return 0, linux.EINVAL
	}
	var s signal.Set
	if set != 0 {
		var err error
		if s, err = t.sigsetIn(set, size); err != nil {
			return 0, err
		}
		if _, ok := signal.ChangeMask(0, how, s); !ok {
			return 0, linux.EINVAL
		}
	}
	p := t.p
	p.mu.Lock()
	old := t.sig.mask
	if set != 0 {
		t.setMaskLocked(how, s)
	}
	if t.deliverableLocked() != 0 {
		t.interruptLocked() // newly unblocked signals are delivered on return
	}
	p.mu.Unlock()
	if oset != 0 {
		return 0, t.sigsetOut(oset, old)
	}
	return 0, nil
}

// setMaskLocked changes the thread's mask as rt_sigprocmask's how says
// (checked by the caller).
//
//go:nosplit
func (t *Thread) setMaskLocked(how uint64, s signal.Set) {
	m, _ := signal.ChangeMask(t.sig.mask, how, s)
	t.setBlockedLocked(m)
}

func sysRtSigpending(t *Thread, a *args) (uint64, error) {
	if a[1] != 8 {
		return 0, linux.EINVAL
	}
	t.p.mu.Lock()
	s := (t.sig.pending.Pending() | t.p.shared.Pending()) & t.sig.mask
	t.p.mu.Unlock()
	return 0, t.sigsetOut(a[0], s)
}

// waitSignal blocks until a signal is delivered (pause, sigsuspend).
func (t *Thread) waitSignal() error {
	<-t.Interrupted()
	return linux.ERESTARTNOHAND
}

func sysPause(t *Thread, a *args) (uint64, error) { return 0, t.waitSignal() }

// sysRtSigsuspend waits with a temporary mask; the frame of the handler
// that ends it saves the original mask, which rt_sigreturn restores.
func sysRtSigsuspend(t *Thread, a *args) (uint64, error) {
	s, err := t.sigsetIn(a[0], a[1])
	if err != nil {
		return 0, err
	}
	p := t.p
	p.mu.Lock()
	t.sig.savedMask, t.sig.restoreOK = t.sig.mask, true
	t.setBlockedLocked(s &^ signal.Unblockable)
	p.mu.Unlock()
	<-t.Interrupted()
	return 0, linux.ERESTARTNOHAND
}

// sysRtSigtimedwait takes a signal of set (blocked ones included) without a
// handler, waiting up to the timeout.
func sysRtSigtimedwait(t *Thread, a *args) (uint64, error) {
	set, err := t.sigsetIn(a[0], a[3])
	if err != nil {
		return 0, err
	}
	set &^= signal.Unblockable
	var deadline <-chan time.Time
	if a[2] != 0 {
		d, err := timespecIn(t, a[2])
		if err != nil {
			return 0, err
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		deadline = tm.C
	}
	p := t.p
	for {
		p.mu.Lock()
		info, ok := t.takeSignalLocked(^set)
		wait := p.sigEv.Wait()
		p.mu.Unlock()
		if ok {
			if a[1] != 0 {
				b := (*[128]byte)(unsafe.Pointer(&info))
				if err := t.p.as.CopyOut(a[1], b[:]); err != nil {
					return 0, err
				}
			}
			return uint64(info.Signo), nil
		}
		if a[2] != 0 && deadline == nil {
			return 0, linux.EAGAIN
		}
		select {
		case <-wait:
		case <-deadline:
			return 0, linux.EAGAIN
		case <-t.Interrupted():
			return 0, linux.ERESTARTNOHAND
		}
	}
}

// ITIMER_REAL through alarm and setitimer: SIGALRM to the process.
func (p *Process) setAlarm(d, interval time.Duration) (left time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.alarm != nil {
		if p.alarm.Stop() {
			left = time.Until(p.alarmAt)
		}
		p.alarm = nil
	}
	if d > 0 {
		p.alarmAt = time.Now().Add(d)
		var fire func()
		fire = func() {
			p.send(nil, signal.Info(int(linux.SIGALRM), linux.SI_KERNEL))
			if interval > 0 {
				p.mu.Lock()
				p.alarmAt = time.Now().Add(interval)
				p.alarm = time.AfterFunc(interval, fire)
				p.mu.Unlock()
			}
		}
		p.alarm = time.AfterFunc(d, fire)
		p.alarmInterval = interval
	}
	return left
}

func sysAlarm(t *Thread, a *args) (uint64, error) {
	left := t.p.setAlarm(time.Duration(a[0])*time.Second, 0)
	secs := uint64((left + time.Second - 1) / time.Second)
	return secs, nil
}

func timevalIn(b []byte) time.Duration {
	return time.Duration(binary.LittleEndian.Uint64(b))*time.Second + time.Duration(binary.LittleEndian.Uint64(b[8:]))*time.Microsecond
}

func timevalPut(b []byte, d time.Duration) {
	binary.LittleEndian.PutUint64(b, uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
}

func sysSetitimer(t *Thread, a *args) (uint64, error) {
	if a[0] != 0 { // ITIMER_REAL only
		return 0, linux.EINVAL
	}
	var b [32]byte
	if err := t.p.as.CopyIn(b[:], a[1]); err != nil {
		return 0, err
	}
	interval, value := timevalIn(b[0:]), timevalIn(b[16:])
	t.p.mu.Lock()
	oldInterval := t.p.alarmInterval
	t.p.mu.Unlock()
	left := t.p.setAlarm(value, interval)
	if a[2] != 0 {
		var o [32]byte
		timevalPut(o[0:], oldInterval)
		timevalPut(o[16:], left)
		return 0, t.p.as.CopyOut(a[2], o[:])
	}
	return 0, nil
}

func sysGetitimer(t *Thread, a *args) (uint64, error) {
	if a[0] != 0 {
		return 0, linux.EINVAL
	}
	var o [32]byte
	t.p.mu.Lock()
	if t.p.alarm != nil {
		timevalPut(o[0:], t.p.alarmInterval)
		timevalPut(o[16:], max(0, time.Until(t.p.alarmAt)))
	}
	t.p.mu.Unlock()
	return 0, t.p.as.CopyOut(a[1], o[:])
}

// signalFile is a signalfd: reading takes pending signals of its mask as
// struct signalfd_siginfo (128 bytes, include/uapi/linux/signalfd.h).
type signalFile struct {
	t    *Thread
	mask signal.Set
}

func (s *signalFile) Read(caller file.Caller, f *file.File, p []byte) (int, error) {
	t := threadCalling(caller)
	if len(p) < 128 {
		return 0, linux.EINVAL
	}
	n := 0
	for n+128 <= len(p) {
		proc := t.p
		proc.mu.Lock()
		info, ok := t.takeSignalLocked(^s.mask)
		wait := proc.sigEv.Wait()
		proc.mu.Unlock()
		if ok {
			encodeSignalfd(p[n:n+128], &info)
			n += 128
			continue
		}
		if n > 0 {
			return n, nil
		}
		if err := f.Block(t, wait); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func encodeSignalfd(b []byte, i *linux.SignalInfo) {
	for k := range b {
		b[k] = 0
	}
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(i.Signo))
	le.PutUint32(b[4:], uint32(i.Errno))
	le.PutUint32(b[8:], uint32(i.Code))
	le.PutUint32(b[12:], uint32(signal.Sender(i)))                           // ssi_pid
	le.PutUint32(b[16:], le.Uint32(i.Fields[4:]))                            // ssi_uid
	le.PutUint32(b[24:], le.Uint32(i.Fields[8:]))                            // ssi_tid / status
	le.PutUint32(b[44:], le.Uint32(i.Fields[8:]))                            // ssi_int
	le.PutUint64(b[48:], signal.Value(i))                                    // ssi_ptr
	le.PutUint64(b[72:], le.Uint64(i.Fields[0:]))                            // ssi_addr
	le.PutUint32(b[40:], le.Uint32(i.Fields[linux.SiginfoStatusOffset-16:])) // ssi_status
}

func (s *signalFile) Write(file.Caller, *file.File, []byte) (int, error) { return 0, linux.EINVAL }
func (s *signalFile) Stat() linux.Stat                                   { return linux.Stat{Mode: 0o600, Nlink: 1} }
func (s *signalFile) Close()                                             {}
func (s *signalFile) Poll() (uint32, uint64) {
	p := s.t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if (s.t.sig.pending.Pending()|p.shared.Pending())&s.mask != 0 {
		return linux.EPOLLIN, 0
	}
	return 0, 0
}

func sysSignalfd4(t *Thread, a *args) (uint64, error) {
	fd, flags := int64(int32(a[0])), a[3]
	mask, err := t.sigsetIn(a[1], a[2])
	if err != nil {
		return 0, err
	}
	if flags&^(linux.SFD_CLOEXEC|linux.SFD_NONBLOCK) != 0 {
		return 0, linux.EINVAL
	}
	mask &^= signal.Unblockable
	if fd >= 0 {
		f, err := t.p.files.get(uint64(fd))
		if err != nil {
			return 0, err
		}
		s, ok := f.Ops.(*signalFile)
		if !ok {
			return 0, linux.EINVAL
		}
		s.mask = mask
		return uint64(fd), nil
	}
	t.p.mu.Lock()
	t.p.signalfd = true // its pollers must hear of every signal (fast.go)
	t.p.mu.Unlock()
	f := file.New(&signalFile{t: t, mask: mask}, nil, linux.O_RDONLY|flags&linux.SFD_NONBLOCK)
	n, err := t.installFD(f, 0, flags&linux.SFD_CLOEXEC != 0)
	return uint64(n), err
}

func sysSignalfd(t *Thread, a *args) (uint64, error) {
	return sysSignalfd4(t, &args{a[0], a[1], a[2], 0})
}
