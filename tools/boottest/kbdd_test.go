package boottest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUserKeyboardDriver boots with kbd=user and runs kbdd
// (user/c/kbdd.c), the PS/2 keyboard driver as a process, in BusyBox ash
// on the console, in both interrupt modes and both of its ways of waiting
// (queued SIGRTMIN while blocked in a pipe read; reading /dev/irq/1):
// keys typed through QMP reach ash through kbdd and TIOCSTI, Ctrl+C
// still interrupts the foreground job, a second driver finds the line
// busy, and killing kbdd gives the keyboard back to the kernel's driver.
func TestUserKeyboardDriver(t *testing.T) {
	for _, mode := range irqModes[:2] {
		for _, drv := range []struct{ name, cmd, ready string }{
			{"signals", "kbdd", `kbdd: IRQ 1 claimed, signals SIGRTMIN$`},
			{"read", "kbdd -r", `kbdd: IRQ 1 claimed, reading /dev/irq/1$`},
		} {
			t.Run(mode.name+"/"+drv.name, func(t *testing.T) {
				m := shellSession(t, mode.append+" kbd=user")
				defer m.Kill()
				expect := func(re string) {
					t.Helper()
					if _, err := m.WaitFor(regexp.MustCompile(re), time.Minute); err != nil {
						t.Fatalf("waiting for %q: %v", re, err)
					}
				}
				serial := func(s string) {
					t.Helper()
					if err := m.WriteSerial([]byte(s)); err != nil {
						t.Fatal(err)
					}
				}
				typeText := func(s string) {
					t.Helper()
					if err := m.TypeText(s); err != nil {
						t.Fatalf("%v\n%s", err, m.Output())
					}
				}
				serial("ash -i\n")
				serial("echo ash $((6*7))\n")
				expect(`ash 42$`)
				serial(drv.cmd + " &\n")
				expect(drv.ready)
				typeText("echo typed $((6*7))\n")
				expect(`typed 42$`)
				// spin (user/c/spin.c) says when it runs, so Ctrl+C
				// comes with it in the foreground, not before.
				typeText("spin\n")
				expect(`spin: ready \(default SIGINT\)$`)
				if err := m.SendKeys("ctrl", "c"); err != nil {
					t.Fatal(err)
				}
				typeText("echo status $?\n")
				expect(`status 130$`)
				serial("kbdd\n")
				expect(`kbdd: /dev/irq/1: .*busy`)
				serial("kill $!; wait; echo driver gone\n")
				expect(`driver gone$`)
				typeText("echo kernel again\n")
				expect(`kernel again$`)
				if out := m.Output(); strings.Contains(out, "kbdd: TIOCSTI") || strings.Contains(out, "kbdd: unmask") {
					t.Errorf("kbdd reported an error:\n%s", out)
				}
			})
		}
	}
}
