package qemu

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBootMissingKernel(t *testing.T) {
	kernel := filepath.Join(t.TempDir(), "build", "sigil")
	m, err := Start(context.Background(), Config{Kernel: kernel, Accel: "tcg", Timeout: time.Second})
	if err == nil {
		m.Kill()
		t.Fatal("Start succeeded with a missing kernel")
	}
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), kernel) {
		t.Errorf("Start error = %v; want a not-exist error naming %s", err, kernel)
	}
	if _, err := Start(context.Background(), Config{}); err == nil || !strings.Contains(err.Error(), "Kernel") {
		t.Errorf("Start with no kernel: %v", err)
	}
	if _, err := Start(context.Background(), Config{Kernel: t.TempDir()}); err == nil {
		t.Error("Start with a directory as kernel succeeded")
	}
}

// fakeQEMUScript stands in for qemu-system-x86_64: it behaves as the
// -append word says, so the Machine plumbing is tested without QEMU.
const fakeQEMUScript = `#!/bin/sh
mode=
prev=
for a in "$@"; do
	[ "$prev" = -append ] && mode=$a
	prev=$a
done
case "$mode" in
fail) echo "qemu-system-x86_64: -device nope: 'nope' is not a valid device model name" >&2; exit 1 ;;
esac
printf 'sigil: banner\r\n'
case "$mode" in
exit3) printf 'sigil: bye\r\n'; exit 7 ;;
echo) printf 'sigil> '; read -r line; printf '\r\nsigil: got %s\r\n' "$line"; exit 1 ;;
args) for a in "$@"; do printf 'arg %s\n' "$a"; done; exit 1 ;;
hang) exec sleep 60 ;;
esac
exit 3
`

// fakeQEMU puts fakeQEMUScript first in $PATH and returns a kernel file.
func fakeQEMU(t *testing.T) (kernel string) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh:", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, Binary), []byte(fakeQEMUScript), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	kernel = filepath.Join(dir, "sigil")
	if err := os.WriteFile(kernel, []byte("not really a kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	return kernel
}

type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, args[0].(string))
}

func TestFakeRun(t *testing.T) {
	kernel := fakeQEMU(t)
	var log lineLog
	res, err := Run(context.Background(), Config{
		Kernel: kernel, Append: "exit3", Accel: "tcg", DebugExit: true,
		Timeout: 10 * time.Second, Log: LogTo(log.logf),
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, ok := res.Code(); res.Status != 7 || !ok || code != 3 {
		t.Errorf("Status %d, Code() = %d, %v; want 7, 3, true", res.Status, code, ok)
	}
	if want := "sigil: banner\nsigil: bye\n"; res.Output != want {
		t.Errorf("Output = %q; want %q", res.Output, want)
	}
	if want := []string{"sigil: banner", "sigil: bye"}; strings.Join(log.lines, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q; want %q", log.lines, want)
	}
	if res.Accel != "tcg" || res.TimedOut || res.Elapsed <= 0 {
		t.Errorf("Result = %+v", res)
	}
}

func TestFakeArgsPassed(t *testing.T) {
	kernel := fakeQEMU(t)
	res, err := Run(context.Background(), Config{Kernel: kernel, Append: "args", Accel: "tcg", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	want := "arg " + strings.Join(Args(Config{Kernel: kernel, Append: "args"}, "tcg", ""), "\narg ") + "\n"
	if got := strings.TrimPrefix(res.Output, "sigil: banner\n"); got != want {
		t.Errorf("QEMU got args\n%s\nwant\n%s", got, want)
	}
}

func TestFakeSerialAndPrompt(t *testing.T) {
	kernel := fakeQEMU(t)
	m, err := Start(context.Background(), Config{Kernel: kernel, Append: "echo", Accel: "tcg", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Kill()
	if line, err := m.WaitFor(regexp.MustCompile(`^sigil> $`), 5*time.Second); err != nil || line != "sigil> " {
		t.Fatalf("WaitFor(prompt) = %q, %v", line, err)
	}
	if err := m.WriteSerial([]byte("hello world\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitFor(regexp.MustCompile(`^sigil: got hello world$`), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// The banner was consumed by the first WaitFor.
	_, err = m.WaitFor(regexp.MustCompile(`banner`), 5*time.Second)
	if !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "kernel exit code 0") {
		t.Errorf("WaitFor after exit = %v; want ErrExited with the exit code", err)
	}
	if res, err := m.Wait(); err != nil || res.Status != 1 {
		t.Errorf("Wait = %d, %v; want 1, nil", res.Status, err)
	}
	if err := m.WriteSerial([]byte("x")); err == nil {
		t.Error("WriteSerial after exit succeeded")
	}
}

func TestFakeTimeout(t *testing.T) {
	kernel := fakeQEMU(t)
	m, err := Start(context.Background(), Config{Kernel: kernel, Append: "hang", Accel: "tcg", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Kill()
	_, err = m.WaitFor(regexp.MustCompile(`never`), 50*time.Millisecond)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "sigil: banner") {
		t.Errorf("WaitFor = %v; want ErrTimeout quoting the output", err)
	}
	_, err = m.WaitFor(regexp.MustCompile(`never`), 0)
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("WaitFor until the deadline = %v; want ErrTimeout", err)
	}
	res, err := m.Wait()
	if !errors.Is(err, ErrTimeout) || !res.TimedOut || res.Status != -1 {
		t.Errorf("Wait = %+v, %v; want TimedOut and ErrTimeout", res, err)
	}
}

func TestFakeKill(t *testing.T) {
	kernel := fakeQEMU(t)
	m, err := Start(context.Background(), Config{Kernel: kernel, Append: "hang", Accel: "tcg", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitFor(regexp.MustCompile(`^sigil: `), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	m.Kill()
	m.Kill()
	res, err := m.Wait()
	if err != nil || res.Status != -1 || res.TimedOut || res.Output != "sigil: banner\n" {
		t.Errorf("Wait after Kill = %+v, %v", res, err)
	}
}

func TestFakeContextCancel(t *testing.T) {
	kernel := fakeQEMU(t)
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Start(ctx, Config{Kernel: kernel, Append: "hang", Accel: "tcg"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := m.Wait(); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait after cancel: %v; want context.Canceled", err)
	}
}

func TestFakeQEMUFails(t *testing.T) {
	kernel := fakeQEMU(t)
	res, err := Run(context.Background(), Config{Kernel: kernel, Append: "fail", Accel: "tcg", DebugExit: true, Timeout: 10 * time.Second})
	// Status 1 would decode as exit code 0: Wait must not let that pass.
	if err == nil || !strings.Contains(err.Error(), "not a valid device model") {
		t.Errorf("Run = %+v, %v; want an error quoting QEMU's stderr", res, err)
	}
}
