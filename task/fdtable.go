package task

import (
	"sync"

	"sigil/file"
	"sigil/linux"
	"sigil/rlimit"
)

type fdEntry struct {
	f       *file.File
	cloexec bool
}

// FDTable is a process's descriptor table.
type FDTable struct {
	mu   sync.Mutex
	fds  []fdEntry
	refs int
}

func newFDTable() *FDTable { return &FDTable{refs: 1} }

func (ft *FDTable) get(fd uint64) (*file.File, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		return nil, linux.EBADF
	}
	return ft.fds[fd].f, nil
}

// install puts f at the lowest free descriptor >= min, below limit (the
// caller's RLIMIT_NOFILE; EMFILE when none is free).
func (ft *FDTable) install(f *file.File, min int, cloexec bool, limit int) (int, error) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for fd := min; ; fd++ {
		if fd >= limit {
			return -1, linux.EMFILE
		}
		if fd >= len(ft.fds) {
			ft.fds = append(ft.fds, make([]fdEntry, fd+1-len(ft.fds))...)
		}
		if ft.fds[fd].f == nil {
			ft.fds[fd] = fdEntry{f, cloexec}
			return fd, nil
		}
	}
}

// set puts f at fd, closing what was there (dup2); EBADF for fd at or
// above limit (the caller's RLIMIT_NOFILE).
func (ft *FDTable) set(fd int, f *file.File, cloexec bool, limit int) error {
	if fd < 0 || fd >= limit {
		return linux.EBADF
	}
	ft.mu.Lock()
	if fd >= len(ft.fds) {
		ft.fds = append(ft.fds, make([]fdEntry, fd+1-len(ft.fds))...)
	}
	old := ft.fds[fd].f
	ft.fds[fd] = fdEntry{f, cloexec}
	ft.mu.Unlock()
	if old != nil {
		ft.closedBy(old)
	}
	return nil
}

func (ft *FDTable) close(fd uint64) error {
	ft.mu.Lock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		ft.mu.Unlock()
		return linux.EBADF
	}
	f := ft.fds[fd].f
	ft.fds[fd] = fdEntry{}
	ft.mu.Unlock()
	ft.closedBy(f)
	file.Events.Notify()
	return nil
}

func (ft *FDTable) setCloexec(fd uint64, on bool) error {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if fd >= uint64(len(ft.fds)) || ft.fds[fd].f == nil {
		return linux.EBADF
	}
	ft.fds[fd].cloexec = on
	return nil
}

func (ft *FDTable) cloexec(fd uint64) bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return fd < uint64(len(ft.fds)) && ft.fds[fd].cloexec
}

// fork copies the table (the open files are shared).
func (ft *FDTable) fork() *FDTable {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	n := &FDTable{refs: 1, fds: make([]fdEntry, len(ft.fds))}
	for i, e := range ft.fds {
		if e.f != nil {
			n.fds[i] = fdEntry{e.f.Ref(), e.cloexec}
		}
	}
	return n
}

// closeOnExec closes the close-on-exec descriptors.
func (ft *FDTable) closeOnExec() {
	ft.closeWhere(0, len(ft.fds), func(e fdEntry) bool { return e.cloexec })
}

// closeRange is close_range on [first, last]: each open descriptor is
// closed, or with cloexec marked close-on-exec.
func (ft *FDTable) closeRange(first, last uint64, cloexec bool) {
	if first > rlimit.NrOpen {
		return // beyond any descriptor
	}
	end := int(min(last, rlimit.NrOpen)) + 1
	if cloexec {
		ft.mu.Lock()
		for fd := int(first); fd < min(end, len(ft.fds)); fd++ {
			ft.fds[fd].cloexec = true
		}
		ft.mu.Unlock()
		return
	}
	ft.closeWhere(int(first), end, func(fdEntry) bool { return true })
}

// nofile is the caller's RLIMIT_NOFILE soft limit: Linux checks new
// descriptors against the calling task's limit, whoever shares the table.
func (t *Thread) nofile() int {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return int(min(t.p.limits[linux.RLIMIT_NOFILE].Cur, rlimit.NrOpen))
}

// installFD is install below the caller's limit.
func (t *Thread) installFD(f *file.File, min int, cloexec bool) (int, error) {
	return t.p.files.install(f, min, cloexec, t.nofile())
}

// closeWhere closes the open descriptors in [from, to) that doom picks.
func (ft *FDTable) closeWhere(from, to int, doom func(fdEntry) bool) {
	ft.mu.Lock()
	var doomed []*file.File
	for fd := from; fd < min(to, len(ft.fds)); fd++ {
		if e := ft.fds[fd]; e.f != nil && doom(e) {
			doomed = append(doomed, e.f)
			ft.fds[fd] = fdEntry{}
		}
	}
	ft.mu.Unlock()
	for _, f := range doomed {
		ft.closedBy(f)
	}
	if len(doomed) > 0 {
		file.Events.Notify()
	}
}

// unshareFiles gives p a descriptor table of its own if it shares one
// (unshare_fd, for close_range's CLOSE_RANGE_UNSHARE).
func (p *Process) unshareFiles() {
	p.mu.Lock()
	old := p.files
	p.mu.Unlock()
	old.mu.Lock()
	shared := old.refs > 1
	old.mu.Unlock()
	if !shared {
		return
	}
	own := old.fork()
	p.mu.Lock()
	p.files = own
	p.mu.Unlock()
	old.release()
}

// openFD is one open descriptor, as /proc lists it.
type openFD struct {
	fd int
	f  *file.File
}

// open lists the open descriptors in order.
func (ft *FDTable) open() []openFD {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var out []openFD
	for fd, e := range ft.fds {
		if e.f != nil {
			out = append(out, openFD{fd, e.f})
		}
	}
	return out
}

func (ft *FDTable) release() {
	ft.mu.Lock()
	ft.refs--
	if ft.refs > 0 {
		ft.mu.Unlock()
		return
	}
	fds := ft.fds
	ft.fds = nil
	ft.mu.Unlock()
	for _, e := range fds {
		if e.f != nil {
			ft.closedBy(e.f)
		}
	}
	file.Events.Notify()
}

// threadCalling is the thread behind a file call's caller: the files of
// this package that need more of it than Caller gives (sockets, signalfd,
// terminals) are only ever called by a user thread.
func threadCalling(c file.Caller) *Thread { return c.(*Thread) }

// The process-bound files that report readiness (file.Readiness finds
// them by a type assertion, so the compiler checks it here).
var (
	_ file.Pollable = (*socketFile)(nil)
	_ file.Pollable = ttyFile{}
	_ file.Pollable = (*signalFile)(nil)
	_ file.Pollable = masterFile{}
	_ file.Pollable = (*timerFile)(nil)
	_ file.Pollable = pidFile{}
)
