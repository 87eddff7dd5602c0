// Port I/O: IN and OUT with the port in DX (SDM Vol. 2A "IN", Vol. 2B "OUT").
// Leaf functions, no frame. Clobber AX and DX only.

#include "textflag.h"

// func inb(port uint16) uint8
TEXT ·inb(SB),NOSPLIT|NOFRAME,$0-9
	MOVW	port+0(FP), DX
	INB
	MOVB	AX, ret+8(FP)
	RET

// func outb(port uint16, v uint8)
TEXT ·outb(SB),NOSPLIT|NOFRAME,$0-3
	MOVW	port+0(FP), DX
	MOVB	v+2(FP), AX
	OUTB
	RET

// func inw(port uint16) uint16
TEXT ·inw(SB),NOSPLIT|NOFRAME,$0-10
	MOVW	port+0(FP), DX
	INW
	MOVW	AX, ret+8(FP)
	RET

// func outw(port uint16, v uint16)
TEXT ·outw(SB),NOSPLIT|NOFRAME,$0-4
	MOVW	port+0(FP), DX
	MOVW	v+2(FP), AX
	OUTW
	RET

// func inl(port uint16) uint32
TEXT ·inl(SB),NOSPLIT|NOFRAME,$0-12
	MOVW	port+0(FP), DX
	INL
	MOVL	AX, ret+8(FP)
	RET

// func outl(port uint16, v uint32)
TEXT ·outl(SB),NOSPLIT|NOFRAME,$0-8
	MOVW	port+0(FP), DX
	MOVL	v+4(FP), AX
	OUTL
	RET
