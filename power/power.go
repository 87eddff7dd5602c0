// Package power turns the machine off, halts or resets it. It is //go:nosplit so that fault
// handlers and the exit_group system call can use it from any context.
package power

import "sigil/arch"

// Ports.
const (
	// DebugExitPort is QEMU's isa-debug-exit device when started with
	// -device isa-debug-exit,iobase=0xf4,iosize=0x04: a 32-bit write of v
	// makes QEMU exit with status v<<1|1.
	DebugExitPort = 0xf4

	// acpiPM1aControl is the PM1a control register of QEMU's PIIX4 and ICH9
	// power-management blocks (PM base 0x600). Writing SLP_EN with SLP_TYP=0
	// enters S5 on QEMU (ACPI 6.5 §4.8.3.2.1; QEMU's DSDT declares _S5 as 0).
	acpiPM1aControl = 0x604
	acpiSleepS5     = 0x2000
)

// Exit codes the kernel itself uses.
const (
	ExitOK          = 0
	ExitKernelFault = 0x7d // a CPU exception in kernel code
	ExitPanic       = 2    // the Go runtime's exit status after a panic
	ExitOutOfMemory = 0x7e // no physical memory left for a page the kernel touched
)

// Off powers off with code: through isa-debug-exit when present, else ACPI
// S5, else it halts with interrupts off forever.
//
//go:nosplit
func Off(code uint32) {
	arch.DisableInterrupts()
	arch.Outl(DebugExitPort, code)
	arch.Outw(acpiPM1aControl, acpiSleepS5)
	for {
		arch.Halt()
	}
}

// Restart resets the machine: the 8042 keyboard controller's reset line
// (its command 0xfe, as Linux's BOOT_KBD), then the PCI reset control
// register at 0xcf9 (a hard reset, BOOT_CF9), and halts if neither took.
//
//go:nosplit
func Restart() {
	arch.DisableInterrupts()
	arch.Outb(0x64, 0xfe)
	arch.Outb(0xcf9, 0x02)
	arch.Outb(0xcf9, 0x06)
	Halt()
}

// Halt stops the machine without powering it off (reboot(2)'s
// LINUX_REBOOT_CMD_HALT): interrupts off, the CPU halted for good.
//
//go:nosplit
func Halt() {
	arch.DisableInterrupts()
	for {
		arch.Halt()
	}
}
