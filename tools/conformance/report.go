package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// kernelRun is one kernel's boot as the report tells it.
type kernelRun struct {
	Name string
	Boot *Boot
	Wall time.Duration
	End  string // how the boot ended, in words
	Tail string // the console's last lines, quoted when init did not finish
}

// report prints the summary table, then per package every test whose
// result differs, with up to excerpt lines of Sigil's output for it.
func report(w io.Writer, pkgs []string, linux, sigil *kernelRun, excerpt int) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kernel\twall time\tend of the boot")
	for _, k := range []*kernelRun{linux, sigil} {
		fmt.Fprintf(tw, "%s\t%v\t%s\n", k.Name, k.Wall.Round(time.Second), k.End)
	}
	tw.Flush()
	for _, k := range []*kernelRun{linux, sigil} {
		for _, n := range k.Boot.Notes {
			fmt.Fprintf(w, "%s init: %s\n", k.Name, n)
		}
		// A kernel panic or a hang outside any test shows only here.
		if !k.Boot.Done && k.Tail != "" {
			fmt.Fprintf(w, "%s's console ended with:\n", k.Name)
			printExcerpt(w, strings.Split(k.Tail, "\n"), -1)
		}
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "package\tLinux pass\tfail\tskip\thung\texit\tSigil pass\tfail\tskip\thung\texit\tdiffer\t")
	for _, name := range pkgs {
		l, s := linux.Boot.Packages[name], sigil.Boot.Packages[name]
		lc, sc := count(l), count(s)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t\n", name,
			lc.Pass, lc.Fail, lc.Skip, lc.Unfinished, exit(l),
			sc.Pass, sc.Fail, sc.Skip, sc.Unfinished, exit(s), differing(compare(l, s)))
	}
	tw.Flush()
	fmt.Fprintln(w, "(counts include subtests; hung: started without a result, the binary hung, crashed or was killed)")
	var linuxPass, both int
	for _, name := range pkgs {
		lp, b := agreement(linux.Boot.Packages[name], sigil.Boot.Packages[name])
		linuxPass, both = linuxPass+lp, both+b
	}
	fmt.Fprintf(w, "Sigil passes %d of the %d tests that pass on Linux.\n", both, linuxPass)

	for _, name := range pkgs {
		l, s := linux.Boot.Packages[name], sigil.Boot.Packages[name]
		diffs := compare(l, s)
		if len(diffs) == 0 && exit(l) == exit(s) {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d tests differ (Linux -> Sigil)\n", name, differing(diffs))
		for _, k := range []*kernelRun{linux, sigil} {
			if p := k.Boot.Packages[name]; p != nil && p.Status != "0" {
				fmt.Fprintf(w, "  %s's binary: %s\n", k.Name, ended(p))
			}
		}
		for _, k := range []*kernelRun{linux, sigil} {
			if p := k.Boot.Packages[name]; p != nil && len(p.Crash) > 0 {
				fmt.Fprintf(w, "  %s's binary ended with:\n", k.Name)
				printExcerpt(w, p.Crash, excerpt)
			}
		}
		width := 0
		for _, d := range diffs {
			width = max(width, len(d.Name))
		}
		for _, d := range diffs {
			more := ""
			if d.NotRun > 0 {
				more = fmt.Sprintf(" (and %d subtests not run)", d.NotRun)
			}
			fmt.Fprintf(w, "  %-*s  %v -> %v%s\n", width, d.Name, d.Linux, d.Sigil, more)
			if d.Sigil == Fail || d.Sigil == Skip {
				printExcerpt(w, d.Output, excerpt)
			}
		}
	}
}

// exit says how a package's binary ended.
func exit(p *Package) string {
	switch {
	case p == nil:
		return "not run"
	case !p.Ended:
		return "no end"
	case strings.HasPrefix(p.Status, "start failed"):
		return "no start"
	}
	return p.Status
}

// ended says in words how a package's binary ended.
func ended(p *Package) string {
	if !p.Ended {
		return "began, no end marker (the boot ended first)"
	}
	return fmt.Sprintf("status %s after %s", p.Status, p.Time)
}

// printExcerpt prints the first n non-blank lines (n < 0: all), indented
// under the test.
func printExcerpt(w io.Writer, lines []string, n int) {
	for _, l := range lines {
		if n == 0 {
			return
		}
		if l = strings.TrimSpace(l); l != "" {
			fmt.Fprintf(w, "      %s\n", l)
			n--
		}
	}
}
