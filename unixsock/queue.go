package unixsock

import "sigil/linux"

// message is one queued sk_buff: bytes (a stream's part-read message
// keeps its unread tail), the rights and credentials it carries, and the
// socket that sent it, whose buffer it is charged to. Guarded by mu.
type message struct {
	data    []byte
	rights  []Right
	cred    Cred // pid 0 and ids 0 when the sender attached none
	from    *Socket
	charged int
}

// uncharge gives the message's cost back to its sender's send buffer
// (sock_wfree), which may tell the sender's O_ASYNC owners of space. mu
// held; the caller tells them (tellAsync) after.
func (m *message) uncharge() {
	m.from.wmem -= m.charged
	m.charged = 0
	m.from.writeSpace()
}

// writeSpace is unix_write_space: once the send buffer is writable again
// (unix_writable) after a send found it full, the O_ASYNC owners hear
// POLL_OUT, once (sock_wake_async's SOCK_WAKE_SPACE clears the flag it
// tests, and only when someone asked for O_ASYNC). mu held.
func (s *Socket) writeSpace() {
	if s.nospace.Wake(s.async, s.writable()) {
		s.wakeAsync(linux.POLL_OUT)
	}
}

// WaitSpace is called before a send blocks for space: a writer that
// waits clears the flag full set (sock_wait_for_wmem), so only one that
// did not wait hears POLL_OUT.
func (s *Socket) WaitSpace() {
	mu.Lock()
	s.nospace.Waited()
	mu.Unlock()
}

// Out is what one send carries besides its bytes.
type Out struct {
	Rights  []Right
	Cred    *Cred // SCM_CREDENTIALS given by the sender, nil if none
	Process Cred  // the sending process's credentials
}

// cred is the credentials a message carries (unix_scm_to_skb,
// maybe_add_creds): those sent explicitly, else the sender's when either
// end has SO_PASSCRED, else none.
func (o *Out) cred(s, other *Socket) Cred {
	if o.Cred != nil {
		return *o.Cred
	}
	if s.passcred || other.passcred {
		return o.Process
	}
	return Cred{}
}

// SendStream queues as much of b on a stream socket's peer as the send
// buffer takes now, each message at most half the buffer
// (unix_stream_sendmsg); o's rights ride with the first message. It
// returns the bytes queued, or ENOTCONN, EPIPE (shut down or peer gone;
// the caller raises SIGPIPE), or EAGAIN when nothing fits yet. Callers
// loop, with o's rights cleared after progress, until all is sent. An
// empty send queues nothing, rights included.
func (s *Socket) SendStream(b []byte, o *Out) (int, linux.Errno) {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	other := s.peer
	if other == nil {
		if s.dead || s.shutdown&sendShutdown != 0 {
			return 0, linux.EPIPE
		}
		return 0, linux.ENOTCONN
	}
	if s.shutdown&sendShutdown != 0 || other.dead || other.shutdown&rcvShutdown != 0 {
		return 0, linux.EPIPE
	}
	sent := 0
	for sent < len(b) && s.wmem < s.sndbuf {
		size := min(len(b)-sent, s.sndbuf/2-64, 64<<10)
		m := &message{data: append([]byte(nil), b[sent:sent+size]...), cred: o.cred(s, other), from: s,
			charged: size + msgOverhead}
		if sent == 0 {
			m.rights = o.Rights
		}
		s.wmem += m.charged
		other.queue = append(other.queue, m)
		sent += size
	}
	if sent == 0 && len(b) > 0 {
		return 0, s.nospace.Full()
	}
	if sent > 0 {
		other.wakeAsync(linux.POLL_IN)
		notify()
	}
	return sent, 0
}

// SendDgram sends b as one message on a datagram or seqpacket socket
// (unix_dgram_sendmsg), to its peer (to nil) or to socket to:
// ENOTCONN without either, EMSGSIZE past the send buffer, EPERM if to is
// associated with another socket, ECONNREFUSED if the peer has closed
// (and s is dissociated) or EPIPE for seqpacket, EPIPE if the receiver
// shut down reading, EAGAIN while the send buffer or the receiver's queue
// is full.
func (s *Socket) SendDgram(b []byte, to *Socket, o *Out) linux.Errno {
	defer tellAsync()
	mu.Lock()
	other := to
	if other == nil {
		other = s.peer
		if other == nil {
			mu.Unlock()
			return linux.ENOTCONN
		}
	}
	if s.passcred && s.addr == nil {
		if e := s.autobind(); e != 0 {
			mu.Unlock()
			return e
		}
	}
	if len(b) > s.sndbuf-32 {
		mu.Unlock()
		return linux.EMSGSIZE
	}
	if s.wmem >= s.sndbuf {
		e := s.nospace.Full()
		mu.Unlock()
		return e
	}
	if !s.maySend(other) {
		mu.Unlock()
		return linux.EPERM
	}
	if other.dead {
		var drop []Right
		err := linux.ECONNREFUSED
		switch {
		case s.typ == SeqPacket:
			err = linux.EPIPE
		case s.peer == other:
			s.peer = nil
			s.state = stateClose
			drop = s.disconnected(other)
			notify()
		}
		mu.Unlock()
		for _, r := range drop {
			r.Release()
		}
		return err
	}
	if other.shutdown&rcvShutdown != 0 {
		mu.Unlock()
		return linux.EPIPE
	}
	if other != s && other.peer != s && other.recvqFull() {
		mu.Unlock()
		return linux.EAGAIN
	}
	m := &message{data: append([]byte(nil), b...), rights: o.Rights, cred: o.cred(s, other), from: s,
		charged: len(b) + msgOverhead}
	s.wmem += m.charged
	other.queue = append(other.queue, m)
	other.wakeAsync(linux.POLL_IN)
	notify()
	mu.Unlock()
	return 0
}

// In is what a receive got besides its bytes.
type In struct {
	Rights  []Right
	Cred    Cred
	From    *Addr // the sender's name (nil: unnamed or none)
	Trunc   bool  // a datagram was longer than the buffer (MSG_TRUNC)
	Len     int   // a datagram's whole length
	HasCred bool  // Cred is set (the receiver has SO_PASSCRED)
}

// Read is the state of one stream receive, kept across the caller's
// waits (unix_stream_read_generic).
type Read struct {
	Size   int  // bytes wanted
	Target int  // complete once this many are copied (1, or Size with MSG_WAITALL)
	Peek   bool // MSG_PEEK: leave the data queued
	Data   []byte
	In     In
}

// ReadStream copies queued bytes of stream socket s into r. It returns
// 0 when the read is complete (r.Data may be empty at end of stream),
// EAGAIN when it must wait for more, or the error to report: EINVAL if s
// is not connected, a pending SO_ERROR. A read stops where the
// credentials of the next message differ (with SO_PASSCRED) and after a
// message that carried rights.
func (s *Socket) ReadStream(r *Read) linux.Errno {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if s.state != stateEstablished && len(r.Data) == 0 {
		return linux.EINVAL
	}
	target := max(r.Target, 1)
	progressed := false
	defer func() {
		if progressed {
			notify()
		}
	}()
	for i := 0; ; {
		if i >= len(s.queue) {
			if r.Peek && i > 0 || len(r.Data) >= target {
				return 0
			}
			if e := s.takeErr(); e != 0 {
				if len(r.Data) > 0 {
					return 0
				}
				return e
			}
			if s.shutdown&rcvShutdown != 0 {
				return 0
			}
			return linux.EAGAIN
		}
		m := s.queue[i]
		if r.In.HasCred {
			if m.cred != r.In.Cred {
				return 0 // never glue messages from different writers
			}
		} else if s.passcred {
			r.In.Cred, r.In.HasCred = m.cred, true
		}
		if m.from.addr != nil {
			r.In.From = m.from.addr
		}
		chunk := min(len(m.data), r.Size-len(r.Data))
		r.Data = append(r.Data, m.data[:chunk]...)
		if r.Peek {
			if len(m.rights) > 0 {
				r.In.Rights = dupRights(m.rights)
				return 0
			}
			i++
			if len(r.Data) == r.Size {
				return 0
			}
			continue
		}
		progressed = true
		m.data = m.data[chunk:]
		rights := m.rights
		if len(rights) > 0 {
			r.In.Rights, m.rights = rights, nil
		}
		if len(m.data) > 0 {
			return 0
		}
		m.uncharge()
		s.queue = s.queue[1:]
		if len(rights) > 0 || len(r.Data) == r.Size {
			return 0
		}
	}
}

func dupRights(rs []Right) []Right {
	out := make([]Right, len(rs))
	for i, r := range rs {
		out[i] = r.Dup()
	}
	return out
}

// ReadDgram takes (or with peek copies) the first message of a datagram
// or seqpacket socket into p (__unix_dgram_recvmsg) and returns the bytes
// copied. An empty queue is EAGAIN (wait), a pending SO_ERROR, or, after
// shutdown for reading, 0 bytes — except a non-blocking datagram socket's
// EAGAIN. A seqpacket socket without a connection is ENOTCONN.
func (s *Socket) ReadDgram(p []byte, peek, nonblock bool) (int, In, linux.Errno) {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	var in In
	if s.typ == SeqPacket && s.state != stateEstablished {
		return 0, in, linux.ENOTCONN
	}
	if len(s.queue) == 0 {
		if e := s.takeErr(); e != 0 {
			return 0, in, e
		}
		if s.shutdown&rcvShutdown != 0 && (!nonblock || s.typ == SeqPacket) {
			return 0, in, 0
		}
		return 0, in, linux.EAGAIN
	}
	m := s.queue[0]
	n := copy(p, m.data)
	in.Len, in.Trunc = len(m.data), n < len(m.data)
	in.From = m.from.addr
	if s.passcred {
		in.Cred, in.HasCred = m.cred, true
	}
	if peek {
		if len(m.rights) > 0 {
			in.Rights = dupRights(m.rights)
		}
		return n, in, 0
	}
	in.Rights = m.rights
	m.rights = nil
	m.uncharge()
	s.queue = s.queue[1:]
	notify()
	return n, in, 0
}

// Queued is FIONREAD/SIOCINQ: a stream socket's unread bytes, or the
// length of a datagram socket's first message.
func (s *Socket) Queued() int {
	mu.Lock()
	defer mu.Unlock()
	if s.typ != Stream {
		if len(s.queue) == 0 {
			return 0
		}
		return len(s.queue[0].data)
	}
	n := 0
	for _, m := range s.queue {
		n += len(m.data)
	}
	return n
}
