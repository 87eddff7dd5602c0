package irq

import (
	"sigil/arch"
	"sigil/console"
	"sigil/power"
	"sigil/trace"
)

// Handler handles one entry in interrupt context (see the package comment
// for what that allows). cpu is this CPU's block, read once by the entry
// stub, so handlers and what they call need not read GS again.
type Handler func(c *Context, cpu *arch.CPU)

var (
	handlers [NumVectors]Handler
	names    [NumVectors]string
)

// Register installs h, called name in statistics, for vector v (0-255, or
// SyscallVector). It is called during boot, before the vector can fire.
func Register(v int, name string, h Handler) {
	handlers[v] = h
	names[v] = name
}

// Spurious interrupt sources, counted apart from the vectors they borrow.
const (
	SpuriousPIC7  = iota // 8259 master IRQ 7 with no ISR bit (8259A datasheet)
	SpuriousPIC15        // 8259 slave IRQ 15 with no ISR bit
	SpuriousLAPIC        // local APIC spurious vector (SDM Vol. 3A §11.9)
	numSpurious
)

// Counters are per CPU (a row per arch.CPU.ID), each written only by its
// CPU in interrupt context; readers sum the rows.
var spurious [arch.MaxCPUs][numSpurious]uint64

// CountSpurious records one spurious interrupt from source k.
//
//go:nosplit
func CountSpurious(cpu *arch.CPU, k int) { spurious[cpu.Index()][k]++ }

// SpuriousCount returns how many spurious interrupts source k raised.
func SpuriousCount(k int) uint64 {
	var n uint64
	for i := range spurious {
		n += spurious[i][k]
	}
	return n
}

// Stat is one vector's entry count and the cycles spent in its handler.
type Stat struct {
	Count  uint64
	Cycles uint64
	Min    uint64
	Max    uint64
}

//go:nosplit
func (s *Stat) add(cycles uint64) {
	s.Count++
	s.Cycles += cycles
	if s.Min == 0 || cycles < s.Min {
		s.Min = cycles
	}
	if cycles > s.Max {
		s.Max = cycles
	}
}

// merge adds o's figures to s.
func (s *Stat) merge(o Stat) {
	if o.Count == 0 {
		return
	}
	if s.Count == 0 || o.Min < s.Min {
		s.Min = o.Min
	}
	s.Max = max(s.Max, o.Max)
	s.Count += o.Count
	s.Cycles += o.Cycles
}

var stats [arch.MaxCPUs][NumVectors]Stat // per CPU, as spurious

// Per-entry samples of one vector's handler cycles, for latency figures
// (the boot CPU's: the irqlat self-test runs there).
var (
	sampleVector = -1
	samples      [8192]uint32
	nsamples     int
)

// SampleVector starts recording the handler cycles of vector v (-1 stops).
func SampleVector(v int) {
	sampleVector = -1
	nsamples = 0
	sampleVector = v
}

// Samples returns the cycles recorded since SampleVector.
func Samples() []uint32 { return append([]uint32(nil), samples[:nsamples]...) }

// Stats returns vector v's statistics summed over the CPUs.
func Stats(v int) Stat {
	var s Stat
	for i := range stats {
		s.merge(stats[i][v])
	}
	return s
}

// dispatch is called by trapCommon with the saved Context of every entry
// and the CPU block GS points at. Interrupts and exceptions are timed for
// their statistics; system calls, the most frequent entry by far, are
// only counted (two TSC reads would cost a tenth of a getpid), unless
// /proc/irq_latency is recording.
//
//go:nosplit
func dispatch(c *Context, cpu *arch.CPU) {
	cpu.IRQDepth++
	v := c.TF.Vector
	if v == SyscallVector && !trace.LatencyOn() {
		handlers[v](c, cpu) // trap's
		if c.TF.sysretSafe() {
			c.TF.Vector = sysretVector
		}
		stats[cpu.Index()][v].Count++
		cpu.IRQDepth--
		return
	}
	t0 := arch.RDTSC()
	if v >= NumVectors {
		v = NumVectors - 1 // cannot happen: the stubs push 0-256
	}
	if h := handlers[v]; h != nil {
		h(c, cpu) // trap's for exceptions, intr's for devices
	} else if v < 32 {
		Unhandled(c)
	}
	if c.TF.sysretSafe() {
		c.TF.Vector = sysretVector
	}
	d := arch.RDTSC() - t0
	stats[cpu.Index()][v].add(d)
	if trace.LatencyOn() { // /proc/irq_latency
		trace.RecordLatency(cpu.Index(), v, d)
	}
	if int(v) == sampleVector && cpu.ID == 0 && nsamples < len(samples) {
		samples[nsamples] = uint32(d)
		nsamples++
	}
	cpu.IRQDepth--
}

// Unhandled reports an entry on a vector no one claimed (before package
// trap installs itself, or a stray vector) and powers off.
//
//go:nosplit
func Unhandled(c *Context) {
	RawReport(c)
	power.Off(power.ExitKernelFault)
}

// RawReport prints a fault's vector, decoded error code, CR2 and registers
// without any help from the Go runtime.
//
//go:nosplit
func RawReport(c *Context) {
	f := &c.TF
	console.Puts("<0>sigil: fault: ")
	console.Puts(VectorName(f.Vector))
	console.Puts(" (vector ")
	console.PutDec(f.Vector)
	console.Puts(") error ")
	console.PutHex(f.ErrorCode)
	describeError(f)
	console.Puts("\n")
	console.Puts("<0>sigil: ")
	if f.Vector == VecPageFault {
		reg("cr2", arch.CR2())
		console.Puts("\n<0>sigil: ")
	}
	reg("rip", f.RIP)
	reg("cs", f.CS)
	reg("rflags", f.RFLAGS)
	console.Puts("\n<0>sigil: ")
	reg("rsp", f.RSP)
	reg("ss", f.SS)
	reg("rax", f.RAX)
	console.Puts("\n<0>sigil: ")
	reg("rbx", f.RBX)
	reg("rcx", f.RCX)
	reg("rdx", f.RDX)
	console.Puts("\n<0>sigil: ")
	reg("rsi", f.RSI)
	reg("rdi", f.RDI)
	reg("rbp", f.RBP)
	console.Puts("\n<0>sigil: ")
	reg("r8", f.R8)
	reg("r9", f.R9)
	reg("r10", f.R10)
	console.Puts("\n<0>sigil: ")
	reg("r11", f.R11)
	reg("r12", f.R12)
	reg("r13", f.R13)
	console.Puts("\n<0>sigil: ")
	reg("r14", f.R14)
	reg("r15", f.R15)
	console.Puts("\n")
}

//go:nosplit
func reg(name string, v uint64) {
	console.Puts(" ")
	console.Puts(name)
	console.Puts("=")
	console.PutHex(v)
}

//go:nosplit
func describeError(f *TrapFrame) {
	code := f.ErrorCode
	switch f.Vector {
	case VecPageFault:
		if code&PFPresent != 0 {
			console.Puts(" [protection")
		} else {
			console.Puts(" [not-present")
		}
		if code&PFWrite != 0 {
			console.Puts(" write")
		} else {
			console.Puts(" read")
		}
		if code&PFFetch != 0 {
			console.Puts(" fetch")
		}
		if code&PFUser != 0 {
			console.Puts(" user")
		} else {
			console.Puts(" kernel")
		}
		if code&PFReserved != 0 {
			console.Puts(" reserved-bit")
		}
		console.Puts("]")
	case VecInvalidTSS, VecNoSegment, VecStackFault, VecGPF:
		if code == 0 {
			return
		}
		console.Puts(" [selector index ")
		console.PutDec(SelectorIndex(code))
		console.Puts(" in ")
		console.Puts(SelectorTable(code))
		if code&SelErrExternal != 0 {
			console.Puts(", external")
		}
		console.Puts("]")
	}
}
