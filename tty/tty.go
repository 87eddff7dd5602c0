// Package tty is the console's terminal: the line discipline that keyboard
// and serial input pass through (termios: canonical or raw mode, echo,
// erase and kill, ICRNL, the ISIG characters), the output post-processing
// (OPOST/ONLCR), and the foreground process group. Goroutine context.
package tty

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"time"

	"sigil/linux"
)

// Control characters with their default bindings (termios c_cc).
const (
	VINTR  = 0x03 // Ctrl+C
	VQUIT  = 0x1c // Ctrl+\ ...
	VSUSP  = 0x1a // Ctrl+Z
	VERASE = 0x7f // DEL (Backspace)
	BS     = 0x08
	VKILL  = 0x15 // Ctrl+U
	VEOF   = 0x04 // Ctrl+D
)

// TTY is one terminal.
type TTY struct {
	mu      sync.Mutex
	out     io.Writer // the device: bytes are written as they are
	termios linux.Termios
	line    []byte // canonical line being edited
	queue   []byte // input ready for readers
	ends    []int  // canonical mode: lengths of complete lines in queue
	changed chan struct{}

	fg, session int32 // foreground process group, controlling session

	controls chan byte
	// Signal, when set, is called (unlocked) with VINTR, VQUIT or VSUSP
	// when ISIG is on: the kernel sends SIGINT, SIGQUIT or SIGTSTP to the
	// foreground process group.
	Signal func(fg int32, c byte)
}

// Console is the kernel console's terminal (set up by the kernel's main).
var Console *TTY

// New returns a terminal writing to out with Linux's default termios.
func New(out io.Writer) *TTY {
	return &TTY{out: out, termios: linux.DefaultTermios(), changed: make(chan struct{}), controls: make(chan byte, 16)}
}

// Controls delivers the ISIG characters typed, for the kernel's own use.
func (t *TTY) Controls() <-chan byte { return t.controls }

func (t *TTY) broadcast() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// Input feeds typed bytes through the line discipline.
func (t *TTY) Input(b []byte) {
	for _, c := range b {
		t.input(c)
	}
}

func (t *TTY) input(c byte) {
	t.mu.Lock()
	tm := &t.termios
	if tm.Iflag&linux.IGNCR != 0 && c == '\r' {
		t.mu.Unlock()
		return
	}
	if tm.Iflag&linux.ICRNL != 0 && c == '\r' {
		c = '\n'
	} else if tm.Iflag&linux.INLCR != 0 && c == '\n' {
		c = '\r'
	}
	if tm.Lflag&linux.ISIG != 0 && (c == tm.Cc[linux.VINTR] || c == tm.Cc[linux.VQUIT] || c == tm.Cc[linux.VSUSP]) && c != 0 {
		if tm.Lflag&linux.NOFLSH == 0 {
			t.line, t.queue, t.ends = t.line[:0], t.queue[:0], t.ends[:0]
		}
		fg, sig, echo := t.fg, t.Signal, tm.Lflag&linux.ECHO != 0
		t.broadcast()
		t.mu.Unlock()
		select {
		case t.controls <- c:
		default:
		}
		// The signal first, then the echo, as Linux's n_tty does, and the
		// signalled threads run before it: echoing on the serial line
		// takes longer than the whole delivery.
		if sig != nil {
			sig(fg, c)
			runtime.Gosched()
		}
		if echo {
			t.mu.Lock()
			t.echoCtl(c)
			t.emit([]byte{'\n'})
			t.mu.Unlock()
		}
		return
	}
	defer t.mu.Unlock()
	if tm.Lflag&linux.ICANON == 0 {
		t.queue = append(t.queue, c)
		if tm.Lflag&linux.ECHO != 0 {
			t.echoChar(c)
		}
		t.broadcast()
		return
	}
	switch {
	case c == tm.Cc[linux.VERASE] || c == BS:
		if len(t.line) > 0 {
			t.line = t.line[:len(t.line)-1]
			if tm.Lflag&linux.ECHOE != 0 {
				t.emit([]byte("\b \b"))
			}
		}
	case c == tm.Cc[linux.VKILL]:
		if tm.Lflag&linux.ECHOK != 0 {
			for range t.line {
				t.emit([]byte("\b \b"))
			}
		}
		t.line = t.line[:0]
	case c == tm.Cc[linux.VEOF]:
		t.complete()
	case c == '\n' || c == tm.Cc[linux.VEOL] && c != 0:
		t.line = append(t.line, c)
		if tm.Lflag&(linux.ECHO|linux.ECHONL) != 0 {
			t.emit([]byte{'\n'})
		}
		t.complete()
	default:
		t.line = append(t.line, c)
		if tm.Lflag&linux.ECHO != 0 {
			t.echoChar(c)
		}
	}
}

// complete moves the edited line (maybe empty: end of file) to the readers.
func (t *TTY) complete() {
	t.queue = append(t.queue, t.line...)
	t.ends = append(t.ends, len(t.line))
	t.line = t.line[:0]
	t.broadcast()
}

func (t *TTY) echoChar(c byte) {
	if c < ' ' && c != '\t' && c != '\n' && t.termios.Lflag&linux.ECHOCTL != 0 {
		t.echoCtl(c)
		return
	}
	t.emit([]byte{c})
}

func (t *TTY) echoCtl(c byte) { t.emit([]byte{'^', c ^ 0x40}) }

// emit writes output with the termios output processing.
func (t *TTY) emit(p []byte) {
	if t.termios.Oflag&linux.OPOST == 0 || t.termios.Oflag&linux.ONLCR == 0 {
		t.out.Write(p)
		return
	}
	start := 0
	for i, c := range p {
		if c == '\n' {
			t.out.Write(p[start:i])
			t.out.Write([]byte("\r\n"))
			start = i + 1
		}
	}
	t.out.Write(p[start:])
}

// Write is output from programs.
func (t *TTY) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.emit(p)
	return len(p), nil
}

// ErrInterrupted is returned when a read is cancelled (EINTR).
var ErrInterrupted = errors.New("tty: interrupted")

// ErrWouldBlock is returned by a non-blocking read with nothing to read.
var ErrWouldBlock = errors.New("tty: would block")

// Read returns input: in canonical mode one line at most (an empty read at
// end of file), in raw mode what is queued (VMIN 0 returns at once). It
// blocks until input arrives, cancel is closed or, if nonblock, not at all.
func (t *TTY) Read(p []byte, nonblock bool, cancel <-chan struct{}) (int, error) {
	for {
		t.mu.Lock()
		if n, ok := t.take(p); ok {
			t.mu.Unlock()
			return n, nil
		}
		wait := t.changed
		t.mu.Unlock()
		if nonblock {
			return 0, ErrWouldBlock
		}
		select {
		case <-wait:
		case <-cancel:
			return 0, ErrInterrupted
		}
	}
}

func (t *TTY) take(p []byte) (int, bool) {
	if t.termios.Lflag&linux.ICANON == 0 {
		if len(t.queue) == 0 && t.termios.Cc[linux.VMIN] > 0 {
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
	ok := len(t.ends) > 0 || t.termios.Lflag&linux.ICANON == 0 && (len(t.queue) > 0 || t.termios.Cc[linux.VMIN] == 0)
	return ok, t.changed
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

// Termios returns the terminal's settings (TCGETS).
func (t *TTY) Termios() linux.Termios {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.termios
}

// SetTermios changes them (TCSETS*); flush drops pending input (TCSETSF).
func (t *TTY) SetTermios(tm linux.Termios, flush bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tm.Lflag&linux.ICANON == 0 && t.termios.Lflag&linux.ICANON != 0 {
		// Leaving canonical mode: the half-edited line becomes input.
		t.queue = append(t.queue, t.line...)
		t.line, t.ends = t.line[:0], t.ends[:0]
	}
	t.termios = tm
	if flush {
		t.line, t.queue, t.ends = t.line[:0], t.queue[:0], t.ends[:0]
	}
	t.broadcast()
}

// Foreground returns the foreground process group and the session.
func (t *TTY) Foreground() (pgrp, session int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fg, t.session
}

// SetForeground makes pgrp the foreground process group of session.
func (t *TTY) SetForeground(pgrp, session int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fg, t.session = pgrp, session
}
