// FXSAVE64 and FXRSTOR64 for irq.Context.CompleteFP and LoadFP (fpu.go).
// Saves nothing; clobbers AX and, for fxrstor, the x87, MMX and SSE state.

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
