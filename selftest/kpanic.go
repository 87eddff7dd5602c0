package selftest

import (
	"errors"
	"fmt"

	"sigil/arch"
	"sigil/sys"
)

var (
	kzero    = 0
	ksink    int
	knilNode *struct{ next, val int }
)

// kpanic: a divide by zero and a nil dereference in a kernel goroutine
// reach the kernel's runtime as SIGFPE and SIGSEGV (counted by
// sys.KernelSignals) and come back as runtime errors recover catches.
func init() {
	register("kpanic", func(t *T) error {
		before := sys.KernelSignals
		div := recovered(func() { ksink = int(arch.Divide(1, int64(kzero))) })
		nilp := recovered(func() { ksink = knilNode.val })
		t.Logf("divide: %s", div)
		t.Logf("nil: %s", nilp)
		if div != "runtime error: integer divide by zero" {
			return fmt.Errorf("divide recovered %q", div)
		}
		if nilp != "runtime error: invalid memory address or nil pointer dereference" {
			return fmt.Errorf("nil dereference recovered %q", nilp)
		}
		if n := sys.KernelSignals - before; n != 2 {
			return fmt.Errorf("%d signals delivered to the kernel's runtime, want 2", n)
		}
		// And again: the handlers' masks and alternate stacks were restored.
		if recovered(func() { ksink = knilNode.next }) == "" || sys.KernelSignals-before != 3 {
			return errors.New("a second nil dereference was not recovered")
		}
		t.Logf("%d faults became panics through the runtime's signal handlers", sys.KernelSignals-before)
		return nil
	})
}

func recovered(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}
