// Package console is the kernel's COM1 console at the lowest level: a
// polled 16550 UART writer that works before the Go runtime starts and from
// interrupt and syscall context. It is //go:nosplit throughout and never
// allocates or locks (on one CPU with interrupts off, writes cannot
// interleave).
package console

import "sigil/arch"

// COM1 and the 16550 registers (PC16550D datasheet, Table 2).
const (
	COM1 = 0x3f8

	regData     = 0 // RBR/THR, or divisor latch low with DLAB
	regIER      = 1 // interrupt enable, or divisor latch high with DLAB
	regFCR      = 2 // FIFO control
	regLCR      = 3 // line control
	regMCR      = 4 // modem control
	regLSR      = 5 // line status
	lcrDLAB     = 0x80
	lcr8N1      = 0x03
	fcrEnable   = 0xc7 // enable and clear both FIFOs, 14-byte trigger
	mcrDTRRTS   = 0x0b // DTR, RTS, OUT2 (OUT2 gates the IRQ line on PCs)
	lsrTHRE     = 0x20 // transmitter holding register empty
	lsrDR       = 0x01 // data ready
	baudDivisor = 1    // 115200 baud from the 1.8432 MHz clock
)

// Init programs COM1 for 115200 8N1 with FIFOs.
//
//go:nosplit
func Init() {
	arch.Outb(COM1+regIER, 0)
	arch.Outb(COM1+regLCR, lcrDLAB)
	arch.Outb(COM1+regData, baudDivisor)
	arch.Outb(COM1+regIER, 0)
	arch.Outb(COM1+regLCR, lcr8N1)
	arch.Outb(COM1+regFCR, fcrEnable)
	arch.Outb(COM1+regMCR, mcrDTRRTS)
}

//go:nosplit
func putRaw(c byte) {
	for arch.Inb(COM1+regLSR)&lsrTHRE == 0 {
		arch.Pause()
	}
	arch.Outb(COM1+regData, c)
}

// PutByte writes one byte, turning "\n" into "\r\n" as a terminal's output
// post-processing (termios OPOST|ONLCR) would.
//
//go:nosplit
func PutByte(c byte) {
	if c == '\n' {
		putRaw('\r')
	}
	putRaw(c)
}

// Write writes b.
//
//go:nosplit
func Write(b []byte) {
	for i := 0; i < len(b); i++ {
		PutByte(b[i])
	}
}

// Puts writes s.
//
//go:nosplit
func Puts(s string) {
	for i := 0; i < len(s); i++ {
		PutByte(s[i])
	}
}

// PutHex writes v as 0x followed by 16 hex digits.
//
//go:nosplit
func PutHex(v uint64) {
	const digits = "0123456789abcdef"
	putRaw('0')
	putRaw('x')
	for shift := 60; shift >= 0; shift -= 4 {
		putRaw(digits[(v>>uint(shift))&0xf])
	}
}

// PutDec writes v in decimal.
//
//go:nosplit
func PutDec(v uint64) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for ; i < len(buf); i++ {
		putRaw(buf[i])
	}
}

// ReadByte returns a received byte if one is waiting.
//
//go:nosplit
func ReadByte() (byte, bool) {
	if arch.Inb(COM1+regLSR)&lsrDR == 0 {
		return 0, false
	}
	return arch.Inb(COM1 + regData), true
}

// ierRxAvailable enables the received-data interrupt (PC16550D, IER bit 0).
const ierRxAvailable = 0x01

// EnableRxInterrupt makes COM1 raise IRQ 4 when a byte arrives.
//
//go:nosplit
func EnableRxInterrupt() { arch.Outb(COM1+regIER, ierRxAvailable) }

// Raw writes bytes unmodified (the terminal layer does its own output
// processing), under rawLock so a write is never interleaved with another.
type Raw struct{}

// rawLock guards the transmitter for Raw writes. The kernel's own
// messages (Puts) take no lock: they are what a dying kernel still prints.
var rawLock arch.Spinlock

// Write implements io.Writer.
func (Raw) Write(p []byte) (int, error) {
	rawLock.Lock()
	for _, c := range p {
		putRaw(c)
	}
	rawLock.Unlock()
	return len(p), nil
}
