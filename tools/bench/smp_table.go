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
	// smpbench pairs: does the kernel scale past one pair of CPUs?
	pairOps := [2]string{"futex ping-pong, 1 pairs at once", "futex ping-pong, 2 pairs at once"}
	var fig [2][2]figure // [pairs-1][kernel]
	for i, op := range pairOps {
		fig[i][0], fig[i][1] = opMedian(s.sigilTCG, op), opMedian(s.linuxTCG, op)
		ratio, _ := ratioTarget(fig[i][0].median, fig[i][1].median, 0)
		fmt.Fprintf(tw, "futex ping-pong, %d pair(s) at once, -smp %d\t%d\t%d\t%s\t\t%d\t%d\t-\t-\t\n", i+1, pairsCPUs,
			fig[i][0].median, fig[i][1].median, ratio, fig[i][0].p99, fig[i][1].p99)
	}
	sr, _ := ratioTarget(fig[1][0].median, fig[0][0].median, 0)
	lr, _ := ratioTarget(fig[1][1].median, fig[0][1].median, 0)
	fmt.Fprintf(tw, "  2 pairs / 1 pair (scaling; 1.00 is perfect)\t%s\t%s\t\t\t-\t-\t-\t-\t\n", sr, lr)
	tw.Flush()
	fmt.Fprintln(w, "(**) plain TCG because QEMU's -icount runs all vCPUs round-robin on one host thread (no speed-up can show) and Linux 6.1 hangs")
	fmt.Fprintln(w, "     at \"Bringing up secondary CPUs\" with -icount and -smp 2; the host may be busy, so these are figures, not pass/fail.")
	fmt.Fprintln(w, "     Sigil -icount: the same program on Sigil alone with -icount shift=0,sleep=off (instructions, deterministic).")
	fmt.Fprintln(w)
	printSMPRowsTCG(w, s)
	fmt.Fprintln(w)
	printSMPRows(w, s, sigil, unit)
}

// printSMPRowsTCG prints the main table's rows at -smp 2 against -smp 1 on
// both kernels under plain TCG: the target (no worse at -smp 2)
// beside what the same change costs Linux on the same emulator.
func printSMPRowsTCG(w io.Writer, s *smpResult) {
	fmt.Fprintf(w, "The main table's rows at -smp %d vs -smp 1 under plain TCG (cycles of the guest TSC, host time), medians over %d boots (***)\n",
		smpCPUs, s.rounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "operation\tSigil -smp 1\tSigil -smp %d\tSigil smp%d/smp1\ttarget\tLinux -smp 1\tLinux -smp %d\tLinux smp%d/smp1\t\n",
		smpCPUs, smpCPUs, smpCPUs, smpCPUs)
	for _, r := range rows {
		rows := func(g *guest) []run { return append(g.runs, g.kbds...) }
		s1, s2 := opMedian(rows(s.rowsTCG[0][0]), r.sigilOp), opMedian(rows(s.rowsTCG[0][1]), r.sigilOp)
		l1, l2 := opMedian(rows(s.rowsTCG[1][0]), r.linuxName()), opMedian(rows(s.rowsTCG[1][1]), r.linuxName())
		if s1.median == 0 && l1.median == 0 {
			continue // the user-driver row: its boot is Sigil's alone, under -icount
		}
		sr, tgt := ratioTarget(s2.median, s1.median, 1.0)
		lr, _ := ratioTarget(l2.median, l1.median, 0)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t\n", r.label, s1.median, s2.median, sr, tgt, l1.median, l2.median, lr)
	}
	tw.Flush()
	fmt.Fprintln(w, "(***) plain TCG: QEMU's -icount cannot run both CPUs fairly (next table) and Linux hangs with -icount at -smp 2. A busy host moves")
	fmt.Fprintln(w, "      these figures; Linux's ratio is what the emulator's second vCPU costs a kernel that does the same work.")
}

// printSMPRows prints the main table's rows on Sigil at -smp 2 against
// -smp 1, with the main table's clock.
func printSMPRows(w io.Writer, s *smpResult, sigil *guest, unit string) {
	fmt.Fprintf(w, "Sigil -smp %d vs -smp 1, the main table's rows (%s) (****)\n", smpCPUs, unit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "operation\t-smp 1 median\t-smp %d median\tsmp%d/smp1\ttarget\t-smp 1 p99\t-smp %d p99\t\n", smpCPUs, smpCPUs, smpCPUs)
	one, two := append(sigil.runs, sigil.kbds...), append(s.sigil2.runs, s.sigil2.kbds...)
	line := func(label string, a, b figure, target float64) {
		ratio, tgt := ratioTarget(b.median, a.median, target)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%d\t%d\t\n", label, a.median, b.median, ratio, tgt, a.p99, b.p99)
	}
	for _, r := range rows {
		line(r.label, opMedian(one, r.sigilOp), opMedian(two, r.sigilOp), 0)
	}
	boot := func(g *guest) figure {
		return figure{median: medianOver(g.runs, func(r run) (uint64, bool) { return r.bootCycles, true })}
	}
	line("boot to init (TSC from reset)", boot(sigil), boot(s.sigil2), 0)
	tw.Flush()
	fmt.Fprintln(w, "(****) deterministic, but not the target's measure: under -icount QEMU 7.2 runs the vCPUs in turn, sizing each turn to the")
	fmt.Fprintln(w, "       next timer deadline before it runs the expired timers, so a vCPU after one that used its whole turn gets no")
	fmt.Fprintln(w, "       instruction (accel/tcg/tcg-accel-ops-icount.c icount_prepare_for_run) and CPU 1 runs only while CPU 0 halts or")
	fmt.Fprintln(w, "       pauses, and work handed to CPU 1 waits for that. (fork at -smp 2 with maxcpus=1 costs its -smp 1 figure.)")
}
