package vfs

import "sigil/linux"

// mounts lists the trees mounted on others, in mount order; guarded by ns.
var mounts []*FS

// Mount puts tree m on directory p (mount(2)); a later mount on the same
// place hides the earlier one until it goes.
func (fs *FS) Mount(cwd *Node, p string, m *FS) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := fs.walk(cwd, p, true, &links)
	if err != nil {
		return err
	}
	if !n.IsDir() {
		return linux.ENOTDIR
	}
	if m.covers != nil {
		return linux.EBUSY
	}
	n.mounted, m.covers = m, n
	mounts = append(mounts, m)
	return nil
}

// Unmount takes away the tree mounted at p (umount2). It is EINVAL where
// nothing is mounted, and EBUSY while another mount sits on it or, unless
// detach (MNT_DETACH), while a file in it is open.
func (fs *FS) Unmount(cwd *Node, p string, follow, detach bool) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := fs.walk(cwd, p, follow, &links)
	if err != nil {
		return err
	}
	m := n.sb
	if n.parent != n || m == nil || m.covers == nil {
		return linux.EINVAL
	}
	if n.mounted != nil || m.opens > 0 && !detach {
		return linux.EBUSY
	}
	m.covers.mounted, m.covers = nil, nil
	for i, x := range mounts {
		if x == m {
			mounts = append(mounts[:i], mounts[i+1:]...)
			break
		}
	}
	return nil
}

// mountFlags are the MS_* flags a mount keeps (the MNT_* of do_mount).
const mountFlags = linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC

// Flags returns the tree's mount flags (MS_RDONLY, MS_NOSUID, MS_NODEV,
// MS_NOEXEC).
func (fs *FS) Flags() uint64 {
	ns.RLock()
	defer ns.RUnlock()
	return fs.flags
}

// SetFlags sets the flags of a tree not yet mounted.
func (fs *FS) SetFlags(flags uint64) {
	ns.Lock()
	defer ns.Unlock()
	fs.flags = flags & mountFlags
}

// Remount changes the flags of the tree whose root p names (mount(2)
// with MS_REMOUNT): EINVAL where no tree has its root.
func (fs *FS) Remount(cwd *Node, p string, flags uint64) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := fs.walk(cwd, p, true, &links)
	if err != nil {
		return err
	}
	if n.parent != n || n.sb == nil {
		return linux.EINVAL
	}
	n.sb.flags = flags & mountFlags
	return nil
}

// Noexec reports whether n lies in a tree mounted MS_NOEXEC (path_noexec).
func (n *Node) Noexec() bool { return n.sb != nil && n.sb.Flags()&linux.MS_NOEXEC != 0 }

// Nosuid reports whether n lies in a tree mounted MS_NOSUID, where exec
// honours no set-user-ID or set-group-ID bit.
func (n *Node) Nosuid() bool { return n.sb != nil && n.sb.Flags()&linux.MS_NOSUID != 0 }

// readonly is EROFS for a change to a tree mounted read-only (ns held).
func (n *Node) readonly() error {
	if n.sb != nil && n.sb.flags&linux.MS_RDONLY != 0 {
		return linux.EROFS
	}
	return nil
}

// Mounted is a mounted tree and where it is.
type Mounted struct {
	FS   *FS
	Path string
}

// Mounts returns the trees mounted on the root tree, in mount order.
func Mounts() []Mounted {
	ns.RLock()
	list := append([]*FS(nil), mounts...)
	ns.RUnlock()
	var out []Mounted
	for _, m := range list {
		out = append(out, Mounted{m, PathOf(m.root)})
	}
	return out
}
