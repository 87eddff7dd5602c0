package task

import (
	"unsafe"

	"sigil/file"
	"sigil/filelock"
	"sigil/linux"
)

// flock(2) operations. Source: include/uapi/asm-generic/fcntl.h.
const (
	lockSH   = 1
	lockEX   = 2
	lockNB   = 4
	lockUN   = 8
	lockMand = 32
)

// closedBy is filp_close's locks_remove_posix: closing any descriptor of
// a file drops every POSIX lock the descriptor table (the process) holds
// on it. Then the descriptor's reference goes.
func (ft *FDTable) closedBy(f *file.File) {
	file.Locks.RemovePosix(f.LockKey(), ft)
	f.Unref()
}

// waitLock applies req to f's file, waiting while it conflicts when wait
// says so (flock_lock_inode_wait, do_lock_file_wait): a signal ends the
// wait with ERESTARTSYS, so SA_RESTART restarts the call.
func (t *Thread) waitLock(f *file.File, req filelock.Lock, wait bool) error {
	for {
		w, err := file.Locks.Set(f.LockKey(), f.LockInode(), req, wait)
		if w == nil {
			return err
		}
		select {
		case <-w.Done():
		case <-t.Interrupted():
			file.Locks.Cancel(w)
			return linux.ERESTARTSYS
		}
	}
}

// sysFlock is flock(2): EINVAL for an unknown operation (before the
// descriptor is looked at), LOCK_MAND ignored, EWOULDBLOCK (EAGAIN) with
// LOCK_NB where another description holds a conflicting lock.
func sysFlock(t *Thread, a *args) (uint64, error) {
	cmd := uint32(a[1])
	if cmd&lockMand != 0 {
		return 0, nil // ignored since Linux 5.18
	}
	var typ filelock.Type
	switch cmd &^ lockNB {
	case lockSH:
		typ = filelock.Read
	case lockEX:
		typ = filelock.Write
	case lockUN:
		typ = filelock.Unlock
	default:
		return 0, linux.EINVAL
	}
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if _, ok := f.Ops.(file.Path); ok {
		return 0, linux.EBADF // fdget does not see O_PATH descriptors
	}
	req := filelock.Lock{Class: filelock.Flock, Type: typ, Owner: f, Pid: t.p.PID}
	return 0, t.waitLock(f, req, cmd&lockNB == 0)
}

// fcntlLock serves fcntl's F_GETLK, F_SETLK, F_SETLKW and their OFD
// forms (do_fcntl): struct flock in and, for the GETLK forms, out.
func (t *Thread) fcntlLock(fd uint64, f *file.File, cmd, addr uint64) (uint64, error) {
	if _, ok := f.Ops.(file.Path); ok {
		return 0, linux.EBADF // check_fcntl_cmd refuses locks on O_PATH
	}
	var fl linux.Flock
	b := (*[unsafe.Sizeof(fl)]byte)(unsafe.Pointer(&fl))
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	if cmd == linux.F_GETLK || cmd == linux.F_OFD_GETLK {
		if err := t.getlk(f, cmd, &fl); err != nil {
			return 0, err
		}
		return 0, t.p.as.CopyOut(addr, b[:])
	}
	return 0, t.setlk(fd, f, cmd, &fl)
}

// posixLock is flock64_to_posix_lock: the request struct flock makes,
// owned by the caller's descriptor table. EINVAL for a bad whence or
// type or a range before 0, EOVERFLOW past OFFSET_MAX.
func (t *Thread) posixLock(f *file.File, fl *linux.Flock) (filelock.Lock, error) {
	var base int64
	switch fl.Whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		f.Mu.Lock()
		base = f.Off
		f.Mu.Unlock()
	case linux.SEEK_END:
		base = f.Ops.Stat().Size
	default:
		return filelock.Lock{}, linux.EINVAL
	}
	start, end, err := filelock.Range(base, fl.Start, fl.Len)
	if err != nil {
		return filelock.Lock{}, err
	}
	typ := filelock.Type(fl.Type)
	if typ != filelock.Read && typ != filelock.Write && typ != filelock.Unlock {
		return filelock.Lock{}, linux.EINVAL
	}
	return filelock.Lock{Class: filelock.Posix, Type: typ, Start: start, End: end, Owner: t.p.files, Pid: t.p.PID}, nil
}

// ofd makes req an OFD lock of f (fcntl_getlk, fcntl_setlk): EINVAL
// unless l_pid is 0.
func ofd(req *filelock.Lock, f *file.File, fl *linux.Flock) error {
	if fl.Pid != 0 {
		return linux.EINVAL
	}
	req.Class, req.Owner = filelock.OFD, f
	return nil
}

// getlk is fcntl_getlk: the first lock that would conflict, described
// from SEEK_SET with its owner's pid (-1 for OFD locks), or l_type
// F_UNLCK and the rest untouched.
func (t *Thread) getlk(f *file.File, cmd uint64, fl *linux.Flock) error {
	if fl.Type != linux.F_RDLCK && fl.Type != linux.F_WRLCK {
		return linux.EINVAL
	}
	req, err := t.posixLock(f, fl)
	if err != nil {
		return err
	}
	if cmd == linux.F_OFD_GETLK {
		if err := ofd(&req, f, fl); err != nil {
			return err
		}
	}
	l, found := file.Locks.Test(f.LockKey(), req)
	if !found {
		fl.Type = linux.F_UNLCK
		return nil
	}
	fl.Type, fl.Whence = int16(l.Type), linux.SEEK_SET
	fl.Start, fl.Len, fl.Pid = l.Start, filelock.Length(l), filelock.Pid(l)
	return nil
}

// setlk is fcntl_setlk: EBADF when the descriptor's access mode does not
// allow the lock's type (check_fmode_for_setlk), EAGAIN on a conflict,
// EDEADLK where F_SETLKW would wait for itself. A POSIX lock taken
// while another thread closed the descriptor is given back, EBADF.
func (t *Thread) setlk(fd uint64, f *file.File, cmd uint64, fl *linux.Flock) error {
	req, err := t.posixLock(f, fl)
	if err != nil {
		return err
	}
	f.Mu.Lock()
	acc := f.Flags & linux.O_ACCMODE
	f.Mu.Unlock()
	if req.Type == filelock.Read && acc != linux.O_RDONLY && acc != linux.O_RDWR ||
		req.Type == filelock.Write && acc != linux.O_WRONLY && acc != linux.O_RDWR {
		return linux.EBADF
	}
	if cmd == linux.F_OFD_SETLK || cmd == linux.F_OFD_SETLKW {
		if err := ofd(&req, f, fl); err != nil {
			return err
		}
	}
	wait := cmd == linux.F_SETLKW || cmd == linux.F_OFD_SETLKW
	if err := t.waitLock(f, req, wait); err != nil {
		return err
	}
	if req.Type != filelock.Unlock && req.Class == filelock.Posix {
		if now, _ := t.p.files.get(fd); now != f {
			req.Type = filelock.Unlock
			t.waitLock(f, req, false)
			return linux.EBADF
		}
	}
	return nil
}
