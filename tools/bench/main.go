// Command bench runs Sigil's event-path benchmark (user/c/bench.c) side by
// side with Debian's Linux kernel in the same QEMU configuration and prints
// one table: operation, Sigil median, Linux median, ratio Sigil/Linux. It
// also prints boot time to init's first line for both and Sigil's memory
// footprint. `make bench` builds the kernel and initrd and runs it.
//
// Each round boots, alternately, Sigil and Linux with the same initrd:
// once with /bin/bench (every round trip, boot and memory figures) and
// once with `/bin/bench kbd N` while N Ctrl+C are typed on the PS/2
// keyboard over QMP. A figure in the table is the median, over rounds, of
// the per-boot medians.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"sigil/tools/qemu"
)

func main() {
	kernel := flag.String("kernel", "build/sigil", "Sigil image")
	initrd := flag.String("initrd", "build/initrd.cpio", "initrd holding /bin/bench")
	linux := flag.String("linux", "", "Linux bzImage (default: newest /boot/vmlinuz-*, installing linux-image-amd64 when missing)")
	mem := flag.String("m", "256M", "guest RAM for the benchmark boots")
	rounds := flag.Int("rounds", 0, "boots of each kernel per benchmark (default: 1 with -clock icount, 3 with tcg)")
	clock := flag.String("clock", "icount", "icount: count guest instructions (deterministic, TCG); tcg or kvm: the guest TSC in real time")
	kbd := flag.Int("kbd", 10, "Ctrl+C presses per keyboard boot")
	accel := flag.String("accel", "", "kvm, tcg or auto (default: as the boot tests decide)")
	verbose := flag.Bool("v", false, "copy serial output to stderr")
	smp := flag.Bool("smp", true, "run the SMP section (-smp 2; see smp.go)")
	smpRounds := flag.Int("smp-rounds", 3, "boots of each kernel with /bin/smpbench under plain TCG")
	rowsOnly := flag.Bool("smp-rows-only", false, "boot Sigil alone: the main table's rows at -smp 1 and -smp 2 and their ratios (the SMP section's last table), nothing else")
	flag.Parse()
	if *rounds == 0 {
		*rounds = 3
		if *clock == "icount" {
			*rounds = 1 // every run counts the same
		}
	}
	if *clock != "icount" && *accel == "" {
		*accel = *clock
	}
	if !*smp {
		*smpRounds = 0
	}
	if err := benchmark(*kernel, *initrd, *linux, *mem, *accel, *clock == "icount", *rounds, *smpRounds, *kbd, *rowsOnly, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// A guest is one kernel under test and how to start the benchmark on it.
type guest struct {
	name, kernel string
	cmdline      func(prog, args string) string // /bin/PROG and its arguments -> kernel command line
	runs, kbds   []run
}

// smpRounds 0 skips the SMP section. rowsOnly boots Sigil alone, for the
// main table's rows at -smp 1 and -smp 2.
func benchmark(kernel, initrd, linuxImage, mem, accel string, icount bool, rounds, smpRounds, kbd int, rowsOnly, verbose bool) error {
	if linuxImage == "" {
		var err error
		if linuxImage, err = qemu.FindLinux(os.Stderr); err != nil {
			return err
		}
	}
	for _, f := range []string{kernel, initrd, linuxImage} {
		if fd, err := os.Open(f); err != nil {
			return fmt.Errorf("%v (build with `make kernel`; Debian's vmlinuz is readable by root only)", err)
		} else {
			fd.Close()
		}
	}
	acc, err := qemu.ResolveAccel(accel, kernel)
	if err != nil {
		return err
	}
	var extra []string
	if icount {
		// QEMU's instruction counting: the guest's clock, and so its
		// TSC, advances one nanosecond per instruction executed (and
		// jumps over idle time), so a "cycle" is an instruction and a
		// figure is the same on any host, loaded or not. TCG only.
		acc, extra = "tcg", qemu.Icount
	}
	unit := acc + ", cycles of the guest TSC"
	if icount {
		unit = "tcg -icount, instructions (one per nanosecond of guest time)"
	}
	sigil := &guest{name: "Sigil", kernel: kernel, cmdline: func(prog, args string) string {
		return "init=/bin/" + prog + initArgs(args)
	}}
	lnx := &guest{name: "Linux", kernel: linuxImage, cmdline: func(prog, args string) string {
		// panic=-1 with QEMU's -no-reboot ends the machine when init exits.
		return "console=ttyS0 quiet panic=-1 rdinit=/bin/" + prog + initArgs(args)
	}}
	cfgProg := func(g *guest, prog, args string) qemu.Config {
		c := qemu.Config{Kernel: g.kernel, Initrd: initrd, Append: g.cmdline(prog, args), Memory: mem,
			Accel: acc, DebugExit: true, QMP: args != "", Timeout: 5 * time.Minute, Extra: extra}
		if verbose {
			c.Log = qemu.Prefixed(os.Stderr, g.name+"| ")
		}
		return c
	}
	cfg := func(g *guest, args string) qemu.Config { return cfgProg(g, "bench", args) }
	start := time.Now()
	guests := []*guest{sigil, lnx}
	if rowsOnly {
		guests = guests[:1]
	}
	for r := 1; r <= rounds; r++ {
		for _, g := range guests {
			fmt.Fprintf(os.Stderr, "bench: round %d/%d: %s\n", r, rounds, g.name)
			if err := bootRows(g, func(args string) qemu.Config { return cfg(g, args) }, kbd, g == sigil); err != nil {
				return err
			}
		}
	}
	if rowsOnly {
		smp, err := runSMP(sigil, lnx, cfgProg, false, 0, kbd)
		if err != nil {
			return err
		}
		printSMPRows(os.Stdout, smp, sigil, unit)
		return nil
	}
	var smp *smpResult
	if smpRounds > 0 {
		var err error
		if smp, err = runSMP(sigil, lnx, cfgProg, icount, smpRounds, kbd); err != nil {
			return err
		}
	}
	fmt.Fprintln(os.Stderr, "bench: smallest -m that boots Sigil to the shell")
	minMem, err := smallestMemory(kernel, initrd, acc, "")
	if err != nil {
		return err
	}
	// The Go shell's runtime maps a 32 MiB heap index at start, which
	// the default heuristic refuses on a machine with less memory: the
	// floor without that refusal says what the kernel itself costs.
	minAlways, err := smallestMemory(kernel, initrd, acc, "sysctl.vm.overcommit_memory=1")
	if err != nil {
		return err
	}

	release := strings.TrimPrefix(filepath.Base(linuxImage), "vmlinuz-")
	fmt.Printf("Sigil vs Linux %s on %s, %s, %d rounds, %s\n", release, qemu.Binary, unit, rounds, time.Now().Format("2006-01-02"))
	fmt.Printf("QEMU: %s\n\n", shellQuote(append([]string{qemu.Binary}, qemu.Args(cfg(sigil, ""), acc, "")...)))
	printTable(os.Stdout, sigil, lnx)
	fmt.Println()
	printFootprint(os.Stdout, kernel, sigil, lnx, minMem, minAlways)
	if smp != nil {
		fmt.Println()
		printSMP(os.Stdout, smp, sigil, unit)
	}
	fmt.Fprintf(os.Stderr, "bench: took %v\n", time.Since(start).Round(time.Second))
	return nil
}

// bootRows boots g's bench for the main table's rows, then its keyboard
// mode with kbd Ctrl+C, and with userDriver the same keys to a user-space
// driver (kbd=user: the row is Sigil's alone, Linux has no /dev/irq),
// adding the runs to g's. cfg makes the boot of bench with args.
func bootRows(g *guest, cfg func(args string) qemu.Config, kbd int, userDriver bool) error {
	out, wall, err := bootBench(cfg(""), 0)
	if err != nil {
		return fmt.Errorf("%s: %w", g.name, err)
	}
	r := parse(out)
	r.wall = uint64(wall)
	g.runs = append(g.runs, r)
	modes := []string{fmt.Sprintf("kbd %d", kbd)}
	if userDriver {
		modes = append(modes, fmt.Sprintf("irqsig %d", kbd))
	}
	for _, args := range modes {
		c := cfg(args)
		if args[0] == 'i' {
			c.Append = "kbd=user " + c.Append
		}
		if out, _, err = bootBench(c, kbd); err != nil {
			return fmt.Errorf("%s %s: %w", g.name, args, err)
		}
		g.kbds = append(g.kbds, parse(out))
	}
	return nil
}

var (
	anyBench = regexp.MustCompile(`^(?:smp)?bench: `)
	done     = regexp.MustCompile(`^(?:smp)?bench: done$`)
	kbdReady = regexp.MustCompile(`^bench: kbd ready`)
	kbdDone  = regexp.MustCompile(`^bench: kbd.*median|^bench: kbd: `)
)

// bootBench boots one benchmark run and returns its serial output and the
// host time to init's first line. With keys > 0 it types that many Ctrl+C
// once the program is ready.
func bootBench(cfg qemu.Config, keys int) (string, time.Duration, error) {
	t0 := time.Now()
	m, err := qemu.Start(context.Background(), cfg)
	if err != nil {
		return "", 0, err
	}
	defer m.Kill()
	first, end := anyBench, done
	if keys > 0 {
		first, end = kbdReady, kbdDone
	}
	if _, err := m.WaitFor(first, 3*time.Minute); err != nil {
		return "", 0, err
	}
	wall := time.Since(t0)
	if keys > 0 {
		for i := 0; i < keys; i++ {
			if err := m.SendKeys("ctrl", "c"); err != nil {
				return "", 0, err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if _, err := m.WaitFor(end, 3*time.Minute); err != nil {
		return "", 0, err
	}
	return m.Output(), wall, nil
}

// smallestMemory finds, by bisection in MiB, the least -m with which Sigil
// boots to its shell prompt with the kernel command line cmdline.
func smallestMemory(kernel, initrd, accel, cmdline string) (int, error) {
	boots := func(mib int) bool {
		m, err := qemu.Start(context.Background(), qemu.Config{Kernel: kernel, Initrd: initrd, Append: cmdline,
			Memory: fmt.Sprintf("%dM", mib), Accel: accel, DebugExit: true, Timeout: time.Minute})
		if err != nil {
			return false
		}
		defer m.Kill()
		_, err = m.WaitFor(regexp.MustCompile(`^Sigil shell`), time.Minute)
		return err == nil
	}
	lo, hi := 1, 64 // lo fails (QEMU's floor), hi boots
	if !boots(hi) {
		return 0, fmt.Errorf("Sigil does not boot to the shell with -m %dM", hi)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if boots(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}

// initArgs passes args to init: both kernels give init what follows "--".
func initArgs(args string) string {
	if args == "" {
		return ""
	}
	return " -- " + args
}

// shellQuote renders a command line as a shell would read it.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if strings.ContainsAny(a, " '\"$") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}
