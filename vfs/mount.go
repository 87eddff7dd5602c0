package vfs

import "sigil/linux"

// MountNS is a mount namespace's table (fs/namespace.c's struct
// mnt_namespace): which tree is mounted on which directory, over a root
// tree. Trees and their nodes are shared; each namespace has its own
// table, so a mount or unmount in one is not seen in another. Every
// field is guarded by ns (the vfs lock).
type MountNS struct {
	fs     *FS           // the root tree (fixed)
	on     map[*Node]*FS // a directory -> the tree mounted on it (the last hides the earlier)
	covers map[*FS]*Node // a mounted tree -> the directory it covers
	order  []*FS         // mounted trees in mount order (/proc/mounts)
}

// NewMountNS returns a namespace with root as its root and nothing
// mounted on it.
func NewMountNS(root *FS) *MountNS {
	return &MountNS{fs: root, on: map[*Node]*FS{}, covers: map[*FS]*Node{}}
}

// Copy returns a new namespace with the same mounts (copy_mnt_ns; every
// mount is private: nothing propagates between the two).
func (m *MountNS) Copy() *MountNS {
	ns.RLock()
	defer ns.RUnlock()
	n := NewMountNS(m.fs)
	for k, v := range m.on {
		n.on[k] = v
	}
	for k, v := range m.covers {
		n.covers[k] = v
	}
	n.order = append([]*FS(nil), m.order...)
	return n
}

// RootFS returns the namespace's root tree.
func (m *MountNS) RootFS() *FS { return m.fs }

// Mount puts tree t on directory p (mount(2)); a later mount on the same
// place hides the earlier one until it goes.
func (m *MountNS) Mount(cwd *Node, p string, t *FS) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := m.walk(cwd, p, true, &links)
	if err != nil {
		return err
	}
	if !n.IsDir() {
		return linux.ENOTDIR
	}
	if m.covers[t] != nil {
		return linux.EBUSY
	}
	m.on[n], m.covers[t] = t, n
	m.order = append(m.order, t)
	return nil
}

// Unmount takes away the tree mounted at p (umount2). It is EINVAL where
// nothing is mounted, and EBUSY while another mount sits on it or, unless
// detach (MNT_DETACH), while a file in it is open.
func (m *MountNS) Unmount(cwd *Node, p string, follow, detach bool) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := m.walk(cwd, p, follow, &links)
	if err != nil {
		return err
	}
	t := n.sb
	if n.parent != n || t == nil || m.covers[t] == nil {
		return linux.EINVAL
	}
	if m.on[n] != nil || t.opens > 0 && !detach {
		return linux.EBUSY
	}
	m.detach(t)
	return nil
}

// detach takes tree t out of the table; ns is held for writing.
func (m *MountNS) detach(t *FS) {
	delete(m.on, m.covers[t])
	delete(m.covers, t)
	for i, x := range m.order {
		if x == t {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}

// IsMountpoint reports whether a tree is mounted on n in m.
func (m *MountNS) IsMountpoint(n *Node) bool {
	ns.RLock()
	defer ns.RUnlock()
	return m.on[n] != nil
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
func (m *MountNS) Remount(cwd *Node, p string, flags uint64) error {
	ns.Lock()
	defer ns.Unlock()
	links := 0
	n, err := m.walk(cwd, p, true, &links)
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

// Mounts returns the trees mounted in m, in mount order.
func (m *MountNS) Mounts() []Mounted {
	ns.RLock()
	list := append([]*FS(nil), m.order...)
	ns.RUnlock()
	var out []Mounted
	for _, t := range list {
		out = append(out, Mounted{t, m.PathOf(t.root)})
	}
	return out
}

// Initial is the initial mount namespace (init_mnt_ns), which PathOf
// names paths in; set once at boot, before any process runs.
var Initial *MountNS

// PathOf returns n's path in the initial namespace (its path in its own
// tree before there is one): the name a file's pages carry.
func PathOf(n *Node) string {
	if Initial == nil {
		return NewMountNS(nil).PathOf(n)
	}
	return Initial.PathOf(n)
}

// Alone returns the tree as a namespace of its own with nothing mounted
// in it: how the kernel walks a tree it builds (a /proc snapshot,
// devpts). Nothing may be mounted through it.
func (fs *FS) Alone() *MountNS { return &MountNS{fs: fs} }
