package arch

// Model-specific registers (SDM Vol. 4, Table 2-2).
const (
	MSR_APIC_BASE      = 0x0000001b
	MSR_TSC_DEADLINE   = 0x000006e0
	MSR_EFER           = 0xc0000080
	MSR_STAR           = 0xc0000081
	MSR_LSTAR          = 0xc0000082
	MSR_FMASK          = 0xc0000084
	MSR_FS_BASE        = 0xc0000100
	MSR_GS_BASE        = 0xc0000101
	MSR_KERNEL_GS_BASE = 0xc0000102

	EFER_SCE = 1 << 0  // SYSCALL/SYSRET enable
	EFER_LME = 1 << 8  // long mode enable
	EFER_LMA = 1 << 10 // long mode active (read-only: the CPU sets it)
	EFER_NXE = 1 << 11 // execute-disable bit in page tables
)

// Control register bits (SDM Vol. 3A §2.5).
const (
	CR0_PE = 1 << 0
	CR0_MP = 1 << 1
	CR0_EM = 1 << 2
	CR0_TS = 1 << 3
	CR0_NE = 1 << 5
	CR0_WP = 1 << 16
	CR0_AM = 1 << 18
	CR0_PG = 1 << 31

	CR4_PAE        = 1 << 5
	CR4_PGE        = 1 << 7
	CR4_OSFXSR     = 1 << 9
	CR4_OSXMMEXCPT = 1 << 10
	CR4_FSGSBASE   = 1 << 16
	CR4_SMEP       = 1 << 20
	CR4_SMAP       = 1 << 21
)

// RFLAGS bits (SDM Vol. 1 §3.4.3).
const (
	RFLAGS_CF   = 1 << 0
	RFLAGS_PF   = 1 << 2
	RFLAGS_AF   = 1 << 4
	RFLAGS_ZF   = 1 << 6
	RFLAGS_SF   = 1 << 7
	RFLAGS_TF   = 1 << 8
	RFLAGS_IF   = 1 << 9
	RFLAGS_DF   = 1 << 10
	RFLAGS_IOPL = 3 << 12
	RFLAGS_NT   = 1 << 14
	RFLAGS_RF   = 1 << 16
	RFLAGS_AC   = 1 << 18
	RFLAGS_ID   = 1 << 21
	RFLAGS_OF   = 1 << 11

	// RFLAGS_Status are the status flags arithmetic sets (§3.4.3.1).
	RFLAGS_Status = RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF
)

// Implemented in cpu_amd64.s.
func rdmsr(msr uint32) uint64
func wrmsr(msr uint32, v uint64)
func readCR0() uint64
func readCR2() uint64
func readCR3() uint64
func readCR4() uint64
func writeCR0(v uint64)
func writeCR3(v uint64)
func writeCR4(v uint64)
func invlpg(va uintptr)
func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func rdtsc() uint64
func rdrand() (v uint64, ok bool)
func rdseed() (v uint64, ok bool)
func cli()
func sti()
func hlt()
func pause()
func readFlags() uint64
func lgdt(ptr uintptr)
func lidt(ptr uintptr)
func ltr(sel uint16)
func reloadSegments(code, data uint16)

// ReadMSR returns the model-specific register msr (RDMSR).
//
//go:nosplit
func ReadMSR(msr uint32) uint64 { return rdmsr(msr) }

// WriteMSR sets the model-specific register msr (WRMSR).
//
//go:nosplit
func WriteMSR(msr uint32, v uint64) { wrmsr(msr, v) }

// CR0 returns control register 0.
//
//go:nosplit
func CR0() uint64 { return readCR0() }

// CR2 returns the linear address of the last page fault.
//
//go:nosplit
func CR2() uint64 { return readCR2() }

// CR3 returns the page-table root.
//
//go:nosplit
func CR3() uint64 { return readCR3() }

// CR4 returns control register 4.
//
//go:nosplit
func CR4() uint64 { return readCR4() }

// SetCR0 writes control register 0.
//
//go:nosplit
func SetCR0(v uint64) { writeCR0(v) }

// SetCR3 loads a new page-table root, flushing non-global TLB entries
// (SDM Vol. 3A §4.10.4.1).
//
//go:nosplit
func SetCR3(v uint64) { writeCR3(v) }

// SetCR4 writes control register 4.
//
//go:nosplit
func SetCR4(v uint64) { writeCR4(v) }

// Invlpg drops the TLB entries for the page containing va.
//
//go:nosplit
func Invlpg(va uintptr) { invlpg(va) }

// CPUID executes CPUID with EAX=leaf, ECX=sub.
//
//go:nosplit
func CPUID(leaf, sub uint32) (a, b, c, d uint32) { return cpuid(leaf, sub) }

// RDTSC reads the time-stamp counter.
//
//go:nosplit
func RDTSC() uint64 { return rdtsc() }

// RDRAND returns a hardware random number; ok is false when the DRNG had
// none ready (SDM Vol. 1 §7.3.17). Callers check CPUID first.
//
//go:nosplit
func RDRAND() (uint64, bool) { return rdrand() }

// RDSEED returns a hardware entropy sample (SDM Vol. 1 §7.3.17.2).
//
//go:nosplit
func RDSEED() (uint64, bool) { return rdseed() }

// DisableInterrupts clears RFLAGS.IF.
//
//go:nosplit
func DisableInterrupts() { cli() }

// EnableInterrupts sets RFLAGS.IF.
//
//go:nosplit
func EnableInterrupts() { sti() }

// Halt stops the CPU until the next interrupt.
//
//go:nosplit
func Halt() { hlt() }

// Pause is the spin-wait hint.
//
//go:nosplit
func Pause() { pause() }

// Flags returns RFLAGS.
//
//go:nosplit
func Flags() uint64 { return readFlags() }

// LoadIDT loads the IDT register from the 10-byte pseudo-descriptor at ptr.
//
//go:nosplit
func LoadIDT(ptr uintptr) { lidt(ptr) }

func ud2()

// UD2 raises #UD deliberately (self-tests of the fault path).
func UD2() { ud2() }

func int27()
func intFF()

// SoftInt27 raises vector 0x27 with INT (the 8259's IRQ 7 vector): a
// deliberate spurious-interrupt case for tests.
func SoftInt27() { int27() }

// SoftIntFF raises vector 0xFF with INT (the local APIC's spurious vector).
func SoftIntFF() { intFF() }

func idiv(a, b int64) int64

// Divide returns a/b with the IDIV instruction itself: b == 0 raises #DE
// (the Go compiler guards its own divisions with a zero check instead).
func Divide(a, b int64) int64 { return idiv(a, b) }
