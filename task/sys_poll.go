// Readiness: eventfd2, epoll, poll and ppoll.

package task

import (
	"encoding/binary"
	"time"

	"sigil/eventfd"
	"sigil/file"
	"sigil/linux"
)

func sysEventfd2(t *Thread, a *args) (uint64, error) {
	ctr, errno := eventfd.New(a[0], a[1])
	if errno != 0 {
		return 0, errno
	}
	f := file.New(file.NewEventfd(ctr), nil, linux.O_RDWR|a[1]&linux.EFD_NONBLOCK)
	fd, err := t.installFD(f, 0, a[1]&linux.EFD_CLOEXEC != 0)
	return uint64(fd), err
}

func sysEpollCreate1(t *Thread, a *args) (uint64, error) {
	if a[0]&^linux.EPOLL_CLOEXEC != 0 {
		return 0, linux.EINVAL
	}
	f := file.New(file.NewEpoll(), nil, linux.O_RDWR)
	fd, err := t.installFD(f, 0, a[0]&linux.EPOLL_CLOEXEC != 0)
	return uint64(fd), err
}

func sysEpollCreate(t *Thread, a *args) (uint64, error) {
	if int32(a[0]) <= 0 {
		return 0, linux.EINVAL
	}
	return sysEpollCreate1(t, &args{})
}

func sysEpollCtl(t *Thread, a *args) (uint64, error) {
	epfd, op, fd, evp := a[0], a[1], a[2], a[3]
	ef, err := t.p.files.get(epfd)
	if err != nil {
		return 0, err
	}
	f, err := t.p.files.get(fd)
	if err != nil {
		return 0, err
	}
	if !file.CanPoll(f) {
		return 0, linux.EPERM
	}
	ep, ok := ef.Ops.(*file.Epoll)
	if !ok || epfd == fd {
		return 0, linux.EINVAL
	}
	var ev [12]byte
	if op != linux.EPOLL_CTL_DEL {
		if err := t.p.as.CopyIn(ev[:], evp); err != nil {
			return 0, err
		}
	}
	return 0, ep.Ctl(op, int32(fd), f, ev)
}

func sysEpollPwait(t *Thread, a *args) (uint64, error) {
	epfd, out, max, timeout := a[0], a[1], int(int32(a[2])), int32(a[3])
	ef, err := t.p.files.get(epfd)
	if err != nil {
		return 0, err
	}
	ep, ok := ef.Ops.(*file.Epoll)
	if !ok || max <= 0 {
		return 0, linux.EINVAL
	}
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	if a[4] != 0 { // epoll_pwait's mask (epoll_wait passes none)
		if err := t.waitMask(a[4], a[5]); err != nil {
			return 0, err
		}
	}
	var got []linux.EpollEvent
	err = file.WaitReady(t, deadline, func() bool {
		got = ep.Collect(max)
		return len(got) > 0 || timeout == 0
	})
	if err == linux.ETIMEDOUT {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	b := make([]byte, 12*len(got))
	for i, e := range got {
		binary.LittleEndian.PutUint32(b[12*i:], e.Events)
		copy(b[12*i+4:], e.Data[:])
	}
	return uint64(len(got)), t.p.as.CopyOut(out, b)
}

// Poll bits (include/uapi/asm-generic/poll.h): the low ones equal EPOLL's.
const (
	pollIn   = 0x1
	pollOut  = 0x4
	pollErr  = 0x8
	pollHup  = 0x10
	pollNval = 0x20
)

func sysPpoll(t *Thread, a *args) (uint64, error) {
	fds, n, tsp := a[0], a[1], a[2]
	if n > 1024 {
		return 0, linux.EINVAL
	}
	raw := make([]byte, 8*n)
	if err := t.p.as.CopyIn(raw, fds); err != nil {
		return 0, err
	}
	var deadline time.Time
	zero := false
	if tsp != 0 {
		d, err := timespecIn(t, tsp)
		if err != nil {
			return 0, err
		}
		zero = d == 0
		deadline = time.Now().Add(d)
	}
	if a[3] != 0 {
		if err := t.waitMask(a[3], a[4]); err != nil {
			return 0, err
		}
	}
	return t.poll(raw, n, deadline, zero, fds)
}

func sysPoll(t *Thread, a *args) (uint64, error) {
	fds, n, ms := a[0], a[1], int32(a[2])
	raw := make([]byte, 8*min(n, 1024))
	if n > 1024 {
		return 0, linux.EINVAL
	}
	if err := t.p.as.CopyIn(raw, fds); err != nil {
		return 0, err
	}
	var deadline time.Time
	if ms >= 0 {
		deadline = time.Now().Add(time.Duration(ms) * time.Millisecond)
	}
	return t.poll(raw, n, deadline, ms == 0, fds)
}

func (t *Thread) poll(raw []byte, n uint64, deadline time.Time, zero bool, addr uint64) (uint64, error) {
	ready := 0
	err := file.WaitReady(t, deadline, func() bool {
		ready = 0
		for i := uint64(0); i < n; i++ {
			e := raw[8*i:]
			fd := int32(binary.LittleEndian.Uint32(e))
			want := binary.LittleEndian.Uint16(e[4:])
			var got uint16
			if fd >= 0 {
				if f, err := t.p.files.get(uint64(fd)); err != nil {
					got = pollNval
				} else {
					m, _ := file.Readiness(f)
					got = uint16(m) & (want | pollErr | pollHup)
				}
			}
			binary.LittleEndian.PutUint16(e[6:], got)
			if got != 0 {
				ready++
			}
		}
		return ready > 0 || zero
	})
	if err != nil && err != linux.ETIMEDOUT {
		return 0, err
	}
	return uint64(ready), t.p.as.CopyOut(addr, raw)
}
