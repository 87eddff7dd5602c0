package linux

// Flags of the anonymous-inode file creators. Most alias O_CLOEXEC and
// O_NONBLOCK.

// eventfd2(2) flags. Source: include/linux/eventfd.h.
const (
	EFD_SEMAPHORE = 1
	EFD_CLOEXEC   = O_CLOEXEC
	EFD_NONBLOCK  = O_NONBLOCK
)

// timerfd_create / timerfd_settime flags. Source: include/uapi/linux/timerfd.h.
const (
	TFD_TIMER_ABSTIME       = 1 << 0
	TFD_TIMER_CANCEL_ON_SET = 1 << 1
	TFD_CLOEXEC             = O_CLOEXEC
	TFD_NONBLOCK            = O_NONBLOCK
)

// signalfd4(2) flags. Source: include/uapi/linux/signalfd.h.
const (
	SFD_CLOEXEC  = O_CLOEXEC
	SFD_NONBLOCK = O_NONBLOCK
)

// memfd_create(2) flags. Source: include/uapi/linux/memfd.h.
const (
	MFD_CLOEXEC       = 0x0001
	MFD_ALLOW_SEALING = 0x0002
	MFD_HUGETLB       = 0x0004
)
