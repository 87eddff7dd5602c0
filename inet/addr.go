package inet

import (
	"encoding/binary"
	"fmt"

	"sigil/linux"
)

// SockaddrLen is sizeof(struct sockaddr_in).
const SockaddrLen = 16

// Addr is an IPv4 address and port, both in host order.
type Addr struct {
	IP   uint32
	Port uint16
}

func (a Addr) String() string {
	return fmt.Sprintf("%d.%d.%d.%d:%d", a.IP>>24, a.IP>>16&0xff, a.IP>>8&0xff, a.IP&0xff, a.Port)
}

// Loopback tells whether ip is in 127.0.0.0/8.
func Loopback(ip uint32) bool { return ip>>24 == 127 }

// Sockaddr encodes a as a struct sockaddr_in.
func Sockaddr(a Addr) []byte {
	b := make([]byte, SockaddrLen)
	binary.LittleEndian.PutUint16(b, linux.AF_INET)
	binary.BigEndian.PutUint16(b[2:], a.Port)
	binary.BigEndian.PutUint32(b[4:], a.IP)
	return b
}

// Decode reads a sockaddr of len(b) bytes: its family (0 when b is
// shorter than sa_family) and, when b holds a whole struct sockaddr_in,
// the address in it (full false otherwise). sin_zero is not looked at,
// as Linux does not.
func Decode(b []byte) (family int, a Addr, full bool) {
	if len(b) < 2 {
		return 0, Addr{}, false
	}
	family = int(binary.LittleEndian.Uint16(b))
	if len(b) < SockaddrLen {
		return family, Addr{}, false
	}
	return family, Addr{IP: binary.BigEndian.Uint32(b[4:]), Port: binary.BigEndian.Uint16(b[2:])}, true
}

// BindAddr is inet_bind's reading of a bind address: EINVAL when
// shorter than sockaddr_in; EAFNOSUPPORT for another family, except
// AF_UNSPEC with INADDR_ANY, which old programs pass.
func BindAddr(b []byte) (Addr, linux.Errno) {
	family, a, full := Decode(b)
	if !full {
		return Addr{}, linux.EINVAL
	}
	if family != linux.AF_INET && (family != linux.AF_UNSPEC || a.IP != linux.INADDR_ANY) {
		return Addr{}, linux.EAFNOSUPPORT
	}
	return a, 0
}

// PeerAddr is tcp_v4_connect's and ip4_datagram_connect's reading of a
// destination: EINVAL when shorter than sockaddr_in, EAFNOSUPPORT for
// another family. (AF_UNSPEC, which disconnects, is the caller's to
// test first.)
func PeerAddr(b []byte) (Addr, linux.Errno) {
	family, a, full := Decode(b)
	if !full {
		return Addr{}, linux.EINVAL
	}
	if family != linux.AF_INET {
		return Addr{}, linux.EAFNOSUPPORT
	}
	return a, 0
}

// SendAddr is udp_sendmsg's reading of sendto's address: EINVAL when
// short or for port 0, EAFNOSUPPORT for a family other than AF_INET
// and AF_UNSPEC.
func SendAddr(b []byte) (Addr, linux.Errno) {
	family, a, full := Decode(b)
	if !full {
		return Addr{}, linux.EINVAL
	}
	if family != linux.AF_INET && family != linux.AF_UNSPEC {
		return Addr{}, linux.EAFNOSUPPORT
	}
	if a.Port == 0 {
		return Addr{}, linux.EINVAL
	}
	return a, 0
}

// Address kinds as inet_addr_type sees them with only lo configured.
const (
	kindUnicast   = iota // no local route: not ours
	kindLocal            // 127.0.0.0/8 while lo is up
	kindBroadcast        // 0.0.0.0/8, 255.255.255.255, 127.255.255.255
	kindMulticast        // 224.0.0.0/4
)

func addrKind(ip uint32, loUp bool) int {
	switch {
	case ip>>24 == 0 || ip == linux.INADDR_BROADCAST:
		return kindBroadcast
	case ip>>28 == 0xe:
		return kindMulticast
	case loUp && ip == 0x7fffffff:
		return kindBroadcast
	case loUp && Loopback(ip):
		return kindLocal
	}
	return kindUnicast
}

// route is what ip_route_connect and ip_route_output find for
// destination ip with only lo configured: the destination (INADDR_ANY
// means the loopback address) and the source address to use, or
// ENETUNREACH when lo is down or ip is not on it.
func route(ip uint32, loUp bool) (dst, src uint32, e linux.Errno) {
	if ip == linux.INADDR_ANY {
		ip = linux.INADDR_LOOPBACK
	}
	if !loUp || !Loopback(ip) {
		return 0, 0, linux.ENETUNREACH
	}
	return ip, linux.INADDR_LOOPBACK, 0
}
