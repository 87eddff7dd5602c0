package task

import (
	"encoding/binary"
	"strings"
	"unsafe"

	"sigil/file"
	"sigil/linux"
	"sigil/signal"
	"sigil/vfs"
)

// openNode opens a file-system node that the walk (vfs.FS.Open) found
// and checked.
func openNode(t *Thread, n *vfs.Node, flags uint64) (*file.File, error) {
	if flags&linux.O_PATH != 0 {
		return file.New(file.Path{Node: n}, n, flags&(linux.O_PATH|linux.O_CLOEXEC|linux.O_DIRECTORY|linux.O_NOFOLLOW)), nil
	}
	switch n.Type() {
	case vfs.S_IFDIR:
		return file.New(file.Dir{Node: n}, n, flags), nil
	case vfs.S_IFREG:
		if c, ok := n.Dev.(procCtl); ok {
			if c.trunc != nil && flags&linux.O_TRUNC != 0 && flags&linux.O_ACCMODE != linux.O_RDONLY {
				c.trunc()
			}
			return file.New(&ctlFile{file.Regular{Node: n}, c, t.creds()}, n, flags), nil
		}
		return file.New(file.Regular{Node: n}, n, flags), nil
	case vfs.S_IFCHR:
		return openDevice(t, n, flags)
	}
	return nil, linux.ENXIO // no driver: a FIFO, a socket, an unknown device
}

// at resolves a path relative to dirfd (AT_FDCWD or a directory).
func (t *Thread) at(dirfd uint64, pathAddr uint64, follow bool) (*vfs.Node, error) {
	name, err := t.p.as.CopyInString(pathAddr, linux.PATH_MAX)
	if err != nil {
		return nil, err
	}
	return t.lookupAt(dirfd, name, follow)
}

// fdcwd is AT_FDCWD as a system call passes it (the int -100 in a
// 64-bit register).
const fdcwd = uint64(1<<64 + linux.AT_FDCWD)

func (t *Thread) lookupAt(dirfd uint64, name string, follow bool) (*vfs.Node, error) {
	return lookupFrom(t.p, t.TID, dirfd, name, follow)
}

// lookupFrom finds name for p, relative to dirfd (or p's working
// directory for AT_FDCWD), in the initrd's tree or the generated /proc
// and tracing trees.
func lookupFrom(p *Process, tid int32, dirfd uint64, name string, follow bool) (*vfs.Node, error) {
	if name == "" {
		return nil, linux.ENOENT
	}
	p.mu.Lock()
	cwd := p.cwd
	p.mu.Unlock()
	if fs := generated(name, p, tid); fs != nil && name[0] == '/' {
		// A link out of the snapshot (/proc/PID/exe, cwd, root, fd/N) leads
		// to the file itself, as Linux's magic links do.
		if l, err := fs.Alone().Lookup(nil, name, false); err == nil && follow && l.IsSymlink() {
			if m, ok := l.Dev.(magicLink); ok {
				return m.to, nil
			}
			if target := string(l.Data); strings.HasPrefix(target, "/") && !under(target, "/proc") {
				return lookupFrom(p, tid, dirfd, target, true)
			}
		}
		n, err := fs.Alone().Lookup(nil, name, follow)
		return n, vfsErrno(err)
	}
	if int32(dirfd) != linux.AT_FDCWD && name[0] != '/' {
		f, err := p.files.get(dirfd)
		if err != nil {
			return nil, err
		}
		if f.Node == nil || !f.Node.IsDir() {
			return nil, linux.ENOTDIR
		}
		cwd = f.Node
	}
	n, err := p.mntOf(tid).Lookup(cwd, name, follow)
	return n, vfsErrno(err)
}

// sysOpenat is openat(2): the walk, creation and permission rules are
// vfs.FS.Open's; a path under a generated tree (/proc) is looked up
// there, where nothing can be made.
func sysOpenat(t *Thread, a *args) (uint64, error) {
	dirfd, pathAddr, flags, mode := a[0], a[1], a[2], uint32(a[3])
	name, err := t.p.as.CopyInString(pathAddr, linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	if flags&linux.O_PATH != 0 {
		flags &= linux.O_PATH | linux.O_CLOEXEC | linux.O_DIRECTORY | linux.O_NOFOLLOW
	}
	var n *vfs.Node
	switch {
	case flags&linux.O_TMPFILE == linux.O_TMPFILE:
		// build_open_flags: write access is required, and O_CREAT is
		// not allowed with it.
		if acc := flags & linux.O_ACCMODE; acc == linux.O_RDONLY || acc == 3 || flags&linux.O_CREAT != 0 {
			return 0, linux.EINVAL
		}
		start, err := t.startAt(dirfd, name)
		if err != nil {
			return 0, err
		}
		n, err = t.mnt().Tmpfile(t.FSContext(), start, name, t.umask(mode), flags&linux.O_EXCL == 0)
		if err != nil {
			return 0, err
		}
	case isGenerated(name):
		if flags&linux.O_CREAT != 0 && flags&linux.O_EXCL != 0 {
			return 0, linux.EEXIST
		}
		if n, err = t.lookupAt(dirfd, name, flags&linux.O_NOFOLLOW == 0); err != nil {
			return 0, err
		}
		if flags&linux.O_ACCMODE != linux.O_RDONLY && !isDevice(n) && !mayWriteCtl(t, n) {
			return 0, linux.EACCES
		}
	default:
		start, err := t.startAt(dirfd, name)
		if err != nil {
			return 0, err
		}
		if n, _, err = t.mnt().Open(t.FSContext(), start, name, flags, t.umask(mode)); err != nil {
			return 0, file.Errno(err)
		}
	}
	f, err := openNode(t, n, flags)
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, flags&linux.O_CLOEXEC != 0)
	if err != nil {
		f.Unref()
		return 0, err
	}
	return uint64(fd), nil
}

// start is where a relative path begins for dirfd: the working directory
// for AT_FDCWD, else dirfd's directory (ENOTDIR for another file).
func (t *Thread) startAt(dirfd uint64, name string) (*vfs.Node, error) {
	if name != "" && name[0] == '/' {
		return nil, nil
	}
	n, err := t.dirNode(dirfd)
	if err == nil && (n == nil || !n.IsDir()) {
		return nil, linux.ENOTDIR
	}
	return n, err
}

func sysOpen(t *Thread, a *args) (uint64, error) {
	b := args{fdcwd, a[0], a[1], a[2]}
	return sysOpenat(t, &b)
}

// sysCreat is creat(2): open with O_CREAT|O_WRONLY|O_TRUNC.
func sysCreat(t *Thread, a *args) (uint64, error) {
	b := args{fdcwd, a[0], linux.O_CREAT | linux.O_WRONLY | linux.O_TRUNC, a[1]}
	return sysOpenat(t, &b)
}

func sysClose(t *Thread, a *args) (uint64, error) { return 0, t.p.files.close(a[0]) }

// sysCloseRange is close_range(2): EINVAL for an unknown flag or first
// above last; CLOSE_RANGE_UNSHARE first gives the process a table of its
// own if it shares one (CLONE_FILES).
func sysCloseRange(t *Thread, a *args) (uint64, error) {
	first, last, flags := uint64(uint32(a[0])), uint64(uint32(a[1])), a[2]
	if flags&^(linux.CLOSE_RANGE_UNSHARE|linux.CLOSE_RANGE_CLOEXEC) != 0 || first > last {
		return 0, linux.EINVAL
	}
	if flags&linux.CLOSE_RANGE_UNSHARE != 0 {
		t.p.unshareFiles()
	}
	t.p.mu.Lock()
	files := t.p.files
	t.p.mu.Unlock()
	files.closeRange(first, last, flags&linux.CLOSE_RANGE_CLOEXEC != 0)
	return 0, nil
}

// ioBuf bounds one transfer's kernel buffer.
const ioBuf = 64 << 10

func sysRead(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if f.Flags&linux.O_ACCMODE == linux.O_WRONLY {
		return 0, linux.EBADF
	}
	count := min(a[2], maxRWCount)
	buf := make([]byte, min(count, ioBuf))
	var total uint64
	for {
		// Check the destination before consuming input: a bad pointer
		// is EFAULT and the data stays for the next read.
		chunk := buf[:min(uint64(len(buf)), count-total)]
		if err := t.p.as.Probe(a[1]+total, uint64(len(chunk)), true); err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		n, err := f.Ops.Read(t, f, chunk)
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		if err := t.p.as.CopyOut(a[1]+total, chunk[:n]); err != nil {
			return 0, err
		}
		total += uint64(n)
		// A file whose reads never wait fills the whole request, as
		// Linux's do (a regular file to its end, /dev/zero and
		// urandom in full); others return what one read had.
		if n < len(chunk) || total == count || !readsAtOnce(f.Ops) {
			return total, nil
		}
	}
}

// readsAtOnce reports whether a read of f never waits, so one read
// call may take as much as is asked in several chunks.
func readsAtOnce(ops file.Ops) bool {
	switch ops.(type) {
	case file.Regular, file.Zero, file.Full, file.Random:
		return true
	}
	return false
}

func sysWrite(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if f.Flags&linux.O_ACCMODE == linux.O_RDONLY && f.Node != nil && !isDevice(f.Node) {
		return 0, linux.EBADF
	}
	n := min(a[2], 1<<20)
	buf := make([]byte, n)
	if err := t.p.as.CopyIn(buf, a[1]); err != nil {
		return 0, err
	}
	w, err := t.writeTo(f, buf)
	return uint64(w), err
}

// writeTo writes kernel bytes to f: write(2)'s and sendfile's output. A
// write with no reader left raises SIGPIPE in the writer (a socket
// raises its own, as its type says).
func (t *Thread) writeTo(f *file.File, buf []byte) (int, error) {
	w, err := f.Ops.Write(t, f, buf)
	if _, sock := f.Ops.(*socketFile); err == linux.EPIPE && !sock {
		t.p.send(t, signal.Info(int(linux.SIGPIPE), linux.SI_USER))
	}
	return w, err
}

func isDevice(n *vfs.Node) bool { return n.Type() == vfs.S_IFCHR }

func iovecs(t *Thread, addr, cnt uint64) ([]linux.Iovec, error) {
	if cnt > linux.UIO_MAXIOV {
		return nil, linux.EINVAL
	}
	raw := make([]byte, cnt*16)
	if err := t.p.as.CopyIn(raw, addr); err != nil {
		return nil, err
	}
	v := make([]linux.Iovec, cnt)
	for i := range v {
		v[i] = linux.Iovec{Base: binary.LittleEndian.Uint64(raw[16*i:]), Len: binary.LittleEndian.Uint64(raw[16*i+8:])}
	}
	return v, nil
}

// vectored runs one read or write per iovec until one comes up short or
// fails (readv(2), writev(2)); a failure after progress reports the
// progress.
func vectored(t *Thread, a *args, op sysFunc) (uint64, error) {
	vs, err := iovecs(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	var total uint64
	for _, v := range vs {
		if v.Len == 0 {
			continue
		}
		r, err := op(t, &args{a[0], v.Base, v.Len})
		total += r
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		if r < v.Len {
			break
		}
	}
	return total, nil
}

// sysWritev and sysReadv on a socket are sendmsg and recvmsg with no
// flags: one datagram, not one per iovec.
func sysWritev(t *Thread, a *args) (uint64, error) {
	if isSocketFD(t, a[0]) {
		return sockVectored(t, a, true)
	}
	return vectored(t, a, sysWrite)
}

func sysReadv(t *Thread, a *args) (uint64, error) {
	if isSocketFD(t, a[0]) {
		return sockVectored(t, a, false)
	}
	return vectored(t, a, sysRead)
}

// positional returns the regular file fd names for pread and pwrite:
// ESPIPE for a pipe or terminal, EISDIR for a directory, EBADF without
// the access mode asked.
func (t *Thread) positional(fd uint64, write bool) (file.Regular, *file.File, error) {
	f, err := t.p.files.get(fd)
	if err != nil {
		return file.Regular{}, nil, err
	}
	acc := f.Flags & linux.O_ACCMODE
	if _, ok := f.Ops.(file.Path); ok || write && acc == linux.O_RDONLY || !write && acc == linux.O_WRONLY {
		return file.Regular{}, nil, linux.EBADF
	}
	switch ops := f.Ops.(type) {
	case file.Regular:
		return ops, f, nil
	case file.Dir:
		return file.Regular{}, nil, linux.EISDIR
	case *ctlFile:
		if !write {
			return ops.Regular, f, nil
		}
	}
	return file.Regular{}, nil, linux.ESPIPE
}

func sysPread64(t *Thread, a *args) (uint64, error) {
	r, _, err := t.positional(a[0], false)
	if err != nil {
		return 0, err
	}
	if int64(a[3]) < 0 {
		return 0, linux.EINVAL
	}
	buf := make([]byte, min(a[2], ioBuf))
	n, err := r.Node.ReadAt(buf, int64(a[3]))
	if err != nil {
		return 0, file.Errno(err)
	}
	return uint64(n), t.p.as.CopyOut(a[1], buf[:n])
}

// sysPwrite64 writes at an offset, leaving the file offset alone. On
// Linux, O_APPEND makes pwrite append anyway (generic_write_checks).
func sysPwrite64(t *Thread, a *args) (uint64, error) {
	r, f, err := t.positional(a[0], true)
	if err != nil {
		return 0, err
	}
	off := int64(a[3])
	if off < 0 {
		return 0, linux.EINVAL
	}
	buf := make([]byte, min(a[2], 1<<20))
	if err := t.p.as.CopyIn(buf, a[1]); err != nil {
		return 0, err
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Flags&linux.O_APPEND != 0 {
		off = r.Node.Size()
	}
	n, err := r.WriteAt(t, buf, off)
	return uint64(n), err
}

// sysPreadv and sysPwritev are the vectored forms: one positional
// transfer per iovec at an advancing offset.
func sysPreadv(t *Thread, a *args) (uint64, error)  { return positionalVec(t, a, sysPread64) }
func sysPwritev(t *Thread, a *args) (uint64, error) { return positionalVec(t, a, sysPwrite64) }

func positionalVec(t *Thread, a *args, op sysFunc) (uint64, error) {
	off := a[3]
	return vectored(t, a, func(t *Thread, b *args) (uint64, error) {
		n, err := op(t, &args{b[0], b[1], b[2], off})
		off += n
		return n, err
	})
}

// seeker is a file with its own lseek (a device's llseek).
type seeker interface {
	Llseek(off int64, whence uint64) (int64, error)
}

func sysLseek(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	switch ops := f.Ops.(type) {
	case file.Regular, file.Dir:
	case file.Path:
		return 0, linux.EBADF
	case seeker:
		off, err := ops.Llseek(int64(a[1]), a[2])
		return uint64(off), err
	default:
		if f.Node != nil {
			return 0, nil // character devices: seeking is a no-op
		}
		return 0, linux.ESPIPE
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	off, whence := int64(a[1]), a[2]
	size := f.Node.Size()
	var base int64
	switch whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		base = f.Off
	case linux.SEEK_END:
		base = size
	case linux.SEEK_DATA, linux.SEEK_HOLE:
		// The whole file is data, as generic_file_llseek_size sees it.
		if off < 0 || off >= size || !f.Node.IsRegular() {
			return 0, linux.ENXIO
		}
		if whence == linux.SEEK_HOLE {
			off = size
		}
	default:
		return 0, linux.EINVAL
	}
	if base+off < 0 {
		return 0, linux.EINVAL
	}
	f.Off = base + off
	return uint64(f.Off), nil
}

// putStat writes struct stat, its owner as the caller's user namespace
// sees it (from_kuid_munged).
func putStat(t *Thread, addr uint64, st linux.Stat) error {
	st.Uid, st.Gid = t.uid(st.Uid), t.gid(st.Gid)
	b := (*[unsafe.Sizeof(linux.Stat{})]byte)(unsafe.Pointer(&st))
	return t.p.as.CopyOut(addr, b[:])
}

func sysFstat(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	return 0, putStat(t, a[1], f.Ops.Stat())
}

func sysNewfstatat(t *Thread, a *args) (uint64, error) {
	flags := a[3]
	if flags&linux.AT_EMPTY_PATH != 0 {
		var b [1]byte
		if err := t.p.as.CopyIn(b[:], a[1]); err == nil && b[0] == 0 {
			return sysFstat(t, &args{a[0], a[2]})
		}
	}
	n, err := t.at(a[0], a[1], flags&linux.AT_SYMLINK_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	return 0, putStat(t, a[2], file.NodeStat(n))
}

func sysStat(t *Thread, a *args) (uint64, error) {
	return sysNewfstatat(t, &args{fdcwd, a[0], a[1], 0})
}

func sysLstat(t *Thread, a *args) (uint64, error) {
	return sysNewfstatat(t, &args{fdcwd, a[0], a[1], linux.AT_SYMLINK_NOFOLLOW})
}

func sysGetdents64(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	d, ok := f.Ops.(file.Dir)
	if !ok {
		return 0, linux.ENOTDIR
	}
	buf := make([]byte, min(a[2], ioBuf))
	n, tooSmall := d.Getdents(f, buf)
	if tooSmall {
		return 0, linux.EINVAL
	}
	return uint64(n), t.p.as.CopyOut(a[1], buf[:n])
}

func sysReadlinkat(t *Thread, a *args) (uint64, error) {
	n, err := t.at(a[0], a[1], false)
	if err != nil {
		return 0, err
	}
	target, err := n.Readlink()
	if err != nil {
		return 0, err
	}
	if int64(a[3]) <= 0 {
		return 0, linux.EINVAL
	}
	m := min(uint64(len(target)), a[3])
	return m, t.p.as.CopyOut(a[2], target[:m])
}

func sysReadlink(t *Thread, a *args) (uint64, error) {
	return sysReadlinkat(t, &args{fdcwd, a[0], a[1], a[2]})
}

func sysFaccessat(t *Thread, a *args) (uint64, error) {
	return sysFaccessat2(t, &args{a[0], a[1], a[2], 0})
}

func sysAccess(t *Thread, a *args) (uint64, error) {
	return sysFaccessat2(t, &args{fdcwd, a[0], a[1], 0})
}

// sysFaccessat2 is Linux's do_faccessat: EINVAL for a mode beyond
// R_OK|W_OK|X_OK or an unknown flag; then the permission bits as
// vfs.Ctx.Permission reads them.
func sysFaccessat2(t *Thread, a *args) (uint64, error) {
	mode, flags := uint32(a[2]), a[3]
	if mode&^7 != 0 || flags&^(linux.AT_EACCESS|linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	name, err := t.p.as.CopyInString(a[1], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	var n *vfs.Node
	if name == "" && flags&linux.AT_EMPTY_PATH != 0 {
		if n, err = t.dirNode(a[0]); err != nil {
			return 0, err
		}
	} else if n, err = t.lookupAt(a[0], name, flags&linux.AT_SYMLINK_NOFOLLOW == 0); err != nil {
		return 0, err
	}
	if n == nil { // an open file with no node (a pipe, 0600): root may read and write it
		if mode&vfs.MayExec != 0 {
			return 0, linux.EACCES
		}
		return 0, nil
	}
	if mode&vfs.MayExec != 0 && n.IsRegular() && n.Noexec() {
		return 0, linux.EACCES
	}
	return 0, t.FSContext().Permission(n, mode)
}

// dirNode is the node AT_EMPTY_PATH names: dirfd's file (nil for one
// without a node), or the working directory for AT_FDCWD.
func (t *Thread) dirNode(dirfd uint64) (*vfs.Node, error) {
	if int32(dirfd) == linux.AT_FDCWD {
		t.p.mu.Lock()
		defer t.p.mu.Unlock()
		return t.p.cwd, nil
	}
	f, err := t.p.files.get(dirfd)
	if err != nil {
		return nil, err
	}
	return f.Node, nil
}

func sysGetcwd(t *Thread, a *args) (uint64, error) {
	t.p.mu.Lock()
	cwd := t.p.cwd
	t.p.mu.Unlock()
	s := t.mnt().PathOf(cwd) + "\x00"
	if uint64(len(s)) > a[1] {
		return 0, linux.ERANGE
	}
	return uint64(len(s)), t.p.as.CopyOut(a[0], []byte(s))
}

func sysChdir(t *Thread, a *args) (uint64, error) {
	n, err := t.at(fdcwd, a[0], true)
	if err != nil {
		return 0, err
	}
	if !n.IsDir() {
		return 0, linux.ENOTDIR
	}
	t.p.mu.Lock()
	t.p.cwd = n
	t.p.mu.Unlock()
	return 0, nil
}

func sysFchdir(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if f.Node == nil || !f.Node.IsDir() {
		return 0, linux.ENOTDIR
	}
	t.p.mu.Lock()
	t.p.cwd = f.Node
	t.p.mu.Unlock()
	return 0, nil
}

func sysDup(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f.Ref(), 0, false)
	if err != nil {
		f.Unref()
	}
	return uint64(fd), err
}

func sysDup3(t *Thread, a *args) (uint64, error) {
	if a[2]&^linux.O_CLOEXEC != 0 || a[0] == a[1] {
		return 0, linux.EINVAL
	}
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if err := t.p.files.set(int(uint32(a[1])), f.Ref(), a[2]&linux.O_CLOEXEC != 0, t.nofile()); err != nil {
		f.Unref()
		return 0, err
	}
	return a[1], nil
}

func sysDup2(t *Thread, a *args) (uint64, error) {
	if a[0] == a[1] {
		_, err := t.p.files.get(a[0])
		return a[1], err
	}
	return sysDup3(t, &args{a[0], a[1], 0})
}

func sysFcntl(t *Thread, a *args) (uint64, error) {
	fd, cmd, arg := a[0], a[1], a[2]
	f, err := t.p.files.get(fd)
	if err != nil {
		return 0, err
	}
	switch cmd {
	case linux.F_DUPFD, linux.F_DUPFD_CLOEXEC:
		if uint64(uint32(arg)) >= uint64(t.nofile()) {
			return 0, linux.EINVAL // f_dupfd: from at or above RLIMIT_NOFILE
		}
		nfd, err := t.installFD(f.Ref(), int(uint32(arg)), cmd == linux.F_DUPFD_CLOEXEC)
		if err != nil {
			f.Unref()
		}
		return uint64(nfd), err
	case linux.F_GETFD:
		if t.p.files.cloexec(fd) {
			return linux.FD_CLOEXEC, nil
		}
		return 0, nil
	case linux.F_SETFD:
		return 0, t.p.files.setCloexec(fd, arg&linux.FD_CLOEXEC != 0)
	case linux.F_GETFL:
		f.Mu.Lock()
		defer f.Mu.Unlock()
		return f.Flags, nil
	case linux.F_SETFL:
		// setfl: O_ASYNC goes to the file (its fasync sets the flag).
		t.setAsync(f, int32(fd), arg&linux.O_ASYNC != 0)
		f.Mu.Lock()
		f.Flags = f.Flags&^(linux.O_NONBLOCK|linux.O_APPEND) | arg&(linux.O_NONBLOCK|linux.O_APPEND)
		f.Mu.Unlock()
		return 0, nil
	case linux.F_SETOWN, linux.F_GETOWN, linux.F_SETOWN_EX, linux.F_GETOWN_EX, linux.F_GETOWNER_UIDS, linux.F_SETSIG, linux.F_GETSIG:
		return t.fcntlOwner(f, cmd, arg)
	case linux.F_GETPIPE_SZ, linux.F_SETPIPE_SZ:
		p, ok := file.PipeOf(f)
		if !ok {
			return 0, linux.EBADF // pipe_fcntl: not a pipe
		}
		if cmd == linux.F_GETPIPE_SZ {
			return uint64(p.Size()), nil
		}
		n, err := p.SetSize(arg, t.creds().Capable(linux.CAP_SYS_RESOURCE))
		return uint64(n), err
	case linux.F_GETLK, linux.F_SETLK, linux.F_SETLKW, linux.F_OFD_GETLK, linux.F_OFD_SETLK, linux.F_OFD_SETLKW:
		return t.fcntlLock(fd, f, cmd, arg)
	}
	return 0, linux.EINVAL
}

func sysPipe2(t *Thread, a *args) (uint64, error) {
	flags := a[1]
	if flags&^(linux.O_CLOEXEC|linux.O_NONBLOCK|linux.O_DIRECT) != 0 {
		return 0, linux.EINVAL
	}
	pr, pw := file.NewPipe()
	r := file.New(pr, nil, linux.O_RDONLY|flags&linux.O_NONBLOCK)
	w := file.New(pw, nil, linux.O_WRONLY|flags&linux.O_NONBLOCK)
	cloexec := flags&linux.O_CLOEXEC != 0
	rfd, err := t.installFD(r, 0, cloexec)
	if err != nil {
		r.Unref()
		w.Unref()
		return 0, err
	}
	wfd, err := t.installFD(w, 0, cloexec)
	if err != nil {
		t.p.files.close(uint64(rfd))
		w.Unref()
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[:], uint32(rfd))
	binary.LittleEndian.PutUint32(b[4:], uint32(wfd))
	if err := t.p.as.CopyOut(a[0], b[:]); err != nil {
		t.p.files.close(uint64(rfd))
		t.p.files.close(uint64(wfd))
		return 0, err
	}
	return 0, nil
}

func sysPipe(t *Thread, a *args) (uint64, error) { return sysPipe2(t, &args{a[0], 0}) }

// sysStatx fills struct statx from the same stat the other calls report.
func sysStatx(t *Thread, a *args) (uint64, error) {
	dirfd, pathAddr, flags, buf := a[0], a[1], a[2], a[4]
	var st linux.Stat
	name, err := t.p.as.CopyInString(pathAddr, linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	if name == "" && flags&linux.AT_EMPTY_PATH != 0 {
		f, err := t.p.files.get(dirfd)
		if err != nil {
			return 0, err
		}
		st = f.Ops.Stat()
	} else {
		n, err := t.lookupAt(dirfd, name, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
		if err != nil {
			return 0, err
		}
		st = file.NodeStat(n)
	}
	x := linux.Statx{Mask: linux.STATX_BASIC_STATS, Blksize: uint32(st.Blksize), Nlink: uint32(st.Nlink),
		Uid: t.uid(st.Uid), Gid: t.gid(st.Gid), Mode: uint16(st.Mode), Ino: st.Ino, Size: uint64(st.Size), Blocks: uint64(st.Blocks),
		RdevMajor: uint32(st.Rdev >> 8), RdevMinor: uint32(st.Rdev & 0xff)}
	x.Atime.Sec, x.Mtime.Sec, x.Ctime.Sec = st.Atime.Sec, st.Mtime.Sec, st.Ctime.Sec
	b := (*[unsafe.Sizeof(x)]byte)(unsafe.Pointer(&x))
	return 0, t.p.as.CopyOut(buf, b[:])
}

// genericIoctl serves the requests do_vfs_ioctl answers for every file
// before the file's own ioctl: close-on-exec, O_NONBLOCK, O_ASYNC, FIOQSIZE (the
// bytes a file, directory or link occupies, as ioctl_fioqsize), and
// FIONREAD for regular files (file_ioctl: the size less the position, which
// may be negative) and pipes (pipe_ioctl). It reports whether req was one.
func (t *Thread) genericIoctl(fd uint64, f *file.File, req, arg uint64) (bool, uint64, error) {
	switch req {
	case linux.FIOCLEX, linux.FIONCLEX:
		return true, 0, t.p.files.setCloexec(fd, req == linux.FIOCLEX)
	case linux.FIONBIO:
		v, err := t.getInt32(arg)
		if err != nil {
			return true, 0, err
		}
		f.Mu.Lock()
		if f.Flags &^= linux.O_NONBLOCK; v != 0 {
			f.Flags |= linux.O_NONBLOCK
		}
		f.Mu.Unlock()
		return true, 0, nil
	case linux.FIOASYNC: // ioctl_fioasync
		v, err := t.getInt32(arg)
		if err != nil {
			return true, 0, err
		}
		t.setAsync(f, int32(fd), v != 0)
		return true, 0, nil
	case linux.FIOQSIZE:
		if f.Node == nil || !(f.Node.IsRegular() || f.Node.IsDir() || f.Node.IsSymlink()) {
			return true, 0, linux.ENOTTY
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(f.Node.Attr().Blocks)*512) // inode_get_bytes: what it occupies
		return true, 0, t.p.as.CopyOut(arg, b[:])
	case linux.FIONREAD:
		if p, ok := file.PipeOf(f); ok {
			return true, 0, t.putInt32(arg, int32(p.Readable()))
		}
		if _, ok := f.Ops.(file.Regular); ok {
			f.Mu.Lock()
			n := f.Node.Size() - f.Off
			f.Mu.Unlock()
			return true, 0, t.putInt32(arg, int32(n))
		}
	}
	return false, 0, nil
}
