package linux

// open(2) flags, as seen on x86-64 (octal, as in the header).
// Source: include/uapi/asm-generic/fcntl.h (x86 uses the generic values).
const (
	O_ACCMODE   = 0o3
	O_RDONLY    = 0o0
	O_WRONLY    = 0o1
	O_RDWR      = 0o2
	O_CREAT     = 0o100
	O_EXCL      = 0o200
	O_NOCTTY    = 0o400
	O_TRUNC     = 0o1000
	O_APPEND    = 0o2000
	O_NONBLOCK  = 0o4000 // 0x800
	O_DSYNC     = 0o10000
	FASYNC      = 0o20000 // O_ASYNC
	O_ASYNC     = FASYNC
	O_DIRECT    = 0o40000
	O_LARGEFILE = 0o100000 // always implied on 64-bit
	O_DIRECTORY = 0o200000 // 0x10000
	O_NOFOLLOW  = 0o400000
	O_NOATIME   = 0o1000000
	O_CLOEXEC   = 0o2000000 // 0x80000
	O_SYNC      = 0o4000000 | O_DSYNC
	O_PATH      = 0o10000000 // 0x200000
	O_TMPFILE   = 0o20000000 | O_DIRECTORY
	O_NDELAY    = O_NONBLOCK
)

// Special dirfd and *at(2) flags. Source: include/uapi/linux/fcntl.h.
const (
	AT_FDCWD            = -100   // dirfd: use the current working directory
	AT_SYMLINK_NOFOLLOW = 0x100  // do not follow a trailing symlink
	AT_EACCESS          = 0x200  // faccessat: use effective IDs
	AT_REMOVEDIR        = 0x200  // unlinkat: remove a directory
	AT_SYMLINK_FOLLOW   = 0x400  // linkat: follow a trailing symlink
	AT_NO_AUTOMOUNT     = 0x800  // suppress terminal automount
	AT_EMPTY_PATH       = 0x1000 // an empty path refers to dirfd itself
	AT_RECURSIVE        = 0x8000 // apply to the entire subtree

	AT_STATX_SYNC_TYPE    = 0x6000 // mask
	AT_STATX_SYNC_AS_STAT = 0x0000
	AT_STATX_FORCE_SYNC   = 0x2000
	AT_STATX_DONT_SYNC    = 0x4000
)

// fcntl(2) commands. Source: include/uapi/asm-generic/fcntl.h and, for
// commands from F_LINUX_SPECIFIC_BASE up, include/uapi/linux/fcntl.h.
const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_GETLK         = 5
	F_SETLK         = 6
	F_SETLKW        = 7
	F_SETOWN        = 8
	F_GETOWN        = 9
	F_SETSIG        = 10
	F_GETSIG        = 11
	F_SETOWN_EX     = 15
	F_GETOWN_EX     = 16
	F_GETOWNER_UIDS = 17
	F_OFD_GETLK     = 36
	F_OFD_SETLK     = 37
	F_OFD_SETLKW    = 38

	F_LINUX_SPECIFIC_BASE = 1024
	F_SETLEASE            = F_LINUX_SPECIFIC_BASE + 0
	F_GETLEASE            = F_LINUX_SPECIFIC_BASE + 1
	F_NOTIFY              = F_LINUX_SPECIFIC_BASE + 2
	F_CANCELLK            = F_LINUX_SPECIFIC_BASE + 5
	F_DUPFD_CLOEXEC       = F_LINUX_SPECIFIC_BASE + 6 // 1030
	F_SETPIPE_SZ          = F_LINUX_SPECIFIC_BASE + 7
	F_GETPIPE_SZ          = F_LINUX_SPECIFIC_BASE + 8
	F_ADD_SEALS           = F_LINUX_SPECIFIC_BASE + 9
	F_GET_SEALS           = F_LINUX_SPECIFIC_BASE + 10
	F_GET_RW_HINT         = F_LINUX_SPECIFIC_BASE + 11
	F_SET_RW_HINT         = F_LINUX_SPECIFIC_BASE + 12
	F_GET_FILE_RW_HINT    = F_LINUX_SPECIFIC_BASE + 13
	F_SET_FILE_RW_HINT    = F_LINUX_SPECIFIC_BASE + 14
)

// FD_CLOEXEC is the F_GETFD / F_SETFD close-on-exec bit.
// Source: include/uapi/asm-generic/fcntl.h.
const FD_CLOEXEC = 1

// F_SETOWN_EX owner types. Source: include/uapi/asm-generic/fcntl.h.
const (
	F_OWNER_TID  = 0
	F_OWNER_PID  = 1
	F_OWNER_PGRP = 2
)

// Record-lock types (Flock.Type). Source: include/uapi/asm-generic/fcntl.h.
const (
	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2
)

// File seals for F_ADD_SEALS / F_GET_SEALS. Source: include/uapi/linux/fcntl.h.
const (
	F_SEAL_SEAL         = 0x0001
	F_SEAL_SHRINK       = 0x0002
	F_SEAL_GROW         = 0x0004
	F_SEAL_WRITE        = 0x0008
	F_SEAL_FUTURE_WRITE = 0x0010
)

// Flock is struct flock for F_GETLK / F_SETLK / F_SETLKW (32 bytes).
// Source: include/uapi/asm-generic/fcntl.h.
type Flock struct {
	Type   int16 // F_RDLCK, F_WRLCK, F_UNLCK
	Whence int16 // SEEK_*
	_      int32
	Start  int64
	Len    int64
	Pid    int32
	_      int32
}

// lseek whence values. Source: include/uapi/linux/fs.h.
const (
	SEEK_SET  = 0
	SEEK_CUR  = 1
	SEEK_END  = 2
	SEEK_DATA = 3
	SEEK_HOLE = 4
)

// close_range(2) flags. Source: include/uapi/linux/close_range.h.
const (
	CLOSE_RANGE_UNSHARE = 1 << 1
	CLOSE_RANGE_CLOEXEC = 1 << 2
)

// renameat2(2) flags. Source: include/uapi/linux/fs.h.
const (
	RENAME_NOREPLACE = 1 << 0
	RENAME_EXCHANGE  = 1 << 1
	RENAME_WHITEOUT  = 1 << 2
)

// Path limits. Source: include/uapi/linux/limits.h.
const (
	NAME_MAX = 255  // bytes in a file name, excluding the NUL
	PATH_MAX = 4096 // bytes in a path, including the NUL
	ARG_MAX  = 131072
)

// Directory-entry types (linux_dirent64.d_type). Source: include/linux/fs.h
// (the values are DT_* = S_IF* >> 12; user space sees them via getdents64).
const (
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12
	DT_WHT     = 14
)

// Layout of struct linux_dirent64 as written by getdents64(2). It has a
// variable-length, NUL-terminated name and so is described by offsets, not
// a Go struct (whose size would be padded). Each record is Reclen bytes,
// rounded up to a multiple of 8. Source: include/linux/dirent.h.
const (
	Dirent64InoOffset    = 0  // d_ino, uint64
	Dirent64OffOffset    = 8  // d_off, int64
	Dirent64ReclenOffset = 16 // d_reclen, uint16
	Dirent64TypeOffset   = 18 // d_type, uint8 (DT_*)
	Dirent64NameOffset   = 19 // d_name, NUL-terminated
)
