package unixsock

import (
	"fmt"
	"math/rand/v2"

	"sigil/linux"
)

// familyLen is offsetof(struct sockaddr_un, sun_path).
const familyLen = 2

// Addr is a bound name: sun_path's bytes as the address length covers
// them. An abstract name starts with a NUL byte; a filesystem name is
// the path with its terminating NUL.
type Addr struct{ Name string }

// Abstract tells an abstract name from a filesystem one.
func (a *Addr) Abstract() bool { return len(a.Name) > 0 && a.Name[0] == 0 }

// Len is the address's length as getsockname reports it.
func (a *Addr) Len() int { return familyLen + len(a.Name) }

// Path is a filesystem name's path, without its NUL.
func (a *Addr) Path() string {
	for i := 0; i < len(a.Name); i++ {
		if a.Name[i] == 0 {
			return a.Name[:i]
		}
	}
	return a.Name
}

// Sockaddr encodes a (nil: unnamed) as a struct sockaddr_un of the
// length getsockname, getpeername and recvfrom report: just the family
// for an unnamed socket (unix_getname).
func Sockaddr(a *Addr) []byte {
	b := []byte{linux.AF_UNIX, 0}
	if a != nil {
		b = append(b, a.Name...)
	}
	return b
}

// What an address names (ParseAddr).
const (
	KindUnspec   = iota // AF_UNSPEC: dissolve a datagram association
	KindAutobind        // just the family: pick an abstract name
	KindAbstract
	KindPath
)

// ParseAddr reads a sockaddr of len(b) bytes (at most sockaddr_storage's
// 128, which the caller checked) as bind, connect and sendto do
// (unix_validate_addr, unix_mkname_bsd): EINVAL unless the family is
// AF_UNIX and a name follows; a filesystem name ends at its first NUL.
// autobind says whether a bare family means autobind (bind does).
func ParseAddr(b []byte, autobind bool) (kind int, a Addr, err linux.Errno) {
	if len(b) >= familyLen && b[0] == linux.AF_UNSPEC && b[1] == 0 && !autobind {
		return KindUnspec, Addr{}, 0
	}
	if autobind && len(b) == familyLen && b[0] == linux.AF_UNIX && b[1] == 0 {
		return KindAutobind, Addr{}, 0
	}
	if len(b) <= familyLen || len(b) > familyLen+linux.UNIX_PATH_MAX || b[0] != linux.AF_UNIX || b[1] != 0 {
		return 0, Addr{}, linux.EINVAL
	}
	path := b[familyLen:]
	if path[0] == 0 {
		return KindAbstract, Addr{string(path)}, 0
	}
	n := 0
	for n < len(path) && path[n] != 0 {
		n++
	}
	return KindPath, Addr{string(path[:n]) + "\x00"}, 0
}

// nameKey is an abstract name's slot: Linux hashes names per type, so
// a stream and a datagram socket may share one.
type nameKey struct {
	name string
	typ  int
}

// names is the abstract name table; guarded by mu.
var names = map[nameKey]*Socket{}

// BindAbstract binds s to abstract name a (unix_bind_abstract): EINVAL if
// s has a name, EADDRINUSE if a socket of its type holds a.
func (s *Socket) BindAbstract(a Addr) linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	if s.addr != nil {
		return linux.EINVAL
	}
	k := nameKey{a.Name, s.typ}
	if names[k] != nil {
		return linux.EADDRINUSE
	}
	names[k] = s
	s.addr = &a
	return 0
}

// BindPath records filesystem name a for s, whose node the caller has
// made (unix_bind_bsd): EINVAL if s has a name.
func (s *Socket) BindPath(a Addr) linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	if s.addr != nil {
		return linux.EINVAL
	}
	s.addr = &a
	return 0
}

// Autobind gives an unnamed socket an abstract name of five hex digits
// (unix_autobind); ENOSPC when all are taken.
func (s *Socket) Autobind() linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	return s.autobind()
}

func (s *Socket) autobind() linux.Errno {
	if s.addr != nil {
		return 0
	}
	start := rand.Uint32() & 0xfffff
	for i := uint32(1); i <= 0x100000; i++ {
		name := fmt.Sprintf("\x00%05x", (start+i)&0xfffff)
		k := nameKey{name, s.typ}
		if names[k] == nil {
			names[k] = s
			s.addr = &Addr{name}
			return 0
		}
	}
	return linux.ENOSPC
}

// FindAbstract is unix_find_abstract: the live socket of type typ bound
// to a, or ECONNREFUSED.
func FindAbstract(a Addr, typ int) (*Socket, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if s := names[nameKey{a.Name, typ}]; s != nil && !s.dead {
		return s, 0
	}
	return nil, linux.ECONNREFUSED
}

// CheckFound is unix_find_bsd's checks of the socket a filesystem name
// leads to: ECONNREFUSED if it is closed, EPROTOTYPE if its type is not
// typ.
func (s *Socket) CheckFound(typ int) linux.Errno {
	mu.Lock()
	defer mu.Unlock()
	if s.dead {
		return linux.ECONNREFUSED
	}
	if s.typ != typ {
		return linux.EPROTOTYPE
	}
	return 0
}

// Name is getsockname's address (nil: unnamed).
func (s *Socket) Name() *Addr {
	mu.Lock()
	defer mu.Unlock()
	return s.addr
}

// PeerName is getpeername's address: ENOTCONN without a peer.
func (s *Socket) PeerName() (*Addr, linux.Errno) {
	mu.Lock()
	defer mu.Unlock()
	if s.peer == nil {
		return nil, linux.ENOTCONN
	}
	return s.peer.addr, 0
}
