package irq

// FPU state. An entry saves only what kernel code can change: the SSE
// registers and MXCSR, into their places in Context.FP (entry_amd64.s).
// Go code never uses the x87/MMX registers, so that state stays in the CPU
// across an entry and needs saving only when a user context leaves the
// live entry frame for good (the thread stops running here) and loading
// when one is put there. FXSAVE64 and FXRSTOR64 of the whole 512-byte image
// cost more than the rest of a system call under QEMU's TCG; see README's
// benchmark section.

// Offsets of the SSE registers in the FXSAVE image (SDM Vol. 1 Table 10-2),
// pinned against entry_amd64.s by frame_test.go.
const (
	fpXMM    = 160
	fpXMMEnd = fpXMM + 16*16
)

// CompleteFP fills in the x87 part of c's FPU image from the CPU. Call it
// on the live entry frame of a user context about to be copied out for
// good, before anything else can run user code. The SSE part stays the
// entry's (kernel code has used the registers since). Interrupt context.
//
//go:nosplit
func (c *Context) CompleteFP() { fxsaveWithSSE(&c.FP, &c.FP) }

// SaveFP writes the complete FPU image of the live entry frame c to dst
// (16-byte aligned), as CompleteFP and a copy would, in one pass: the SSE
// part saved at entry goes back into the registers and one FXSAVE writes
// it beside the x87 part, still in the CPU. Bytes 416-511, which FXSAVE
// leaves alone, are zeroed: an FXSAVE-only signal frame has no XSAVE
// header. Interrupt context.
//
//go:nosplit
func (c *Context) SaveFP(dst *FPState) { fxsaveWithSSE(dst, &c.FP) }

// LoadFPFrom makes image src (16-byte aligned, its MXCSR free of reserved
// bits) the FPU state of the live entry frame c, as a copy into c and
// LoadFP would, in one pass: FXRSTOR loads the CPU, and an FXSAVE gives c
// the SSE part, which the exit path reloads. Interrupt context.
//
//go:nosplit
func (c *Context) LoadFPFrom(src *FPState) { fxrstorInto(src, &c.FP) }

// LoadFP loads all of c's FPU image into the CPU. Call it on a user
// context just put into the live entry frame (16-byte aligned, as FXRSTOR
// needs: entry_amd64.s); the exit path then reloads the SSE part, which
// kernel code may use meanwhile. Interrupt context.
//
//go:nosplit
func (c *Context) LoadFP() { fxrstor(&c.FP) }

// ResetLiveFP gives the live entry frame c a fresh thread's FPU state, as
// ResetFP and LoadFP would, without FXRSTOR's 512-byte load (about 700
// cycles under TCG, on every signal delivery): the exit path loads the SSE
// part from c.FP, and the x87 part is reset in the CPU. Interrupt context.
//
//go:nosplit
func (c *Context) ResetLiveFP() {
	// Only the SSE part of c.FP is loaded on the way out; the x87 part
	// is taken from the CPU whenever it is next needed (CompleteFP).
	clear(c.FP[fpXMM:fpXMMEnd])
	c.setMXCSR(mxcsrDefault)
	initX87()
}

// KernelFP gives the live frame the SSE state a Go system call returns
// with: X15 zero (the register ABI's fixed zero) and MXCSR 0x1F80, the
// runtime's default. The other registers are dead across a call in the Go
// ABI, so they keep whatever they hold. Interrupt context.
//
//go:nosplit
func (c *Context) KernelFP() {
	c.setMXCSR(mxcsrDefault)
	clear(c.FP[fpXMM+15*16 : fpXMMEnd])
}

// Implemented in fpu_amd64.s; the images FXSAVE or FXRSTOR take must be
// 16-byte aligned (SDM Vol. 2A "FXSAVE"). An instruction apiece, where a
// copy of the SSE part through Go costs some sixty: the signal rows of
// `make bench` count instructions.
func fxsave(p *FPState)
func fxrstor(p *FPState)
func fxsaveWithSSE(dst, sse *FPState) // MXCSR and XMM0-15 from sse, then FXSAVE to dst; zeroes dst[416:]
func fxrstorInto(src, dst *FPState)   // FXRSTOR from src, then FXSAVE to dst
func initX87()
