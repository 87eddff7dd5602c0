package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// A row of the table: the operation as each guest's benchmark names it
// and the target ratio Sigil/Linux (0: none).
type row struct {
	label, sigilOp, linuxOp string
	target                  float64
}

// linuxName is the operation as Linux's run of the benchmark names it.
func (r row) linuxName() string {
	if r.linuxOp == "" {
		return r.sigilOp
	}
	return r.linuxOp
}

var rows = []row{
	{"getpid round trip", "getpid round trip", "", 1.0},
	{"kill-self -> SIGUSR1 handler -> return", "kill-self -> handler -> return", "", 0.7},
	{"#DE -> SIGFPE handler -> resume", "#DE -> SIGFPE -> resume", "", 0.7},
	{"sigqueue + sigwaitinfo", "sigqueue + sigwaitinfo", "", 0.8},
	{"fork + _exit + wait4", "fork + _exit + wait4", "", 0},
	{"pipe ping-pong round trip", "pipe ping-pong round trip", "", 0},
	// The sleep's own 100,000 included: the timer's precision.
	{"nanosleep 100 us", "nanosleep 100 us", "", 0},
	// Both kernels' stamps are their trace's irq_handler_entry for IRQ 1
	// (see user/c/bench.c).
	{"kbd IRQ 1 handler -> SIGINT handler (*)", "kbd IRQ 1 handler -> SIGINT handler", "", 1.0},
	// Sigil booted with kbd=user: the same interrupts to a user-space
	// driver's handler through /dev/irq/1 and O_ASYNC (no Linux figure).
	{"kbd IRQ 1 -> user driver SIGRTMIN handler (*)", "kbd IRQ 1 -> user driver SIGRTMIN handler", "", 0},
}

// medianOver is the median over runs of one figure read from each run;
// runs without it (ok false) do not count.
func medianOver(runs []run, get func(r run) (v uint64, ok bool)) uint64 {
	var xs []uint64
	for _, r := range runs {
		if v, ok := get(r); ok {
			xs = append(xs, v)
		}
	}
	return median(xs)
}

// opMedian is one operation's median over boots of the per-boot median and
// p99.
func opMedian(runs []run, op string) figure {
	med := medianOver(runs, func(r run) (uint64, bool) { f, ok := r.ops[op]; return f.median, ok })
	p99 := medianOver(runs, func(r run) (uint64, bool) { f, ok := r.ops[op]; return f.p99, ok })
	return figure{med, p99}
}

// ratioTarget formats num/den to two places ("n/a" unless both are
// known) and a target ratio ("<= target", or "" for none).
func ratioTarget(num, den uint64, target float64) (ratio, tgt string) {
	ratio = "n/a"
	if num > 0 && den > 0 {
		ratio = fmt.Sprintf("%.2f", float64(num)/float64(den))
	}
	if target > 0 {
		tgt = fmt.Sprintf("<= %.1f", target)
	}
	return ratio, tgt
}

func printTable(w io.Writer, sigil, lnx *guest) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tSigil median\tLinux median\tSigil/Linux\ttarget\tSigil p99\tLinux p99\t")
	line := func(label string, s, l figure, target float64) {
		ratio, tgt := ratioTarget(s.median, l.median, target)
		lm, lp := fmt.Sprint(l.median), fmt.Sprint(l.p99)
		if l.median == 0 {
			lm, lp = "-", "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\t\n", label, s.median, lm, ratio, tgt, s.p99, lp)
	}
	for _, r := range rows {
		s := opMedian(append(sigil.runs, sigil.kbds...), r.sigilOp)
		l := opMedian(append(lnx.runs, lnx.kbds...), r.linuxName())
		line(r.label, s, l, r.target)
	}
	boot := func(g *guest) figure {
		return figure{median: medianOver(g.runs, func(r run) (uint64, bool) { return r.bootCycles, true })}
	}
	line("boot to init (TSC from reset)", boot(sigil), boot(lnx), 0.1)
	tw.Flush()
	fmt.Fprintln(w, "(*) from each kernel's trace event irq_handler_entry for IRQ 1 (tracefs trace file, x86-tsc clock); Sigil records it after its entry stub, Linux after common_interrupt.")
	fmt.Fprintf(w, "boot to init's first line, host wall time from QEMU's start: Sigil %v, Linux %v\n",
		wallMedian(sigil), wallMedian(lnx))
}

func wallMedian(g *guest) time.Duration {
	ns := medianOver(g.runs, func(r run) (uint64, bool) { return r.wall, true })
	return time.Duration(ns).Round(time.Millisecond)
}

func printFootprint(w io.Writer, kernel string, sigil, lnx *guest, minMem, minAlways int) {
	used := func(g *guest) uint64 {
		return medianOver(g.runs, func(r run) (uint64, bool) { return r.memUsedKB, true })
	}
	size := int64(0)
	if st, err := os.Stat(kernel); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(w, "Sigil footprint: kernel image %d KiB; in use at init %d kB (%d pages; Linux: %d kB);"+
		" smallest -m that boots to the shell: %dM (%dM with sysctl.vm.overcommit_memory=1)\n",
		size/1024, used(sigil), used(sigil)/4, used(lnx), minMem, minAlways)
}
