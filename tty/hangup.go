package tty

import (
	"errors"

	"sigil/linux"
)

// ErrHungUp is a write to a terminal that was hung up (EIO), as
// hung_up_tty_write in drivers/tty/tty_io.c.
var ErrHungUp = errors.New("tty: hung up")

// Hangup is __tty_hangup's part in the line discipline: from now on reads
// end at once (hung_up_tty_read returns 0) and writes fail; the session
// and foreground group are forgotten. The caller signals the session.
func (t *TTY) Hangup() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hungUp = true
	t.fg, t.session = 0, 0
	t.broadcast()
}

// HungUp reports whether the terminal was hung up.
func (t *TTY) HungUp() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.hungUp
}

// Winsize returns the window size (TIOCGWINSZ).
func (t *TTY) Winsize() linux.Winsize {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.winsize
}

// SetWinsize changes it (TIOCSWINSZ) and reports whether it changed, and
// so whether the foreground group gets SIGWINCH, as tty_do_resize. It
// returns that group.
func (t *TTY) SetWinsize(ws linux.Winsize) (changed bool, fg int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ws == t.winsize {
		return false, 0
	}
	t.winsize = ws
	return true, t.fg
}

// Session returns the session the terminal controls (0: none).
func (t *TTY) Session() int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.session
}

// SetPgrp changes the foreground process group alone (TIOCSPGRP).
func (t *TTY) SetPgrp(pgrp int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fg = pgrp
}

// InputAvailable counts the bytes a read could take now (FIONREAD, as
// n_tty's inq: complete lines only in canonical mode).
func (t *TTY) InputAvailable() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.termios.Lflag&linux.ICANON == 0 {
		return len(t.queue)
	}
	n := 0
	for _, e := range t.ends {
		n += e
	}
	return n
}

// SetFlushOutput sets the device's flush_buffer, which an ISIG character
// calls without NOFLSH (isig); call before the terminal is used. It runs
// under the terminal's lock.
func (t *TTY) SetFlushOutput(f func()) { t.flushOut = f }
