// Command conformance runs Go's own tests of the system-call-facing
// standard library on Sigil and on Debian's Linux in the same QEMU, and
// prints where the two differ. `make conformance` runs it.
//
// It builds each package's test binary (`go test -c`, static) with the
// installed Go, packs the binaries, their packages' source folders (at
// the same absolute paths: a test runs in its source folder and reads
// its testdata) and a small init (guestinit) into one initrd, boots each
// kernel with it, and parses the `go test -v` output the binaries print
// on the serial console. A run that completes exits 0 whatever it found:
// differences are a report. A kernel that cannot be booted, or a missing
// tool, is an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"sigil/tools/busybox"
	"sigil/tools/conformance/plan"
	"sigil/tools/qemu"
)

// options are the command's flags.
type options struct {
	kernel, linux, work, mem, accel string
	pkgs, run, skip                 string
	testTimeout, timeout            time.Duration
	excerpt                         int
	parallel, verbose               bool
}

func main() {
	var o options
	flag.StringVar(&o.kernel, "kernel", "build/sigil", "Sigil image")
	flag.StringVar(&o.linux, "linux", "", "Linux bzImage (default: newest /boot/vmlinuz-*, installing linux-image-amd64 when missing)")
	flag.StringVar(&o.work, "work", "build/conformance", "folder for the test binaries, the initrd and each kernel's console log")
	flag.StringVar(&o.mem, "m", "1G", "guest RAM (the test binaries and sources live in the initrd)")
	flag.StringVar(&o.accel, "accel", "", "kvm, tcg or auto (default: as the boot tests decide)")
	flag.StringVar(&o.pkgs, "pkg", "os/signal,syscall,os/exec", "comma-separated packages whose tests to run")
	flag.StringVar(&o.run, "run", "", "passed to each test binary as -test.run")
	flag.StringVar(&o.skip, "skip", "", "passed to each test binary as -test.skip")
	flag.DurationVar(&o.testTimeout, "test-timeout", 5*time.Minute, "each binary's -test.timeout; init kills it a minute later")
	flag.DurationVar(&o.timeout, "timeout", 0, "bound on each kernel's boot (default: (test-timeout+1m) per package, plus 5m)")
	flag.IntVar(&o.excerpt, "lines", 5, "lines of Sigil's output quoted under each differing test")
	flag.BoolVar(&o.parallel, "parallel", true, "boot both kernels at once (each QEMU takes one host core)")
	flag.BoolVar(&o.verbose, "v", false, "copy both consoles to stderr as they run")
	flag.Parse()
	if err := conformance(o); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func conformance(o options) error {
	var err error
	if o.linux == "" {
		if o.linux, err = qemu.FindLinux(os.Stderr); err != nil {
			return err
		}
	}
	if _, err := qemu.LookPath(); err != nil {
		return err
	}
	for _, f := range []string{o.kernel, o.linux} {
		if fd, err := os.Open(f); err != nil {
			return fmt.Errorf("%v (build Sigil with `make kernel`; Debian's vmlinuz may be readable by root only)", err)
		} else {
			fd.Close()
		}
	}
	pkgs := strings.Split(o.pkgs, ",")
	if o.timeout == 0 {
		o.timeout = time.Duration(len(pkgs))*(o.testTimeout+time.Minute) + 5*time.Minute
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	tbs, err := buildTests(o.work, pkgs)
	if err != nil {
		return err
	}
	initBin, err := buildInit(o.work)
	if err != nil {
		return err
	}
	bb, err := busybox.Find()
	if err != nil {
		return err
	}
	initrdPath := filepath.Join(o.work, "initrd.cpio")
	if err := packInitrd(initrdPath, initBin, bb, tbs, guestPlan(o, tbs)); err != nil {
		return fmt.Errorf("initrd: %w", err)
	}
	accel, err := qemu.ResolveAccel(o.accel, o.kernel)
	if err != nil {
		return err
	}

	cfg := func(name, kernel, cmdline string) qemu.Config {
		c := qemu.Config{Kernel: kernel, Initrd: initrdPath, Append: cmdline, Memory: o.mem,
			Accel: accel, DebugExit: true, Timeout: o.timeout}
		if o.verbose {
			c.Log = qemu.Prefixed(os.Stderr, name+"| ")
		}
		return c
	}
	linux := &kernelRun{Name: "Linux"}
	sigil := &kernelRun{Name: "Sigil"}
	// panic=-1 with QEMU's -no-reboot ends the machine should init die.
	linuxCfg := cfg(linux.Name, o.linux, "console=ttyS0 quiet panic=-1 rdinit=/conformance/init")
	sigilCfg := cfg(sigil.Name, o.kernel, "init=/conformance/init")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, k := range []struct {
		run *kernelRun
		cfg qemu.Config
	}{{linux, linuxCfg}, {sigil, sigilCfg}} {
		boot := func() { errs[i] = bootKernel(k.run, k.cfg, filepath.Join(o.work, strings.ToLower(k.run.Name)+".log")) }
		if o.parallel {
			wg.Add(1)
			go func() { defer wg.Done(); boot() }()
		} else {
			boot()
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}

	release := strings.TrimPrefix(filepath.Base(o.linux), "vmlinuz-")
	fmt.Printf("Sigil vs Linux %s on %s (%s, -m %s), Go %s tests with -test.short, %s\n",
		release, qemu.Binary, accel, o.mem, strings.TrimPrefix(runtime.Version(), "go"), time.Now().Format("2006-01-02"))
	report(os.Stdout, pkgs, linux, sigil, o.excerpt)
	fmt.Printf("\nconsole logs: %s, %s\n", filepath.Join(o.work, "linux.log"), filepath.Join(o.work, "sigil.log"))
	for _, k := range []*kernelRun{linux, sigil} {
		if len(k.Boot.Packages) == 0 && len(k.Boot.Notes) == 0 {
			return fmt.Errorf("%s never reached the conformance init (see its console log)", k.Name)
		}
	}
	// Linux is the reference: without all of its results the report
	// above cannot say what Sigil should pass.
	if !linux.Boot.Done {
		return fmt.Errorf("Linux did not run every binary (%s): the comparison is incomplete", linux.End)
	}
	return nil
}

// guestPlan tells init what to run: every binary in its source folder,
// with the environment `go test` users have.
func guestPlan(o options, tbs []testBinary) plan.Plan {
	p := plan.Plan{Env: []string{"USER=root", "HOME=/root", "TMPDIR=/tmp",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}}
	args := []string{"-test.short", "-test.v", "-test.timeout=" + o.testTimeout.String()}
	if o.run != "" {
		args = append(args, "-test.run="+o.run)
	}
	if o.skip != "" {
		args = append(args, "-test.skip="+o.skip)
	}
	for _, tb := range tbs {
		p.Runs = append(p.Runs, plan.Run{Pkg: tb.Pkg, Binary: guestBinary(tb), Dir: tb.Dir, Args: args,
			Deadline: int((o.testTimeout + time.Minute) / time.Second)})
	}
	return p
}

// consoleTail is how many of its last console lines the report quotes
// for a boot whose init did not finish.
const consoleTail = 10

// bootKernel boots one kernel until init powers off or the deadline, and
// records what its console said, also in logPath. Only a QEMU that could
// not start is an error: a kernel that hangs or crashes is a result.
func bootKernel(k *kernelRun, cfg qemu.Config, logPath string) error {
	fmt.Fprintf(os.Stderr, "conformance: booting %s (at most %v)\n", k.Name, cfg.Timeout)
	m, err := qemu.Start(context.Background(), cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", k.Name, err)
	}
	res, err := m.Wait()
	k.Boot, k.Wall, k.Tail = Parse(res.Output), res.Elapsed, res.Tail(consoleTail)
	switch {
	case k.Boot.Done:
		k.End = "init ran every binary"
	case res.TimedOut:
		k.End = "killed at the deadline (-timeout) before init finished"
	case err != nil:
		k.End = err.Error()
	default:
		k.End = fmt.Sprintf("QEMU exited (status %d) before init finished", res.Status)
	}
	fmt.Fprintf(os.Stderr, "conformance: %s: %s after %v\n", k.Name, k.End, k.Wall.Round(time.Second))
	return os.WriteFile(logPath, []byte(res.Output), 0o644)
}
