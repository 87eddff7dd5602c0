package task

import (
	"fmt"
	"time"

	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
)

// Port access from user mode, as Linux with CONFIG_X86_IOPL_IOPERM
// (arch/x86/kernel/ioport.c): ioperm gives the calling thread a bit map of
// ports, iopl(3) every port. Both live in the thread (ioBits, iopl; owner
// thread only), are inherited by fork and clone and kept across execve;
// the TSS of the CPU running the thread holds them (arch.LoadIOBitmap).
// iopl is emulated as Linux emulates it: RFLAGS.IOPL stays 0, so CLI and
// STI still fault, and Linux's fixup_iopl_exception makes them no-ops for
// an iopl(3) thread.

// sysIoperm is ksys_ioperm: ports from..from+num-1 on or off; turning
// ports on needs CAP_SYS_RAWIO, turning them off nothing.
func sysIoperm(t *Thread, a *args) (uint64, error) {
	from, num, on := a[0], a[1], int32(a[2]) != 0
	if from+num <= from || from+num > arch.IOPorts {
		return 0, linux.EINVAL
	}
	if on && !t.creds().Capable(linux.CAP_SYS_RAWIO) {
		return 0, linux.EPERM
	}
	if !on && t.ioBits == nil {
		return 0, nil
	}
	b := arch.NewIOBitmap(t.ioBits, int(from), int(num), on)
	if b.Empty() {
		b = nil // Linux frees a map that allows nothing
	}
	t.ioBits = b
	t.publishIO()
	return 0, nil
}

// sysIopl is Linux's iopl: level 0-3, raising it needs CAP_SYS_RAWIO;
// level 3 allows every port, 1 and 2 nothing more than ioperm's.
func sysIopl(t *Thread, a *args) (uint64, error) {
	level := uint32(a[0])
	if level > 3 {
		return 0, linux.EINVAL
	}
	if level > uint32(t.iopl) && !t.creds().Capable(linux.CAP_SYS_RAWIO) {
		return 0, linux.EPERM
	}
	t.iopl = uint8(level)
	t.publishIO()
	return 0, nil
}

// publishIO sets the ports the thread takes into user mode.
func (t *Thread) publishIO() {
	if t.iopl == 3 {
		t.uc.IO = &arch.AllPorts
	} else {
		t.uc.IO = t.ioBits
	}
}

// Opcodes of CLI and STI.
const (
	opCLI = 0xfa
	opSTI = 0xfb
)

// ioplFixup is Linux's fixup_iopl_exception: a #GP from CLI or STI in an
// iopl(3) thread, which under real IOPL 3 would have run, skips the
// instruction; the first one is reported. It reports whether it did.
func (t *Thread) ioplFixup() bool {
	f := &t.uc.Ctx.TF
	if t.iopl != 3 || t.uc.Trap.Vector != irq.VecGPF {
		return false
	}
	var op [1]byte
	if t.p.as.CopyIn(op[:], f.RIP) != nil || op[0] != opCLI && op[0] != opSTI {
		return false
	}
	if !t.ioplWarned {
		if ok, _ := printkRatelimit.Allow(time.Now().UnixNano(), false); ok {
			t.ioplWarned = true
			fmt.Printf("<3>sigil: %s[%d] attempts to use CLI/STI, pretending it's a NOP, ip:%x\n", t.p.commName(), t.TID, f.RIP)
		}
	}
	f.RIP++
	return true
}
