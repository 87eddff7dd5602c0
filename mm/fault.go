package mm

import (
	"sigil/arch"
	"sigil/console"
	"sigil/irq"
	"sigil/power"
)

// HandlePageFault is the #PF handler. A fault in demand-zero kernel memory
// (the runtime touching memory it mmapped) is resolved here; anything else
// is a kernel bug and is reported. Running on the exception IST stack with
// IF clear; see the irq package for the rules.
//
//go:nosplit
func HandlePageFault(c *irq.Context) {
	addr := uintptr(arch.CR2())
	code := c.TF.ErrorCode
	if !c.TF.FromUser() && code&irq.PFPresent == 0 {
		ok, oom := Fault(KernelRoot, addr, code&irq.PFWrite != 0, false)
		if ok {
			return
		}
		if oom {
			console.Puts("sigil: out of memory: no frame for kernel page ")
			console.PutHex(uint64(addr))
			console.Puts("\n")
			power.Off(power.ExitOutOfMemory)
		}
	}
	irq.KernelFault(c)
}
