package selftest

import (
	"errors"

	"sigil/arch"
)

func init() {
	// probe: the accelerator probe boots with it; it only has to pass.
	register("probe", func(*T) error { return nil })
	// fail proves a failing self-test powers off with a failure status.
	register("fail", func(*T) error { return errors.New("this test always fails") })
	// fault executes ud2 in kernel code: the fault path must report it
	// (vector, registers, decoded instruction, symbol) and power off.
	register("fault", func(t *T) error {
		t.Logf("executing ud2 in a kernel goroutine")
		done := make(chan struct{})
		go func() {
			arch.UD2()
			close(done)
		}()
		<-done
		return errors.New("ud2 did not fault")
	})
}
