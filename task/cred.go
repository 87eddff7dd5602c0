package task

import (
	"sigil/clock"
	"sigil/cred"
	"sigil/file"
	"sigil/linux"
	"sigil/vfs"
)

// FSContext is the caller as the file system sees it: its file-system
// credentials and capabilities, and the time to stamp on what it changes.
func (t *Thread) FSContext() vfs.Ctx {
	c := t.cred.Load()
	x := vfs.Ctx{UID: c.FSUID, GID: c.FSGID, Groups: c.Groups, Caps: c.Effective, Now: clock.Realtime()}
	if ns := c.UserNS(); ns != cred.InitUserNS {
		x.Mapped = ns.Mapped // capable_wrt_inode_uidgid
	}
	return x
}

// FileSizeLimit is the caller's RLIMIT_FSIZE soft limit in bytes, the end
// past which no write may put a byte.
func (t *Thread) FileSizeLimit() int64 {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return int64(min(t.p.limits[linux.RLIMIT_FSIZE].Cur, file.MaxFileSize))
}

// umask applies the process's file-creation mask to mode (its S_IFMT and
// special bits kept as the caller gives them).
func (t *Thread) umask(mode uint32) uint32 {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return mode &^ t.p.umask
}

// sysUmask is umask(2): it sets the mask and returns the old one.
func sysUmask(t *Thread, a *args) (uint64, error) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	old := t.p.umask
	t.p.umask = uint32(a[0]) & 0o777
	return uint64(old), nil
}
