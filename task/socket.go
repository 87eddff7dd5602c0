package task

import (
	"sync"
	"time"

	"sigil/file"
	"sigil/inet"
	"sigil/linux"
	"sigil/unixsock"
	"sigil/vfs"
)

func init() { unixsock.OnChange = file.Events.Notify }

// socketFile is an open socket: AF_UNIX (package unixsock holds its
// rules) or AF_INET (package inet), one of s and in set for good; this
// side blocks, moves bytes and descriptors, and raises SIGPIPE.
type socketFile struct {
	s  *unixsock.Socket
	in *inet.Socket

	mu       sync.Mutex // guards the timeouts
	rcvTimeo time.Duration
	sndTimeo time.Duration

	async file.AsyncList // O_ASYNC descriptions (sock_fasync; it guards itself)
}

// Fasync is sock_fasync: f joins the descriptions the socket's events
// signal (data or a connection to take, the peer gone).
func (sf *socketFile) Fasync(f *file.File, fd int32, on bool) {
	sf.async.Set(f, fd, on)
	if sf.in != nil {
		sf.in.SetAsync(&sf.async)
	} else {
		sf.s.SetAsync(&sf.async)
	}
}

func newSocketFile(s *unixsock.Socket, flags uint64) *file.File {
	return file.New(&socketFile{s: s}, nil, linux.O_RDWR|flags&linux.O_NONBLOCK)
}

func newInetFile(s *inet.Socket, flags uint64) *file.File {
	return file.New(&socketFile{in: s}, nil, linux.O_RDWR|flags&linux.O_NONBLOCK)
}

// ino is the socket's inode number (socket:[ino]).
func (sf *socketFile) ino() uint64 {
	if sf.in != nil {
		return sf.in.Ino
	}
	return sf.s.Ino
}

// Read is recv with no flags (sock_read_iter).
func (sf *socketFile) Read(caller file.Caller, f *file.File, p []byte) (int, error) {
	t := threadCalling(caller)
	n, _, _, err := t.sockRecv(f, sf, p, 0)
	if err == nil {
		return n, nil
	}
	return n, err
}

// Write is send with no flags (sock_write_iter); a stream's EPIPE raises
// SIGPIPE there, and sysWrite raises none for a socket.
func (sf *socketFile) Write(caller file.Caller, f *file.File, p []byte) (int, error) {
	t := threadCalling(caller)
	return t.sockSend(f, sf, p, unixsock.Out{}, nil, 0)
}

// Stat is a sockfs inode: S_IFSOCK with every permission.
func (sf *socketFile) Stat() linux.Stat {
	return linux.Stat{Ino: sf.ino(), Mode: linux.S_IFSOCK | 0o777, Nlink: 1, Blksize: 4096}
}

// Close releases the socket (sock_close).
func (sf *socketFile) Close() {
	if sf.in != nil {
		sf.in.Close()
		return
	}
	sf.s.Close()
}

// Poll reports the socket's readiness; the generation is file.Events'
// count of changes, so edge-triggered epoll may report a socket again
// after another one changed (a spurious wakeup, never a lost one).
func (sf *socketFile) Poll() (uint32, uint64) {
	if sf.in != nil {
		return sf.in.Poll(), unixsock.Generation()
	}
	return sf.s.Poll(), unixsock.Generation()
}

func (sf *socketFile) timeouts() (rcv, snd time.Duration) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	return sf.rcvTimeo, sf.sndTimeo
}

// fileRight is an open file in flight in an SCM_RIGHTS message.
type fileRight struct{ f *file.File }

func (r fileRight) Dup() unixsock.Right { return fileRight{r.f.Ref()} }
func (r fileRight) Release()            { r.f.Unref() }

func releaseRights(rs []unixsock.Right) {
	for _, r := range rs {
		r.Release()
	}
}

// sockWait retries try while it says EAGAIN, as a socket call blocks:
// not at all when nonblock, until timeout (0: none) passes with EAGAIN,
// or until a signal, which is EINTR when a timeout is set and otherwise
// ERESTARTSYS, so SA_RESTART restarts the call (sock_intr_errno).
func (t *Thread) sockWait(nonblock bool, timeout time.Duration, try func() linux.Errno) error {
	var expired <-chan time.Time
	if timeout > 0 && !nonblock {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		expired = tm.C
	}
	for {
		ch := unixsock.Changed()
		e := try()
		if e != linux.EAGAIN || nonblock {
			if e == 0 {
				return nil
			}
			return e
		}
		select {
		case <-ch:
		case <-expired:
			return linux.EAGAIN
		case <-t.Interrupted():
			if timeout > 0 {
				return linux.EINTR
			}
			return linux.ERESTARTSYS
		}
	}
}

// sockCred is the calling process's credentials (everyone is root).
func (t *Thread) sockCred() unixsock.Cred {
	c := t.creds()
	return unixsock.Cred{PID: t.p.PID, UID: c.EUID, GID: c.EGID} // cred_to_ucred: the effective IDs
}

// sendCred is the sender's credentials a message carries by default
// (scm_send's scm_set_cred): the real IDs.
func (t *Thread) sendCred() unixsock.Cred {
	c := t.creds()
	return unixsock.Cred{PID: t.p.PID, UID: c.UID, GID: c.GID}
}

// findSocket is unix_find_other: the socket a name leads to, of type
// typ. Abstract names are looked up in unixsock's table, filesystem
// names in the file tree (ENOENT, or ECONNREFUSED for a node that is no
// socket or a closed one, EPROTOTYPE for another type).
func (t *Thread) findSocket(kind int, a unixsock.Addr, typ int) (*unixsock.Socket, error) {
	if kind == unixsock.KindAbstract {
		s, e := unixsock.FindAbstract(a, typ)
		if e != 0 {
			return nil, e
		}
		return s, nil
	}
	n, err := t.lookupAt(fdcwd, a.Path(), true)
	if err != nil {
		return nil, err
	}
	s, ok := n.Dev.(*unixsock.Socket)
	if n.Type() != vfs.S_IFSOCK || !ok {
		return nil, linux.ECONNREFUSED
	}
	if e := s.CheckFound(typ); e != 0 {
		return nil, e
	}
	return s, nil
}

// bindPath makes the filesystem node a socket bound to a is known by
// (unix_bind_bsd's mknod, mode 0777 less the umask): EADDRINUSE if the
// name exists, the walk's errno otherwise; EINVAL, and the node removed
// again, if the socket has a name already. The node stays after the
// socket closes, as on Linux, leading nowhere (ECONNREFUSED).
func (t *Thread) bindPath(s *unixsock.Socket, a unixsock.Addr) error {
	p := a.Path()
	start, err := t.startAt(fdcwd, p)
	if err != nil {
		return err
	}
	if isGenerated(p) || start != nil && snapshot(start) {
		return linux.ENOENT
	}
	c := t.FSContext()
	_, err = t.mnt().Mknod(c, start, p, vfs.S_IFSOCK|t.umask(0o777), 0, s)
	if err == linux.EEXIST {
		return linux.EADDRINUSE
	}
	if err != nil {
		return err
	}
	if s.Name() != nil {
		t.mnt().Unlink(c, start, p)
		return linux.EINVAL
	}
	if e := s.BindPath(a); e != 0 {
		return e
	}
	return nil
}

func isSocketFD(t *Thread, fd uint64) bool {
	f, err := t.p.files.get(fd)
	if err != nil {
		return false
	}
	_, ok := f.Ops.(*socketFile)
	return ok
}

// sockVectored runs writev (send) or readv on a socket as sendmsg or
// recvmsg of just the iovecs, with no flags.
func sockVectored(t *Thread, a *args, send bool) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	m := linux.Msghdr{Iov: a[1], Iovlen: a[2]}
	if send {
		return t.sendmsg(f, sf, &m, 0)
	}
	n, _, err := t.recvmsg(f, sf, &m, 0)
	return n, err
}
