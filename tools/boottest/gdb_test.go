package boottest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigil/tools/qemu"
)

// TestGDB does what `make debug` + `make gdb` do, on a free port: QEMU
// starts halted with its gdbstub, GDB loads the kernel's symbols, sets a
// breakpoint on a Go function and must stop there with its source line.
func TestGDB(t *testing.T) {
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Fatal("gdb is missing: install it with `apt-get install -y gdb`")
	}
	port := freePort(t)
	m, err := qemu.Start(context.Background(), qemu.Config{
		Kernel:  kernel(t),
		Append:  "test=probe",
		Memory:  "128M",
		Accel:   "tcg", // software breakpoints through the gdbstub
		Extra:   []string{"-S", "-gdb", fmt.Sprintf("tcp:127.0.0.1:%d", port)},
		Timeout: bootTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gdb, "-q", "-batch", "-nx",
		"-ex", "set architecture i386:x86-64",
		"-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port),
		"-ex", "break sigil/selftest.Run",
		"-ex", "continue",
		"-ex", "info line *$pc",
		"-ex", "bt 3",
		filepath.Join(repoRoot(t), "build", "sigil"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gdb: %v\n%s", err, out)
	}
	s := string(out)
	t.Log(s)
	for _, want := range []string{"Breakpoint 1, sigil/selftest.Run", "selftest/selftest.go:", "main.main"} {
		if !strings.Contains(s, want) {
			t.Errorf("gdb output lacks %q", want)
		}
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
