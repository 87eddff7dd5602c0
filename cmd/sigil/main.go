// Command sigil is the kernel. The boot package brings the machine up and
// starts the Go runtime, which then runs main like any Go program's.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"sigil/arch"
	"sigil/boot"
	"sigil/clock"
	"sigil/console"
	"sigil/fault"
	"sigil/intr"
	"sigil/irq"
	"sigil/klog"
	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
	"sigil/ps2"
	"sigil/selftest"
	"sigil/sys"
	"sigil/task"
	"sigil/trap"
	"sigil/tty"
)

func main() {
	atMain := arch.RDTSC()
	fmt.Printf("<6>sigil: boot: first instruction to main: %d us\n",
		clock.TSCToNanos(atMain-boot.EntryTSC())/1000)
	fault.Start()

	args := parseArgs(os.Args[1:])
	for _, w := range os.Args[1:] {
		if w == "--" {
			break
		}
		if w == "noirqdebug" { // Linux's: no unhandled-IRQ storm detection
			intr.SetNoIRQDebug(true)
			fmt.Printf("<6>sigil: IRQ lockup detection disabled\n")
		}
	}
	info := boot.BootInfo()
	st := mm.Stats()
	fmt.Printf("<6>sigil: Sigil on %s, TSC %d MHz, %d MiB RAM (%d MiB free)\n",
		runtime.Version(), clock.TSCHz()/1e6, st.Total*mm.PageSize>>20, st.Free*mm.PageSize>>20)
	printInterrupts()
	printProtections()
	fmt.Printf("<6>sigil: command line: %q\n", info.CmdlineString())
	if info.InitrdSize != 0 {
		fmt.Printf("<6>sigil: initrd: %d bytes at %#x\n", info.InitrdSize, info.InitrdAddr)
	}

	startConsoleInput(args["kbd"] == "user")
	go vm.WatchPressure()
	applySysctls(args)
	enableTraceEvents(args)

	if name := args["test"]; name != "" {
		ok := selftest.Run(name)
		if args["irqstat"] == "1" {
			irq.WriteStats(os.Stdout)
		}
		if ok {
			os.Exit(0)
		}
		os.Exit(1)
	}
	// fast=0 leaves every user system call and fault to the thread's
	// goroutine: tests run both ways.
	sys.FastUser = args["fast"] != "0"
	trap.FastSignals = sys.FastUser
	if info.InitrdSize != 0 || args["init"] != "" {
		runInit(args["init"], initArgs(os.Args[1:]))
	}
	fmt.Println("<6>sigil: ready; commands: irqstat, poweroff (quit QEMU with Ctrl+A X)")
	monitor()
}

// runInit starts PID 1 from the initrd (init=PATH, default /init) and
// never returns: PID 1's exit powers the machine off with its status.
func runInit(path string, extra []string) {
	if path == "" {
		path = "/init"
	}
	info := boot.BootInfo()
	con, err := task.MountInitrd(info.InitrdAddr, info.InitrdSize, tty.Console)
	if err != nil {
		fmt.Printf("<3>sigil: %v\n", err)
		return
	}
	// Linux gives init HOME and TERM; PATH is added, as init systems set
	// it, with BusyBox's applet directories.
	env := []string{"PATH=/sbin:/usr/sbin:/bin:/usr/bin", "HOME=/", "TERM=linux"}
	if _, err := task.StartInit(path, append([]string{path}, extra...), env, con); err != nil {
		fmt.Printf("<3>sigil: cannot start init %s: %v\n", path, err)
		return
	}
	for {
		time.Sleep(time.Hour)
	}
}

// startConsoleInput connects the PS/2 keyboard (IRQ 1) and COM1's receiver
// (IRQ 4) to the console terminal, each through a top half and a bottom-half
// goroutine. With kbd=user (userKbd) the keyboard's line goes to a
// user-space driver that claims it (/dev/irq/1, package irqfile), and
// back to the kernel's when that driver lets go.
func startConsoleInput(userKbd bool) {
	con := tty.New(console.Raw{})
	tty.Console = con
	if err := ps2.InitController(); err != nil {
		fmt.Printf("<6>sigil: ps2: keyboard unavailable: %v\n", err)
	} else {
		if userKbd {
			intr.Yield(1, ps2.Resume)
			fmt.Printf("<6>sigil: ps2: IRQ 1 yields to a user-space driver (kbd=user)\n")
		}
		intr.RouteISA(1, "i8042", ps2.Interrupt)
		go ps2.Run(func(b []byte) { con.Input(b, keyboardSignal) })
	}
	console.EnableRxInterrupt()
	intr.RouteISA(4, "ttyS0", tty.SerialInterrupt)
	go tty.RunSerial(con, task.SignalGroup)
}

// keyboardSignal sends the signal of an ISIG character typed on the
// keyboard to the terminal's foreground process group, and then reports
// it on the console (after: the serial line is slow, and the signal comes
// first).
func keyboardSignal(sig linux.Signal, pgrp int32) {
	task.SignalGroup(sig, pgrp)
	fmt.Printf("<6>sigil: kbd: %s\n", sig.Name())
}

// monitor is the console's command loop until there is a shell.
func monitor() {
	for {
		line, err := tty.Console.ReadLine(time.Hour)
		if err != nil {
			continue
		}
		switch strings.TrimSpace(line) {
		case "":
		case "irqstat":
			irq.WriteStats(os.Stdout)
		case "poweroff":
			os.Exit(0)
		default:
			fmt.Printf("<6>sigil: unknown command %q (try irqstat, poweroff)\n", line)
		}
	}
}

func printInterrupts() {
	ic := boot.Interrupts()
	if ic.Mode == intr.APIC {
		kind := "xAPIC"
		if ic.X2APIC {
			kind = "x2APIC"
		}
		fmt.Printf("<6>sigil: interrupts: %s (%s), IOAPIC routing, LAPIC timer %s at %d Hz (timer clock %d kHz at divide 16)\n",
			ic.Mode, kind, ic.Timer, ic.TickHz, intr.LAPICTimerHz()/1000)
	} else {
		fmt.Printf("<6>sigil: interrupts: %s (8259 pair), PIT tick at %d Hz (other CPUs: LAPIC timer %s)\n", ic.Mode, ic.TickHz, ic.Timer)
	}
	if ic.Note != "" {
		fmt.Printf("<6>sigil: interrupts: %s\n", ic.Note)
	}
}

func printProtections() {
	var on []string
	cr4 := arch.CR4()
	if cr4&arch.CR4_SMEP != 0 {
		on = append(on, "smep")
	}
	if cr4&arch.CR4_SMAP != 0 {
		on = append(on, "smap")
	}
	if arch.ReadMSR(arch.MSR_EFER)&arch.EFER_NXE != 0 {
		on = append(on, "nx")
	}
	if arch.CR0()&arch.CR0_WP != 0 {
		on = append(on, "wp")
	}
	fmt.Printf("<6>sigil: cpu: protections %s\n", strings.Join(on, " "))
}

// initArgs returns the command-line words after "--": like Linux, Sigil
// passes them to init.
func initArgs(words []string) []string {
	for i, w := range words {
		if w == "--" {
			return words[i+1:]
		}
	}
	return nil
}

// parseArgs reads the key=value words of the command line.
func parseArgs(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			m[k] = v
		}
	}
	return m
}

// applySysctls applies the sysctl.NAME=VALUE words of the command line, as
// Linux does (5.8 and later), for the settings the kernel has.
func applySysctls(args map[string]string) {
	for k, v := range args {
		name, ok := strings.CutPrefix(k, "sysctl.")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		switch name = strings.ReplaceAll(name, "/", "."); {
		case err != nil:
		case name == "vm.overcommit_memory" && vm.SetOvercommit(n, -1):
			continue
		case name == "vm.overcommit_ratio" && n >= 0:
			vm.SetOvercommit(vm.Overcommit(), n)
			continue
		case name == "kernel.dmesg_restrict" && (n == 0 || n == 1):
			klog.DmesgRestrict.Store(int32(n))
			continue
		}
		fmt.Printf("<4>sigil: sysctl %s=%s: not a setting this kernel has\n", name, v)
	}
}
