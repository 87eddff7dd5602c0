package qemu

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Result describes a finished QEMU run.
type Result struct {
	Status   int           // QEMU's exit status; -1 if it was killed by a signal
	Output   string        // all serial output, '\r' removed
	Stderr   string        // QEMU's own messages (warnings, errors)
	Accel    string        // "kvm" or "tcg"
	Elapsed  time.Duration // wall time from start to exit
	TimedOut bool          // killed because Config.Timeout passed
}

// Code decodes an isa-debug-exit status: when the kernel writes code to
// port 0xf4, QEMU exits with status code<<1 | 1, so ok is true for odd
// statuses and code is Status>>1. Status 0 (ok false) means QEMU quit
// another way, for example a triple fault or reset under -no-reboot.
func (r Result) Code() (code int, ok bool) {
	if r.Status < 0 || r.Status&1 == 0 {
		return 0, false
	}
	return r.Status >> 1, true
}

// Tail returns the last n lines of Output.
func (r Result) Tail(n int) string { return tail(r.Output, n) }

// describe says how QEMU ended, for error messages.
func (r Result) describe() string {
	if code, ok := r.Code(); ok {
		return fmt.Sprintf("status %d (kernel exit code %d)", r.Status, code)
	}
	if r.Status == 0 {
		return "status 0 (triple fault, reset or shutdown without isa-debug-exit)"
	}
	return fmt.Sprintf("status %d", r.Status)
}

// LogTo returns a writer for Config.Log that passes each line to logf, for
// example a test's t.Logf. Call Wait or Kill before the test ends.
func LogTo(logf func(format string, args ...any)) io.Writer {
	return logfWriter(logf)
}

type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		f("%s", line)
	}
	return len(p), nil
}

// syncWriter serialises writes from the stdout and stderr goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Prefixed returns a writer for Config.Log that copies each line to w with
// prefix before it.
func Prefixed(w io.Writer, prefix string) io.Writer { return prefixWriter{prefix, w} }

// prefixWriter prefixes every line written to it; writes are whole lines.
type prefixWriter struct {
	prefix string
	w      io.Writer
}

func (p prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			out = append(append(out, p.prefix...), line...)
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
