package main

import (
	"regexp"
	"strings"

	"sigil/tools/conformance/plan"
)

// Status is what one boot says of one test.
type Status int

const (
	Missing    Status = iota // no line names it: its binary never got that far
	Pass                     // --- PASS
	Fail                     // --- FAIL
	Skip                     // --- SKIP
	Unfinished               // === RUN but no result: the binary hung, crashed or was killed
)

func (s Status) String() string {
	return [...]string{"-", "PASS", "FAIL", "SKIP", "HUNG/CRASHED"}[s]
}

// keptLines bounds the output kept per test and per crash: the report
// quotes a few lines, and a runaway test must not fill the host's memory.
const keptLines = 40

// Test is one test or subtest as one boot ran it.
type Test struct {
	Name   string
	Status Status
	Output []string // lines printed while it was the running test
}

// Package is one test binary's section of a boot's console output.
type Package struct {
	Name         string
	Tests        map[string]*Test
	Order        []string // names in order of first appearance
	Begun, Ended bool     // its begin and end markers were seen
	Status       string   // from the end marker: exit code, "signal N", "killed"
	Time         string   // from the end marker
	Crash        []string // the binary's own panic or fatal error, first lines
}

// Boot is everything one kernel's console said.
type Boot struct {
	Packages map[string]*Package
	Notes    []string // guest init's notes
	Done     bool     // init got to the end of its plan
}

var (
	runLine    = regexp.MustCompile(`^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)`)
	resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)
	// A binary-level end: the test framework's timeout, a panic that
	// escaped a test, or the runtime's fatal errors (a crash in the
	// kernel's signal delivery looks like these).
	crashLine = regexp.MustCompile(`^(panic: |fatal error: |unexpected (signal|fault address))`)
	endFields = regexp.MustCompile(`^(\S+) status=(.*) time=(\S+)$`)
)

// Parse reads a boot's console output. Output outside a begin/end pair
// belongs to no package (the kernels' own lines, init's notes); a package
// whose end marker never came keeps what it printed, and its tests that
// started without a result are Unfinished.
func Parse(out string) *Boot {
	b := &Boot{Packages: map[string]*Package{}}
	var pkg *Package
	var cur *Test     // the test output lines belong to
	crashing := false // lines go to pkg.Crash
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, plan.Begin):
			name := strings.TrimPrefix(line, plan.Begin)
			pkg = &Package{Name: name, Tests: map[string]*Test{}, Begun: true}
			b.Packages[name] = pkg
			cur, crashing = nil, false
			continue
		case strings.HasPrefix(line, plan.End):
			if m := endFields.FindStringSubmatch(strings.TrimPrefix(line, plan.End)); m != nil {
				if p := b.Packages[m[1]]; p != nil {
					p.Ended, p.Status, p.Time = true, m[2], m[3]
				}
			}
			pkg, cur, crashing = nil, nil, false
			continue
		case strings.HasPrefix(line, plan.Note):
			b.Notes = append(b.Notes, strings.TrimPrefix(line, plan.Note))
			continue
		case line == plan.Done:
			b.Done = true
			continue
		case pkg == nil:
			continue
		}
		if m := runLine.FindStringSubmatch(line); m != nil {
			t := pkg.test(m[2])
			if m[1] != "PAUSE" {
				cur = t
			}
			crashing = false
			continue
		}
		if m := resultLine.FindStringSubmatch(line); m != nil {
			t := pkg.test(m[2])
			t.Status = map[string]Status{"PASS": Pass, "FAIL": Fail, "SKIP": Skip}[m[1]]
			cur, crashing = t, false
			continue
		}
		if crashLine.MatchString(line) && len(pkg.Crash) == 0 {
			crashing = true
		}
		switch {
		case crashing:
			pkg.Crash = keep(pkg.Crash, line)
		case cur != nil:
			cur.Output = keep(cur.Output, line)
		}
	}
	return b
}

// test returns the named test, adding it as Unfinished: a test is named
// first by its === RUN line, and only a result line finishes it.
func (p *Package) test(name string) *Test {
	t := p.Tests[name]
	if t == nil {
		t = &Test{Name: name, Status: Unfinished}
		p.Tests[name] = t
		p.Order = append(p.Order, name)
	}
	return t
}

func keep(lines []string, line string) []string {
	if len(lines) >= keptLines {
		return lines
	}
	return append(lines, line)
}
