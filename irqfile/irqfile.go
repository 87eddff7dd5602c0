// Package irqfile makes ISA interrupt lines files, /dev/irq/N, so that a
// user-space driver is a plain Linux program: opening the file claims
// line N for the opener (package intr), read waits for interrupts, write
// unmasks the line, poll, epoll and O_ASYNC report them, and the last
// close gives the line back.
//
// The calls are those of Linux's UIO devices (drivers/uio/uio.c,
// uio_read, uio_write, uio_poll, uio_fasync), so a UIO driver's loop
// works unchanged: read takes exactly 4 bytes and returns the 32-bit
// count of interrupts, blocking until it differs from what this open
// file last returned; write takes exactly 4 bytes, a 32-bit value that
// unmasks the line when non-zero and masks it when zero (uio_pdrv_genirq's
// irqcontrol). The node is /dev/irq/N rather than /dev/uioN because an
// ISA line is not a UIO device: there is no sysfs to find uioN's line
// from, and the number in the path is the line itself. The count starts
// at 0 with the claim.
package irqfile

import (
	"encoding/binary"
	"errors"
	"sync"

	"sigil/file"
	"sigil/intr"
	"sigil/linux"
	"sigil/vfs"
)

// Major is the character major of the IRQ files, from Linux's range for
// local use (Documentation/admin-guide/devices.txt, 240-254); the minor is
// the line.
const Major = 240

// Line is an open IRQ file.
type Line struct {
	line *intr.UserLine
	node *vfs.Node

	mu   sync.Mutex // guards seen and told
	seen uint32     // the count the last read returned (UIO's listener event_count)
	// told is the count O_ASYNC owners were last told of (or that
	// O_ASYNC was turned on at): the bottom half, which may run after
	// the flag changed, signals only interrupts that came after.
	told uint32

	changed *file.Notifier // notified by the bottom half at each interrupt
	async   file.AsyncList // O_ASYNC descriptions (it guards itself)
}

// Open claims line n: ENXIO for a line that does not exist, EBUSY for one
// a kernel driver (that does not yield it) or another process holds.
func Open(n uint32, node *vfs.Node) (*Line, error) {
	if n > 0xff {
		return nil, linux.ENXIO
	}
	u, err := intr.Claim(uint8(n))
	switch {
	case errors.Is(err, intr.ErrNoLine):
		return nil, linux.ENXIO
	case err != nil:
		return nil, linux.EBUSY
	}
	l := &Line{line: u, node: node, changed: file.NewNotifier()}
	go l.bottomHalf()
	return l, nil
}

// bottomHalf runs while the line is claimed: for each interrupt the top
// half counted, it wakes readers and pollers and signals O_ASYNC owners
// (kill_fasync with POLL_IN, as uio_event_notify).
func (l *Line) bottomHalf() {
	var woke uint32
	for {
		seq := l.line.Seq()
		if l.line.Ended() {
			return
		}
		n := l.line.Count()
		if n != woke {
			woke = n
			l.changed.Notify()
			file.Events.Notify()
		}
		l.mu.Lock()
		tell := n != l.told
		l.told = n
		l.mu.Unlock()
		if tell {
			l.async.Kill(linux.POLL_IN)
		}
		l.line.Wait(seq)
	}
}

// Read returns the interrupt count, as a 32-bit value, once it differs
// from what this file's last read returned (uio_read): EINVAL unless p is
// 4 bytes.
func (l *Line) Read(c file.Caller, f *file.File, p []byte) (int, error) {
	if len(p) != 4 {
		return 0, linux.EINVAL
	}
	for {
		wait := l.changed.Wait()
		n := l.line.Count()
		l.mu.Lock()
		fresh := n != l.seen
		if fresh {
			l.seen = n
		}
		l.mu.Unlock()
		if fresh {
			binary.LittleEndian.PutUint32(p, n)
			return 4, nil
		}
		if err := f.Block(c, wait); err != nil {
			return 0, err
		}
	}
}

// Write unmasks the line for a non-zero 32-bit value and masks it for
// zero (uio_write with uio_pdrv_genirq's irqcontrol): EINVAL unless p is
// 4 bytes.
func (l *Line) Write(_ file.Caller, _ *file.File, p []byte) (int, error) {
	if len(p) != 4 {
		return 0, linux.EINVAL
	}
	l.line.Unmask(binary.LittleEndian.Uint32(p) != 0)
	return 4, nil
}

// Poll is readable when an interrupt came since the last read (uio_poll).
func (l *Line) Poll() (uint32, uint64) {
	n := l.line.Count()
	l.mu.Lock()
	fresh := n != l.seen
	l.mu.Unlock()
	if fresh {
		return linux.EPOLLIN | linux.EPOLLRDNORM, uint64(n)
	}
	return 0, uint64(n)
}

// Fasync adds or removes f from the descriptions O_ASYNC signals, from
// the next interrupt on.
func (l *Line) Fasync(f *file.File, fd int32, on bool) {
	l.mu.Lock()
	l.told = l.line.Count()
	l.mu.Unlock()
	l.async.Set(f, fd, on)
}

func (l *Line) Stat() linux.Stat { return file.NodeStat(l.node) }

// Close gives the line back (its kernel driver, if one yielded it, takes
// it again).
func (l *Line) Close() { l.line.Release() }
