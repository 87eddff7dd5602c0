package linux

// Internet sockets: protocols, option levels and names, the loopback
// interface's ioctls. Sources: include/uapi/linux/in.h, tcp.h,
// include/uapi/linux/sockios.h, if.h. Layouts are pinned in
// layout_test.go.

// Protocols (and the option levels of the same numbers).
const (
	IPPROTO_IP   = 0
	IPPROTO_TCP  = 6
	IPPROTO_UDP  = 17
	IPPROTO_IPV6 = 41
)

// SOL_IP options.
const (
	IP_TOS = 1
	IP_TTL = 2
)

// SOL_TCP options.
const (
	TCP_NODELAY   = 1
	TCP_MAXSEG    = 2
	TCP_KEEPIDLE  = 4
	TCP_KEEPINTVL = 5
	TCP_KEEPCNT   = 6
)

// Special addresses (host order).
const (
	INADDR_ANY       = 0x00000000
	INADDR_LOOPBACK  = 0x7f000001
	INADDR_BROADCAST = 0xffffffff
)

// SockaddrIn is struct sockaddr_in (16 bytes); the port and address are
// in network byte order.
type SockaddrIn struct {
	Family uint16
	Port   [2]byte
	Addr   [4]byte
	Zero   [8]byte
}

// Interface ioctls (sockios.h) and flags (if.h).
const (
	SIOCGIFCONF  = 0x8912
	SIOCGIFFLAGS = 0x8913
	SIOCSIFFLAGS = 0x8914
	SIOCGIFINDEX = 0x8933
	SIOCINQ      = FIONREAD
	SIOCOUTQ     = TIOCOUTQ

	IFF_UP       = 0x1
	IFF_LOOPBACK = 0x8
	IFF_RUNNING  = 0x40
	IFNAMSIZ     = 16
)

// Ifreq is struct ifreq (40 bytes): a name and a 24-byte union whose
// first member this layer reads is ifr_flags (short) or ifr_ifindex
// (int), or ifr_addr (struct sockaddr).
type Ifreq struct {
	Name  [IFNAMSIZ]byte
	Union [24]byte
}

// Ifconf is struct ifconf (16 bytes).
type Ifconf struct {
	Len int32
	_   int32
	Buf uint64
}

// Linger is struct linger (8 bytes).
type Linger struct {
	Onoff  int32
	Linger int32
}
