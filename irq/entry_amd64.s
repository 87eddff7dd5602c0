// The trap path's assembly: 256 vector stubs, the SYSCALL entry, and the
// common save/restore path. Everything else is Go (dispatch.go).
//
// Saves: on entry, all 15 GPRs, XMM0-15 and MXCSR, building an irq.Context
// on the stack: [FPState 512 bytes][TrapFrame 176 bytes], lowest address
// first (frame.go; frame_test.go pins the push order). The SSE registers go to
// their FXSAVE-image offsets; the x87 part of the image is left for
// Context.CompleteFP (fpu.go).
// Clobbers: nothing visible to the interrupted code, except that a SYSCALL
// caller gets RCX and R11 replaced (by the CPU) and RAX set to the result, as
// the Linux ABI says.
// Reads the per-CPU block (arch.CPU) through GS.

#include "go_asm.h"
#include "textflag.h"

// Offsets and values come from go_asm.h (asm.go says which).

// Offsets into the stack at trapCommon's entry (the vector at 0) ...
#define TF_CS_AT_ENTRY (TrapFrame_CS-TrapFrame_Vector)
// ... and after the GPRs and the SSE state are saved.
#define TF_CS_SAVED (Context_TF+TrapFrame_CS)
// The saved RSP's offset from the vector slot.
#define TF_RSP_AT_VECTOR (TrapFrame_RSP-TrapFrame_Vector)

// Each stub is 16 bytes apart so the IDT can be filled from the table base
// (stubTable + 16*vector). PUSHQ is written as bytes so the assembler does
// not track the pushes as frame adjustments: 6A ib = PUSH imm8,
// 68 id = PUSH imm32 (SDM Vol. 2B "PUSH").
#define STUB(n) PCALIGN $16; BYTE $0x6a; BYTE $0x00; BYTE $0x68; LONG $n; JMP ·trapCommon(SB)
#define ERRSTUB(n) PCALIGN $16; BYTE $0x68; LONG $n; JMP ·trapCommon(SB)

// Vectors 8, 10-14, 17, 21, 29 and 30 get an error code from the CPU
// (SDM Vol. 3A Table 6-1); every other stub pushes a zero in its place.
TEXT ·stubTable(SB),NOSPLIT|NOFRAME,$0
	STUB(0)
	STUB(1)
	STUB(2)
	STUB(3)
	STUB(4)
	STUB(5)
	STUB(6)
	STUB(7)
	ERRSTUB(8)
	STUB(9)
	ERRSTUB(10)
	ERRSTUB(11)
	ERRSTUB(12)
	ERRSTUB(13)
	ERRSTUB(14)
	STUB(15)
	STUB(16)
	ERRSTUB(17)
	STUB(18)
	STUB(19)
	STUB(20)
	ERRSTUB(21)
	STUB(22)
	STUB(23)
	STUB(24)
	STUB(25)
	STUB(26)
	STUB(27)
	STUB(28)
	ERRSTUB(29)
	ERRSTUB(30)
	STUB(31)
	STUB(32)
	STUB(33)
	STUB(34)
	STUB(35)
	STUB(36)
	STUB(37)
	STUB(38)
	STUB(39)
	STUB(40)
	STUB(41)
	STUB(42)
	STUB(43)
	STUB(44)
	STUB(45)
	STUB(46)
	STUB(47)
	STUB(48)
	STUB(49)
	STUB(50)
	STUB(51)
	STUB(52)
	STUB(53)
	STUB(54)
	STUB(55)
	STUB(56)
	STUB(57)
	STUB(58)
	STUB(59)
	STUB(60)
	STUB(61)
	STUB(62)
	STUB(63)
	STUB(64)
	STUB(65)
	STUB(66)
	STUB(67)
	STUB(68)
	STUB(69)
	STUB(70)
	STUB(71)
	STUB(72)
	STUB(73)
	STUB(74)
	STUB(75)
	STUB(76)
	STUB(77)
	STUB(78)
	STUB(79)
	STUB(80)
	STUB(81)
	STUB(82)
	STUB(83)
	STUB(84)
	STUB(85)
	STUB(86)
	STUB(87)
	STUB(88)
	STUB(89)
	STUB(90)
	STUB(91)
	STUB(92)
	STUB(93)
	STUB(94)
	STUB(95)
	STUB(96)
	STUB(97)
	STUB(98)
	STUB(99)
	STUB(100)
	STUB(101)
	STUB(102)
	STUB(103)
	STUB(104)
	STUB(105)
	STUB(106)
	STUB(107)
	STUB(108)
	STUB(109)
	STUB(110)
	STUB(111)
	STUB(112)
	STUB(113)
	STUB(114)
	STUB(115)
	STUB(116)
	STUB(117)
	STUB(118)
	STUB(119)
	STUB(120)
	STUB(121)
	STUB(122)
	STUB(123)
	STUB(124)
	STUB(125)
	STUB(126)
	STUB(127)
	STUB(128)
	STUB(129)
	STUB(130)
	STUB(131)
	STUB(132)
	STUB(133)
	STUB(134)
	STUB(135)
	STUB(136)
	STUB(137)
	STUB(138)
	STUB(139)
	STUB(140)
	STUB(141)
	STUB(142)
	STUB(143)
	STUB(144)
	STUB(145)
	STUB(146)
	STUB(147)
	STUB(148)
	STUB(149)
	STUB(150)
	STUB(151)
	STUB(152)
	STUB(153)
	STUB(154)
	STUB(155)
	STUB(156)
	STUB(157)
	STUB(158)
	STUB(159)
	STUB(160)
	STUB(161)
	STUB(162)
	STUB(163)
	STUB(164)
	STUB(165)
	STUB(166)
	STUB(167)
	STUB(168)
	STUB(169)
	STUB(170)
	STUB(171)
	STUB(172)
	STUB(173)
	STUB(174)
	STUB(175)
	STUB(176)
	STUB(177)
	STUB(178)
	STUB(179)
	STUB(180)
	STUB(181)
	STUB(182)
	STUB(183)
	STUB(184)
	STUB(185)
	STUB(186)
	STUB(187)
	STUB(188)
	STUB(189)
	STUB(190)
	STUB(191)
	STUB(192)
	STUB(193)
	STUB(194)
	STUB(195)
	STUB(196)
	STUB(197)
	STUB(198)
	STUB(199)
	STUB(200)
	STUB(201)
	STUB(202)
	STUB(203)
	STUB(204)
	STUB(205)
	STUB(206)
	STUB(207)
	STUB(208)
	STUB(209)
	STUB(210)
	STUB(211)
	STUB(212)
	STUB(213)
	STUB(214)
	STUB(215)
	STUB(216)
	STUB(217)
	STUB(218)
	STUB(219)
	STUB(220)
	STUB(221)
	STUB(222)
	STUB(223)
	STUB(224)
	STUB(225)
	STUB(226)
	STUB(227)
	STUB(228)
	STUB(229)
	STUB(230)
	STUB(231)
	STUB(232)
	STUB(233)
	STUB(234)
	STUB(235)
	STUB(236)
	STUB(237)
	STUB(238)
	STUB(239)
	STUB(240)
	STUB(241)
	STUB(242)
	STUB(243)
	STUB(244)
	STUB(245)
	STUB(246)
	STUB(247)
	STUB(248)
	STUB(249)
	STUB(250)
	STUB(251)
	STUB(252)
	STUB(253)
	STUB(254)
	STUB(255)

// func stubTableAddr() uintptr
TEXT ·stubTableAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·stubTable(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func syscallEntryAddr() uintptr
TEXT ·syscallEntryAddr(SB),NOSPLIT|NOFRAME,$0-8
	LEAQ	·syscallEntry(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// syscallEntry is IA32_LSTAR. SYSCALL left RIP in RCX and RFLAGS in R11 and
// cleared RFLAGS bits per IA32_FMASK (IF among them), but did not switch
// stacks (SDM Vol. 2B "SYSCALL"). The caller's stack may be a goroutine stack
// near its limit, or a user stack, so nothing is pushed on it: RSP is parked
// in the per-CPU block and the per-CPU kernel stack is used instead. The
// caller's privilege is told by where it runs: kernel code lives only in the
// upper half, user code only in the lower half, so bit 63 of the return RIP
// is set exactly for the kernel's own runtime. A user caller's GS is swapped
// first. The hardware-style frame built lets the common path and IRETQ treat
// a system call like any other entry.
TEXT ·syscallEntry(SB),NOSPLIT|NOFRAME,$0
	BTQ	$63, CX
	JCC	fromUser
	MOVQ	SP, cpuBlock_Scratch(GS)
	MOVQ	cpuBlock_KStack(GS), SP
	BYTE	$0x6a; BYTE $const_kernelDS	// PUSH SS
	BYTE	$0x65; BYTE $0xff; BYTE $0x34; BYTE $0x25; LONG $cpuBlock_Scratch	// PUSH GS:cpuBlock_Scratch (RSP)
	BYTE	$0x41; BYTE $0x53	// PUSH R11 (RFLAGS)
	BYTE	$0x6a; BYTE $const_kernelCS	// PUSH CS
	BYTE	$0x51			// PUSH RCX (RIP)
	BYTE	$0x6a; BYTE $0x00	// PUSH error code 0
	BYTE	$0x68; LONG $const_SyscallVector	// PUSH vector
	JMP	·trapSaveRegs(SB)
fromUser:
	SWAPGS
	MOVQ	SP, cpuBlock_Scratch(GS)
	MOVQ	cpuBlock_KStack(GS), SP
	BYTE	$0x6a; BYTE $const_userDS	// PUSH SS
	BYTE	$0x65; BYTE $0xff; BYTE $0x34; BYTE $0x25; LONG $cpuBlock_Scratch	// PUSH GS:cpuBlock_Scratch (RSP)
	BYTE	$0x41; BYTE $0x53	// PUSH R11 (RFLAGS)
	BYTE	$0x6a; BYTE $const_userCS	// PUSH CS
	BYTE	$0x51			// PUSH RCX (RIP)
	BYTE	$0x6a; BYTE $0x00	// PUSH error code 0
	BYTE	$0x68; LONG $const_SyscallVector	// PUSH vector
	JMP	·trapSaveRegs(SB)

// trapCommon is where every vector stub lands. An entry from CPL 3 swaps
// GS first (the kernel's per-CPU block is in IA32_KERNEL_GS_BASE while user
// code runs, SDM Vol. 2B "SWAPGS"), then joins the SYSCALL path.
TEXT ·trapCommon(SB),NOSPLIT|NOFRAME,$0
	TESTB	$3, TF_CS_AT_ENTRY(SP)
	JEQ	2(PC)
	SWAPGS
	JMP	·trapSaveRegs(SB)

// trapSaveRegs saves the GPRs (RAX first, so R15 ends lowest) and the
// SSE state, gives code from CPL 3 the kernel FS base (Go's ABI wrappers
// load g from FS:-8, which must not be user memory), calls dispatch(*Context, *arch.CPU),
// and restores whatever the Context then holds: a handler that switched
// threads or entered or left user mode has rewritten it. A return to CPL 3
// loads the user FS base and swaps GS back last.
TEXT ·trapSaveRegs(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	AX
	PUSHQ	BX
	PUSHQ	CX
	PUSHQ	DX
	PUSHQ	SI
	PUSHQ	DI
	PUSHQ	BP
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	// The CPU aligned RSP to 16 before pushing SS (SDM Vol. 3A §6.14.2) and
	// 22 quadwords followed, so RSP is 16-aligned here, as MOVO needs.
	SUBQ	$Context_TF, SP
	// Only the SSE state, at its FXSAVE offsets (fpu.go says why).
	STMXCSR	(Context_FP+const_fpMXCSR)(SP)
	MOVO	X0, (Context_FP+const_fpXMM+0*16)(SP)
	MOVO	X1, (Context_FP+const_fpXMM+1*16)(SP)
	MOVO	X2, (Context_FP+const_fpXMM+2*16)(SP)
	MOVO	X3, (Context_FP+const_fpXMM+3*16)(SP)
	MOVO	X4, (Context_FP+const_fpXMM+4*16)(SP)
	MOVO	X5, (Context_FP+const_fpXMM+5*16)(SP)
	MOVO	X6, (Context_FP+const_fpXMM+6*16)(SP)
	MOVO	X7, (Context_FP+const_fpXMM+7*16)(SP)
	MOVO	X8, (Context_FP+const_fpXMM+8*16)(SP)
	MOVO	X9, (Context_FP+const_fpXMM+9*16)(SP)
	MOVO	X10, (Context_FP+const_fpXMM+10*16)(SP)
	MOVO	X11, (Context_FP+const_fpXMM+11*16)(SP)
	MOVO	X12, (Context_FP+const_fpXMM+12*16)(SP)
	MOVO	X13, (Context_FP+const_fpXMM+13*16)(SP)
	MOVO	X14, (Context_FP+const_fpXMM+14*16)(SP)
	MOVO	X15, (Context_FP+const_fpXMM+15*16)(SP)
	TESTB	$3, TF_CS_SAVED(SP)
	JEQ	kernelEntry
	MOVQ	cpuBlock_KernelFS(GS), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR
kernelEntry:
	MOVQ	SP, AX
	SUBQ	$16, SP
	MOVQ	AX, 0(SP)
	MOVQ	cpuBlock_Self(GS), AX
	MOVQ	AX, 8(SP)
	CALL	·dispatch(SB)
	ADDQ	$16, SP
	TESTB	$3, TF_CS_SAVED(SP)
	JEQ	restore
	MOVQ	cpuBlock_UserFS(GS), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR
restore:
	LDMXCSR	(Context_FP+const_fpMXCSR)(SP)
	MOVO	(Context_FP+const_fpXMM+0*16)(SP), X0
	MOVO	(Context_FP+const_fpXMM+1*16)(SP), X1
	MOVO	(Context_FP+const_fpXMM+2*16)(SP), X2
	MOVO	(Context_FP+const_fpXMM+3*16)(SP), X3
	MOVO	(Context_FP+const_fpXMM+4*16)(SP), X4
	MOVO	(Context_FP+const_fpXMM+5*16)(SP), X5
	MOVO	(Context_FP+const_fpXMM+6*16)(SP), X6
	MOVO	(Context_FP+const_fpXMM+7*16)(SP), X7
	MOVO	(Context_FP+const_fpXMM+8*16)(SP), X8
	MOVO	(Context_FP+const_fpXMM+9*16)(SP), X9
	MOVO	(Context_FP+const_fpXMM+10*16)(SP), X10
	MOVO	(Context_FP+const_fpXMM+11*16)(SP), X11
	MOVO	(Context_FP+const_fpXMM+12*16)(SP), X12
	MOVO	(Context_FP+const_fpXMM+13*16)(SP), X13
	MOVO	(Context_FP+const_fpXMM+14*16)(SP), X14
	MOVO	(Context_FP+const_fpXMM+15*16)(SP), X15
	ADDQ	$Context_TF, SP
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	CMPQ	0(SP), $const_sysretVector
	JEQ	sysret
	ADDQ	$(TrapFrame_RIP-TrapFrame_Vector), SP	// vector and error code
	TESTB	$3, (TrapFrame_CS-TrapFrame_RIP)(SP)	// the CS IRETQ will load
	JEQ	2(PC)
	SWAPGS
	IRETQ
sysret:
	// dispatch found RCX = RIP and R11 = RFLAGS, user selectors and a
	// canonical RIP (irq.TrapFrame.sysretSafe). Interrupts stay off until
	// SYSRETQ loads RFLAGS, so nothing runs on the user stack in between.
	MOVQ	TF_RSP_AT_VECTOR(SP), SP
	SWAPGS
	BYTE	$0x48; BYTE $0x0f; BYTE $0x07	// SYSRETQ (REX.W 0F 07)
