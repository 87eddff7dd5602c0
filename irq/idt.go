package irq

import (
	"unsafe"

	"sigil/arch"
)

// Implemented in entry_amd64.s.
func stubTable()
func stubTableAddr() uintptr
func syscallEntry()
func syscallEntryAddr() uintptr
func trapCommon()
func trapSaveRegs()

// stubSize is the distance between consecutive vector stubs.
const stubSize = 16

// Interrupt stack table slots (SDM Vol. 3A §6.14.5). Faults that can strike
// while the kernel stack is unusable get their own stack; every other
// exception shares one, and device interrupts use the per-CPU kernel stack
// (the one SYSCALL switches to: a system call runs with IF clear, so the two
// never nest).
const (
	ISTDoubleFault = 1
	ISTNMI         = 2
	ISTMachine     = 3
	ISTException   = 4
	ISTInterrupt   = 5
)

// Stack sizes. Handlers are nosplit and shallow; the sizes leave room for
// the linker's worst nosplit chains several times over.
const (
	exceptionStackSize = 32 << 10
	smallStackSize     = 8 << 10
	KernelStackSize    = 64 << 10
)

var (
	idt [256][2]uint64
	// Per-CPU stacks, a row per CPU (arch.CPU.ID).
	kernelStack [arch.MaxCPUs][KernelStackSize]byte
	excStack    [arch.MaxCPUs][exceptionStackSize]byte
	dfStack     [arch.MaxCPUs][smallStackSize]byte
	nmiStack    [arch.MaxCPUs][smallStackSize]byte
	mcStack     [arch.MaxCPUs][smallStackSize]byte
	idtDesc     [10]byte
)

// Gate types (SDM Vol. 3A §6.14.1, Figure 6-8): present, 64-bit interrupt
// gate, with the DPL allowed to reach it with INT n.
const (
	gateInterrupt     = 0x8e
	gateInterruptUser = 0xee
)

//go:nosplit
func top(stack []byte) uint64 {
	return uint64(uintptr(unsafe.Pointer(&stack[0]))+uintptr(len(stack))) &^ 15
}

// KernelStackTop is the top of this CPU's stack used by SYSCALL and device
// interrupts.
//
//go:nosplit
func KernelStackTop() uint64 { return top(kernelStack[arch.This().Index()][:]) }

//go:nosplit
func setGate(v int, handler uint64, ist uint8, typ uint8) {
	idt[v][0] = handler&0xffff | uint64(arch.KernelCS)<<16 | uint64(ist)<<32 |
		uint64(typ)<<40 | (handler>>16&0xffff)<<48
	idt[v][1] = handler >> 32
}

// istFor picks the stack for vector v.
//
//go:nosplit
func istFor(v int) uint8 {
	switch v {
	case VecDoubleFault:
		return ISTDoubleFault
	case VecNMI:
		return ISTNMI
	case VecMachineCheck:
		return ISTMachine
	}
	if v < 32 {
		return ISTException
	}
	return ISTInterrupt
}

// Init builds all 256 gates and loads the IDT on the boot CPU, with c's
// TSS stacks (InitCPU). Breakpoint and overflow are reachable from CPL 3
// (INT3, INTO), as on Linux.
//
//go:nosplit
func Init(c *arch.CPU) {
	base := uint64(stubTableAddr())
	for v := 0; v < 256; v++ {
		typ := uint8(gateInterrupt)
		if v == VecBreakpoint || v == VecOverflow {
			typ = gateInterruptUser
		}
		setGate(v, base+uint64(v*stubSize), istFor(v), typ)
	}
	limit := uint16(len(idt)*16 - 1)
	p := uintptr(unsafe.Pointer(&idt))
	idtDesc[0], idtDesc[1] = byte(limit), byte(limit>>8)
	for i := 0; i < 8; i++ {
		idtDesc[2+i] = byte(uint64(p) >> (8 * i))
	}
	InitCPU(c)
}

// InitCPU points c's TSS at c's rows of the per-CPU stacks and loads the
// IDT Init built on the running CPU, which c describes (every CPU shares
// the one IDT; its gates name IST slots, each CPU's TSS the stacks).
// c's GDT, holding the TSS, must be loaded.
//
//go:nosplit
func InitCPU(c *arch.CPU) {
	id := c.Index()
	kstack := top(kernelStack[id][:])
	c.TSS.SetIST(ISTDoubleFault, top(dfStack[id][:]))
	c.TSS.SetIST(ISTNMI, top(nmiStack[id][:]))
	c.TSS.SetIST(ISTMachine, top(mcStack[id][:]))
	c.TSS.SetIST(ISTException, top(excStack[id][:]))
	c.TSS.SetIST(ISTInterrupt, kstack)
	c.TSS.SetRSP0(kstack) // every gate has an IST; RSP0 for completeness
	c.KStack = kstack
	arch.LoadIDT(uintptr(unsafe.Pointer(&idtDesc)))
}

// SYSCALL setup (SDM Vol. 3A §5.8.8): STAR holds the kernel CS for SYSCALL
// (SS is CS+8) and the base from which SYSRET derives the user selectors
// (CS = base+16, SS = base+8); FMASK clears IF, TF, DF, AC and NT on entry so
// a system call starts with interrupts off and sane string direction.
const (
	starValue  = uint64(arch.KernelCS)<<32 | uint64(arch.User32CS)<<48
	fmaskValue = arch.RFLAGS_IF | arch.RFLAGS_TF | arch.RFLAGS_DF | arch.RFLAGS_AC | arch.RFLAGS_NT
)

// InitSyscall points IA32_LSTAR at the SYSCALL entry and enables SYSCALL.
//
//go:nosplit
func InitSyscall() {
	arch.WriteMSR(arch.MSR_STAR, starValue)
	arch.WriteMSR(arch.MSR_LSTAR, uint64(syscallEntryAddr()))
	arch.WriteMSR(arch.MSR_FMASK, fmaskValue)
	arch.WriteMSR(arch.MSR_EFER, arch.ReadMSR(arch.MSR_EFER)|arch.EFER_SCE)
}
