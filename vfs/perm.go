package vfs

import "sigil/linux"

// Ctx is who changes or reads a tree and when: the caller's file-system
// credentials for permission checks and the time stamped on what changes.
type Ctx struct {
	UID, GID uint32   // fsuid and fsgid
	Groups   []uint32 // supplementary groups
	Caps     uint64   // effective capabilities (linux.CAP_*)
	Now      int64    // nanoseconds since the epoch
	// Mapped, for a caller in a user namespace below the initial one,
	// reports whether that namespace maps a uid and a gid: its
	// capabilities count only for inodes whose owner and group it maps
	// (capable_wrt_inode_uidgid). Nil: the initial namespace.
	Mapped func(uid, gid uint32) bool
}

// capable reports whether c has the capability over inode n.
func (c Ctx) capable(n *Node, cap int) bool {
	return c.Caps&(1<<cap) != 0 && (c.Mapped == nil || c.Mapped(n.uid, n.gid))
}

// Access masks (MAY_EXEC, MAY_WRITE, MAY_READ in include/linux/fs.h).
const (
	MayExec  = 1
	MayWrite = 2
	MayRead  = 4
)

func (c Ctx) inGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// permission is generic_permission without ACLs: the owner's, the group's
// or the others' bits decide; then CAP_DAC_OVERRIDE allows anything but
// executing a file no one may execute, and CAP_DAC_READ_SEARCH reading
// any file and reading or searching any directory. ns is held.
func (c Ctx) permission(n *Node, mask uint32) error {
	mode := n.mode
	if t := n.Type(); mask&MayWrite != 0 && (t == S_IFREG || t == S_IFDIR || t == S_IFLNK) {
		if err := n.readonly(); err != nil {
			return err // sb_permission comes first
		}
	}
	if c.bits(n)&mask == mask {
		return nil
	}
	if c.capable(n, linux.CAP_DAC_OVERRIDE) && (mask&MayExec == 0 || n.IsDir() || mode&0o111 != 0) {
		return nil
	}
	if c.capable(n, linux.CAP_DAC_READ_SEARCH) && (mask == MayRead || n.IsDir() && mask&MayWrite == 0) {
		return nil
	}
	return linux.EACCES
}

// bits is the rwx bits that apply to c: the owner's, the group's or the
// others'. ns is held.
func (c Ctx) bits(n *Node) uint32 {
	mode := n.mode
	perm := mode & 7
	switch {
	case c.UID == n.uid:
		perm = mode >> 6 & 7
	case c.inGroup(n.gid):
		perm = mode >> 3 & 7
	}
	return perm
}

// Permission checks that c may access n as mask asks (access(2),
// exec, open).
func (c Ctx) Permission(n *Node, mask uint32) error {
	ns.RLock()
	defer ns.RUnlock()
	return c.permission(n, mask)
}

// owns reports whether c may change n's attributes (inode_owner_or_capable).
func (c Ctx) owns(n *Node) bool { return c.UID == n.uid || c.capable(n, linux.CAP_FOWNER) }

// mayDelete is may_delete's check for removing or renaming c out of dir:
// write and search on dir, and in a sticky directory ownership of the
// file or the directory (check_sticky). ns is held.
func (ctx Ctx) mayDelete(dir, c *Node) error {
	if err := dir.readonly(); err != nil {
		return err
	}
	if err := ctx.permission(dir, MayWrite|MayExec); err != nil {
		return err
	}
	if dir.mode&S_ISVTX != 0 && ctx.UID != c.uid && ctx.UID != dir.uid && !ctx.capable(c, linux.CAP_FOWNER) {
		return linux.EPERM
	}
	return nil
}

// mayCreate is may_create: the directory still exists, and c may write
// and search it. ns is held.
func (c Ctx) mayCreate(dir *Node) error {
	if dir.nlink == 0 {
		return linux.ENOENT
	}
	if err := dir.readonly(); err != nil {
		return err
	}
	return c.permission(dir, MayWrite|MayExec)
}
