package tty

import (
	"bytes"
	"testing"
	"time"
)

func TestLineEditing(t *testing.T) {
	var echo bytes.Buffer
	tt := New(&echo)
	controls := func() (b []byte) {
		for {
			select {
			case c := <-tt.Controls():
				b = append(b, c)
			default:
				return b
			}
		}
	}
	tt.Input([]byte("helo\x7flo\r"))
	if l, err := tt.ReadLine(time.Second); err != nil || l != "hello" {
		t.Errorf("line %q %v", l, err)
	}
	if got := echo.String(); got != "helo\b \blo\n" {
		t.Errorf("echo %q", got)
	}
	tt.Input([]byte("junk\x15ok\n"))
	if l, _ := tt.ReadLine(time.Second); l != "ok" {
		t.Errorf("after ^U: %q", l)
	}
	echo.Reset()
	tt.Input([]byte("abc\x03"))
	if c := controls(); string(c) != "\x03" || echo.String() != "abc^C\n" {
		t.Errorf("controls %q echo %q", c, echo.String())
	}
	tt.Input([]byte("\x1c\x1a"))
	if c := controls(); string(c) != "\x1c\x1a" {
		t.Errorf("controls %q", c)
	}
	if _, err := tt.ReadLine(10 * time.Millisecond); err != ErrTimeout {
		t.Error("interrupted line was delivered")
	}
}
