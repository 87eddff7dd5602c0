// Sockets: socket, socketpair, bind, listen, connect, accept, accept4,
// shutdown, getsockname, getpeername, sendto, recvfrom, sendmsg,
// recvmsg, setsockopt, getsockopt (net/socket.c's checks before
// af_unix's or af_inet's). AF_UNIX and AF_INET exist; AF_INET's own
// calls are in sys_inet.go.

package task

import (
	"encoding/binary"
	"time"

	"sigil/file"
	"sigil/inet"
	"sigil/linux"
	"sigil/signal"
	"sigil/unixsock"
)

// socketOf is the socket behind descriptor fd: EBADF, or ENOTSOCK for
// another file (sockfd_lookup).
func (t *Thread) socketOf(fd uint64) (*file.File, *socketFile, error) {
	f, err := t.p.files.get(fd)
	if err != nil {
		return nil, nil, err
	}
	sf, ok := f.Ops.(*socketFile)
	if !ok {
		return nil, nil, linux.ENOTSOCK
	}
	return f, sf, nil
}

// newSocket is __sys_socket_create and __sock_create: EINVAL for flags
// other than SOCK_NONBLOCK and SOCK_CLOEXEC or a type past SOCK_MAX,
// EAFNOSUPPORT for any family but AF_UNIX and AF_INET, then
// unix_create's or inet_create's checks. It returns the open file.
func (t *Thread) newSocket(family, typ, protocol uint64) (*file.File, error) {
	if typ&^linux.SOCK_TYPE_MASK&^(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return nil, linux.EINVAL
	}
	if int32(family) < 0 || int32(family) >= linux.NPROTO {
		return nil, linux.EAFNOSUPPORT
	}
	if typ&linux.SOCK_TYPE_MASK >= linux.SOCK_MAX {
		return nil, linux.EINVAL
	}
	switch family {
	case linux.AF_UNIX:
		s, e := unixsock.Create(int(typ&linux.SOCK_TYPE_MASK), int(int32(protocol)), t.sockCred())
		if e != 0 {
			return nil, e
		}
		return newSocketFile(s, typ), nil
	case linux.AF_INET:
		s, e := inet.Create(int(typ&linux.SOCK_TYPE_MASK), int(int32(protocol)), t.creds().FSUID)
		if e != 0 {
			return nil, e
		}
		return newInetFile(s, typ), nil
	}
	return nil, linux.EAFNOSUPPORT
}

func sysSocket(t *Thread, a *args) (uint64, error) {
	f, err := t.newSocket(a[0], a[1], a[2])
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, a[1]&linux.SOCK_CLOEXEC != 0)
	if err != nil {
		f.Unref()
	}
	return uint64(fd), err
}

// sysSocketpair makes a connected pair; AF_INET has none
// (sock_no_socketpair: EOPNOTSUPP, after the socket was made).
func sysSocketpair(t *Thread, a *args) (uint64, error) {
	f, err := t.newSocket(a[0], a[1], a[2])
	if err != nil {
		return 0, err
	}
	s := f.Ops.(*socketFile).s
	f.Unref()
	if s == nil {
		return 0, linux.EOPNOTSUPP
	}
	x, y := unixsock.Pair(s.Type(), t.sockCred())
	fx, fy := newSocketFile(x, a[1]), newSocketFile(y, a[1])
	cloexec := a[1]&linux.SOCK_CLOEXEC != 0
	fd0, err := t.installFD(fx, 0, cloexec)
	if err != nil {
		fx.Unref()
		fy.Unref()
		return 0, err
	}
	fd1, err := t.installFD(fy, 0, cloexec)
	if err != nil {
		t.p.files.close(uint64(fd0))
		fy.Unref()
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[:], uint32(fd0))
	binary.LittleEndian.PutUint32(b[4:], uint32(fd1))
	if err := t.p.as.CopyOut(a[3], b[:]); err != nil {
		t.p.files.close(uint64(fd0))
		t.p.files.close(uint64(fd1))
		return 0, err
	}
	return 0, nil
}

// addrIn is move_addr_to_kernel: EINVAL for a length past
// sockaddr_storage (or negative), EFAULT for a bad pointer.
func (t *Thread) addrIn(addr, n uint64) ([]byte, error) {
	if int32(n) < 0 || n > linux.SockaddrStorageSize {
		return nil, linux.EINVAL
	}
	b := make([]byte, n)
	if err := t.p.as.CopyIn(b, addr); err != nil {
		return nil, err
	}
	return b, nil
}

// addrOut is move_addr_to_user: as much of sa as the caller's length
// allows, and the full length written back (EINVAL for a negative one).
func (t *Thread) addrOut(sa []byte, addr, lenAddr uint64) error {
	var lb [4]byte
	if err := t.p.as.CopyIn(lb[:], lenAddr); err != nil {
		return err
	}
	n := int32(binary.LittleEndian.Uint32(lb[:]))
	if n < 0 {
		return linux.EINVAL
	}
	if n > int32(len(sa)) {
		n = int32(len(sa))
	}
	if n > 0 {
		if err := t.p.as.CopyOut(addr, sa[:n]); err != nil {
			return err
		}
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(sa)))
	return t.p.as.CopyOut(lenAddr, lb[:])
}

func sysBind(t *Thread, a *args) (uint64, error) {
	_, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	b, err := t.addrIn(a[1], a[2])
	if err != nil {
		return 0, err
	}
	if sf.in != nil {
		return 0, t.inetBind(sf.in, b)
	}
	kind, addr, e := unixsock.ParseAddr(b, true)
	switch {
	case e != 0:
		return 0, e
	case kind == unixsock.KindUnspec:
		return 0, linux.EINVAL
	case kind == unixsock.KindAutobind:
		e = sf.s.Autobind()
	case kind == unixsock.KindAbstract:
		e = sf.s.BindAbstract(addr)
	default:
		return 0, t.bindPath(sf.s, addr)
	}
	return 0, errOf(e)
}

// errOf turns unixsock's Errno (0: success) into a call's error.
func errOf(e linux.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// onSocket runs op on descriptor fd's socket (EBADF, ENOTSOCK first).
func (t *Thread) onSocket(fd uint64, op func(*unixsock.Socket) linux.Errno) (uint64, error) {
	_, sf, err := t.socketOf(fd)
	if err != nil {
		return 0, err
	}
	return 0, errOf(op(sf.s))
}

func sysListen(t *Thread, a *args) (uint64, error) {
	if _, sf, err := t.socketOf(a[0]); err == nil && sf.in != nil {
		return 0, inetListen(sf.in, int(int32(a[1])))
	}
	cred := t.sockCred()
	return t.onSocket(a[0], func(s *unixsock.Socket) linux.Errno { return s.Listen(int(int32(a[1])), cred) })
}

func sysConnect(t *Thread, a *args) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	b, err := t.addrIn(a[1], a[2])
	if err != nil {
		return 0, err
	}
	if sf.in != nil {
		return 0, t.inetConnect(f, sf, b)
	}
	s := sf.s
	if s.Type() == unixsock.Dgram {
		// unix_dgram_connect: AF_UNSPEC dissolves the association.
		if len(b) < 2 {
			return 0, linux.EINVAL
		}
		kind, addr, e := unixsock.ParseAddr(b, false)
		if e != 0 {
			return 0, e
		}
		if kind == unixsock.KindUnspec {
			s.ConnectDgram(nil)
			return 0, nil
		}
		if e := s.PrepareConnect(); e != 0 {
			return 0, e
		}
		other, err := t.findSocket(kind, addr, s.Type())
		if err != nil {
			return 0, err
		}
		return 0, errOf(s.ConnectDgram(other))
	}
	kind, addr, e := unixsock.ParseAddr(b, false)
	if e == 0 && kind == unixsock.KindUnspec {
		e = linux.EINVAL
	}
	if e != 0 {
		return 0, e
	}
	if e := s.PrepareConnect(); e != 0 {
		return 0, e
	}
	l, err := t.findSocket(kind, addr, s.Type())
	if err != nil {
		return 0, err
	}
	_, snd := sf.timeouts()
	cred := t.sockCred()
	return 0, t.sockWait(f.NonBlock(), snd, func() linux.Errno { return s.Connect(l, cred) })
}

func sysAccept(t *Thread, a *args) (uint64, error) { return sysAccept4(t, &args{a[0], a[1], a[2], 0}) }

func sysAccept4(t *Thread, a *args) (uint64, error) {
	flags := a[3]
	if flags&^(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	if sf.in != nil {
		return t.inetAccept(f, sf, a[1], a[2], flags)
	}
	var n *unixsock.Socket
	rcv, _ := sf.timeouts()
	err = t.sockWait(f.NonBlock(), rcv, func() (e linux.Errno) { n, e = sf.s.Accept(); return e })
	if err != nil {
		return 0, err
	}
	peer, _ := n.PeerName()
	return t.installAccepted(newSocketFile(n, flags), unixsock.Sockaddr(peer), a[1], a[2], flags)
}

// installAccepted ends accept4 for either family: the peer's address
// sa written if asked for, then the new descriptor; the file goes if
// either fails.
func (t *Thread) installAccepted(nf *file.File, sa []byte, addr, lenAddr, flags uint64) (uint64, error) {
	if addr != 0 {
		if err := t.addrOut(sa, addr, lenAddr); err != nil {
			nf.Unref()
			return 0, err
		}
	}
	fd, err := t.installFD(nf, 0, flags&linux.SOCK_CLOEXEC != 0)
	if err != nil {
		nf.Unref()
	}
	return uint64(fd), err
}

func sysShutdown(t *Thread, a *args) (uint64, error) {
	if _, sf, err := t.socketOf(a[0]); err == nil && sf.in != nil {
		return 0, errOf(sf.in.Shutdown(int(int32(a[1]))))
	}
	return t.onSocket(a[0], func(s *unixsock.Socket) linux.Errno { return s.Shutdown(int(int32(a[1]))) })
}

func sysGetsockname(t *Thread, a *args) (uint64, error) {
	_, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	if sf.in != nil {
		return 0, t.addrOut(inet.Sockaddr(sf.in.Name()), a[1], a[2])
	}
	return 0, t.addrOut(unixsock.Sockaddr(sf.s.Name()), a[1], a[2])
}

func sysGetpeername(t *Thread, a *args) (uint64, error) {
	_, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	if sf.in != nil {
		peer, e := sf.in.PeerName()
		if e != 0 {
			return 0, e
		}
		return 0, t.addrOut(inet.Sockaddr(peer), a[1], a[2])
	}
	peer, e := sf.s.PeerName()
	if e != 0 {
		return 0, e
	}
	return 0, t.addrOut(unixsock.Sockaddr(peer), a[1], a[2])
}

// sockSend sends p (unix_stream_sendmsg, unix_dgram_sendmsg,
// unix_seqpacket_sendmsg), to the address in name if there is one; o's
// rights belong to the call, released unless queued. A stream's EPIPE
// raises SIGPIPE unless MSG_NOSIGNAL.
func (t *Thread) sockSend(f *file.File, sf *socketFile, p []byte, o unixsock.Out, name []byte, flags uint64) (int, error) {
	defer func() { releaseRights(o.Rights) }()
	if sf.in != nil {
		return t.inetSend(f, sf, p, name, flags)
	}
	s := sf.s
	nonblock := f.NonBlock() || flags&linux.MSG_DONTWAIT != 0
	_, timeout := sf.timeouts()
	o.Process = t.sendCred()
	if flags&linux.MSG_OOB != 0 {
		return 0, linux.EOPNOTSUPP
	}
	switch s.Type() {
	case unixsock.Stream:
		if len(name) > 0 {
			if s.Connected() {
				return 0, linux.EISCONN
			}
			return 0, linux.EOPNOTSUPP
		}
		return t.sendStream(nonblock, timeout, flags, len(p), func(off int) (int, linux.Errno) {
			n, e := s.SendStream(p[off:], &o)
			if n > 0 {
				o.Rights = nil
			}
			if e == linux.EAGAIN && !nonblock {
				s.WaitSpace()
			}
			return n, e
		})
	case unixsock.SeqPacket:
		if e := s.TakeError(); e != 0 {
			return 0, e
		}
		if !s.Connected() {
			return 0, linux.ENOTCONN
		}
		name = nil
	}
	var to *unixsock.Socket
	if len(name) > 0 {
		kind, addr, e := unixsock.ParseAddr(name, false)
		if e == 0 && kind == unixsock.KindUnspec {
			e = linux.EINVAL
		}
		if e != 0 {
			return 0, e
		}
		var err error
		if to, err = t.findSocket(kind, addr, s.Type()); err != nil {
			return 0, err
		}
	}
	err := t.sockWait(nonblock, timeout, func() linux.Errno {
		e := s.SendDgram(p, to, &o)
		if e == 0 {
			o.Rights = nil
		}
		if e == linux.EAGAIN && !nonblock {
			s.WaitSpace()
		}
		return e
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// sendStream sends size bytes on a stream socket of either family
// through send (which takes the offset to go on from), waiting as
// sockWait does until all are taken: a partial send counts, and EPIPE
// raises SIGPIPE unless MSG_NOSIGNAL.
func (t *Thread) sendStream(nonblock bool, timeout time.Duration, flags uint64, size int,
	send func(off int) (int, linux.Errno)) (int, error) {
	sent := 0
	err := t.sockWait(nonblock, timeout, func() linux.Errno {
		for {
			n, e := send(sent)
			sent += n
			if e != 0 || sent == size {
				return e
			}
		}
	})
	if sent > 0 {
		return sent, nil
	}
	if err == linux.EPIPE && flags&linux.MSG_NOSIGNAL == 0 {
		t.p.send(t, signal.Info(int(linux.SIGPIPE), linux.SI_USER))
	}
	return 0, err
}

// sockRecv receives into p (unix_stream_recvmsg, unix_dgram_recvmsg,
// unix_seqpacket_recvmsg, tcp_recvmsg, udp_recvmsg) and returns the
// bytes copied, or with MSG_TRUNC a datagram's whole length, what came
// with them, and the sender's address (nil: none).
func (t *Thread) sockRecv(f *file.File, sf *socketFile, p []byte, flags uint64) (int, unixsock.In, []byte, error) {
	if sf.in != nil {
		n, in, sa, err := t.inetRecv(f, sf, p, flags)
		return n, in, sa, err
	}
	n, in, err := t.unixRecv(f, sf, p, flags)
	var sa []byte
	if in.From != nil {
		sa = unixsock.Sockaddr(in.From)
	}
	return n, in, sa, err
}

func (t *Thread) unixRecv(f *file.File, sf *socketFile, p []byte, flags uint64) (int, unixsock.In, error) {
	s := sf.s
	nonblock := f.NonBlock() || flags&linux.MSG_DONTWAIT != 0
	timeout, _ := sf.timeouts()
	peek := flags&linux.MSG_PEEK != 0
	if flags&linux.MSG_OOB != 0 {
		return 0, unixsock.In{}, linux.EOPNOTSUPP
	}
	if s.Type() == unixsock.Stream {
		r := &unixsock.Read{Size: len(p), Target: 1, Peek: peek}
		if flags&linux.MSG_WAITALL != 0 {
			r.Target = len(p)
		}
		err := t.sockWait(nonblock, timeout, func() linux.Errno { return s.ReadStream(r) })
		n := copy(p, r.Data)
		if n > 0 {
			err = nil
		}
		return n, r.In, err
	}
	var n int
	var in unixsock.In
	err := t.sockWait(nonblock, timeout, func() (e linux.Errno) {
		n, in, e = s.ReadDgram(p, peek, nonblock)
		return e
	})
	if err == nil && flags&linux.MSG_TRUNC != 0 {
		n = in.Len
	}
	return n, in, err
}

// sockBuf bounds the bytes one send or receive moves.
const sockBuf = 1 << 20

func sysSendto(t *Thread, a *args) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	p := make([]byte, min(a[2], sockBuf))
	if err := t.p.as.CopyIn(p, a[1]); err != nil {
		return 0, err
	}
	var name []byte
	if a[4] != 0 {
		if name, err = t.addrIn(a[4], a[5]); err != nil {
			return 0, err
		}
	}
	n, err := t.sockSend(f, sf, p, unixsock.Out{}, name, a[3])
	return uint64(n), err
}

func sysRecvfrom(t *Thread, a *args) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	p := make([]byte, min(a[2], sockBuf))
	if err := t.p.as.Probe(a[1], uint64(len(p)), true); err != nil {
		return 0, err
	}
	n, in, from, err := t.sockRecv(f, sf, p, a[3])
	releaseRights(in.Rights)
	if err != nil {
		return 0, err
	}
	if err := t.p.as.CopyOut(a[1], p[:min(n, len(p))]); err != nil {
		return 0, err
	}
	if a[4] != 0 {
		if err := t.addrOut(from, a[4], a[5]); err != nil {
			return 0, err
		}
	}
	return uint64(n), nil
}

func msghdrIn(t *Thread, addr uint64) (linux.Msghdr, error) {
	var m linux.Msghdr
	var b [56]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return m, err
	}
	m.Name = binary.LittleEndian.Uint64(b[0:])
	m.Namelen = binary.LittleEndian.Uint32(b[8:])
	m.Iov = binary.LittleEndian.Uint64(b[16:])
	m.Iovlen = binary.LittleEndian.Uint64(b[24:])
	m.Control = binary.LittleEndian.Uint64(b[32:])
	m.Controllen = binary.LittleEndian.Uint64(b[40:])
	m.Flags = binary.LittleEndian.Uint32(b[48:])
	if int32(m.Namelen) < 0 {
		return m, linux.EINVAL
	}
	m.Namelen = min(m.Namelen, linux.SockaddrStorageSize)
	return m, nil
}

func sysSendmsg(t *Thread, a *args) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	m, err := msghdrIn(t, a[1])
	if err != nil {
		return 0, err
	}
	return t.sendmsg(f, sf, &m, a[2])
}

// sendmsg is ____sys_sendmsg: the name, the gathered iovecs and the
// control messages, then the send.
func (t *Thread) sendmsg(f *file.File, sf *socketFile, m *linux.Msghdr, flags uint64) (uint64, error) {
	var name []byte
	var err error
	if m.Name != 0 && m.Namelen > 0 {
		if name, err = t.addrIn(m.Name, uint64(m.Namelen)); err != nil {
			return 0, err
		}
	}
	vs, err := iovecs(t, m.Iov, m.Iovlen)
	if err != nil {
		return 0, err
	}
	var p []byte
	for _, v := range vs {
		n := min(v.Len, sockBuf-uint64(len(p)))
		chunk := make([]byte, n)
		if err := t.p.as.CopyIn(chunk, v.Base); err != nil {
			return 0, err
		}
		p = append(p, chunk...)
	}
	if m.Controllen > 1<<31-1 {
		return 0, linux.ENOBUFS
	}
	var o unixsock.Out
	if m.Controllen > 0 {
		ctl := make([]byte, min(m.Controllen, 1<<20))
		if err := t.p.as.CopyIn(ctl, m.Control); err != nil {
			return 0, err
		}
		if sf.in != nil {
			err = inetControl(ctl)
		} else {
			o, err = t.controlIn(ctl)
		}
		if err != nil {
			return 0, err
		}
	}
	n, err := t.sockSend(f, sf, p, o, name, flags)
	return uint64(n), err
}

func sysRecvmsg(t *Thread, a *args) (uint64, error) {
	f, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	m, err := msghdrIn(t, a[1])
	if err != nil {
		return 0, err
	}
	n, out, err := t.recvmsg(f, sf, &m, a[2])
	if err != nil {
		return 0, err
	}
	// ____sys_recvmsg writes back msg_namelen, msg_flags, msg_controllen.
	var b [4]byte
	if m.Name != 0 {
		binary.LittleEndian.PutUint32(b[:], out.Namelen)
		if err := t.p.as.CopyOut(a[1]+8, b[:]); err != nil {
			return 0, err
		}
	}
	var c [8]byte
	binary.LittleEndian.PutUint64(c[:], out.Controllen)
	if err := t.p.as.CopyOut(a[1]+40, c[:]); err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint32(b[:], out.Flags)
	if err := t.p.as.CopyOut(a[1]+48, b[:]); err != nil {
		return 0, err
	}
	return n, nil
}

// recvmsg receives into m's iovecs, writes the sender's name and the
// control messages, and returns the msghdr fields to report (name
// length, control bytes used, flags).
func (t *Thread) recvmsg(f *file.File, sf *socketFile, m *linux.Msghdr, flags uint64) (uint64, linux.Msghdr, error) {
	var out linux.Msghdr
	vs, err := iovecs(t, m.Iov, m.Iovlen)
	if err != nil {
		return 0, out, err
	}
	var total uint64
	for _, v := range vs {
		if err := t.p.as.Probe(v.Base, v.Len, true); err != nil {
			return 0, out, err
		}
		total += v.Len
	}
	p := make([]byte, min(total, sockBuf))
	n, in, sa, err := t.sockRecv(f, sf, p, flags)
	if err != nil {
		releaseRights(in.Rights)
		return 0, out, err
	}
	rest := p[:min(n, len(p))]
	for _, v := range vs {
		k := min(uint64(len(rest)), v.Len)
		if err := t.p.as.CopyOut(v.Base, rest[:k]); err != nil {
			releaseRights(in.Rights)
			return 0, out, err
		}
		rest = rest[k:]
	}
	out.Flags = uint32(flags & linux.MSG_CMSG_CLOEXEC)
	if in.Trunc {
		out.Flags |= linux.MSG_TRUNC
	}
	if m.Name != 0 && sa != nil {
		out.Namelen = uint32(len(sa))
		if err := t.p.as.CopyOut(m.Name, sa[:min(len(sa), int(m.Namelen))]); err != nil {
			releaseRights(in.Rights)
			return 0, out, err
		}
	}
	passcred := sf.s != nil && sf.s.PassCred()
	used, ctrunc, err := t.controlOut(m.Control, m.Controllen, in, passcred, flags&linux.MSG_CMSG_CLOEXEC != 0)
	if err != nil {
		return 0, out, err
	}
	out.Controllen = used
	if ctrunc {
		out.Flags |= linux.MSG_CTRUNC
	}
	return uint64(n), out, nil
}

// controlIn is __scm_send: each SOL_SOCKET message of ctl read (others
// skipped): SCM_RIGHTS takes references to up to SCM_MAX_FD open files
// (EBADF for a closed descriptor), SCM_CREDENTIALS the credentials to
// send (EINVAL for a wrong length or an id of -1, ESRCH for no such
// process); EINVAL for a malformed header or another type.
func (t *Thread) controlIn(ctl []byte) (o unixsock.Out, err error) {
	defer func() {
		if err != nil {
			releaseRights(o.Rights)
			o.Rights = nil
		}
	}()
	for off := uint64(0); off+16 <= uint64(len(ctl)); {
		clen := binary.LittleEndian.Uint64(ctl[off:])
		level := int32(binary.LittleEndian.Uint32(ctl[off+8:]))
		typ := int32(binary.LittleEndian.Uint32(ctl[off+12:]))
		if clen < 16 || clen > uint64(len(ctl))-off {
			return o, linux.EINVAL
		}
		data := ctl[off+16 : off+clen]
		if level == linux.SOL_SOCKET {
			switch typ {
			case linux.SCM_RIGHTS:
				num := len(data) / 4
				if num > linux.SCM_MAX_FD || len(o.Rights)+num > linux.SCM_MAX_FD {
					return o, linux.EINVAL
				}
				for i := 0; i < num; i++ {
					fd := int32(binary.LittleEndian.Uint32(data[4*i:]))
					if fd < 0 {
						return o, linux.EBADF
					}
					f, err := t.p.files.get(uint64(fd))
					if err != nil {
						return o, err
					}
					o.Rights = append(o.Rights, fileRight{f.Ref()})
				}
			case linux.SCM_CREDENTIALS:
				if clen != linux.CmsgLen(12) {
					return o, linux.EINVAL
				}
				c := unixsock.Cred{PID: int32(binary.LittleEndian.Uint32(data)),
					UID: binary.LittleEndian.Uint32(data[4:]), GID: binary.LittleEndian.Uint32(data[8:])}
				if c.UID == ^uint32(0) || c.GID == ^uint32(0) {
					return o, linux.EINVAL
				}
				// scm_check_creds: one's own PID and IDs, unless
				// CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID say otherwise.
				me := t.creds()
				if c.PID != t.p.PID && !me.Capable(linux.CAP_SYS_ADMIN) ||
					c.UID != me.UID && c.UID != me.EUID && c.UID != me.SUID && !me.Capable(linux.CAP_SETUID) ||
					c.GID != me.GID && c.GID != me.EGID && c.GID != me.SGID && !me.Capable(linux.CAP_SETGID) {
					return o, linux.EPERM
				}
				if c.PID <= 0 || Lookup(c.PID) == nil {
					return o, linux.ESRCH
				}
				o.Cred = &c
			default:
				return o, linux.EINVAL
			}
		}
		off += linux.CmsgAlign(clen)
	}
	return o, nil
}

// controlOut is scm_recv: SCM_CREDENTIALS when the receiver has
// SO_PASSCRED, then SCM_RIGHTS with the received files installed as new
// descriptors (MSG_CMSG_CLOEXEC marks them close-on-exec) as far as the
// buffer holds them, the rest closed; MSG_CTRUNC when something did not
// fit (put_cmsg, scm_detach_fds). It returns the bytes of control data
// written.
func (t *Thread) controlOut(addr, size uint64, in unixsock.In, passcred, cloexec bool) (uint64, bool, error) {
	rights := in.Rights
	defer func() { releaseRights(rights) }()
	if addr == 0 {
		return 0, passcred || len(rights) > 0, nil
	}
	size = min(size, 1<<16)
	buf := make([]byte, 0, size)
	ctrunc := false
	if passcred {
		if size-uint64(len(buf)) < 16 {
			ctrunc = true
		} else {
			var c [28]byte
			binary.LittleEndian.PutUint64(c[:], linux.CmsgLen(12))
			binary.LittleEndian.PutUint32(c[8:], linux.SOL_SOCKET)
			binary.LittleEndian.PutUint32(c[12:], linux.SCM_CREDENTIALS)
			binary.LittleEndian.PutUint32(c[16:], uint32(in.Cred.PID))
			binary.LittleEndian.PutUint32(c[20:], in.Cred.UID)
			binary.LittleEndian.PutUint32(c[24:], in.Cred.GID)
			room := size - uint64(len(buf))
			cm := min(uint64(len(c)), room)
			if cm < uint64(len(c)) {
				ctrunc = true
				binary.LittleEndian.PutUint64(c[:], cm)
			}
			buf = append(buf, c[:cm]...)
			for pad := min(linux.CmsgSpace(12), room) - cm; pad > 0; pad-- {
				buf = append(buf, 0)
			}
		}
	}
	if len(rights) > 0 {
		room := size - uint64(len(buf))
		fdmax := 0
		if room > 16 {
			fdmax = int((room - 16) / 4)
		}
		var fds []int32
		for len(fds) < min(fdmax, len(rights)) {
			fr := rights[len(fds)].(fileRight)
			fd, err := t.installFD(fr.f, 0, cloexec)
			if err != nil {
				break
			}
			fds = append(fds, int32(fd))
		}
		if len(fds) > 0 {
			hdr := make([]byte, 16, 16+4*len(fds))
			binary.LittleEndian.PutUint64(hdr, linux.CmsgLen(uint64(4*len(fds))))
			binary.LittleEndian.PutUint32(hdr[8:], linux.SOL_SOCKET)
			binary.LittleEndian.PutUint32(hdr[12:], linux.SCM_RIGHTS)
			for _, fd := range fds {
				hdr = binary.LittleEndian.AppendUint32(hdr, uint32(fd))
			}
			for uint64(len(hdr)) < min(linux.CmsgSpace(uint64(4*len(fds))), room) {
				hdr = append(hdr, 0)
			}
			buf = append(buf, hdr...)
		}
		if len(fds) < len(rights) {
			ctrunc = true
		}
		rights = rights[len(fds):] // the installed ones belong to their descriptors now
	}
	if len(buf) > 0 {
		if err := t.p.as.CopyOut(addr, buf); err != nil {
			return 0, ctrunc, err
		}
	}
	return uint64(len(buf)), ctrunc, nil
}

func sysSetsockopt(t *Thread, a *args) (uint64, error) {
	_, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	level, name, val, n := int32(a[1]), int32(a[2]), a[3], int32(a[4])
	if sf.in != nil && level != linux.SOL_SOCKET {
		return 0, t.inetSetsockopt(sf.in, level, name, val, n)
	}
	if level != linux.SOL_SOCKET {
		return 0, linux.EOPNOTSUPP
	}
	if n < 0 {
		return 0, linux.EINVAL
	}
	switch name {
	case linux.SO_LINGER:
		if sf.in == nil {
			return 0, linux.ENOPROTOOPT
		}
		return 0, t.setLinger(sf.in, val, n)
	case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO:
		d, err := timevalOpt(t, val, n)
		if err != nil {
			return 0, err
		}
		sf.mu.Lock()
		if name == linux.SO_RCVTIMEO {
			sf.rcvTimeo = d
		} else {
			sf.sndTimeo = d
		}
		sf.mu.Unlock()
		return 0, nil
	}
	if n < 4 {
		return 0, linux.EINVAL
	}
	var b [4]byte
	if err := t.p.as.CopyIn(b[:], val); err != nil {
		return 0, err
	}
	v := int32(binary.LittleEndian.Uint32(b[:]))
	if sf.in != nil {
		return 0, inetSocketOpt(sf.in, name, v)
	}
	switch name {
	case linux.SO_PASSCRED:
		sf.s.SetPassCred(v != 0)
	case linux.SO_SNDBUF, linux.SO_SNDBUFFORCE:
		sf.s.SetBuf(true, v)
	case linux.SO_RCVBUF, linux.SO_RCVBUFFORCE:
		sf.s.SetBuf(false, v)
	case linux.SO_REUSEADDR, linux.SO_KEEPALIVE, linux.SO_BROADCAST, linux.SO_DEBUG, linux.SO_DONTROUTE,
		linux.SO_OOBINLINE, linux.SO_PRIORITY, linux.SO_RCVLOWAT:
		// Accepted with no effect on a local socket.
	case linux.SO_TYPE, linux.SO_ERROR, linux.SO_PEERCRED, linux.SO_ACCEPTCONN, linux.SO_DOMAIN, linux.SO_PROTOCOL:
		return 0, linux.ENOPROTOOPT
	default:
		return 0, linux.ENOPROTOOPT
	}
	return 0, nil
}

// timevalOpt reads SO_RCVTIMEO/SO_SNDTIMEO's struct timeval
// (sock_set_timeout): EINVAL if shorter, EDOM for microseconds out of
// range; zero means none, a negative time is immediate.
func timevalOpt(t *Thread, addr uint64, n int32) (time.Duration, error) {
	if n < 16 {
		return 0, linux.EINVAL
	}
	var b [16]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	sec, usec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if usec < 0 || usec >= 1000000 {
		return 0, linux.EDOM
	}
	if sec < 0 {
		return time.Nanosecond, nil
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, nil
}

func sysGetsockopt(t *Thread, a *args) (uint64, error) {
	_, sf, err := t.socketOf(a[0])
	if err != nil {
		return 0, err
	}
	level, name, val, lenAddr := int32(a[1]), int32(a[2]), a[3], a[4]
	if level != linux.SOL_SOCKET && sf.in == nil {
		return 0, linux.EOPNOTSUPP
	}
	var lb [4]byte
	if err := t.p.as.CopyIn(lb[:], lenAddr); err != nil {
		return 0, err
	}
	n := int32(binary.LittleEndian.Uint32(lb[:]))
	if n < 0 {
		return 0, linux.EINVAL
	}
	s := sf.s
	var out []byte
	putInt := func(v int) { out = binary.LittleEndian.AppendUint32(nil, uint32(v)) }
	if sf.in != nil {
		switch name {
		case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO, linux.SO_PEERCRED:
		default:
			if level == linux.SOL_SOCKET {
				out, err = inetSocketOptGet(sf.in, name)
			} else {
				out, err = inetOptGet(sf.in, level, name)
			}
			if err != nil {
				return 0, err
			}
			name = -1 // answered
		}
	}
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	switch name {
	case -1:
	case linux.SO_TYPE:
		putInt(s.Type())
	case linux.SO_DOMAIN:
		putInt(linux.AF_UNIX)
	case linux.SO_PROTOCOL:
		putInt(0)
	case linux.SO_ERROR:
		putInt(int(s.TakeError()))
	case linux.SO_ACCEPTCONN:
		putInt(b2i(s.Listening()))
	case linux.SO_PASSCRED:
		putInt(b2i(s.PassCred()))
	case linux.SO_SNDBUF:
		putInt(s.Buf(true))
	case linux.SO_RCVBUF:
		putInt(s.Buf(false))
	case linux.SO_REUSEADDR, linux.SO_KEEPALIVE, linux.SO_BROADCAST:
		putInt(0)
	case linux.SO_PEERCRED:
		c, ok := unixsock.Cred{}, false
		if s != nil {
			c, ok = s.PeerCred()
		}
		if !ok {
			c = unixsock.Cred{UID: 65534, GID: 65534} // cred_to_ucred without a cred: the overflow ids
		}
		out = binary.LittleEndian.AppendUint32(nil, uint32(c.PID))
		out = binary.LittleEndian.AppendUint32(out, c.UID)
		out = binary.LittleEndian.AppendUint32(out, c.GID)
	case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO:
		rcv, snd := sf.timeouts()
		d := rcv
		if name == linux.SO_SNDTIMEO {
			d = snd
		}
		out = binary.LittleEndian.AppendUint64(nil, uint64(d/time.Second))
		out = binary.LittleEndian.AppendUint64(out, uint64(d%time.Second/time.Microsecond))
	default:
		return 0, linux.ENOPROTOOPT
	}
	if int(n) < len(out) {
		out = out[:n]
	}
	if err := t.p.as.CopyOut(val, out); err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(out)))
	return 0, t.p.as.CopyOut(lenAddr, lb[:])
}
