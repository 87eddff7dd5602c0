package tty

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sigil/linux"
)

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLineDiscipline runs the n_tty table: each case's keystrokes, typed
// one call at a time, must echo, read and signal as Linux does.
func TestLineDiscipline(t *testing.T) {
	for _, c := range nttyCases {
		var out bytes.Buffer
		tt := New(&out)
		tt.SetForeground(7, 1)
		tm := tt.Termios()
		if c.set != nil {
			c.set(&tm)
		}
		tt.SetTermios(tm, false)
		tt.Write([]byte(c.write), false, nil)
		var sigs []string
		for i := 0; i < len(c.in); i++ {
			tt.Input([]byte{c.in[i]}, func(sig linux.Signal, pgrp int32) {
				if pgrp != 7 {
					t.Errorf("%s: signal to group %d", c.name, pgrp)
				}
				sigs = append(sigs, strings.TrimPrefix(sig.Name(), "SIG"))
			})
		}
		var reads []string
		buf := make([]byte, 4096)
		for {
			n, err := tt.Read(buf, true, nil)
			if err != nil {
				break
			}
			reads = append(reads, string(buf[:n]))
		}
		if out.String() != c.echo || !equal(reads, c.reads) || strings.Join(sigs, " ") != c.sigs {
			t.Errorf("%s: echo %q reads %q signals %q; want %q %q %q", c.name, out.String(), reads, sigs, c.echo, c.reads, c.sigs)
		}
	}
}

func TestShortReadAndCancel(t *testing.T) {
	tt := New(new(bytes.Buffer))
	tt.Input([]byte("abcdef\n"), nil)
	n, _ := tt.Read(make([]byte, 3), false, nil)
	m, _ := tt.Read(make([]byte, 10), false, nil)
	if n != 3 || m != 4 {
		t.Errorf("split read %d %d", n, m)
	}
	cancel := make(chan struct{})
	close(cancel)
	if _, err := tt.Read(make([]byte, 10), false, cancel); err != ErrInterrupted {
		t.Errorf("cancelled read: %v", err)
	}
	if l, err := tt.ReadLine(10 * time.Millisecond); err != ErrTimeout {
		t.Errorf("ReadLine with no input: %q %v", l, err)
	}
}

// TestVMINVTIME follows n_tty_read's non-canonical cases.
func TestVMINVTIME(t *testing.T) {
	raw := func(vmin, vtime byte) *TTY {
		tt := New(new(bytes.Buffer))
		tm := tt.Termios()
		tm.Lflag &^= linux.ICANON | linux.ECHO
		tm.Cc[linux.VMIN], tm.Cc[linux.VTIME] = vmin, vtime
		tt.SetTermios(tm, false)
		return tt
	}
	buf := make([]byte, 10)
	// VMIN 3: a read waits for three bytes.
	tt := raw(3, 0)
	tt.Input([]byte("ab"), nil)
	if ok, _ := tt.Readable(); ok {
		t.Error("VMIN 3 with 2 bytes readable")
	}
	done := make(chan int)
	go func() { n, _ := tt.Read(buf, false, nil); done <- n }()
	time.Sleep(20 * time.Millisecond)
	tt.Input([]byte("c"), nil)
	if n := <-done; n != 3 {
		t.Errorf("VMIN 3 read %d", n)
	}
	// VMIN 0, VTIME 1: nothing typed, the read returns 0 after 0.1 s.
	tt = raw(0, 1)
	start := time.Now()
	if n, err := tt.Read(buf, false, nil); n != 0 || err != nil || time.Since(start) < 100*time.Millisecond {
		t.Errorf("VMIN 0 VTIME 1: %d %v after %v", n, err, time.Since(start))
	}
	// VMIN 0, VTIME 0: a poll.
	tt = raw(0, 0)
	if n, err := tt.Read(buf, false, nil); n != 0 || err != nil {
		t.Errorf("VMIN 0 VTIME 0: %d %v", n, err)
	}
	// VMIN 5, VTIME 1: two bytes, then the inter-byte timer ends the read.
	tt = raw(5, 1)
	tt.Input([]byte("xy"), nil)
	if n, _ := tt.Read(buf, false, nil); n != 2 {
		t.Errorf("VMIN 5 VTIME 1: %d", n)
	}
}

// TestStopStart: VSTOP holds program output until VSTART; a signal
// character restarts it too (n_tty_receive_signal_char), and with IXANY
// any key does.
func TestStopStart(t *testing.T) {
	for _, c := range []struct {
		name    string
		restart string
		ixany   bool
	}{{"vstart", "\x11", false}, {"intr", "\x03", false}, {"ixany", "z", true}} {
		var out bytes.Buffer
		tt := New(&out)
		if c.ixany {
			tm := tt.Termios()
			tm.Iflag |= linux.IXANY
			tt.SetTermios(tm, false)
		}
		tt.Input([]byte{0x13}, nil)
		if ok, _ := tt.Writable(); ok {
			t.Errorf("%s: writable after ^S", c.name)
		}
		if _, err := tt.Write([]byte("x"), true, nil); err != ErrWouldBlock {
			t.Errorf("%s: non-blocking write to a stopped terminal: %v", c.name, err)
		}
		done := make(chan struct{})
		go func() { tt.Write([]byte("out"), false, nil); close(done) }()
		select {
		case <-done:
			t.Errorf("%s: write went through a stopped terminal", c.name)
		case <-time.After(20 * time.Millisecond):
		}
		tt.Input([]byte(c.restart), nil)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: output not restarted", c.name)
		}
		if !strings.Contains(out.String(), "out") {
			t.Errorf("%s: output %q", c.name, out.String())
		}
	}
}

// FuzzInput types arbitrary bytes under arbitrary flags: the terminal
// must neither panic nor lose its invariants.
func FuzzInput(f *testing.F) {
	f.Add([]byte("ab\x7f\x17\x15\x16\x03\n\x04"), uint32(0), uint32(0))
	f.Fuzz(func(t *testing.T, in []byte, lflagOff, iflagOn uint32) {
		tt := New(new(bytes.Buffer))
		tm := tt.Termios()
		tm.Lflag &^= lflagOff
		tm.Iflag |= iflagOn &^ linux.IXON
		tm.Iflag &^= linux.IXON
		tt.SetTermios(tm, false)
		tt.Input(in, func(linux.Signal, int32) {})
		buf := make([]byte, 64)
		total := 0
		for i := 0; i < len(in)+2; i++ {
			n, err := tt.Read(buf, true, nil)
			if err != nil {
				break
			}
			total += n
		}
		if total > 2*len(in) { // PARMRK doubles \377
			t.Errorf("read %d bytes from %d typed", total, len(in))
		}
	})
}
