package qemu

import (
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// promptIdle is how long the output must be quiet before an unterminated
// last line (such as a shell prompt) may be matched by WaitFor.
const promptIdle = 100 * time.Millisecond

// console collects serial output. It splits it into lines ('\r' removed),
// keeps all of it, copies complete lines to an optional log, and lets
// waiters block until something new arrives.
type console struct {
	log io.Writer // may be nil; written to only by the goroutine calling Write/close

	mu      sync.Mutex
	lines   []string      // complete lines
	partial []byte        // unterminated last line
	last    time.Time     // when output last arrived
	closed  bool          // no more output will come
	changed chan struct{} // closed and replaced on every change
	cursor  int           // index of the first line WaitFor has not consumed
}

func newConsole(log io.Writer) *console {
	return &console{log: log, changed: make(chan struct{})}
}

// Write records serial output. It never fails.
func (c *console) Write(p []byte) (int, error) {
	var done []byte // complete lines for the log
	c.mu.Lock()
	for _, b := range p {
		switch b {
		case '\r':
		case '\n':
			c.lines = append(c.lines, string(c.partial))
			if c.log != nil {
				done = append(append(done, c.partial...), '\n')
			}
			c.partial = c.partial[:0]
		default:
			c.partial = append(c.partial, b)
		}
	}
	c.last = time.Now()
	c.notifyLocked()
	c.mu.Unlock()
	if len(done) > 0 {
		c.log.Write(done)
	}
	return len(p), nil
}

// close marks the end of output and flushes an unterminated last line to
// the log.
func (c *console) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	rest := string(c.partial)
	c.notifyLocked()
	c.mu.Unlock()
	if c.log != nil && rest != "" {
		io.WriteString(c.log, rest+"\n")
	}
}

func (c *console) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// String returns all output so far: lines joined by '\n', each complete
// line newline-terminated, followed by any unterminated last line.
func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, l := range c.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.Write(c.partial)
	return b.String()
}

// tail returns the last n lines of output, including an unterminated one.
func (c *console) tail(n int) string {
	return tail(c.String(), n)
}

// waitResult says why waitFor returned.
type waitResult int

const (
	matched waitResult = iota
	timedOut
	ended
)

// waitFor waits until a line matching re appears at or after the cursor
// and consumes everything up to and including it. Lines seen before the
// call count. An unterminated last line matches once output has been quiet
// for promptIdle (or has ended); the line it becomes is then consumed too.
// timeout <= 0 means wait until output ends.
func (c *console) waitFor(re *regexp.Regexp, timeout time.Duration) (string, waitResult) {
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	for {
		var idle *time.Timer
		c.mu.Lock()
		for i := c.cursor; i < len(c.lines); i++ {
			if re.MatchString(c.lines[i]) {
				c.cursor = i + 1
				c.mu.Unlock()
				return c.lines[i], matched
			}
		}
		if len(c.partial) > 0 && c.cursor <= len(c.lines) {
			quiet := time.Since(c.last)
			if c.closed || quiet >= promptIdle {
				if re.Match(c.partial) {
					line := string(c.partial)
					c.cursor = len(c.lines) + 1
					c.mu.Unlock()
					return line, matched
				}
			} else {
				idle = time.NewTimer(promptIdle - quiet)
			}
		}
		if c.closed {
			c.mu.Unlock()
			return "", ended
		}
		changed := c.changed
		c.mu.Unlock()

		var idleC <-chan time.Time
		if idle != nil {
			idleC = idle.C
		}
		select {
		case <-changed:
		case <-idleC:
		case <-deadline:
			return "", timedOut
		}
		if idle != nil {
			idle.Stop()
		}
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" || n <= 0 {
		return ""
	}
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		i = strings.LastIndexByte(s[:i], '\n')
		if i < 0 {
			return s
		}
	}
	return s[i+1:]
}
