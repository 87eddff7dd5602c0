// Package arch holds the x86-64 primitives the rest of Sigil builds on: port
// I/O, model-specific registers, control registers, CPUID, the TSC, the GDT
// and TSS, and the per-CPU block.
//
// Everything here may run in interrupt context or before the Go runtime has
// started, so every function is //go:nosplit, allocation-free and lock-free.
// The assembly helpers are leaf functions with no frame: each states what it
// clobbers.
package arch
