package file

import "sigil/filelock"

// Locks is every file's advisory locks (fs/locks.c): flock(2),
// POSIX record locks and OFD locks. The table guards itself.
var Locks filelock.Table

// LockKey is the inode f's locks attach to: its node, or for a file
// without one (pipes, sockets, eventfds) the description itself.
func (f *File) LockKey() any {
	if f.Node != nil {
		return f.Node
	}
	return f
}

// LockInode names f's file in /proc/locks.
func (f *File) LockInode() filelock.Inode {
	if f.Node == nil {
		return filelock.Inode{}
	}
	a := f.Node.Attr()
	return filelock.Inode{Dev: a.Dev, Ino: a.Ino}
}

// dropLocks is locks_remove_file, when a description's last reference
// goes: its OFD and flock locks go with it.
func (f *File) dropLocks() { Locks.RemoveFile(f.LockKey(), f) }
