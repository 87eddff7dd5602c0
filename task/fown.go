package task

import (
	"encoding/binary"

	"sigil/cred"
	"sigil/file"
	"sigil/linux"
	"sigil/signal"
)

// ioOwner is an O_ASYNC file's owner (struct fown_struct): F_SETOWN's
// process or process group, or F_SETOWN_EX's thread, process or group,
// with the uid and euid of whoever set it (f_modown). id 0 is no one. It
// is a value: a new F_SETOWN replaces it whole (file.File's lock).
//
// A thread or process owner is found when it is set, as f_setown takes a
// reference to the struct pid: events then reach it without a search of
// the process table (an interrupt's bottom half signals without
// allocating), and never a process that took the ID over after the owner
// ended. A group is searched at each event, as send_sigio walks the
// group's tasks.
type ioOwner struct {
	kind      int // linux.F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP
	id        int32
	uid, euid uint32
	proc      *Process // a thread's or process owner's process; nil for none
	thread    *Thread  // a thread owner
}

// SignalIO is send_sigio: a thread owner, a process owner (its thread
// group) or each process of a group owner. It allocates nothing.
func (o ioOwner) SignalIO(sig int, code int32, band int64, fd int32) {
	switch {
	case o.id == 0:
	case o.kind == linux.F_OWNER_TID || o.kind == linux.F_OWNER_PID:
		if o.proc != nil {
			o.signal(o.proc, o.thread, sig, code, band, fd)
		}
	default:
		eachInGroup(o.id, func(p, _ *Process, _ int32) bool {
			o.signal(p, nil, sig, code, band, fd)
			return true
		})
	}
}

// eachInGroup calls visit with each live (not zombie) process of process
// group pgid, in PID order, with its parent (nil: none) and its session
// as it had them when it was found in the group, until visit
// returns false. It allocates nothing (visit, which must not keep p's
// lock, is called with none held), so an interrupt's bottom half may
// walk a group.
func eachInGroup(pgid int32, visit func(p, parent *Process, sid int32) bool) {
	var buf [16]*Process
	for after := int32(0); ; {
		ps := processesAfter(after, &buf)
		for _, p := range ps {
			p.mu.Lock()
			match := p.pgid == pgid && !p.zombie
			parent, sid := p.parent, p.sid
			p.mu.Unlock()
			if match && !visit(p, parent, sid) {
				return
			}
		}
		if len(ps) < len(buf) {
			return
		}
		after = ps[len(ps)-1].PID
	}
}

// processesAfter fills buf with the processes of the lowest PIDs above
// after, in order: a walk of the table in batches that, unlike
// unordered, allocates nothing, and holds tableMu only while it copies
// (a process's lock is taken after tableMu's release, never inside it).
func processesAfter(after int32, buf *[16]*Process) []*Process {
	n := 0
	tableMu.Lock()
	for pid, p := range procs {
		if pid <= after || n == len(buf) && pid > buf[n-1].PID {
			continue
		}
		if n < len(buf) {
			n++
		}
		i := n - 1
		for ; i > 0 && buf[i-1].PID > pid; i-- {
			buf[i] = buf[i-1]
		}
		buf[i] = p
	}
	tableMu.Unlock()
	return buf[:n]
}

// signal is send_sigio_to_task: only a target whose uid or saved uid is
// the setter's uid or euid (or whose setter was root) is told; sig with
// its siginfo if it can be queued, else SIGIO as the kernel sends it.
// th nil: the whole process.
func (o ioOwner) signal(p *Process, th *Thread, sig int, code int32, band int64, fd int32) {
	p.mu.Lock()
	target := th
	if target == nil {
		target = p.mainThreadLocked()
	}
	p.mu.Unlock()
	if target == nil || !o.mayTell(target.creds()) {
		return
	}
	if sig != 0 {
		info := signal.Info(sig, code)
		binary.LittleEndian.PutUint64(info.Fields[linux.SiginfoBandOffset-16:], uint64(band))
		binary.LittleEndian.PutUint32(info.Fields[linux.SiginfoBandOffset-16+8:], uint32(fd)) // si_fd
		if p.sendAtomic(th, info) == nil {
			return
		}
	}
	p.sendAtomic(th, signal.Info(int(linux.SIGIO), linux.SI_KERNEL))
}

// mayTell is sigio_perm.
func (o ioOwner) mayTell(c *cred.Cred) bool {
	return o.euid == 0 || o.euid == c.SUID || o.euid == c.UID || o.uid == c.SUID || o.uid == c.UID
}

// idInUse reports whether a task, process group or session has id, as
// find_vpid finds a struct pid.
func idInUse(id int32) bool {
	for _, p := range unordered() {
		p.mu.Lock()
		_, thread := p.threads[id]
		used := p.PID == id || thread || p.pgid == id || p.sid == id
		p.mu.Unlock()
		if used {
			return true
		}
	}
	return false
}

// fcntlOwner serves F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX,
// F_GETOWNER_UIDS, F_SETSIG and F_GETSIG (f_setown, f_getown,
// f_setown_ex, f_getown_ex, f_getowner_uids, do_fcntl).
func (t *Thread) fcntlOwner(f *file.File, cmd, arg uint64) (uint64, error) {
	set := func(kind int, id int32) error {
		if id != 0 && !idInUse(id) {
			return linux.ESRCH
		}
		c := t.creds()
		o := ioOwner{kind: kind, id: id, uid: c.UID, euid: c.EUID}
		if kind != linux.F_OWNER_PGRP && id != 0 {
			o.proc, o.thread = threadByTID(0, id)
			if kind == linux.F_OWNER_PID {
				o.thread = nil
			}
		}
		f.SetOwner(o)
		return nil
	}
	owner, _ := f.Owner().(ioOwner) // none yet: the zero owner, a thread with id 0
	switch cmd {
	case linux.F_SETOWN:
		who := int32(arg)
		switch {
		case who == -1<<31:
			return 0, linux.EINVAL
		case who < 0:
			return 0, set(linux.F_OWNER_PGRP, -who)
		}
		return 0, set(linux.F_OWNER_PID, who)
	case linux.F_GETOWN:
		if owner.kind == linux.F_OWNER_PGRP {
			return uint64(-int64(owner.id)), nil
		}
		return uint64(owner.id), nil
	case linux.F_SETOWN_EX:
		var b [8]byte
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		kind, id := int(int32(binary.LittleEndian.Uint32(b[:]))), int32(binary.LittleEndian.Uint32(b[4:]))
		if kind != linux.F_OWNER_TID && kind != linux.F_OWNER_PID && kind != linux.F_OWNER_PGRP {
			return 0, linux.EINVAL
		}
		return 0, set(kind, id)
	case linux.F_GETOWN_EX:
		var b [8]byte
		binary.LittleEndian.PutUint32(b[:], uint32(owner.kind))
		binary.LittleEndian.PutUint32(b[4:], uint32(owner.id))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.F_GETOWNER_UIDS:
		var b [8]byte
		binary.LittleEndian.PutUint32(b[:], owner.uid)
		binary.LittleEndian.PutUint32(b[4:], owner.euid)
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.F_SETSIG:
		if uint64(int64(int32(arg))) > uint64(linux.SIGRTMAX) { // valid_signal (_NSIG) on the int argument
			return 0, linux.EINVAL
		}
		f.SetSig(int(int32(arg)))
		return 0, nil
	}
	return uint64(f.Sig()), nil // F_GETSIG
}

// setAsync turns O_ASYNC on or off for f through descriptor fd (setfl,
// ioctl_fioasync). A terminal that takes O_ASYNC with no owner set gets
// one, as __tty_fasync gives it: the terminal's foreground process group,
// or else the caller's process. A pty master's own tty has no foreground
// group (it is no one's controlling terminal): the caller's process.
func (t *Thread) setAsync(f *file.File, fd int32, on bool) {
	changed := f.SetAsync(fd, on)
	c, isTTY := f.Ops.(ttyFile)
	_, isMaster := f.Ops.(masterFile)
	if !isTTY && !isMaster || !on || !changed || f.Owner() != nil {
		return
	}
	cr := t.creds()
	o := ioOwner{kind: linux.F_OWNER_PID, id: t.p.PID, uid: cr.UID, euid: cr.EUID, proc: t.p}
	if isTTY {
		if fg, _ := c.t.Foreground(); fg > 0 {
			o = ioOwner{kind: linux.F_OWNER_PGRP, id: fg, uid: cr.UID, euid: cr.EUID}
		}
	}
	f.SetOwner(o)
}
