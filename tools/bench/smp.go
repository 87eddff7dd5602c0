package main

import (
	"fmt"
	"os"

	"sigil/tools/qemu"
)

// The SMP section (issue 13) runs at -smp 2:
//
//   - /bin/smpbench (user/c/smpbench.c) on Sigil and Linux under plain TCG:
//     QEMU's multi-threaded TCG runs each vCPU on a host thread, so two
//     CPU-bound threads can go twice as fast. Under -icount QEMU runs all
//     vCPUs round-robin on one host thread and a speed-up cannot show; and
//     Linux 6.1 does not get past "Bringing up secondary CPUs" with
//     -icount and -smp 2 in QEMU 7.2, so the latency rows beside Linux are
//     plain TCG too. The guest TSC then follows the host's clock: the
//     figures are noisy on a busy host, medians over rounds, never
//     pass/fail.
//   - /bin/smpbench on Sigil once more with -icount: its latencies in
//     instructions, deterministic, Sigil's alone.
//   - /bin/bench on both kernels at -smp 1 and -smp 2 under plain TCG,
//     keyboard rows included: the single-CPU rows must not get worse for a
//     second CPU being online (the target), and Linux's ratios
//     say what the emulator itself adds (its multi-threaded TCG makes
//     atomics dearer, and a fork's child may run on the other vCPU).
//   - /bin/bench on Sigil with the main table's clock (-icount by default)
//     at -smp 2, against the -smp 1 figures. Deterministic, but QEMU 7.2's
//     round robin under -icount runs a vCPU that follows one which used
//     its whole turn for no instruction at all (icount_prepare_for_run
//     sizes the turn to the next timer deadline before the expired timers
//     run, and the loop starts again at CPU 0), so CPU 1 runs only while
//     CPU 0 halts or pauses: a thread handed to CPU 1 waits for that, and
//     the Go runtime's second P mostly runs on CPU 0.

// smpCPUs is the -smp of the whole section but "smpbench pairs", which
// runs at pairsCPUs: one futex ping-pong, then two at once.
const (
	smpCPUs   = 2
	pairsCPUs = 4
)

// An smpResult holds the section's runs.
type smpResult struct {
	sigilTCG, linuxTCG []run  // smpbench, plain TCG, one per round
	sigilIcount        []run  // smpbench, -icount (empty without icount)
	sigil2             *guest // bench at -smp 2, with the main table's clock
	rounds             int    // boots of each kernel under plain TCG
	// rowsTCG is bench and its keyboard mode under plain TCG, a run of
	// each per round: [0] Sigil, [1] Linux; [0] -smp 1, [1] -smp smpCPUs.
	rowsTCG [2][2]*guest
}

// runSMP boots everything the section prints. cfg builds a boot of g with
// init /bin/prog and its arguments args in the main table's configuration.
func runSMP(sigil, lnx *guest, cfg func(g *guest, prog, args string) qemu.Config, icount bool, rounds, kbd int) (*smpResult, error) {
	res := &smpResult{rounds: rounds}
	smp := func(c qemu.Config) qemu.Config {
		c.CPUs = smpCPUs
		return c
	}
	// The single-CPU rows at -smp 2, as the main table boots them.
	s2 := &guest{name: sigil.name + " -smp 2", kernel: sigil.kernel, cmdline: sigil.cmdline}
	fmt.Fprintf(os.Stderr, "bench: smp: Sigil bench at -smp %d\n", smpCPUs)
	if err := bootRows(s2, func(args string) qemu.Config { return smp(cfg(s2, "bench", args)) }, kbd, true); err != nil {
		return nil, err
	}
	res.sigil2 = s2

	// smpbench: the same boots with init=/bin/smpbench; under plain TCG
	// "smpbench pairs" at -smp pairsCPUs too, its figures in the same run.
	smpbench := func(g *guest, tcg bool) (run, error) {
		c := smp(cfg(g, "smpbench", ""))
		if tcg {
			c.Accel, c.Extra = "tcg", nil
		}
		out, _, err := bootBench(c, 0)
		if err != nil {
			return run{}, fmt.Errorf("%s smpbench: %w", g.name, err)
		}
		r := parse(out)
		if !tcg {
			return r, nil
		}
		c = cfg(g, "smpbench", "pairs")
		c.Accel, c.Extra, c.CPUs, c.QMP = "tcg", nil, pairsCPUs, false
		if out, _, err = bootBench(c, 0); err != nil {
			return run{}, fmt.Errorf("%s smpbench pairs at -smp %d: %w", g.name, pairsCPUs, err)
		}
		for op, f := range parse(out).ops {
			r.ops[op] = f
		}
		return r, nil
	}
	for i := 1; i <= rounds; i++ {
		for _, g := range []*guest{sigil, lnx} {
			fmt.Fprintf(os.Stderr, "bench: smp: round %d/%d: %s smpbench, plain TCG\n", i, rounds, g.name)
			r, err := smpbench(g, true)
			if err != nil {
				return nil, err
			}
			if g == sigil {
				res.sigilTCG = append(res.sigilTCG, r)
			} else {
				res.linuxTCG = append(res.linuxTCG, r)
			}
		}
	}
	for k, g := range []*guest{sigil, lnx} {
		for j, cpus := range []int{1, smpCPUs} {
			res.rowsTCG[k][j] = &guest{name: fmt.Sprintf("%s -smp %d, plain TCG", g.name, cpus), kernel: g.kernel, cmdline: g.cmdline}
		}
	}
	for i := 1; i <= rounds; i++ {
		for k, g := range []*guest{sigil, lnx} {
			for j, cpus := range []int{1, smpCPUs} {
				fmt.Fprintf(os.Stderr, "bench: smp: round %d/%d: %s bench at -smp %d, plain TCG\n", i, rounds, g.name, cpus)
				gt := res.rowsTCG[k][j]
				tcg := func(args string) qemu.Config {
					c := cfg(gt, "bench", args)
					c.Accel, c.Extra, c.CPUs = "tcg", nil, cpus
					return c
				}
				if err := bootRows(gt, tcg, kbd, false); err != nil {
					return nil, err
				}
			}
		}
	}
	if icount {
		fmt.Fprintln(os.Stderr, "bench: smp: Sigil smpbench, -icount")
		r, err := smpbench(sigil, false)
		if err != nil {
			return nil, err
		}
		res.sigilIcount = append(res.sigilIcount, r)
	}
	return res, nil
}
