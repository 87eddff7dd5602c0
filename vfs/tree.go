package vfs

import (
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm/vm"
)

// ns guards the shape of every tree and every node's metadata: the
// fields of Node marked so, and every MountNS's table. Sections under it are short
// and never block; file contents have their own lock (the page object's).
var ns sync.RWMutex

// Errors, mapped to errno values at the system-call edge, are Linux's own.
var (
	ErrNotExist = linux.ENOENT
	ErrNotDir   = linux.ENOTDIR
	ErrIsDir    = linux.EISDIR
	ErrLoop     = linux.ELOOP
	ErrExist    = linux.EEXIST
	ErrNameLong = linux.ENAMETOOLONG
)

// FS is one mounted file system (a superblock): the initrd's rootfs, a
// tmpfs, or a generated tree such as a /proc snapshot.
type FS struct {
	Type    string // "rootfs", "tmpfs", "proc"...: what /proc/mounts and statfs say
	Source  string // what mount(2) was given as the source (/proc/mounts)
	flags   uint64 // MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC; guarded by ns
	Dev     uint64 // st_dev of its nodes
	root    *Node
	nextIno atomic.Uint64
	Budget  vm.Budget // pages its files may hold (a tmpfs's size=)
	opens   int       // open files of its nodes (umount's EBUSY); guarded by ns
}

// anonDevs numbers file systems without a device, as Linux's
// get_anon_bdev does (major 0).
var anonDevs atomic.Uint64

// NewFS returns an empty tree of the given type, with a device number of
// its own.
func NewFS(typ string) *FS { return NewSnapshot(typ, AnonDev()) }

// AnonDev returns a new device number for a file system without a device.
func AnonDev() uint64 { return anonDevs.Add(1) }

// NewSnapshot returns an empty tree that stands for file system dev at
// one moment (a /proc snapshot: every snapshot is the same proc).
func NewSnapshot(typ string, dev uint64) *FS {
	fs := &FS{Type: typ, Dev: dev}
	fs.root = fs.newNode(S_IFDIR|0o755, Ctx{})
	fs.root.parent = fs.root
	fs.root.nlink = 2
	return fs
}

// New returns an empty root tree.
func New() *FS { return NewFS("rootfs") }

// inodes counts the nodes of trees that are not snapshots and that a
// name or an open file still holds (statfs's f_ffree).
var inodes atomic.Int64

// Inodes returns the number of live inodes.
func Inodes() int64 { return inodes.Load() }

// newNode makes an inode owned by c's user at c's time.
func (fs *FS) newNode(mode uint32, c Ctx) *Node {
	inodes.Add(1)
	n := &Node{Ino: fs.nextIno.Add(1), sb: fs, mode: mode, uid: c.UID, gid: c.GID, nlink: 1,
		atime: c.Now, mtime: c.Now, ctime: c.Now}
	if mode&S_IFMT == S_IFDIR {
		n.children = map[string]*dirent{}
		n.nextSeq = 3 // after "." (1) and ".." (2)
	}
	return n
}

// Root returns the root directory.
func (fs *FS) Root() *Node { return fs.root }

// FromCPIO builds a tree from a newc archive. Missing parent directories are
// created; a later member replaces an earlier one of the same name.
func FromCPIO(b []byte) (*FS, error) {
	fs := New()
	err := ParseCPIO(b, func(e Entry) error {
		name := path.Clean("/" + e.Name)
		if name == "/" {
			fs.root.mode = S_IFDIR | e.Mode&0o7777
			return nil
		}
		n, err := fs.Add(name, e.Mode, e.Data)
		if err == nil {
			t := e.Mtime * 1e9
			n.uid, n.gid, n.atime, n.mtime, n.ctime = e.UID, e.GID, t, t, t
		}
		return err
	})
	return fs, err
}

// Add creates (or replaces) the node at absolute path p, creating parent
// directories: how the kernel builds a tree (the initrd's, /dev's, a
// /proc snapshot).
func (fs *FS) Add(p string, mode uint32, data []byte) (*Node, error) {
	ns.Lock()
	defer ns.Unlock()
	dir := fs.root
	parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	for _, part := range parts[:len(parts)-1] {
		next := dir.child(part)
		if next == nil {
			next = fs.newNode(S_IFDIR|0o755, Ctx{})
			dir.link(part, next)
		}
		if !next.IsDir() {
			return nil, ErrNotDir
		}
		dir = next
	}
	name := parts[len(parts)-1]
	if old := dir.child(name); old != nil && old.IsDir() && mode&S_IFMT == S_IFDIR {
		old.mode = mode
		return old, nil
	}
	n := fs.newNode(mode, Ctx{})
	n.Data = data
	if old := dir.child(name); old != nil {
		dir.unlink(name, old)
	}
	dir.link(name, n)
	return n, nil
}

// child returns a directory's entry by name; ns is held.
func (n *Node) child(name string) *Node {
	if d := n.children[name]; d != nil {
		return d.node
	}
	return nil
}

// link enters c in directory n as name; ns is held for writing.
func (n *Node) link(name string, c *Node) {
	n.children[name] = &dirent{node: c, seq: n.nextSeq}
	n.nextSeq++
	c.parent, c.name = n, name
	if c.IsDir() {
		n.nlink++ // the child's ".."
	}
}

// unlink removes name (naming c) from directory n; ns is held for
// writing. A directory loses its own link and its parent's "..".
func (n *Node) unlink(name string, c *Node) {
	delete(n.children, name)
	if c.IsDir() {
		n.nlink--
		c.nlink = 0
	} else {
		c.nlink--
	}
	c.maybeRelease()
}

const maxSymlinks = 40 // Linux's MAXSYMLINKS

// Lookup resolves p (absolute, or relative to cwd) following symlinks; with
// followLast false a final symlink is returned itself (lstat, readlink).
func (m *MountNS) Lookup(cwd *Node, p string, followLast bool) (*Node, error) {
	ns.RLock()
	defer ns.RUnlock()
	links := 0
	return m.walk(cwd, p, followLast, &links)
}

func (m *MountNS) walk(cwd *Node, p string, followLast bool, links *int) (*Node, error) {
	w, err := m.resolve(cwd, p, followLast, links)
	if err != nil {
		return nil, err
	}
	if w.Node == nil {
		return nil, ErrNotExist
	}
	if w.Slash && !w.Node.IsDir() {
		return nil, ErrNotDir
	}
	return w.Node, nil
}

// where is a path resolved up to its last component.
type where struct {
	Dir   *Node  // the directory holding the last component
	Name  string // the last component: a name, ".", "..", or "/" for the root itself
	Node  *Node  // what Name names, or nil when nothing does
	Slash bool   // the path ended in "/": the last component must be a directory
}

// resolve walks p to its last component, following symlinks on the way
// and, with followLast (or a trailing slash), a final one too; ns is
// held. A missing last component is no error (its creator wants Dir).
func (m *MountNS) resolve(cwd *Node, p string, followLast bool, links *int) (where, error) {
	if p == "" {
		return where{}, ErrNotExist
	}
	if len(p) >= linux.PATH_MAX {
		return where{}, ErrNameLong
	}
	dir := cwd
	if p[0] == '/' || dir == nil {
		dir = m.fs.root
	}
	trimmed := strings.TrimRight(p, "/")
	w := where{Slash: len(trimmed) < len(p)}
	if trimmed == "" {
		return where{Dir: m.fs.root, Name: "/", Node: m.fs.root, Slash: true}, nil
	}
	parts := strings.Split(trimmed, "/")
	last := len(parts) - 1
	for i, part := range parts {
		if part == "" {
			continue
		}
		if len(part) > 255 {
			return where{}, ErrNameLong
		}
		if !dir.IsDir() {
			return where{}, ErrNotDir
		}
		var next *Node
		switch part {
		case ".":
			next = dir
		case "..":
			next = m.up(dir)
		default:
			next = m.cross(dir.child(part))
		}
		if i == last {
			w.Dir, w.Name, w.Node = dir, part, next
			if next != nil && next.IsSymlink() && (followLast || w.Slash) {
				*links++
				if *links > maxSymlinks {
					return where{}, ErrLoop
				}
				t, err := m.resolve(dir, string(next.Data), true, links)
				if err != nil {
					return where{}, err
				}
				t.Slash = t.Slash || w.Slash
				return t, nil
			}
			return w, nil
		}
		if next == nil {
			return where{}, ErrNotExist
		}
		if next.IsSymlink() {
			*links++
			if *links > maxSymlinks {
				return where{}, ErrLoop
			}
			t, err := m.walk(dir, string(next.Data), true, links)
			if err != nil {
				return where{}, err
			}
			next = t
		}
		dir = next
	}
	// Only "." components after the first: p names dir itself.
	return where{Dir: dir, Name: ".", Node: dir, Slash: w.Slash}, nil
}

// PathOf returns n's absolute path, across mounts. A node of a tree not
// mounted anywhere (a /proc snapshot's) gets its path in that tree, whose
// root stands for "/". A file removed from the tree reads as Linux's
// d_path gives it: its last path and " (deleted)".
func (m *MountNS) PathOf(n *Node) string {
	ns.RLock()
	defer ns.RUnlock()
	var parts []string
	deleted := n.nlink == 0 && n.parent != n
	for {
		if n.parent == n || n.parent == nil {
			c := m.covers[n.sb]
			if n.sb == nil || c == nil {
				break // the root
			}
			n = c
			continue
		}
		parts = append(parts, n.name)
		n = n.parent
	}
	slices.Reverse(parts)
	s := "/" + strings.Join(parts, "/")
	if deleted {
		s += " (deleted)"
	}
	return s
}
