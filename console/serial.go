// Package console is the kernel's COM1 console at the lowest level: a
// polled 16550 UART writer that works before the Go runtime starts and from
// interrupt and syscall context. It is //go:nosplit throughout and never
// allocates. Every line the kernel prints through it (Write, Puts,
// PutHex, PutDec, PutByte) is also a record in the kernel log (package
// klog), at the level of its "<N>" prefix or the default level, and
// reaches the UART only if that level is below the console's
// (console_loglevel).
package console

import (
	"unsafe"

	"sigil/arch"
	"sigil/klog"
)

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

// putCRLF writes one byte to the UART, turning "\n" into "\r\n" as a
// terminal's output post-processing (termios OPOST|ONLCR) would.
//
//go:nosplit
func putCRLF(c byte) {
	if c == '\n' {
		putRaw('\r')
	}
	putRaw(c)
}

// The line being printed: the kernel prints lines in pieces (a fault
// report is a run of Puts and PutHex calls), and the log takes whole
// lines. Guarded by lineLock, except on a CPU that already holds it (a
// fault while printing), which prints without recording.
var (
	lineLock  arch.Spinlock
	lineBuf   [klog.LineMax]byte
	lineLen   int  // bytes of lineBuf in use
	lineLevel = -1 // the line's level; -1 before its first byte (static: boot0 prints before package initialisation)
	lineShown bool // whether the line goes to the UART
	// lineCPU is the CPU whose line is in progress (lineLevel >= 0):
	// another CPU's output waits for its end, so that a line printed in
	// pieces (a fault report) is not cut by another CPU's line.
	lineCPU int
)

// lineWait bounds that wait (pause iterations): a CPU that stopped in
// the middle of a line must not silence the others.
const lineWait = 1 << 20

// emit prints s as part of the kernel's output, at level def for lines
// that start without a "<N>" prefix. Under lineLock unless recursive.
//
//go:nosplit
func emit(s []byte, def int) {
	if lineLock.Held() {
		for i := 0; i < len(s); i++ {
			putCRLF(s[i])
		}
		return
	}
	lineLock.Lock()
	me := int(arch.This().Index())
	for n := 0; lineLevel >= 0 && lineCPU != me && n < lineWait; n++ {
		lineLock.Unlock()
		arch.SpinWait()
		lineLock.Lock()
	}
	lineCPU = me
	for i := 0; i < len(s); i++ {
		if lineLevel < 0 {
			lvl, n := klog.ParsePrefix(s[i:])
			if n > 0 {
				i += n
			} else {
				lvl = def
			}
			lineLevel, lineShown = lvl, klog.Shown(lvl)
			if i == len(s) {
				break
			}
		}
		c := s[i]
		if lineShown {
			putCRLF(c)
		}
		if c == '\n' {
			klog.Store(0, lineLevel, stripSigil(lineBuf[:lineLen]))
			lineLen, lineLevel = 0, -1
			continue
		}
		if lineLen < len(lineBuf) {
			lineBuf[lineLen] = c
			lineLen++
		}
	}
	lineLock.Unlock()
}

// stripSigil drops the "sigil: " every kernel line starts with on the
// console: in the log, as in Linux's, the timestamp leads.
//
//go:nosplit
func stripSigil(b []byte) []byte {
	const p = "sigil: "
	if len(b) < len(p) {
		return b
	}
	for i := 0; i < len(p); i++ {
		if b[i] != p[i] {
			return b
		}
	}
	return b[len(p):]
}

// PutByte writes one byte of the kernel's output.
//
//go:nosplit
func PutByte(c byte) {
	b := [1]byte{c}
	emit(b[:], klog.DefaultMessageLevel)
}

// Write writes b: the kernel's own runtime's standard output, and
// kernel messages.
//
//go:nosplit
func Write(b []byte) { emit(b, klog.DefaultMessageLevel) }

// WriteLevel writes b with level def for lines without a prefix (the
// runtime's standard error is its panic path: klog.LevelErr).
//
//go:nosplit
func WriteLevel(b []byte, def int) { emit(b, def) }

// Puts writes s.
//
//go:nosplit
func Puts(s string) {
	emit(unsafe.Slice(unsafe.StringData(s), len(s)), klog.DefaultMessageLevel)
}

// PutHex writes v as 0x followed by 16 hex digits.
//
//go:nosplit
func PutHex(v uint64) {
	const digits = "0123456789abcdef"
	var buf [18]byte
	buf[0], buf[1] = '0', 'x'
	for i, shift := 2, 60; shift >= 0; i, shift = i+1, shift-4 {
		buf[i] = digits[(v>>uint(shift))&0xf]
	}
	emit(buf[:], klog.DefaultMessageLevel)
}

// PutDec writes v in decimal.
//
//go:nosplit
func PutDec(v uint64) {
	var buf [20]byte
	emit(klog.AppendDec(buf[:0], v), klog.DefaultMessageLevel)
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
// processing), under lineLock, the kernel's lines' lock: with several CPUs
// a write is never interleaved with another or with a kernel line (as
// Linux's printk and the serial driver's writes share the port's lock).
type Raw struct{}

// Write implements io.Writer.
func (Raw) Write(p []byte) (int, error) {
	lineLock.Lock()
	for _, c := range p {
		putRaw(c)
	}
	lineLock.Unlock()
	return len(p), nil
}

// Record logs one record that is not a line of the kernel's own output (a
// line written to /dev/kmsg): stored at facility and level, and shown on
// the console, newline added, when its level is below the console's.
func Record(facility, level int, text []byte) {
	if lineLock.Held() {
		return
	}
	lineLock.Lock()
	if klog.Shown(level) {
		for _, c := range text {
			putCRLF(c)
		}
		putCRLF('\n')
	}
	klog.Store(facility, level, text)
	lineLock.Unlock()
}
