package vfs

import "sigil/linux"

// Chmod sets n's permission bits (chmod_common, notify_change). Only the
// owner or CAP_FOWNER may; a caller outside the file's group and without
// CAP_FSETID loses its set-group-ID bit (setattr_copy).
func (c Ctx) Chmod(n *Node, mode uint32) error {
	ns.Lock()
	defer ns.Unlock()
	if err := n.readonly(); err != nil {
		return err
	}
	if !c.owns(n) {
		return linux.EPERM
	}
	mode &= 0o7777
	if !c.inGroup(n.gid) && !c.capable(n, linux.CAP_FSETID) {
		mode &^= S_ISGID
	}
	n.mode = n.mode&S_IFMT | mode
	n.ctime = c.Now
	return nil
}

// Chown sets n's owner and group; -1 leaves one as it is (chown_common).
// With CAP_CHOWN a file may go to anyone; its owner may only change its
// group to one of its own. A regular file loses set-user-ID, and set-group-ID if
// group-executable, whoever changes it (notify_change with ATTR_KILL_*).
func (c Ctx) Chown(n *Node, uid, gid int64) error {
	ns.Lock()
	defer ns.Unlock()
	if err := n.readonly(); err != nil {
		return err
	}
	newUID, newGID := n.uid, n.gid
	if uid != -1 {
		newUID = uint32(uid)
	}
	if gid != -1 {
		newGID = uint32(gid)
	}
	if !c.capable(n, linux.CAP_CHOWN) && (newUID != n.uid || c.UID != n.uid || newGID != n.gid && !c.inGroup(newGID)) {
		return linux.EPERM
	}
	n.uid, n.gid = newUID, newGID
	if !n.IsDir() && (uid != -1 || gid != -1) {
		n.mode &^= S_ISUID
		if n.mode&0o010 != 0 {
			n.mode &^= S_ISGID
		}
	}
	n.ctime = c.Now
	return nil
}

// Time is one of utimensat's times: set to Sec/Nsec, or to now, or left.
type Time struct {
	Ns   int64
	Now  bool // UTIME_NOW
	Omit bool // UTIME_OMIT
}

// SetTimes sets n's access and modification times (utimensat). Setting
// both to now needs ownership or write permission; any explicit time
// needs ownership (vfs_utimes, inode_owner_or_capable).
func (c Ctx) SetTimes(n *Node, atime, mtime Time) error {
	ns.Lock()
	defer ns.Unlock()
	if atime.Omit && mtime.Omit {
		return nil
	}
	if err := n.readonly(); err != nil {
		return err
	}
	if !c.owns(n) {
		if !(atime.Now || atime.Omit) || !(mtime.Now || mtime.Omit) {
			return linux.EPERM
		}
		if err := c.permission(n, MayWrite); err != nil {
			return err
		}
	}
	set := func(dst *int64, t Time) {
		switch {
		case t.Omit:
		case t.Now:
			*dst = c.Now
		default:
			*dst = t.Ns
		}
	}
	set(&n.atime, atime)
	set(&n.mtime, mtime)
	n.ctime = c.Now
	return nil
}
