package task

import (
	"encoding/binary"
	"fmt"

	"sigil/file"
	"sigil/linux"
)

// pidFile is a pidfd: a descriptor naming a process (Linux's pidfd_fops
// on a struct pid, kernel/fork.c). It names the process itself, not its
// number, so a PID reused after the reap is never mistaken for it. p is
// fixed for the file's life; what it reads of p is guarded by p.mu.
type pidFile struct{ p *Process }

// A pidfd has no Read or write operation: EINVAL, as for any such file.
func (pidFile) Read(file.Caller, *file.File, []byte) (int, error)  { return 0, linux.EINVAL }
func (pidFile) Write(file.Caller, *file.File, []byte) (int, error) { return 0, linux.EINVAL }
func (pidFile) Stat() linux.Stat                                   { return linux.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096} }
func (pidFile) Close()                                             {}

// exited reports whether the whole process has exited: a zombie whose
// exit is done, or reaped (Linux's thread_group_exited).
func (f pidFile) exited() bool {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return f.p.exited
}

// reaped reports whether the process is gone from the table, after
// which signals find nothing (kill_pid_info's ESRCH).
func (f pidFile) reaped() bool { return Lookup(f.p.PID) != f.p }

// poll is pidfd_poll: readable once the process has exited. Process.exit
// notifies file.Events.
func (f pidFile) Poll() (uint32, uint64) {
	if f.exited() {
		return linux.EPOLLIN | linux.EPOLLRDNORM, 1
	}
	return 0, 0
}

// fdinfo is what pidfd_show_fdinfo adds to /proc/PID/fdinfo/N: the PID,
// -1 once reaped, and the same for the one PID namespace.
func (f pidFile) fdinfo() string {
	pid := int64(f.p.PID)
	if f.reaped() {
		pid = -1
	}
	return fmt.Sprintf("Pid:\t%d\nNSpid:\t%d\n", pid, pid)
}

// newPidfd opens a pidfd on p in the caller's table, close-on-exec as
// Linux's pidfd_prepare makes every pidfd, non-blocking with
// PIDFD_NONBLOCK.
func (t *Thread) newPidfd(p *Process, flags uint64) (int, error) {
	f := file.New(pidFile{p}, nil, linux.O_RDWR|flags&linux.PIDFD_NONBLOCK)
	fd, err := t.installFD(f, 0, true)
	if err != nil {
		f.Unref()
	}
	return fd, err
}

// clonePidfd gives the parent its CLONE_PIDFD descriptor for the child
// np, not yet running, and stores its number at addr (copy_process: the
// child is never made when the number cannot be stored).
func (t *Thread) clonePidfd(addr uint64, np *Process) error {
	as := t.p.as
	if err := as.Probe(addr, 4, true); err != nil {
		return err
	}
	fd, err := t.newPidfd(np, 0)
	if err != nil {
		return err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(fd))
	if err := as.CopyOut(addr, b[:]); err != nil {
		t.p.files.close(uint64(fd))
		return err
	}
	return nil
}

// pidfd returns the pidfd open at fd and its description: EBADF when fd
// is not open or is another kind of file (pidfd_pid).
func (t *Thread) pidfd(fd uint64) (pidFile, *file.File, error) {
	f, err := t.p.files.get(fd)
	if err != nil {
		return pidFile{}, nil, err
	}
	pf, ok := f.Ops.(pidFile)
	if !ok {
		return pidFile{}, nil, linux.EBADF
	}
	return pf, f, nil
}

// getRef returns the file open at fd with a reference taken under the
// table's lock, so that a close racing with it cannot free it first.
func (ft *FDTable) getRef(fd uint64) (*file.File, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		return nil, linux.EBADF
	}
	return ft.fds[fd].f.Ref(), nil
}
