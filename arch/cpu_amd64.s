// Privileged and special-purpose instructions. All are leaf functions with
// no frame; each clobbers only the registers named in its comment.

#include "textflag.h"

// func rdmsr(msr uint32) uint64 — clobbers AX, CX, DX.
TEXT ·rdmsr(SB),NOSPLIT|NOFRAME,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func wrmsr(msr uint32, v uint64) — clobbers AX, CX, DX.
TEXT ·wrmsr(SB),NOSPLIT|NOFRAME,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	v+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	RET

TEXT ·readCR0(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

TEXT ·readCR2(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	CR2, AX
	MOVQ	AX, ret+0(FP)
	RET

TEXT ·readCR3(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

TEXT ·readCR4(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

TEXT ·writeCR0(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR0
	RET

TEXT ·writeCR3(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR3
	RET

TEXT ·writeCR4(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR4
	RET

// func invlpg(va uintptr) — clobbers AX.
TEXT ·invlpg(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	va+0(FP), AX
	INVLPG	(AX)
	RET

// func cpuid(leaf, sub uint32) (a, b, c, d uint32) — clobbers AX, BX, CX, DX.
TEXT ·cpuid(SB),NOSPLIT|NOFRAME,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	sub+4(FP), CX
	CPUID
	MOVL	AX, a+8(FP)
	MOVL	BX, b+12(FP)
	MOVL	CX, c+16(FP)
	MOVL	DX, d+20(FP)
	RET

// func rdtsc() uint64 — clobbers AX, DX.
TEXT ·rdtsc(SB),NOSPLIT|NOFRAME,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func rdrand() (v uint64, ok bool) — clobbers AX. CF=1 means a valid value.
TEXT ·rdrand(SB),NOSPLIT|NOFRAME,$0-9
	RDRANDQ	AX
	MOVQ	AX, v+0(FP)
	SETCS	ok+8(FP)
	RET

// func rdseed() (v uint64, ok bool) — clobbers AX.
TEXT ·rdseed(SB),NOSPLIT|NOFRAME,$0-9
	RDSEEDQ	AX
	MOVQ	AX, v+0(FP)
	SETCS	ok+8(FP)
	RET

TEXT ·cli(SB),NOSPLIT|NOFRAME,$0-0
	CLI
	RET

TEXT ·sti(SB),NOSPLIT|NOFRAME,$0-0
	STI
	RET

TEXT ·hlt(SB),NOSPLIT|NOFRAME,$0-0
	HLT
	RET

TEXT ·pause(SB),NOSPLIT|NOFRAME,$0-0
	PAUSE
	RET

// func readFlags() uint64 — clobbers AX.
TEXT ·readFlags(SB),NOSPLIT|NOFRAME,$0-8
	PUSHFQ
	POPQ	AX
	MOVQ	AX, ret+0(FP)
	RET

// func lgdt(ptr uintptr) — clobbers AX.
TEXT ·lgdt(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	ptr+0(FP), AX
	LGDT	(AX)
	RET

// func lidt(ptr uintptr) — clobbers AX.
TEXT ·lidt(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	ptr+0(FP), AX
	LIDT	(AX)
	RET

// func ltr(sel uint16) — clobbers AX.
TEXT ·ltr(SB),NOSPLIT|NOFRAME,$0-2
	MOVW	sel+0(FP), AX
	LTR	AX
	RET

// func reloadSegments(code, data uint16) loads DS, ES, SS with data and CS
// with code through a far return (SDM Vol. 3A §3.4.3: CS can only change by
// a far transfer). FS and GS are left alone: their bases come from MSRs,
// and loading a selector into them could reset the base. Clobbers AX, CX.
TEXT ·reloadSegments(SB),NOSPLIT|NOFRAME,$0-4
	MOVWQZX	data+2(FP), AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	MOVWQZX	code+0(FP), AX
	// Far return frame: RIP then CS. RET of the caller's frame stays intact.
	LEAQ	done<>(SB), CX
	BYTE	$0x50		// PUSHQ AX (CS)
	BYTE	$0x51		// PUSHQ CX (RIP)
	BYTE	$0x48; BYTE $0xcb	// LRETQ
TEXT done<>(SB),NOSPLIT|NOFRAME,$0-0
	RET

// func ud2() — raises #UD (SDM Vol. 2B "UD"); never returns normally.
TEXT ·ud2(SB),NOSPLIT|NOFRAME,$0-0
	BYTE	$0x0f; BYTE $0x0b
	RET

// func int27() — INT 0x27 (CD ib). Clobbers nothing.
TEXT ·int27(SB),NOSPLIT|NOFRAME,$0-0
	BYTE	$0xcd; BYTE $0x27
	RET

// func intFF() — INT 0xFF. Clobbers nothing.
TEXT ·intFF(SB),NOSPLIT|NOFRAME,$0-0
	BYTE	$0xcd; BYTE $0xff
	RET

// func idiv(a, b int64) int64 — IDIV (SDM Vol. 2A "IDIV"); b == 0 raises
// #DE. Clobbers AX, CX, DX.
TEXT ·idiv(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ	a+0(FP), AX
	MOVQ	b+8(FP), CX
	CQO
	IDIVQ	CX
	MOVQ	AX, ret+16(FP)
	RET

// func thisCPU() *CPU — the per-CPU block's Self field, read through GS
// (offset 0, pinned by percpu.go's check) once bare is set; before that,
// and in host tests, the boot CPU's block. One call the inliner can fold
// into This's callers. Clobbers AX.
TEXT ·thisCPU(SB),NOSPLIT|NOFRAME,$0-8
	CMPL	·bare(SB), $0
	JEQ	boot
	MOVQ	0(GS), AX
	MOVQ	AX, ret+0(FP)
	RET
boot:
	LEAQ	·cpus(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
