package tty

import (
	"bytes"
	"testing"
	"time"

	"sigil/linux"
)

func TestCanonical(t *testing.T) {
	var out bytes.Buffer
	tt := New(&out)
	tt.Input([]byte("helo\x7flo\r"))
	if l, err := tt.ReadLine(time.Second); err != nil || l != "hello" {
		t.Errorf("line %q %v", l, err)
	}
	if got := out.String(); got != "helo\b \blo\r\n" {
		t.Errorf("echo %q", got)
	}
	tt.Input([]byte("junk\x15ok\n"))
	if l, _ := tt.ReadLine(time.Second); l != "ok" {
		t.Errorf("after ^U: %q", l)
	}
	// A short read takes part of a line; the rest follows.
	tt.Input([]byte("abcdef\n"))
	buf := make([]byte, 3)
	n, _ := tt.Read(buf, false, nil)
	m, _ := tt.Read(make([]byte, 10), false, nil)
	if n != 3 || m != 4 {
		t.Errorf("split read %d %d", n, m)
	}
	// Ctrl+D on an empty line is end of file: a zero read.
	tt.Input([]byte{4})
	if n, err := tt.Read(make([]byte, 10), false, nil); n != 0 || err != nil {
		t.Errorf("EOF read %d %v", n, err)
	}
}

func TestSignalsAndRaw(t *testing.T) {
	var out bytes.Buffer
	tt := New(&out)
	var got []byte
	tt.Signal = func(fg int32, c byte) { got = append(got, c) }
	tt.SetForeground(7, 1)
	tt.Input([]byte("abc\x03"))
	if string(got) != "\x03" || out.String() != "abc^C\r\n" {
		t.Errorf("signals %q echo %q", got, out.String())
	}
	if _, err := tt.Read(make([]byte, 10), true, nil); err != ErrWouldBlock {
		t.Error("interrupted line was delivered")
	}
	tm := tt.Termios()
	tm.Lflag &^= linux.ICANON | linux.ECHO | linux.ISIG
	tt.SetTermios(tm, false)
	tt.Input([]byte("x\x03"))
	buf := make([]byte, 10)
	if n, _ := tt.Read(buf, false, nil); string(buf[:n]) != "x\x03" {
		t.Errorf("raw read %q", buf[:n])
	}
	cancel := make(chan struct{})
	close(cancel)
	if _, err := tt.Read(buf, false, cancel); err != ErrInterrupted {
		t.Errorf("cancelled read: %v", err)
	}
}
