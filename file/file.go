// Package file is open files: the description a descriptor names (File),
// what each kind of file does (Ops) for the thread calling it (Caller),
// readiness for poll and epoll (Pollable, Events), advisory locks' table
// (Locks), and the files that need no process: pipes, eventfds, epoll
// instances, the in-memory tree's regular files, directories and O_PATH
// descriptors, and the memory devices. Files tied to processes (sockets,
// signalfd, timerfd, pidfd, terminals, /proc) implement Ops in package
// task, which also holds each process's descriptor table.
package file

import (
	"sync"

	"sigil/linux"
	"sigil/vfs"
)

// Ops is what an open file does. Reads and writes may block; they
// return early (ERESTARTSYS, or a short count) when the caller's
// Interrupted channel closes.
type Ops interface {
	Read(c Caller, f *File, p []byte) (int, error)
	Write(c Caller, f *File, p []byte) (int, error)
	Stat() linux.Stat
	Close()
}

// Pollable files report readiness (EPOLL* bits) and a generation counter
// that changes with every state change (for edge-triggered epoll).
type Pollable interface {
	Poll() (mask uint32, gen uint64)
}

// File is an open file description (struct file): shared by dup'd
// descriptors and across fork.
type File struct {
	Ops  Ops       // set at New, never changed
	Node *vfs.Node // regular files, directories, devices; set at New

	Mu    sync.Mutex // guards Off, refs, owner, sig, and Flags' changes
	Off   int64      // the file position
	Flags uint64     // O_ACCMODE, O_NONBLOCK, O_APPEND... (fcntl F_SETFL changes them)
	refs  int32      // descriptions' holders: descriptors, epoll, SCM_RIGHTS in flight
	owner Owner      // who O_ASYNC events signal (F_SETOWN), or nil
	sig   int        // the signal they send (F_SETSIG); 0: SIGIO
}

// New opens a description of ops; a node counts it (a file unlinked
// while open lives until the last description goes).
func New(ops Ops, node *vfs.Node, flags uint64) *File {
	if node != nil {
		node.Opened()
	}
	return &File{Ops: ops, Node: node, Flags: flags &^ linux.O_CLOEXEC, refs: 1}
}

// NonBlock reports whether calls on f fail with EAGAIN instead of waiting.
func (f *File) NonBlock() bool { return f.Flags&linux.O_NONBLOCK != 0 }

// Block waits, for an I/O call on f that cannot go on yet, until wait is
// closed: EAGAIN at once if f is non-blocking, ERESTARTSYS if a signal
// comes first. Fetch wait before dropping the lock that guards the state
// checked, or a change in between is missed.
func (f *File) Block(c Caller, wait <-chan struct{}) error {
	if f.NonBlock() {
		return linux.EAGAIN
	}
	select {
	case <-wait:
		return nil
	case <-c.Interrupted():
		return linux.ERESTARTSYS
	}
}

// Ref takes another reference on f (get_file) and returns f.
func (f *File) Ref() *File {
	f.Mu.Lock()
	f.refs++
	f.Mu.Unlock()
	return f
}

// Unref drops a reference (fput); the last one releases f's locks, closes
// it, and lets an unlinked node go.
func (f *File) Unref() {
	f.Mu.Lock()
	f.refs--
	last := f.refs == 0
	f.Mu.Unlock()
	if last {
		f.SetAsync(-1, false) // __fput's fasync(-1, file, 0) if O_ASYNC is set
		f.dropLocks()
		f.Ops.Close()
		if f.Node != nil {
			f.Node.Closed()
		}
	}
}

// Caller is what a file needs of the thread calling it.
type Caller interface {
	// Interrupted is closed when the caller must stop waiting: a signal
	// to handle, a stop, an exit.
	Interrupted() <-chan struct{}
	// KernelMemory waits for room for n bytes of kernel memory
	// (reclaiming), reporting false if none comes.
	KernelMemory(n int) bool
	// FileSizeLimit is RLIMIT_FSIZE's soft limit in bytes.
	FileSizeLimit() int64
	// ExceedFileSize tells the caller it wrote past FileSizeLimit
	// (SIGXFSZ).
	ExceedFileSize()
	// FSContext is the caller's credentials and clock for the tree.
	FSContext() vfs.Ctx
}
