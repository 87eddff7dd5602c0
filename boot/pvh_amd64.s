// Boot entry. QEMU loads build/sigil as an ELF and, finding the
// XEN_ELFNOTE_PHYS32_ENTRY note that tools/mkimage adds, enters pvhEntry as
// the PVH start-of-day ABI says: 32-bit protected mode, paging off, flat
// segments, EBX = physical address of struct hvm_start_info, no stack
// (Xen's arch/x86/hvm/start_info.h and docs/misc/pvh.pandoc).
//
// The first part is 32-bit code. The Go assembler only speaks 64-bit, so it
// is written as bytes, each line commenting the instruction it encodes
// (pvh_test.go decodes them again in 32-bit mode and checks them). It builds
// the first page tables at fixed physical addresses in the free megabyte
// below the kernel image:
//
//	0x100000 PML4: [0] and [256] -> PDPT_LOW, [511] -> PDPT_HIGH
//	0x101000 PDPT_LOW: [0] -> PD   (identity and the direct map's first GiB)
//	0x102000 PDPT_HIGH: [510] -> PD (0xffffffff80000000: the kernel image)
//	0x103000 PD: 512 x 2 MiB pages covering physical 0-1 GiB
//	0x104000 a temporary GDT (0x10 64-bit code, 0x18 data) and its pointer
//	0x105000 top of the stack used for one CALL
//
// then enables PAE, long mode (EFER.LME) and paging (SDM Vol. 3A §9.8.5) and
// far-returns into 64-bit code. The TSC at the first instruction rides in
// ESI:EDI for the boot-time report; EBX is preserved.
//
// Saves nothing (nothing runs before it); clobbers every register but EBX.
// The Go structs involved: arch.CPU is installed later by boot0; bootG
// mirrors the first four words of the runtime's g (stack.lo, stack.hi,
// stackguard0, stackguard1), which is all a stack-check prologue reads.

#include "go_asm.h"
#include "textflag.h"

// Addresses, flags and selectors are go_asm.h's const_ values (asm.go);
// the comments show the instruction with today's values.
TEXT ·pvhEntry(SB),NOSPLIT|NOFRAME,$0
	BYTE $0x0f; BYTE $0x31	// 0: rdtsc
	BYTE $0x89; BYTE $0xc6	// 2: mov %eax,%esi
	BYTE $0x89; BYTE $0xd7	// 4: mov %edx,%edi
	BYTE $0xbc; LONG $const_bootStackTop32	// 6: mov $0x105000,%esp
	BYTE $0xb9; LONG $const_bootPML4	// b: mov $0x100000,%ecx
	BYTE $0xc7; BYTE $0x01; LONG $0	// 10: movl $0x0,(%ecx)
	BYTE $0x83; BYTE $0xc1; BYTE $0x04	// 16: add $0x4,%ecx
	BYTE $0x81; BYTE $0xf9; LONG $const_bootStackTop32	// 19: cmp $0x105000,%ecx
	BYTE $0x72; BYTE $0xef	// 1f: jb 10 <pvh_entry+0x10>
	BYTE $0xc7; BYTE $0x05; LONG $const_bootPML4; LONG $(const_bootPDPTLow+const_tableFlags)	// 21: movl $0x101003,0x100000
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootPML4+8*const_pmlDirectIndex); LONG $(const_bootPDPTLow+const_tableFlags)	// 2b: movl $0x101003,0x100800
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootPML4+8*const_pmlImageIndex); LONG $(const_bootPDPTHigh+const_tableFlags)	// 35: movl $0x102003,0x100ff8
	BYTE $0xc7; BYTE $0x05; LONG $const_bootPDPTLow; LONG $(const_bootPD+const_tableFlags)	// 3f: movl $0x103003,0x101000
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootPDPTHigh+8*const_pdptImageIndex); LONG $(const_bootPD+const_tableFlags)	// 49: movl $0x103003,0x102ff0
	BYTE $0x31; BYTE $0xc9	// 53: xor %ecx,%ecx
	BYTE $0xb8; LONG $const_largePageFlags	// 55: mov $0x83,%eax
	BYTE $0x89; BYTE $0x04; BYTE $0xcd; LONG $const_bootPD	// 5a: mov %eax,0x103000(,%ecx,8)
	BYTE $0x05; LONG $const_largePageSize	// 61: add $0x200000,%eax
	BYTE $0x41	// 66: inc %ecx
	BYTE $0x81; BYTE $0xf9; LONG $const_entriesPerPage	// 67: cmp $0x200,%ecx
	BYTE $0x72; BYTE $0xeb	// 6d: jb 5a <pvh_entry+0x5a>
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootGDT+const_kernelCS); LONG $const_gdtCodeLow	// 6f: movl $0xffff,0x104010
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootGDT+const_kernelCS+4); LONG $const_gdtCodeHigh	// 79: movl $0xaf9a00,0x104014
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootGDT+const_kernelDS); LONG $const_gdtDataLow	// 83: movl $0xffff,0x104018
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootGDT+const_kernelDS+4); LONG $const_gdtDataHigh	// 8d: movl $0xcf9200,0x10401c
	BYTE $0x66; BYTE $0xc7; BYTE $0x05; LONG $const_bootGDTPointer; WORD $(const_bootGDTSize-1)	// 97: movw $0x1f,0x104020
	BYTE $0xc7; BYTE $0x05; LONG $(const_bootGDTPointer+2); LONG $const_bootGDT	// a0: movl $0x104000,0x104022
	BYTE $0x0f; BYTE $0x01; BYTE $0x15; LONG $const_bootGDTPointer	// aa: lgdtl 0x104020
	BYTE $0x0f; BYTE $0x20; BYTE $0xe0	// b1: mov %cr4,%eax
	BYTE $0x83; BYTE $0xc8; BYTE $const_cr4PAE	// b4: or $0x20,%eax
	BYTE $0x0f; BYTE $0x22; BYTE $0xe0	// b7: mov %eax,%cr4
	BYTE $0xb8; LONG $const_bootPML4	// ba: mov $0x100000,%eax
	BYTE $0x0f; BYTE $0x22; BYTE $0xd8	// bf: mov %eax,%cr3
	BYTE $0xb9; LONG $const_msrEFER	// c2: mov $0xc0000080,%ecx
	BYTE $0x0f; BYTE $0x32	// c7: rdmsr
	BYTE $0x0d; LONG $const_eferLME	// c9: or $0x100,%eax
	BYTE $0x0f; BYTE $0x30	// ce: wrmsr
	BYTE $0x0f; BYTE $0x20; BYTE $0xc0	// d0: mov %cr0,%eax
	BYTE $0x0d; LONG $const_cr0Paging	// d3: or $0x80010001,%eax
	BYTE $0x0f; BYTE $0x22; BYTE $0xc0	// d8: mov %eax,%cr0
	BYTE $0xe8; BYTE $0x00; BYTE $0x00; BYTE $0x00; BYTE $0x00	// db: call e0 <pvh_entry+0xe0>
	BYTE $0x58	// e0: pop %eax
	BYTE $0x05; BYTE $0x0a; BYTE $0x00; BYTE $0x00; BYTE $0x00	// e1: add $0xa,%eax
	BYTE $0x6a; BYTE $const_kernelCS	// e6: push $0x10
	BYTE $0x50	// e8: push %eax
	BYTE $0xcb	// e9: lret
	// 64-bit mode from here, still running at the identity (physical)
	// address. Load the data segments, then jump to the kernel's link
	// address: entry64's RIP-relative address taken here is its physical
	// alias, and KernelBase (0xffffffff80000000) moves it up.
	MOVL	$const_kernelDS, AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	LEAQ	·entry64(SB), AX
	MOVQ	$const_kernelBase, CX
	ADDQ	CX, AX
	JMP	AX

// entry64 runs at the kernel's link address. It enables SSE (the Go compiler
// uses XMM registers everywhere: SDM Vol. 3A §13.1.3 requires CR4.OSFXSR and
// CR0.EM=0), makes the boot stack look like a goroutine stack to Go's
// stack-check prologues through bootG, points FS at bootTLS (Go's ABI
// wrappers load g from FS:-8), calls boot0, and enters the Go runtime's
// ordinary linux/amd64 entry point on the stack boot0 built, with
// interrupts on.
TEXT ·entry64(SB),NOSPLIT|NOFRAME,$0
	LEAQ	·bootStack+const_bootStackSize(SB), SP

	MOVQ	CR0, AX
	ANDQ	$~const_cr0EM, AX
	ORQ	$const_cr0MPNE, AX
	MOVQ	AX, CR0
	MOVQ	CR4, AX
	ORQ	$const_cr4SSE, AX
	MOVQ	AX, CR4

	LEAQ	·bootG(SB), R8
	LEAQ	·bootStack(SB), AX
	MOVQ	AX, 0(R8)			// stack.lo
	LEAQ	const_bootStackSize(AX), CX
	MOVQ	CX, 8(R8)			// stack.hi
	LEAQ	2048(AX), CX
	MOVQ	CX, 16(R8)			// stackguard0
	MOVQ	CX, 24(R8)			// stackguard1
	MOVQ	R8, ·bootTLS(SB)		// g, at FS:-8
	LEAQ	·bootTLS+8(SB), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR

	MOVL	BX, BX		// start_info physical address, zero-extended
	MOVL	SI, SI
	SHLQ	$32, DI
	ORQ	SI, DI		// TSC at the first instruction
	SUBQ	$24, SP
	MOVQ	BX, 0(SP)
	MOVQ	DI, 8(SP)
	CALL	·boot0(SB)
	MOVQ	16(SP), AX
	MOVQ	AX, SP
	STI
	JMP	_rt0_amd64_linux(SB)

// func imageEnd() uintptr: the end of the kernel image's memory (BSS
// included), from the linker's runtime.end symbol.
TEXT ·imageEnd(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	runtime·end(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func pvhEntryAddr() uintptr
TEXT ·pvhEntryAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·pvhEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
