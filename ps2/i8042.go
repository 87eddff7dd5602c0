// Package ps2 drives the i8042 PS/2 controller and the keyboard on its first
// port: controller set-up, the IRQ 1 top half, and a bottom-half goroutine
// that decodes scancodes into key events and terminal bytes.
package ps2

import (
	"errors"
	"fmt"
	"time"

	"sigil/arch"
	"sigil/irq"
	"sigil/sched"
)

// i8042 ports, status bits, commands and configuration bits (IBM PC AT
// Technical Reference, "Keyboard Controller"; the keyboard's own commands
// are from the same manual's keyboard section).
const (
	dataPort   = 0x60
	statusPort = 0x64
	cmdPort    = 0x64

	statusOutFull = 1 << 0 // a byte waits in the output buffer
	statusInFull  = 1 << 1 // the controller has not taken our last byte
	statusAux     = 1 << 5 // the waiting byte is from the second (mouse) port

	cmdReadConfig   = 0x20
	cmdWriteConfig  = 0x60
	cmdDisablePort2 = 0xa7
	cmdSelfTest     = 0xaa
	cmdTestPort1    = 0xab
	cmdDisablePort1 = 0xad
	cmdEnablePort1  = 0xae

	cfgIRQ1      = 1 << 0
	cfgIRQ2      = 1 << 1
	cfgClock1Off = 1 << 4
	cfgTranslate = 1 << 6 // set 2 -> set 1 translation

	selfTestOK = 0x55
	portTestOK = 0x00
	kbdReset   = 0xff
	kbdEnable  = 0xf4
	kbdAck     = 0xfa
	kbdResetOK = 0xaa
	ioTimeout  = 200 * time.Millisecond
)

func waitWrite() error {
	for start := time.Now(); arch.Inb(statusPort)&statusInFull != 0; {
		if time.Since(start) > ioTimeout {
			return errors.New("i8042: input buffer stuck full")
		}
	}
	return nil
}

func command(c byte) error {
	if err := waitWrite(); err != nil {
		return err
	}
	arch.Outb(cmdPort, c)
	return nil
}

func writeData(b byte) error {
	if err := waitWrite(); err != nil {
		return err
	}
	arch.Outb(dataPort, b)
	return nil
}

func readData() (byte, error) {
	for start := time.Now(); arch.Inb(statusPort)&statusOutFull == 0; {
		if time.Since(start) > ioTimeout {
			return 0, errors.New("i8042: no response")
		}
	}
	return arch.Inb(dataPort), nil
}

func expect(what string, want byte) error {
	b, err := readData()
	if err == nil && b != want {
		err = fmt.Errorf("i8042: %s returned %#x, want %#x", what, b, want)
	}
	return err
}

// InitController runs the controller's set-up: both ports off, output
// flushed, controller and port self-tests, keyboard reset, then port 1 on
// with its interrupt and scancode translation (so the keyboard's set 2
// arrives as set 1). Goroutine context, before IRQ 1 is routed.
func InitController() error {
	if err := command(cmdDisablePort1); err != nil {
		return err
	}
	command(cmdDisablePort2)
	for i := 0; i < 64 && arch.Inb(statusPort)&statusOutFull != 0; i++ {
		arch.Inb(dataPort)
	}
	command(cmdReadConfig)
	cfg, err := readData()
	if err != nil {
		return err
	}
	cfg &^= cfgIRQ1 | cfgIRQ2
	command(cmdWriteConfig)
	writeData(cfg)
	command(cmdSelfTest)
	if err := expect("self-test", selfTestOK); err != nil {
		return err
	}
	command(cmdTestPort1)
	if err := expect("port 1 test", portTestOK); err != nil {
		return err
	}
	command(cmdEnablePort1)
	writeData(kbdReset)
	if err := expect("keyboard reset ack", kbdAck); err != nil {
		return err
	}
	if err := expect("keyboard self-test", kbdResetOK); err != nil {
		return err
	}
	writeData(kbdEnable)
	if err := expect("enable scanning", kbdAck); err != nil {
		return err
	}
	cfg = cfg&^cfgClock1Off | cfgIRQ1 | cfgTranslate
	command(cmdWriteConfig)
	return writeData(cfg)
}

// Queue carries raw scancodes from the top half.
var Queue sched.ByteQueue

// maxPerInterrupt bounds the bytes taken per interrupt.
const maxPerInterrupt = 16

// Interrupt is the IRQ 1 top half: it empties the controller's output
// buffer into Queue (reading every byte even when Queue is full, so the
// controller keeps interrupting during a key-repeat storm) and wakes the
// bottom half. An interrupt with the output buffer empty was not the
// controller's: irq.None, as Linux's i8042_interrupt says.
//
//go:nosplit
func Interrupt(c *irq.Context, _ *arch.CPU) irq.Return {
	if !drain() {
		return irq.None
	}
	Queue.Signal(c)
	return irq.Handled
}

// drain moves what the controller's output buffer holds into Queue and
// reports whether there was anything. Interrupts off.
//
//go:nosplit
func drain() bool {
	any := false
	for i := 0; i < maxPerInterrupt; i++ {
		st := arch.Inb(statusPort)
		if st&statusOutFull == 0 {
			break
		}
		any = true
		b := arch.Inb(dataPort)
		if st&statusAux == 0 {
			Queue.Put(b)
		}
	}
	return any
}

// Resume takes the controller back from a user-space driver that let go
// of IRQ 1 (kbd=user): what that driver left in the output buffer keeps
// the edge-triggered line high, so no interrupt would come for it; it is
// read now, as the top half would read it. Goroutine context, once the
// line's handler is Interrupt again.
func Resume() {
	any := false
	arch.NoInterrupts(func() { any = drain() })
	if any {
		Queue.Wake()
	}
}

// Run is the bottom half: it decodes scancodes and passes each key's bytes
// to deliver. It never returns.
func Run(deliver func([]byte)) {
	var d Decoder
	buf := make([]byte, 64)
	for {
		n := Queue.Read(buf)
		for _, b := range buf[:n] {
			if ev, ok := d.Feed(b); ok && ev.TextLen > 0 {
				deliver(ev.Text[:ev.TextLen])
			}
		}
	}
}
