package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

var (
	// ErrTimeout is wrapped by errors from WaitFor and Wait when a deadline
	// passed.
	ErrTimeout = errors.New("timed out")
	// ErrExited is wrapped by WaitFor's error when QEMU exited before a
	// matching line appeared.
	ErrExited = errors.New("QEMU exited")

	errKilled = errors.New("killed by Machine.Kill")
)

const (
	tailLines     = 25                    // lines of output quoted in errors
	keyHold       = 30 * time.Millisecond // send-key hold-time per key event
	serialTimeout = 10 * time.Second      // bound on one WriteSerial
	drainTimeout  = 2 * time.Second       // wait for serial EOF after QEMU exits
)

// Machine is a running QEMU. Call Wait or Kill when done with it, so its
// output goroutines stop and its temporary files are removed.
type Machine struct {
	cfg     Config
	accel   string
	cmd     *exec.Cmd
	stdin   *os.File // COM1 input
	con     *console // COM1 output
	errs    *console // QEMU's stderr
	ctx     context.Context
	cancel  context.CancelCauseFunc
	tmpDir  string
	started time.Time

	mu     sync.Mutex
	qmp    *qmpClient
	exited bool // QEMU is gone; set by wait

	done   chan struct{} // closed once QEMU has exited and output is drained
	result Result
	err    error
}

// Start boots cfg.Kernel in QEMU and returns once the process runs (and,
// with cfg.QMP, once QMP is connected). It fails with a clear error if the
// kernel or initrd does not exist or QEMU is not installed (ErrNoQEMU).
func Start(ctx context.Context, cfg Config) (*Machine, error) {
	if cfg.Kernel == "" {
		return nil, errors.New("qemu: Config.Kernel is empty")
	}
	if cfg.CPUs == 0 {
		cfg.CPUs = DefaultCPUs()
	}
	if err := checkFile("kernel", cfg.Kernel); err != nil {
		return nil, err
	}
	if cfg.Initrd != "" {
		if err := checkFile("initrd", cfg.Initrd); err != nil {
			return nil, err
		}
	}
	bin, err := LookPath()
	if err != nil {
		return nil, err
	}
	accel, err := ResolveAccel(cfg.Accel, cfg.Kernel)
	if err != nil {
		return nil, err
	}

	var log io.Writer
	if cfg.Log != nil {
		log = &syncWriter{w: cfg.Log}
	}
	m := &Machine{
		cfg:   cfg,
		accel: accel,
		con:   newConsole(log),
		done:  make(chan struct{}),
	}
	if log != nil {
		m.errs = newConsole(prefixWriter{"qemu stderr: ", log})
	} else {
		m.errs = newConsole(nil)
	}

	var sock string
	if cfg.QMP {
		// A short path of our own: unix socket paths are limited to 108 bytes.
		if m.tmpDir, err = os.MkdirTemp("", "sigil-qemu-"); err != nil {
			return nil, fmt.Errorf("qemu: %w", err)
		}
		sock = filepath.Join(m.tmpDir, "qmp.sock")
	}
	var files []*os.File // to close if Start fails
	fail := func(err error) (*Machine, error) {
		for _, f := range files {
			f.Close()
		}
		if m.tmpDir != "" {
			os.RemoveAll(m.tmpDir)
		}
		return nil, fmt.Errorf("qemu: %w", err)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	files = append(files, inR, inW)
	outR, outW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	files = append(files, outR, outW)

	var cancel context.CancelCauseFunc
	m.ctx, cancel = context.WithCancelCause(ctx)
	m.cancel = cancel
	if cfg.Timeout > 0 {
		var stop context.CancelFunc
		m.ctx, stop = context.WithTimeoutCause(m.ctx, cfg.Timeout, ErrTimeout)
		m.cancel = func(cause error) { cancel(cause); stop() }
	}
	m.cmd = exec.CommandContext(m.ctx, bin, Args(cfg, accel, sock)...)
	m.cmd.Stdin = inR
	m.cmd.Stdout = outW
	m.cmd.Stderr = m.errs
	m.cmd.WaitDelay = time.Second
	m.started = time.Now()
	if err := m.cmd.Start(); err != nil {
		m.cancel(nil)
		return fail(err)
	}
	inR.Close()
	outW.Close()
	m.stdin = inW

	drained := make(chan struct{})
	go func() {
		io.Copy(m.con, outR)
		m.con.close()
		close(drained)
	}()
	go m.wait(outR, drained)

	if cfg.QMP {
		q, err := dialQMP(sock, qmpTimeout, m.done)
		if err != nil {
			m.Kill()
			return nil, fmt.Errorf("%w%s", err, m.stderrNote())
		}
		m.mu.Lock()
		if m.exited {
			q.close()
		} else {
			m.qmp = q
		}
		m.mu.Unlock()
	}
	return m, nil
}

// Run starts a machine and waits for it to exit.
func Run(ctx context.Context, cfg Config) (Result, error) {
	m, err := Start(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	return m.Wait()
}

func checkFile(what, path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("qemu: %s %q does not exist (not built yet?): %w", what, path, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("qemu: %s: %w", what, err)
	case st.IsDir():
		return fmt.Errorf("qemu: %s %q is a directory", what, path)
	}
	return nil
}

// wait reaps QEMU, drains its output and records the Result.
func (m *Machine) wait(outR *os.File, drained <-chan struct{}) {
	m.cmd.Wait()
	select {
	case <-drained:
	case <-time.After(drainTimeout):
		// Something else still holds the pipe open; stop reading.
		outR.Close()
		<-drained
	}
	outR.Close()
	m.stdin.Close()
	m.errs.close()
	m.mu.Lock()
	m.exited = true
	if m.qmp != nil {
		m.qmp.close()
	}
	m.mu.Unlock()
	if m.tmpDir != "" {
		os.RemoveAll(m.tmpDir)
	}
	cause := context.Cause(m.ctx)
	m.cancel(nil)

	st := m.cmd.ProcessState
	r := Result{
		Status:  st.ExitCode(),
		Output:  m.con.String(),
		Stderr:  m.errs.String(),
		Accel:   m.accel,
		Elapsed: time.Since(m.started),
	}
	switch {
	case st.Exited():
		if r.Status != 0 && r.Output == "" && strings.TrimSpace(r.Stderr) != "" {
			m.err = fmt.Errorf("qemu: exited with status %d before the kernel printed anything:\n%s", r.Status, tail(r.Stderr, tailLines))
		}
	case cause == ErrTimeout:
		r.TimedOut = true
		m.err = fmt.Errorf("qemu: %w: killed after %v; last output:\n%s", ErrTimeout, m.cfg.Timeout, r.Tail(tailLines))
	case cause == errKilled:
	case cause != nil:
		m.err = fmt.Errorf("qemu: stopped: %w", cause)
	default:
		m.err = fmt.Errorf("qemu: %v%s", st, m.stderrNote())
	}
	m.result = r
	close(m.done)
}

// stderrNote returns QEMU's stderr so far, formatted for an error message.
func (m *Machine) stderrNote() string {
	s := strings.TrimSpace(m.errs.tail(tailLines))
	if s == "" {
		return ""
	}
	return "\nqemu stderr:\n" + s
}

// Wait waits for QEMU to exit, at most until Config.Timeout, and returns
// the result. Any exit status is a normal exit (see Result.Code); the error
// is non-nil if QEMU timed out (wrapping ErrTimeout), was stopped by its
// context or a signal, or failed before the kernel printed anything.
// After Kill, Wait returns a nil error. Wait may be called more than once.
func (m *Machine) Wait() (Result, error) {
	<-m.done
	return m.result, m.err
}

// Kill stops QEMU at once and waits until its output has been collected.
// It is safe to call at any time and more than once; defer it after Start.
func (m *Machine) Kill() {
	m.cancel(errKilled)
	<-m.done
}

// Accel returns the accelerator QEMU runs with: "kvm" or "tcg".
func (m *Machine) Accel() string { return m.accel }

// Output returns the serial output so far, with '\r' removed.
func (m *Machine) Output() string { return m.con.String() }

// WaitFor waits up to timeout (0: until QEMU exits) for a serial line
// matching re and returns it. Lines that arrived before the call count,
// except those consumed by earlier WaitFor calls: a match consumes its line
// and every line before it, so successive calls walk forward through the
// output. An unterminated last line, such as a shell prompt, can match once
// output has been quiet for 100ms. On timeout or exit the error wraps
// ErrTimeout or ErrExited and quotes the end of the output.
func (m *Machine) WaitFor(re *regexp.Regexp, timeout time.Duration) (string, error) {
	line, why := m.con.waitFor(re, timeout)
	switch why {
	case matched:
		return line, nil
	case timedOut:
		return "", fmt.Errorf("qemu: no line matching %q: %w after %v; last output:\n%s",
			re, ErrTimeout, timeout, m.con.tail(tailLines))
	}
	// Output ended: QEMU is exiting or gone.
	select {
	case <-m.done:
	case <-time.After(drainTimeout):
		return "", fmt.Errorf("qemu: no line matching %q: serial output closed; last output:\n%s",
			re, m.con.tail(tailLines))
	}
	r := m.result
	if r.TimedOut {
		return "", fmt.Errorf("qemu: no line matching %q: %w: QEMU killed after %v; last output:\n%s",
			re, ErrTimeout, m.cfg.Timeout, r.Tail(tailLines))
	}
	return "", fmt.Errorf("qemu: no line matching %q: %w with %s; last output:\n%s%s",
		re, ErrExited, r.describe(), r.Tail(tailLines), m.stderrNote())
}

// WriteSerial sends b to the guest's COM1 input. QEMU passes bytes on only
// as fast as the emulated UART accepts them, and bytes sent before the
// kernel has set up COM1 may be lost, so wait for a ready line first.
func (m *Machine) WriteSerial(b []byte) error {
	m.stdin.SetWriteDeadline(time.Now().Add(serialTimeout))
	if _, err := m.stdin.Write(b); err != nil {
		return fmt.Errorf("qemu: serial write: %w", err)
	}
	return nil
}

// QMP runs a QMP command and returns its "return" value; args is
// marshalled to the "arguments" object and may be nil. Config.QMP must be
// set.
func (m *Machine) QMP(command string, args any) (json.RawMessage, error) {
	m.mu.Lock()
	q := m.qmp
	m.mu.Unlock()
	if q == nil {
		return nil, errors.New("qemu: QMP is not enabled (set Config.QMP)")
	}
	return q.execute(command, args)
}

// SendKeys presses the keys (QEMU qcodes such as "ctrl", "c", "ret",
// "shift") together as one chord on the PS/2 keyboard, then releases them
// in reverse order. It returns once the events have been delivered to the
// emulated keyboard. Config.QMP must be set.
func (m *Machine) SendKeys(keys ...string) error {
	type keyValue struct {
		Type string `json:"type"`
		Data string `json:"data"`
	}
	kv := make([]keyValue, len(keys))
	for i, k := range keys {
		kv[i] = keyValue{"qcode", k}
	}
	args := map[string]any{"keys": kv, "hold-time": keyHold.Milliseconds()}
	if _, err := m.QMP("send-key", args); err != nil {
		return err
	}
	// QEMU queues the events and plays them back keyHold apart. Waiting
	// for them keeps its bounded input queue short.
	time.Sleep(time.Duration(2*len(keys)+1) * keyHold)
	return nil
}

// TypeText types s on a US-layout PS/2 keyboard, one SendKeys chord per
// character: shift is held for upper case and shifted symbols, and '\n' is
// "ret" ('\t' tab, '\b' backspace, ESC esc). A character with no key is an
// error before anything is typed.
func (m *Machine) TypeText(s string) error {
	chords, err := textChords(s)
	if err != nil {
		return err
	}
	for _, c := range chords {
		if err := m.SendKeys(c...); err != nil {
			return err
		}
	}
	return nil
}
