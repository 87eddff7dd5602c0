// faultThread runs as a raw kernel thread (sched.SpawnKernel), DI = address
// of a uint32 "done" word. It executes UD2, which the fault path reports and
// skips; then it sets the word, wakes its waiter with futex(2) and exits.
// Clobbers everything; it owns its registers.

#include "go_asm.h"
#include "textflag.h"

TEXT ·faultThread(SB),NOSPLIT|NOFRAME,$0
	BYTE	$0x0f; BYTE $0x0b	// UD2
	MOVL	$1, (DI)
	MOVQ	$const_sysFutex, AX
	MOVQ	$const_futexWakePrivate, SI
	MOVQ	$1, DX
	SYSCALL
	MOVQ	$const_sysExit, AX
	XORL	DI, DI
	SYSCALL
	BYTE	$0x0f; BYTE $0x0b	// not reached

// func faultThreadAddr() uintptr
TEXT ·faultThreadAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·faultThread(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
