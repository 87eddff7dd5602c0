// The idle loop. It runs as thread 0 on its own stack with interrupts on;
// every interrupt leaves through the scheduler, which switches away from it
// as soon as anything is runnable. Clobbers nothing (it never returns).

#include "textflag.h"

TEXT ·idleLoop(SB),NOSPLIT|NOFRAME,$0
loop:
	STI
	HLT
	JMP	loop

// func idleLoopAddr() uintptr
TEXT ·idleLoopAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·idleLoop(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
