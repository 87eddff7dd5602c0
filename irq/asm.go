package irq

import "sigil/arch"

// The names entry_amd64.s reads from go_asm.h, the header the compiler
// writes from this package's types and constants: Context_TF,
// TrapFrame_CS, TrapFrame_RSP and TrapFrame_Vector from the structs in
// frame.go, cpuBlock_* from arch.CPU through the alias, const_* from the
// constants here and in frame.go and fpu.go. An offset or value changed in
// Go changes in the assembly; a name removed fails the build.

// cpuBlock is the per-CPU block the entry reads through GS.
type cpuBlock = arch.CPU

const (
	kernelCS  = arch.KernelCS
	kernelDS  = arch.KernelDS
	userCS    = arch.UserCS
	userDS    = arch.UserDS
	msrFSBase = arch.MSR_FS_BASE
)
