package boottest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigil/tools/qemu"
)

// Interrupt-controller configurations every interrupt test runs in.
var irqModes = []struct{ name, append string }{
	{"pic", "irq=pic"},
	{"apic", "irq=apic"},
	{"apic-oneshot", "irq=apic timer=oneshot"},
}

// TestIRQ: the tick keeps time over a second (ticks seen and ticks the TSC
// says were lost add up, on any host, and a sleeping CPU's one-shot timer
// does not fire every tick: see selftest's testIRQ), a
// self-IPI, a function call on each other CPU, and spurious vectors
// counted, in each mode.
func TestIRQ(t *testing.T) {
	for _, m := range irqModes {
		t.Run(m.name, func(t *testing.T) {
			res := boot(t, "test=irq "+m.append, "128M")
			wantCode(t, res, 0)
			wantLines(t, res.Output,
				`(?m)^sigil: test irq: tick: \d+ ticks in [\d.]+ s busy = [\d.]+ Hz \(configured 1000 Hz, `+strings.SplitN(m.name, "-", 2)[0]+` mode\), \d+ lost, \d+ of \d+ timer events on time$`,
				`(?m)^sigil: test irq: tick: \d+ ticks in [\d.]+ s asleep = [\d.]+ Hz \(configured 1000 Hz, `+strings.SplitN(m.name, "-", 2)[0]+` mode\), \d+ lost, \d+ of \d+ timer events on time$`,
				`(?m)^sigil: test irq: self-IPI arrived`,
				`(?m)^sigil: irqstat: spurious: pic-irq7 1, pic-irq15 0, lapic 1$`,
				`(?m)^sigil: test irq: PASS$`)
			for id := 1; id < qemu.DefaultCPUs(); id++ { // the function-call IPI, with $SIGIL_SMP CPUs
				wantLines(t, res.Output, fmt.Sprintf(`(?m)^sigil: test irq: function call ran on CPU %d$`, id))
			}
			logLines(t, res.Output, "tick:", "interrupts:")
		})
	}
}

// TestDeadlineFallback: timer=deadline without CPUID's TSC-deadline bit
// (TCG has none) says so and falls back to one-shot.
func TestDeadlineFallback(t *testing.T) {
	res := boot(t, "test=irq irq=apic timer=deadline", "128M")
	wantCode(t, res, 0)
	if strings.Contains(res.Output, "LAPIC timer tsc-deadline") {
		t.Log("this CPU has a TSC-deadline timer: deadline mode ran")
		return
	}
	wantLines(t, res.Output, `(?m)^sigil: interrupts: no TSC-deadline timer \(CPUID.01H:ECX\[24\]\): using one-shot$`)
}

// TestIRQLatency is the benchmark: it prints, it does not assert figures.
func TestIRQLatency(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := boot(t, "test=irqlat "+m.append, "128M")
			wantCode(t, res, 0)
			logLines(t, res.Output, "round trip", "timer interrupt handler")
		})
	}
}

// TestFaultReport: a kernel thread executes ud2, the report names #UD and
// the decoded instruction, and the thread survives.
func TestFaultReport(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := boot(t, "test=fault-report "+m.append, "128M")
			wantCode(t, res, 0)
			wantLines(t, res.Output,
				`(?m)^sigil: fault: #UD invalid opcode \(vector 6\)`,
				`(?m)^sigil: fault: instruction: ud2 \(2 bytes: 0f 0b\)$`,
				`(?m)^sigil: fault: resuming thread \d+ at sigil/selftest\.faultThread\+0x2 `,
				`(?m)^sigil: test fault-report: PASS$`)
		})
	}
}

// TestKeyboard types through QMP send-key: a key-repeat storm that overflows
// the emulated controller's queue, then text with Shift, Enter and Ctrl+C.
func TestKeyboard(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			mach, err := qemu.Start(context.Background(), qemu.Config{
				Kernel: kernel(t), Append: "test=kbd " + m.append, Memory: "128M",
				QMP: true, DebugExit: true, Timeout: bootTimeout,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer mach.Kill()
			if _, err := mach.WaitFor(regexp.MustCompile(`^sigil: test kbd: ready`), time.Minute); err != nil {
				t.Fatal(err)
			}
			// The storm: 150 presses of x in one QMP command, far more than
			// the 8042 model's 16-byte queue holds.
			var events []map[string]any
			for i := 0; i < 150; i++ {
				for _, down := range []bool{true, false} {
					events = append(events, map[string]any{"type": "key", "data": map[string]any{
						"down": down, "key": map[string]any{"type": "qcode", "data": "x"}}})
				}
			}
			if _, err := mach.QMP("input-send-event", map[string]any{"events": events}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond)
			if err := mach.TypeText("Hello, Sigil!\n"); err != nil {
				t.Fatal(err)
			}
			line, err := mach.WaitFor(regexp.MustCompile(`^sigil: kbd: line: `), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^sigil: kbd: line: "x{1,150}Hello, Sigil!"$`).MatchString(line) {
				t.Errorf("decoded line %q, want some x's from the storm then Hello, Sigil!", line)
			}
			if err := mach.SendKeys("ctrl", "c"); err != nil {
				t.Fatal(err)
			}
			if _, err := mach.WaitFor(regexp.MustCompile(`^sigil: kbd: SIGINT$`), time.Minute); err != nil {
				t.Fatal(err)
			}
			res, err := mach.Wait()
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^sigil: test kbd: PASS$`)
			t.Logf("storm line: %s", line)
		})
	}
}

// TestSerialConsole: bytes on COM1 reach the console terminal (IRQ 4), which
// runs the irqstat command.
func TestSerialConsole(t *testing.T) {
	mach, err := qemu.Start(context.Background(), qemu.Config{Kernel: kernel(t), Memory: "128M", Timeout: bootTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer mach.Kill()
	if _, err := mach.WaitFor(regexp.MustCompile(`^sigil: ready`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := mach.WriteSerial([]byte("irqstat\r")); err != nil {
		t.Fatal(err)
	}
	if _, err := mach.WaitFor(regexp.MustCompile(`^sigil: irqstat: spurious:`), time.Minute); err != nil {
		t.Fatal(err)
	}
	// IRQ 4 arrives on 0x24 through the 8259 or 0x34 through the IOAPIC.
	wantLines(t, mach.Output(), `(?m)^sigil: irqstat: +0x[23]4 (pic|ioapic) +[1-9]`)
}

func logLines(t *testing.T, out string, keys ...string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		for _, k := range keys {
			if strings.Contains(l, k) {
				t.Log(l)
				break
			}
		}
	}
}

// TestUserMode: ring-3 code makes system calls that come back to Go, gets
// demand-paged stack, is stopped for hlt, kernel reads and code writes, and
// is preempted by the tick while spinning, in both interrupt modes.
func TestUserMode(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res := boot(t, "test=user "+m.append, "128M")
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^sigil: test user: user spin loop preempted`, `(?m)^sigil: test user: PASS$`)
		})
	}
}

// TestStorm: test=storm leaves COM2's THR-empty interrupt asserted on a
// level-triggered IRQ 3 that no handler claims; in each controller mode
// the line is disabled after Linux's 100,000-interrupt window with the
// Linux messages, and the tick and a goroutine go on. COM2 is QEMU's
// second -serial (null).
func TestStorm(t *testing.T) {
	for _, m := range irqModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			res, err := qemu.Run(context.Background(), qemu.Config{
				Kernel:    kernel(t),
				Append:    "test=storm " + m.append,
				Memory:    "128M",
				DebugExit: true,
				Timeout:   bootTimeout,
				Extra:     []string{"-serial", "null"},
			})
			if err != nil {
				t.Fatalf("boot: %v\n%s", err, res.Tail(40))
			}
			wantCode(t, res, 0)
			wantLines(t, res.Output,
				`(?m)^sigil: irq 3: nobody cared \(try booting with the "irqpoll" option\)$`,
				`(?m)^sigil: handlers:\n.*\[<0x[0-9a-f]+>\] ttyS1$`,
				`(?m)^sigil: Disabling IRQ #3$`,
				`(?m)^sigil: test storm: IRQ 3 disabled after 100000 interrupts \(\d+ unhandled\) in \S+, `+m.name+` mode; 1 storms$`,
				`(?m)^sigil: test storm: after: \d+ ticks during the storm, [1-9]\d* in the 20 ms after; IRQ 3 quiet at 100000$`,
				`(?m)^sigil: test storm: PASS$`)
			logLines(t, res.Output, "test storm:")
		})
	}
}
