package boottest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigil/tools/qemu"
)

// TestGDB does what `make debug` + `make gdb` do, on a free port: QEMU
// starts halted with its gdbstub, GDB loads the kernel's symbols, sets a
// breakpoint on a Go function and must stop there with its source line.
func TestGDB(t *testing.T) {
	gdb, port, m := startForGDB(t, qemu.Config{Kernel: kernel(t), Append: "test=probe"}, true)
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

// startForGDB finds gdb and boots cfg (at -m 128M, under TCG for the
// gdbstub's software breakpoints) with a gdbstub on a free port, halted
// at the first instruction if halted.
func startForGDB(t *testing.T, cfg qemu.Config, halted bool) (gdb string, port int, m *qemu.Machine) {
	t.Helper()
	gdb, err := exec.LookPath("gdb")
	if err != nil {
		t.Fatal("gdb is missing: install it with `apt-get install -y gdb`")
	}
	port = freePort(t)
	cfg.Memory, cfg.Accel, cfg.Timeout = "128M", "tcg", bootTimeout
	cfg.Extra = append(cfg.Extra, "-gdb", fmt.Sprintf("tcp:127.0.0.1:%d", port))
	if halted {
		cfg.Extra = append(cfg.Extra, "-S")
	}
	m, err = qemu.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return gdb, port, m
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestGDBCommands boots gdbstate (a SIGUSR1 handler and an alternate
// stack; SIGUSR2 and two SIGRTMIN+1 with values 111 and 222 pending and
// blocked; SIGPIPE ignored), attaches GDB once it says so (the machine
// stops wherever it is), and runs each of tools/gdb/sigil.py's commands;
// then stops in the timer's interrupt handler and decodes its frame there.
func TestGDBCommands(t *testing.T) {
	gdb, port, m := startForGDB(t, qemu.Config{Kernel: kernel(t), Initrd: initrd(t), Append: "init=/bin/gdbstate"}, false)
	defer m.Kill()
	ready, err := m.WaitFor(regexp.MustCompile(`gdbstate: ready pid 1 handler 0x([0-9a-f]+)`), time.Minute)
	if err != nil {
		t.Fatalf("gdbstate: %v\n%s", err, m.Output())
	}
	handler := regexp.MustCompile(`0x[0-9a-f]+$`).FindString(strings.TrimSpace(ready))
	root := repoRoot(t)
	// As make gdb: Go's runtime-gdb.py loaded too (from `go env GOROOT`).
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	args := []string{"-q", "-batch", "-nx",
		"-iex", "add-auto-load-safe-path " + filepath.Join(strings.TrimSpace(string(goroot)), "src", "runtime", "runtime-gdb.py"),
		"-ex", "set architecture i386:x86-64",
		"-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port),
		"-ex", "source " + filepath.Join(root, "tools", "gdb", "sigil.py")}
	// sigil-bt of the first kernel thread blocked in a futex wait.
	const kernelBt = "python gdb.execute('sigil-bt %d' % next(int(th['TID']) for i, th in kthreads()[0] " +
		"if int(th['State']) == const('sigil/sched.Blocked') and int(th['Wait']) == const('sigil/sched.WaitFutex')))"
	for _, c := range []string{"sigil-ps", "sigil-threads", "sigil-signals 1", "sigil-irqs",
		"sigil-frame $sigil_tf(1)", "sigil-dmesg", "sigil-maps 1", "help sigil-signals",
		"sigil-signals 99", "sigil-frame 0x10", "python print(decode_error(14, 0x6))",
		"sigil-bt 1", kernelBt, "sigil-bt 99",
		"break sigil/intr.apicTick", "continue", "sigil-frame -c c", "sigil-threads"} {
		args = append(args, "-ex", "echo === "+c+"\\n", "-ex", c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gdb, append(args, filepath.Join(root, "build", "sigil"))...).CombinedOutput()
	s := string(out)
	t.Log(s)
	if err != nil {
		t.Fatalf("gdb: %v", err)
	}
	section := func(c string) string {
		_, after, _ := strings.Cut(s, "=== "+c+"\n")
		before, _, _ := strings.Cut(after, "\n=== ")
		return before
	}
	for _, w := range []struct{ cmd, re string }{
		{"sigil-ps", `(?m)^ +1 +0 +1 +1 R +1 gdbstate$`},
		{"sigil-threads", `(?m)^ +0 +0 running +0(,\d+)* +\d+ `}, // idle: every idle CPU's
		{"sigil-threads", `(?m)^ +\d+ +\d+ blocked +- +\d+ 0xffffffff[0-9a-f]{8} 0x[0-9a-f]{16} \S+ \(wait futex\)$`},
		{"sigil-threads", `(?m)^ +1 +1 \S+ +0x[0-9a-f]{16} 0x00007fff[0-9a-f]{8} .* 0x[0-9a-f]{16} gdbstate$`},
		{"sigil-signals 1", `(?m)^  thread pending: 0000000000000800 SIGUSR2$`},
		{"sigil-signals 1", `(?m)^    std   signo 12 \(SIGUSR2\) code -6 pid 1 `},
		{"sigil-signals 1", `(?m)^  blocked: 0000000800000800 SIGUSR2 SIGRTMIN\+4$`},
		{"sigil-signals 1", `(?m)^    rt\[0\] signo 36 \(SIGRTMIN\+4\) code -1 pid 1 uid 0 value 111 `},
		{"sigil-signals 1", `(?m)^    rt\[1\] signo 36 \(SIGRTMIN\+4\) code -1 pid 1 uid 0 value 222 `},
		{"sigil-signals 1", `(?m)^ignored: 0000000000001000 SIGPIPE$`},
		{"sigil-signals 1", `(?m)^caught:  0000000000000200 SIGUSR1$`},
		{"sigil-signals 1", `(?m)^  SIGUSR1 +handler ` + regexp.QuoteMeta(handler) + ` flags SA_SIGINFO\|SA_RESTORER\|SA_ONSTACK\|SA_RESTART `},
		{"sigil-signals 1", `(?m)^  altstack: sp 0x[1-9a-f][0-9a-f]* size 16384 flags 0x0$`},
		{"sigil-irqs", `(?m)^ +0x40 lapic-timer +[1-9]\d*( +\d+)* +[1-9]\d* +\d+ +\d+ +\d+$`}, // a column per CPU
		{"sigil-irqs", `(?m)^ +0x100 syscall +[1-9]`},
		{"sigil-irqs", `(?m)^spurious: pic-irq7 \d+(/\d+)* pic-irq15 \d+(/\d+)* lapic \d+`},
		{"sigil-irqs", `(?m)^controller: apic, timer one-shot at 1000 Hz$`},
		{"sigil-irqs", `(?m)^ +4 +0x34 IO-APIC +tty\.\S+ +\d+ +\d+ ttyS0$`},
		{"sigil-irqs", `(?m)^ +1 +0x31 IO-APIC +ps2\.Interrupt +\d+ +0 i8042$`},
		{"sigil-irqs", `(?m)^storms: 0 line\(s\) disabled$`},
		{"sigil-bt 1", `(?m)^user thread 1 \(pid 1, gdbstate\), in the kernel: its goroutine serves it \(info goroutines\); saved user frame at 0x[0-9a-f]+ \(vector 256\):$`},
		{"sigil-bt 1", `(?m)^#0  0x0000000000[0-9a-f]{6} \(user\)$`},
		{kernelBt, `(?m)^kernel thread 419\d{4} \(slot \d+\), saved frame at 0x[0-9a-f]+:$`},
		{kernelBt, `(?m)^#0  0xffffffff[0-9a-f]{8} in (internal/runtime/syscall/linux\.Syscall6|runtime\.futex) \(\S+\.s:\d+\)$`},
		{kernelBt, `(?m)^#[1-9]\d* +0xffffffff[0-9a-f]{8} in \S+ \(\S+\.go:\d+\)`},
		{"sigil-bt 99", `sigil: no thread 99`},
		{"sigil-frame $sigil_tf(1)", `(?m)^vector 256 \(0x100\) syscall  error 0x0$`},
		{"sigil-frame $sigil_tf(1)", `(?m)^CPL 3 \(user\)  cs 0x33 `},
		{"sigil-dmesg", `(?m)^\[    0\.000000\] Sigil booting \(PVH entry\)$`},
		{"sigil-dmesg", `(?m)^\[ +\d+\.\d{6}\] command line: "init=/bin/gdbstate"$`},
		{"sigil-maps 1", `(?m)^00400000-00401000 r--p 00000000 \S+ \d+ +/bin/gdbstate$`},
		{"sigil-maps 1", `(?m)^0040[0-9a-f]{4}-[0-9a-f]{8} r-xp .* /bin/gdbstate$`},
		{"sigil-maps 1", `(?m)^7ffff[0-9a-f]+-7ffffffff000 rw-p .* \[stack\]  \(growsdown`},
		{"help sigil-signals", `Show a process's signal state: sigil-signals PID`},
		{"sigil-signals 99", `sigil: no process 99`},
		{"sigil-frame 0x10", `sigil: cannot read 176 bytes at 0x10`},
		{"python print(decode_error(14, 0x6))", `(?m)^0x6 \[W U\] \(user write, not present\)$`},
		{"continue", `Breakpoint 1, sigil/intr.apicTick`},
		{"sigil-frame -c c", `(?m)^vector 64 \(0x40\) lapic-timer  error 0x0$`},
		{"sigil-frame -c c", `(?m)^CPL [03] `},
		{"sigil-threads", `(?m)^user threads \(task\):$`},
	} {
		if !regexp.MustCompile(w.re).MatchString(section(w.cmd)) {
			t.Errorf("%s: output lacks %s", w.cmd, w.re)
		}
	}
}

// TestGDBStorm: sigil-irqs shows a line disabled as a storm. The storm
// self-test's machine (COM2 holding IRQ 3 asserted) stops where the line
// has just been disabled (intr.disableStorm returned).
func TestGDBStorm(t *testing.T) {
	gdb, port, m := startForGDB(t, qemu.Config{Kernel: kernel(t), Append: "test=storm",
		Extra: []string{"-serial", "null"}}, true)
	defer m.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gdb, "-q", "-batch", "-nx",
		"-ex", "set architecture i386:x86-64",
		"-ex", fmt.Sprintf("target remote 127.0.0.1:%d", port),
		"-ex", "source "+filepath.Join(repoRoot(t), "tools", "gdb", "sigil.py"),
		"-ex", "break sigil/intr.disableStorm",
		"-ex", "continue",
		// Gone before finish: a busy host once saw finish report the
		// same breakpoint again, with the function not yet run.
		"-ex", "delete",
		"-ex", "finish",
		"-ex", "sigil-irqs",
		filepath.Join(repoRoot(t), "build", "sigil")).CombinedOutput()
	s := string(out)
	t.Log(s)
	if err != nil {
		t.Fatalf("gdb: %v", err)
	}
	for _, re := range []string{
		`(?m)^ +3 +0x33 IO-APIC +\S+ +\d+ +[1-9]\d* ttyS1  DISABLED \(storm\)$`,
		`(?m)^storms: 1 line\(s\) disabled$`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("sigil-irqs lacks %s", re)
		}
	}
}
