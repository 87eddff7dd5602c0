package task

import (
	"encoding/binary"
	"time"
	"unsafe"

	"sigil/clock"
	"sigil/eventfd"
	"sigil/futex"
	"sigil/linux"
	"sigil/sys"
)

func sysArchPrctl(t *Thread, a *args) (uint64, error) {
	switch a[0] {
	case linux.ARCH_SET_FS:
		if a[1] >= 1<<47 {
			return 0, linux.EPERM // not a user address
		}
		t.ut.FSBase = a[1]
		return 0, nil
	case linux.ARCH_GET_FS:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], t.ut.FSBase)
		return 0, t.p.as.CopyOut(a[1], b[:])
	}
	return 0, linux.EINVAL
}

func timespecIn(t *Thread, addr uint64) (time.Duration, error) {
	var b [16]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	sec, nsec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, linux.EINVAL
	}
	if sec > 1<<33 {
		sec = 1 << 33
	}
	return time.Duration(sec)*time.Second + time.Duration(nsec), nil
}

func timespecOut(t *Thread, addr uint64, ns int64) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(ns/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9))
	return t.p.as.CopyOut(addr, b[:])
}

// clockNow reads clock clk for user programs.
func clockNow(t *Thread, clk uint64) (int64, error) {
	switch clk {
	case linux.CLOCK_REALTIME, linux.CLOCK_REALTIME_COARSE, linux.CLOCK_TAI:
		return clock.Realtime(), nil
	case linux.CLOCK_MONOTONIC, linux.CLOCK_MONOTONIC_RAW, linux.CLOCK_MONOTONIC_COARSE, linux.CLOCK_BOOTTIME,
		linux.CLOCK_PROCESS_CPUTIME_ID, linux.CLOCK_THREAD_CPUTIME_ID:
		return clock.Nanotime(), nil
	}
	return 0, linux.EINVAL
}

func sysClockGettime(t *Thread, a *args) (uint64, error) {
	now, err := clockNow(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, timespecOut(t, a[1], now)
}

func sysClockGetres(t *Thread, a *args) (uint64, error) {
	if _, err := clockNow(t, a[0]); err != nil {
		return 0, err
	}
	if a[1] == 0 {
		return 0, nil
	}
	return 0, timespecOut(t, a[1], 1)
}

func sysGettimeofday(t *Thread, a *args) (uint64, error) {
	if a[0] == 0 {
		return 0, nil
	}
	now := clock.Realtime()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(now/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(now%1e9/1e3))
	return 0, t.p.as.CopyOut(a[0], b[:])
}

func sysTime(t *Thread, a *args) (uint64, error) {
	s := clock.Realtime() / 1e9
	if a[0] != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(s))
		if err := t.p.as.CopyOut(a[0], b[:]); err != nil {
			return 0, err
		}
	}
	return uint64(s), nil
}

// sleep waits d, or until the process must stop (EINTR).
func (t *Thread) sleep(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-t.intr():
		return linux.ERESTARTNOHAND
	}
}

func sysNanosleep(t *Thread, a *args) (uint64, error) {
	d, err := timespecIn(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.sleep(d)
}

func sysClockNanosleep(t *Thread, a *args) (uint64, error) {
	d, err := timespecIn(t, a[2])
	if err != nil {
		return 0, err
	}
	if a[1]&linux.TIMER_ABSTIME != 0 {
		now, err := clockNow(t, a[0])
		if err != nil {
			return 0, err
		}
		d -= time.Duration(now)
	}
	return 0, t.sleep(d)
}

func sysFutex(t *Thread, a *args) (uint64, error) {
	addr, op, val, timeout, _, val3 := a[0], a[1], a[2], a[3], a[4], a[5]
	o, e := futex.Decode(addr, op, val3)
	if e != 0 {
		return 0, e
	}
	as := t.p.as
	if !o.Wait {
		return uint64(as.futexWake(addr, o.Private, int(int32(val)), o.Bits)), nil
	}
	var deadline time.Time
	if timeout != 0 {
		d, err := timespecIn(t, timeout)
		if err != nil {
			return 0, err
		}
		mono := clock.Nanotime()
		deadline = time.Now().Add(time.Duration(o.Deadline(int64(d), mono, clock.Realtime()) - mono))
	}
	return 0, as.futexWait(addr, o.Private, uint32(val), o.Bits, deadline, t.intr())
}

func sysSchedGetaffinity(t *Thread, a *args) (uint64, error) {
	if a[1] < 8 || a[1]&7 != 0 {
		return 0, linux.EINVAL
	}
	var b [8]byte
	b[0] = 1
	return 8, t.p.as.CopyOut(a[2], b[:])
}

func sysUname(t *Thread, a *args) (uint64, error) {
	var u linux.Utsname
	linux.FillUname(&u)
	b := (*[unsafe.Sizeof(u)]byte)(unsafe.Pointer(&u))
	return 0, t.p.as.CopyOut(a[0], b[:])
}

// sysPrlimit64 is Linux's prlimit64: the new limit is read first
// (EFAULT), then the process found (ESRCH), then rlimit's rules applied.
// Every process runs as root, so the permission checks pass.
func sysPrlimit64(t *Thread, a *args) (uint64, error) {
	pid, res, newp, oldp := int32(a[0]), a[1], a[2], a[3]
	var b [16]byte
	var newl *linux.Rlimit
	if newp != 0 {
		if err := t.p.as.CopyIn(b[:], newp); err != nil {
			return 0, err
		}
		newl = &linux.Rlimit{Cur: binary.LittleEndian.Uint64(b[:]), Max: binary.LittleEndian.Uint64(b[8:])}
	}
	p := t.p
	if pid != 0 && pid != p.PID {
		if p = Lookup(pid); p == nil {
			return 0, linux.ESRCH
		}
	}
	var old linux.Rlimit
	p.mu.Lock()
	err := p.limits.Prlimit(res, newl, &old, true)
	p.mu.Unlock()
	if err != 0 {
		return 0, err
	}
	if oldp != 0 {
		binary.LittleEndian.PutUint64(b[:], old.Cur)
		binary.LittleEndian.PutUint64(b[8:], old.Max)
		return 0, t.p.as.CopyOut(oldp, b[:])
	}
	return 0, nil
}

func sysGetrlimit(t *Thread, a *args) (uint64, error) {
	return sysPrlimit64(t, &args{0, a[0], 0, a[1]})
}

func sysSetrlimit(t *Thread, a *args) (uint64, error) {
	return sysPrlimit64(t, &args{0, a[0], a[1], 0})
}

func sysGetrandom(t *Thread, a *args) (uint64, error) {
	if a[2]&^(linux.GRND_NONBLOCK|linux.GRND_RANDOM|linux.GRND_INSECURE) != 0 {
		return 0, linux.EINVAL
	}
	n := min(a[1], 1<<25-1)
	b := make([]byte, n)
	sys.Fill(b)
	return n, t.p.as.CopyOut(a[0], b)
}

func sysPrctl(t *Thread, a *args) (uint64, error) {
	switch a[0] {
	case linux.PR_SET_NAME:
		s, err := t.p.as.CopyInString(a[1], 4096)
		if err != nil {
			return 0, err
		}
		if len(s) > 15 {
			s = s[:15]
		}
		t.p.mu.Lock()
		t.p.comm = s
		t.p.mu.Unlock()
		return 0, nil
	case linux.PR_GET_NAME:
		t.p.mu.Lock()
		b := make([]byte, 16)
		copy(b, t.p.comm)
		t.p.mu.Unlock()
		b[15] = 0
		return 0, t.p.as.CopyOut(a[1], b)
	}
	return 0, linux.EINVAL
}

func sysIoctl(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	c, ok := f.ops.(consoleFile)
	if !ok {
		return 0, linux.ENOTTY
	}
	req, arg := a[1], a[2]
	switch req {
	case linux.TCGETS:
		tm := c.t.Termios()
		b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.TCSETS, linux.TCSETSW, linux.TCSETSF:
		var tm linux.Termios
		b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		c.t.SetTermios(tm, req == linux.TCSETSF)
		return 0, nil
	case linux.TIOCGWINSZ:
		ws := [8]byte{24, 0, 80, 0} // rows 24, columns 80
		return 0, t.p.as.CopyOut(arg, ws[:])
	case linux.TIOCSWINSZ:
		return 0, nil
	case linux.TIOCGPGRP:
		fg, _ := c.t.Foreground()
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(fg))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.TIOCSPGRP:
		var b [4]byte
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		pg := int32(binary.LittleEndian.Uint32(b[:]))
		if pg <= 0 {
			return 0, linux.EINVAL
		}
		t.p.mu.Lock()
		sid := t.p.sid
		t.p.mu.Unlock()
		c.t.SetForeground(pg, sid)
		return 0, nil
	case linux.TIOCGSID:
		_, sid := c.t.Foreground()
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(sid))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.TIOCSCTTY, linux.TIOCNOTTY:
		return 0, nil
	}
	return 0, linux.ENOTTY
}

func sysEventfd2(t *Thread, a *args) (uint64, error) {
	ctr, errno := eventfd.New(a[0], a[1])
	if errno != 0 {
		return 0, errno
	}
	e := &eventFile{ctr: ctr}
	f := newFile(e, nil, linux.O_RDWR|a[1]&linux.EFD_NONBLOCK)
	fd, err := t.p.files.install(f, 0, a[1]&linux.EFD_CLOEXEC != 0)
	return uint64(fd), err
}

func sysEpollCreate1(t *Thread, a *args) (uint64, error) {
	if a[0]&^linux.EPOLL_CLOEXEC != 0 {
		return 0, linux.EINVAL
	}
	f := newFile(&epollFile{regs: map[int32]*epollReg{}}, nil, linux.O_RDWR)
	fd, err := t.p.files.install(f, 0, a[0]&linux.EPOLL_CLOEXEC != 0)
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
	ep, ok := ef.ops.(*epollFile)
	if !ok || epfd == fd {
		return 0, linux.EINVAL
	}
	var ev [12]byte
	if op != linux.EPOLL_CTL_DEL {
		if err := t.p.as.CopyIn(ev[:], evp); err != nil {
			return 0, err
		}
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	r := ep.regs[int32(fd)]
	switch op {
	case linux.EPOLL_CTL_ADD:
		if r != nil && r.file == f {
			return 0, linux.EEXIST
		}
		r = &epollReg{file: f}
		ep.regs[int32(fd)] = r
	case linux.EPOLL_CTL_MOD:
		if r == nil || r.file != f {
			return 0, linux.ENOENT
		}
	case linux.EPOLL_CTL_DEL:
		if r == nil || r.file != f {
			return 0, linux.ENOENT
		}
		delete(ep.regs, int32(fd))
		return 0, nil
	default:
		return 0, linux.EINVAL
	}
	r.events = binary.LittleEndian.Uint32(ev[:])
	copy(r.data[:], ev[4:])
	r.fired = false
	pollEvents.notify()
	return 0, nil
}

func sysEpollPwait(t *Thread, a *args) (uint64, error) {
	epfd, out, max, timeout := a[0], a[1], int(int32(a[2])), int32(a[3])
	ef, err := t.p.files.get(epfd)
	if err != nil {
		return 0, err
	}
	ep, ok := ef.ops.(*epollFile)
	if !ok || max <= 0 {
		return 0, linux.EINVAL
	}
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	var got []linux.EpollEvent
	err = waitReady(t, deadline, func() bool {
		got = ep.collect(max)
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
	err := waitReady(t, deadline, func() bool {
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
					m, _ := readiness(f)
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
