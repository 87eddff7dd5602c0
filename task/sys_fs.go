package task

import (
	"encoding/binary"
	"strconv"
	"strings"
	"unsafe"

	"sigil/file"
	"sigil/linux"
	"sigil/mm"
	"sigil/vfs"
)

// The calls that change the tree: the rules are vfs's (Linux's namei.c
// order of checks); these handlers copy arguments in, find where a path
// starts, and refuse changes in generated trees (/proc, tracefs), which
// have no such operations: ENOENT for a name that is not there (proc's
// lookup finds nothing to create on), EPERM for one that is (the inode
// lacks the method).

// pathAt copies in the path at addr and where it starts for dirfd, for a
// call that changes the tree.
func (t *Thread) pathAt(dirfd, addr uint64) (*vfs.Node, string, error) {
	name, err := t.p.as.CopyInString(addr, linux.PATH_MAX)
	if err != nil {
		return nil, "", err
	}
	start, err := t.startAt(dirfd, name)
	if err != nil {
		return nil, "", err
	}
	if isGenerated(name) || start != nil && snapshot(start) {
		if _, err := t.lookupAt(dirfd, name, false); err != nil {
			return nil, "", err
		}
		return nil, "", linux.EPERM
	}
	return start, name, nil
}

// snapshot reports whether n belongs to a generated tree.
func snapshot(n *vfs.Node) bool {
	fs := n.FS()
	return fs != nil && (fs.Dev == procDev || fs.Dev == tracefsDev)
}

func sysMkdirat(t *Thread, a *args) (uint64, error) {
	start, name, err := t.pathAt(a[0], a[1])
	if err != nil {
		return 0, err
	}
	mode := t.umask(uint32(a[2]) & (0o777 | vfs.S_ISVTX))
	_, err = t.mnt().Mknod(t.FSContext(), start, name, vfs.S_IFDIR|mode, 0, nil)
	return 0, err
}

func sysMkdir(t *Thread, a *args) (uint64, error) { return sysMkdirat(t, &args{fdcwd, a[0], a[1]}) }

// sysMknodat makes a regular file, FIFO, socket or device node
// (may_mknod: a directory is EPERM, an unknown type EINVAL). A device
// node opens only if the kernel has its driver (openNode).
func sysMknodat(t *Thread, a *args) (uint64, error) {
	start, name, err := t.pathAt(a[0], a[1])
	if err != nil {
		return 0, err
	}
	mode := uint32(a[2])
	switch mode & vfs.S_IFMT {
	case 0, vfs.S_IFREG, vfs.S_IFCHR, vfs.S_IFBLK, vfs.S_IFIFO, vfs.S_IFSOCK:
	case vfs.S_IFDIR:
		return 0, linux.EPERM
	default:
		return 0, linux.EINVAL
	}
	dev := uint32(a[3]) // new_decode_dev: major in bits 8-19, minor in 0-7 and 20-31
	rdev := uint64(0)
	if t := mode & vfs.S_IFMT; t == vfs.S_IFCHR || t == vfs.S_IFBLK {
		rdev = uint64(dev)
	}
	_, err = t.mnt().Mknod(t.FSContext(), start, name, mode&vfs.S_IFMT|t.umask(mode&0o7777), rdev, nil)
	return 0, err
}

func sysMknod(t *Thread, a *args) (uint64, error) {
	return sysMknodat(t, &args{fdcwd, a[0], a[1], a[2]})
}

func sysRmdir(t *Thread, a *args) (uint64, error) {
	start, name, err := t.pathAt(fdcwd, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.mnt().Rmdir(t.FSContext(), start, name)
}

func sysUnlinkat(t *Thread, a *args) (uint64, error) {
	if a[2]&^linux.AT_REMOVEDIR != 0 {
		return 0, linux.EINVAL
	}
	start, name, err := t.pathAt(a[0], a[1])
	if err != nil {
		return 0, err
	}
	if a[2]&linux.AT_REMOVEDIR != 0 {
		return 0, t.mnt().Rmdir(t.FSContext(), start, name)
	}
	return 0, t.mnt().Unlink(t.FSContext(), start, name)
}

func sysUnlink(t *Thread, a *args) (uint64, error) { return sysUnlinkat(t, &args{fdcwd, a[0], 0}) }

func sysRenameat2(t *Thread, a *args) (uint64, error) {
	ostart, oname, err := t.pathAt(a[0], a[1])
	if err != nil {
		return 0, err
	}
	nstart, nname, err := t.pathAt(a[2], a[3])
	if err != nil {
		return 0, err
	}
	return 0, t.mnt().Rename(t.FSContext(), ostart, oname, nstart, nname, uint32(a[4]))
}

func sysRenameat(t *Thread, a *args) (uint64, error) {
	return sysRenameat2(t, &args{a[0], a[1], a[2], a[3], 0})
}

func sysRename(t *Thread, a *args) (uint64, error) {
	return sysRenameat2(t, &args{fdcwd, a[0], fdcwd, a[1], 0})
}

// sysLinkat is linkat(2): AT_SYMLINK_FOLLOW follows a final symlink of
// the old path; AT_EMPTY_PATH names olddirfd's own file (an O_TMPFILE
// file getting its name).
func sysLinkat(t *Thread, a *args) (uint64, error) {
	flags := a[4]
	if flags&^(linux.AT_SYMLINK_FOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	oname, err := t.p.as.CopyInString(a[1], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	var old *vfs.Node
	if oname == "" && flags&linux.AT_EMPTY_PATH != 0 {
		if old, err = t.dirNode(a[0]); err == nil && old == nil {
			err = linux.ENOENT // a pipe or socket has no name to give
		}
	} else {
		old, err = t.lookupAt(a[0], oname, flags&linux.AT_SYMLINK_FOLLOW != 0)
	}
	if err != nil {
		return 0, err
	}
	start, name, err := t.pathAt(a[2], a[3])
	if err != nil {
		return 0, err
	}
	if snapshot(old) {
		return 0, linux.EXDEV
	}
	return 0, t.mnt().Link(t.FSContext(), old, start, name)
}

func sysLink(t *Thread, a *args) (uint64, error) {
	return sysLinkat(t, &args{fdcwd, a[0], fdcwd, a[1], 0})
}

func sysSymlinkat(t *Thread, a *args) (uint64, error) {
	target, err := t.p.as.CopyInString(a[0], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	start, name, err := t.pathAt(a[1], a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.mnt().Symlink(t.FSContext(), target, start, name)
}

func sysSymlink(t *Thread, a *args) (uint64, error) {
	return sysSymlinkat(t, &args{a[0], fdcwd, a[1]})
}

// nodeAt finds the node a metadata call acts on: the path at addr from
// dirfd, or with AT_EMPTY_PATH and an empty path dirfd's own file.
func (t *Thread) nodeAt(dirfd, addr uint64, flags uint64) (*vfs.Node, error) {
	name, err := t.p.as.CopyInString(addr, linux.PATH_MAX)
	if err != nil {
		return nil, err
	}
	if name == "" && flags&linux.AT_EMPTY_PATH != 0 {
		n, err := t.dirNode(dirfd)
		if err == nil && n == nil {
			err = linux.EPERM // a pipe's inode is not ours to change
		}
		return n, err
	}
	return t.lookupAt(dirfd, name, flags&linux.AT_SYMLINK_NOFOLLOW == 0)
}

// fdNode is the node of descriptor fd for fchmod, fchown, fstatfs.
func (t *Thread) fdNode(fd uint64) (*vfs.Node, error) {
	f, err := t.p.files.get(fd)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Ops.(file.Path); ok {
		return nil, linux.EBADF
	}
	if f.Node == nil {
		return nil, linux.EPERM
	}
	return f.Node, nil
}

// changeable refuses metadata changes to generated files.
func changeable(n *vfs.Node) error {
	if snapshot(n) {
		return linux.EPERM
	}
	return nil
}

func sysFchmodat(t *Thread, a *args) (uint64, error) {
	n, err := t.nodeAt(a[0], a[1], 0)
	if err != nil {
		return 0, err
	}
	return chmod(t, n, a[2])
}

func chmod(t *Thread, n *vfs.Node, mode uint64) (uint64, error) {
	if err := changeable(n); err != nil {
		return 0, err
	}
	return 0, t.FSContext().Chmod(n, uint32(mode))
}

func sysChmod(t *Thread, a *args) (uint64, error) { return sysFchmodat(t, &args{fdcwd, a[0], a[1]}) }

func sysFchmod(t *Thread, a *args) (uint64, error) {
	n, err := t.fdNode(a[0])
	if err != nil {
		return 0, err
	}
	return chmod(t, n, a[1])
}

func sysFchownat(t *Thread, a *args) (uint64, error) {
	if a[4]&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	n, err := t.nodeAt(a[0], a[1], a[4])
	if err != nil {
		return 0, err
	}
	return chown(t, n, a[2], a[3])
}

// chown takes uid and gid as the 32-bit values the call passes, -1
// meaning "unchanged".
func chown(t *Thread, n *vfs.Node, uid, gid uint64) (uint64, error) {
	if err := changeable(n); err != nil {
		return 0, err
	}
	id := func(v uint64) int64 {
		if uint32(v) == ^uint32(0) {
			return -1
		}
		return int64(uint32(v))
	}
	return 0, t.FSContext().Chown(n, id(uid), id(gid))
}

func sysChown(t *Thread, a *args) (uint64, error) {
	return sysFchownat(t, &args{fdcwd, a[0], a[1], a[2], 0})
}

func sysLchown(t *Thread, a *args) (uint64, error) {
	return sysFchownat(t, &args{fdcwd, a[0], a[1], a[2], linux.AT_SYMLINK_NOFOLLOW})
}

func sysFchown(t *Thread, a *args) (uint64, error) {
	n, err := t.fdNode(a[0])
	if err != nil {
		return 0, err
	}
	return chown(t, n, a[1], a[2])
}

// sysTruncate is truncate(2): vfs_truncate's checks (a directory is
// EISDIR, another non-regular file EINVAL, then write permission).
func sysTruncate(t *Thread, a *args) (uint64, error) {
	if int64(a[1]) < 0 {
		return 0, linux.EINVAL
	}
	n, err := t.at(fdcwd, a[0], true)
	if err != nil {
		return 0, err
	}
	switch {
	case n.IsDir():
		return 0, linux.EISDIR
	case !n.IsRegular():
		return 0, linux.EINVAL
	case snapshot(n):
		return 0, linux.EACCES
	}
	if err := t.FSContext().Permission(n, vfs.MayWrite); err != nil {
		return 0, err
	}
	return 0, t.truncate(n, int64(a[1]))
}

// sysFtruncate is ftruncate(2): the file must be a regular file open for
// writing (EINVAL otherwise, as do_sys_ftruncate says).
func sysFtruncate(t *Thread, a *args) (uint64, error) {
	if int64(a[1]) < 0 {
		return 0, linux.EINVAL
	}
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	r, ok := f.Ops.(file.Regular)
	if !ok || f.Flags&linux.O_ACCMODE == linux.O_RDONLY {
		if _, path := f.Ops.(file.Path); path {
			return 0, linux.EBADF
		}
		return 0, linux.EINVAL
	}
	if f.Flags&linux.O_APPEND != 0 {
		return 0, linux.EPERM // IS_APPEND is the inode flag; an O_APPEND file may be cut
	}
	return 0, t.truncate(r.Node, int64(a[1]))
}

// truncate sets n's size within RLIMIT_FSIZE (inode_newsize_ok: SIGXFSZ
// and EFBIG beyond it).
func (t *Thread) truncate(n *vfs.Node, size int64) error {
	if size > t.FileSizeLimit() {
		t.ExceedFileSize()
		return linux.EFBIG
	}
	return file.Errno(n.Truncate(t.FSContext(), size))
}

// sysFallocate reserves or punches file space (shmem_fallocate): mode 0
// grows the file to off+len, FALLOC_FL_KEEP_SIZE reserves without
// growing, FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) zeroes a range.
func sysFallocate(t *Thread, a *args) (uint64, error) {
	mode, off, length := a[1], int64(a[2]), int64(a[3])
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if off < 0 || length <= 0 {
		return 0, linux.EINVAL
	}
	if mode&^(linux.FALLOC_FL_KEEP_SIZE|linux.FALLOC_FL_PUNCH_HOLE) != 0 {
		return 0, linux.EOPNOTSUPP
	}
	if mode&linux.FALLOC_FL_PUNCH_HOLE != 0 && mode&linux.FALLOC_FL_KEEP_SIZE == 0 {
		return 0, linux.EOPNOTSUPP
	}
	if f.Flags&linux.O_ACCMODE == linux.O_RDONLY {
		return 0, linux.EBADF
	}
	var r file.Regular
	switch ops := f.Ops.(type) {
	case file.Regular:
		r = ops
	case file.Dir:
		return 0, linux.EISDIR
	case file.Path:
		return 0, linux.EBADF
	default:
		if f.Node == nil {
			return 0, linux.ESPIPE
		}
		return 0, linux.ENODEV
	}
	if off+length < 0 || off+length > t.FileSizeLimit() {
		return 0, linux.EFBIG
	}
	size := r.Node.Size()
	if mode&linux.FALLOC_FL_PUNCH_HOLE != 0 {
		end := min(off+length, size)
		if end > off {
			if _, err := r.Node.WriteAt(t.FSContext(), make([]byte, end-off), off); err != nil {
				return 0, file.Errno(err)
			}
		}
		return 0, nil
	}
	if mode&linux.FALLOC_FL_KEEP_SIZE == 0 && off+length > size {
		return 0, t.truncate(r.Node, off+length)
	}
	return 0, nil
}

// sysFsync and sysFdatasync: everything is in memory, so there is nothing
// to write back; a file without a sync method (a pipe, a terminal) is
// EINVAL as on Linux.
func sysFsync(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	switch f.Ops.(type) {
	case file.Regular, file.Dir:
		return 0, nil
	case file.Path:
		return 0, linux.EBADF
	}
	return 0, linux.EINVAL
}

// sysUtimensat sets a file's times: times NULL means both now; a path
// NULL (not empty) means dirfd's own file, as Linux allows.
func sysUtimensat(t *Thread, a *args) (uint64, error) {
	flags := a[3]
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return 0, linux.EINVAL
	}
	at, mt := vfs.Time{Now: true}, vfs.Time{Now: true}
	if a[2] != 0 {
		var b [32]byte
		if err := t.p.as.CopyIn(b[:], a[2]); err != nil {
			return 0, err
		}
		var err error
		if at, err = utime(b[0:16]); err != nil {
			return 0, err
		}
		if mt, err = utime(b[16:32]); err != nil {
			return 0, err
		}
	}
	var n *vfs.Node
	var err error
	if a[1] == 0 {
		if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
			return 0, linux.EINVAL
		}
		n, err = t.dirNode(a[0])
		if err == nil && n == nil {
			return 0, linux.EPERM
		}
	} else {
		n, err = t.nodeAt(a[0], a[1], flags)
	}
	if err != nil {
		return 0, err
	}
	if err := changeable(n); err != nil {
		return 0, err
	}
	return 0, t.FSContext().SetTimes(n, at, mt)
}

// utime reads one struct timespec of utimensat: UTIME_NOW, UTIME_OMIT,
// or a time whose nanoseconds lie in [0, 1e9).
func utime(b []byte) (vfs.Time, error) {
	sec, nsec := int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))
	switch {
	case nsec == linux.UTIME_NOW:
		return vfs.Time{Now: true}, nil
	case nsec == linux.UTIME_OMIT:
		return vfs.Time{Omit: true}, nil
	case nsec < 0 || nsec >= 1e9:
		return vfs.Time{}, linux.EINVAL
	}
	return vfs.Time{Ns: sec*1e9 + nsec}, nil
}

// sysFutimesat is futimesat(2) and utimes(2): struct timeval pairs, NULL
// for now.
func sysFutimesat(t *Thread, a *args) (uint64, error) {
	if a[2] != 0 {
		var b [32]byte
		if err := t.p.as.CopyIn(b[:], a[2]); err != nil {
			return 0, err
		}
		var out [32]byte
		for i := 0; i < 2; i++ {
			sec, usec := binary.LittleEndian.Uint64(b[16*i:]), int64(binary.LittleEndian.Uint64(b[16*i+8:]))
			if usec < 0 || usec >= 1e6 {
				return 0, linux.EINVAL
			}
			binary.LittleEndian.PutUint64(out[16*i:], sec)
			binary.LittleEndian.PutUint64(out[16*i+8:], uint64(usec*1000))
		}
		return utimensFrom(t, a[0], a[1], out)
	}
	return sysUtimensat(t, &args{a[0], a[1], 0, 0})
}

func sysUtimes(t *Thread, a *args) (uint64, error) { return sysFutimesat(t, &args{fdcwd, a[0], a[1]}) }

// sysUtime is utime(2): struct utimbuf holds whole seconds.
func sysUtime(t *Thread, a *args) (uint64, error) {
	if a[1] == 0 {
		return sysUtimensat(t, &args{fdcwd, a[0], 0, 0})
	}
	var b [16]byte
	if err := t.p.as.CopyIn(b[:], a[1]); err != nil {
		return 0, err
	}
	var out [32]byte
	copy(out[0:8], b[0:8])
	copy(out[16:24], b[8:16])
	return utimensFrom(t, fdcwd, a[0], out)
}

// utimensFrom runs utimensat with times already converted, held in
// kernel memory: the same checks as a user's utimensat.
func utimensFrom(t *Thread, dirfd, pathAddr uint64, ts [32]byte) (uint64, error) {
	at, err := utime(ts[0:16])
	if err != nil {
		return 0, err
	}
	mt, err := utime(ts[16:32])
	if err != nil {
		return 0, err
	}
	n, err := t.nodeAt(dirfd, pathAddr, 0)
	if err != nil {
		return 0, err
	}
	if err := changeable(n); err != nil {
		return 0, err
	}
	return 0, t.FSContext().SetTimes(n, at, mt)
}

// statfs describes the file system holding n as Linux's shmem_statfs
// does for tmpfs (and the rootfs, which is a tmpfs): a size limit of half
// of memory by default, in pages, and as many inodes.
func statfs(n *vfs.Node) linux.Statfs {
	st := linux.Statfs{Bsize: mm.PageSize, Frsize: mm.PageSize, Namelen: 255, Flags: linux.ST_VALID}
	fs := n.FS()
	switch {
	case fs != nil && fs.Dev == procDev:
		st.Type = linux.PROC_SUPER_MAGIC
		st.Flags |= linux.ST_NOSUID | linux.ST_NODEV | linux.ST_NOEXEC | linux.ST_RELATIME
		return st
	case fs != nil && fs.Dev == tracefsDev:
		st.Type = linux.TRACEFS_MAGIC
		st.Flags |= linux.ST_NOSUID | linux.ST_NODEV | linux.ST_NOEXEC | linux.ST_RELATIME
		return st
	}
	st.Type = linux.TMPFS_MAGIC
	s := mm.Stats()
	st.Blocks = s.Total / 2
	if fs != nil && fs.Budget.Limit.Load() > 0 {
		st.Blocks = uint64(fs.Budget.Limit.Load())
	}
	var used uint64
	if fs != nil {
		used = uint64(fs.Budget.Used())
	}
	st.Bfree = st.Blocks - min(used, st.Blocks)
	st.Bavail = st.Bfree
	st.Files, st.Ffree = s.Total/2, s.Total/2-min(uint64(vfs.Inodes()), s.Total/2)
	st.Flags |= linux.ST_RELATIME
	if fs != nil {
		st.Flags |= int64(fs.Flags()) // MS_RDONLY..MS_NOEXEC are ST_RDONLY..ST_NOEXEC
	}
	return st
}

func putStatfs(t *Thread, addr uint64, st linux.Statfs) error {
	b := (*[unsafe.Sizeof(st)]byte)(unsafe.Pointer(&st))
	return t.p.as.CopyOut(addr, b[:])
}

func sysStatfs(t *Thread, a *args) (uint64, error) {
	n, err := t.at(fdcwd, a[0], true)
	if err != nil {
		return 0, err
	}
	return 0, putStatfs(t, a[1], statfs(n))
}

func sysFstatfs(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	if f.Node == nil {
		// A pipe's file system is pipefs; nothing here can tell more.
		return 0, putStatfs(t, a[1], linux.Statfs{Type: 0x50495045, Bsize: mm.PageSize,
			Frsize: mm.PageSize, Namelen: 255, Flags: linux.ST_VALID})
	}
	return 0, putStatfs(t, a[1], statfs(f.Node))
}

// sysMount is mount(2) for the file systems this kernel has: a new tmpfs
// anywhere, proc (at /proc, where it always is; elsewhere an empty tree
// of type proc stands for it), and MS_REMOUNT of a tree's flags
// (read-only, nosuid, nodev, noexec), in the caller's mount namespace.
// The target is looked up first, then may_mount: CAP_SYS_ADMIN over the
// user namespace owning that mount namespace (EPERM). Bind and move
// mounts are EINVAL; propagation changes (MS_SHARED, MS_PRIVATE,
// MS_SLAVE, MS_UNBINDABLE, with MS_REC) are accepted and change nothing:
// every mount is private, nothing propagates between namespaces.
func sysMount(t *Thread, a *args) (uint64, error) {
	flags := a[3]
	if flags&linux.MS_MGC_MSK == linux.MS_MGC_VAL {
		flags &^= linux.MS_MGC_MSK
	}
	targetName, err := t.p.as.CopyInString(a[1], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	var fstype, source, data string
	if a[2] != 0 {
		if fstype, err = t.p.as.CopyInString(a[2], 4096); err != nil {
			return 0, err
		}
	}
	if a[0] != 0 {
		if source, err = t.p.as.CopyInString(a[0], linux.PATH_MAX); err != nil {
			return 0, err
		}
	}
	if a[4] != 0 {
		if data, err = t.p.as.CopyInString(a[4], mm.PageSize); err != nil {
			return 0, err
		}
	}
	start, err := t.startAt(fdcwd, targetName)
	if err != nil {
		return 0, err
	}
	if _, err := t.lookupAt(fdcwd, targetName, true); err != nil {
		return 0, err
	}
	if !t.mayMount() {
		return 0, linux.EPERM
	}
	if flags&linux.MS_REMOUNT != 0 && flags&linux.MS_BIND == 0 {
		return 0, t.mnt().Remount(start, targetName, flags)
	}
	if flags&(linux.MS_BIND|linux.MS_MOVE|linux.MS_SHARED|linux.MS_PRIVATE|linux.MS_SLAVE|linux.MS_UNBINDABLE) != 0 {
		if flags&(linux.MS_SHARED|linux.MS_PRIVATE|linux.MS_SLAVE|linux.MS_UNBINDABLE) != 0 && flags&(linux.MS_REMOUNT|linux.MS_BIND|linux.MS_MOVE) == 0 {
			// A propagation change: one namespace, nothing propagates.
			_, err := t.lookupAt(fdcwd, targetName, true)
			return 0, err
		}
		return 0, linux.EINVAL
	}
	switch fstype {
	case "tmpfs":
		fs := vfs.NewFS("tmpfs")
		fs.Source = source
		fs.SetFlags(flags)
		pages := defaultTmpfsPages()
		if v, ok := mountSize(data); ok {
			pages = v
		} else if _, given := mountValue(data, "size"); given {
			return 0, linux.EINVAL
		}
		fs.Budget.Limit.Store(pages)
		if mode, ok := mountOption(data, "mode"); ok {
			fs.Root().SetMode(uint32(mode))
		}
		return 0, t.mnt().Mount(start, targetName, fs)
	case "proc":
		n, err := t.lookupAt(fdcwd, targetName, true)
		if err != nil {
			return 0, err
		}
		if t.mnt().PathOf(n) != "/proc" {
			// Elsewhere an empty tree stands for proc: its files are
			// served at /proc only.
			fs := vfs.NewSnapshot("proc", procDev)
			fs.Source = source
			fs.SetFlags(flags)
			return 0, t.mnt().Mount(start, targetName, fs)
		}
		return 0, nil
	case "devpts":
		// The one devpts instance (newinstance is how every Linux mount
		// behaves since 4.7; here all share one) lives at /dev/pts.
		n, err := t.lookupAt(fdcwd, targetName, true)
		if err != nil {
			return 0, err
		}
		if n != devpts.Root() && vfs.PathOf(n) != devptsPrefix {
			return 0, linux.EINVAL
		}
		return 0, nil
	}
	return 0, linux.ENODEV
}

// defaultTmpfsPages is a tmpfs's size when mount gives none:
// half of memory, in pages (shmem_default_max_blocks).
func defaultTmpfsPages() int64 { return int64(mm.Stats().Total / 2) }

// mountValue finds option key's value in mount data.
func mountValue(data, key string) (string, bool) {
	for _, opt := range strings.Split(data, ",") {
		if v, ok := strings.CutPrefix(opt, key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// mountSize reads tmpfs's size= option in pages (shmem_parse_one): bytes
// with an optional k, m or g, or a percentage of memory; rounded up to
// whole pages. 0 means no limit.
func mountSize(data string) (int64, bool) {
	v, ok := mountValue(data, "size")
	if !ok || v == "" {
		return 0, false
	}
	if pct, isPct := strings.CutSuffix(v, "%"); isPct {
		n, err := strconv.ParseUint(pct, 10, 32)
		if err != nil {
			return 0, false
		}
		return int64(mm.Stats().Total * n / 100), true
	}
	shift := uint(0)
	switch v[len(v)-1] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	}
	if shift != 0 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > 1<<(63-shift) {
		return 0, false
	}
	return int64((n<<shift + mm.PageSize - 1) / mm.PageSize), true
}

// mountOption finds an octal option such as mode=1777 in mount data.
func mountOption(data, key string) (uint64, bool) {
	v, ok := mountValue(data, key)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 8, 32)
	return n, err == nil
}

// sysUmount2 is umount2(2): MNT_DETACH unmounts even while files are open.
func sysUmount2(t *Thread, a *args) (uint64, error) {
	flags := a[1]
	if flags&^(linux.MNT_FORCE|linux.MNT_DETACH|linux.MNT_EXPIRE|linux.UMOUNT_NOFOLLOW) != 0 ||
		flags&linux.MNT_EXPIRE != 0 && flags&(linux.MNT_FORCE|linux.MNT_DETACH) != 0 {
		return 0, linux.EINVAL
	}
	name, err := t.p.as.CopyInString(a[0], linux.PATH_MAX)
	if err != nil {
		return 0, err
	}
	start, err := t.startAt(fdcwd, name)
	if err != nil {
		return 0, err
	}
	if _, err := t.lookupAt(fdcwd, name, flags&linux.UMOUNT_NOFOLLOW == 0); err != nil {
		return 0, err
	}
	if !t.mayMount() {
		return 0, linux.EPERM
	}
	return 0, t.mnt().Unmount(start, name, flags&linux.UMOUNT_NOFOLLOW == 0, flags&linux.MNT_DETACH != 0)
}

// mayMount is may_mount: CAP_SYS_ADMIN over the user namespace that owns
// the caller's mount namespace.
func (t *Thread) mayMount() bool { return t.creds().NSCapable(t.ns().mnt.owner, linux.CAP_SYS_ADMIN) }

// mountsFile is /proc/mounts of mount namespace m: the root, proc,
// tracefs, then what mount(2) added in m, with the options Linux shows
// for them.
func mountsFile(m *vfs.MountNS) string {
	var b strings.Builder
	b.WriteString("rootfs / rootfs rw 0 0\n" +
		"proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"tracefs " + tracingDir + " tracefs rw,nosuid,nodev,noexec,relatime 0 0\n")
	for _, m := range m.Mounts() {
		src := m.FS.Source
		if src == "" {
			src = "none"
		}
		opts := "rw"
		flags := m.FS.Flags()
		if flags&linux.MS_RDONLY != 0 {
			opts = "ro"
		}
		for _, f := range []struct {
			bit  uint64
			name string
		}{{linux.MS_NOSUID, "nosuid"}, {linux.MS_NODEV, "nodev"}, {linux.MS_NOEXEC, "noexec"}} {
			if flags&f.bit != 0 {
				opts += "," + f.name
			}
		}
		b.WriteString(src + " " + m.Path + " " + m.FS.Type + " " + opts + ",relatime 0 0\n")
	}
	return b.String()
}

// fileSystemCalls are the calls that change the tree or its files'
// metadata, and the writing calls that only regular files have; init
// adds them to the system-call table.
var fileSystemCalls = map[uint64]sysFunc{
	linux.SYS_MKDIR: sysMkdir, linux.SYS_MKDIRAT: sysMkdirat, linux.SYS_MKNOD: sysMknod,
	linux.SYS_MKNODAT: sysMknodat, linux.SYS_RMDIR: sysRmdir, linux.SYS_UNLINK: sysUnlink,
	linux.SYS_UNLINKAT: sysUnlinkat, linux.SYS_RENAME: sysRename, linux.SYS_RENAMEAT: sysRenameat,
	linux.SYS_RENAMEAT2: sysRenameat2, linux.SYS_LINK: sysLink, linux.SYS_LINKAT: sysLinkat,
	linux.SYS_SYMLINK: sysSymlink, linux.SYS_SYMLINKAT: sysSymlinkat, linux.SYS_CHMOD: sysChmod,
	linux.SYS_FCHMOD: sysFchmod, linux.SYS_FCHMODAT: sysFchmodat, linux.SYS_CHOWN: sysChown,
	linux.SYS_FCHOWN: sysFchown, linux.SYS_LCHOWN: sysLchown, linux.SYS_FCHOWNAT: sysFchownat,
	linux.SYS_UMASK: sysUmask, linux.SYS_TRUNCATE: sysTruncate, linux.SYS_FTRUNCATE: sysFtruncate,
	linux.SYS_FALLOCATE: sysFallocate, linux.SYS_FSYNC: sysFsync, linux.SYS_FDATASYNC: sysFsync,
	linux.SYS_UTIMENSAT: sysUtimensat, linux.SYS_FUTIMESAT: sysFutimesat, linux.SYS_UTIMES: sysUtimes,
	linux.SYS_UTIME: sysUtime, linux.SYS_STATFS: sysStatfs, linux.SYS_FSTATFS: sysFstatfs,
	linux.SYS_MOUNT: sysMount, linux.SYS_UMOUNT2: sysUmount2, linux.SYS_CREAT: sysCreat,
	linux.SYS_PWRITE64: sysPwrite64, linux.SYS_PREADV: sysPreadv, linux.SYS_PWRITEV: sysPwritev,
	linux.SYS_SENDFILE: sysSendfile, linux.SYS_COPY_FILE_RANGE: sysCopyFileRange,
}
