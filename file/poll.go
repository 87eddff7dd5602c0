package file

import (
	"encoding/binary"
	"sync"
	"time"

	"sigil/eventfd"
	"sigil/linux"
)

// NewEventfd makes an eventfd with counter ctr.
func NewEventfd(ctr eventfd.Counter) *Eventfd { return &Eventfd{ctr: ctr} }

// Eventfd is an eventfd(2): eventfd's counter and the generation
// epoll's edge-triggered reports compare.
type Eventfd struct {
	mu  sync.Mutex // guards ctr and gen
	ctr eventfd.Counter
	gen uint64
}

// Read takes the count, blocking (unless O_NONBLOCK) while it is 0.
func (e *Eventfd) Read(c Caller, f *File, p []byte) (int, error) {
	if err := eventfd.CheckRead(uint64(len(p))); err != 0 {
		return 0, err
	}
	var v uint64
	err := e.change(c, f, func() (ok bool) { v, ok = e.ctr.Take(); return ok })
	if err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint64(p, v)
	return 8, nil
}

// Write adds to the count, blocking (unless O_NONBLOCK) while the sum
// would pass eventfd.Max, as eventfd_write does.
func (e *Eventfd) Write(c Caller, f *File, p []byte) (int, error) {
	var v uint64
	if len(p) >= 8 {
		v = binary.LittleEndian.Uint64(p)
	}
	if err := eventfd.CheckWrite(uint64(len(p)), v); err != 0 {
		return 0, err
	}
	if err := e.change(c, f, func() bool { return e.ctr.Add(v) }); err != nil {
		return 0, err
	}
	return 8, nil
}

// change applies try under e.mu, blocking until it succeeds (readers and
// writers wake each other through Events).
func (e *Eventfd) change(c Caller, f *File, try func() bool) error {
	for {
		e.mu.Lock()
		if try() {
			e.gen++
			e.mu.Unlock()
			Events.Notify()
			return nil
		}
		wait := Events.Wait()
		e.mu.Unlock()
		if err := f.Block(c, wait); err != nil {
			return err
		}
	}
}

func (e *Eventfd) Stat() linux.Stat { return linux.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096} }
func (e *Eventfd) Close()           {}

func (e *Eventfd) Poll() (uint32, uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ctr.Readiness(), e.gen
}

// Epoll is an epoll(7) instance: level-triggered by default, with
// EPOLLET reporting a descriptor again only after its state changed, and
// EPOLLONESHOT disabling it after one report.
type Epoll struct {
	mu   sync.Mutex
	regs map[int32]*EpollReg
}

// NewEpoll makes an epoll instance with nothing registered.
func NewEpoll() *Epoll { return &Epoll{regs: map[int32]*EpollReg{}} }

// Ctl is epoll_ctl(2)'s op on descriptor fd, open as f, with the event
// ev (struct epoll_event, packed: the mask, then the data): EEXIST,
// ENOENT and EINVAL as ep_insert, ep_modify and ep_remove's callers give
// them.
func (ep *Epoll) Ctl(op uint64, fd int32, f *File, ev [12]byte) error {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	r := ep.regs[fd]
	switch op {
	case linux.EPOLL_CTL_ADD:
		if r != nil && r.file == f {
			return linux.EEXIST
		}
		r = &EpollReg{file: f}
		ep.regs[fd] = r
	case linux.EPOLL_CTL_MOD:
		if r == nil || r.file != f {
			return linux.ENOENT
		}
	case linux.EPOLL_CTL_DEL:
		if r == nil || r.file != f {
			return linux.ENOENT
		}
		delete(ep.regs, fd)
		return nil
	default:
		return linux.EINVAL
	}
	r.events = binary.LittleEndian.Uint32(ev[:])
	copy(r.data[:], ev[4:])
	r.fired = false
	Events.Notify()
	return nil
}

type EpollReg struct {
	events  uint32
	data    [8]byte
	file    *File
	lastGen uint64
	fired   bool
}

func (*Epoll) Read(Caller, *File, []byte) (int, error)  { return 0, linux.EINVAL }
func (*Epoll) Write(Caller, *File, []byte) (int, error) { return 0, linux.EINVAL }
func (*Epoll) Stat() linux.Stat                         { return linux.Stat{Mode: 0o600, Nlink: 1} }
func (*Epoll) Close()                                   {}

// CanPoll is file_can_poll: whether f's driver can say when it is ready.
// epoll_ctl refuses the rest (EPERM, before it looks at the op or the epoll
// descriptor: do_epoll_ctl): regular files, directories and /proc's files,
// which are always ready, so that a program (the Go runtime's os.Open)
// learns to use them without the poller.
func CanPoll(f *File) bool {
	switch f.Ops.(type) {
	case Pollable, *Epoll:
		return true
	}
	return false
}

func Readiness(f *File) (uint32, uint64) {
	if p, ok := f.Ops.(Pollable); ok {
		return p.Poll()
	}
	return linux.EPOLLIN | linux.EPOLLOUT, 0 // regular files are always ready
}

// Collect returns up to max ready events.
func (ep *Epoll) Collect(max int) []linux.EpollEvent {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	var out []linux.EpollEvent
	for _, r := range ep.regs {
		if len(out) >= max {
			break
		}
		if r.file.refs <= 0 || r.events&^(linux.EPOLLET|linux.EPOLLONESHOT) == 0 {
			continue
		}
		mask, gen := Readiness(r.file)
		mask &= r.events | linux.EPOLLERR | linux.EPOLLHUP
		if mask == 0 {
			continue
		}
		if r.events&linux.EPOLLET != 0 && r.fired && gen == r.lastGen {
			continue
		}
		r.fired, r.lastGen = true, gen
		out = append(out, linux.EpollEvent{Events: mask, Data: r.data})
		if r.events&linux.EPOLLONESHOT != 0 {
			r.events = 0
		}
	}
	return out
}

// WaitReady blocks until check reports done, the deadline passes (zero:
// never) or the process is told to stop.
func WaitReady(c Caller, deadline time.Time, check func() bool) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	for {
		wait := Events.Wait()
		if check() {
			return nil
		}
		select {
		case <-wait:
		case <-timeout:
			return linux.ETIMEDOUT
		case <-c.Interrupted():
			return linux.ERESTARTNOHAND
		}
	}
}

// The files here that signal O_ASYNC owners.
var (
	_ Asyncable = PipeReader{}
	_ Asyncable = PipeWriter{}
)

// The files here that report readiness (Readiness finds them by a type
// assertion, so the compiler checks it here).
var (
	_ Pollable = PipeReader{}
	_ Pollable = PipeWriter{}
	_ Pollable = (*Eventfd)(nil)
	_ Pollable = Null{}
)
