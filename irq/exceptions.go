package irq

// Exception vectors (SDM Vol. 3A §6.3.1, Table 6-1).
const (
	VecDivide       = 0
	VecDebug        = 1
	VecNMI          = 2
	VecBreakpoint   = 3
	VecOverflow     = 4
	VecBound        = 5
	VecInvalidOp    = 6
	VecNoFPU        = 7
	VecDoubleFault  = 8
	VecInvalidTSS   = 10
	VecNoSegment    = 11
	VecStackFault   = 12
	VecGPF          = 13
	VecPageFault    = 14
	Vecx87          = 16
	VecAlignment    = 17
	VecMachineCheck = 18
	VecSIMD         = 19
	VecVirt         = 20
	VecControlProt  = 21
)

// exceptionNames gives each architectural exception its mnemonic and name.
var exceptionNames = [32]string{
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range exceeded",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack-segment fault",
	"#GP general protection",
	"#PF page fault",
	"reserved 15",
	"#MF x87 floating-point error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD floating-point",
	"#VE virtualization",
	"#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security",
	"reserved 31",
}

// VectorName names vector v: the exception name, "syscall", or "irq".
//
//go:nosplit
func VectorName(v uint64) string {
	switch {
	case v < 32:
		return exceptionNames[v]
	case v == SyscallVector:
		return "syscall"
	}
	return "interrupt"
}

// HasErrorCode reports whether the CPU pushes an error code for vector v.
//
//go:nosplit
func HasErrorCode(v uint64) bool {
	switch v {
	case 8, 10, 11, 12, 13, 14, 17, 21, 29, 30:
		return true
	}
	return false
}

// Page-fault error code bits (SDM Vol. 3A §4.7, Figure 4-12).
const (
	PFPresent  = 1 << 0 // 0: not-present page; 1: protection violation
	PFWrite    = 1 << 1
	PFUser     = 1 << 2
	PFReserved = 1 << 3
	PFFetch    = 1 << 4
	PFPK       = 1 << 5
	PFSS       = 1 << 6
)

// Selector error code fields (SDM Vol. 3A §6.13, Figure 6-7).
const (
	SelErrExternal = 1 << 0
	SelErrIDT      = 1 << 1
	SelErrTI       = 1 << 2 // with IDT clear: 0 = GDT, 1 = LDT
)

// SelectorTable names the descriptor table an error code refers to.
//
//go:nosplit
func SelectorTable(code uint64) string {
	switch {
	case code&SelErrIDT != 0:
		return "IDT"
	case code&SelErrTI != 0:
		return "LDT"
	}
	return "GDT"
}

// SelectorIndex is the descriptor index in a selector error code.
//
//go:nosplit
func SelectorIndex(code uint64) uint64 { return code >> 3 & 0x1fff }
