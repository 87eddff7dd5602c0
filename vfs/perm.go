package vfs

import "sigil/linux"

// Ctx is who changes or reads a tree and when: the caller's file-system
// credentials for permission checks and the time stamped on what changes.
type Ctx struct {
	UID, GID uint32   // fsuid and fsgid
	Groups   []uint32 // supplementary groups
	Now      int64    // nanoseconds since the epoch
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
// or the others' bits decide, and root (CAP_DAC_OVERRIDE) may do anything
// except execute a file no one may execute. ns is held.
func (c Ctx) permission(n *Node, mask uint32) error {
	mode := n.mode
	if c.UID == 0 {
		if mask&MayExec == 0 || n.IsDir() || mode&0o111 != 0 {
			return nil
		}
		return linux.EACCES
	}
	perm := mode & 7
	switch {
	case c.UID == n.uid:
		perm = mode >> 6 & 7
	case c.inGroup(n.gid):
		perm = mode >> 3 & 7
	}
	if mask&^perm != 0 {
		return linux.EACCES
	}
	return nil
}

// Permission checks that c may access n as mask asks (access(2),
// exec, open).
func (c Ctx) Permission(n *Node, mask uint32) error {
	ns.RLock()
	defer ns.RUnlock()
	return c.permission(n, mask)
}

// owns reports whether c may change n's attributes (inode_owner_or_capable).
func (c Ctx) owns(n *Node) bool { return c.UID == 0 || c.UID == n.uid }

// mayDelete is may_delete's check for removing or renaming c out of dir:
// write and search on dir, and in a sticky directory ownership of the
// file or the directory (check_sticky). ns is held.
func (ctx Ctx) mayDelete(dir, c *Node) error {
	if err := ctx.permission(dir, MayWrite|MayExec); err != nil {
		return err
	}
	if dir.mode&S_ISVTX != 0 && ctx.UID != 0 && ctx.UID != c.uid && ctx.UID != dir.uid {
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
	return c.permission(dir, MayWrite|MayExec)
}
