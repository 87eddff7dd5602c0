// The application processors' way from a STARTUP IPI to Go (smp.go).
//
// trampoline is copied to trampolinePA, a page below 1 MiB; a STARTUP IPI
// with vector trampolinePA>>12 starts an AP there in real mode with
// CS = trampolinePA>>4, IP = 0 (SDM Vol. 3A §8.4.3; §9.4.3 in editions
// from 2023 on). It goes to 32-bit protected mode (§9.9.1: LGDT, CR0.PE,
// a far jump), then to IA-32e mode as §9.8.5 orders it (CR4.PAE, CR3,
// EFER.LME, CR0.PG) with the boot CPU's CR4, CR3 (the kernel's root),
// EFER and CR0 as they are, so every feature the boot CPU turned on (PGE,
// SMEP, SMAP, NXE, WP, OSFXSR, ...) is on here too, and far-jumps into
// 64-bit code, which jumps to apEntry at the kernel's link address. The
// values come from trampData (asm.go) at trampDataPA, which startAPs fills.
// The trampoline page itself is identity-mapped in the kernel's root while
// APs start, for the instructions between CR0.PG and that jump.
//
// The 16- and 32-bit code is written as bytes, as in pvh_amd64.s: each
// line comments the instruction it encodes, with the offset in the page;
// TestTrampoline decodes them again in their modes and checks the stages'
// offsets (tramp32Off, tramp64Off) and the far jumps' targets.
//
// Saves nothing (the AP comes from reset); clobbers AX, CX, DX. The Go
// structs involved: trampData (its offsets from go_asm.h) and apBoot,
// which apEntry reads.

#include "go_asm.h"
#include "textflag.h"

TEXT ·trampoline(SB),NOSPLIT|NOFRAME,$0
	// 16-bit real mode.
	BYTE $0xfa	// 0: cli
	BYTE $0x8c; BYTE $0xc8	// 1: mov ax, cs
	BYTE $0x8e; BYTE $0xd8	// 3: mov ds, ax
	BYTE $0x66; BYTE $0x0f; BYTE $0x01; BYTE $0x16; WORD $(const_trampDataOff+trampData_gdtr)	// 5: lgdtd [0x820]
	BYTE $0x0f; BYTE $0x20; BYTE $0xc0	// b: mov eax, cr0
	BYTE $0x66; BYTE $0x83; BYTE $0xc8; BYTE $const_cr0PE	// e: or eax, 0x1
	BYTE $0x0f; BYTE $0x22; BYTE $0xc0	// 12: mov cr0, eax
	BYTE $0x66; BYTE $0xea; LONG $(const_trampolinePA+const_tramp32Off); WORD $const_trampCode32Sel	// 15: jmp far 0x8:0x801d
	// 32-bit protected mode, at tramp32Off.
	BYTE $0xb8; LONG $const_kernelDS	// 1d: mov eax, 0x18
	BYTE $0x8e; BYTE $0xd8	// 22: mov ds, ax
	BYTE $0x8e; BYTE $0xc0	// 24: mov es, ax
	BYTE $0x8e; BYTE $0xd0	// 26: mov ss, ax
	BYTE $0xa1; LONG $(const_trampDataPA+trampData_cr4)	// 28: mov eax, [0x8838]
	BYTE $0x0f; BYTE $0x22; BYTE $0xe0	// 2d: mov cr4, eax
	BYTE $0xa1; LONG $(const_trampDataPA+trampData_cr3)	// 30: mov eax, [0x8830]
	BYTE $0x0f; BYTE $0x22; BYTE $0xd8	// 35: mov cr3, eax
	BYTE $0xb9; LONG $const_msrEFER	// 38: mov ecx, 0xc0000080
	BYTE $0xa1; LONG $(const_trampDataPA+trampData_efer)	// 3d: mov eax, [0x8840]
	BYTE $0x8b; BYTE $0x15; LONG $(const_trampDataPA+trampData_efer+4)	// 42: mov edx, [0x8844]
	BYTE $0x0f; BYTE $0x30	// 48: wrmsr
	BYTE $0xa1; LONG $(const_trampDataPA+trampData_cr0)	// 4a: mov eax, [0x8828]
	BYTE $0x0f; BYTE $0x22; BYTE $0xc0	// 4f: mov cr0, eax
	BYTE $0xea; LONG $(const_trampolinePA+const_tramp64Off); WORD $const_kernelCS	// 52: jmp far 0x10:0x8059
	// 64-bit mode, at tramp64Off, still at the identity address.
	MOVQ	$(const_trampDataPA+trampData_entry), AX
	MOVQ	(AX), AX
	JMP	AX

// apEntry runs at the kernel's link address on the kernel's page tables.
// It takes the stack, FS base (for the fake g that Go's ABI wrappers and
// stack checks read, as boot0's bootG) and CPU row from apStart, gives
// the x87 unit and SSE their reset state (FNINIT; MXCSR = mxcsrInit: INIT
// leaves both as they were), calls apMain(id), and becomes the CPU's idle
// thread (sched's idle loop: STI; HLT in a loop, no stack used), which
// the scheduler leaves whenever a thread is runnable.
TEXT ·apEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	·apStart+apBoot_sp(SB), SP
	MOVQ	·apStart+apBoot_fs(SB), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR
	FINIT
	LDMXCSR	·mxcsrInit(SB)
	MOVQ	·apStart+apBoot_id(SB), AX
	SUBQ	$8, SP
	MOVQ	AX, 0(SP)
	CALL	·apMain(SB)
idle:
	STI
	HLT
	JMP	idle

// func trampolineAddr() uintptr
TEXT ·trampolineAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·trampoline(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func apEntryAddr() uintptr
TEXT ·apEntryAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·apEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
