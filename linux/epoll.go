package linux

// EpollEvent is struct epoll_event. On x86-64 it is PACKED (12 bytes): the
// 64-bit data word immediately follows the 32-bit event mask, unaligned,
// which is why Data is a byte array (little-endian uint64).
// Source: include/uapi/linux/eventpoll.h (EPOLL_PACKED on __x86_64__).
type EpollEvent struct {
	Events uint32  // EPOLL* mask
	Data   [8]byte // epoll_data, opaque to the kernel
}

// epoll event bits. Source: include/uapi/linux/eventpoll.h.
const (
	EPOLLIN          = 0x00000001
	EPOLLPRI         = 0x00000002
	EPOLLOUT         = 0x00000004
	EPOLLERR         = 0x00000008
	EPOLLHUP         = 0x00000010
	EPOLLNVAL        = 0x00000020
	EPOLLRDNORM      = 0x00000040
	EPOLLRDBAND      = 0x00000080
	EPOLLWRNORM      = 0x00000100
	EPOLLWRBAND      = 0x00000200
	EPOLLMSG         = 0x00000400
	EPOLLRDHUP       = 0x00002000
	EPOLL_URING_WAKE = 1 << 27
	EPOLLEXCLUSIVE   = 1 << 28
	EPOLLWAKEUP      = 1 << 29
	EPOLLONESHOT     = 1 << 30
	EPOLLET          = 1 << 31
)

// epoll_ctl operations and epoll_create1 flags.
// Source: include/uapi/linux/eventpoll.h.
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3

	EPOLL_CLOEXEC = O_CLOEXEC
)

// PollFd is struct pollfd for poll/ppoll (8 bytes).
// Source: include/uapi/asm-generic/poll.h.
type PollFd struct {
	Fd      int32
	Events  int16
	Revents int16
}

// poll event bits. Source: include/uapi/asm-generic/poll.h (x86 uses the
// generic values).
const (
	POLLIN     = 0x0001
	POLLPRI    = 0x0002
	POLLOUT    = 0x0004
	POLLERR    = 0x0008
	POLLHUP    = 0x0010
	POLLNVAL   = 0x0020
	POLLRDNORM = 0x0040
	POLLRDBAND = 0x0080
	POLLWRNORM = 0x0100
	POLLWRBAND = 0x0200
	POLLMSG    = 0x0400
	POLLREMOVE = 0x1000
	POLLRDHUP  = 0x2000
)
