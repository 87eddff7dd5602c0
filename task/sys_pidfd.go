// The pidfd calls: pidfd_open, pidfd_send_signal, pidfd_getfd, and
// waitid's P_PIDFD (pidfd.go has the file).

package task

import (
	"sigil/linux"
	"sigil/signal"
)

// sysPidfdOpen is pidfd_open(2) as Linux 6.1's (kernel/pid.c): flags
// PIDFD_NONBLOCK only, a positive PID (EINVAL), one in use (ESRCH), and
// a thread-group leader's (pidfd_prepare: EINVAL for another thread). A
// zombie still has its PID until it is reaped.
func sysPidfdOpen(t *Thread, a *args) (uint64, error) {
	pid, flags := int32(a[0]), uint32(a[1])
	if flags&^linux.PIDFD_NONBLOCK != 0 || pid <= 0 {
		return 0, linux.EINVAL
	}
	p := Lookup(pid)
	if p == nil {
		if _, th := threadByTID(0, pid); th != nil {
			return 0, linux.EINVAL
		}
		return 0, linux.ESRCH
	}
	fd, err := t.newPidfd(p, uint64(flags))
	return uint64(fd), err
}

// sysPidfdSendSignal is pidfd_send_signal(2) (kernel/signal.c): flags
// must be 0, the descriptor a pidfd (EBADF). Without info it is kill()
// of the process; with one, its si_signo must be sig (EINVAL), and the
// rt_sigqueueinfo rule on forged codes holds (EPERM unless the caller is
// the process's own leader thread). Then, as kill_pid_info: ESRCH once
// the process is reaped (a zombie takes the signal and drops it), EINVAL
// for a bad signal, and signal 0 only probes.
func sysPidfdSendSignal(t *Thread, a *args) (uint64, error) {
	sig, infoAddr := int(int32(a[1])), a[2]
	pf, err := t.pidfdCall(a[0], a[3])
	if err != nil {
		return 0, err
	}
	p := pf.p
	var info linux.SignalInfo
	if infoAddr != 0 {
		if info, err = t.readSiginfo(infoAddr); err != nil {
			return 0, err
		}
		if int(info.Signo) != sig {
			return 0, linux.EINVAL
		}
		if self := t.p == p && t.TID == p.PID; !self && forgedSiginfo(info.Code) {
			return 0, linux.EPERM
		}
	} else {
		info = signal.Info(sig, linux.SI_USER)
		signal.SetSender(&info, t.p.PID, t.creds().UID)
	}
	if pf.reaped() {
		return 0, linux.ESRCH
	}
	if sig != 0 && !validSig(sig) {
		return 0, linux.EINVAL
	}
	if !t.maySignal(p, nil, sig) {
		return 0, linux.EPERM // check_kill_permission
	}
	if sig == 0 {
		return 0, nil
	}
	return 0, p.send(nil, info)
}

// sysPidfdGetfd is pidfd_getfd(2) (kernel/pid.c): flags must be 0, the
// descriptor a pidfd (EBADF); ESRCH once the process is exiting or gone;
// EBADF for a descriptor it does not have open. The caller gets the same
// open file at its lowest free descriptor, close-on-exec. Everyone is
// root here, so ptrace_may_access passes.
func sysPidfdGetfd(t *Thread, a *args) (uint64, error) {
	target := int32(a[1])
	pf, err := t.pidfdCall(a[0], a[2])
	if err != nil {
		return 0, err
	}
	p := pf.p
	p.mu.Lock()
	files, gone := p.files, p.exiting || p.zombie
	p.mu.Unlock()
	if gone || files == nil {
		return 0, linux.ESRCH
	}
	if target < 0 {
		return 0, linux.EBADF
	}
	f, err := files.getRef(uint64(target))
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, true)
	if err != nil {
		f.Unref()
		return 0, err
	}
	return uint64(fd), nil
}

// pidfdCall checks what pidfd_send_signal and pidfd_getfd begin with:
// flags, an unsigned int that must be 0 (EINVAL), then the descriptor,
// an int that must be a pidfd (EBADF).
func (t *Thread) pidfdCall(fd, flags uint64) (pidFile, error) {
	if uint32(flags) != 0 {
		return pidFile{}, linux.EINVAL
	}
	pf, _, err := t.pidfd(uint64(int32(fd)))
	return pf, err
}

// waitPidfd resolves waitid's P_PIDFD argument as kernel_waitid does: a
// descriptor number (EINVAL when negative) of a pidfd (EBADF), giving
// the PID to wait for and whether the pidfd is non-blocking (which makes
// the wait WNOHANG, and an empty one EAGAIN unless the caller asked for
// WNOHANG itself). A reaped process is nobody's child: ECHILD, whoever
// has its PID now.
func (t *Thread) waitPidfd(fd int64) (pid int64, nonblock bool, err error) {
	if fd < 0 {
		return 0, false, linux.EINVAL
	}
	pf, f, err := t.pidfd(uint64(fd))
	if err != nil {
		return 0, false, err
	}
	if pf.reaped() {
		return 0, false, linux.ECHILD
	}
	return int64(pf.p.PID), f.NonBlock(), nil
}
