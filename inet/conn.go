package inet

import "sigil/linux"

// Listen is inet_listen: EINVAL unless s is an unconnected stream
// socket that is closed or listening (then only the backlog changes);
// the port is checked again (inet_csk_listen_start), or an ephemeral one
// taken for an unbound socket: EADDRINUSE. The caller has refused
// datagram sockets (EOPNOTSUPP).
func (s *Socket) Listen(backlog int) linux.Errno {
	if uint32(backlog) > somaxconn {
		backlog = somaxconn
	}
	mu.Lock()
	defer mu.Unlock()
	if s.conn != ssUnconnected || s.state != stateClose && s.state != stateListen {
		return linux.EINVAL
	}
	s.maxBack = backlog
	if s.state == stateListen {
		return 0
	}
	if s.num == 0 {
		if e := s.getPort(0); e != 0 {
			return e
		}
	} else if s.conflictAtListen() {
		return linux.EADDRINUSE
	}
	s.state = stateListen
	s.shutdown = 0
	notify()
	return 0
}

// conflictAtListen is get_port's check when a bound socket starts
// listening: now it is a listener, SO_REUSEADDR no longer shares.
func (s *Socket) conflictAtListen() bool {
	s.state = stateListen
	defer func() { s.state = stateClose }()
	for _, o := range buckets[bucketKey{s.proto, s.num}] {
		if o == s || !overlap(s.local.IP, o.local.IP) {
			continue
		}
		if s.opts.ReusePort && o.opts.ReusePort && s.uid == o.uid {
			continue
		}
		if s.opts.ReuseAddr && o.opts.ReuseAddr && o.state != stateListen {
			continue
		}
		return true
	}
	return false
}

// findListener is __inet_lookup_listener: the listening TCP socket for
// destination a, one bound to a's address before one bound to
// INADDR_ANY.
func findListener(a Addr) *Socket {
	var best *Socket
	for _, o := range buckets[bucketKey{linux.IPPROTO_TCP, a.Port}] {
		if o.state != stateListen || o.dead {
			continue
		}
		if o.local.IP == a.IP {
			return o
		}
		if o.local.IP == linux.INADDR_ANY && best == nil {
			best = o
		}
	}
	return best
}

// Connect starts a TCP connection or sets a UDP socket's peer
// (__inet_stream_connect, ip4_datagram_connect). For TCP: EISCONN when
// connected (or listening), EALREADY while a non-blocking connect waits,
// ENETUNREACH for a destination off the loopback, EADDRNOTAVAIL when no
// ephemeral port is free. The handshake is done at once: a listener with
// room takes the connection into its backlog, no listener refuses it
// (ECONNREFUSED), a full backlog makes the connector wait. Non-blocking,
// the first call says EINPROGRESS, as Linux's does before the loopback's
// answer is processed; blocking, EAGAIN means wait and call ConnectWait.
func (s *Socket) Connect(dst Addr, nonblock bool) linux.Errno {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if !s.tcp() {
		return s.connectDgram(dst)
	}
	switch s.conn {
	case ssConnected:
		return linux.EISCONN
	case ssConnecting:
		return s.connectProgress(nonblock, linux.EALREADY)
	}
	if s.state != stateClose {
		return linux.EISCONN
	}
	ip, src, e := route(dst.IP, loUp())
	if e != 0 {
		return e
	}
	if s.local.IP == linux.INADDR_ANY {
		s.local.IP = src
	}
	if s.num == 0 {
		port := s.freePort(true)
		if port == 0 {
			if !s.bindAddr {
				s.local.IP = 0
			}
			return linux.EADDRNOTAVAIL
		}
		s.local.Port = port
		addToBucket(s)
	}
	s.remote = Addr{ip, dst.Port}
	s.conn = ssConnecting
	s.state = stateSynSent
	s.shutdown, s.err, s.sentFin, s.gotFin = 0, 0, false, false
	if l := findListener(s.remote); l == nil {
		s.refuse(linux.ECONNREFUSED)
	} else if len(l.backlog) > l.maxBack {
		s.listener = l
		l.pending = append(l.pending, s)
	} else {
		l.establish(s)
	}
	notify()
	if nonblock {
		return linux.EINPROGRESS
	}
	return s.connectProgress(false, 0)
}

// ConnectWait is a blocking connect's wait: 0 once connected, the error
// if the connection failed, EAGAIN while it waits.
func (s *Socket) ConnectWait() linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	return s.connectProgress(false, 0)
}

// connectProgress is the end of __inet_stream_connect: still waiting
// (pending when non-blocking, else EAGAIN), failed (the error, or
// ECONNABORTED, and the socket disconnected), or connected.
func (s *Socket) connectProgress(nonblock bool, pending linux.Errno) linux.Errno {
	switch s.state {
	case stateSynSent:
		if nonblock {
			return pending
		}
		return linux.EAGAIN
	case stateClose:
		e := s.takeErr()
		if e == 0 {
			e = linux.ECONNABORTED
		}
		s.disconnect()
		return e
	}
	s.conn = ssConnected
	return 0
}

// establish makes the connection of connector c to listener l: the new
// socket, a copy of the listener's options, waits in the backlog.
func (l *Socket) establish(c *Socket) {
	n := &Socket{typ: l.typ, proto: l.proto, Ino: inoBase + inodes.Add(1), uid: l.uid,
		state: stateEstablished, conn: ssConnected, local: Addr{c.remote.IP, l.local.Port},
		remote: c.local, peer: c, listener: l, opts: l.opts}
	addToBucket(n)
	l.backlog = append(l.backlog, n)
	c.peer, c.state, c.listener = n, stateEstablished, nil
	l.wakeAsync(linux.POLL_IN)  // a connection to accept
	c.wakeAsync(linux.POLL_OUT) // tcp_finish_connect
}

// Accept takes a connection from listener s (inet_csk_accept): EINVAL
// unless s listens, EAGAIN while none waits. A connector that waited
// for room gets its connection now. The caller has refused datagram
// sockets (EOPNOTSUPP).
func (s *Socket) Accept() (*Socket, Addr, linux.Errno) {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if s.state != stateListen {
		return nil, Addr{}, linux.EINVAL
	}
	if len(s.backlog) == 0 {
		return nil, Addr{}, linux.EAGAIN
	}
	n := s.backlog[0]
	s.backlog = s.backlog[1:]
	n.listener = nil
	if len(s.pending) > 0 && len(s.backlog) <= s.maxBack {
		c := s.pending[0]
		s.pending = s.pending[1:]
		s.establish(c)
	}
	notify()
	return n, n.remote, 0
}

// Disconnect is connect to AF_UNSPEC (tcp_disconnect, udp_disconnect).
func (s *Socket) Disconnect() {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	s.disconnect()
	notify()
}

// Read is the state of one stream receive, kept across the caller's
// waits (tcp_recvmsg_locked).
type Read struct {
	Size   int  // bytes wanted
	Target int  // complete once this many are copied (1, or Size with MSG_WAITALL)
	Peek   bool // MSG_PEEK: leave the bytes queued
	Data   []byte
}

// ReadStream copies unread bytes of TCP socket s into r. It returns 0
// when the read is complete (r.Data empty at the end of the stream),
// EAGAIN when it must wait, or the error: ENOTCONN for a listener or a
// socket never connected, a pending error (ECONNRESET after a reset).
func (s *Socket) ReadStream(r *Read) linux.Errno {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if s.state == stateListen {
		return linux.ENOTCONN
	}
	if r.Peek {
		r.Data = append(r.Data[:0], s.rcv[:min(len(s.rcv), r.Size)]...)
	} else if n := min(len(s.rcv), r.Size-len(r.Data)); n > 0 {
		r.Data = append(r.Data, s.rcv[:n]...)
		s.rcv = s.rcv[n:]
		if len(s.rcv) == 0 {
			s.rcv = nil
		}
		if p := s.peer; p != nil && p.peer == s {
			p.writeSpace() // the room it sends into grew (tcp_new_space, on the ACK)
		}
		notify()
	}
	target := max(r.Target, 1)
	if len(r.Data) >= target || len(r.Data) == r.Size {
		return 0
	}
	if len(r.Data) > 0 {
		if s.err != 0 || s.state == stateClose || s.shutdown&rcvShutdown != 0 {
			return 0
		}
		return linux.EAGAIN
	}
	switch {
	case s.gotFin:
		return 0
	case s.err != 0:
		return s.takeErr()
	case s.shutdown&rcvShutdown != 0:
		return 0
	case s.state == stateClose:
		return linux.ENOTCONN
	}
	return linux.EAGAIN
}

// SendStream queues as much of b for the other end as there is room
// for (tcp_sendmsg_locked) and returns the bytes taken: EPIPE (the
// caller raises SIGPIPE) when not connected or shut for writing, a
// pending error first, EAGAIN while connecting or when there is no
// room. Bytes sent to an end that has closed are taken and thrown away,
// and its RST resets this end (EPIPE or ECONNRESET on the next call).
func (s *Socket) SendStream(b []byte) (int, linux.Errno) {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if s.state != stateEstablished {
		if s.err != 0 {
			return 0, s.takeErr()
		}
		if s.state == stateSynSent {
			return 0, linux.EAGAIN
		}
		return 0, linux.EPIPE
	}
	if s.err != 0 {
		return 0, s.takeErr()
	}
	if s.shutdown&sendShutdown != 0 {
		return 0, linux.EPIPE
	}
	p := s.peer
	if p == nil {
		return 0, linux.EPIPE
	}
	if p.dead {
		s.reset()
		notify()
		return len(b), 0
	}
	n := min(len(b), s.room())
	if n <= 0 && len(b) > 0 {
		return 0, s.nospace.Full() // sk_stream_wait_memory sets it before its EAGAIN
	}
	p.rcv = append(p.rcv, b[:n]...)
	if n > 0 {
		p.wakeAsync(linux.POLL_IN)
		notify()
	}
	return n, 0
}
