package sys

import (
	"sigil/clock"
	"sigil/eventfd"
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
)

// eventfd(2) and epoll(7), enough for the Go runtime's network poller and
// timers: level-triggered readiness (EPOLLET is accepted and treated as
// level-triggered, which only ever reports more), EPOLLONESHOT honoured.

type eventfdSlot struct {
	refs int32
	eventfd.Counter
}

type epollReg struct {
	fd     int32
	events uint32
	data   [8]byte
	used   bool
}

type epoll struct {
	refs int32
	regs [16]epollReg
}

var (
	eventfds [16]eventfdSlot
	epolls   [8]epoll
)

//go:nosplit
func sysEventfd2(c *irq.Context) {
	initval, flags, _, _, _, _ := args(c)
	ctr, err := eventfd.New(initval, flags)
	if err != 0 {
		fail(c, err)
		return
	}
	for i := range eventfds {
		e := &eventfds[i]
		if e.refs == 0 {
			fd, ok := allocFD(kindEventfd, int32(i), flags)
			if !ok {
				fail(c, linux.EMFILE)
				return
			}
			e.Counter = ctr
			ret(c, uint64(fd))
			return
		}
	}
	fail(c, linux.ENFILE)
}

// eventfdRead and eventfdWrite never block: only non-blocking eventfds
// exist in the kernel process (the runtime's poller opens its own with
// EFD_NONBLOCK).
//
//go:nosplit
func eventfdRead(c *irq.Context, f *file, buf, n uint64) {
	if err := eventfd.CheckRead(n); err != 0 {
		fail(c, err)
		return
	}
	v, ok := eventfds[f.obj].Take()
	if !ok {
		fail(c, linux.EAGAIN)
		return
	}
	*(*uint64)(at(buf)) = v
	ret(c, 8)
}

//go:nosplit
func eventfdWrite(c *irq.Context, f *file, buf, n uint64) {
	var v uint64
	if n >= 8 {
		v = *(*uint64)(at(buf))
	}
	if err := eventfd.CheckWrite(n, v); err != 0 {
		fail(c, err)
		return
	}
	if !eventfds[f.obj].Add(v) {
		fail(c, linux.EAGAIN)
		return
	}
	ret(c, 8)
	if v != 0 {
		sched.EachBlocked(sched.WaitPoll, completePoll)
	}
}

//go:nosplit
func readiness(fd int32) uint32 {
	f := &files[fd]
	switch f.kind {
	case kindConsole:
		return linux.EPOLLOUT
	case kindEventfd:
		return eventfds[f.obj].Readiness()
	}
	return 0
}

// collect writes up to max ready events of ep to the array at out.
//
//go:nosplit
func collect(ep *epoll, out uint64, max int) int {
	n := 0
	for i := range ep.regs {
		r := &ep.regs[i]
		if !r.used || n >= max {
			continue
		}
		ready := readiness(r.fd) & (r.events | linux.EPOLLERR | linux.EPOLLHUP)
		if ready == 0 {
			continue
		}
		ev := (*linux.EpollEvent)(at(out + uint64(n)*12))
		ev.Events = ready
		ev.Data = r.data
		n++
		if r.events&linux.EPOLLONESHOT != 0 {
			r.events = 0
		}
	}
	return n
}

// completePoll finishes a blocked epoll_pwait whose instance became ready,
// using the arguments still in its saved registers.
//
//go:nosplit
func completePoll(t *sched.Thread) {
	f := lookup(uint64(t.Key))
	if f == nil || f.kind != kindEpoll {
		sched.Wake(t, linux.Neg(linux.EBADF))
		return
	}
	if n := collect(&epolls[f.obj], t.Ctx.TF.RSI, int(int32(t.Ctx.TF.RDX))); n > 0 {
		sched.Wake(t, uint64(n))
	}
}

//go:nosplit
func newEpoll(c *irq.Context, flags uint64) {
	if flags&^linux.EPOLL_CLOEXEC != 0 {
		fail(c, linux.EINVAL)
		return
	}
	for i := range epolls {
		if epolls[i].refs == 0 {
			fd, ok := allocFD(kindEpoll, int32(i), flags)
			if !ok {
				fail(c, linux.EMFILE)
				return
			}
			epolls[i].regs = [16]epollReg{}
			ret(c, uint64(fd))
			return
		}
	}
	fail(c, linux.ENFILE)
}

//go:nosplit
func sysEpollCreate1(c *irq.Context) {
	flags, _, _, _, _, _ := args(c)
	newEpoll(c, flags)
}

//go:nosplit
func sysEpollCreate(c *irq.Context) {
	size, _, _, _, _, _ := args(c)
	if int64(size) <= 0 {
		fail(c, linux.EINVAL)
		return
	}
	newEpoll(c, 0)
}

//go:nosplit
func sysEpollCtl(c *irq.Context) {
	epfd, op, fd, evp, _, _ := args(c)
	ef, f := lookup(epfd), lookup(fd)
	switch {
	case ef == nil || f == nil:
		fail(c, linux.EBADF)
		return
	case ef.kind != kindEpoll || epfd == fd:
		fail(c, linux.EINVAL)
		return
	}
	ep := &epolls[ef.obj]
	var reg, free *epollReg
	for i := range ep.regs {
		r := &ep.regs[i]
		if r.used && r.fd == int32(fd) {
			reg = r
		} else if !r.used && free == nil {
			free = r
		}
	}
	switch op {
	case linux.EPOLL_CTL_ADD:
		if reg != nil {
			fail(c, linux.EEXIST)
			return
		}
		if free == nil {
			fail(c, linux.ENOSPC)
			return
		}
		ev := (*linux.EpollEvent)(at(evp))
		*free = epollReg{fd: int32(fd), events: ev.Events, data: ev.Data, used: true}
	case linux.EPOLL_CTL_MOD:
		if reg == nil {
			fail(c, linux.ENOENT)
			return
		}
		ev := (*linux.EpollEvent)(at(evp))
		reg.events, reg.data = ev.Events, ev.Data
	case linux.EPOLL_CTL_DEL:
		if reg == nil {
			fail(c, linux.ENOENT)
			return
		}
		*reg = epollReg{}
	default:
		fail(c, linux.EINVAL)
		return
	}
	ret(c, 0)
}

// forgetFD drops fd from every epoll set as it is closed.
//
//go:nosplit
func forgetFD(fd int32) {
	for i := range epolls {
		for j := range epolls[i].regs {
			if r := &epolls[i].regs[j]; r.used && r.fd == fd {
				*r = epollReg{}
			}
		}
	}
}

//go:nosplit
func epollWait(c *irq.Context, epfd, events, max, timeout uint64) {
	ef := lookup(epfd)
	switch {
	case ef == nil:
		fail(c, linux.EBADF)
		return
	case ef.kind != kindEpoll || int32(max) <= 0:
		fail(c, linux.EINVAL)
		return
	}
	if n := collect(&epolls[ef.obj], events, int(int32(max))); n > 0 || int32(timeout) == 0 {
		ret(c, uint64(n))
		return
	}
	var deadline int64
	if ms := int32(timeout); ms > 0 {
		deadline = clock.Nanotime() + int64(ms)*1e6
	}
	ret(c, 0)
	sched.Block(c, sched.WaitPoll, uintptr(epfd), deadline, 0)
}

//go:nosplit
func sysEpollWait(c *irq.Context) {
	epfd, events, max, timeout, _, _ := args(c)
	epollWait(c, epfd, events, max, timeout)
}

// sysEpollPwait ignores the signal mask until signals are delivered.
//
//go:nosplit
func sysEpollPwait(c *irq.Context) {
	epfd, events, max, timeout, _, _ := args(c)
	epollWait(c, epfd, events, max, timeout)
}
