package boot

import (
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
