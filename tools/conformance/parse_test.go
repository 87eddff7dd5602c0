package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func parseFile(t *testing.T, name string) *Boot {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(string(b))
}

func TestParseStatuses(t *testing.T) {
	b := parseFile(t, "sigil.log")
	want := map[string]map[string]Status{
		"os/signal": {"TestSignal": Pass, "TestStop": Fail, "TestStop/window_changed": Fail,
			"TestStop/hangup": Pass, "TestTerminalSignal": Skip},
		"syscall": {"TestFcntlFlock": Skip, "TestPassFD": Unfinished},
		"os/exec": {"TestLookPath": Fail, "TestEcho": Unfinished},
	}
	for pkg, tests := range want {
		p := b.Packages[pkg]
		if p == nil {
			t.Fatalf("package %s not parsed", pkg)
		}
		got := map[string]Status{}
		for n, tt := range p.Tests {
			got[n] = tt.Status
		}
		if !reflect.DeepEqual(got, tests) {
			t.Errorf("%s: got %v, want %v", pkg, got, tests)
		}
	}
	if got := b.Packages["os/signal"].Order; !reflect.DeepEqual(got, []string{"TestSignal", "TestStop",
		"TestStop/window_changed", "TestStop/hangup", "TestTerminalSignal"}) {
		t.Errorf("order %q", got)
	}
}

func TestParseMarkers(t *testing.T) {
	b := parseFile(t, "sigil.log")
	if b.Done {
		t.Error("Done without the all-done marker")
	}
	if want := []string{"mkdir /tmp: mkdir /tmp: function not implemented"}; !reflect.DeepEqual(b.Notes, want) {
		t.Errorf("notes %q", b.Notes)
	}
	sig, sc, ex := b.Packages["os/signal"], b.Packages["syscall"], b.Packages["os/exec"]
	if !sig.Ended || sig.Status != "1" || sig.Time != "5.0s" {
		t.Errorf("os/signal end: %+v", sig)
	}
	if !sc.Ended || sc.Status != "2" {
		t.Errorf("syscall end: %+v", sc)
	}
	if !ex.Begun || ex.Ended {
		t.Errorf("os/exec: begun %v ended %v, want begun without end", ex.Begun, ex.Ended)
	}
	if l := parseFile(t, "linux.log"); !l.Done || len(l.Notes) != 0 {
		t.Errorf("linux: done %v notes %q", l.Done, l.Notes)
	}
}

// Output goes to the test named by the last RUN, CONT or NAME line, and
// kernel lines in between count as the test's output.
func TestParseOutput(t *testing.T) {
	sig := parseFile(t, "sigil.log").Packages["os/signal"]
	want := []string{"    signal_test.go:300: timeout after 1s waiting for window changed",
		"sigil: pid 7 (os_signal.test) made unimplemented system call 302 (prlimit64)"}
	if got := sig.Tests["TestStop/window_changed"].Output; !reflect.DeepEqual(got, want) {
		t.Errorf("window_changed output %q", got)
	}
	if got := sig.Tests["TestStop/hangup"].Output; len(got) != 1 || !strings.Contains(got[0], "unexpected signal hangup") {
		t.Errorf("hangup output %q", got)
	}
	sc := parseFile(t, "sigil.log").Packages["syscall"]
	if len(sc.Crash) == 0 || sc.Crash[0] != "panic: test timed out after 5m0s" {
		t.Errorf("crash %q", sc.Crash)
	}
	if len(sc.Tests["TestPassFD"].Output) != 0 {
		t.Errorf("the panic went to the test: %q", sc.Tests["TestPassFD"].Output)
	}
}

// A flood of output keeps only the first lines.
func TestParseBoundsOutput(t *testing.T) {
	out := "conformance: begin p\n=== RUN   TestLoud\n" + strings.Repeat("line\n", 10*keptLines)
	if n := len(Parse(out).Packages["p"].Tests["TestLoud"].Output); n != keptLines {
		t.Errorf("kept %d lines, want %d", n, keptLines)
	}
}

func TestCompare(t *testing.T) {
	l, s := parseFile(t, "linux.log"), parseFile(t, "sigil.log")
	got := map[string][2]Status{}
	for _, pkg := range []string{"os/signal", "syscall", "os/exec"} {
		for _, d := range compare(l.Packages[pkg], s.Packages[pkg]) {
			got[d.Name] = [2]Status{d.Linux, d.Sigil}
		}
	}
	want := map[string][2]Status{
		"TestStop":                {Pass, Fail},
		"TestStop/window_changed": {Pass, Fail},
		"TestFcntlFlock":          {Pass, Skip},
		"TestPassFD":              {Pass, Unfinished},
		"TestEcho":                {Pass, Unfinished},
		"TestLookPath":            {Pass, Fail},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diffs %v, want %v", got, want)
	}
	// Subtests Sigil never reached count on their failed parent's line.
	ex := compare(l.Packages["os/exec"], s.Packages["os/exec"])
	if len(ex) != 2 || ex[0].Name != "TestLookPath" || ex[0].NotRun != 2 || differing(ex) != 4 {
		t.Errorf("os/exec folded: %+v", ex)
	}
	// A test only one kernel names is Missing on the other.
	d := compare(nil, s.Packages["syscall"])
	if len(d) != 2 || d[0].Linux != Missing || d[0].Sigil != Skip {
		t.Errorf("against nothing: %+v", d)
	}
}

func TestCount(t *testing.T) {
	s := parseFile(t, "sigil.log")
	if c := count(s.Packages["os/signal"]); c != (Counts{Pass: 2, Fail: 2, Skip: 1}) {
		t.Errorf("os/signal %+v", c)
	}
	if c := count(parseFile(t, "linux.log").Packages["os/exec"]); c != (Counts{Pass: 4}) {
		t.Errorf("linux os/exec %+v", c)
	}
	if c := count(s.Packages["syscall"]); c != (Counts{Skip: 1, Unfinished: 1}) {
		t.Errorf("syscall %+v", c)
	}
}
