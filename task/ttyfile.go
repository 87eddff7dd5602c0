// Terminal files: the console and pseudo-terminal slaves (ttyFile) share
// one line discipline (package tty) and one set of job-control rules
// (ctty.go); the master of a pseudo-terminal is masterFile (ptmx.go).

package task

import (
	"sigil/file"
	"sigil/linux"
	"sigil/pty"
	"sigil/tty"
	"sigil/vfs"
)

// ttyFile is an open terminal: /dev/console, or /dev/pts/N (pair set).
type ttyFile struct {
	t    *tty.TTY
	node *vfs.Node
	pair *pty.Pair // nil for the console
}

// Read is tty_read through n_tty_read: a background process's Read of
// its controlling terminal is job_control's first.
func (c ttyFile) Read(caller file.Caller, f *file.File, p []byte) (int, error) {
	t := threadCalling(caller)
	if err := t.checkChange(c.t, linux.SIGTTIN); err != nil {
		return 0, err
	}
	n, err := c.t.Read(p, f.NonBlock(), t.Interrupted())
	return n, ttyErrno(err)
}

// Write is n_tty_write: with TOSTOP a background process's Write to its
// controlling terminal is tty_check_change's first; a slave waits for
// room in its master's buffer.
func (c ttyFile) Write(caller file.Caller, f *file.File, p []byte) (int, error) {
	t := threadCalling(caller)
	if c.t.Termios().Lflag&linux.TOSTOP != 0 {
		if err := t.checkChange(c.t, linux.SIGTTOU); err != nil {
			return 0, err
		}
	}
	done := 0
	for done < len(p) {
		if c.pair != nil {
			if err := c.pair.WaitRoom(f.NonBlock(), t.Interrupted()); err != nil {
				if done > 0 {
					return done, nil
				}
				return 0, ttyErrno(err)
			}
		}
		chunk := p[done:min(len(p), done+4096)]
		n, err := c.t.Write(chunk, f.NonBlock(), t.Interrupted())
		done += n
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, ttyErrno(err)
		}
	}
	return done, nil
}

// ttyErrno is a terminal read's or write's errno: EAGAIN where it would
// block, ERESTARTSYS where a signal interrupted the wait (output stopped
// by VSTOP, or no input), EIO after a hangup or with the other end gone.
func ttyErrno(err error) error {
	switch err {
	case nil:
		return nil
	case tty.ErrWouldBlock, pty.ErrWouldBlock:
		return linux.EAGAIN
	case tty.ErrInterrupted, pty.ErrInterrupted:
		return linux.ERESTARTSYS
	case tty.ErrHungUp, pty.ErrSlaveClosed:
		return linux.EIO
	}
	return err
}

func (c ttyFile) Stat() linux.Stat { return file.NodeStat(c.node) }

// Fasync is tty_fasync's list: O_ASYNC descriptions are signalled when
// input arrives (setAsync gives a new one its default owner).
func (c ttyFile) Fasync(f *file.File, fd int32, on bool) { c.t.Fasync(f, fd, on) }

func (c ttyFile) Close() {
	if c.pair != nil {
		c.pair.CloseSlave()
	}
}

// poll is n_tty_poll; a hung-up terminal is hung_up_tty_poll's
// everything.
func (c ttyFile) Poll() (uint32, uint64) {
	if c.t.HungUp() {
		return linux.EPOLLIN | linux.EPOLLOUT | linux.EPOLLERR | linux.EPOLLHUP, ttyGen.Load()
	}
	var m uint32
	if ok, _ := c.t.Readable(); ok {
		m |= linux.EPOLLIN
	}
	if ok, _ := c.t.Writable(); ok && (c.pair == nil || c.pair.SlaveWritable()) {
		m |= linux.EPOLLOUT
	}
	return m, ttyGen.Load()
}

// openCurrentTTY opens /dev/tty: the caller's controlling terminal
// (tty_open_current_tty), ENXIO without one.
func openCurrentTTY(t *Thread, n *vfs.Node, flags uint64) (*file.File, error) {
	if t == nil {
		return nil, linux.ENXIO
	}
	tt := t.p.controlling()
	if tt == nil {
		return nil, linux.ENXIO
	}
	if tt == theConsole {
		return file.New(ttyFile{tt, n, nil}, n, flags), nil
	}
	pair := pty.BySlave(tt)
	if pair == nil || pair.OpenSlave() != nil {
		return nil, linux.EIO
	}
	return file.New(ttyFile{tt, n, pair}, n, flags), nil
}
