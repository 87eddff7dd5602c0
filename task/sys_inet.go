// AF_INET's side of the socket calls (af_inet.c's inet_stream_ops and
// inet_dgram_ops, tcp.c's and ip_sockglue.c's options, the interface
// ioctls of dev_ioctl.c): package inet holds the rules, this side copies
// addresses and bytes, blocks and raises SIGPIPE.

package task

import (
	"encoding/binary"

	"sigil/file"
	"sigil/inet"
	"sigil/linux"
	"sigil/unixsock"
)

// inetBind is inet_bind: the address read (EINVAL, EAFNOSUPPORT), a low
// port allowed with CAP_NET_BIND_SERVICE.
func (t *Thread) inetBind(s *inet.Socket, b []byte) error {
	a, e := inet.BindAddr(b)
	if e != 0 {
		return e
	}
	return errOf(s.Bind(a, t.creds().Capable(linux.CAP_NET_BIND_SERVICE)))
}

// inetListen: datagram sockets have none (sock_no_listen).
func inetListen(s *inet.Socket, backlog int) error {
	if s.Type() != linux.SOCK_STREAM {
		return linux.EOPNOTSUPP
	}
	return errOf(s.Listen(backlog))
}

// inetConnect is inet_stream_connect and inet_dgram_connect: EINVAL for
// an address shorter than its family, AF_UNSPEC disconnects, then the
// address read; a blocking TCP connect waits for room in a full backlog
// (for SO_SNDTIMEO at most, then EINPROGRESS).
func (t *Thread) inetConnect(f *file.File, sf *socketFile, b []byte) error {
	s := sf.in
	if len(b) < 2 {
		return linux.EINVAL
	}
	if family, _, _ := inet.Decode(b); family == linux.AF_UNSPEC {
		s.Disconnect()
		return nil
	}
	dst, e := inet.PeerAddr(b)
	if e != 0 {
		return e
	}
	nonblock := f.NonBlock()
	e = s.Connect(dst, nonblock)
	if e != linux.EAGAIN || s.Type() != linux.SOCK_STREAM {
		return errOf(e)
	}
	_, snd := sf.timeouts()
	err := t.sockWait(false, snd, s.ConnectWait)
	if err == linux.EAGAIN {
		return linux.EINPROGRESS
	}
	return err
}

// inetAccept is inet_accept: EOPNOTSUPP for a datagram socket, then the
// wait, the peer's address, the new descriptor.
func (t *Thread) inetAccept(f *file.File, sf *socketFile, addr, lenAddr, flags uint64) (uint64, error) {
	if sf.in.Type() != linux.SOCK_STREAM {
		return 0, linux.EOPNOTSUPP
	}
	var n *inet.Socket
	var peer inet.Addr
	rcv, _ := sf.timeouts()
	err := t.sockWait(f.NonBlock(), rcv, func() (e linux.Errno) { n, peer, e = sf.in.Accept(); return e })
	if err != nil {
		return 0, err
	}
	return t.installAccepted(newInetFile(n, flags), inet.Sockaddr(peer), addr, lenAddr, flags)
}

// inetSend is tcp_sendmsg (the address is ignored; EPIPE raises SIGPIPE
// unless MSG_NOSIGNAL) and udp_sendmsg (EMSGSIZE past 0xFFFF before
// anything else, then the address).
func (t *Thread) inetSend(f *file.File, sf *socketFile, p []byte, name []byte, flags uint64) (int, error) {
	s := sf.in
	nonblock := f.NonBlock() || flags&linux.MSG_DONTWAIT != 0
	_, timeout := sf.timeouts()
	if s.Type() == linux.SOCK_STREAM {
		if flags&linux.MSG_OOB != 0 {
			return 0, linux.EOPNOTSUPP
		}
		return t.sendStream(nonblock, timeout, flags, len(p), func(off int) (int, linux.Errno) {
			n, e := s.SendStream(p[off:])
			if e == linux.EAGAIN && !nonblock {
				s.WaitSpace()
			}
			return n, e
		})
	}
	if len(p) > 0xffff {
		return 0, linux.EMSGSIZE
	}
	if flags&linux.MSG_OOB != 0 {
		return 0, linux.EOPNOTSUPP
	}
	var to *inet.Addr
	if len(name) > 0 {
		a, e := inet.SendAddr(name)
		if e != 0 {
			return 0, e
		}
		to = &a
	}
	if e := s.SendDgram(p, to); e != 0 {
		return 0, e
	}
	return len(p), nil
}

// inetRecv is tcp_recvmsg (no address) and udp_recvmsg (the sender's;
// MSG_TRUNC for a datagram longer than p, and with the flag its whole
// length returned).
func (t *Thread) inetRecv(f *file.File, sf *socketFile, p []byte, flags uint64) (int, unixsock.In, []byte, error) {
	s := sf.in
	nonblock := f.NonBlock() || flags&linux.MSG_DONTWAIT != 0
	timeout, _ := sf.timeouts()
	peek := flags&linux.MSG_PEEK != 0
	var in unixsock.In
	if flags&linux.MSG_OOB != 0 {
		if s.Type() == linux.SOCK_STREAM {
			return 0, in, nil, linux.EINVAL // no urgent data (tcp_recv_urg)
		}
		return 0, in, nil, linux.EOPNOTSUPP
	}
	if s.Type() == linux.SOCK_STREAM {
		r := &inet.Read{Size: len(p), Target: 1, Peek: peek}
		if flags&linux.MSG_WAITALL != 0 && !peek {
			r.Target = len(p)
		}
		err := t.sockWait(nonblock, timeout, func() linux.Errno { return s.ReadStream(r) })
		n := copy(p, r.Data)
		if n > 0 {
			err = nil
		}
		return n, in, nil, err
	}
	var n, length int
	var from inet.Addr
	err := t.sockWait(nonblock, timeout, func() (e linux.Errno) {
		n, length, from, e = s.ReadDgram(p, peek, nonblock)
		return e
	})
	if err != nil {
		return 0, in, nil, err
	}
	in.Len, in.Trunc = length, n < length
	if flags&linux.MSG_TRUNC != 0 {
		n = length
	}
	if length == 0 && from.Port == 0 {
		return n, in, nil, nil // end after shutdown: no datagram, no sender
	}
	return n, in, inet.Sockaddr(from), nil
}

// inetControl is what TCP and UDP make of sendmsg's control messages
// (sock_cmsg_send, ip_cmsg_send): a malformed header is EINVAL, and so
// is any SOL_SOCKET message this kernel knows (SCM_RIGHTS and
// SCM_CREDENTIALS are AF_UNIX's); other levels are ignored.
func inetControl(ctl []byte) error {
	for off := uint64(0); off+16 <= uint64(len(ctl)); {
		clen := binary.LittleEndian.Uint64(ctl[off:])
		level := int32(binary.LittleEndian.Uint32(ctl[off+8:]))
		if clen < 16 || clen > uint64(len(ctl))-off || level == linux.SOL_SOCKET {
			return linux.EINVAL
		}
		off += linux.CmsgAlign(clen)
	}
	return nil
}

// setLinger is SO_LINGER (sock_setsockopt): EINVAL for less than a
// struct linger.
func (t *Thread) setLinger(s *inet.Socket, val uint64, n int32) error {
	if n < 8 {
		return linux.EINVAL
	}
	var b [8]byte
	if err := t.p.as.CopyIn(b[:], val); err != nil {
		return err
	}
	on, secs := int32(binary.LittleEndian.Uint32(b[:])), int32(binary.LittleEndian.Uint32(b[4:]))
	s.Options(func(o *inet.Opts) {
		if on == 0 {
			o.Linger.Onoff = 0
			return
		}
		o.Linger = linux.Linger{Onoff: 1, Linger: max(secs, 0)}
	})
	return nil
}

// inetSocketOpt is sock_setsockopt's integer options for an AF_INET
// socket.
func inetSocketOpt(s *inet.Socket, name, v int32) error {
	on := v != 0
	switch name {
	case linux.SO_REUSEADDR:
		s.Options(func(o *inet.Opts) { o.ReuseAddr = on })
	case linux.SO_REUSEPORT:
		s.Options(func(o *inet.Opts) { o.ReusePort = on })
	case linux.SO_KEEPALIVE:
		s.Options(func(o *inet.Opts) { o.KeepAlive = on })
	case linux.SO_BROADCAST:
		s.Options(func(o *inet.Opts) { o.Broadcast = on })
	case linux.SO_PASSCRED:
		s.Options(func(o *inet.Opts) { o.PassCred = on })
	case linux.SO_SNDBUF, linux.SO_SNDBUFFORCE:
		s.Options(func(o *inet.Opts) { o.SndBuf = unixsock.BufValue(true, v) })
	case linux.SO_RCVBUF, linux.SO_RCVBUFFORCE:
		s.Options(func(o *inet.Opts) { o.RcvBuf = unixsock.BufValue(false, v) })
	case linux.SO_DEBUG, linux.SO_DONTROUTE, linux.SO_OOBINLINE, linux.SO_PRIORITY, linux.SO_RCVLOWAT:
		// Accepted with no effect on the loopback.
	default:
		return linux.ENOPROTOOPT
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func intOpt(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// inetSocketOptGet is sock_getsockopt for an AF_INET socket (the
// timeouts and SO_PEERCRED are answered by the common code).
func inetSocketOptGet(s *inet.Socket, name int32) ([]byte, error) {
	var o inet.Opts
	s.Options(func(p *inet.Opts) { o = *p })
	switch name {
	case linux.SO_TYPE:
		return intOpt(s.Type()), nil
	case linux.SO_DOMAIN:
		return intOpt(linux.AF_INET), nil
	case linux.SO_PROTOCOL:
		return intOpt(s.Protocol()), nil
	case linux.SO_ERROR:
		return intOpt(int(s.TakeError())), nil
	case linux.SO_ACCEPTCONN:
		return intOpt(b2i(s.Listening())), nil
	case linux.SO_REUSEADDR:
		return intOpt(b2i(o.ReuseAddr)), nil
	case linux.SO_REUSEPORT:
		return intOpt(b2i(o.ReusePort)), nil
	case linux.SO_KEEPALIVE:
		return intOpt(b2i(o.KeepAlive)), nil
	case linux.SO_BROADCAST:
		return intOpt(b2i(o.Broadcast)), nil
	case linux.SO_PASSCRED:
		return intOpt(b2i(o.PassCred)), nil
	case linux.SO_SNDBUF:
		return intOpt(o.SndBuf), nil
	case linux.SO_RCVBUF:
		return intOpt(o.RcvBuf), nil
	case linux.SO_LINGER:
		b := intOpt(int(o.Linger.Onoff))
		return binary.LittleEndian.AppendUint32(b, uint32(o.Linger.Linger)), nil
	}
	return nil, linux.ENOPROTOOPT
}

// inetSetsockopt is do_tcp_setsockopt (SOL_TCP on a TCP socket) and
// do_ip_setsockopt (SOL_IP): an int at least (EINVAL), keepalive times
// and counts in range (EINVAL); ENOPROTOOPT for other options and
// levels.
func (t *Thread) inetSetsockopt(s *inet.Socket, level, name int32, val uint64, n int32) error {
	tcpOpt := level == linux.IPPROTO_TCP && s.Protocol() == linux.IPPROTO_TCP
	if !tcpOpt && level != linux.IPPROTO_IP {
		return linux.ENOPROTOOPT
	}
	if tcpOpt {
		switch name {
		case linux.TCP_NODELAY, linux.TCP_KEEPIDLE, linux.TCP_KEEPINTVL, linux.TCP_KEEPCNT:
		default:
			return linux.ENOPROTOOPT
		}
	} else if name != linux.IP_TOS && name != linux.IP_TTL {
		return linux.ENOPROTOOPT
	}
	if n < 4 {
		return linux.EINVAL
	}
	v, err := t.getInt32(val)
	if err != nil {
		return err
	}
	var e linux.Errno
	s.Options(func(o *inet.Opts) {
		inRange := func(max int32) bool {
			if v < 1 || v > max {
				e = linux.EINVAL
				return false
			}
			return true
		}
		switch {
		case tcpOpt && name == linux.TCP_NODELAY:
			o.NoDelay = v != 0
		case tcpOpt && name == linux.TCP_KEEPIDLE:
			if inRange(inet.MaxKeepIdle) {
				o.KeepIdle = int(v)
			}
		case tcpOpt && name == linux.TCP_KEEPINTVL:
			if inRange(inet.MaxKeepIntvl) {
				o.KeepIntvl = int(v)
			}
		case tcpOpt && name == linux.TCP_KEEPCNT:
			if inRange(inet.MaxKeepCnt) {
				o.KeepCnt = int(v)
			}
		case name == linux.IP_TTL:
			if v != -1 && (v < 1 || v > 255) {
				e = linux.EINVAL
				return
			}
			o.TTL = int(v)
		case name == linux.IP_TOS:
			tos := int(v) & 0xff
			if s.Type() == linux.SOCK_STREAM {
				tos = tos&^3 | o.TOS&3 // the ECN bits are TCP's own
			}
			o.TOS = tos
		}
	})
	return errOf(e)
}

// inetOptGet is do_tcp_getsockopt and do_ip_getsockopt for the options
// inetSetsockopt takes, and TCP_MAXSEG; a level neither has is
// EOPNOTSUPP (setsockopt says ENOPROTOOPT).
func inetOptGet(s *inet.Socket, level, name int32) ([]byte, error) {
	var o inet.Opts
	s.Options(func(p *inet.Opts) { o = *p })
	tcpOpt := level == linux.IPPROTO_TCP && s.Protocol() == linux.IPPROTO_TCP
	switch {
	case tcpOpt && name == linux.TCP_NODELAY:
		return intOpt(b2i(o.NoDelay)), nil
	case tcpOpt && name == linux.TCP_KEEPIDLE:
		return intOpt(o.KeepIdle), nil
	case tcpOpt && name == linux.TCP_KEEPINTVL:
		return intOpt(o.KeepIntvl), nil
	case tcpOpt && name == linux.TCP_KEEPCNT:
		return intOpt(o.KeepCnt), nil
	case tcpOpt && name == linux.TCP_MAXSEG:
		return intOpt(s.MSS()), nil
	case level == linux.IPPROTO_IP && name == linux.IP_TTL:
		if o.TTL == -1 {
			return intOpt(64), nil
		}
		return intOpt(o.TTL), nil
	case level == linux.IPPROTO_IP && name == linux.IP_TOS:
		return intOpt(o.TOS), nil
	case !tcpOpt && level != linux.IPPROTO_IP:
		return nil, linux.EOPNOTSUPP // do_ip_getsockopt's answer to a level not its own
	}
	return nil, linux.ENOPROTOOPT
}

// sockIoctl is sock_ioctl for the calls sockets answer: SIOCINQ
// (FIONREAD) and SIOCOUTQ, and the interface calls on lo, which any
// socket takes.
func (t *Thread) sockIoctl(sf *socketFile, req, arg uint64) (uint64, error) {
	switch req {
	case linux.SIOCINQ, linux.SIOCOUTQ:
		var n int
		var e linux.Errno
		switch {
		case sf.in != nil && req == linux.SIOCINQ:
			n, e = sf.in.Queued()
		case sf.in != nil:
			n, e = sf.in.Unsent()
		case req == linux.SIOCINQ:
			n = sf.s.Queued()
		}
		if e != 0 {
			return 0, e
		}
		return 0, t.putInt32(arg, int32(n))
	case linux.SIOCGIFFLAGS, linux.SIOCSIFFLAGS, linux.SIOCGIFINDEX:
		return 0, t.ifreqIoctl(req, arg)
	case linux.SIOCGIFCONF:
		return 0, t.ifconf(arg)
	}
	return 0, linux.ENOTTY
}

// loIndex is lo's interface index.
const loIndex = 1

// ifreqIoctl is dev_ioctl's SIOCGIFFLAGS, SIOCSIFFLAGS (CAP_NET_ADMIN,
// else EPERM) and SIOCGIFINDEX: lo is the one device (ENODEV for any
// other name).
func (t *Thread) ifreqIoctl(req, arg uint64) error {
	if req == linux.SIOCSIFFLAGS && !t.creds().Capable(linux.CAP_NET_ADMIN) {
		return linux.EPERM
	}
	var r [40]byte
	if err := t.p.as.CopyIn(r[:], arg); err != nil {
		return err
	}
	r[linux.IFNAMSIZ-1] = 0
	name := r[:linux.IFNAMSIZ]
	if string(name[:3]) != "lo\x00" {
		return linux.ENODEV
	}
	switch req {
	case linux.SIOCGIFFLAGS:
		binary.LittleEndian.PutUint16(r[16:], inet.LoopbackFlags())
	case linux.SIOCSIFFLAGS:
		inet.SetLoopbackFlags(binary.LittleEndian.Uint16(r[16:]))
		unixsock.Notify()
		return nil
	case linux.SIOCGIFINDEX:
		binary.LittleEndian.PutUint32(r[16:], loIndex)
	}
	return t.p.as.CopyOut(arg, r[:])
}

// ifconf is SIOCGIFCONF (inet_gifconf): an entry for lo's 127.0.0.1
// while lo is up; with a NULL buffer only the length needed.
func (t *Thread) ifconf(arg uint64) error {
	var c [16]byte
	if err := t.p.as.CopyIn(c[:], arg); err != nil {
		return err
	}
	room := int32(binary.LittleEndian.Uint32(c[:]))
	buf := binary.LittleEndian.Uint64(c[8:])
	var entries [][]byte
	if inet.LoopbackFlags()&linux.IFF_UP != 0 {
		e := make([]byte, 40)
		copy(e, "lo")
		copy(e[16:], inet.Sockaddr(inet.Addr{IP: linux.INADDR_LOOPBACK}))
		entries = append(entries, e)
	}
	done := 0
	for _, e := range entries {
		if buf != 0 {
			if int(room)-done < len(e) {
				break
			}
			if err := t.p.as.CopyOut(buf+uint64(done), e); err != nil {
				return err
			}
		}
		done += len(e)
	}
	binary.LittleEndian.PutUint32(c[:], uint32(done))
	return t.p.as.CopyOut(arg, c[:4])
}
