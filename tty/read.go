package tty

import (
	"errors"
	"time"

	"sigil/linux"
)

// ErrInterrupted is returned when a read or write is cancelled (EINTR).
var ErrInterrupted = errors.New("tty: interrupted")

// ErrWouldBlock is returned by a non-blocking read with nothing to read.
var ErrWouldBlock = errors.New("tty: would block")

// Read returns input: in canonical mode one line at most (an empty read at
// end of file); otherwise as VMIN and VTIME say (Linux's n_tty_read): with
// VMIN > 0, at least VMIN bytes (or len(p)), the wait ended VTIME tenths of
// a second after a byte if VTIME > 0; with VMIN 0, what is there, waiting
// up to VTIME tenths for a first byte. It blocks until then, cancel is
// closed or, if nonblock, not at all.
func (t *TTY) Read(p []byte, nonblock bool, cancel <-chan struct{}) (int, error) {
	var timer <-chan time.Time
	for {
		t.mu.Lock()
		if t.hungUp {
			t.mu.Unlock()
			return 0, nil // hung_up_tty_read
		}
		if n, ok := t.take(p, false); ok {
			t.mu.Unlock()
			return n, nil
		}
		wait := t.changed
		canon := t.termios.Lflag&linux.ICANON != 0
		vtime := time.Duration(t.termios.Cc[linux.VTIME]) * 100 * time.Millisecond
		waitFirst := t.termios.Cc[linux.VMIN] == 0 || len(t.queue) > 0
		t.mu.Unlock()
		if nonblock {
			return 0, ErrWouldBlock
		}
		if !canon && vtime > 0 && timer == nil && waitFirst {
			timer = time.After(vtime)
		}
		select {
		case <-wait:
		case <-timer:
			t.mu.Lock()
			n, _ := t.take(p, true)
			t.mu.Unlock()
			return n, nil
		case <-cancel:
			return 0, ErrInterrupted
		}
	}
}

// take moves input into p, if a read may return now (expired: VTIME ran
// out).
func (t *TTY) take(p []byte, expired bool) (int, bool) {
	if t.termios.Lflag&linux.ICANON == 0 {
		want := min(int(t.termios.Cc[linux.VMIN]), len(p))
		if want == 0 && t.termios.Cc[linux.VTIME] != 0 {
			want = 1 // VMIN 0, VTIME > 0: a byte, or VTIME's end
		}
		if len(t.queue) < want && !expired {
			return 0, false
		}
		n := copy(p, t.queue)
		t.queue = t.queue[n:]
		return n, true
	}
	if len(t.ends) == 0 {
		return 0, false
	}
	n := copy(p, t.queue[:t.ends[0]])
	if n == t.ends[0] {
		t.ends = t.ends[1:]
	} else {
		t.ends[0] -= n
	}
	t.queue = t.queue[n:]
	return n, true
}

// Readable reports whether a read would not block, and returns the channel
// closed at the next change (for poll).
func (t *TTY) Readable() (bool, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// As Linux's input_available_p for poll: VMIN bytes when there is no
	// VTIME, else one.
	amt := 1
	if vmin := int(t.termios.Cc[linux.VMIN]); vmin > 0 && t.termios.Cc[linux.VTIME] == 0 {
		amt = vmin
	}
	ok := len(t.ends) > 0 || t.termios.Lflag&linux.ICANON == 0 && len(t.queue) >= amt
	return ok, t.changed
}

// Writable reports whether output is not stopped (VSTOP), and returns the
// channel closed at the next change (for poll).
func (t *TTY) Writable() (bool, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.stopped, t.changed
}

// ReadLine reads one canonical line for the kernel's own use.
func (t *TTY) ReadLine(timeout time.Duration) (string, error) {
	cancel := make(chan struct{})
	timer := time.AfterFunc(timeout, func() { close(cancel) })
	defer timer.Stop()
	buf := make([]byte, 4096)
	n, err := t.Read(buf, false, cancel)
	if err == ErrInterrupted {
		return "", ErrTimeout
	}
	if n > 0 && buf[n-1] == '\n' {
		n--
	}
	return string(buf[:n]), err
}

// ErrTimeout is returned by ReadLine when no line arrives in time.
var ErrTimeout = errors.New("tty: timed out")
