package task

import (
	"encoding/binary"
	"time"

	"sigil/file"
	"sigil/linux"
	"sigil/signal"
)

// select(2) and pselect6(2) as Linux's core_sys_select and do_select:
// three bitmaps of n descriptors; a set bit of a descriptor that is not
// open is EBADF; a descriptor is readable for POLLIN_SET (in, hangup,
// error), writable for POLLOUT_SET (out, error), exceptional for POLLPRI.
// The sets are rewritten with the ready bits only, and the timeout with
// the time left.

// Readiness sets of select (fs/select.c).
const (
	pollInSet  = linux.EPOLLIN | linux.EPOLLRDNORM | linux.EPOLLRDBAND | linux.EPOLLHUP | linux.EPOLLERR
	pollOutSet = linux.EPOLLOUT | linux.EPOLLWRNORM | linux.EPOLLWRBAND | linux.EPOLLERR
	pollExSet  = linux.EPOLLPRI
)

// fdSets is the three bitmaps select reads and writes.
type fdSets struct {
	addr [3]uint64 // user addresses, 0 for a set not given
	in   [3][]byte
	out  [3][]byte
}

func sysSelect(t *Thread, a *args) (uint64, error) {
	var deadline time.Time
	zero := false
	if a[4] != 0 {
		var b [16]byte
		if err := t.p.as.CopyIn(b[:], a[4]); err != nil {
			return 0, err
		}
		sec, usec := int64(binary.LittleEndian.Uint64(b[:])), int64(binary.LittleEndian.Uint64(b[8:]))
		// poll_select_set_timeout carries whole seconds out of the
		// microseconds before it judges the time.
		if sec < 0 || usec < 0 || sec+usec/1e6 < sec {
			return 0, linux.EINVAL
		}
		d := time.Duration(min(sec, 1<<32))*time.Second + time.Duration(usec)*time.Microsecond
		zero, deadline = d == 0, time.Now().Add(d)
	}
	n, err := t.selectFDs(a, deadline, zero)
	if a[4] != 0 && err != linux.EFAULT {
		var b [16]byte
		left := max(time.Until(deadline), 0)
		if zero {
			left = 0
		}
		binary.LittleEndian.PutUint64(b[:], uint64(left/time.Second))
		binary.LittleEndian.PutUint64(b[8:], uint64(left%time.Second/time.Microsecond))
		t.p.as.CopyOut(a[4], b[:]) // poll_select_finish ignores a failure here
	}
	return n, err
}

// sysPselect6 is pselect6: a timespec timeout, and a signal mask in
// force while it waits (a pointer to {sigset_t *, size_t}).
func sysPselect6(t *Thread, a *args) (uint64, error) {
	var deadline time.Time
	zero := false
	if a[4] != 0 {
		d, err := timespecIn(t, a[4])
		if err != nil {
			return 0, err
		}
		zero, deadline = d == 0, time.Now().Add(d)
	}
	if a[5] != 0 {
		var b [16]byte
		if err := t.p.as.CopyIn(b[:], a[5]); err != nil {
			return 0, err
		}
		if set := binary.LittleEndian.Uint64(b[:]); set != 0 {
			if err := t.waitMask(set, binary.LittleEndian.Uint64(b[8:])); err != nil {
				return 0, err
			}
		}
	}
	n, err := t.selectFDs(a, deadline, zero)
	if a[4] != 0 && err != linux.EFAULT {
		left := max(time.Until(deadline), 0)
		if zero {
			left = 0
		}
		timespecOut(t, a[4], int64(left))
	}
	return n, err
}

// selectFDs waits until a descriptor of the sets is ready, the deadline
// passes, or a signal comes, and writes the ready sets back.
func (t *Thread) selectFDs(a *args, deadline time.Time, zero bool) (uint64, error) {
	n := int64(int32(a[0]))
	if n < 0 {
		return 0, linux.EINVAL
	}
	n = min(n, int64(t.nofile())) // max_fds: no descriptor beyond exists
	size := (n + 63) / 64 * 8
	var s fdSets
	for i := range s.addr {
		s.addr[i] = a[1+i]
		if s.addr[i] == 0 {
			continue
		}
		s.in[i] = make([]byte, size)
		if err := t.p.as.CopyIn(s.in[i], s.addr[i]); err != nil {
			return 0, err
		}
		s.out[i] = make([]byte, size)
	}
	bit := func(set []byte, fd int64) bool { return set != nil && set[fd/8]&(1<<(fd%8)) != 0 }
	// A set bit for a descriptor that is not open is EBADF at once.
	for fd := int64(0); fd < n; fd++ {
		if bit(s.in[0], fd) || bit(s.in[1], fd) || bit(s.in[2], fd) {
			if _, err := t.p.files.get(uint64(fd)); err != nil {
				return 0, linux.EBADF
			}
		}
	}
	ready := 0
	err := file.WaitReady(t, deadline, func() bool {
		ready = 0
		for i := range s.out {
			clear(s.out[i])
		}
		for fd := int64(0); fd < n; fd++ {
			if !bit(s.in[0], fd) && !bit(s.in[1], fd) && !bit(s.in[2], fd) {
				continue
			}
			f, err := t.p.files.get(uint64(fd))
			if err != nil {
				continue // closed meanwhile: Linux reports it EBADF next call
			}
			m, _ := file.Readiness(f)
			for i, want := range []uint32{pollInSet, pollOutSet, pollExSet} {
				if bit(s.in[i], fd) && m&want != 0 {
					s.out[i][fd/8] |= 1 << (fd % 8)
					ready++
				}
			}
		}
		return ready > 0 || zero
	})
	if err != nil && err != linux.ETIMEDOUT {
		return 0, err
	}
	for i := range s.addr {
		if s.addr[i] != 0 {
			if err := t.p.as.CopyOut(s.addr[i], s.out[i]); err != nil {
				return 0, err
			}
		}
	}
	return uint64(ready), nil
}

// waitMask puts the signal mask at addr (of size bytes) in force for a
// wait, to be restored on the way back to user mode unless a handler's
// frame takes the old one (set_user_sigmask): ppoll, pselect6,
// epoll_pwait.
func (t *Thread) waitMask(addr, size uint64) error {
	s, err := t.sigsetIn(addr, size)
	if err != nil {
		return err
	}
	p := t.p
	p.mu.Lock()
	t.sig.savedMask, t.sig.restoreOK = t.sig.mask, true
	t.setBlockedLocked(s &^ signal.Unblockable)
	p.mu.Unlock()
	return nil
}

// sysEpollWait is epoll_wait: epoll_pwait without a mask (its fifth and
// sixth registers are not arguments).
func sysEpollWait(t *Thread, a *args) (uint64, error) {
	b := *a
	b[4], b[5] = 0, 0
	return sysEpollPwait(t, &b)
}

// waitCalls are select's, for the system-call table.
var waitCalls = map[uint64]sysFunc{
	linux.SYS_SELECT: sysSelect, linux.SYS_PSELECT6: sysPselect6, linux.SYS_EPOLL_WAIT: sysEpollWait,
}
