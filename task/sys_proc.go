package task

import (
	"encoding/binary"
	"time"

	"sigil/linux"
	"sigil/mm"
)

func sysGetpid(t *Thread, a *args) (uint64, error) { return uint64(t.p.PID), nil }
func sysGettid(t *Thread, a *args) (uint64, error) { return uint64(t.TID), nil }
func sysGetID(t *Thread, a *args) (uint64, error)  { return 0, nil } // everyone is root
func sysSetID(t *Thread, a *args) (uint64, error)  { return 0, nil } // root may become root
func sysGetppid(t *Thread, a *args) (uint64, error) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	if t.p.parent == nil {
		return 0, nil
	}
	return uint64(t.p.parent.PID), nil
}

func sysExit(t *Thread, a *args) (uint64, error) {
	p := t.p
	p.mu.Lock()
	if !p.exiting {
		p.status = exitedStatus(int(a[0]))
	}
	if len(p.threads) == 1 {
		p.exiting = true
	}
	p.mu.Unlock()
	return 0, errStop
}

func sysExitGroup(t *Thread, a *args) (uint64, error) {
	t.p.kill(exitedStatus(int(a[0])))
	return 0, errStop
}

func sysClone(t *Thread, a *args) (uint64, error) {
	return t.clone(a[0], a[1], a[2], a[3], a[4])
}

func sysFork(t *Thread, a *args) (uint64, error) {
	return t.clone(uint64(linux.SIGCHLD), 0, 0, 0, 0)
}

func sysVfork(t *Thread, a *args) (uint64, error) {
	return t.clone(linux.CLONE_VM|linux.CLONE_VFORK|uint64(linux.SIGCHLD), 0, 0, 0, 0)
}

func sysSetTidAddress(t *Thread, a *args) (uint64, error) {
	t.clearTID = a[0]
	return uint64(t.TID), nil
}

func (t *Thread) strings(addr uint64) ([]string, error) {
	var out []string
	total := 0
	for i := 0; addr != 0; i++ {
		var b [8]byte
		if err := t.p.as.CopyIn(b[:], addr+uint64(8*i)); err != nil {
			return nil, err
		}
		ptr := binary.LittleEndian.Uint64(b[:])
		if ptr == 0 {
			break
		}
		s, err := t.p.as.CopyInString(ptr, maxArgLen)
		if err == linux.ENAMETOOLONG {
			return nil, linux.E2BIG
		}
		if err != nil {
			return nil, err
		}
		total += len(s) + 1
		if total > maxArgTotal {
			return nil, linux.E2BIG
		}
		out = append(out, s)
	}
	return out, nil
}

func sysExecve(t *Thread, a *args) (uint64, error) {
	file, err := t.p.as.CopyInString(a[0], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	argv, err := t.strings(a[1])
	if err != nil {
		return 0, err
	}
	envp, err := t.strings(a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.exec(file, argv, envp)
}

// matches reports whether child c is selected by wait's pid argument.
func (p *Process) matches(c *Process, pid int64) bool {
	switch {
	case pid > 0:
		return int64(c.PID) == pid
	case pid == -1:
		return true
	case pid == 0:
		p.mu.Lock()
		g := p.pgid
		p.mu.Unlock()
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.pgid == g
	default:
		c.mu.Lock()
		defer c.mu.Unlock()
		return int64(c.pgid) == -pid
	}
}

// waitChild finds a zombie child selected by pid, blocking unless nohang.
// It returns nil, nil when nohang finds live children only.
func (t *Thread) waitChild(pid int64, nohang, reap bool) (*Process, error) {
	p := t.p
	for {
		wait := p.childEv.wait()
		p.mu.Lock()
		kids := make([]*Process, 0, len(p.children))
		for _, c := range p.children {
			kids = append(kids, c)
		}
		p.mu.Unlock()
		any := false
		for _, c := range kids {
			if !p.matches(c, pid) {
				continue
			}
			any = true
			c.mu.Lock()
			z := c.zombie
			c.mu.Unlock()
			if z {
				if reap {
					c.reap()
				}
				return c, nil
			}
		}
		if !any {
			return nil, linux.ECHILD
		}
		if nohang {
			return nil, nil
		}
		select {
		case <-wait:
		case <-p.dying:
			return nil, linux.EINTR
		}
	}
}

func sysWait4(t *Thread, a *args) (uint64, error) {
	pid, statusAddr, options, rusage := int64(int32(a[0])), a[1], a[2], a[3]
	if options&^(linux.WNOHANG|linux.WUNTRACED|linux.WCONTINUED|linux.WALL|linux.WCLONE|linux.WNOTHREAD) != 0 {
		return 0, linux.EINVAL
	}
	if statusAddr != 0 && !mm.ProbeUser(t.p.as.root, uintptr(statusAddr), 4, true) ||
		rusage != 0 && !mm.ProbeUser(t.p.as.root, uintptr(rusage), 144, true) {
		return 0, linux.EFAULT // before reaping: the child stays waitable
	}
	c, err := t.waitChild(pid, options&linux.WNOHANG != 0, true)
	if err != nil || c == nil {
		return 0, err
	}
	if statusAddr != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], c.status)
		if err := t.p.as.CopyOut(statusAddr, b[:]); err != nil {
			return 0, err
		}
	}
	if rusage != 0 {
		if err := t.p.as.CopyOut(rusage, make([]byte, 144)); err != nil {
			return 0, err
		}
	}
	return uint64(c.PID), nil
}

func sysWaitid(t *Thread, a *args) (uint64, error) {
	idtype, id, infop, options := a[0], int64(int32(a[1])), a[2], a[3]
	if options&linux.WEXITED == 0 {
		return 0, linux.EINVAL
	}
	var pid int64
	switch idtype {
	case linux.P_ALL:
		pid = -1
	case linux.P_PID:
		pid = id
	case linux.P_PGID:
		pid = -id
		if id == 0 {
			pid = 0
		}
	default:
		return 0, linux.EINVAL
	}
	c, err := t.waitChild(pid, options&linux.WNOHANG != 0, options&linux.WNOWAIT == 0)
	if err != nil {
		return 0, err
	}
	info := make([]byte, 128)
	if c != nil {
		binary.LittleEndian.PutUint32(info[0:], uint32(linux.SIGCHLD))
		code, st := uint32(linux.CLD_EXITED), c.status>>8&0xff
		if c.status&0x7f != 0 {
			code, st = linux.CLD_KILLED, c.status&0x7f
		}
		binary.LittleEndian.PutUint32(info[8:], code)
		binary.LittleEndian.PutUint32(info[16:], uint32(c.PID))
		binary.LittleEndian.PutUint32(info[24:], st)
	}
	if infop != 0 {
		return 0, t.p.as.CopyOut(infop, info)
	}
	return 0, nil
}

func sysSetpgid(t *Thread, a *args) (uint64, error) {
	pid, pgid := int32(a[0]), int32(a[1])
	target := t.p
	if pid != 0 && pid != t.p.PID {
		target = Lookup(pid)
		if target == nil || target.parent != t.p {
			return 0, linux.ESRCH
		}
	}
	if pgid < 0 {
		return 0, linux.EINVAL
	}
	if pgid == 0 {
		pgid = target.PID
	}
	target.mu.Lock()
	defer target.mu.Unlock()
	if target.sid == target.PID {
		return 0, linux.EPERM // a session leader cannot move
	}
	target.pgid = pgid
	return 0, nil
}

func sysGetpgid(t *Thread, a *args) (uint64, error) {
	p := t.p
	if a[0] != 0 {
		if p = Lookup(int32(a[0])); p == nil {
			return 0, linux.ESRCH
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return uint64(p.pgid), nil
}

func sysGetpgrp(t *Thread, a *args) (uint64, error) { return sysGetpgid(t, &args{}) }

func sysSetsid(t *Thread, a *args) (uint64, error) {
	p := t.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pgid == p.PID {
		return 0, linux.EPERM // already a process-group leader
	}
	p.sid, p.pgid = p.PID, p.PID
	return uint64(p.PID), nil
}

func sysGetsid(t *Thread, a *args) (uint64, error) {
	p := t.p
	if a[0] != 0 {
		if p = Lookup(int32(a[0])); p == nil {
			return 0, linux.ESRCH
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return uint64(p.sid), nil
}

// Signals as far as processes need them before handlers exist: sigaction
// and masks are recorded, and a signal whose disposition is the default
// and terminates kills the target.
func sysKill(t *Thread, a *args) (uint64, error) {
	pid, sig := int64(int32(a[0])), int(a[1])
	if sig < 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	var targets []*Process
	for _, p := range All() {
		p.mu.Lock()
		pg, z := p.pgid, p.zombie
		p.mu.Unlock()
		switch {
		case pid > 0 && int64(p.PID) == pid,
			pid == 0 && pg == t.p.pgidLocked(),
			pid == -1 && p.PID != 1 && p != t.p,
			pid < -1 && int64(pg) == -pid:
			if !z || pid > 0 {
				targets = append(targets, p)
			}
		}
	}
	if len(targets) == 0 {
		return 0, linux.ESRCH
	}
	for _, p := range targets {
		p.signal(sig)
	}
	return 0, nil
}

func (p *Process) pgidLocked() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pgid
}

// signal applies sig's disposition (until handlers: terminate or ignore).
func (p *Process) signal(sig int) {
	if sig == 0 {
		return
	}
	p.mu.Lock()
	h := p.actions[sig].Handler
	p.mu.Unlock()
	if sig != int(linux.SIGKILL) && sig != int(linux.SIGSTOP) && h == linux.SIG_IGN {
		return
	}
	switch linux.Signal(sig) {
	case linux.SIGCHLD, linux.SIGURG, linux.SIGWINCH, linux.SIGCONT, linux.SIGSTOP, linux.SIGTSTP, linux.SIGTTIN, linux.SIGTTOU:
		return // ignore, or stop/continue (job control comes with signals)
	}
	if h != linux.SIG_DFL && sig != int(linux.SIGKILL) {
		return // a handler: delivered when signals are
	}
	p.kill(signaledStatus(sig))
}

func sysTgkill(t *Thread, a *args) (uint64, error) {
	tgid, tid, sig := int32(a[0]), int32(a[1]), int(a[2])
	if tgid <= 0 || tid <= 0 || sig < 0 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	p := Lookup(tgid)
	if p == nil {
		return 0, linux.ESRCH
	}
	p.mu.Lock()
	_, ok := p.threads[tid]
	p.mu.Unlock()
	if !ok {
		return 0, linux.ESRCH
	}
	p.signal(sig)
	return 0, nil
}

func sysTkill(t *Thread, a *args) (uint64, error) {
	for _, p := range All() {
		p.mu.Lock()
		_, ok := p.threads[int32(a[0])]
		p.mu.Unlock()
		if ok {
			return sysTgkill(t, &args{uint64(p.PID), a[0], a[1]})
		}
	}
	return 0, linux.ESRCH
}

func sysRtSigaction(t *Thread, a *args) (uint64, error) {
	sig, act, oact, size := int(a[0]), a[1], a[2], a[3]
	if size != 8 || sig < 1 || sig >= linux.NSIG {
		return 0, linux.EINVAL
	}
	if act != 0 && (linux.Signal(sig) == linux.SIGKILL || linux.Signal(sig) == linux.SIGSTOP) {
		return 0, linux.EINVAL
	}
	var raw [32]byte
	if act != 0 {
		if err := t.p.as.CopyIn(raw[:], act); err != nil {
			return 0, err
		}
	}
	t.p.mu.Lock()
	old := t.p.actions[sig]
	if act != 0 {
		t.p.actions[sig] = linux.SigAction{
			Handler: binary.LittleEndian.Uint64(raw[0:]), Flags: binary.LittleEndian.Uint64(raw[8:]),
			Restorer: binary.LittleEndian.Uint64(raw[16:]), Mask: binary.LittleEndian.Uint64(raw[24:]),
		}
	}
	t.p.mu.Unlock()
	if oact != 0 {
		binary.LittleEndian.PutUint64(raw[0:], old.Handler)
		binary.LittleEndian.PutUint64(raw[8:], old.Flags)
		binary.LittleEndian.PutUint64(raw[16:], old.Restorer)
		binary.LittleEndian.PutUint64(raw[24:], old.Mask)
		return 0, t.p.as.CopyOut(oact, raw[:])
	}
	return 0, nil
}

func sysRtSigprocmask(t *Thread, a *args) (uint64, error) {
	how, set, oset, size := a[0], a[1], a[2], a[3]
	if size != 8 {
		return 0, linux.EINVAL
	}
	old := t.sigmask
	if set != 0 {
		var b [8]byte
		if err := t.p.as.CopyIn(b[:], set); err != nil {
			return 0, err
		}
		s := binary.LittleEndian.Uint64(b[:])
		switch how {
		case linux.SIG_BLOCK:
			t.sigmask |= s
		case linux.SIG_UNBLOCK:
			t.sigmask &^= s
		case linux.SIG_SETMASK:
			t.sigmask = s
		default:
			return 0, linux.EINVAL
		}
		t.sigmask &^= 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)
	}
	if oset != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], old)
		return 0, t.p.as.CopyOut(oset, b[:])
	}
	return 0, nil
}

func sysSigaltstack(t *Thread, a *args) (uint64, error) {
	ss, oss := a[0], a[1]
	old := t.altstack
	if ss != 0 {
		var b [24]byte
		if err := t.p.as.CopyIn(b[:], ss); err != nil {
			return 0, err
		}
		n := linux.SigAltStack{SP: binary.LittleEndian.Uint64(b[0:]), Flags: int32(binary.LittleEndian.Uint32(b[8:])), Size: binary.LittleEndian.Uint64(b[16:])}
		switch {
		case uint32(n.Flags)&^(linux.SS_DISABLE|linux.SS_ONSTACK|linux.SS_AUTODISARM) != 0:
			return 0, linux.EINVAL
		case uint32(n.Flags)&linux.SS_DISABLE != 0:
			t.altstack = linux.SigAltStack{Flags: linux.SS_DISABLE}
		case n.Size < linux.MINSIGSTKSZ:
			return 0, linux.ENOMEM
		default:
			t.altstack = n
		}
	}
	if oss != 0 {
		var b [24]byte
		binary.LittleEndian.PutUint64(b[0:], old.SP)
		binary.LittleEndian.PutUint32(b[8:], uint32(old.Flags))
		binary.LittleEndian.PutUint64(b[16:], old.Size)
		return 0, t.p.as.CopyOut(oss, b[:])
	}
	return 0, nil
}

func sysSchedYield(t *Thread, a *args) (uint64, error) {
	time.Sleep(0)
	return 0, nil
}
