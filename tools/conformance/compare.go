package main

import "strings"

// Diff is one test whose result on Sigil is not Linux's.
type Diff struct {
	Name         string
	Linux, Sigil Status
	Output       []string // Sigil's output for it
	NotRun       int      // subtests folded into this line: Sigil never got to them
}

// Counts tallies one boot's results in one package.
type Counts struct{ Pass, Fail, Skip, Unfinished int }

func count(p *Package) Counts {
	var c Counts
	if p == nil {
		return c
	}
	for _, t := range p.Tests {
		switch t.Status {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Skip:
			c.Skip++
		case Unfinished:
			c.Unfinished++
		}
	}
	return c
}

// compare lists, in Linux's order and then in Sigil's for tests Linux
// never named, every test whose status differs between the two boots.
func compare(linux, sigil *Package) []Diff {
	var names []string
	seen := map[string]bool{}
	for _, p := range []*Package{linux, sigil} {
		if p == nil {
			continue
		}
		for _, n := range p.Order {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	var diffs []Diff
	for _, n := range names {
		l, s := status(linux, n), status(sigil, n)
		if l == s {
			continue
		}
		d := Diff{Name: n, Linux: l, Sigil: s}
		if sigil != nil && sigil.Tests[n] != nil {
			d.Output = sigil.Tests[n].Output
		}
		diffs = append(diffs, d)
	}
	return fold(diffs)
}

// fold drops the subtests Sigil never reached because an enclosing test
// failed or hung first, counting them on that test's line instead: a
// TempDir that fails takes dozens of table-driven subtests with it.
func fold(diffs []Diff) []Diff {
	at := map[string]int{}
	var out []Diff
	for _, d := range diffs {
		if d.Sigil == Missing {
			if i, ok := enclosing(at, d.Name); ok && (out[i].Sigil == Fail || out[i].Sigil == Unfinished) {
				out[i].NotRun++
				continue
			}
		}
		at[d.Name] = len(out)
		out = append(out, d)
	}
	return out
}

// enclosing finds the nearest test above name that has a line in at.
func enclosing(at map[string]int, name string) (int, bool) {
	for {
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return 0, false
		}
		name = name[:i]
		if j, ok := at[name]; ok {
			return j, true
		}
	}
}

// differing counts the differing tests, folded ones included.
func differing(diffs []Diff) int {
	n := len(diffs)
	for _, d := range diffs {
		n += d.NotRun
	}
	return n
}

func status(p *Package, name string) Status {
	if p == nil || p.Tests[name] == nil {
		return Missing
	}
	return p.Tests[name].Status
}

// agreement counts the tests that pass on Linux and, of those, the ones
// that pass on Sigil too: the issue is done when the two are equal.
func agreement(linux, sigil *Package) (linuxPass, both int) {
	if linux == nil {
		return 0, 0
	}
	for n, t := range linux.Tests {
		if t.Status == Pass {
			linuxPass++
			if status(sigil, n) == Pass {
				both++
			}
		}
	}
	return linuxPass, both
}
