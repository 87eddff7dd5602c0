// Package tty is the console's terminal: the line discipline that keyboard
// and serial input pass through, as Linux's n_tty does it (input.go), the
// output processing of echoes and program output (output.go), reads as
// canonical lines or by VMIN and VTIME (read.go), and the foreground
// process group. Every special character comes from c_cc. Goroutine
// context: the callers are the input bottom halves and system calls.
package tty

import (
	"io"
	"sync"

	"sigil/file"
	"sigil/linux"
)

// bufSize is n_tty's input buffer (N_TTY_BUF_SIZE): a canonical line
// holds at most bufSize-1 characters and its terminator.
const bufSize = 4096

// rawLimit bounds input no one reads outside canonical mode, where Linux
// throttles the driver instead.
const rawLimit = 64 << 10

// TTY is one terminal.
type TTY struct {
	out io.Writer // the device: bytes are written as they are

	mu      sync.Mutex // guards every field below
	termios linux.Termios
	line    []byte // canonical mode: the line being edited
	queue   []byte // input ready for readers
	ends    []int  // canonical mode: lengths of complete lines in queue
	lnext   bool   // the next character is taken literally (VLNEXT)
	erasing bool   // ECHOPRT: between the \ and / of an erasure
	stopped bool   // output stopped by VSTOP (IXON)
	changed chan struct{}

	column      int    // the cursor's column as output processing counts it
	canonColumn int    // the column where the line being edited started
	obuf        []byte // output gathered under mu, written by flush

	fg, session int32 // foreground process group, controlling session

	winsize linux.Winsize // TIOCGWINSZ/TIOCSWINSZ
	hungUp  bool          // tty_hangup happened: reads end, writes fail (hangup.go)

	// flushOut drops output the device has not sent (the driver's
	// flush_buffer); set once, before use, by a device that buffers.
	flushOut func()

	controls chan linux.Signal

	// arrived: input for readers came (a line completed, or raw input
	// was queued) since Input last told the O_ASYNC owners. Under mu.
	arrived bool
	async   file.AsyncList // O_ASYNC descriptions (tty_fasync; it guards itself)
}

// Fasync adds or removes description f from those O_ASYNC signals when
// input arrives (tty_fasync's list; the owner is the caller's to set).
func (t *TTY) Fasync(f *file.File, fd int32, on bool) { t.async.Set(f, fd, on) }

// Changed, when set, is called (under the terminal's lock: it must take
// no terminal lock) at every change of a terminal's state, so that poll
// and epoll waiters look again. Set once before any terminal is used.
var Changed func()

// Console is the kernel console's terminal (set up by the kernel's main).
var Console *TTY

// New returns a terminal writing to out with Linux's default termios.
func New(out io.Writer) *TTY {
	return &TTY{out: out, termios: linux.DefaultTermios(), changed: make(chan struct{}),
		controls: make(chan linux.Signal, 16), winsize: linux.Winsize{Row: 24, Col: 80}}
}

// Controls delivers the signals the terminal's ISIG characters generate,
// for the kernel's own listeners (test=kbd) beside the process group.
func (t *TTY) Controls() <-chan linux.Signal { return t.controls }

func (t *TTY) broadcast() {
	if Changed != nil {
		Changed()
	}
	close(t.changed)
	t.changed = make(chan struct{})
}

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
	if tm.Iflag&linux.IXON == 0 {
		t.start()
	}
	t.termios = tm
	if flush {
		t.flushInput()
	}
	t.broadcast()
}

// flushInput drops the line being edited and unread input.
func (t *TTY) flushInput() {
	t.line, t.queue, t.ends = t.line[:0], t.queue[:0], t.ends[:0]
	t.lnext = false
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
