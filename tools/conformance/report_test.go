package main

import (
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	l := &kernelRun{Name: "Linux", Boot: parseFile(t, "linux.log"), End: "init ran every binary", Tail: "conformance: all done"}
	s := &kernelRun{Name: "Sigil", Boot: parseFile(t, "sigil.log"), End: "killed",
		Tail: "=== CONT  TestEcho\nsigil: fault in kernel goroutine"}
	var b strings.Builder
	report(&b, []string{"os/signal", "syscall", "os/exec"}, l, s, 1)
	out := b.String()
	for _, want := range []string{
		"Sigil init: mkdir /tmp: mkdir /tmp: function not implemented",
		"Sigil's console ended with:\n      === CONT  TestEcho\n      sigil: fault in kernel goroutine\n",
		"Sigil passes 2 of the 10 tests that pass on Linux.",
		"os/signal: 2 tests differ (Linux -> Sigil)",
		"TestStop/window_changed  PASS -> FAIL\n      signal_test.go:300: timeout after 1s waiting for window changed\n",
		"TestFcntlFlock  PASS -> SKIP\n      syscall_linux_test.go:50: open /tmp/TestFcntlFlock123: read-only file system\n",
		"TestPassFD      PASS -> HUNG/CRASHED\n",
		"Sigil's binary ended with:\n      panic: test timed out after 5m0s\n",
		"Sigil's binary: began, no end marker",
		"os/exec: 4 tests differ (Linux -> Sigil)",
		"TestLookPath  PASS -> FAIL (and 2 subtests not run)\n      sigil: unimplemented syscall 258 (mkdirat)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Linux's console ended") {
		t.Errorf("console tail of a finished boot:\n%s", out)
	}
	// Excerpts are limited to the asked number of lines.
	if strings.Contains(out, "prlimit64") {
		t.Errorf("more than one excerpt line:\n%s", out)
	}
}
