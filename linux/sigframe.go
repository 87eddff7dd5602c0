package linux

// Signal-frame layouts: what the kernel pushes on the user stack when it
// delivers a signal to a 64-bit handler, and what rt_sigreturn(2) reads back.
// On x86-64 the frame (struct rt_sigframe, arch/x86/include/asm/sigframe.h)
// is, from the new RSP upwards: the return address (the SA_RESTORER
// trampoline), a UContext, a SignalInfo, then the FPU/XSAVE area that
// UContext.MContext.FPState points to (64-byte aligned).

// SigContext is struct sigcontext for 64-bit processes (256 bytes): the
// general registers at the time the signal arrived.
// Source: arch/x86/include/uapi/asm/sigcontext.h.
type SigContext struct {
	R8        uint64
	R9        uint64
	R10       uint64
	R11       uint64
	R12       uint64
	R13       uint64
	R14       uint64
	R15       uint64
	Rdi       uint64
	Rsi       uint64
	Rbp       uint64
	Rbx       uint64
	Rdx       uint64
	Rax       uint64
	Rcx       uint64
	Rsp       uint64
	Rip       uint64
	Eflags    uint64 // RFLAGS
	Cs        uint16
	Gs        uint16    // historical; the kernel neither saves nor restores it
	Fs        uint16    // historical; the kernel neither saves nor restores it
	Ss        uint16    // valid if UC_SIGCONTEXT_SS (was __pad0)
	Err       uint64    // hardware error code of the exception, if any
	Trapno    uint64    // exception vector
	Oldmask   uint64    // low word of the blocked-signal mask (legacy)
	Cr2       uint64    // faulting address for page faults
	FPState   uint64    // user address of the FPState/XSAVE area; 0 if none
	Reserved1 [8]uint64 // reserved1: zero
}

// UContext is the kernel's struct ucontext on x86-64 (304 bytes). Its
// Sigmask is the 8-byte kernel sigset, not the C library's 128-byte one.
// Source: include/uapi/asm-generic/ucontext.h.
type UContext struct {
	Flags    uint64 // UC_*
	Link     uint64 // user address of the linked ucontext (unused by the kernel)
	Stack    SigAltStack
	MContext SigContext
	Sigmask  uint64 // SigSet to restore on rt_sigreturn
}

// UContext.Flags bits. Source: arch/x86/include/uapi/asm/ucontext.h.
const (
	UC_FP_XSTATE         = 0x1 // FPState holds an XSAVE image (see FPXSWBytes)
	UC_SIGCONTEXT_SS     = 0x2 // SigContext.Ss is saved/restored
	UC_STRICT_RESTORE_SS = 0x4 // restore SS exactly rather than fixing it up
)

// FPState is the legacy 512-byte FXSAVE image (struct _fpstate_64) at the
// start of the signal frame's FPU area. When UC_FP_XSTATE is set, the XSAVE
// header and extended state follow it and SWReserved describes them.
// Source: arch/x86/include/uapi/asm/sigcontext.h.
type FPState struct {
	Cwd        uint16 // x87 control word
	Swd        uint16 // x87 status word
	Twd        uint16 // abridged tag word
	Fop        uint16 // last x87 opcode
	Rip        uint64 // last x87 instruction pointer
	Rdp        uint64 // last x87 data pointer
	Mxcsr      uint32
	MxcsrMask  uint32
	StSpace    [32]uint32 // 8 x87 registers, 16 bytes each
	XmmSpace   [64]uint32 // 16 XMM registers, 16 bytes each
	_          [12]uint32
	SWReserved FPXSWBytes // software-defined bytes 464..511 of FXSAVE
}

// FPXSWBytes is struct _fpx_sw_bytes (48 bytes), stored by the kernel in the
// software-available bytes of the FXSAVE image to describe the XSAVE area.
// Source: arch/x86/include/uapi/asm/sigcontext.h.
type FPXSWBytes struct {
	Magic1       uint32 // FP_XSTATE_MAGIC1 if XSAVE state is present
	ExtendedSize uint32 // total bytes of the FPU area incl. FP_XSTATE_MAGIC2
	Xfeatures    uint64 // XSAVE feature bitmap present in the area
	XstateSize   uint32 // bytes of XSAVE state (without the trailing magic)
	_            [7]uint32
}

// XSAVE signal-frame markers. Source: arch/x86/include/uapi/asm/sigcontext.h.
const (
	FP_XSTATE_MAGIC1      = 0x46505853 // in FPXSWBytes.Magic1
	FP_XSTATE_MAGIC2      = 0x46505845 // uint32 at FPState + ExtendedSize - 4
	FP_XSTATE_MAGIC2_SIZE = 4
)
