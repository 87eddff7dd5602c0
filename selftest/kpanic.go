package selftest

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

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
		return sentSignals(t)
	})
}

// sentSignals: kill(2) and tgkill(2) from the kernel's runtime to itself
// reach os/signal as they would in a Go program on Linux (si_code
// SI_USER and SI_TKILL are the runtime's to check).
func sentSignals(t *T) error {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(ch)
	before := sys.KernelSignals
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGUSR1); err != nil {
		return fmt.Errorf("kill: %v", err)
	}
	runtime.LockOSThread()
	err := syscall.Tgkill(syscall.Getpid(), syscall.Gettid(), syscall.SIGUSR2)
	runtime.UnlockOSThread()
	if err != nil {
		return fmt.Errorf("tgkill: %v", err)
	}
	got := map[os.Signal]bool{}
	for len(got) < 2 {
		select {
		case s := <-ch:
			got[s] = true
		case <-time.After(10 * time.Second):
			return fmt.Errorf("signals received: %v, want SIGUSR1 and SIGUSR2", got)
		}
	}
	t.Logf("kill and tgkill to itself: SIGUSR1 and SIGUSR2 through os/signal (%d frames)", sys.KernelSignals-before)
	return nil
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
