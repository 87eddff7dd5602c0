package linux

// Sockets: address families, types, levels, options, message flags and
// the structures sendmsg and recvmsg exchange. Sources:
// include/linux/socket.h, include/linux/net.h, include/uapi/linux/un.h,
// include/uapi/asm-generic/socket.h, include/linux/socket.h (msghdr,
// cmsghdr, ucred). Layouts are pinned in layout_test.go.

// Address families.
const (
	AF_UNSPEC = 0
	AF_UNIX   = 1
	AF_INET   = 2
	AF_INET6  = 10
)

// NPROTO is AF_MAX of Linux 6.1: families at or above it are
// EAFNOSUPPORT before any lookup (__sock_create).
const NPROTO = 46

// Socket types; SOCK_NONBLOCK and SOCK_CLOEXEC ride in the type argument.
const (
	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_RDM       = 4
	SOCK_SEQPACKET = 5
	SOCK_DCCP      = 6
	SOCK_PACKET    = 10
	SOCK_MAX       = 11 // types at or above are EINVAL
	SOCK_TYPE_MASK = 0xf
	SOCK_NONBLOCK  = O_NONBLOCK
	SOCK_CLOEXEC   = O_CLOEXEC
)

// SOL_SOCKET is the socket level of getsockopt/setsockopt and cmsghdr.
const SOL_SOCKET = 1

// SOL_SOCKET options (include/uapi/asm-generic/socket.h).
const (
	SO_DEBUG        = 1
	SO_REUSEADDR    = 2
	SO_TYPE         = 3
	SO_ERROR        = 4
	SO_DONTROUTE    = 5
	SO_BROADCAST    = 6
	SO_SNDBUF       = 7
	SO_RCVBUF       = 8
	SO_KEEPALIVE    = 9
	SO_OOBINLINE    = 10
	SO_PRIORITY     = 12
	SO_LINGER       = 13
	SO_REUSEPORT    = 15
	SO_PASSCRED     = 16
	SO_PEERCRED     = 17
	SO_RCVLOWAT     = 18
	SO_SNDLOWAT     = 19
	SO_RCVTIMEO     = 20 // SO_RCVTIMEO_OLD: a struct timeval
	SO_SNDTIMEO     = 21 // SO_SNDTIMEO_OLD
	SO_ACCEPTCONN   = 30
	SO_SNDBUFFORCE  = 32
	SO_RCVBUFFORCE  = 33
	SO_PROTOCOL     = 38
	SO_DOMAIN       = 39
	SO_RCVTIMEO_NEW = 66
	SO_SNDTIMEO_NEW = 67
)

// Control message types at SOL_SOCKET.
const (
	SCM_RIGHTS      = 1
	SCM_CREDENTIALS = 2
	SCM_MAX_FD      = 253 // descriptors one SCM_RIGHTS message may carry
)

// Message flags (send, recv, and recvmsg's msg_flags).
const (
	MSG_OOB          = 0x1
	MSG_PEEK         = 0x2
	MSG_DONTROUTE    = 0x4
	MSG_CTRUNC       = 0x8
	MSG_TRUNC        = 0x20
	MSG_DONTWAIT     = 0x40
	MSG_EOR          = 0x80
	MSG_WAITALL      = 0x100
	MSG_ERRQUEUE     = 0x2000
	MSG_NOSIGNAL     = 0x4000
	MSG_MORE         = 0x8000
	MSG_CMSG_CLOEXEC = 0x40000000
)

// shutdown(2)'s how.
const (
	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2
)

// UNIX_PATH_MAX is the size of sockaddr_un's sun_path.
const UNIX_PATH_MAX = 108

// SockaddrUn is struct sockaddr_un (110 bytes).
type SockaddrUn struct {
	Family uint16
	Path   [UNIX_PATH_MAX]byte
}

// SockaddrStorageSize is sizeof(struct sockaddr_storage): the longest
// address a system call copies in (move_addr_to_kernel).
const SockaddrStorageSize = 128

// Msghdr is struct user_msghdr (56 bytes).
type Msghdr struct {
	Name       uint64
	Namelen    uint32
	_          uint32
	Iov        uint64
	Iovlen     uint64
	Control    uint64
	Controllen uint64
	Flags      uint32
	_          uint32
}

// Cmsghdr is struct cmsghdr (16 bytes); its data follows, and the next
// header starts CMSG_ALIGN(Len) bytes on.
type Cmsghdr struct {
	Len   uint64
	Level int32
	Type  int32
}

// Ucred is struct ucred (12 bytes): SCM_CREDENTIALS and SO_PEERCRED.
type Ucred struct {
	Pid int32
	Uid uint32
	Gid uint32
}

// CmsgAlign rounds a control message length up as CMSG_ALIGN does.
//
//go:nosplit
func CmsgAlign(n uint64) uint64 { return (n + 7) &^ 7 }

// CmsgLen and CmsgSpace are CMSG_LEN and CMSG_SPACE for n data bytes.
//
//go:nosplit
func CmsgLen(n uint64) uint64 { return 16 + n }

//go:nosplit
func CmsgSpace(n uint64) uint64 { return 16 + CmsgAlign(n) }
