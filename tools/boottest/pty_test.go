package boottest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPseudoTerminals runs ptytest (user/c/ptytest.c, checked on Linux
// 6.1): /dev/ptmx and /dev/pts, the line discipline through a pty, ^C
// and ^Z to the slave's foreground group, job-control ioctls, SIGTTIN and
// SIGTTOU, hangup.
func TestPseudoTerminals(t *testing.T) {
	runProgram(t, "ptytest", `(?m)^ptytest: 8 of 8 passed$`)
}

// TestAshJobControl types into BusyBox ash on the console through QMP
// keys: ash gets its terminal (no "job control turned off"), a job
// stopped with Ctrl+Z is listed by jobs, resumed by fg and interrupted
// by Ctrl+C; bg runs a stopped job in the background; a background
// job reading the terminal stops with SIGTTIN.
func TestAshJobControl(t *testing.T) {
	m := shellSession(t, "")
	defer m.Kill()
	typeText := func(s string) {
		t.Helper()
		if err := m.TypeText(s); err != nil {
			t.Fatal(err)
		}
	}
	ctrl := func(k string) {
		t.Helper()
		if err := m.SendKeys("ctrl", k); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(re string) string {
		t.Helper()
		l, err := m.WaitFor(regexp.MustCompile(re), time.Minute)
		if err != nil {
			t.Fatalf("waiting for %q: %v", re, err)
		}
		if strings.Contains(l, "job control turned off") {
			t.Fatalf("ash: %s", l)
		}
		return l
	}
	typeText("ash -i\n")
	typeText("echo ash $((6*7))\n")
	expect(`ash 42$`)
	// What a user looks at first: /proc/self's links, the interrupt
	// counts, the process list.
	typeText("ls -l /proc/self/\n")
	expect(`exe -> /bin/busybox$`)
	typeText("cat /proc/interrupts\n")
	expect(`^ +CPU0( +CPU\d+)* *$`) // a column per online CPU
	expect(`^ +1: +[0-9]+ .*i8042`)
	typeText("ps\n")
	expect(`PID +USER .*COMMAND$`)
	expect(`^ +1 +root +.*/init$`) // user names from /etc/passwd
	typeText("spin\n")
	expect(`spin: ready \(default SIGINT\)`)
	ctrl("z")
	expect(`\[1\]\+ +Stopped +spin$`)
	typeText("jobs\n")
	expect(`\[1\]\+ +Stopped +spin$`)
	typeText("fg\n")
	expect(`(^|# )spin$`)
	time.Sleep(300 * time.Millisecond)
	ctrl("c")
	typeText("echo status $?\n")
	expect(`status 130$`)
	typeText("spin\n")
	expect(`spin: ready`)
	ctrl("z")
	expect(`\[1\]\+ +Stopped +spin$`)
	typeText("bg\n")
	expect(`\[1\]\+? +spin`)
	typeText("jobs\n")
	expect(`\[1\]\+ +Running +spin$`)
	typeText("kill %1; wait; echo gone\n")
	expect(`gone$`)
	// A background read of the terminal stops the job (SIGTTIN).
	typeText("cat &\n")
	typeText("sleep 1; jobs\n")
	expect(`\[1\]\+ +Stopped \(tty input\) +cat$`)
	typeText("kill -9 %1; wait; echo gone again\n")
	expect(`gone again$`)
	typeText("jobs\n") // reports the killed job, so exit does not warn of it
	expect(`\[1\]\+ +Killed +cat$`)
	typeText("exit\n")
	// The Enter powers the machine off, so QEMU may be gone before QMP
	// confirms that last key: a send error then is expected.
	sendErr := m.TypeText("exit 0\n")
	res, err := m.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sendErr != nil {
		t.Logf("send-key after power-off: %v (expected)", sendErr)
	}
	wantCode(t, res, 0)
}
