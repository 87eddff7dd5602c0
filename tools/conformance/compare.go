package main

// Diff is one test whose result on Sigil is not Linux's.
type Diff struct {
	Name         string
	Linux, Sigil Status
	Output       []string // Sigil's output for it
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
	return diffs
}

func status(p *Package, name string) Status {
	if p == nil || p.Tests[name] == nil {
		return Missing
	}
	return p.Tests[name].Status
}
