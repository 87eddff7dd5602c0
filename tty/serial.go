package tty

import (
	"sigil/arch"
	"sigil/console"
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
)

// SerialQueue carries bytes received on COM1 from the top half.
var SerialQueue sched.ByteQueue

// SerialInterrupt is the IRQ 4 top half: it drains the 16550's receiver
// (up to its FIFO depth) into SerialQueue and wakes the bottom half. Only
// the received-data interrupt is enabled (console.EnableRxInterrupt), so
// an interrupt with no byte waiting was not the UART's: irq.None.
//
//go:nosplit
func SerialInterrupt(c *irq.Context, _ *arch.CPU) irq.Return {
	ret := irq.None
	for i := 0; i < 16; i++ {
		b, ok := console.ReadByte()
		if !ok {
			break
		}
		ret = irq.Handled
		SerialQueue.Put(b)
	}
	if ret == irq.Handled {
		SerialQueue.Signal(c)
	}
	return ret
}

// RunSerial is the bottom half: received bytes go to t as typed input,
// and the signals its ISIG characters raise to signal.
func RunSerial(t *TTY, signal func(sig linux.Signal, pgrp int32)) {
	buf := make([]byte, 64)
	for {
		n := SerialQueue.Read(buf)
		t.Input(buf[:n], signal)
	}
}
