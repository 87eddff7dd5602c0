// Command sigil-qemu boots the Sigil kernel in QEMU.
//
// By default it runs QEMU interactively: COM1 and the QEMU monitor are
// multiplexed on the terminal (-serial mon:stdio), so Ctrl+A X quits and
// Ctrl+A C toggles the monitor. Arguments after "--" are passed to QEMU.
//
// Usage:
//
//	sigil-qemu [-kernel build/sigil] [-append 'test=runtime'] [-initrd FILE]
//	           [-m 256M] [-accel auto|kvm|tcg] [-debug] [-debug-exit]
//	           [-exit-status] [-timeout D] [-- QEMU ARGS...]
//	sigil-qemu -probe    # print the accelerator DetectAccel chooses
//
// The exit status is 0 when QEMU exits normally (with -debug-exit: when the
// kernel's exit code is 0) and 1 otherwise; -exit-status returns QEMU's own
// status instead. When -timeout stops QEMU the status is 124, and 143 when
// a SIGTERM sent to sigil-qemu stops it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"sigil/tools/qemu"
)

func main() {
	log := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "sigil-qemu: "+format+"\n", args...)
	}
	kernel := flag.String("kernel", "build/sigil", "kernel `file` to boot")
	appendLine := flag.String("append", "", "kernel command line")
	initrd := flag.String("initrd", "", "optional initrd (cpio) `file`")
	mem := flag.String("m", qemu.DefaultMemory, "guest memory `size`")
	accel := flag.String("accel", "auto", "accelerator: auto, kvm or tcg (auto honours $"+qemu.AccelEnv+")")
	debug := flag.Bool("debug", false, "start halted with a gdbstub on tcp::1234 (-S -gdb tcp::1234)")
	debugExit := flag.Bool("debug-exit", false, "add the isa-debug-exit device at port 0xf4")
	probe := flag.Bool("probe", false, "print the accelerator that would be used (kvm or tcg) and exit")
	exitStatus := flag.Bool("exit-status", false, "exit with QEMU's own exit status")
	timeout := flag.Duration("timeout", 0, "stop QEMU after this `duration` (0: never)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: sigil-qemu [flags] [-- qemu args...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if _, err := os.Stat(*kernel); err != nil {
		if !*probe {
			log("kernel %s: %v (build it first)", *kernel, err)
			os.Exit(1)
		}
		if os.Getenv(qemu.AccelEnv) == "" {
			log("kernel %s: %v; cannot probe KVM", *kernel, err)
		}
	}
	a, err := qemu.ResolveAccel(*accel, *kernel)
	if err != nil {
		log("%v", err)
		os.Exit(1)
	}
	if *probe {
		fmt.Println(a)
		return
	}
	bin, err := qemu.LookPath()
	if err != nil {
		log("%v", err)
		os.Exit(1)
	}

	cfg := qemu.Config{
		Kernel:    *kernel,
		Append:    *appendLine,
		Initrd:    *initrd,
		Memory:    *mem,
		Serial:    "mon:stdio",
		DebugExit: *debugExit,
		Extra:     flag.Args(),
	}
	if *debug {
		cfg.Extra = append([]string{"-S", "-gdb", "tcp::1234"}, cfg.Extra...)
	}
	log("accel %s", a)
	if *debug {
		log("QEMU is halted with a gdbstub on tcp::1234; run `make gdb` in another terminal")
	}

	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	cmd := exec.CommandContext(ctx, bin, qemu.Args(cfg, a, "")...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// SIGTERM, not SIGKILL: QEMU then restores the terminal it put in
	// raw mode.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second

	// A terminal's Ctrl+C reaches QEMU too (same process group), and QEMU
	// decides what it means; SIGTERM sent to us alone is passed on.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			if s == syscall.SIGTERM {
				stop()
			}
		}
	}()

	err = cmd.Run()
	if cmd.ProcessState == nil {
		log("%v", err)
		os.Exit(1)
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		log("stopped QEMU after -timeout %v", *timeout)
		os.Exit(124)
	case ctx.Err() != nil:
		log("stopped QEMU on SIGTERM")
		os.Exit(143)
	}
	res := qemu.Result{Status: cmd.ProcessState.ExitCode()}
	if *exitStatus {
		if res.Status < 0 {
			os.Exit(1)
		}
		os.Exit(res.Status)
	}
	if *debugExit {
		code, ok := res.Code()
		if !ok {
			log("QEMU exited with status %d, not through isa-debug-exit", res.Status)
			os.Exit(1)
		}
		if code != 0 {
			log("kernel exit code %d", code)
			os.Exit(1)
		}
		return
	}
	if res.Status != 0 {
		log("QEMU exited with status %d", res.Status)
		os.Exit(1)
	}
}
