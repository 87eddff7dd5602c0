package task

import (
	"encoding/binary"
	"sync"
	"time"

	"sigil/eventfd"
	"sigil/linux"
)

// eventFile is an eventfd(2): eventfd's counter and the generation
// epoll's edge-triggered reports compare.
type eventFile struct {
	mu  sync.Mutex // guards ctr and gen
	ctr eventfd.Counter
	gen uint64
}

// read takes the count, blocking (unless O_NONBLOCK) while it is 0.
func (e *eventFile) read(t *Thread, f *OpenFile, p []byte) (int, error) {
	if err := eventfd.CheckRead(uint64(len(p))); err != 0 {
		return 0, err
	}
	var v uint64
	err := e.change(t, f, func() (ok bool) { v, ok = e.ctr.Take(); return ok })
	if err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint64(p, v)
	return 8, nil
}

// write adds to the count, blocking (unless O_NONBLOCK) while the sum
// would pass eventfd.Max, as eventfd_write does.
func (e *eventFile) write(t *Thread, f *OpenFile, p []byte) (int, error) {
	var v uint64
	if len(p) >= 8 {
		v = binary.LittleEndian.Uint64(p)
	}
	if err := eventfd.CheckWrite(uint64(len(p)), v); err != 0 {
		return 0, err
	}
	if err := e.change(t, f, func() bool { return e.ctr.Add(v) }); err != nil {
		return 0, err
	}
	return 8, nil
}

// change applies try under e.mu, blocking until it succeeds (readers and
// writers wake each other through pollEvents).
func (e *eventFile) change(t *Thread, f *OpenFile, try func() bool) error {
	for {
		e.mu.Lock()
		if try() {
			e.gen++
			e.mu.Unlock()
			pollEvents.notify()
			return nil
		}
		wait := pollEvents.wait()
		e.mu.Unlock()
		if err := f.block(t, wait); err != nil {
			return err
		}
	}
}

func (e *eventFile) stat() linux.Stat { return linux.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096} }
func (e *eventFile) close()           {}

func (e *eventFile) poll() (uint32, uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ctr.Readiness(), e.gen
}

// epollFile is an epoll(7) instance: level-triggered by default, with
// EPOLLET reporting a descriptor again only after its state changed, and
// EPOLLONESHOT disabling it after one report.
type epollFile struct {
	mu   sync.Mutex
	regs map[int32]*epollReg
}

type epollReg struct {
	events  uint32
	data    [8]byte
	file    *OpenFile
	lastGen uint64
	fired   bool
}

func (*epollFile) read(*Thread, *OpenFile, []byte) (int, error)  { return 0, linux.EINVAL }
func (*epollFile) write(*Thread, *OpenFile, []byte) (int, error) { return 0, linux.EINVAL }
func (*epollFile) stat() linux.Stat                              { return linux.Stat{Mode: 0o600, Nlink: 1} }
func (*epollFile) close()                                        {}

func readiness(f *OpenFile) (uint32, uint64) {
	if p, ok := f.ops.(pollable); ok {
		return p.poll()
	}
	return linux.EPOLLIN | linux.EPOLLOUT, 0 // regular files are always ready
}

// collect returns up to max ready events.
func (ep *epollFile) collect(max int) []linux.EpollEvent {
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
		mask, gen := readiness(r.file)
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

// waitReady blocks until check reports done, the deadline passes (zero:
// never) or the process is told to stop.
func waitReady(t *Thread, deadline time.Time, check func() bool) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	for {
		wait := pollEvents.wait()
		if check() {
			return nil
		}
		select {
		case <-wait:
		case <-timeout:
			return linux.ETIMEDOUT
		case <-t.intr():
			return linux.ERESTARTNOHAND
		}
	}
}
