// Package eventfd holds eventfd(2)'s counter rules (Linux's
// fs/eventfd.c), written once for the kernel's own runtime (package sys,
// whose eventfds never block) and for user programs (package task, which
// blocks in goroutines). The caller guards a Counter with its own lock.
package eventfd

import "sigil/linux"

// Max is the counter's ceiling: a write that would pass it blocks
// (eventfd_write).
const Max = ^uint64(0) - 1

// Flags are the flags eventfd2 accepts.
const Flags = linux.EFD_CLOEXEC | linux.EFD_NONBLOCK | linux.EFD_SEMAPHORE

// Counter is an eventfd's state.
type Counter struct {
	Count     uint64
	Semaphore bool // EFD_SEMAPHORE: each read takes 1
}

// New checks eventfd2's flags (EINVAL for any other) and returns the
// counter it creates; the initial value is an unsigned int.
//
//go:nosplit
func New(initval, flags uint64) (Counter, linux.Errno) {
	if flags&^Flags != 0 {
		return Counter{}, linux.EINVAL
	}
	return Counter{Count: uint64(uint32(initval)), Semaphore: flags&linux.EFD_SEMAPHORE != 0}, 0
}

// CheckRead and CheckWrite are the size checks of eventfd_read and
// eventfd_write, and the value check of the latter: a buffer under 8
// bytes and a write of 0xffffffffffffffff are EINVAL.
//
//go:nosplit
func CheckRead(n uint64) linux.Errno {
	if n < 8 {
		return linux.EINVAL
	}
	return 0
}

//go:nosplit
func CheckWrite(n, v uint64) linux.Errno {
	if n < 8 || v == ^uint64(0) {
		return linux.EINVAL
	}
	return 0
}

// Take is a read: the whole count, or 1 for a semaphore. ok is false when
// the count is 0 (the reader blocks, or gets EAGAIN).
//
//go:nosplit
func (c *Counter) Take() (v uint64, ok bool) {
	if c.Count == 0 {
		return 0, false
	}
	v = c.Count
	if c.Semaphore {
		v = 1
	}
	c.Count -= v
	return v, true
}

// Add is a checked write of v: ok is false when the count would pass Max
// (the writer blocks, or gets EAGAIN).
//
//go:nosplit
func (c *Counter) Add(v uint64) (ok bool) {
	if v > Max-c.Count {
		return false
	}
	c.Count += v
	return true
}

// Readiness is eventfd_poll's mask: readable while the count is not 0,
// writable while a write of 1 would not block.
//
//go:nosplit
func (c *Counter) Readiness() uint32 {
	var m uint32
	if c.Count > 0 {
		m |= linux.EPOLLIN
	}
	if c.Count < Max {
		m |= linux.EPOLLOUT
	}
	return m
}
