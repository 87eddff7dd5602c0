package vfs

import (
	"unsafe"

	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
)

// A regular file's contents live in its page object once anything writes
// or maps it (vm/file.go); until then a read copies the bytes the tree
// was built with, so reading the initrd or a /proc snapshot costs no page.

// object returns the file's page object if it has one yet.
func (n *Node) object() *vm.Object {
	if !n.made.Load() {
		return nil
	}
	return n.pages
}

// Pages returns regular file n's page object, which every mapping of the
// file shares and which holds its contents from now on.
func (n *Node) Pages() *vm.Object {
	n.pagesOnce.Do(func() {
		var src vm.Source
		if len(n.Data) > 0 {
			src = bytesSource(n.Data)
		}
		var dev uint64
		var budget *vm.Budget
		if n.sb != nil {
			dev, budget = n.sb.Dev, &n.sb.Budget
		}
		n.pages = vm.NewFileObject(src, int64(len(n.Data)), PathOf(n), dev, n.Ino, budget)
		n.made.Store(true)
	})
	return n.pages
}

// Size returns a regular file's size in bytes (a symlink's: its target's
// length).
func (n *Node) Size() int64 {
	if o := n.object(); o != nil {
		return o.Size()
	}
	return int64(len(n.Data))
}

// ReadAt reads the file's bytes at off, as io.ReaderAt but returning
// (0, nil) at the end.
func (n *Node) ReadAt(p []byte, off int64) (int, error) {
	if o := n.object(); o != nil {
		return o.ReadAt(p, off)
	}
	if off >= int64(len(n.Data)) {
		return 0, nil
	}
	return copy(p, n.Data[off:]), nil
}

// Bytes returns the whole file (exec reads a program this way): the
// tree's own bytes while nothing has written the file, else a copy.
func (n *Node) Bytes() ([]byte, error) {
	o := n.object()
	if o == nil {
		return n.Data, nil
	}
	b := make([]byte, o.Size())
	k, err := o.ReadAt(b, 0)
	return b[:k], err
}

// WriteAt writes p at off, growing the file, and stamps the change
// (c.Now). Memory running out is vm.ErrNoMemory after the bytes that fit.
func (n *Node) WriteAt(c Ctx, p []byte, off int64) (int, error) {
	k, err := n.Pages().WriteAt(p, off)
	if k > 0 {
		n.touch(c)
	}
	return k, err
}

// Truncate sets a regular file's size (truncate, ftruncate, O_TRUNC).
func (n *Node) Truncate(c Ctx, size int64) error {
	if err := n.Pages().Truncate(size); err != nil {
		return err
	}
	n.touch(c)
	return nil
}

// touch stamps a change of contents: mtime and ctime; writing also drops
// set-user-ID and, with group execute, set-group-ID (file_remove_privs),
// unless the writer has CAP_FSETID.
func (n *Node) touch(c Ctx) {
	ns.Lock()
	defer ns.Unlock()
	n.mtime, n.ctime = c.Now, c.Now
	if !c.capable(n, linux.CAP_FSETID) && n.mode&S_ISUID != 0 {
		n.mode &^= S_ISUID
	}
	if !c.capable(n, linux.CAP_FSETID) && n.mode&(S_ISGID|0o010) == S_ISGID|0o010 {
		n.mode &^= S_ISGID
	}
}

// Opened and Closed count open file descriptions of n: a file removed
// from every directory keeps its contents until the last one closes
// (and, today, while a mapping still uses them).
func (n *Node) Opened() {
	ns.Lock()
	defer ns.Unlock()
	n.opens++
	if n.sb != nil {
		n.sb.opens++
	}
}

func (n *Node) Closed() {
	ns.Lock()
	defer ns.Unlock()
	n.opens--
	if n.sb != nil {
		n.sb.opens--
	}
	n.maybeRelease()
}

// maybeRelease frees the contents of a file nothing names or opens, at
// once or with its last mapping (vm.Object.Orphan); ns is held.
func (n *Node) maybeRelease() {
	if n.nlink == 0 && n.opens == 0 && !n.gone {
		n.gone = true
		inodes.Add(-1)
		if o := n.object(); o != nil {
			o.Orphan()
		}
	}
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
