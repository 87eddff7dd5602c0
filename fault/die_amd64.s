// dieTrampoline is entered in place of a faulting kernel instruction, with
// the faulting RIP pushed as its return address (fault.handle). It calls
// die, which never returns. Clobbers everything: the faulting context is
// already saved in fault.record.

#include "textflag.h"

TEXT ·dieTrampoline(SB),NOSPLIT|NOFRAME,$0
	CALL	·die(SB)
	BYTE	$0x0f; BYTE $0x0b	// UD2: die does not return

// func dieTrampolineAddr() uintptr
TEXT ·dieTrampolineAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·dieTrampoline(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
