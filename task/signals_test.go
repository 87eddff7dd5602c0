package task

import (
	"encoding/binary"
	"testing"

	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
	"sigil/signal"
)

// TestFaultInfo checks every CPU exception's signal, si_code and si_addr,
// including the ones QEMU's TCG never raises (#SS, #AC, #XM).
func TestFaultInfo(t *testing.T) {
	cases := []struct {
		name   string
		vector uint64
		err    uint64
		cr2    uint64
		fcw    uint16
		fsw    uint16
		mxcsr  uint32
		sig    linux.Signal
		code   int32
		addr   uint64 // 1: the faulting RIP
	}{
		{name: "#DE", vector: irq.VecDivide, sig: linux.SIGFPE, code: linux.FPE_INTDIV, addr: 1},
		{name: "#UD", vector: irq.VecInvalidOp, sig: linux.SIGILL, code: linux.ILL_ILLOPN, addr: 1},
		{name: "int3", vector: irq.VecBreakpoint, sig: linux.SIGTRAP, code: linux.SI_KERNEL},
		{name: "single step", vector: irq.VecDebug, sig: linux.SIGTRAP, code: linux.TRAP_TRACE, addr: 1},
		{name: "#GP", vector: irq.VecGPF, sig: linux.SIGSEGV, code: linux.SI_KERNEL},
		{name: "#SS", vector: irq.VecStackFault, sig: linux.SIGBUS, code: linux.SI_KERNEL},
		{name: "#AC", vector: irq.VecAlignment, sig: linux.SIGBUS, code: linux.BUS_ADRALN},
		{name: "#MF zero divide", vector: irq.Vecx87, fcw: 0x037b, fsw: 0x0004, sig: linux.SIGFPE, code: linux.FPE_FLTDIV, addr: 1},
		{name: "#MF overflow", vector: irq.Vecx87, fcw: 0x0377, fsw: 0x0008, sig: linux.SIGFPE, code: linux.FPE_FLTOVF, addr: 1},
		{name: "#MF masked flag ignored", vector: irq.Vecx87, fcw: 0x037e, fsw: 0x0005, sig: linux.SIGFPE, code: linux.FPE_FLTINV, addr: 1},
		{name: "#XM zero divide", vector: irq.VecSIMD, mxcsr: 0x1f80&^0x200 | 0x4, sig: linux.SIGFPE, code: linux.FPE_FLTDIV, addr: 1},
		{name: "#XM underflow", vector: irq.VecSIMD, mxcsr: 0x1f80&^0x800 | 0x10, sig: linux.SIGFPE, code: linux.FPE_FLTUND, addr: 1},
		{name: "#XM inexact", vector: irq.VecSIMD, mxcsr: 0x1f80&^0x1000 | 0x20, sig: linux.SIGFPE, code: linux.FPE_FLTRES, addr: 1},
	}
	for _, c := range cases {
		var ut sched.UserContext
		ut.Ctx.TF.RIP = 0x401234
		ut.Trap = sched.TrapInfo{Vector: c.vector, ErrorCode: c.err, CR2: c.cr2}
		binary.LittleEndian.PutUint16(ut.Ctx.FP[0:], c.fcw)
		binary.LittleEndian.PutUint16(ut.Ctx.FP[2:], c.fsw)
		binary.LittleEndian.PutUint32(ut.Ctx.FP[24:], c.mxcsr)
		var info linux.SignalInfo
		faultInfo(&info, &ut.Trap, ut.Ctx.TF.RIP, &ut.Ctx.FP)
		want := c.addr
		if want == 1 {
			want = ut.Ctx.TF.RIP
		}
		got := binary.LittleEndian.Uint64(info.Fields[0:])
		if linux.Signal(info.Signo) != c.sig || info.Code != c.code || got != want {
			t.Errorf("%s: signal %d code %d addr %#x, want %d code %d addr %#x", c.name, info.Signo, info.Code, got, c.sig, c.code, want)
		}
		if !signal.Valid(int(info.Signo)) {
			t.Errorf("%s: invalid signal", c.name)
		}
	}
}
