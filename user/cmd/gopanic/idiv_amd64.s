// func idiv(a, b int64) int64: IDIV itself, so b == 0 raises #DE and the
// kernel's SIGFPE (the compiler guards Go divisions with a check instead).
// Clobbers AX, CX, DX.

#include "textflag.h"

TEXT ·idiv(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ	a+0(FP), AX
	MOVQ	b+8(FP), CX
	CQO
	IDIVQ	CX
	MOVQ	AX, ret+16(FP)
	RET
