package vfs

import (
	"errors"
	"path"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"sigil/mm"
	"sigil/mm/vm"
)

// File types (include/uapi/linux/stat.h).
const (
	S_IFMT   = 0o170000
	S_IFSOCK = 0o140000
	S_IFLNK  = 0o120000
	S_IFREG  = 0o100000
	S_IFBLK  = 0o060000
	S_IFDIR  = 0o040000
	S_IFCHR  = 0o020000
	S_IFIFO  = 0o010000
)

// Errors, mapped to errno values at the system-call edge.
var (
	ErrNotExist = errors.New("no such file or directory") // ENOENT
	ErrNotDir   = errors.New("not a directory")           // ENOTDIR
	ErrIsDir    = errors.New("is a directory")            // EISDIR
	ErrLoop     = errors.New("too many symbolic links")   // ELOOP
	ErrExist    = errors.New("file exists")               // EEXIST
	ErrNameLong = errors.New("file name too long")        // ENAMETOOLONG
)

// Node is a file, directory, symlink or device.
type Node struct {
	Ino   uint64
	Mode  uint32
	UID   uint32
	GID   uint32
	Mtime int64
	Data  []byte // regular file contents or symlink target
	Rdev  uint64 // device number (major<<8 | minor) for S_IFCHR
	// Dev is the driver of a device node, set by the kernel.
	Dev      any
	children map[string]*Node
	parent   *Node

	pagesOnce sync.Once
	pages     *vm.Object // the page cache, made on first use (FS.Pages)
}

// IsDir and friends test the node's type.
func (n *Node) IsDir() bool     { return n.Mode&S_IFMT == S_IFDIR }
func (n *Node) IsSymlink() bool { return n.Mode&S_IFMT == S_IFLNK }
func (n *Node) IsRegular() bool { return n.Mode&S_IFMT == S_IFREG }

// Names returns a directory's entries in order.
func (n *Node) Names() []string {
	var names []string
	for k := range n.children {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Child returns a directory's entry.
func (n *Node) Child(name string) *Node { return n.children[name] }

// Parent returns a directory's parent (the root's is itself).
func (n *Node) Parent() *Node { return n.parent }

// FS is a file tree.
type FS struct {
	mu      sync.RWMutex
	root    *Node
	nextIno uint64
}

// New returns an empty tree.
func New() *FS {
	fs := &FS{nextIno: 1}
	fs.root = fs.newNode(S_IFDIR | 0o755)
	fs.root.parent = fs.root
	return fs
}

func (fs *FS) newNode(mode uint32) *Node {
	n := &Node{Ino: fs.nextIno, Mode: mode}
	fs.nextIno++
	if mode&S_IFMT == S_IFDIR {
		n.children = map[string]*Node{}
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
			fs.root.Mode = S_IFDIR | e.Mode&0o7777
			return nil
		}
		_, err := fs.Add(name, e.Mode, e.Data)
		return err
	})
	return fs, err
}

// Add creates (or replaces) the node at absolute path p, creating parent
// directories.
func (fs *FS) Add(p string, mode uint32, data []byte) (*Node, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	dir := fs.root
	parts := strings.Split(strings.Trim(path.Clean(p), "/"), "/")
	for _, part := range parts[:len(parts)-1] {
		next := dir.children[part]
		if next == nil {
			next = fs.newNode(S_IFDIR | 0o755)
			next.parent = dir
			dir.children[part] = next
		}
		if !next.IsDir() {
			return nil, ErrNotDir
		}
		dir = next
	}
	name := parts[len(parts)-1]
	if old := dir.children[name]; old != nil && old.IsDir() && mode&S_IFMT == S_IFDIR {
		old.Mode = mode
		return old, nil
	}
	n := fs.newNode(mode)
	n.Data = data
	n.parent = dir
	dir.children[name] = n
	return n, nil
}

const maxSymlinks = 40 // Linux's MAXSYMLINKS

// Lookup resolves p (absolute, or relative to cwd) following symlinks; with
// followLast false a final symlink is returned itself (lstat, readlink).
func (fs *FS) Lookup(cwd *Node, p string, followLast bool) (*Node, error) {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	links := 0
	return fs.walk(cwd, p, followLast, &links)
}

func (fs *FS) walk(cwd *Node, p string, followLast bool, links *int) (*Node, error) {
	if len(p) >= 4096 {
		return nil, ErrNameLong
	}
	n := cwd
	if strings.HasPrefix(p, "/") || n == nil {
		n = fs.root
	}
	parts := strings.Split(p, "/")
	lastIdx := -1
	for i, part := range parts {
		if part != "" && part != "." {
			lastIdx = i
		}
	}
	trailingSlash := strings.HasSuffix(p, "/")
	for i, part := range parts {
		if part == "" || part == "." {
			continue
		}
		if len(part) > 255 {
			return nil, ErrNameLong
		}
		if !n.IsDir() {
			return nil, ErrNotDir
		}
		if part == ".." {
			n = n.parent
			continue
		}
		next := n.children[part]
		if next == nil {
			return nil, ErrNotExist
		}
		last := i == lastIdx && !trailingSlash
		if next.IsSymlink() && (!last || followLast) {
			*links++
			if *links > maxSymlinks {
				return nil, ErrLoop
			}
			target, err := fs.walk(n, string(next.Data), true, links)
			if err != nil {
				return nil, err
			}
			next = target
		}
		n = next
	}
	if trailingSlash && !n.IsDir() {
		return nil, ErrNotDir
	}
	return n, nil
}

// Path returns n's absolute path. A node of another tree (a /proc
// snapshot's) gets its path in that tree, whose root (its own parent, as
// every root is) stands for "/" too.
func (fs *FS) Path(n *Node) string {
	fs.mu.RLock()
	defer fs.mu.RUnlock()
	var parts []string
	for n != fs.root && n.parent != nil && n.parent != n {
		p := n.parent
		for name, c := range p.children {
			if c == n {
				parts = append([]string{name}, parts...)
				break
			}
		}
		n = p
	}
	return "/" + strings.Join(parts, "/")
}

// Pages returns regular file n's page cache, which every mapping of the
// file shares. It is made on first use and filled from the file's bytes.
func (fs *FS) Pages(n *Node) *vm.Object {
	n.pagesOnce.Do(func() {
		n.pages = vm.NewFileObject(bytesSource(n.Data), int64(len(n.Data)), fs.Path(n), 0, n.Ino)
	})
	return n.pages
}

// bytesSource reads a file held in memory, and gives the frames of its
// whole pages when the memory is the direct map's (the initrd).
type bytesSource []byte

func (b bytesSource) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, nil
	}
	return copy(p, b[off:]), nil
}

func (b bytesSource) Frame(i uint64) (uint64, bool) {
	if (i+1)*PageSize > uint64(len(b)) {
		return 0, false // the last, partial page: its tail must read zero
	}
	pa, ok := mm.PhysOf(unsafe.Pointer(&b[i*PageSize]))
	return pa, ok && pa%PageSize == 0
}
