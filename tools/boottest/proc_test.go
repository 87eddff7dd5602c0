package boottest

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigil/tools/qemu"
)

func initrd(t *testing.T) string { t.Helper(); return built(t, "initrd.cpio") }

// bootInit boots with the initrd and init=prog; PID 1's exit code is the
// machine's.
// runProgram boots init=/bin/PROG (with its arguments, if any), a test
// program built on user/c/include/check.h: it must exit 0, print each of
// wants, and print no FAILED line.
func runProgram(t *testing.T, prog string, wants ...string) qemu.Result {
	t.Helper()
	res := bootInit(t, "init=/bin/"+prog)
	wantCode(t, res, 0)
	wantLines(t, res.Output, wants...)
	wantNoFailures(t, res.Output)
	return res
}

// wantNoFailures reports each FAILED line a test program printed.
func wantNoFailures(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "FAILED") {
			t.Error(l)
		}
	}
}

func bootInit(t *testing.T, cmdline string) qemu.Result {
	t.Helper()
	res, err := qemu.Run(context.Background(), qemu.Config{
		Kernel: kernel(t), Initrd: initrd(t), Append: cmdline, Memory: "256M",
		DebugExit: true, Timeout: bootTimeout,
	})
	if err != nil {
		t.Fatalf("boot %q: %v\n%s", cmdline, err, res.Tail(40))
	}
	t.Logf("boot %q (%s) took %v", cmdline, res.Accel, res.Elapsed.Round(time.Millisecond))
	return res
}

// TestUserPrograms: static musl C (ET_EXEC and static-PIE) and static Go
// programs run as PID 1 and exit with the code they choose, which becomes
// QEMU's exit status.
func TestUserPrograms(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/hello "+m.append)
			wantCode(t, res, 7)
			wantLines(t, res.Output, `(?m)^hello from musl: pid 1, exiting with 7$`)

			res = bootInit(t, "init=/bin/hello-pie "+m.append)
			wantCode(t, res, 7)

			res = bootInit(t, "init=/bin/hello-go "+m.append)
			wantCode(t, res, 42)
			wantLines(t, res.Output,
				`(?m)^hello from Go: pid 1, goroutines sum 4950, slept \d+ms, motd "Welcome to Sigil.\\n"$`,
				`(?m)^hello-go: child said "hello from musl: pid \d+, exiting with 5\\n" and exited with 5$`,
				`(?m)^sigil: init exited \(exit 42\): powering off with code 42$`)
		})
	}
}

func TestUserPreemption(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/preempt "+m.append)
			wantCode(t, res, 0)
			logLines(t, res.Output, "preempt:")
		})
	}
}

func TestBadPointers(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/badptr "+m.append)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^badptr: all EFAULT, still running$`)
			if n := strings.Count(res.Output, " EFAULT\n"); n < 15 {
				t.Errorf("%d EFAULT cases, want 15", n)
			}
		})
	}
}

func TestKernelMemoryStopped(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/kmem "+m.append)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^kmem: hlt +stopped by SIGSEGV`, `(?m)^kmem: read kernel image +stopped by SIGSEGV`,
				`(?m)^kmem: all stopped, kernel running$`)
		})
	}
}

// TestBench prints the event-path benchmark (tools/bench runs it side by
// side with Linux); it asserts that every figure was printed.
func TestBench(t *testing.T) {
	res := bootInit(t, "init=/bin/bench")
	wantCode(t, res, 0)
	logLines(t, res.Output, "bench:")
	wantLines(t, res.Output, `(?m)^bench: boot to init \d+ cycles`, `(?m)^bench: memory in use at init \d+ kB`,
		`(?m)^bench: pipe ping-pong round trip +median \d+`, `(?m)^bench: done$`)
}

// shellSession boots into the shell (/init) and returns the machine once
// the prompt is up.
func shellSession(t *testing.T, appendArgs string) *qemu.Machine {
	t.Helper()
	return shellSessionMem(t, appendArgs, "256M")
}

func shellSessionMem(t *testing.T, appendArgs, mem string) *qemu.Machine {
	t.Helper()
	return shellSessionOn(t, appendArgs, mem, 0)
}

// shellSessionOn is shellSession with mem and cpus (0: $SIGIL_SMP's).
func shellSessionOn(t *testing.T, appendArgs, mem string, cpus int) *qemu.Machine {
	t.Helper()
	m, err := qemu.Start(context.Background(), qemu.Config{
		Kernel: kernel(t), Initrd: initrd(t), Append: appendArgs, Memory: mem, CPUs: cpus,
		QMP: true, DebugExit: true, Timeout: bootTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitFor(regexp.MustCompile(`^Sigil shell`), time.Minute); err != nil {
		m.Kill()
		t.Fatal(err)
	}
	return m
}

// A line anchored at its start (^) may also follow the shell's prompt: a
// command typed as soon as the last one's output appears can be echoed
// before the shell prints its next prompt, which then begins the output
// line.
func expectLine(t *testing.T, m *qemu.Machine, re string) string {
	t.Helper()
	if strings.HasPrefix(re, "^") {
		// A prompt, or the terminal's echo of a signal key (^C, ^Z, ^\),
		// may precede the line.
		re = `^(# |\^[CZ\\])*` + re[1:]
	}
	l, err := m.WaitFor(regexp.MustCompile(re), time.Minute)
	if err != nil {
		t.Fatalf("waiting for %q: %v", re, err)
	}
	return l
}

// TestShellSerial drives the shell over the serial console: a program's
// exit status, ps, and exit powering off with the shell's code.
func TestShellSerial(t *testing.T) {
	for _, mode := range irqModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			m := shellSession(t, mode.append)
			defer m.Kill()
			m.WriteSerial([]byte("hello 3\n"))
			expectLine(t, m, `^hello from musl: pid \d+, exiting with 3`)
			expectLine(t, m, `^sh: hello 3 \(pid \d+\): exit 3$`)
			m.WriteSerial([]byte("echo status $?\n"))
			expectLine(t, m, `^status 3$`)
			m.WriteSerial([]byte("ps\n"))
			expectLine(t, m, `^ +PID +PPID +PGID STAT COMMAND$`)
			// Linux names a process after the path it was executed by: /init.
			expectLine(t, m, `^ +1 +0 +1 +[RS] +init$`)
			m.WriteSerial([]byte("kmem\n"))
			expectLine(t, m, `^kmem: all stopped, kernel running$`)
			m.WriteSerial([]byte("exit 5\n"))
			res, err := m.Wait()
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, res, 5)
		})
	}
}

// TestShellKeyboard types into the shell through QMP send-key.
func TestShellKeyboard(t *testing.T) {
	m := shellSession(t, "")
	defer m.Kill()
	if err := m.TypeText("hello-go 9\n"); err != nil {
		t.Fatal(err)
	}
	expectLine(t, m, `^hello from Go: pid \d+`)
	expectLine(t, m, `^sh: hello-go 9 \(pid \d+\): exit 9$`)
	// The Enter powers the machine off, so QEMU may be gone before QMP
	// confirms that last key: a send error then is expected.
	sendErr := m.TypeText("poweroff\n")
	res, err := m.Wait()
	if err == nil && sendErr != nil {
		t.Logf("send-key after power-off: %v (expected)", sendErr)
	}
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, res, 0)
}

// TestSMEPSMAP runs user programs on a CPU model with SMEP and SMAP, which
// the kernel turns on: user pages are never executed or touched by the
// kernel through user addresses.
func TestSMEPSMAP(t *testing.T) {
	res, err := qemu.Run(context.Background(), qemu.Config{
		Kernel: kernel(t), Initrd: initrd(t), Append: "init=/bin/kmem", Memory: "256M",
		DebugExit: true, Timeout: bootTimeout, Extra: []string{"-cpu", "max"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^sigil: cpu: protections smep smap nx wp$`, `(?m)^kmem: all stopped, kernel running$`)
}

// TestSignalPrograms: sigtest's cases, and Go recovering from CPU faults
// through its own signal handlers, in both interrupt modes, and once more
// with fast=0, where every signal takes the goroutine path that interrupt
// context's fast paths (task/fast.go) otherwise cut short.
func TestSignalPrograms(t *testing.T) {
	modes := append(irqModes[:2:2], struct{ name, append string }{"goroutine-only", "irq=apic fast=0"})
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			res := bootInit(t, "init=/bin/sigtest "+m.append)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^sigtest: 38 of 38 passed$`)
			for _, l := range strings.Split(res.Output, "\n") {
				if strings.Contains(l, "FAILED") {
					t.Error(l)
				}
			}
			res = bootInit(t, "init=/bin/gopanic "+m.append)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^gopanic: divide: runtime error: integer divide by zero$`,
				`(?m)^gopanic: nil: runtime error: invalid memory address or nil pointer dereference$`)
		})
	}
}

// TestCtrlC types Ctrl+C through QMP while programs spin: the default
// action kills the job and the shell carries on; a C handler runs twice
// with the program's counter intact; Go's signal.Notify sees it; Ctrl+Z
// stops a job that fg resumes.
func TestCtrlC(t *testing.T) {
	for _, mode := range irqModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			m := shellSession(t, mode.append)
			defer m.Kill()
			ctrl := func(k string) {
				if err := m.SendKeys("ctrl", k); err != nil {
					t.Fatal(err)
				}
			}
			m.WriteSerial([]byte("spin\n"))
			expectLine(t, m, `^spin: ready \(default SIGINT\)`)
			ctrl("c")
			expectLine(t, m, `^sh: spin \(pid \d+\): killed by signal 2 \(interrupt\)$`)
			m.WriteSerial([]byte("echo alive\n"))
			expectLine(t, m, `^alive$`)

			m.WriteSerial([]byte("spin -h\n"))
			expectLine(t, m, `^spin: ready \(handling SIGINT\)`)
			ctrl("z")
			expectLine(t, m, `^\[1\]\+ Stopped \(stopped\) spin -h$`)
			m.WriteSerial([]byte("ps -s\n"))
			// SIGINT (bit 1) caught; the stop signal consumed, nothing pending.
			expectLine(t, m, `^ +\d+ spin +\d+/\d+ +0{16} +0{16} +0{16} +0{16} +0{15}2$`)
			m.WriteSerial([]byte("fg\n"))
			expectLine(t, m, `^spin -h$`) // in the foreground, continued
			ctrl("c")
			expectLine(t, m, `^spin: SIGINT #1 handled, counter \d+`)
			time.Sleep(200 * time.Millisecond)
			ctrl("c")
			expectLine(t, m, `^spin: SIGINT #2 handled, counter \d+ \(was \d+`)
			m.WriteSerial([]byte("echo status $?\n"))
			expectLine(t, m, `^status 0$`)

			m.WriteSerial([]byte("gosig\n"))
			expectLine(t, m, `^gosig: ready$`)
			ctrl("c")
			expectLine(t, m, `^gosig: got interrupt #1, counter \d+$`)
			ctrl("c")
			expectLine(t, m, `^gosig: got interrupt #2`)
			m.WriteSerial([]byte("echo status $?\n"))
			expectLine(t, m, `^status 0$`)

			m.WriteSerial([]byte("spin\n"))
			expectLine(t, m, `^spin: ready`)
			ctrl("z")
			expectLine(t, m, `^\[1\]\+ Stopped \(stopped\) spin$`)
			m.WriteSerial([]byte("ps\n"))
			expectLine(t, m, `^ +\d+ +1 +\d+ +T +spin$`)
			m.WriteSerial([]byte("fg\n"))
			expectLine(t, m, `^spin$`)
			ctrl("c")
			expectLine(t, m, `^sh: spin \(pid \d+\): killed by signal 2 \(interrupt\)$`)
			m.WriteSerial([]byte("exit 0\n"))
			if _, err := m.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTerminalKeys: the signal keys come from c_cc and ISIG (n_tty's
// isig), typed on the PS/2 keyboard: with c_cc[VINTR] remapped to Ctrl+A,
// Ctrl+C reads as 0x03 and Ctrl+A raises SIGINT; with ISIG off Ctrl+C
// reads as 0x03 (user/c/ttytest.c).
func TestTerminalKeys(t *testing.T) {
	m := shellSession(t, "")
	defer m.Kill()
	key := func(keys ...string) {
		if err := m.SendKeys(keys...); err != nil {
			t.Fatal(err)
		}
	}
	m.WriteSerial([]byte("ttytest\n"))
	expectLine(t, m, `^ttytest: ready: VINTR is Ctrl\+A$`)
	key("ctrl", "c")
	expectLine(t, m, `^ttytest: byte 0x03$`)
	key("ctrl", "a")
	// The kernel's "sigil: kbd: SIGINT" comes from another CPU as these
	// lines do, and was once seen glued to the end of one (its line
	// break lost): the lines are matched by their start.
	expectLine(t, m, `^ttytest: SIGINT \(1 so far\)`)
	expectLine(t, m, `^ttytest: ISIG off`)
	key("ctrl", "c")
	expectLine(t, m, `^ttytest: byte 0x03$`)
	key("q")
	expectLine(t, m, `^ttytest: PASS, 1 SIGINT$`)
	m.WriteSerial([]byte("echo status $?\n"))
	expectLine(t, m, `^status 0$`)
	m.WriteSerial([]byte("exit 0\n"))
	if _, err := m.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestBenchKeyboard prints keyboard interrupt entry -> SIGINT handler
// over ten Ctrl+C typed through QMP (it asserts only that it ran).
func TestBenchKeyboard(t *testing.T) {
	m, err := qemu.Start(context.Background(), qemu.Config{
		Kernel: kernel(t), Initrd: initrd(t), Append: "init=/bin/bench -- kbd 10", Memory: "256M",
		QMP: true, DebugExit: true, Timeout: bootTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Kill()
	expectLine(t, m, `^bench: kbd ready`)
	for i := 0; i < 10; i++ {
		if err := m.SendKeys("ctrl", "c"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	l := expectLine(t, m, `^bench: kbd IRQ 1 handler -> SIGINT handler +median \d+ cycles`)
	t.Log(l)
	res, err := m.Wait()
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, res, 0)
}

// TestKernelPanicFromFault: faults in kernel goroutines reach the kernel's
// own runtime as SIGFPE/SIGSEGV and are recovered; signals it sends itself
// with kill and tgkill reach os/signal.
func TestKernelPanicFromFault(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := boot(t, "test=kpanic "+m.append, "128M")
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^sigil: test kpanic: 3 faults became panics`,
				`(?m)^sigil: test kpanic: kill and tgkill to itself: SIGUSR1 and SIGUSR2 through os/signal`,
				`(?m)^sigil: test kpanic: PASS$`)
		})
	}
}

// TestManyTasks: 500 CPU-bound processes alive at once, and a program with
// 300 threads, at 256 MiB: user threads are goroutines, so their number is
// bounded by memory and limits, not by the kernel's threads.
func TestManyTasks(t *testing.T) {
	res := bootInit(t, "init=/bin/many -- procs 500")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^many: 500 procs ok \(500 reaped\)$`)
	res = bootInit(t, "init=/bin/many -- threads 300")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^many: 300 threads ok$`)
}

// TestExecWithThreads: execve with other threads running leaves the
// program alone with the PID as its TID, whether the leader or another
// thread called it (de_thread; user/c/execthreads.c, checked on Linux).
func TestExecWithThreads(t *testing.T) {
	for _, mode := range []string{"leader", "sub"} {
		res := bootInit(t, "init=/bin/execthreads -- "+mode)
		wantCode(t, res, 0)
		wantLines(t, res.Output, `(?m)^execthreads: `+mode+` ok: pid 1 \(was 1\) tid 1 threads 1$`)
	}
}

// TestIDChurn: threads cloned and exiting in one process, processes forked
// and reaped by another, while a third lists /proc: the process table and
// the thread maps are each read under their own lock (issue 11's race,
// fatal "concurrent map read and map write" before).
func TestIDChurn(t *testing.T) {
	res := bootInit(t, "init=/bin/many -- churn 2000")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^many: churn ok: 2000 threads and 2000 processes came and went over \d+ listings of /proc \(0 bad\)$`)
}
