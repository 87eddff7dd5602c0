// Package tty is the console's line discipline: keyboard and serial input
// arrive here, are echoed, edited and assembled into lines (canonical mode),
// and the interrupt characters are recognised. Goroutine context.
//
// This is the part the interrupt subsystem needs; termios, raw mode and the
// foreground process group come with processes.
package tty

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Special characters (the Linux console's termios defaults).
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
	mu       sync.Mutex
	echo     io.Writer
	line     []byte
	lines    chan string
	controls chan byte
}

// Console is the kernel console's terminal (set up by the kernel's main).
var Console *TTY

// New returns a terminal that echoes to echo.
func New(echo io.Writer) *TTY {
	return &TTY{echo: echo, lines: make(chan string, 64), controls: make(chan byte, 16)}
}

// Controls delivers the VINTR, VQUIT and VSUSP characters typed; signals
// will be generated from them.
func (t *TTY) Controls() <-chan byte { return t.controls }

// Lines delivers complete input lines, without their newline.
func (t *TTY) Lines() <-chan string { return t.lines }

// Input feeds typed bytes.
func (t *TTY) Input(b []byte) {
	for _, c := range b {
		t.input(c)
	}
}

func (t *TTY) input(c byte) {
	if c == '\r' {
		c = '\n' // ICRNL
	}
	switch c {
	case VINTR, VQUIT, VSUSP:
		t.mu.Lock()
		t.line = t.line[:0]
		t.echo.Write([]byte{'^', c + '@', '\n'})
		t.mu.Unlock()
		select {
		case t.controls <- c:
		default:
		}
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch c {
	case VERASE, BS:
		if len(t.line) > 0 {
			t.line = t.line[:len(t.line)-1]
			t.echo.Write([]byte("\b \b"))
		}
	case VKILL:
		for range t.line {
			t.echo.Write([]byte("\b \b"))
		}
		t.line = t.line[:0]
	case '\n', VEOF:
		if c == '\n' {
			t.echo.Write([]byte{'\n'})
		}
		select {
		case t.lines <- string(t.line):
		default: // nobody reads: the line is dropped, as a full tty drops input
		}
		t.line = t.line[:0]
	default:
		if c < ' ' && c != '\t' && c != 0x1b {
			t.echo.Write([]byte{'^', c + '@'}) // ECHOCTL
		} else {
			t.echo.Write([]byte{c})
		}
		t.line = append(t.line, c)
	}
}

// ErrTimeout is returned by ReadLine when no line arrives in time.
var ErrTimeout = errors.New("tty: timed out")

// ReadLine returns the next complete line.
func (t *TTY) ReadLine(timeout time.Duration) (string, error) {
	select {
	case l := <-t.lines:
		return l, nil
	case <-time.After(timeout):
		return "", ErrTimeout
	}
}
