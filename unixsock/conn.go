package unixsock

import "sigil/linux"

// Listen is unix_listen: EOPNOTSUPP for a datagram socket, EINVAL unless
// s is bound and unconnected (or already listening, when only the backlog
// changes). The listener's credentials are what connecting sockets will
// see as their peer's.
func (s *Socket) Listen(backlog int, cred Cred) linux.Errno {
	if s.typ != Stream && s.typ != SeqPacket {
		return linux.EOPNOTSUPP
	}
	if uint32(backlog) > somaxconn {
		backlog = somaxconn
	}
	mu.Lock()
	defer mu.Unlock()
	if s.addr == nil || s.state != stateClose && s.state != stateListen {
		return linux.EINVAL
	}
	s.maxBack = backlog
	s.state = stateListen
	s.peerCred, s.hasPeerC = cred, true
	notify()
	return 0
}

// PrepareConnect is what connect does before it looks for the other
// socket: with SO_PASSCRED an unnamed socket gets a name.
func (s *Socket) PrepareConnect() linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	if s.passcred && s.addr == nil {
		return s.autobind()
	}
	return 0
}

// Connect connects stream or seqpacket socket s to listener l
// (unix_stream_connect): ECONNREFUSED unless l listens, EAGAIN while its
// backlog is full, EISCONN if s is connected, EINVAL if it listens. The
// new connection waits in l's backlog for accept; cred is the connecting
// process's.
func (s *Socket) Connect(l *Socket, cred Cred) linux.Errno {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if l.dead || l.state != stateListen || l.shutdown&rcvShutdown != 0 {
		return linux.ECONNREFUSED
	}
	if l.recvqFull() {
		return linux.EAGAIN
	}
	switch s.state {
	case stateEstablished:
		return linux.EISCONN
	case stateListen:
		return linux.EINVAL
	}
	n := New(s.typ, cred)
	n.state, n.peer = stateEstablished, s
	n.peerCred, n.hasPeerC = cred, true
	n.addr = l.addr
	s.state, s.peer = stateEstablished, n
	s.peerCred, s.hasPeerC = l.peerCred, true
	l.backlog = append(l.backlog, n)
	l.wakeAsync(linux.POLL_IN)
	notify()
	return 0
}

// Accept takes a connection from listener s (unix_accept): EOPNOTSUPP for
// a datagram socket, EINVAL unless s listens (or after shutdown), EAGAIN
// while none waits. The accepted socket inherits SO_PASSCRED.
func (s *Socket) Accept() (*Socket, linux.Errno) {
	if s.typ != Stream && s.typ != SeqPacket {
		return nil, linux.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	if s.state != stateListen {
		return nil, linux.EINVAL
	}
	if len(s.backlog) == 0 {
		if e := s.takeErr(); e != 0 {
			return nil, e
		}
		if s.shutdown&rcvShutdown != 0 {
			return nil, linux.EINVAL
		}
		return nil, linux.EAGAIN
	}
	n := s.backlog[0]
	s.backlog = s.backlog[1:]
	n.passcred = s.passcred
	notify()
	return n, 0
}

// ConnectDgram sets (other non-nil) or dissolves (nil) a datagram
// socket's association (unix_dgram_connect): EPERM if other is associated
// with a third socket. Messages queued from a previous peer are dropped,
// and that peer, if associated back, sees ECONNRESET.
func (s *Socket) ConnectDgram(other *Socket) linux.Errno {
	defer tellAsync()
	mu.Lock()
	if other != nil {
		if other.dead {
			mu.Unlock()
			return linux.ECONNREFUSED
		}
		if !s.maySend(other) {
			mu.Unlock()
			return linux.EPERM
		}
		s.state, other.state = stateEstablished, stateEstablished
	}
	old := s.peer
	s.peer = other
	var drop []Right
	if other == nil {
		s.state = stateClose
	}
	if old != nil && old != other {
		drop = s.disconnected(old)
		if old.peer == nil {
			old.state = stateClose
		}
	}
	notify()
	mu.Unlock()
	for _, r := range drop {
		r.Release()
	}
	return 0
}

// maySend is unix_may_send: other takes datagrams from anyone unless it
// is associated, and then only from its peer.
func (s *Socket) maySend(other *Socket) bool { return other.peer == nil || other.peer == s }

// disconnected is unix_dgram_disconnected: s no longer talks to old, so
// its queue is purged, and old sees ECONNRESET if it was associated with
// s. It returns the dropped rights.
func (s *Socket) disconnected(old *Socket) []Right {
	if len(s.queue) == 0 {
		return nil
	}
	var drop []Right
	for _, m := range s.queue {
		drop = append(drop, m.rights...)
		m.uncharge()
	}
	s.queue = nil
	if !old.dead && old.peer == s {
		old.err = linux.ECONNRESET
	}
	return drop
}

// PeerCred is SO_PEERCRED: the credentials of the process that made the
// pair, connected, or listened; ok is false when there are none (Linux
// then reports pid 0 and the overflow ids).
func (s *Socket) PeerCred() (c Cred, ok bool) {
	mu.Lock()
	defer mu.Unlock()
	return s.peerCred, s.hasPeerC
}

// Listening is SO_ACCEPTCONN.
func (s *Socket) Listening() bool {
	mu.Lock()
	defer mu.Unlock()
	return s.state == stateListen
}

// Connected tells whether s has a connection (for seqpacket calls'
// ENOTCONN and the like).
func (s *Socket) Connected() bool {
	mu.Lock()
	defer mu.Unlock()
	return s.state == stateEstablished
}

// TakeError is SO_ERROR: the pending error, cleared.
func (s *Socket) TakeError() linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	return s.takeErr()
}

// SetPassCred sets SO_PASSCRED.
func (s *Socket) SetPassCred(on bool) {
	mu.Lock()
	s.passcred = on
	mu.Unlock()
}

// PassCred is SO_PASSCRED.
func (s *Socket) PassCred() bool {
	mu.Lock()
	defer mu.Unlock()
	return s.passcred
}

// SetBuf is setsockopt's SO_SNDBUF (send) or SO_RCVBUF: the value, taken
// as unsigned and capped at MaxBuf, doubled, and at least the minimum
// (sock_setsockopt).
func (s *Socket) SetBuf(send bool, val int32) {
	v := BufValue(send, val)
	mu.Lock()
	if send {
		s.sndbuf = v
	} else {
		s.rcvbuf = v
	}
	notify()
	mu.Unlock()
}

// BufValue is the buffer size setsockopt's SO_SNDBUF (send) or
// SO_RCVBUF value val makes, for any family: taken as unsigned, capped
// at MaxBuf, doubled, and at least the minimum (sock_setsockopt).
func BufValue(send bool, val int32) int {
	v := int(min(uint32(val), MaxBuf)) * 2
	if send {
		return max(v, MinSndBuf)
	}
	return max(v, MinRcvBuf)
}

// Buf is SO_SNDBUF (send) or SO_RCVBUF.
func (s *Socket) Buf(send bool) int {
	mu.Lock()
	defer mu.Unlock()
	if send {
		return s.sndbuf
	}
	return s.rcvbuf
}
