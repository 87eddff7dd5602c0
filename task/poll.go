package task

import (
	"encoding/binary"
	"sync"
	"time"

	"sigil/linux"
)

// eventFile is an eventfd(2).
type eventFile struct {
	mu        sync.Mutex
	count     uint64
	semaphore bool
	gen       uint64
}

func (e *eventFile) read(t *Thread, f *OpenFile, p []byte) (int, error) {
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	for {
		e.mu.Lock()
		if e.count > 0 {
			v := e.count
			if e.semaphore {
				v = 1
			}
			e.count -= v
			e.gen++
			e.mu.Unlock()
			binary.LittleEndian.PutUint64(p, v)
			pollEvents.notify()
			return 8, nil
		}
		wait := pollEvents.wait()
		e.mu.Unlock()
		if err := f.block(t, wait); err != nil {
			return 0, err
		}
	}
}

func (e *eventFile) write(t *Thread, f *OpenFile, p []byte) (int, error) {
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	v := binary.LittleEndian.Uint64(p)
	if v == ^uint64(0) {
		return 0, linux.EINVAL
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v > ^uint64(0)-1-e.count {
		return 0, linux.EAGAIN
	}
	e.count += v
	e.gen++
	pollEvents.notify()
	return 8, nil
}

func (e *eventFile) stat() linux.Stat { return linux.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096} }
func (e *eventFile) close()           {}

func (e *eventFile) poll() (uint32, uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := uint32(linux.EPOLLOUT)
	if e.count > 0 {
		m |= linux.EPOLLIN
	}
	return m, e.gen
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
