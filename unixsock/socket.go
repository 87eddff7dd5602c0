// Package unixsock holds the rules of local (AF_UNIX) sockets as Linux
// 6.1's net/unix/af_unix.c has them: stream, datagram and seqpacket
// sockets, their receive queues with message boundaries, credentials and
// passed rights, connection and listening state, shutdown, the abstract
// name table, and readiness. It never blocks: an operation that must wait
// returns EAGAIN, and the caller (package task) waits for Changed and
// tries again, failing with EINTR or restarting as its signal rules say.
//
// One lock, mu, guards the state of every socket and the name table, so
// operations that touch two sockets (connect, send) need no lock order.
package unixsock

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
)

// Socket types.
const (
	Stream    = linux.SOCK_STREAM
	Dgram     = linux.SOCK_DGRAM
	SeqPacket = linux.SOCK_SEQPACKET
)

// Buffer sizes: net.core.wmem_default/rmem_default and _max of Linux 6.1,
// and SOCK_MIN_SNDBUF/SOCK_MIN_RCVBUF (include/net/sock.h, x86-64).
const (
	DefaultBuf = 212992
	MaxBuf     = 212992
	MinSndBuf  = 4608
	MinRcvBuf  = 2304
)

// maxDgramQlen is net.unix.max_dgram_qlen: a datagram socket's queue is
// full past it (unix_recvq_full), and so is a listener's backlog.
const maxDgramQlen = 10

// somaxconn is net.core.somaxconn, listen's ceiling (__sys_listen).
const somaxconn = 4096

// msgOverhead is what a queued message costs its sender's buffer beside
// its bytes (Linux charges an sk_buff's truesize).
const msgOverhead = 512

// Connection states (Linux's sk_state values for AF_UNIX).
const (
	stateClose = iota
	stateEstablished
	stateListen
)

// Shutdown bits (RCV_SHUTDOWN, SEND_SHUTDOWN).
const (
	rcvShutdown  = 1
	sendShutdown = 2
	shutdownMask = rcvShutdown | sendShutdown
)

// Cred is a process's credentials as SO_PEERCRED and SCM_CREDENTIALS
// carry them.
type Cred struct {
	PID      int32
	UID, GID uint32
}

// Right is a file passed with SCM_RIGHTS, opaque here: Dup takes another
// reference (a peek hands out copies), Release drops one (a message
// thrown away unread).
type Right interface {
	Dup() Right
	Release()
}

var (
	mu      sync.Mutex
	changed = make(chan struct{}) // closed and replaced by notify; guarded by mu
	inodes  atomic.Uint64
	gen     atomic.Uint64 // changes counted by notify
)

// OnChange, when set, runs after every change of any socket's state (the
// kernel wakes poll and epoll with it). It must not call into this
// package.
var OnChange func()

// Changed returns a channel closed at the next change of any socket.
// Fetch it before trying an operation, and wait on it if the operation
// says EAGAIN: a change in between closes it.
func Changed() <-chan struct{} {
	mu.Lock()
	defer mu.Unlock()
	return changed
}

// Generation counts changes of any socket (for edge-triggered epoll).
func Generation() uint64 { return gen.Load() }

// Notify wakes every waiter of Changed, as a change of a socket does.
// Package inet's sockets share this wakeup and Generation, so one wait
// (the caller's sockWait, poll, epoll) serves every family.
func Notify() {
	mu.Lock()
	notify()
	mu.Unlock()
}

// notify wakes every waiter; called with mu held.
func notify() {
	gen.Add(1)
	close(changed)
	changed = make(chan struct{})
	if OnChange != nil {
		OnChange()
	}
}

// Async is who hears of a socket's events for O_ASYNC (sk_wake_async):
// the file layer's list of descriptions (*file.AsyncList satisfies it).
type Async interface{ Kill(reason int32) }

// AsyncEvents holds O_ASYNC events recorded under a socket family's lock
// (sk_wake_async's calls), to be told once the lock is released: a
// signal may end a process, whose exit closes sockets and takes the lock.
// Its list is guarded by that lock; n is its length, read without it, so
// that Tell costs a load when nothing happened.
type AsyncEvents struct {
	list []asyncEvent
	n    atomic.Int32
}

type asyncEvent struct {
	to     Async
	reason int32
}

// Record notes that to (nil: no one) is to hear reason (POLL_IN...). The
// family's lock held.
func (q *AsyncEvents) Record(to Async, reason int32) {
	if to != nil {
		q.list = append(q.list, asyncEvent{to, reason})
		q.n.Store(int32(len(q.list)))
	}
}

// Tell delivers what Record noted; lock is the family's, not held.
func (q *AsyncEvents) Tell(lock sync.Locker) {
	if q.n.Load() == 0 {
		return
	}
	lock.Lock()
	ev := q.list
	q.list = nil
	q.n.Store(0)
	lock.Unlock()
	for _, e := range ev {
		e.to.Kill(e.reason)
	}
}

// NoSpace is SOCKWQ_ASYNC_NOSPACE: a send found no room, so the O_ASYNC
// owners are to hear POLL_OUT, once, when there is room again. Guarded
// by the socket family's lock.
type NoSpace struct{ set bool }

// Full notes a send that found no room and returns its EAGAIN.
func (n *NoSpace) Full() linux.Errno {
	n.set = true
	return linux.EAGAIN
}

// Waited forgets the flag: a writer that blocks for room clears it
// before it sleeps (sock_wait_for_wmem, sk_stream_wait_memory), so only
// one that did not wait hears POLL_OUT.
func (n *NoSpace) Waited() { n.set = false }

// Wake reports whether to, the socket's O_ASYNC owners, hear POLL_OUT
// now that the socket is writable (or not), clearing the flag when they
// do: sock_wake_async's SOCK_WAKE_SPACE tests and clears it, and only
// when someone asked for O_ASYNC.
func (n *NoSpace) Wake(to Async, writable bool) bool {
	if n.set && to != nil && writable {
		n.set = false
		return true
	}
	return false
}

// asyncEvents are AF_UNIX's (mu).
var asyncEvents AsyncEvents

// wakeAsync records that s's O_ASYNC owners are to hear reason. mu held.
func (s *Socket) wakeAsync(reason int32) { asyncEvents.Record(s.async, reason) }

// tellAsync tells them; every call that records events defers it before
// taking mu.
func tellAsync() { asyncEvents.Tell(&mu) }

// SetAsync makes a tell of s's events for O_ASYNC (the socket file's
// fasync).
func (s *Socket) SetAsync(a Async) {
	mu.Lock()
	s.async = a
	mu.Unlock()
}

// Socket is one AF_UNIX socket. Every field but typ and Ino is guarded
// by mu.
type Socket struct {
	typ int
	Ino uint64 // the inode number /proc and fstat show (socket:[Ino])

	state    int
	shutdown int
	dead     bool // closed (SOCK_DEAD)
	err      linux.Errno
	peer     *Socket
	async    Async   // O_ASYNC's listeners, nil until the file asks
	nospace  NoSpace // a send found the send buffer full
	addr     *Addr   // bound name, nil when unbound
	queue    []*message
	backlog  []*Socket // a listener's connections not yet accepted
	maxBack  int       // sk_max_ack_backlog
	wmem     int       // what this socket's queued messages cost
	sndbuf   int
	rcvbuf   int
	passcred bool
	owner    Cred // the creating process, for init_peercred
	peerCred Cred // SO_PEERCRED
	hasPeerC bool
}

// New creates an unconnected socket of typ (Stream, Dgram or SeqPacket)
// for a process with credentials cred.
func New(typ int, cred Cred) *Socket {
	return &Socket{typ: typ, Ino: inodes.Add(1), sndbuf: DefaultBuf, rcvbuf: DefaultBuf,
		maxBack: maxDgramQlen, owner: cred}
}

// Create is unix_create's checks: EPROTONOSUPPORT for a protocol other
// than 0 or PF_UNIX, SOCK_RAW made a datagram socket, ESOCKTNOSUPPORT for
// a type AF_UNIX lacks. typ has had its flags removed and is below
// SOCK_MAX.
func Create(typ, protocol int, cred Cred) (*Socket, linux.Errno) {
	if protocol != 0 && protocol != linux.AF_UNIX {
		return nil, linux.EPROTONOSUPPORT
	}
	switch typ {
	case linux.SOCK_RAW:
		typ = Dgram
	case Stream, Dgram, SeqPacket:
	default:
		return nil, linux.ESOCKTNOSUPPORT
	}
	return New(typ, cred), 0
}

// Pair creates two connected sockets, each with the other's credentials
// (unix_socketpair).
func Pair(typ int, cred Cred) (a, b *Socket) {
	a, b = New(typ, cred), New(typ, cred)
	a.peer, b.peer = b, a
	a.state, b.state = stateEstablished, stateEstablished
	a.peerCred, b.peerCred, a.hasPeerC, b.hasPeerC = cred, cred, true, true
	return a, b
}

// Type is SO_TYPE.
func (s *Socket) Type() int { return s.typ }

func (s *Socket) connectionBased() bool { return s.typ != Dgram }

// Close releases the socket (unix_release_sock): its peer of a
// connection sees both directions shut and ECONNRESET if this side left
// data unread; queued messages and unaccepted connections are dropped.
func (s *Socket) Close() {
	defer tellAsync()
	mu.Lock()
	drop := s.release(false)
	notify()
	mu.Unlock()
	for _, r := range drop {
		r.Release()
	}
}

// release does Close's work with mu held and returns the rights of the
// dropped messages, to be released without it (a right may be a socket).
func (s *Socket) release(embryo bool) []Right {
	if s.dead {
		return nil
	}
	s.dead = true
	s.shutdown = shutdownMask
	state := s.state
	s.state = stateClose
	if s.addr != nil && s.addr.Abstract() {
		delete(names, nameKey{s.addr.Name, s.typ})
	}
	if p := s.peer; p != nil {
		s.peer = nil
		if s.connectionBased() {
			p.shutdown = shutdownMask
			if len(s.queue) > 0 || embryo {
				p.err = linux.ECONNRESET
			}
			p.wakeAsync(linux.POLL_HUP)
		}
	}
	var drop []Right
	for _, m := range s.queue {
		drop = append(drop, m.rights...)
		m.uncharge()
	}
	s.queue = nil
	if state == stateListen {
		for _, c := range s.backlog {
			drop = append(drop, c.release(true)...)
		}
		s.backlog = nil
	}
	return drop
}

// takeErr is sock_error: the pending error, cleared.
func (s *Socket) takeErr() linux.Errno {
	e := s.err
	s.err = 0
	return e
}

// Shutdown is unix_shutdown: how is SHUT_RD, SHUT_WR or SHUT_RDWR (else
// EINVAL); the peer of a connection gets the mirror bits. Not connected
// is no error.
func (s *Socket) Shutdown(how int) linux.Errno {
	if how < linux.SHUT_RD || how > linux.SHUT_RDWR {
		return linux.EINVAL
	}
	mode := how + 1
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	s.shutdown |= mode
	if p := s.peer; p != nil && s.connectionBased() {
		if mode&rcvShutdown != 0 {
			p.shutdown |= sendShutdown
		}
		if mode&sendShutdown != 0 {
			p.shutdown |= rcvShutdown
		}
		if mode == shutdownMask {
			p.wakeAsync(linux.POLL_HUP)
		} else if mode&sendShutdown != 0 {
			p.wakeAsync(linux.POLL_IN)
		}
	}
	notify()
	return 0
}

// Poll is unix_poll (stream) and unix_dgram_poll (datagram, seqpacket):
// the EPOLL* bits ready now.
func (s *Socket) Poll() uint32 {
	mu.Lock()
	defer mu.Unlock()
	var m uint32
	if s.err != 0 {
		m |= linux.EPOLLERR
	}
	if s.shutdown == shutdownMask {
		m |= linux.EPOLLHUP
	}
	if s.shutdown&rcvShutdown != 0 {
		m |= linux.EPOLLRDHUP | linux.EPOLLIN | linux.EPOLLRDNORM
	}
	if len(s.queue) > 0 || len(s.backlog) > 0 {
		m |= linux.EPOLLIN | linux.EPOLLRDNORM
	}
	if s.connectionBased() && s.state == stateClose {
		m |= linux.EPOLLHUP
	}
	writable := s.writable()
	if s.typ != Stream && writable {
		if p := s.peer; p != nil && p.peer != s && p.recvqFull() {
			writable = false
		}
	}
	if writable {
		m |= linux.EPOLLOUT | linux.EPOLLWRNORM | linux.EPOLLWRBAND
	}
	return m
}

// writable is unix_writable: not listening, and a quarter of the send
// buffer or less in use.
func (s *Socket) writable() bool {
	return s.state != stateListen && s.wmem*4 <= s.sndbuf
}

// recvqFull is unix_recvq_full: more queued than the backlog allows.
func (s *Socket) recvqFull() bool {
	if s.state == stateListen {
		return len(s.backlog) > s.maxBack
	}
	return len(s.queue) > s.maxBack
}
