// Package boottest boots build/sigil in QEMU and asserts on what it prints
// and how it exits. Run `make kernel` first (`make test` does). QEMU must be
// installed: the tests fail, never skip, when it is not.
package boottest

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"sigil/tools/qemu"
)

// Under TCG a boot to main takes well under a second; the budgets leave room
// for a loaded machine.
const bootTimeout = 3 * time.Minute

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// built returns the path of build/name, failing the test if make has not
// built it.
func built(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(repoRoot(t), "build", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `make kernel` (or `make test`) first", p)
	}
	return p
}

func kernel(t *testing.T) string { t.Helper(); return built(t, "sigil") }

// boot runs the kernel with cmdline to completion.
func boot(t *testing.T, cmdline, mem string) qemu.Result {
	t.Helper()
	res, err := qemu.Run(context.Background(), qemu.Config{
		Kernel:    kernel(t),
		Append:    cmdline,
		Memory:    mem,
		DebugExit: true,
		Timeout:   bootTimeout,
	})
	if err != nil {
		t.Fatalf("boot %q: %v\n%s", cmdline, err, res.Tail(40))
	}
	t.Logf("boot %q (-m %s, %s) took %v", cmdline, mem, res.Accel, res.Elapsed.Round(time.Millisecond))
	return res
}

func wantCode(t *testing.T, res qemu.Result, code int) {
	t.Helper()
	got, ok := res.Code()
	if !ok || got != code {
		t.Errorf("exit status %d (code %d, ok %v), want code %d\n%s", res.Status, got, ok, code, res.Tail(40))
	}
}

func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	lacks := false
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("output lacks %q", p)
			lacks = true
		}
	}
	if lacks {
		t.Logf("output:\n%s", out)
	}
}

// TestRuntime is the acceptance command: test=runtime in 256 MiB
// prints PASS and exits with status 1.
func TestRuntime(t *testing.T) {
	res := boot(t, "test=runtime", "256M")
	wantCode(t, res, 0)
	if res.Status != 1 {
		t.Errorf("QEMU status %d, want 1", res.Status)
	}
	wantLines(t, res.Output,
		`(?m)^sigil: test runtime: PASS$`,
		`(?m)^sigil: boot: first instruction to main: \d+ us$`,
		`(?m)^sigil: test runtime: goroutines ok`,
		`(?m)^sigil: test runtime: gc: allocated (1[0-9]{3}) MiB`,
	)
	for _, l := range strings.Split(res.Output, "\n") {
		if strings.Contains(l, "first instruction to main") || strings.Contains(l, "sleep(") {
			t.Log(l)
		}
	}
}

// TestMemorySizes boots the smallest and largest sizes the issue names.
func TestMemorySizes(t *testing.T) {
	for _, mem := range []string{"64M", "4G"} {
		t.Run(mem, func(t *testing.T) {
			res := boot(t, "test=runtime", mem)
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^sigil: test runtime: PASS$`)
		})
	}
}

// TestSyscalls checks the system calls' Linux semantics from inside.
func TestSyscalls(t *testing.T) {
	res := boot(t, "test=syscalls", "256M")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^sigil: test syscalls: PASS$`)
	// An unknown system call is logged once, by number and name.
	if n := strings.Count(res.Output, "sigil: unimplemented syscall 163 (acct): ENOSYS"); n != 1 {
		t.Errorf("ENOSYS for acct logged %d times, want once", n)
	}
}

// TestFailingSelfTest proves a failing self-test exits with a status other
// than 1.
func TestFailingSelfTest(t *testing.T) {
	res := boot(t, "test=fail", "128M")
	if res.Status == 1 {
		t.Fatalf("a failing self-test exited with status 1\n%s", res.Tail(10))
	}
	wantCode(t, res, 1)
	wantLines(t, res.Output, `(?m)^sigil: test fail: FAIL: this test always fails$`)

	res = boot(t, "test=no-such-test", "128M")
	wantCode(t, res, 1)
	wantLines(t, res.Output, `(?m)^sigil: test no-such-test: FAIL: no such test`)
}

// TestKernelFault: ud2 in kernel code is reported with vector, registers,
// the decoded instruction and the symbolised RIP, then powers off with the
// kernel-fault code.
func TestKernelFault(t *testing.T) {
	res := boot(t, "test=fault", "128M")
	wantCode(t, res, 0x7d)
	wantLines(t, res.Output,
		`(?m)^sigil: fault: #UD invalid opcode \(vector 6\) error 0x0+$`,
		`(?m)^sigil:  rip=0xffffffff8[0-9a-f]{7} cs=0x0+10 rflags=`,
		`(?m) r15=0x[0-9a-f]{16}$`,
		`(?m)^sigil: fault: #UD invalid opcode in kernel thread \d+ at sigil/arch\.ud2\+0x0 \(.*arch/cpu_amd64\.s:\d+\)$`,
		`(?m)^sigil: fault: instruction: ud2 \(2 bytes: 0f 0b\)$`,
	)
}

// TestOutOfMemory: memory the machine does not have is ENOMEM to the
// runtime, which reports it itself and exits with status 2.
func TestOutOfMemory(t *testing.T) {
	res := boot(t, "test=oom", "128M")
	wantCode(t, res, 2)
	wantLines(t, res.Output, `(?m)^fatal error: runtime: out of memory$`)
}

// TestBanner: without a test the kernel boots to its banner and stays up.
func TestBanner(t *testing.T) {
	m, err := qemu.Start(context.Background(), qemu.Config{Kernel: kernel(t), Memory: "128M", Timeout: bootTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Kill()
	if _, err := m.WaitFor(regexp.MustCompile(`^sigil: ready`), bootTimeout); err != nil {
		t.Fatal(err)
	}
	wantLines(t, m.Output(), `(?m)^sigil: Sigil on go1\.\d+`)
	time.Sleep(500 * time.Millisecond) // still alive: no panic, no power-off
	if strings.Contains(m.Output(), "fatal error") {
		t.Errorf("kernel died after the banner:\n%s", m.Output())
	}
}

// TestImage checks what tools/mkimage did to build/sigil: every loadable
// segment has its physical address, and a PT_NOTE carries the Xen
// PHYS32_ENTRY note pointing at the physical PVH entry.
func TestImage(t *testing.T) {
	f, err := elf.Open(kernel(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const kernelBase = 0xffffffff80000000
	var found bool
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_LOAD:
			if p.Paddr != p.Vaddr-kernelBase || p.Paddr < 2<<20 {
				t.Errorf("segment at %#x has physical address %#x", p.Vaddr, p.Paddr)
			}
		case elf.PT_NOTE:
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatal(err)
			}
			le := binary.LittleEndian
			if len(b) >= 24 && le.Uint32(b[8:]) == 18 && string(b[12:16]) == "Xen\x00" {
				found = true
				if got, want := le.Uint64(b[16:]), f.Entry-kernelBase; got != want {
					t.Errorf("PVH entry %#x, want %#x", got, want)
				}
			}
		}
	}
	if !found {
		t.Error("no XEN_ELFNOTE_PHYS32_ENTRY note")
	}
}
