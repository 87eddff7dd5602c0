package task

import (
	"encoding/binary"
	"sync"

	"sigil/linux"
	"sigil/mm/vm"
	"sigil/rlimit"
	"sigil/signal"
	"sigil/vfs"
)

// fileOps is what an open file does. Reads and writes may block; they
// return early with EINTR when the process is told to stop.
type fileOps interface {
	read(t *Thread, f *OpenFile, p []byte) (int, error)
	write(t *Thread, f *OpenFile, p []byte) (int, error)
	stat() linux.Stat
	close()
}

// pollable files report readiness (EPOLL* bits) and a generation counter
// that changes with every state change (for edge-triggered epoll).
type pollable interface {
	poll() (mask uint32, gen uint64)
}

// OpenFile is an open file description (shared by dup'd descriptors and
// across fork).
type OpenFile struct {
	ops   fileOps
	node  *vfs.Node // regular files and directories
	mu    sync.Mutex
	off   int64
	flags uint64 // O_ACCMODE, O_NONBLOCK, O_APPEND...
	refs  int32
}

// newFile opens a description of ops; a node counts it (a file unlinked
// while open lives until the last description goes).
func newFile(ops fileOps, node *vfs.Node, flags uint64) *OpenFile {
	if node != nil {
		node.Opened()
	}
	return &OpenFile{ops: ops, node: node, flags: flags &^ linux.O_CLOEXEC, refs: 1}
}

func (f *OpenFile) nonblock() bool { return f.flags&linux.O_NONBLOCK != 0 }

// block waits, for an I/O call on f that cannot go on yet, until wait is
// closed: EAGAIN at once if f is non-blocking, ERESTARTSYS if a signal
// comes first. Fetch wait before dropping the lock that guards the state
// checked, or a change in between is missed.
func (f *OpenFile) block(t *Thread, wait <-chan struct{}) error {
	if f.nonblock() {
		return linux.EAGAIN
	}
	select {
	case <-wait:
		return nil
	case <-t.intr():
		return linux.ERESTARTSYS
	}
}

func (f *OpenFile) ref() *OpenFile {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
	return f
}

func (f *OpenFile) unref() {
	f.mu.Lock()
	f.refs--
	last := f.refs == 0
	f.mu.Unlock()
	if last {
		f.dropLocks()
		f.ops.close()
		if f.node != nil {
			f.node.Closed()
		}
	}
}

type fdEntry struct {
	f       *OpenFile
	cloexec bool
}

// FDTable is a process's descriptor table.
type FDTable struct {
	mu   sync.Mutex
	fds  []fdEntry
	refs int
}

func newFDTable() *FDTable { return &FDTable{refs: 1} }

func (ft *FDTable) get(fd uint64) (*OpenFile, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		return nil, linux.EBADF
	}
	return ft.fds[fd].f, nil
}

// install puts f at the lowest free descriptor >= min, below limit (the
// caller's RLIMIT_NOFILE; EMFILE when none is free).
func (ft *FDTable) install(f *OpenFile, min int, cloexec bool, limit int) (int, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for fd := min; ; fd++ {
		if fd >= limit {
			return -1, linux.EMFILE
		}
		if fd >= len(ft.fds) {
			ft.fds = append(ft.fds, make([]fdEntry, fd+1-len(ft.fds))...)
		}
		if ft.fds[fd].f == nil {
			ft.fds[fd] = fdEntry{f, cloexec}
			return fd, nil
		}
	}
}

// set puts f at fd, closing what was there (dup2); EBADF for fd at or
// above limit (the caller's RLIMIT_NOFILE).
func (ft *FDTable) set(fd int, f *OpenFile, cloexec bool, limit int) error {
	if fd < 0 || fd >= limit {
		return linux.EBADF
	}
	ft.mu.Lock()
	if fd >= len(ft.fds) {
		ft.fds = append(ft.fds, make([]fdEntry, fd+1-len(ft.fds))...)
	}
	old := ft.fds[fd].f
	ft.fds[fd] = fdEntry{f, cloexec}
	ft.mu.Unlock()
	if old != nil {
		ft.closedBy(old)
	}
	return nil
}

func (ft *FDTable) close(fd uint64) error {
	ft.mu.Lock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		ft.mu.Unlock()
		return linux.EBADF
	}
	f := ft.fds[fd].f
	ft.fds[fd] = fdEntry{}
	ft.mu.Unlock()
	ft.closedBy(f)
	pollEvents.notify()
	return nil
}

func (ft *FDTable) setCloexec(fd uint64, on bool) error {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		return linux.EBADF
	}
	ft.fds[fd].cloexec = on
	return nil
}

func (ft *FDTable) cloexec(fd uint64) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return fd < uint64(len(ft.fds)) && ft.fds[fd].cloexec
}

// fork copies the table (the open files are shared).
func (ft *FDTable) fork() *FDTable {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	n := &FDTable{refs: 1, fds: make([]fdEntry, len(ft.fds))}
	for i, e := range ft.fds {
		if e.f != nil {
			n.fds[i] = fdEntry{e.f.ref(), e.cloexec}
		}
	}
	return n
}

// closeOnExec closes the close-on-exec descriptors.
func (ft *FDTable) closeOnExec() {
	ft.closeWhere(0, len(ft.fds), func(e fdEntry) bool { return e.cloexec })
}

// closeRange is close_range on [first, last]: each open descriptor is
// closed, or with cloexec marked close-on-exec.
func (ft *FDTable) closeRange(first, last uint64, cloexec bool) {
	if first > rlimit.NrOpen {
		return // beyond any descriptor
	}
	end := int(min(last, rlimit.NrOpen)) + 1
	if cloexec {
		ft.mu.Lock()
		for fd := int(first); fd < min(end, len(ft.fds)); fd++ {
			ft.fds[fd].cloexec = true
		}
		ft.mu.Unlock()
		return
	}
	ft.closeWhere(int(first), end, func(fdEntry) bool { return true })
}

// nofile is the caller's RLIMIT_NOFILE soft limit: Linux checks new
// descriptors against the calling task's limit, whoever shares the table.
func (t *Thread) nofile() int {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return int(min(t.p.limits[linux.RLIMIT_NOFILE].Cur, rlimit.NrOpen))
}

// installFD is install below the caller's limit.
func (t *Thread) installFD(f *OpenFile, min int, cloexec bool) (int, error) {
	return t.p.files.install(f, min, cloexec, t.nofile())
}

// closeWhere closes the open descriptors in [from, to) that doom picks.
func (ft *FDTable) closeWhere(from, to int, doom func(fdEntry) bool) {
	ft.mu.Lock()
	var doomed []*OpenFile
	for fd := from; fd < min(to, len(ft.fds)); fd++ {
		if e := ft.fds[fd]; e.f != nil && doom(e) {
			doomed = append(doomed, e.f)
			ft.fds[fd] = fdEntry{}
		}
	}
	ft.mu.Unlock()
	for _, f := range doomed {
		ft.closedBy(f)
	}
	if len(doomed) > 0 {
		pollEvents.notify()
	}
}

// unshareFiles gives p a descriptor table of its own if it shares one
// (unshare_fd, for close_range's CLOSE_RANGE_UNSHARE).
func (p *Process) unshareFiles() {
	p.mu.Lock()
	old := p.files
	p.mu.Unlock()
	old.mu.Lock()
	shared := old.refs > 1
	old.mu.Unlock()
	if !shared {
		return
	}
	own := old.fork()
	p.mu.Lock()
	p.files = own
	p.mu.Unlock()
	old.release()
}

// openFD is one open descriptor, as /proc lists it.
type openFD struct {
	fd int
	f  *OpenFile
}

// open lists the open descriptors in order.
func (ft *FDTable) open() []openFD {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var out []openFD
	for fd, e := range ft.fds {
		if e.f != nil {
			out = append(out, openFD{fd, e.f})
		}
	}
	return out
}

func (ft *FDTable) release() {
	ft.mu.Lock()
	ft.refs--
	if ft.refs > 0 {
		ft.mu.Unlock()
		return
	}
	fds := ft.fds
	ft.fds = nil
	ft.mu.Unlock()
	for _, e := range fds {
		if e.f != nil {
			ft.closedBy(e.f)
		}
	}
	pollEvents.notify()
}

// nodeStat describes a vfs node.
func nodeStat(n *vfs.Node) linux.Stat {
	a := n.Attr()
	st := linux.Stat{Dev: a.Dev, Ino: a.Ino, Nlink: uint64(a.Nlink), Mode: a.Mode, Uid: a.UID, Gid: a.GID,
		Rdev: a.Rdev, Size: a.Size, Blksize: 4096, Blocks: a.Blocks}
	st.Atime = linux.NsecToTimespec(a.Atime)
	st.Mtime = linux.NsecToTimespec(a.Mtime)
	st.Ctime = linux.NsecToTimespec(a.Ctime)
	return st
}

// regularFile is an open regular file of the in-memory tree.
type regularFile struct{ n *vfs.Node }

func (r regularFile) read(t *Thread, f *OpenFile, p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := r.n.ReadAt(p, f.off)
	f.off += int64(n)
	return n, fileErrno(err)
}

// write writes at the file offset, or at the end under O_APPEND, which
// the offset then follows (generic_write_checks, generic_perform_write).
func (r regularFile) write(t *Thread, f *OpenFile, p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.flags&linux.O_APPEND != 0 {
		f.off = r.n.Size()
	}
	n, err := r.pwrite(t, p, f.off)
	f.off += int64(n)
	return n, err
}

// pwrite writes p at off: EFBIG (and SIGXFSZ) past RLIMIT_FSIZE, ENOSPC
// when memory runs out before a byte fits, else a short count.
func (r regularFile) pwrite(t *Thread, p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if lim := t.fsizeLimit(); off+int64(len(p)) > lim {
		if off >= lim {
			t.p.send(t, signal.Info(int(linux.SIGXFSZ), linux.SI_USER))
			return 0, linux.EFBIG
		}
		p = p[:lim-off]
	}
	if off+int64(len(p)) < off || off+int64(len(p)) > maxFileSize {
		return 0, linux.EFBIG
	}
	n, err := r.n.WriteAt(t.vctx(), p, off)
	if n > 0 {
		return n, nil
	}
	return 0, fileErrno(err)
}

// maxFileSize is MAX_LFS_FILESIZE on 64-bit.
const maxFileSize = 1<<63 - 1

// fileErrno is a file operation's errno: memory running out while a file
// grows is ENOSPC, as a full tmpfs says.
func fileErrno(err error) error {
	if err == vm.ErrNoMemory || err == vm.ErrNoSpace {
		return linux.ENOSPC
	}
	return err
}

func (r regularFile) stat() linux.Stat { return nodeStat(r.n) }
func (regularFile) close()             {}

// pathFile is an O_PATH descriptor: it names a node for *at calls,
// fstat, fchdir and exec, and reads and writes nothing.
type pathFile struct{ n *vfs.Node }

func (pathFile) read(*Thread, *OpenFile, []byte) (int, error)  { return 0, linux.EBADF }
func (pathFile) write(*Thread, *OpenFile, []byte) (int, error) { return 0, linux.EBADF }
func (p pathFile) stat() linux.Stat                            { return nodeStat(p.n) }
func (pathFile) close()                                        {}

// dirFile is an open directory (getdents64).
type dirFile struct{ n *vfs.Node }

func (dirFile) read(*Thread, *OpenFile, []byte) (int, error)  { return 0, linux.EISDIR }
func (dirFile) write(*Thread, *OpenFile, []byte) (int, error) { return 0, linux.EBADF }
func (d dirFile) stat() linux.Stat                            { return nodeStat(d.n) }
func (dirFile) close()                                        {}

// getdents fills p with linux_dirent64 records from position f.off (see
// vfs.Node.Entries) and reports whether the first record did not fit.
func (d dirFile) getdents(f *OpenFile, p []byte) (used int, tooSmall bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range d.n.Entries(uint64(f.off), len(p)/24+1) {
		reclen := (19 + len(e.Name) + 1 + 7) &^ 7
		if used+reclen > len(p) {
			return used, used == 0
		}
		rec := p[used : used+reclen]
		clear(rec)
		binary.LittleEndian.PutUint64(rec[0:], e.Node.Ino)
		binary.LittleEndian.PutUint64(rec[8:], e.Off)
		binary.LittleEndian.PutUint16(rec[16:], uint16(reclen))
		rec[18] = byte(e.Node.Type() >> 12) // DT_* = S_IF* >> 12
		copy(rec[19:], e.Name)
		used += reclen
		f.off = int64(e.Off)
	}
	return used, false
}
