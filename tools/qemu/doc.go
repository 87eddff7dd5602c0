// Package qemu runs the Sigil kernel under qemu-system-x86_64 for
// boot-and-assert tests and Makefile targets.
//
// A typical test boots the kernel, waits for serial lines and checks the
// exit code the kernel writes to the isa-debug-exit port:
//
//	m, err := qemu.Start(ctx, qemu.Config{
//		Kernel:    "../../build/sigil",
//		Append:    "test=runtime",
//		DebugExit: true,
//		Timeout:   2 * time.Minute,
//		Log:       qemu.LogTo(t.Logf),
//	})
//	if err != nil {
//		t.Fatal(err)
//	}
//	defer m.Kill()
//	if _, err := m.WaitFor(regexp.MustCompile(`^sigil: runtime ok`), time.Minute); err != nil {
//		t.Fatal(err)
//	}
//	res, err := m.Wait()
//	if code, ok := res.Code(); err != nil || !ok || code != 0 {
//		t.Fatalf("exit: %v status %d\n%s", err, res.Status, res.Tail(20))
//	}
//
// The serial console (COM1) is QEMU's standard input and output; it is read
// continuously, split into lines with '\r' removed, and kept in memory.
// The PS/2 keyboard is driven over QMP (Config.QMP).
//
// The accelerator is chosen by DetectAccel unless Config.Accel names one:
// the SIGIL_ACCEL environment variable ("kvm" or "tcg") wins; otherwise KVM
// is used only if /dev/kvm is usable and a short probe boot of the kernel
// prints a "sigil: " line within ten seconds; otherwise TCG.
package qemu
