package boottest

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"sigil/tools/qemu"
)

// bootCPUs runs the kernel with cmdline on a machine of cpus CPUs, with the
// initrd when withInitrd.
func bootCPUs(t *testing.T, cmdline string, cpus int, withInitrd bool) qemu.Result {
	t.Helper()
	cfg := qemu.Config{Kernel: kernel(t), Append: cmdline, Memory: "256M", CPUs: cpus, DebugExit: true, Timeout: bootTimeout}
	if withInitrd {
		cfg.Initrd = initrd(t)
	}
	res, err := qemu.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("boot %q -smp %d: %v\n%s", cmdline, cpus, err, res.Tail(40))
	}
	t.Logf("boot %q -smp %d (%s) took %v", cmdline, cpus, res.Accel, res.Elapsed.Round(time.Millisecond))
	return res
}

var cpuOnlineRE = regexp.MustCompile(`(?m)^sigil: cpu (\d+) \(apic (\d+)\) online in (\d+) us$`)

// wantOnline checks that exactly the application processors 1..online-1
// report online, each with the APIC ID QEMU gives it (its index), and the
// summary line.
func wantOnline(t *testing.T, out string, online, cpus int) {
	t.Helper()
	got := cpuOnlineRE.FindAllStringSubmatch(out, -1)
	if len(got) != online-1 {
		t.Errorf("%d APs online, want %d:\n%s", len(got), online-1, out)
	}
	for i, m := range got {
		if want := fmt.Sprint(i + 1); m[1] != want || m[2] != want {
			t.Errorf("line %q: want cpu %s (apic %s)", m[0], want, want)
		}
		t.Logf("cpu %s online in %s us", m[1], m[3])
	}
	wantLines(t, out, fmt.Sprintf(`(?m)^sigil: smp: %d of %d CPUs online`, online, cpus))
}

// TestSMPBringUp: with -smp 2 and 4 every application processor comes up
// and parks, maxcpus=2 starts exactly one, nosmp none; test=syscalls
// checks the kernel runtime's sched_getaffinity (every online CPU) and
// sched_setaffinity (a thread bound to each CPU in turn runs there).
func TestSMPBringUp(t *testing.T) {
	for _, c := range []struct {
		name, append string
		cpus, online int
	}{
		{"smp2", "test=syscalls", 2, 2},
		{"smp2-pic", "test=probe irq=pic", 2, 2},
		{"smp4", "test=syscalls", 4, 4},
		{"smp4-maxcpus2", "test=probe maxcpus=2", 4, 2},
		{"smp4-nosmp", "test=probe nosmp", 4, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := bootCPUs(t, c.append, c.cpus, false)
			wantCode(t, res, 0)
			wantOnline(t, res.Output, c.online, c.cpus)
			for i := c.online; i < c.cpus; i++ {
				wantLines(t, res.Output, fmt.Sprintf(`(?m)^sigil: cpu %d \(apic %d\) not started: (nosmp|maxcpus=2)$`, i, i))
			}
		})
	}
}

// TestSMPUserSignals: sigtest's 38 cases pass with a second CPU running
// threads, as on one CPU.
func TestSMPUserSignals(t *testing.T) {
	res := bootCPUs(t, "init=/bin/sigtest", 2, true)
	wantCode(t, res, 0)
	wantOnline(t, res.Output, 2, 2)
	wantLines(t, res.Output, `(?m)^sigtest: 38 of 38 passed$`)
}

var smptestCPUsRE = regexp.MustCompile(`(?m)^smptest: cpus (\d+)$`)

// runSMPTest boots smptest with args on cpus CPUs and checks what every
// run must show: the online CPUs as its affinity, no FAILED line, ok.
func runSMPTest(t *testing.T, cpus int, args string) qemu.Result {
	t.Helper()
	res := bootCPUs(t, "init=/bin/smptest -- "+args, cpus, true)
	wantCode(t, res, 0)
	wantNoFailures(t, res.Output)
	wantLines(t, res.Output, `(?m)^smptest: ok$`)
	if m := smptestCPUsRE.FindStringSubmatch(res.Output); m == nil || m[1] != fmt.Sprint(cpus) {
		t.Errorf("smptest's affinity: %v, want %d CPUs", m, cpus)
	}
	for _, l := range regexp.MustCompile(`(?m)^smptest: (kick|munmap|speed):.*$`).FindAllString(res.Output, -1) {
		t.Log(l)
	}
	return res
}

// TestSMPKick: a thread spinning in ring 3 on the last CPU takes a signal
// sent from CPU 0 through a reschedule IPI to its CPU (as Linux's
// signal_wake_up -> kick_process), not at that CPU's next tick: smptest
// counts the IPIs in /proc/interrupts and prints the latency (logged,
// not checked: a loaded host deschedules vCPUs for milliseconds).
// sched_setaffinity pins the two threads, and getcpu agrees.
func TestSMPKick(t *testing.T) {
	for _, cpus := range []int{2, 4} {
		t.Run(fmt.Sprint("smp", cpus), func(t *testing.T) {
			runSMPTest(t, cpus, "kick")
		})
	}
}

// TestSMPSignalTarget: a process-directed signal goes to the thread
// Linux's complete_signal picks: the main thread unless it blocks the
// signal, whichever thread sent it; else the first thread that does not
// (smptest's target case). And tgkill to a sibling spinning in ring 3 on
// another CPU (served where the sender trapped) queues a blocked signal,
// refuses a real-time one past RLIMIT_SIGPENDING and delivers with the
// sender's siginfo (smptest's sibling case). Both pass on Linux 6.1.
func TestSMPSignalTarget(t *testing.T) {
	for _, cpus := range []int{1, 2} {
		t.Run(fmt.Sprint("smp", cpus), func(t *testing.T) {
			res := runSMPTest(t, cpus, "sibling target")
			wantLines(t, res.Output, `(?m)^smptest: sibling: pending while blocked, EAGAIN past the limit, delivered with the sender's siginfo$`)
			wantLines(t, res.Output, `(?m)^smptest: target: main thread, then the first thread that does not block it$`)
		})
	}
}

// TestSMPMunmap: a thread reading a page on CPU 1 while CPU 0 unmaps it
// gets SIGSEGV, and never reads the frame after it was freed and reused
// (the TLB shootdown completes before munmap returns).
func TestSMPMunmap(t *testing.T) {
	res := runSMPTest(t, 2, "munmap")
	wantLines(t, res.Output, `(?m)^smptest: munmap: 20 rounds, reader faulted every time`)
}

// TestSMPSpeed: two CPU-bound threads, serially and at once, on one CPU
// and on two: the figures are logged, not checked (the host is shared).
func TestSMPSpeed(t *testing.T) {
	for _, cpus := range []int{1, 2} {
		t.Run(fmt.Sprint("smp", cpus), func(t *testing.T) {
			runSMPTest(t, cpus, "speed")
		})
	}
}
