package qemu

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConsoleLines(t *testing.T) {
	var log strings.Builder
	c := newConsole(&log)
	for _, chunk := range []string{"sig", "il: a\r", "\nb", "\r\n", "\r\n", "c"} {
		c.Write([]byte(chunk))
	}
	if want := []string{"sigil: a", "b", ""}; !slices.Equal(c.lines, want) {
		t.Errorf("lines = %q; want %q", c.lines, want)
	}
	if got, want := c.String(), "sigil: a\nb\n\nc"; got != want {
		t.Errorf("String = %q; want %q", got, want)
	}
	if got, want := log.String(), "sigil: a\nb\n\n"; got != want {
		t.Errorf("log = %q; want %q (whole lines only)", got, want)
	}
	c.close()
	if got, want := log.String(), "sigil: a\nb\n\nc\n"; got != want {
		t.Errorf("log after close = %q; want %q", got, want)
	}
}

func TestConsoleWaitFor(t *testing.T) {
	c := newConsole(nil)
	c.Write([]byte("one\ntwo\nthree\n"))
	re := regexp.MustCompile

	if line, why := c.waitFor(re(`^t`), time.Second); why != matched || line != "two" {
		t.Fatalf("waitFor(^t) = %q, %v; want two", line, why)
	}
	if line, why := c.waitFor(re(`one`), 50*time.Millisecond); why != timedOut {
		t.Fatalf("waitFor(one) = %q, %v; want timeout (line consumed)", line, why)
	}
	if line, why := c.waitFor(re(`^t`), time.Second); why != matched || line != "three" {
		t.Fatalf("second waitFor(^t) = %q, %v; want three", line, why)
	}

	go func() {
		time.Sleep(20 * time.Millisecond)
		c.Write([]byte("fo"))
		time.Sleep(20 * time.Millisecond)
		c.Write([]byte("ur\n"))
	}()
	if line, why := c.waitFor(re(`^four$`), 5*time.Second); why != matched || line != "four" {
		t.Fatalf("waitFor(four) = %q, %v", line, why)
	}

	c.close()
	if line, why := c.waitFor(re(`five`), 5*time.Second); why != ended {
		t.Fatalf("waitFor after close = %q, %v; want ended", line, why)
	}
}

func TestConsolePrompt(t *testing.T) {
	c := newConsole(nil)
	c.Write([]byte("sigil: banner\r\nsigil> "))
	start := time.Now()
	line, why := c.waitFor(regexp.MustCompile(`^sigil> $`), 5*time.Second)
	if why != matched || line != "sigil> " {
		t.Fatalf("waitFor(prompt) = %q, %v", line, why)
	}
	if d := time.Since(start); d < promptIdle/2 {
		t.Errorf("prompt matched after %v; want a quiet period first", d)
	}
	// The prompt's line, once complete, stays consumed.
	c.Write([]byte("ls\r\nsigil> "))
	if line, why := c.waitFor(regexp.MustCompile(`^sigil> ls`), 300*time.Millisecond); why != timedOut {
		t.Fatalf("waitFor(consumed line) = %q, %v; want timeout", line, why)
	}
	if line, why := c.waitFor(regexp.MustCompile(`^sigil> $`), 5*time.Second); why != matched {
		t.Fatalf("waitFor(second prompt) = %q, %v", line, why)
	}
}

func TestConsolePartialAtEnd(t *testing.T) {
	c := newConsole(nil)
	c.Write([]byte("panic: no newline"))
	c.close()
	if line, why := c.waitFor(regexp.MustCompile(`^panic`), 0); why != matched || line != "panic: no newline" {
		t.Fatalf("waitFor = %q, %v", line, why)
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 2, "b\nc"},
		{"a\nb\nc\n", 5, "a\nb\nc"},
		{"a\n", 0, ""},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := tail(tt.s, tt.n); got != tt.want {
			t.Errorf("tail(%q, %d) = %q; want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestLogWriters(t *testing.T) {
	var mu sync.Mutex
	var got []string
	w := LogTo(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, strings.TrimSpace(format+" "+args[0].(string)))
	})
	prefixWriter{"qemu stderr: ", w}.Write([]byte("one\ntwo\n"))
	want := []string{"%s qemu stderr: one", "%s qemu stderr: two"}
	if !slices.Equal(got, want) {
		t.Errorf("logged %q; want %q", got, want)
	}
}

func TestResultCode(t *testing.T) {
	tests := []struct {
		status, code int
		ok           bool
	}{
		{1, 0, true},
		{7, 3, true},
		{255, 127, true},
		{0, 0, false}, // triple fault under -no-reboot
		{2, 0, false},
		{-1, 0, false}, // killed
	}
	for _, tt := range tests {
		code, ok := Result{Status: tt.status}.Code()
		if code != tt.code || ok != tt.ok {
			t.Errorf("Result{Status: %d}.Code() = %d, %v; want %d, %v", tt.status, code, ok, tt.code, tt.ok)
		}
	}
}
