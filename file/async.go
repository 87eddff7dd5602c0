package file

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
)

// Signal-driven I/O (fs/fcntl.c): a description with O_ASYNC set on a
// file that supports it (Asyncable) is told of the file's events by a
// signal to its owner: SIGIO, or the signal F_SETSIG chose with a siginfo
// naming the descriptor (si_fd), the event (si_code POLL_IN, POLL_OUT...)
// and its poll bits (si_band).

// Owner is an O_ASYNC description's owner (struct fown_struct): a
// process, a thread or a process group, with the credentials of whoever
// set it. Package task implements it.
type Owner interface {
	// SignalIO is send_sigio: to each target the setter may signal,
	// sig with si_code code, si_band band and si_fd fd, or SIGIO
	// (si_code SI_KERNEL) when sig is 0 or its queue is full.
	SignalIO(sig int, code int32, band int64, fd int32)
}

// Asyncable files can signal their readers' or writers' owners
// (f_op->fasync): Fasync adds f, O_ASYNC through descriptor fd, to the
// file's list, or removes it, and sets or clears O_ASYNC in f's flags.
type Asyncable interface {
	Fasync(f *File, fd int32, on bool)
}

// SetOwner sets f's owner (F_SETOWN, F_SETOWN_EX; nil for none).
func (f *File) SetOwner(o Owner) {
	f.Mu.Lock()
	f.owner = o
	f.Mu.Unlock()
}

// Owner returns f's owner, or nil.
func (f *File) Owner() Owner {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.owner
}

// SetSig is F_SETSIG: the signal events send, 0 for SIGIO.
func (f *File) SetSig(sig int) {
	f.Mu.Lock()
	f.sig = sig
	f.Mu.Unlock()
}

// Sig is F_GETSIG.
func (f *File) Sig() int {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.sig
}

// SetAsync turns O_ASYNC on or off for f through descriptor fd (setfl and
// ioctl_fioasync): a file that supports it is told only when the flag
// changes; on any other the request changes nothing, as on Linux. It
// reports whether the flag changed.
func (f *File) SetAsync(fd int32, on bool) (changed bool) {
	f.Mu.Lock()
	change := (f.Flags&linux.O_ASYNC != 0) != on
	f.Mu.Unlock()
	a, ok := f.Ops.(Asyncable)
	if !ok || !change {
		return false
	}
	a.Fasync(f, fd, on)
	return true
}

// AsyncList is a file's fasync_struct list: the descriptions to signal on
// its events, each with the descriptor that asked. mu guards entries; n
// is len(entries), read without the lock so that an event with no one to
// tell costs one load.
type AsyncList struct {
	mu      sync.Mutex
	entries []asyncEntry
	n       atomic.Int32
}

type asyncEntry struct {
	f  *File
	fd int32
}

// Set is fasync_helper: f joins the list under fd (or takes fd as its new
// descriptor if it is there) with on, leaves it without; O_ASYNC follows.
func (l *AsyncList) Set(f *File, fd int32, on bool) {
	l.mu.Lock()
	i := 0
	for i < len(l.entries) && l.entries[i].f != f {
		i++
	}
	switch {
	case on && i < len(l.entries):
		l.entries[i].fd = fd
	case on:
		l.entries = append(l.entries, asyncEntry{f, fd})
	case i < len(l.entries):
		l.entries = append(l.entries[:i], l.entries[i+1:]...)
	}
	l.n.Store(int32(len(l.entries)))
	l.mu.Unlock()
	f.Mu.Lock()
	if f.Flags &^= linux.O_ASYNC; on {
		f.Flags |= linux.O_ASYNC
	}
	f.Mu.Unlock()
}

// bands are each event's si_band (fs/fcntl.c's band_table), by si_code
// from POLL_IN.
var bands = [...]int64{
	linux.EPOLLIN | linux.EPOLLRDNORM,                      // POLL_IN
	linux.EPOLLOUT | linux.EPOLLWRNORM | linux.EPOLLWRBAND, // POLL_OUT
	linux.EPOLLIN | linux.EPOLLRDNORM | linux.EPOLLMSG,     // POLL_MSG
	linux.EPOLLERR,                     // POLL_ERR
	linux.EPOLLPRI | linux.EPOLLRDBAND, // POLL_PRI
	linux.EPOLLHUP | linux.EPOLLERR,    // POLL_HUP
}

// Kill is kill_fasync(list, SIGIO, reason): each description on the list
// signals its owner. Call it without the file's own locks held.
func (l *AsyncList) Kill(reason int32) {
	if l.n.Load() == 0 {
		return
	}
	band := bands[reason-linux.POLL_IN]
	// The entries are copied out so that no lock is held while owners
	// are signalled (a signal can end a process, whose exit closes
	// files, which leave lists); on the stack, so that an interrupt's
	// bottom half allocates nothing for the usual few descriptions.
	var local [8]asyncEntry
	l.mu.Lock()
	entries := append(local[:0], l.entries...)
	l.mu.Unlock()
	for _, e := range entries {
		e.f.Mu.Lock()
		o, sig := e.f.owner, e.f.sig
		e.f.Mu.Unlock()
		if o != nil {
			o.SignalIO(sig, reason, band, e.fd)
		}
	}
}
