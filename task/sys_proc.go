package task

import (
	"encoding/binary"
	"fmt"

	"sigil/linux"
	"sigil/signal"
	"sigil/vfs"
)

func sysGetpid(t *Thread, a *args) (uint64, error) { return uint64(t.p.PID), nil }
func sysGettid(t *Thread, a *args) (uint64, error) { return uint64(t.TID), nil }
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
	return t.clone(legacyClone(a[0], a[1], a[2], a[3], a[4]))
}

func sysFork(t *Thread, a *args) (uint64, error) {
	return t.clone(legacyClone(uint64(linux.SIGCHLD), 0, 0, 0, 0))
}

func sysVfork(t *Thread, a *args) (uint64, error) {
	return t.clone(legacyClone(linux.CLONE_VM|linux.CLONE_VFORK|uint64(linux.SIGCHLD), 0, 0, 0, 0))
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
	file, argv, envp, err := t.execArgs(a[0], a[1], a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.exec(file, argv, envp)
}

// execArgs reads execve's path, argv and envp in Linux's order (getname,
// then the counts and copies: EFAULT or E2BIG before any lookup).
func (t *Thread) execArgs(path, argvAddr, envpAddr uint64) (file string, argv, envp []string, err error) {
	if file, err = t.p.as.CopyInString(path, linux.PATH_MAX); err != nil {
		return
	}
	if argv, err = t.strings(argvAddr); err != nil {
		return
	}
	envp, err = t.strings(envpAddr)
	return
}

// sysExecveat is execveat(2): the path is found from dirfd (EINVAL for
// flags other than AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH); an empty path
// with AT_EMPTY_PATH runs dirfd's own file (fexecve); AT_SYMLINK_NOFOLLOW
// makes a final symbolic link ELOOP. The program's name is then Linux's
// "/dev/fd/N" or "/dev/fd/N/path" form, unless the path is absolute or
// dirfd is AT_FDCWD.
func sysExecveat(t *Thread, a *args) (uint64, error) {
	dirfd, flags := a[0], a[4]
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	file, argv, envp, err := t.execArgs(a[1], a[2], a[3])
	if err != nil {
		return 0, err
	}
	name := file
	if int32(dirfd) != linux.AT_FDCWD && (file == "" || file[0] != '/') {
		name = fmt.Sprintf("/dev/fd/%d", int32(dirfd))
		if file != "" {
			name += "/" + file
		}
	}
	var node *vfs.Node
	if file == "" && flags&linux.AT_EMPTY_PATH != 0 {
		if node, err = t.dirNode(dirfd); err != nil {
			return 0, err
		}
		if node == nil {
			return 0, linux.EACCES // a pipe or socket: not a program
		}
	} else if node, err = t.lookupAt(dirfd, file, flags&linux.AT_SYMLINK_NOFOLLOW == 0); err != nil {
		return 0, err
	}
	if node.IsSymlink() {
		return 0, linux.ELOOP
	}
	return 0, t.execNode(node, name, argv, envp)
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

// cloneKindMatches is eligible_child's rule on exit signals: a "clone"
// child (one whose exit signal is not SIGCHLD) is waited for only with
// __WCLONE, any other only without it; __WALL waits for both.
func cloneKindMatches(c *Process, options uint64) bool {
	if options&linux.WALL != 0 {
		return true
	}
	c.mu.Lock()
	clone := c.exitSignal != int(linux.SIGCHLD)
	c.mu.Unlock()
	return clone == (options&linux.WCLONE != 0)
}

// waitChild finds a child selected by pid that has something to report:
// it exited (reaped unless WNOWAIT), it stopped (WUNTRACED) or it continued
// (WCONTINUED). It blocks unless WNOHANG, and returns nil, 0, nil when
// WNOHANG finds nothing to report.
func (t *Thread) waitChild(pid int64, options uint64) (*Process, uint32, error) {
	p := t.p
	interrupted := false
	for {
		wait := p.childEv.Wait()
		p.mu.Lock()
		kids := make([]*Process, 0, len(p.children))
		for _, c := range p.children {
			kids = append(kids, c)
		}
		p.mu.Unlock()
		any := false
		for _, c := range kids {
			if !p.matches(c, pid) || !cloneKindMatches(c, options) {
				continue
			}
			any = true
			c.mu.Lock()
			z, status := c.exited, c.status
			stopped := c.stopped && !c.stopReported && options&linux.WUNTRACED != 0
			cont := c.contPending && options&linux.WCONTINUED != 0
			keep := options&linux.WNOWAIT != 0
			switch {
			case z:
				c.mu.Unlock()
				if !keep && options&linux.WEXITED != 0 {
					c.reap()
				}
				if options&linux.WEXITED == 0 {
					continue
				}
				return c, status, nil
			case stopped:
				if !keep {
					c.stopReported = true
				}
				status = 0x7f | uint32(c.stopSig)<<8
				c.mu.Unlock()
				return c, status, nil
			case cont:
				if !keep {
					c.contPending = false
				}
				c.mu.Unlock()
				return c, 0xffff, nil
			}
			c.mu.Unlock()
		}
		if !any {
			return nil, 0, linux.ECHILD
		}
		if interrupted {
			return nil, 0, linux.ERESTARTSYS
		}
		if options&linux.WNOHANG != 0 {
			return nil, 0, nil
		}
		select {
		case <-wait:
		case <-t.Interrupted():
			// A child that just died raises SIGCHLD as it wakes us: look
			// once more before giving up, as Linux reaps first.
			interrupted = true
		}
	}
}

func sysWait4(t *Thread, a *args) (uint64, error) {
	pid, statusAddr, options, rusage := int64(int32(a[0])), a[1], a[2], a[3]
	if options&^(linux.WNOHANG|linux.WUNTRACED|linux.WCONTINUED|linux.WALL|linux.WCLONE|linux.WNOTHREAD) != 0 {
		return 0, linux.EINVAL
	}
	// Checked before reaping: on EFAULT the child stays waitable.
	if statusAddr != 0 {
		if err := t.p.as.Probe(statusAddr, 4, true); err != nil {
			return 0, err
		}
	}
	if rusage != 0 {
		if err := t.p.as.Probe(rusage, 144, true); err != nil {
			return 0, err
		}
	}
	c, status, err := t.waitChild(pid, options|linux.WEXITED)
	if err != nil || c == nil {
		return 0, err
	}
	if statusAddr != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], status)
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
	// kernel_waitid's checks.
	if options&^(linux.WNOHANG|linux.WNOWAIT|linux.WEXITED|linux.WSTOPPED|linux.WCONTINUED|
		linux.WNOTHREAD|linux.WCLONE|linux.WALL) != 0 ||
		options&(linux.WEXITED|linux.WSTOPPED|linux.WCONTINUED) == 0 {
		return 0, linux.EINVAL
	}
	var pid int64
	nonblock := false
	switch idtype {
	case linux.P_ALL:
		pid = -1
	case linux.P_PID:
		if id <= 0 {
			return 0, linux.EINVAL
		}
		pid = id
	case linux.P_PGID:
		if id < 0 {
			return 0, linux.EINVAL
		}
		pid = -id
		if id == 0 {
			pid = 0
		}
	case linux.P_PIDFD:
		var err error
		if pid, nonblock, err = t.waitPidfd(id); err != nil {
			return 0, err
		}
	default:
		return 0, linux.EINVAL
	}
	opts := options
	if options&linux.WSTOPPED != 0 {
		opts |= linux.WUNTRACED
	}
	if nonblock {
		opts |= linux.WNOHANG
	}
	c, status, err := t.waitChild(pid, opts)
	if err != nil {
		return 0, err
	}
	if c == nil && nonblock && options&linux.WNOHANG == 0 {
		return 0, linux.EAGAIN
	}
	info := make([]byte, 128)
	if c != nil {
		binary.LittleEndian.PutUint32(info[0:], uint32(linux.SIGCHLD))
		code, st := uint32(linux.CLD_EXITED), status>>8&0xff
		switch {
		case status == 0xffff:
			code, st = linux.CLD_CONTINUED, uint32(linux.SIGCONT)
		case status&0xff == 0x7f:
			code = linux.CLD_STOPPED
		case status&0x7f != 0:
			code, st = linux.CLD_KILLED, status&0x7f
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

// target is the process a pid argument names (0: the caller).
func (t *Thread) target(pid int32) (*Process, error) {
	if pid == 0 {
		return t.p, nil
	}
	if p := Lookup(pid); p != nil {
		return p, nil
	}
	return nil, linux.ESRCH
}

func sysGetpgid(t *Thread, a *args) (uint64, error) {
	p, err := t.target(int32(a[0]))
	if err != nil {
		return 0, err
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
	p, err := t.target(int32(a[0]))
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return uint64(p.sid), nil
}

// setAltStack changes the thread's alternate stack to n, the caller's
// stack pointer being sp (Linux's do_sigaltstack): sigaltstack makes the
// change, and rt_sigreturn restores the saved stack through it too,
// ignoring the error as Linux does. Nosplit: interrupt context's
// rt_sigreturn calls it.
//
//go:nosplit
func (t *Thread) setAltStack(n linux.SigAltStack, sp uint64) linux.Errno {
	return signal.SetAltStack(&t.altstack, n, sp)
}

// sysSigaltstack reports SS_ONSTACK when the caller runs on its alternate
// stack, and refuses to change the stack then (EPERM), as Linux does.
func sysSigaltstack(t *Thread, a *args) (uint64, error) {
	ss, oss := a[0], a[1]
	sp := t.uc.Ctx.TF.RSP
	old := signal.ReportAltStack(t.altstack, sp)
	if ss != 0 {
		var b [24]byte
		if err := t.p.as.CopyIn(b[:], ss); err != nil {
			return 0, err
		}
		n := linux.SigAltStack{SP: binary.LittleEndian.Uint64(b[0:]), Flags: int32(binary.LittleEndian.Uint32(b[8:])), Size: binary.LittleEndian.Uint64(b[16:])}
		if e := t.setAltStack(n, sp); e != 0 {
			return 0, e
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

// sysSchedYield is do_sched_yield: the caller yields as a kicked thread
// does (yieldCPU). A goroutine another thread just woke waits on this P
// until it yields or a spinning P steals it.
func sysSchedYield(t *Thread, a *args) (uint64, error) {
	yieldCPU()
	return 0, nil
}
