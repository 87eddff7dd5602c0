package linux

// Stat is the kernel's struct stat on x86-64 (144 bytes), as written by
// stat, fstat, lstat and newfstatat.
// Source: arch/x86/include/uapi/asm/stat.h.
type Stat struct {
	Dev     uint64
	Ino     uint64
	Nlink   uint64
	Mode    uint32 // S_IF* | permission bits
	Uid     uint32
	Gid     uint32
	_       int32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64 // 512-byte blocks
	Atime   Timespec
	Mtime   Timespec
	Ctime   Timespec
	_       [3]int64
}

// File type and mode bits (Stat.Mode, Statx.Mode, open/mknod mode).
// Source: include/uapi/linux/stat.h.
const (
	S_IFMT   = 0o170000 // mask of the file type
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000

	S_ISUID = 0o4000
	S_ISGID = 0o2000
	S_ISVTX = 0o1000

	S_IRWXU = 0o700
	S_IRUSR = 0o400
	S_IWUSR = 0o200
	S_IXUSR = 0o100
	S_IRWXG = 0o070
	S_IRGRP = 0o040
	S_IWGRP = 0o020
	S_IXGRP = 0o010
	S_IRWXO = 0o007
	S_IROTH = 0o004
	S_IWOTH = 0o002
	S_IXOTH = 0o001
)

// Special Timespec.Nsec values for utimensat(2).
// Source: include/uapi/linux/stat.h.
const (
	UTIME_NOW  = (1 << 30) - 1
	UTIME_OMIT = (1 << 30) - 2
)

// StatxTimestamp is struct statx_timestamp (16 bytes).
// Source: include/uapi/linux/stat.h.
type StatxTimestamp struct {
	Sec  int64
	Nsec uint32
	_    int32
}

// Statx is struct statx as written by statx(2) (256 bytes).
// Source: include/uapi/linux/stat.h.
type Statx struct {
	Mask           uint32 // STATX_* fields actually filled in
	Blksize        uint32
	Attributes     uint64 // STATX_ATTR_*
	Nlink          uint32
	Uid            uint32
	Gid            uint32
	Mode           uint16
	_              uint16
	Ino            uint64
	Size           uint64
	Blocks         uint64
	AttributesMask uint64
	Atime          StatxTimestamp
	Btime          StatxTimestamp
	Ctime          StatxTimestamp
	Mtime          StatxTimestamp
	RdevMajor      uint32
	RdevMinor      uint32
	DevMajor       uint32
	DevMinor       uint32
	MntID          uint64
	DioMemAlign    uint32
	DioOffsetAlign uint32
	_              [12]uint64
}

// statx(2) mask bits. Source: include/uapi/linux/stat.h.
const (
	STATX_TYPE        = 0x00000001
	STATX_MODE        = 0x00000002
	STATX_NLINK       = 0x00000004
	STATX_UID         = 0x00000008
	STATX_GID         = 0x00000010
	STATX_ATIME       = 0x00000020
	STATX_MTIME       = 0x00000040
	STATX_CTIME       = 0x00000080
	STATX_INO         = 0x00000100
	STATX_SIZE        = 0x00000200
	STATX_BLOCKS      = 0x00000400
	STATX_BASIC_STATS = 0x000007ff
	STATX_BTIME       = 0x00000800
	STATX_MNT_ID      = 0x00001000
	STATX_DIOALIGN    = 0x00002000
	STATX__RESERVED   = 0x80000000
)

// statx(2) attribute bits. Source: include/uapi/linux/stat.h.
const (
	STATX_ATTR_COMPRESSED = 0x00000004
	STATX_ATTR_IMMUTABLE  = 0x00000010
	STATX_ATTR_APPEND     = 0x00000020
	STATX_ATTR_NODUMP     = 0x00000040
	STATX_ATTR_ENCRYPTED  = 0x00000800
	STATX_ATTR_AUTOMOUNT  = 0x00001000
	STATX_ATTR_MOUNT_ROOT = 0x00002000
	STATX_ATTR_VERITY     = 0x00100000
	STATX_ATTR_DAX        = 0x00200000
)

// Statfs is struct statfs on x86-64 (120 bytes), as statfs(2) and
// fstatfs(2) write it. Source: include/uapi/asm-generic/statfs.h.
type Statfs struct {
	Type    int64 // the file system's magic number
	Bsize   int64
	Blocks  uint64
	Bfree   uint64
	Bavail  uint64
	Files   uint64
	Ffree   uint64
	Fsid    [2]int32
	Namelen int64
	Frsize  int64
	Flags   int64 // ST_* mount flags, with ST_VALID
	_       [4]int64
}

// File system magic numbers (Statfs.Type). Source: include/uapi/linux/magic.h.
const (
	TMPFS_MAGIC      = 0x01021994
	PROC_SUPER_MAGIC = 0x9fa0
	TRACEFS_MAGIC    = 0x74726163
)

// Statfs.Flags bits. Source: include/linux/statfs.h.
const (
	ST_RDONLY   = 0x0001
	ST_NOSUID   = 0x0002
	ST_NODEV    = 0x0004
	ST_NOEXEC   = 0x0008
	ST_RELATIME = 0x0400
	ST_VALID    = 0x0020
)

// mount(2) flags and umount2(2) flags. Source: include/uapi/linux/mount.h
// and include/linux/fs.h.
const (
	MS_RDONLY       = 1
	MS_NOSUID       = 2
	MS_NODEV        = 4
	MS_NOEXEC       = 8
	MS_REMOUNT      = 32
	MS_BIND         = 4096
	MS_MOVE         = 8192
	MS_REC          = 16384
	MS_PRIVATE      = 1 << 18
	MS_SLAVE        = 1 << 19
	MS_SHARED       = 1 << 20
	MS_UNBINDABLE   = 1 << 17
	MS_MGC_VAL      = 0xC0ED0000
	MS_MGC_MSK      = 0xffff0000
	MNT_FORCE       = 1
	MNT_DETACH      = 2
	MNT_EXPIRE      = 4
	UMOUNT_NOFOLLOW = 8
)

// fallocate(2) modes. Source: include/uapi/linux/falloc.h.
const (
	FALLOC_FL_KEEP_SIZE  = 0x01
	FALLOC_FL_PUNCH_HOLE = 0x02
)
