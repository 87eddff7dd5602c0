package file

import (
	"encoding/binary"

	"sigil/linux"
	"sigil/mm/vm"
	"sigil/vfs"
)

// NodeStat describes a vfs node.
func NodeStat(n *vfs.Node) linux.Stat {
	a := n.Attr()
	st := linux.Stat{Dev: a.Dev, Ino: a.Ino, Nlink: uint64(a.Nlink), Mode: a.Mode, Uid: a.UID, Gid: a.GID,
		Rdev: a.Rdev, Size: a.Size, Blksize: 4096, Blocks: a.Blocks}
	st.Atime = linux.NsecToTimespec(a.Atime)
	st.Mtime = linux.NsecToTimespec(a.Mtime)
	st.Ctime = linux.NsecToTimespec(a.Ctime)
	return st
}

// Regular is an open regular file of the in-memory tree.
type Regular struct{ Node *vfs.Node }

func (r Regular) Read(c Caller, f *File, p []byte) (int, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	n, err := r.Node.ReadAt(p, f.Off)
	f.Off += int64(n)
	return n, Errno(err)
}

// Write writes at the file offset, or at the end under O_APPEND, which
// the offset then follows (generic_write_checks, generic_perform_write).
func (r Regular) Write(c Caller, f *File, p []byte) (int, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Flags&linux.O_APPEND != 0 {
		f.Off = r.Node.Size()
	}
	n, err := r.WriteAt(c, p, f.Off)
	f.Off += int64(n)
	return n, err
}

// WriteAt writes p at off: EFBIG (and SIGXFSZ) past RLIMIT_FSIZE, ENOSPC
// when memory runs out before a byte fits, else a short count.
func (r Regular) WriteAt(c Caller, p []byte, off int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if lim := c.FileSizeLimit(); off+int64(len(p)) > lim {
		if off >= lim {
			c.ExceedFileSize()
			return 0, linux.EFBIG
		}
		p = p[:lim-off]
	}
	if off+int64(len(p)) < off || off+int64(len(p)) > MaxFileSize {
		return 0, linux.EFBIG
	}
	n, err := r.Node.WriteAt(c.FSContext(), p, off)
	if n > 0 {
		return n, nil
	}
	return 0, Errno(err)
}

// MaxFileSize is MAX_LFS_FILESIZE on 64-bit.
const MaxFileSize = 1<<63 - 1

// Errno is a file operation's errno: memory running out while a file
// grows is ENOSPC, as a full tmpfs says.
func Errno(err error) error {
	if err == vm.ErrNoMemory || err == vm.ErrNoSpace {
		return linux.ENOSPC
	}
	return err
}

func (r Regular) Stat() linux.Stat { return NodeStat(r.Node) }
func (Regular) Close()             {}

// Path is an O_PATH descriptor: it names a node for *at calls,
// fstat, fchdir and exec, and reads and writes nothing.
type Path struct{ Node *vfs.Node }

func (Path) Read(Caller, *File, []byte) (int, error)  { return 0, linux.EBADF }
func (Path) Write(Caller, *File, []byte) (int, error) { return 0, linux.EBADF }
func (p Path) Stat() linux.Stat                       { return NodeStat(p.Node) }
func (Path) Close()                                   {}

// Dir is an open directory (getdents64).
type Dir struct{ Node *vfs.Node }

func (Dir) Read(Caller, *File, []byte) (int, error)  { return 0, linux.EISDIR }
func (Dir) Write(Caller, *File, []byte) (int, error) { return 0, linux.EBADF }
func (d Dir) Stat() linux.Stat                       { return NodeStat(d.Node) }
func (Dir) Close()                                   {}

// Getdents fills p with linux_dirent64 records from position f.off (see
// vfs.Node.Entries) and reports whether the first record did not fit.
func (d Dir) Getdents(f *File, p []byte) (used int, tooSmall bool) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	for _, e := range d.Node.Entries(uint64(f.Off), len(p)/24+1) {
		reclen := (19 + len(e.Name) + 1 + 7) &^ 7
		if used+reclen > len(p) {
			return used, used == 0
		}
		rec := p[used : used+reclen]
		clear(rec)
		binary.LittleEndian.PutUint64(rec[0:], e.Node.Ino)
		binary.LittleEndian.PutUint64(rec[8:], e.Off)
		binary.LittleEndian.PutUint16(rec[16:], uint16(reclen))
		rec[18] = byte(e.Node.Type() >> 12) // DT_* = S_IF* >> 12
		copy(rec[19:], e.Name)
		used += reclen
		f.Off = int64(e.Off)
	}
	return used, false
}

// Mapping is what mmap needs of an open file: a regular file's pages and
// the file's access mode; other files cannot be mapped (ENODEV).
func (f *File) Mapping() *vm.File {
	acc := f.Flags & linux.O_ACCMODE
	m := &vm.File{Readable: acc != linux.O_WRONLY, Writable: acc != linux.O_RDONLY}
	if _, ok := f.Ops.(Regular); ok {
		m.Obj, m.Noexec = f.Node.Pages(), f.Node.Noexec()
	}
	return m
}
