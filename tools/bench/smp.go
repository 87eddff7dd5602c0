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
//   - /bin/bench on Sigil with the main table's clock (-icount by default)
//     at -smp 2, against the -smp 1 figures: the single-CPU rows must not
//     get worse for a second CPU being online.

// smpCPUs is the -smp of the whole section.
const smpCPUs = 2

// An smpResult holds the section's runs.
type smpResult struct {
	sigilTCG, linuxTCG []run  // smpbench, plain TCG, one per round
	sigilIcount        []run  // smpbench, -icount (empty without icount)
	sigil2             *guest // bench at -smp 2, with the main table's clock
	rounds             int    // boots of each kernel under plain TCG
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
	s2 := &guest{name: sigil.name, kernel: sigil.kernel, cmdline: sigil.cmdline}
	fmt.Fprintf(os.Stderr, "bench: smp: Sigil bench at -smp %d\n", smpCPUs)
	out, wall, err := bootBench(smp(cfg(s2, "bench", "")), 0)
	if err != nil {
		return nil, fmt.Errorf("Sigil -smp %d: %w", smpCPUs, err)
	}
	r := parse(out)
	r.wall = uint64(wall)
	s2.runs = append(s2.runs, r)
	for _, args := range []string{fmt.Sprintf("kbd %d", kbd), fmt.Sprintf("irqsig %d", kbd)} {
		c := smp(cfg(s2, "bench", args))
		if args[0] == 'i' {
			c.Append = "kbd=user " + c.Append
		}
		out, _, err := bootBench(c, kbd)
		if err != nil {
			return nil, fmt.Errorf("Sigil -smp %d %s: %w", smpCPUs, args, err)
		}
		s2.kbds = append(s2.kbds, parse(out))
	}
	res.sigil2 = s2

	// smpbench: the same boots with init=/bin/smpbench.
	smpbench := func(g *guest, tcg bool) (run, error) {
		c := smp(cfg(g, "smpbench", ""))
		if tcg {
			c.Accel, c.Extra = "tcg", nil
		}
		out, _, err := bootBench(c, 0)
		if err != nil {
			return run{}, fmt.Errorf("%s smpbench: %w", g.name, err)
		}
		return parse(out), nil
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
