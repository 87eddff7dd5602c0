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
