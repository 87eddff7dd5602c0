package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// smpRows are smpbench's latency rows and the target Sigil/Linux.
var smpRows = []struct {
	label, op string
	target    float64
}{
	// A reschedule IPI each way: user space's IPI round trip.
	{"futex wake ping-pong across CPUs, round trip", "futex ping-pong across CPUs", 0},
	{"tgkill -> SIGUSR1 handler on the other CPU", "tgkill -> handler on other CPU", 1.0},
}

func printSMP(w io.Writer, s *smpResult, sigil *guest, unit string) {
	fmt.Fprintf(w, "SMP, -smp %d: Sigil vs Linux under plain TCG (one host thread per vCPU; cycles of the guest TSC, host time), medians over %d boots (**)\n",
		smpCPUs, s.rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tSigil median\tLinux median\tSigil/Linux\ttarget\tSigil p99\tLinux p99\tSigil -icount\tSigil -icount p99\t")
	up := func(runs []run) uint64 {
		return medianOver(runs, func(r run) (uint64, bool) { return r.speedup, r.speedup > 0 })
	}
	su, lu := up(s.sigilTCG), up(s.linuxTCG)
	ratio, _ := ratioTarget(su, lu, 0)
	fmt.Fprintf(tw, "parallel speed-up 2*T1/T2, 2 threads\t%.2f\t%.2f\t%s\t>= 1.0\t-\t-\t-\t-\t\n",
		float64(su)/1000, float64(lu)/1000, ratio)
	for _, r := range smpRows {
		sf, lf := opMedian(s.sigilTCG, r.op), opMedian(s.linuxTCG, r.op)
		ratio, tgt := ratioTarget(sf.median, lf.median, r.target)
		icount, icountP99 := "-", "-"
		if len(s.sigilIcount) > 0 {
			f := opMedian(s.sigilIcount, r.op)
			icount, icountP99 = fmt.Sprint(f.median), fmt.Sprint(f.p99)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t\n", r.label, sf.median, lf.median, ratio, tgt, sf.p99, lf.p99, icount, icountP99)
	}
	tw.Flush()
	fmt.Fprintln(w, "(**) plain TCG because QEMU's -icount runs all vCPUs round-robin on one host thread (no speed-up can show) and Linux 6.1 hangs")
	fmt.Fprintln(w, "     at \"Bringing up secondary CPUs\" with -icount and -smp 2; the host may be busy, so these are figures, not pass/fail.")
	fmt.Fprintln(w, "     Sigil -icount: the same program on Sigil alone with -icount shift=0,sleep=off (instructions, deterministic).")

	fmt.Fprintf(w, "\nSigil -smp %d vs -smp 1, the main table's rows (%s)\n", smpCPUs, unit)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "operation\t-smp 1 median\t-smp %d median\tsmp%d/smp1\ttarget\t-smp 1 p99\t-smp %d p99\t\n", smpCPUs, smpCPUs, smpCPUs)
	one, two := append(sigil.runs, sigil.kbds...), append(s.sigil2.runs, s.sigil2.kbds...)
	line := func(label string, a, b figure, target float64) {
		ratio, tgt := ratioTarget(b.median, a.median, target)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t\n", label, a.median, b.median, ratio, tgt, a.p99, b.p99)
	}
	for _, r := range rows {
		line(r.label, opMedian(one, r.sigilOp), opMedian(two, r.sigilOp), 1.0)
	}
	boot := func(g *guest) figure {
		return figure{median: medianOver(g.runs, func(r run) (uint64, bool) { return r.bootCycles, true })}
	}
	line("boot to init (TSC from reset)", boot(sigil), boot(s.sigil2), 0)
	tw.Flush()
}
