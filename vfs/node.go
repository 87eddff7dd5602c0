package vfs

import (
	"sort"
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm/vm"
)

// File types and mode bits, Linux's (include/uapi/linux/stat.h).
const (
	S_IFMT   = linux.S_IFMT
	S_IFSOCK = linux.S_IFSOCK
	S_IFLNK  = linux.S_IFLNK
	S_IFREG  = linux.S_IFREG
	S_IFBLK  = linux.S_IFBLK
	S_IFDIR  = linux.S_IFDIR
	S_IFCHR  = linux.S_IFCHR
	S_IFIFO  = linux.S_IFIFO
	S_ISUID  = linux.S_ISUID
	S_ISGID  = linux.S_ISGID
	S_ISVTX  = linux.S_ISVTX
)

// Node is an inode: a file, directory, symlink, device, FIFO or socket
// of an in-memory tree.
type Node struct {
	Ino  uint64
	Rdev uint64 // device number (major<<8 | minor) of a device node
	// Dev is what the kernel attaches to a node it makes: the socket
	// bound to a socket node, or where a /proc link leads.
	Dev any
	// Data is a symlink's target, or the bytes a regular file had when
	// the tree was built (the initrd's, or a /proc snapshot's); a file's
	// contents are read through ReadAt, since writes go to its pages.
	Data []byte
	sb   *FS

	// Guarded by ns.
	mode                uint32 // type (fixed) and permission bits
	uid, gid            uint32
	nlink               uint32
	atime, mtime, ctime int64 // nanoseconds since the epoch
	children            map[string]*dirent
	nextSeq             uint64 // a directory's next entry position
	parent              *Node  // the directory it was last linked in (a root's is itself)
	name                string // the name it was last linked under (Path)
	opens               int    // open file descriptions of the node
	linkable            bool   // an O_TMPFILE file linkat may name
	gone                bool   // no name and no opener: its inode is freed

	pagesOnce sync.Once
	pages     *vm.Object  // contents (content.go), made on first write or mmap
	made      atomic.Bool // pages is set
}

// dirent is a name in a directory. seq orders a directory's entries by
// creation, so a reader part-way through it (getdents with an offset)
// sees each entry that stays exactly once, whatever else comes and goes
// (Linux's dcache_readdir cursor gives tmpfs the same property).
type dirent struct {
	node *Node
	seq  uint64
}

// Mode returns the node's type and permission bits.
func (n *Node) Mode() uint32 {
	ns.RLock()
	defer ns.RUnlock()
	return n.mode
}

// SetMode sets the permission bits of a node the kernel makes (a
// tmpfs root given mode= at mount).
func (n *Node) SetMode(perm uint32) {
	ns.Lock()
	defer ns.Unlock()
	n.mode = n.mode&S_IFMT | perm&0o7777
}

// IsDir and friends test the node's type, which never changes.
func (n *Node) IsDir() bool     { return n.mode&S_IFMT == S_IFDIR }
func (n *Node) IsSymlink() bool { return n.mode&S_IFMT == S_IFLNK }
func (n *Node) IsRegular() bool { return n.mode&S_IFMT == S_IFREG }
func (n *Node) Type() uint32    { return n.mode & S_IFMT }

// FS returns the tree the node belongs to.
func (n *Node) FS() *FS { return n.sb }

// Dirent is a directory entry as getdents reports it.
type Dirent struct {
	Name string
	Node *Node
	Off  uint64 // position after this entry: where the next read resumes
}

// Entries returns a directory's entries after position off ("." at 0,
// ".." at 1, then the names in the order they were made), at most max of
// them.
func (n *Node) Entries(off uint64, max int) []Dirent {
	ns.RLock()
	defer ns.RUnlock()
	var out []Dirent
	if off == 0 && len(out) < max {
		out = append(out, Dirent{".", n, 1})
		off = 1
	}
	if off == 1 && len(out) < max {
		out = append(out, Dirent{"..", n.parent, 2}) // within its tree, as dcache_readdir's d_parent_ino
		off = 2
	}
	var rest []Dirent
	for name, d := range n.children {
		if d.seq > off {
			rest = append(rest, Dirent{name, d.node, d.seq})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Off < rest[j].Off })
	if len(out)+len(rest) > max {
		rest = rest[:max-len(out)]
	}
	return append(out, rest...)
}

// Names returns a directory's names in order.
func (n *Node) Names() []string {
	var names []string
	for _, e := range n.Entries(2, 1<<30) {
		names = append(names, e.Name)
	}
	return names
}

// Child returns a directory's entry.
func (n *Node) Child(name string) *Node {
	ns.RLock()
	defer ns.RUnlock()
	if d := n.children[name]; d != nil {
		return d.node
	}
	return nil
}

// Parent returns a directory's parent in m, across a mount (a root's
// is itself).
func (m *MountNS) Parent(n *Node) *Node {
	ns.RLock()
	defer ns.RUnlock()
	return m.up(n)
}

// up is "..": the parent, or for the root of a tree mounted in m the
// parent of the directory it covers. ns is held.
func (m *MountNS) up(n *Node) *Node {
	for n.parent == n && m.covers[n.sb] != nil {
		n = m.covers[n.sb]
	}
	return n.parent
}

// cross is a walk's step onto n: the root of the tree m mounts on it
// last, if any. ns is held.
func (m *MountNS) cross(n *Node) *Node {
	for n != nil && m.on[n] != nil {
		n = m.on[n].root
	}
	return n
}

// Attr is a node's metadata, as stat reports it.
type Attr struct {
	Dev, Ino, Rdev      uint64
	Mode, UID, GID      uint32
	Nlink               uint32
	Size, Blocks        int64
	Atime, Mtime, Ctime int64
}

// Attr returns the node's metadata.
func (n *Node) Attr() Attr {
	size := n.Size()
	ns.RLock()
	defer ns.RUnlock()
	a := Attr{Ino: n.Ino, Rdev: n.Rdev, Mode: n.mode, UID: n.uid, GID: n.gid, Nlink: n.nlink,
		Size: size, Atime: n.atime, Mtime: n.mtime, Ctime: n.ctime}
	if n.sb != nil {
		a.Dev = n.sb.Dev
	}
	switch n.Type() {
	case S_IFDIR:
		// tmpfs counts BOGO_DIRENT_SIZE (20) bytes per entry, "." and
		// ".." included (mm/shmem.c).
		a.Size = int64(20 * (len(n.children) + 2))
	case S_IFREG:
		a.Blocks = (size + 4095) / 4096 * 8 // whole pages, in 512-byte units
	}
	return a
}
