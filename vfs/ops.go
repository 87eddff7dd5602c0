package vfs

import (
	"fmt"

	"sigil/linux"
)

// The operations below follow Linux's fs/namei.c for the order in which
// errors are found (the errno a program sees is the first rule broken)
// and mm/shmem.c for what a tmpfs does. Each takes ns for its whole
// walk-and-change, so no other change slips in between.

// resolveLast resolves p to its last component, which it does not follow
// (the calls that make, remove or rename a name act on the name itself);
// ns is held.
func (m *MountNS) resolveLast(cwd *Node, p string) (where, error) {
	links := 0
	return m.resolve(cwd, p, false, &links)
}

// normal reports whether a path's last component is a plain name (Linux's
// LAST_NORM), not ".", ".." or the root.
func (w where) normal() bool { return w.Name != "." && w.Name != ".." && w.Name != "/" }

// create links a new node named name into dir, which c may write; ns is
// held for writing. A set-group-ID directory gives its group, and to a
// subdirectory its set-group-ID bit too (inode_init_owner).
func (dir *Node) create(c Ctx, name string, mode uint32) *Node {
	n := dir.sb.newNode(mode, c)
	if dir.mode&S_ISGID != 0 {
		n.gid = dir.gid
		if n.IsDir() {
			n.mode |= S_ISGID
		}
	}
	if n.IsDir() {
		n.nlink = 2
	}
	dir.link(name, n)
	dir.mtime, dir.ctime = c.Now, c.Now
	return n
}

// Open resolves p for open(2) and creates it under O_CREAT; flags are
// open's. It returns the node and whether it made it. Truncation
// (O_TRUNC) happens here too, after the permission check (do_open).
func (m *MountNS) Open(c Ctx, cwd *Node, p string, flags uint64, mode uint32) (*Node, bool, error) {
	n, created, err := m.openLocked(c, cwd, p, flags, mode)
	if err != nil || created {
		return n, created, err
	}
	if flags&linux.O_TRUNC != 0 && n.IsRegular() && flags&linux.O_PATH == 0 {
		if err := n.Truncate(c, 0); err != nil {
			return nil, false, err
		}
	}
	return n, false, nil
}

func (m *MountNS) openLocked(c Ctx, cwd *Node, p string, flags uint64, mode uint32) (*Node, bool, error) {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	var n *Node
	if flags&linux.O_CREAT != 0 && flags&linux.O_PATH == 0 {
		w, err := m.resolve(cwd, p, false, &links)
		if err != nil {
			return nil, false, err
		}
		if !w.normal() || w.Slash {
			return nil, false, linux.EISDIR
		}
		if w.Node != nil && flags&linux.O_EXCL != 0 {
			return nil, false, linux.EEXIST
		}
		if w.Node != nil && w.Node.IsSymlink() {
			if flags&linux.O_NOFOLLOW != 0 {
				return nil, false, linux.ELOOP
			}
			// A dangling link makes its target (open_last_lookups).
			if w, err = m.resolve(cwd, p, true, &links); err != nil {
				return nil, false, err
			}
			if w.Node == nil && w.Slash {
				return nil, false, linux.EISDIR
			}
		}
		if w.Node == nil {
			if err := c.mayCreate(w.Dir); err != nil {
				return nil, false, err
			}
			return w.Dir.create(c, w.Name, S_IFREG|mode&0o7777), true, nil
		}
		n = w.Node
		if n.IsDir() {
			return nil, false, linux.EISDIR
		}
	} else {
		w, err := m.resolve(cwd, p, flags&linux.O_NOFOLLOW == 0, &links)
		if err != nil {
			return nil, false, err
		}
		if n = w.Node; n == nil {
			return nil, false, linux.ENOENT
		}
		if w.Slash && !n.IsDir() {
			return nil, false, linux.ENOTDIR
		}
		if n.IsSymlink() && flags&linux.O_PATH == 0 {
			return nil, false, linux.ELOOP // O_NOFOLLOW
		}
	}
	if flags&linux.O_DIRECTORY != 0 && !n.IsDir() {
		return nil, false, linux.ENOTDIR
	}
	if flags&linux.O_PATH != 0 {
		return n, false, nil
	}
	acc := flags & linux.O_ACCMODE
	if n.IsDir() && (acc != linux.O_RDONLY || flags&linux.O_TRUNC != 0) {
		return nil, false, linux.EISDIR
	}
	var mask uint32
	if acc != linux.O_WRONLY {
		mask |= MayRead
	}
	if acc != linux.O_RDONLY || flags&linux.O_TRUNC != 0 {
		mask |= MayWrite
	}
	return n, false, c.permission(n, mask)
}

// Tmpfile makes an unnamed regular file in directory p (O_TMPFILE): it
// has no link until linkat gives it one, which it allows unless O_EXCL
// was given (I_LINKABLE).
func (m *MountNS) Tmpfile(c Ctx, cwd *Node, p string, mode uint32, linkable bool) (*Node, error) {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	dir, err := m.walk(cwd, p, true, &links)
	if err != nil {
		return nil, err
	}
	if !dir.IsDir() {
		return nil, linux.ENOTDIR
	}
	if err := c.mayCreate(dir); err != nil {
		return nil, err
	}
	n := dir.sb.newNode(S_IFREG|mode&0o7777, c)
	// d_path names it "#ino (deleted)" (shmem_tmpfile's d_tmpfile).
	n.nlink, n.parent, n.name, n.linkable = 0, dir, fmt.Sprintf("#%d", n.Ino), linkable
	return n, nil
}

// Unnamed makes a regular file no directory holds (memfd_create's): it
// lives while open or mapped, and its path reads as "/name (deleted)".
func (fs *FS) Unnamed(c Ctx, mode uint32, name string) *Node {
	ns.Lock()
	defer ns.Unlock()
	n := fs.newNode(S_IFREG|mode&0o7777, c)
	n.nlink, n.parent, n.name = 0, fs.root, name
	return n
}

// Mknod makes a node of the type in mode (a regular file when the type
// is 0): mknod(2), mkdir(2) and a socket's bind. rdev is a device's
// number; dev is what the kernel attaches (Node.Dev: the bound socket).
func (m *MountNS) Mknod(c Ctx, cwd *Node, p string, mode uint32, rdev uint64, dev any) (*Node, error) {
	ns.Lock()
	defer ns.Unlock()
	w, err := m.resolveLast(cwd, p)
	if err != nil {
		return nil, err
	}
	if mode&S_IFMT == 0 {
		mode |= S_IFREG
	}
	// filename_create: an existing name is EEXIST; a trailing slash on
	// anything but a new directory is ENOENT.
	if !w.normal() || w.Node != nil {
		return nil, linux.EEXIST
	}
	if w.Slash && mode&S_IFMT != S_IFDIR {
		return nil, linux.ENOENT
	}
	if err := c.mayCreate(w.Dir); err != nil {
		return nil, err
	}
	n := w.Dir.create(c, w.Name, mode)
	n.Rdev, n.Dev = rdev, dev
	return n, nil
}

// Symlink makes a symbolic link at p holding target.
func (m *MountNS) Symlink(c Ctx, target string, cwd *Node, p string) error {
	if target == "" {
		return linux.ENOENT
	}
	if len(target) >= linux.PATH_MAX {
		return linux.ENAMETOOLONG
	}
	n, err := m.Mknod(c, cwd, p, S_IFLNK|0o777, 0, nil)
	if err == nil {
		ns.Lock()
		n.Data = []byte(target)
		ns.Unlock()
	}
	return err
}

// Readlink returns a symlink's target.
func (n *Node) Readlink() ([]byte, error) {
	ns.RLock()
	defer ns.RUnlock()
	if !n.IsSymlink() {
		return nil, linux.EINVAL
	}
	return n.Data, nil
}

// Link gives old another name, p (link(2)).
func (m *MountNS) Link(c Ctx, old *Node, cwd *Node, p string) error {
	ns.Lock()
	defer ns.Unlock()
	w, err := m.resolveLast(cwd, p)
	if err != nil {
		return err
	}
	if !w.normal() || w.Node != nil {
		return linux.EEXIST
	}
	if w.Slash {
		return linux.ENOENT
	}
	if w.Dir.sb != old.sb {
		return linux.EXDEV
	}
	if err := c.mayCreate(w.Dir); err != nil {
		return err
	}
	if old.IsDir() {
		return linux.EPERM
	}
	if old.nlink == 0 && !old.linkable {
		return linux.ENOENT
	}
	old.linkable = false
	old.nlink++
	old.ctime = c.Now
	w.Dir.link(w.Name, old)
	w.Dir.mtime, w.Dir.ctime = c.Now, c.Now
	return nil
}

// Unlink removes the name p of a file that is not a directory.
func (m *MountNS) Unlink(c Ctx, cwd *Node, p string) error {
	return m.remove(c, cwd, p, func(w where) error {
		switch {
		case !w.normal():
			return linux.EISDIR
		case w.Node == nil:
			return linux.ENOENT
		case w.Node.IsDir():
			return linux.EISDIR
		case w.Slash:
			return linux.ENOTDIR
		}
		return nil
	})
}

// Rmdir removes the empty directory p.
func (m *MountNS) Rmdir(c Ctx, cwd *Node, p string) error {
	return m.remove(c, cwd, p, func(w where) error {
		switch {
		case w.Name == ".":
			return linux.EINVAL
		case w.Name == "..":
			return linux.ENOTEMPTY
		case w.Name == "/":
			return linux.EBUSY
		case w.Node == nil:
			return linux.ENOENT
		case !w.Node.IsDir():
			return linux.ENOTDIR
		}
		return nil
	})
}

// remove is unlink and rmdir: the walk, the call's own checks on what the
// path names (kind), then may_delete, mounts and emptiness, in
// do_unlinkat's and do_rmdir's order.
func (m *MountNS) remove(c Ctx, cwd *Node, p string, kind func(where) error) error {
	ns.Lock()
	defer ns.Unlock()
	w, err := m.resolveLast(cwd, p)
	if err != nil {
		return err
	}
	if err := kind(w); err != nil {
		return err
	}
	n := w.Node
	if err := c.mayDelete(w.Dir, n); err != nil {
		return err
	}
	if m.on[n] != nil || n.parent == n {
		return linux.EBUSY // a mount point, or the root of a mount
	}
	if n.IsDir() && len(n.children) > 0 {
		return linux.ENOTEMPTY
	}
	w.Dir.unlink(w.Name, n)
	w.Dir.mtime, w.Dir.ctime, n.ctime = c.Now, c.Now, c.Now
	return nil
}

// Rename moves op to np (renameat2) with flags RENAME_NOREPLACE,
// RENAME_EXCHANGE or RENAME_WHITEOUT.
func (m *MountNS) Rename(c Ctx, ocwd *Node, op string, ncwd *Node, np string, flags uint32) error {
	const known = linux.RENAME_NOREPLACE | linux.RENAME_EXCHANGE | linux.RENAME_WHITEOUT
	if flags&^known != 0 || flags&linux.RENAME_NOREPLACE != 0 && flags&linux.RENAME_EXCHANGE != 0 ||
		flags&linux.RENAME_WHITEOUT != 0 && flags&linux.RENAME_EXCHANGE != 0 {
		return linux.EINVAL
	}
	ns.Lock()
	defer ns.Unlock()
	ow, err := m.resolveLast(ocwd, op)
	if err != nil {
		return err
	}
	nw, err := m.resolveLast(ncwd, np)
	if err != nil {
		return err
	}
	// do_renameat2's order: mounts, the kinds of last component, then
	// the entries themselves.
	if ow.Dir.sb != nw.Dir.sb {
		return linux.EXDEV
	}
	if !ow.normal() {
		return linux.EBUSY
	}
	if !nw.normal() {
		if flags&linux.RENAME_NOREPLACE != 0 {
			return linux.EEXIST
		}
		return linux.EBUSY
	}
	o, t := ow.Node, nw.Node
	exchange := flags&linux.RENAME_EXCHANGE != 0
	switch {
	case o == nil:
		return linux.ENOENT
	case t != nil && flags&linux.RENAME_NOREPLACE != 0:
		return linux.EEXIST
	case t == nil && exchange:
		return linux.ENOENT
	case !exchange && !o.IsDir() && (ow.Slash || nw.Slash):
		return linux.ENOTDIR
	case exchange && (ow.Slash && !o.IsDir() || nw.Slash && !t.IsDir()):
		return linux.ENOTDIR
	}
	// A directory cannot move below itself (lock_rename's trap).
	if o.IsDir() && m.isAncestor(o, nw.Dir) {
		return linux.EINVAL
	}
	if t != nil && t.IsDir() && m.isAncestor(t, ow.Dir) {
		if exchange {
			return linux.EINVAL
		}
		return linux.ENOTEMPTY
	}
	if o == t {
		return nil // two names of one file: nothing to do
	}
	if err := c.mayDelete(ow.Dir, o); err != nil {
		return err
	}
	if t != nil {
		err = c.mayDelete(nw.Dir, t)
	} else {
		err = c.mayCreate(nw.Dir)
	}
	if err != nil {
		return err
	}
	if !exchange && t != nil {
		switch {
		case o.IsDir() && !t.IsDir():
			return linux.ENOTDIR
		case !o.IsDir() && t.IsDir():
			return linux.EISDIR
		}
	}
	if m.on[o] != nil || t != nil && m.on[t] != nil {
		return linux.EBUSY
	}
	if !exchange && t != nil && t.IsDir() && len(t.children) > 0 {
		return linux.ENOTEMPTY
	}
	ow.Dir.detach(ow.Name, o)
	if exchange {
		nw.Dir.detach(nw.Name, t)
		ow.Dir.link(ow.Name, t)
		t.ctime = c.Now
	} else if t != nil {
		nw.Dir.unlink(nw.Name, t)
		t.ctime = c.Now
	}
	nw.Dir.link(nw.Name, o)
	if flags&linux.RENAME_WHITEOUT != 0 {
		// A whiteout is a character device 0:0 in the old name's place.
		ow.Dir.create(c, ow.Name, S_IFCHR)
	}
	o.ctime = c.Now
	ow.Dir.mtime, ow.Dir.ctime, nw.Dir.mtime, nw.Dir.ctime = c.Now, c.Now, c.Now, c.Now
	return nil
}

// detach takes name (naming c) out of directory n without unlinking c,
// which is about to be linked elsewhere; ns is held for writing.
func (n *Node) detach(name string, c *Node) {
	delete(n.children, name)
	if c.IsDir() {
		n.nlink--
	}
}

// isAncestor reports whether a is n or lies above it; ns is held.
func (m *MountNS) isAncestor(a, n *Node) bool {
	for {
		if n == a {
			return true
		}
		up := m.up(n)
		if up == n {
			return false
		}
		n = up
	}
}
