// FXSAVE64 and FXRSTOR64 for irq.Context.CompleteFP and LoadFP, and the
// x87 reset for ResetLiveFP (fpu.go). Saves nothing; clobbers AX and, for
// fxrstor, the x87, MMX and SSE state, for initX87 the x87 and MMX state.

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
