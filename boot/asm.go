package boot

import (
	"unsafe"

	"sigil/arch"
	"sigil/mm"
)

// The values pvh_amd64.s uses, read there from go_asm.h, the header the
// compiler writes from this package's constants (const_NAME): a value
// changed here changes in the assembly, and a name removed fails the build.
const (
	// The boot page tables, GDT and stack, one page each from bootPML4.
	bootPDPTLow    = bootPML4 + 1*mm.PageSize
	bootPDPTHigh   = bootPML4 + 2*mm.PageSize
	bootPD         = bootPML4 + 3*mm.PageSize
	bootGDT        = bootPML4 + 4*mm.PageSize
	bootStackTop32 = bootPML4 + 5*mm.PageSize
	// The temporary GDT holds the kernel's code and data descriptors at
	// their selectors; its LGDT operand (limit, base) follows it.
	bootGDTSize    = arch.KernelDS + 8
	bootGDTPointer = bootGDT + bootGDTSize
	gdtCodeLow     = arch.DescKernelCode & 0xffffffff
	gdtCodeHigh    = arch.DescKernelCode >> 32
	gdtDataLow     = arch.DescKernelData & 0xffffffff
	gdtDataHigh    = arch.DescKernelData >> 32

	tableFlags     = 3                            // present, writable (SDM Vol. 3A Table 4-15)
	largePageFlags = 0x83                         // present, writable, 2 MiB page (Table 4-17)
	largePageSize  = 2 << 20                      // what one PD entry maps
	pmlDirectIndex = mm.DirectMapBase >> 39 & 511 // the direct map's PML4 slot
	pmlImageIndex  = mm.KernelBase >> 39 & 511    // the kernel image's PML4 slot
	pdptImageIndex = mm.KernelBase >> 30 & 511    // and its PDPT slot
	entriesPerPage = 512

	kernelCS   = arch.KernelCS
	kernelDS   = arch.KernelDS
	msrEFER    = arch.MSR_EFER
	eferLME    = arch.EFER_LME
	cr4PAE     = arch.CR4_PAE
	cr0Paging  = arch.CR0_PG | arch.CR0_WP | arch.CR0_PE
	cr0EM      = arch.CR0_EM
	cr0MPNE    = arch.CR0_MP | arch.CR0_NE
	cr4SSE     = arch.CR4_OSFXSR | arch.CR4_OSXMMEXCPT
	msrFSBase  = arch.MSR_FS_BASE
	kernelBase = mm.KernelBase
)

// The application processors' trampoline (trampoline_amd64.s), read there
// from go_asm.h like the constants above; the offsets of trampData's
// fields come from go_asm.h too (trampData_cr0, ...). TestTrampoline
// decodes the hand-encoded code and checks that each stage starts at its
// offset here and that each far jump lands on the next stage.
const (
	// trampolinePA is the low page the trampoline runs from: below
	// 1 MiB, where a STARTUP IPI can start a CPU (its vector is the
	// page number), inside lowReserve, which the frame allocator never
	// hands out, and listed in setupMemory's reserved ranges on its
	// own besides. startAPs checks that the boot memory map calls it RAM.
	trampolinePA     = 0x8000
	trampolineVector = trampolinePA >> 12
	// Where each stage starts in the page, and where trampData sits.
	tramp32Off   = 0x1d
	tramp64Off   = 0x59
	trampDataOff = 0x800
	trampDataPA  = trampolinePA + trampDataOff
	// The trampoline's GDT: a 32-bit code segment, then the kernel's
	// 64-bit code and data descriptors at the kernel's selectors.
	trampCode32Sel = 0x08
	descCode32     = 0x00cf9a000000ffff // base 0, limit 4 GiB, D=1, present, execute/read (SDM Vol. 3A §3.4.5)
	cr0PE          = arch.CR0_PE
)

// trampData is the block at trampDataPA the trampoline reads: its GDT and
// LGDT operand, and the boot CPU's control registers and EFER, which each
// AP loads as they are (EFER less LMA, which the CPU sets), and the
// address of apEntry. Written by startAPs before the first STARTUP IPI;
// read-only while APs start.
type trampData struct {
	gdt   [4]uint64 // null, trampCode32Sel, KernelCS, KernelDS
	gdtr  [8]byte   // limit (2 bytes), base (4 bytes): LGDT's operand in 16-bit code with a 66 prefix
	cr0   uint64
	cr3   uint64
	cr4   uint64
	efer  uint64
	entry uint64 // apEntry's (linked) address
}

const (
	_ = -uint(trampolinePA % mm.PageSize)                                // page aligned
	_ = uint(1<<20 - trampolinePA - mm.PageSize)                         // below 1 MiB
	_ = uint(lowReserve - trampolinePA - mm.PageSize)                    // inside lowReserve
	_ = uint(trampDataOff - tramp64Off - 16)                             // the code fits below the data
	_ = uint(mm.PageSize - trampDataOff - unsafe.Sizeof(trampData{}))    // the data fits in the page
	_ = uint(arch.KernelCS - trampCode32Sel - 8)                         // distinct selectors
	_ = uint(4*8 - arch.KernelDS - 8)                                    // inside the trampoline's GDT
	_ = -uint(unsafe.Offsetof(trampData{}.gdtr) - 32)                    // after the four descriptors
	_ = -uint(unsafe.Sizeof(trampData{}.gdt) - uintptr(arch.KernelDS+8)) // the GDT is exactly KernelDS+8 bytes
)
