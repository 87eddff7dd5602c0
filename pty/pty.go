// Package pty is the pseudo-terminal pair of drivers/tty/pty.c: a master
// whose writes are the slave's typed input (through the slave's line
// discipline, package tty) and whose reads are the slave's output after
// output processing. The master end keeps Linux's raw master termios and
// no line discipline of its own: what the slave writes is read as it is.
// Goroutine context only; the task layer makes files of both ends.
package pty

import (
	"errors"
	"sync"

	"sigil/file"
	"sigil/linux"
	"sigil/tty"
)

// bufSize bounds the slave output the master has not read: a slave write
// waits for room (pty_write_room's buffer).
const bufSize = 64 << 10

// Errors of master reads.
var (
	ErrWouldBlock  = errors.New("pty: would block")
	ErrInterrupted = errors.New("pty: interrupted")
	ErrSlaveClosed = errors.New("pty: slave closed") // EIO, TTY_OTHER_CLOSED
)

// Pair is one pseudo-terminal: /dev/pts/Index and the master that made it.
type Pair struct {
	Index int
	Slave *tty.TTY

	mu           sync.Mutex // guards every field below
	out          []byte     // slave output the master has not read
	locked       bool       // TIOCSPTLCK: slave opens fail (EIO) while set
	slaves       int        // open slave descriptions
	otherClosed  bool       // the last slave closed (master reads: EIO)
	masterClosed bool
	master       linux.Termios // the master's own termios (TCGETS on the master)
	changed      chan struct{}

	async file.AsyncList // the master's O_ASYNC descriptions (it guards itself)
}

var (
	tableMu sync.Mutex // guards pairs
	pairs   = map[int]*Pair{}
)

// maxPairs is the devpts limit (kernel.pty.max's default is 4096).
const maxPairs = 4096

// Open makes a new pair with the lowest free index (ptmx_open: devpts_new_index),
// locked, as Linux makes it.
func Open() (*Pair, error) {
	tableMu.Lock()
	defer tableMu.Unlock()
	i := 0
	for pairs[i] != nil {
		i++
	}
	if i >= maxPairs {
		return nil, errors.New("pty: no free index")
	}
	p := &Pair{Index: i, locked: true, changed: make(chan struct{}),
		master: linux.Termios{Cflag: linux.B38400 | linux.CS8 | linux.CREAD}}
	p.Slave = tty.New(slaveOutput{p})
	p.Slave.SetFlushOutput(p.flush)
	pairs[i] = p
	return p, nil
}

// Lookup finds the pair with index i, nil when there is none.
func Lookup(i int) *Pair {
	tableMu.Lock()
	defer tableMu.Unlock()
	return pairs[i]
}

func (p *Pair) broadcast() {
	if tty.Changed != nil {
		tty.Changed()
	}
	close(p.changed)
	p.changed = make(chan struct{})
}

// slaveOutput is the slave's device: its output lands in the master's
// buffer (pty_write to the other side's flip buffer).
type slaveOutput struct{ p *Pair }

func (s slaveOutput) Write(b []byte) (int, error) {
	s.p.Receive(b)
	return len(b), nil
}

// Receive is the master's line discipline taking b (n_tty_receive_buf
// under the master's raw termios): what the master reads next, and
// POLL_IN to its O_ASYNC owners. The slave's output arrives here, and
// TIOCSTI on the master.
func (p *Pair) Receive(b []byte) {
	p.mu.Lock()
	took := !p.masterClosed && len(b) > 0
	if took {
		p.out = append(p.out, b...)
		p.broadcast()
	}
	p.mu.Unlock()
	if took {
		p.async.Kill(linux.POLL_IN)
	}
}

// Fasync is tty_fasync on the master: f, O_ASYNC through fd, joins or
// leaves the descriptions the master's input signals.
func (p *Pair) Fasync(f *file.File, fd int32, on bool) { p.async.Set(f, fd, on) }

// SetLocked is TIOCSPTLCK.
func (p *Pair) SetLocked(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.locked = on
}

// Locked reports TIOCGPTLCK.
func (p *Pair) Locked() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.locked
}

// OpenSlave counts a new slave description: EIO while locked or once the
// master is gone (pty_open), as Linux 6.1 answers.
func (p *Pair) OpenSlave() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.locked || p.masterClosed {
		return ErrSlaveClosed
	}
	p.slaves++
	p.otherClosed = false
	p.broadcast()
	return nil
}

// CloseSlave drops a slave description; the last one makes master reads
// fail with EIO once the output is read (pty_close sets TTY_OTHER_CLOSED).
func (p *Pair) CloseSlave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.slaves--; p.slaves == 0 {
		p.otherClosed = true
		p.broadcast()
	}
}

// CloseMaster ends the pair: the slave is hung up (the caller signals its
// session) and the index is free again.
func (p *Pair) CloseMaster() {
	p.mu.Lock()
	p.masterClosed = true
	p.out = nil
	p.broadcast()
	p.mu.Unlock()
	p.Slave.Hangup()
	tableMu.Lock()
	delete(pairs, p.Index)
	tableMu.Unlock()
}

// Read is a master read: the slave's output, waiting for some unless
// nonblock; EIO after the last slave closed and the output was read
// (n_tty_read's TTY_OTHER_CLOSED check).
func (p *Pair) Read(b []byte, nonblock bool, cancel <-chan struct{}) (int, error) {
	for {
		p.mu.Lock()
		if len(p.out) > 0 {
			n := copy(b, p.out)
			p.out = p.out[n:]
			if len(p.out) == 0 {
				p.out = nil
			}
			p.broadcast() // room for slave writers
			p.mu.Unlock()
			return n, nil
		}
		if p.otherClosed {
			p.mu.Unlock()
			return 0, ErrSlaveClosed
		}
		wait := p.changed
		p.mu.Unlock()
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

// WaitRoom waits until the master's buffer has room for slave output
// (the slave's write_room), or cancel; nonblock: ErrWouldBlock instead.
func (p *Pair) WaitRoom(nonblock bool, cancel <-chan struct{}) error {
	for {
		p.mu.Lock()
		if len(p.out) < bufSize || p.masterClosed {
			p.mu.Unlock()
			return nil
		}
		wait := p.changed
		p.mu.Unlock()
		if nonblock {
			return ErrWouldBlock
		}
		select {
		case <-wait:
		case <-cancel:
			return ErrInterrupted
		}
	}
}

// MasterPoll is n_tty_poll on the master: EPOLLIN with output to read,
// EPOLLHUP once the slave closed, EPOLLOUT always (its writes feed the
// slave's input, which never waits here).
func (p *Pair) MasterPoll() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := uint32(linux.EPOLLOUT)
	if len(p.out) > 0 {
		m |= linux.EPOLLIN
	}
	if p.otherClosed {
		m |= linux.EPOLLHUP
	}
	return m
}

// SlaveWritable reports whether a slave write would not wait for room.
func (p *Pair) SlaveWritable() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out) < bufSize
}

// Pending counts unread slave output (FIONREAD on the master).
func (p *Pair) Pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.out)
}

// MasterTermios and SetMasterTermios are TCGETS and TCSETS on the master.
func (p *Pair) MasterTermios() linux.Termios {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.master
}

func (p *Pair) SetMasterTermios(tm linux.Termios) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.master = tm
}

// BySlave finds the pair whose slave is t, nil when there is none.
func BySlave(t *tty.TTY) *Pair {
	tableMu.Lock()
	defer tableMu.Unlock()
	for _, p := range pairs {
		if p.Slave == t {
			return p
		}
	}
	return nil
}

// flush is pty_flush_buffer: the slave's output the master has not read
// goes. Called under the slave's lock.
func (p *Pair) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out = nil
	p.broadcast()
}
