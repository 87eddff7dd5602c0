// FXSAVE64 and FXRSTOR64 for irq.Context.CompleteFP and LoadFP, and the
// x87 reset for ResetLiveFP (fpu.go). Saves nothing; clobbers AX and, for
// fxrstor, the x87, MMX and SSE state, for initX87 the x87 and MMX state.

#include "go_asm.h"
#include "textflag.h"

// func fxsave(p *FPState)
TEXT ·fxsave(SB),NOSPLIT,$0-8
	MOVQ	p+0(FP), AX
	FXSAVE64	(AX)
	RET

// func fxrstor(p *FPState)
TEXT ·fxrstor(SB),NOSPLIT,$0-8
	MOVQ	p+0(FP), AX
	FXRSTOR64	(AX)
	RET

// func fxsaveWithSSE(dst, sse *FPState)
// The live frame's SSE part (sse, saved at entry) goes back into the
// registers, which kernel code has used since, so that one FXSAVE writes
// it beside the x87 part the CPU still holds. dst may be sse. Clobbers AX
// and the SSE registers (the caller's ABI0 call re-zeroes X15).
TEXT ·fxsaveWithSSE(SB),NOSPLIT,$0-16
	MOVQ	sse+8(FP), AX
	LDMXCSR	const_fpMXCSR(AX)
	MOVOU	(const_fpXMM+0*16)(AX), X0
	MOVOU	(const_fpXMM+1*16)(AX), X1
	MOVOU	(const_fpXMM+2*16)(AX), X2
	MOVOU	(const_fpXMM+3*16)(AX), X3
	MOVOU	(const_fpXMM+4*16)(AX), X4
	MOVOU	(const_fpXMM+5*16)(AX), X5
	MOVOU	(const_fpXMM+6*16)(AX), X6
	MOVOU	(const_fpXMM+7*16)(AX), X7
	MOVOU	(const_fpXMM+8*16)(AX), X8
	MOVOU	(const_fpXMM+9*16)(AX), X9
	MOVOU	(const_fpXMM+10*16)(AX), X10
	MOVOU	(const_fpXMM+11*16)(AX), X11
	MOVOU	(const_fpXMM+12*16)(AX), X12
	MOVOU	(const_fpXMM+13*16)(AX), X13
	MOVOU	(const_fpXMM+14*16)(AX), X14
	MOVOU	(const_fpXMM+15*16)(AX), X15
	MOVQ	dst+0(FP), AX
	FXSAVE64	(AX)
	PXOR	X0, X0
	MOVO	X0, (const_fpXMMEnd+0*16)(AX)
	MOVO	X0, (const_fpXMMEnd+1*16)(AX)
	MOVO	X0, (const_fpXMMEnd+2*16)(AX)
	MOVO	X0, (const_fpXMMEnd+3*16)(AX)
	MOVO	X0, (const_fpXMMEnd+4*16)(AX)
	MOVO	X0, (const_fpXMMEnd+5*16)(AX)
	RET

// func fxrstorInto(src, dst *FPState)
TEXT ·fxrstorInto(SB),NOSPLIT,$0-16
	MOVQ	src+0(FP), AX
	FXRSTOR64	(AX)
	MOVQ	dst+8(FP), AX
	FXSAVE64	(AX)
	RET

// func initX87()
// FNINIT sets the control word to 0x37F, the status and tag words (all
// empty) and the pointers as a fresh FXSAVE image has them, but keeps the
// data registers (SDM Vol. 1 §8.1.5 and "FINIT/FNINIT" in Vol. 2A): eight
// FLDZ zero them first. (Go's FINIT is FNINIT, DB E3.)
TEXT ·initX87(SB),NOSPLIT,$0-0
	FINIT
	FLDZ
	FLDZ
	FLDZ
	FLDZ
	FLDZ
	FLDZ
	FLDZ
	FLDZ
	FINIT
	RET
