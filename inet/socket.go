// Package inet holds the rules of Internet (AF_INET) sockets on the one
// interface Sigil has, the loopback, as Linux 6.1's net/ipv4 has them:
// TCP (af_inet.c, inet_connection_sock.c, tcp.c, tcp_input.c's state
// changes) and UDP (udp.c): address and port binding with SO_REUSEADDR
// and SO_REUSEPORT, ephemeral ports, listen backlogs, connections made
// at once (a loopback handshake needs no time), FIN and RST as state
// changes of the other end, byte streams and datagram queues, and
// readiness. Like package unixsock it never blocks: an operation that
// must wait returns EAGAIN and the caller waits for unixsock.Changed,
// which this package's changes close too (unixsock.Notify).
//
// One lock, mu, guards the state of every socket, the port buckets and
// lo's flags, so operations on two sockets (connect, send) need no lock
// order. Lock order: mu, then unixsock's lock (inside Notify).
package inet

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/unixsock"
)

var (
	mu      sync.Mutex
	inodes  atomic.Uint64
	loFlags = uint16(linux.IFF_UP | linux.IFF_LOOPBACK | linux.IFF_RUNNING) // guarded by mu
)

// inoBase keeps this package's inode numbers apart from unixsock's.
const inoBase = 1 << 40

// notify wakes every waiter; called with mu held.
func notify() { unixsock.Notify() }

// asyncEvents are the O_ASYNC events recorded under mu (sk_wake_async),
// told by tellAsync, which each call that records some defers before it
// takes mu.
var asyncEvents unixsock.AsyncEvents

// wakeAsync records that s's O_ASYNC owners are to hear reason. mu held.
func (s *Socket) wakeAsync(reason int32) { asyncEvents.Record(s.async, reason) }

func tellAsync() { asyncEvents.Tell(&mu) }

// SetAsync makes a tell of s's events for O_ASYNC (the socket file's
// fasync).
func (s *Socket) SetAsync(a unixsock.Async) {
	mu.Lock()
	s.async = a
	mu.Unlock()
}

// TCP states (sk_state), as far as a loopback connection goes through
// them: FIN_WAIT and CLOSE_WAIT are Established with sentFin or gotFin,
// and TIME_WAIT is Close (the port is not held after).
const (
	stateClose = iota
	stateListen
	stateSynSent // waiting for room in a full accept queue
	stateEstablished
)

// socket->state: what connect has done.
const (
	ssUnconnected = iota
	ssConnecting
	ssConnected
)

// Shutdown bits (RCV_SHUTDOWN, SEND_SHUTDOWN).
const (
	rcvShutdown  = 1
	sendShutdown = 2
	shutdownMask = rcvShutdown | sendShutdown
)

// somaxconn is net.core.somaxconn, listen's ceiling.
const somaxconn = 4096

// Default buffer sizes: tcp_wmem[1] and tcp_rmem[1] for TCP,
// net.core.wmem_default and rmem_default for UDP.
const (
	tcpSndBuf = 16384
	tcpRcvBuf = 131072
	udpBuf    = 212992
)

// Keepalive defaults and limits (include/net/tcp.h).
const (
	KeepIdleDefault  = 7200
	KeepIntvlDefault = 75
	KeepCntDefault   = 9
	MaxKeepIdle      = 32767
	MaxKeepIntvl     = 32767
	MaxKeepCnt       = 127
)

// Opts are a socket's options that change nothing on the loopback but
// are kept and reported, and those the binding rules read. Guarded by
// mu (reached through Socket.Options).
type Opts struct {
	ReuseAddr, ReusePort, KeepAlive, Broadcast, NoDelay, PassCred bool
	KeepIdle, KeepIntvl, KeepCnt                                  int
	Linger                                                        linux.Linger
	SndBuf, RcvBuf                                                int
	TTL                                                           int // -1: the default, 64
	TOS                                                           int
}

// Socket is one AF_INET socket. typ, proto, Ino and uid never change;
// every other field is guarded by mu.
type Socket struct {
	typ   int    // linux.SOCK_STREAM or SOCK_DGRAM
	proto int    // linux.IPPROTO_TCP or IPPROTO_UDP
	Ino   uint64 // the inode number /proc and fstat show
	uid   uint32 // the owner SO_REUSEPORT compares (sock_i_uid)

	state    int
	conn     int    // ssUnconnected, ssConnecting, ssConnected
	local    Addr   // inet_rcv_saddr and inet_sport, what getsockname shows
	num      uint16 // the port s holds in its bucket (inet_num; 0: none)
	bindPort bool   // the port was bound by the user (SOCK_BINDPORT_LOCK)
	bindAddr bool   // the address was (SOCK_BINDADDR_LOCK)
	remote   Addr
	peer     *Socket          // a connection's other end; nil once it is gone
	async    unixsock.Async   // O_ASYNC's listeners, nil until the file asks
	nospace  unixsock.NoSpace // a send found no room
	sentFin  bool             // this end has sent its FIN (SEND_SHUTDOWN by shutdown or close)
	gotFin   bool             // the other end's FIN came (SOCK_DONE)
	shutdown int
	err      linux.Errno // sk_err
	dead     bool        // closed by its last descriptor (an orphan if still connected)

	rcv    []byte     // a stream's unread bytes
	dgrams []datagram // a UDP socket's queue
	rmem   int        // what dgrams cost against RcvBuf

	listener *Socket   // the listener a connector waits on (stateSynSent)
	backlog  []*Socket // a listener's connections not yet accepted
	pending  []*Socket // connectors waiting for room in backlog
	maxBack  int

	opts Opts
}

// datagram is one queued UDP message.
type datagram struct {
	data []byte
	from Addr
}

// truesize is what a datagram costs its receiver beside its bytes
// (an sk_buff's overhead on Linux).
const truesize = 768

// Create is inet_create for the types Sigil has: a stream socket is TCP
// (protocol 0 or IPPROTO_TCP), a datagram socket UDP (0 or
// IPPROTO_UDP); another protocol is EPROTONOSUPPORT, SOCK_RAW too (no
// raw sockets), other types ESOCKTNOSUPPORT. uid owns the socket.
func Create(typ, protocol int, uid uint32) (*Socket, linux.Errno) {
	s := &Socket{typ: typ, Ino: inoBase + inodes.Add(1), uid: uid}
	s.opts = Opts{KeepIdle: KeepIdleDefault, KeepIntvl: KeepIntvlDefault, KeepCnt: KeepCntDefault, TTL: -1}
	switch {
	case typ == linux.SOCK_STREAM && (protocol == 0 || protocol == linux.IPPROTO_TCP):
		s.proto = linux.IPPROTO_TCP
		s.opts.SndBuf, s.opts.RcvBuf = tcpSndBuf, tcpRcvBuf
	case typ == linux.SOCK_DGRAM && (protocol == 0 || protocol == linux.IPPROTO_UDP):
		s.proto = linux.IPPROTO_UDP
		s.opts.SndBuf, s.opts.RcvBuf = udpBuf, udpBuf
	case typ == linux.SOCK_STREAM || typ == linux.SOCK_DGRAM || typ == linux.SOCK_RAW:
		return nil, linux.EPROTONOSUPPORT
	default:
		return nil, linux.ESOCKTNOSUPPORT
	}
	return s, 0
}

// Type is SO_TYPE; Protocol is SO_PROTOCOL.
func (s *Socket) Type() int     { return s.typ }
func (s *Socket) Protocol() int { return s.proto }

func (s *Socket) tcp() bool { return s.proto == linux.IPPROTO_TCP }

// Options runs f on the socket's options under the lock.
func (s *Socket) Options(f func(o *Opts)) {
	mu.Lock()
	f(&s.opts)
	notify()
	mu.Unlock()
}

// LoopbackFlags is lo's SIOCGIFFLAGS.
func LoopbackFlags() uint16 {
	mu.Lock()
	defer mu.Unlock()
	return loFlags
}

// SetLoopbackFlags is SIOCSIFFLAGS on lo: IFF_UP may be changed (the
// rest is what lo is). While lo is down, 127.0.0.0/8 is no local
// address and no destination (EADDRNOTAVAIL, ENETUNREACH), as on Linux;
// connections already made stay.
func SetLoopbackFlags(f uint16) {
	mu.Lock()
	defer mu.Unlock()
	loFlags = loFlags&^linux.IFF_UP | f&linux.IFF_UP
	if loFlags&linux.IFF_UP != 0 {
		loFlags |= linux.IFF_RUNNING
	} else {
		loFlags &^= linux.IFF_RUNNING
	}
}

func loUp() bool { return loFlags&linux.IFF_UP != 0 }

// takeErr is sock_error: the pending error, cleared.
func (s *Socket) takeErr() linux.Errno {
	e := s.err
	s.err = 0
	return e
}

// TakeError is SO_ERROR.
func (s *Socket) TakeError() linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	return s.takeErr()
}

// Listening is SO_ACCEPTCONN.
func (s *Socket) Listening() bool {
	mu.Lock()
	defer mu.Unlock()
	return s.state == stateListen
}

// Bind is __inet_bind: EADDRNOTAVAIL for an address that is not local
// (127.0.0.0/8 while lo is up, INADDR_ANY, broadcast and multicast
// addresses are), EACCES for a port below 1024 without privileged
// (CAP_NET_BIND_SERVICE), EINVAL if s is bound or not closed,
// EADDRINUSE when the binding rules refuse the port (or no ephemeral
// port is free).
func (s *Socket) Bind(a Addr, privileged bool) linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	kind := addrKind(a.IP, loUp())
	if kind == kindUnicast {
		return linux.EADDRNOTAVAIL
	}
	if a.Port != 0 && a.Port < PrivilegedBelow && !privileged {
		return linux.EACCES
	}
	if s.state != stateClose || s.num != 0 {
		return linux.EINVAL
	}
	s.local.IP = a.IP
	if e := s.getPort(a.Port); e != 0 {
		s.local.IP = 0
		return linux.EADDRINUSE
	}
	s.bindAddr = a.IP != linux.INADDR_ANY
	s.bindPort = a.Port != 0
	notify()
	return 0
}

// Name is getsockname's address.
func (s *Socket) Name() Addr {
	mu.Lock()
	defer mu.Unlock()
	return s.local
}

// PeerName is getpeername's address (inet_getname): ENOTCONN without a
// peer port, or for TCP while closed or connecting.
func (s *Socket) PeerName() (Addr, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if s.remote.Port == 0 || s.tcp() && (s.state == stateClose || s.state == stateSynSent) {
		return Addr{}, linux.ENOTCONN
	}
	return s.remote, 0
}

// Close releases the socket (inet_release, tcp_close, udp_destroy_sock):
// a listener's unaccepted connections are reset and its waiting
// connectors refused; a connection sends RST when unread data is left
// or SO_LINGER is on with time 0, else FIN; the port is freed.
func (s *Socket) Close() {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if s.dead {
		return
	}
	s.dead = true
	s.stopWaiting()
	if p := s.peer; p != nil {
		if len(s.rcv) > 0 || s.opts.Linger.Onoff != 0 && s.opts.Linger.Linger == 0 {
			p.reset()
			s.peer = nil
		} else {
			s.sendFin()
		}
	}
	s.shutdown = shutdownMask
	s.rcv, s.dgrams, s.rmem = nil, nil, 0
	s.unhash()
	notify()
}

// stopWaiting ends what a listener or a waiting connector waits for.
func (s *Socket) stopWaiting() {
	switch s.state {
	case stateListen:
		s.stopListening()
	case stateSynSent:
		s.leaveListener()
	}
}

// leaveListener takes a waiting connector off its listener's list.
func (s *Socket) leaveListener() {
	l := s.listener
	if l == nil {
		return
	}
	for i, c := range l.pending {
		if c == s {
			l.pending = append(l.pending[:i:i], l.pending[i+1:]...)
			break
		}
	}
	s.listener = nil
}

// stopListening is inet_csk_listen_stop: connections not yet accepted
// are reset, connectors still waiting are refused.
func (s *Socket) stopListening() {
	for _, n := range s.backlog {
		n.dead = true
		if p := n.peer; p != nil {
			p.reset()
		}
		n.peer = nil
		n.unhash()
	}
	for _, c := range s.pending {
		c.listener = nil
		c.refuse(linux.ECONNREFUSED)
	}
	s.backlog, s.pending = nil, nil
	s.state = stateClose
}

// reset is tcp_reset: an RST came from the other end. The error is
// ECONNREFUSED while connecting, EPIPE in CLOSE_WAIT, ECONNRESET
// otherwise; then tcp_done.
func (s *Socket) reset() {
	switch {
	case s.state == stateClose:
		return
	case s.state == stateSynSent:
		s.err = linux.ECONNREFUSED
	case s.gotFin && !s.sentFin:
		s.err = linux.EPIPE
	default:
		s.err = linux.ECONNRESET
	}
	s.done()
	s.wakeAsync(linux.POLL_ERR) // sk_error_report
}

// done is tcp_done: closed, both directions shut, the other end gone.
// A port the user did not bind goes with the connection.
func (s *Socket) done() {
	s.state = stateClose
	s.shutdown = shutdownMask
	if p := s.peer; p != nil && p.peer == s {
		p.peer = nil
	}
	s.peer = nil
}

// refuse ends a connect with e (an RST answering the SYN).
func (s *Socket) refuse(e linux.Errno) {
	s.err = e
	s.state = stateClose
	s.shutdown = shutdownMask
}

// sendFin is this end's FIN (tcp_send_fin): the other end sees the end
// of the stream; when both ends have sent theirs, both are closed.
func (s *Socket) sendFin() {
	if s.sentFin {
		return
	}
	s.sentFin = true
	s.shutdown |= sendShutdown
	p := s.peer
	if p == nil {
		return
	}
	p.gotFin = true
	p.shutdown |= rcvShutdown
	if p.sentFin {
		p.done()
		s.done()
	}
	// tcp_fin: the end of the stream to read, or the end of both.
	if p.shutdown == shutdownMask {
		p.wakeAsync(linux.POLL_HUP)
	} else {
		p.wakeAsync(linux.POLL_IN)
	}
}

// Shutdown is inet_shutdown: how is SHUT_RD, SHUT_WR or SHUT_RDWR (else
// EINVAL). A closed socket gets the bits and ENOTCONN; a listener shut
// for reading stops listening; a connector stops; a connection shut for
// writing sends its FIN.
func (s *Socket) Shutdown(how int) linux.Errno {
	how++
	if how&^shutdownMask != 0 || how == 0 {
		return linux.EINVAL
	}
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	defer notify()
	if s.conn == ssConnecting && s.state != stateEstablished {
		s.conn = ssUnconnected
	}
	switch s.state {
	case stateClose:
		s.shutdown |= how
		return linux.ENOTCONN
	case stateListen:
		if how&rcvShutdown != 0 {
			s.disconnect()
		}
		return 0
	case stateSynSent:
		s.disconnect()
		return 0
	}
	s.shutdown |= how
	if s.tcp() && how&sendShutdown != 0 {
		s.sendFin()
	}
	return 0
}

// disconnect is tcp_disconnect and udp_disconnect (connect to
// AF_UNSPEC, and shutdown of a listener or connector): listening stops,
// a connection is reset, and the socket is closed and unconnected again,
// keeping only what the user bound.
func (s *Socket) disconnect() {
	s.stopWaiting()
	if p := s.peer; p != nil {
		p.reset()
		s.peer = nil
	}
	s.state, s.conn = stateClose, ssUnconnected
	s.shutdown, s.err = 0, 0
	s.sentFin, s.gotFin = false, false
	s.remote = Addr{}
	s.rcv = nil
	if !s.bindAddr {
		s.local.IP = 0
	}
	if !s.bindPort {
		s.unhash()
		if !s.tcp() {
			s.local.Port = 0
		}
	}
}

// Poll is tcp_poll and udp_poll: the EPOLL* bits ready now.
func (s *Socket) Poll() uint32 {
	mu.Lock()
	defer mu.Unlock()
	var m uint32
	if !s.tcp() {
		if s.err != 0 {
			m |= linux.EPOLLERR
		}
		if s.shutdown&rcvShutdown != 0 {
			m |= linux.EPOLLRDHUP | linux.EPOLLIN | linux.EPOLLRDNORM
		}
		if s.shutdown == shutdownMask {
			m |= linux.EPOLLHUP
		}
		if len(s.dgrams) > 0 {
			m |= linux.EPOLLIN | linux.EPOLLRDNORM
		}
		return m | linux.EPOLLOUT | linux.EPOLLWRNORM | linux.EPOLLWRBAND
	}
	if s.state == stateListen {
		if len(s.backlog) > 0 {
			return linux.EPOLLIN | linux.EPOLLRDNORM
		}
		return 0
	}
	if s.shutdown == shutdownMask || s.state == stateClose {
		m |= linux.EPOLLHUP
	}
	if s.shutdown&rcvShutdown != 0 {
		m |= linux.EPOLLIN | linux.EPOLLRDNORM | linux.EPOLLRDHUP
	}
	if s.state != stateSynSent {
		if len(s.rcv) > 0 {
			m |= linux.EPOLLIN | linux.EPOLLRDNORM
		}
		if s.shutdown&sendShutdown != 0 || s.writable() {
			m |= linux.EPOLLOUT | linux.EPOLLWRNORM
		}
	}
	if s.err != 0 {
		m |= linux.EPOLLERR
	}
	return m
}

// room is how many more bytes a send may put in the other end's
// receive buffer now: what its receive buffer and this end's send
// buffer hold together (Linux keeps the excess in the send queue).
func (s *Socket) room() int {
	p := s.peer
	if p == nil || p.dead {
		return s.opts.SndBuf
	}
	return p.opts.RcvBuf + s.opts.SndBuf - len(p.rcv)
}

// writeSpace is sk_stream_write_space: once a stream a send found full
// is writable again, its O_ASYNC owners hear POLL_OUT, once (sock_wake_async's
// SOCK_WAKE_SPACE clears the flag it tests), unless it is shut for
// writing. mu held; the caller tells them (tellAsync) after.
func (s *Socket) writeSpace() {
	if s.nospace.Wake(s.async, s.shutdown&sendShutdown == 0 && s.writable()) {
		s.wakeAsync(linux.POLL_OUT)
	}
}

// WaitSpace is called before a send blocks for room: a writer that waits
// clears the flag full set (sk_stream_wait_memory clears it before it
// sleeps), so only one that did not wait hears POLL_OUT.
func (s *Socket) WaitSpace() {
	mu.Lock()
	s.nospace.Waited()
	mu.Unlock()
}

// writable is sk_stream_is_writeable: a third of the space free.
func (s *Socket) writable() bool {
	return s.room()*3 >= s.opts.SndBuf+s.peerRcvBuf()
}

func (s *Socket) peerRcvBuf() int {
	if p := s.peer; p != nil && !p.dead {
		return p.opts.RcvBuf
	}
	return 0
}

// Queued is SIOCINQ: a stream's unread bytes (EINVAL while listening),
// or the length of a UDP socket's first datagram.
func (s *Socket) Queued() (int, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if !s.tcp() {
		if len(s.dgrams) == 0 {
			return 0, 0
		}
		return len(s.dgrams[0].data), 0
	}
	if s.state == stateListen {
		return 0, linux.EINVAL
	}
	return len(s.rcv), 0
}

// MSS is TCP_MAXSEG: TCP_MSS_DEFAULT until connected, then the
// loopback's (its 65536-byte MTU less the IP and TCP headers and the
// timestamp option).
func (s *Socket) MSS() int {
	mu.Lock()
	defer mu.Unlock()
	if s.state == stateEstablished {
		return 65483
	}
	return 536
}

// Unsent is SIOCOUTQ: nothing waits to be sent on the loopback (EINVAL
// for a listener).
func (s *Socket) Unsent() (int, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if s.tcp() && s.state == stateListen {
		return 0, linux.EINVAL
	}
	return 0, 0
}
