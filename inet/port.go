package inet

import (
	"math/rand/v2"

	"sigil/linux"
)

// The local port range, net.ipv4.ip_local_port_range's default
// (32768–60999), and ip_unprivileged_port_start.
const (
	PortLow         = 32768
	PortHigh        = 60999
	PrivilegedBelow = 1024
)

// bucketKey is one port of one protocol (TCP and UDP ports are apart).
type bucketKey struct {
	proto int
	port  uint16
}

// buckets holds every socket with a local port, by protocol and port
// (Linux's bind hash); guarded by mu. A TCP listener's accepted
// connections stay in its bucket, as inet_inherit_port puts them.
var buckets = map[bucketKey][]*Socket{}

// randIntN picks ephemeral ports; tests replace it.
var randIntN = rand.IntN

func addToBucket(s *Socket) {
	s.num = s.local.Port
	k := bucketKey{s.proto, s.num}
	buckets[k] = append(buckets[k], s)
}

// unhash removes s from its port's bucket (inet_put_port,
// udp_lib_unhash). Like Linux's inet_sport, the port getsockname shows
// stays.
func (s *Socket) unhash() {
	if s.num == 0 {
		return
	}
	k := bucketKey{s.proto, s.num}
	list := buckets[k]
	for i, o := range list {
		if o == s {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(buckets, k)
	} else {
		buckets[k] = list
	}
	s.num = 0
}

// overlap is inet_rcv_saddr_equal with wildcards matching: the same
// address, or either is INADDR_ANY.
func overlap(a, b uint32) bool { return a == b || a == linux.INADDR_ANY || b == linux.INADDR_ANY }

// conflict tells whether s may not take port (with its local address
// ip): inet_csk_bind_conflict for TCP, udp_lib_lport_inuse for UDP.
// relax is the explicit-port case of inet_csk_get_port (both sockets
// with SO_REUSEADDR and the other not listening share the port);
// bind(0)'s search is strict (relax false: only reuseport with the same
// owner shares).
func (s *Socket) conflict(port uint16, ip uint32, relax bool) bool {
	for _, o := range buckets[bucketKey{s.proto, port}] {
		if o == s || !overlap(ip, o.local.IP) {
			continue
		}
		reusePort := s.opts.ReusePort && o.opts.ReusePort && s.uid == o.uid
		if s.proto == linux.IPPROTO_UDP {
			if s.opts.ReuseAddr && o.opts.ReuseAddr || reusePort {
				continue
			}
			return true
		}
		if s.opts.ReuseAddr && o.opts.ReuseAddr && o.state != stateListen {
			if relax {
				continue
			}
			return true
		}
		if relax && reusePort {
			continue
		}
		return true
	}
	return false
}

// getPort is inet_csk_get_port and udp_lib_get_port: it gives s port
// (0: an ephemeral one) at its local address, or EADDRINUSE.
func (s *Socket) getPort(port uint16) linux.Errno {
	if port != 0 {
		if s.conflict(port, s.local.IP, true) {
			return linux.EADDRINUSE
		}
	} else if port = s.freePort(false); port == 0 {
		return linux.EADDRINUSE
	}
	s.local.Port = port
	addToBucket(s)
	return 0
}

// freePort searches the local port range from a random point, as
// inet_csk_find_open_port (bind: odd offsets from 32768 first) and
// __inet_hash_connect (connect: even ones first) do; UDP takes any. A
// connect takes only a port no socket has (Linux would share one whose
// connections differ in their peers). 0 when none is free.
func (s *Socket) freePort(connect bool) uint16 {
	const n = PortHigh - PortLow + 1 // even
	free := func(off int) (uint16, bool) {
		port := uint16(PortLow + off%n)
		if connect {
			return port, len(buckets[bucketKey{s.proto, port}]) == 0
		}
		return port, !s.conflict(port, s.local.IP, false)
	}
	start := randIntN(n)
	if s.proto != linux.IPPROTO_TCP {
		for i := 0; i < n; i++ {
			if port, ok := free(start + i); ok {
				return port
			}
		}
		return 0
	}
	parity := 1
	if connect {
		parity = 0
	}
	for pass := 0; pass < 2; pass++ {
		off := start&^1 | parity
		for i := 0; i < n; i += 2 {
			if port, ok := free(off + i); ok {
				return port
			}
		}
		parity ^= 1
	}
	return 0
}
