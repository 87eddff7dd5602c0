package inet

import "sigil/linux"

// MaxDatagram is the largest UDP payload: 65535 less the IPv4 and UDP
// headers (__ip_append_data's EMSGSIZE).
const MaxDatagram = 65535 - 20 - 8

// autobind gives an unbound socket an ephemeral port (inet_autobind):
// EAGAIN when none is free.
func (s *Socket) autobind() linux.Errno {
	if s.num != 0 {
		return 0
	}
	if s.getPort(0) != 0 {
		return linux.EAGAIN
	}
	return 0
}

// connectDgram is inet_dgram_connect and ip4_datagram_connect: the
// socket is bound if it was not, takes the route's source address if
// bound to INADDR_ANY, and from now on sends to dst and hears only
// from it.
func (s *Socket) connectDgram(dst Addr) linux.Errno {
	if e := s.autobind(); e != 0 {
		return e
	}
	ip, src, e := route(dst.IP, loUp())
	if e != 0 {
		return e
	}
	if s.local.IP == linux.INADDR_ANY {
		s.local.IP = src
	}
	s.remote = Addr{ip, dst.Port}
	s.state = stateEstablished
	s.conn = ssConnected
	notify()
	return 0
}

// findUDP is __udp4_lib_lookup: the socket that gets a datagram from
// src to dst, the best match (bound to dst's address over INADDR_ANY, a
// socket connected to src over an unconnected one), among equals the
// one bound last.
func findUDP(dst, src Addr) *Socket {
	var best *Socket
	bestScore := -1
	list := buckets[bucketKey{linux.IPPROTO_UDP, dst.Port}]
	for i := len(list) - 1; i >= 0; i-- {
		o := list[i]
		if o.dead || o.local.IP != linux.INADDR_ANY && o.local.IP != dst.IP {
			continue
		}
		score := 0
		if o.local.IP != linux.INADDR_ANY {
			score += 4
		}
		if o.state == stateEstablished {
			if o.remote != src {
				continue
			}
			score += 8
		}
		if score > bestScore {
			best, bestScore = o, score
		}
	}
	return best
}

// SendDgram sends b as one datagram (udp_sendmsg) to *to, or to the
// connected peer when to is nil: EDESTADDRREQ without either, EMSGSIZE
// past MaxDatagram, ENETUNREACH off the loopback, a pending error, EPIPE
// after shutdown for writing, EAGAIN when no port is free to bind.
// A datagram nobody is bound to receive is lost; to a connected peer
// that is the ICMP error ECONNREFUSED, which the next call reports. A
// receiver whose buffer is full drops it.
func (s *Socket) SendDgram(b []byte, to *Addr) linux.Errno {
	defer tellAsync()
	mu.Lock()
	defer mu.Unlock()
	if e := s.autobind(); e != 0 {
		return e
	}
	var dst Addr
	if to != nil {
		dst = *to
	} else if s.state != stateEstablished {
		return linux.EDESTADDRREQ
	} else {
		dst = s.remote
	}
	ip, src, e := route(dst.IP, loUp())
	if e != 0 {
		return e
	}
	dst.IP = ip
	if len(b) > MaxDatagram {
		return linux.EMSGSIZE
	}
	if s.err != 0 {
		return s.takeErr()
	}
	if s.shutdown&sendShutdown != 0 {
		return linux.EPIPE
	}
	from := Addr{s.local.IP, s.local.Port}
	if from.IP == linux.INADDR_ANY {
		from.IP = src
	}
	r := findUDP(dst, from)
	if r == nil {
		if s.state == stateEstablished && dst == s.remote {
			s.err = linux.ECONNREFUSED
			notify()
		}
		return 0
	}
	if r.rmem > r.opts.RcvBuf {
		return 0
	}
	r.dgrams = append(r.dgrams, datagram{append([]byte(nil), b...), from})
	r.rmem += len(b) + truesize
	r.wakeAsync(linux.POLL_IN)
	notify()
	return 0
}

// ReadDgram takes (or with peek copies) the first datagram into p
// (udp_recvmsg) and returns the bytes copied, the datagram's length and
// its sender. A pending error comes first; an empty queue is EAGAIN,
// or after shutdown for reading 0 bytes to a blocking caller.
func (s *Socket) ReadDgram(p []byte, peek, nonblock bool) (int, int, Addr, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if s.err != 0 {
		return 0, 0, Addr{}, s.takeErr()
	}
	if len(s.dgrams) == 0 {
		if s.shutdown&rcvShutdown != 0 && !nonblock {
			return 0, 0, Addr{}, 0
		}
		return 0, 0, Addr{}, linux.EAGAIN
	}
	d := s.dgrams[0]
	n := copy(p, d.data)
	if !peek {
		s.dgrams = s.dgrams[1:]
		s.rmem -= len(d.data) + truesize
		notify()
	}
	return n, len(d.data), d.from, 0
}
