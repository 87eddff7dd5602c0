package apic

import (
	"unsafe"

	"github.com/usbarmory/tamago/amd64/lapic"

	"sigil/arch"
	"sigil/clock"
)

// Local APIC registers (SDM Vol. 3A §11.4.1, Table 11-1), as xAPIC MMIO
// offsets; in x2APIC mode register r is MSR 0x800 + r>>4 (§11.12.1.2).
const (
	regID        = 0x020
	regVersion   = 0x030
	regTPR       = 0x080
	regEOI       = 0x0b0
	regSVR       = 0x0f0
	regESR       = 0x280
	regICRLow    = 0x300
	regICRHigh   = 0x310
	regLVTTimer  = 0x320
	regLVTLINT0  = 0x350
	regLVTLINT1  = 0x360
	regLVTError  = 0x370
	regTimerInit = 0x380
	regTimerCur  = 0x390
	regTimerDiv  = 0x3e0

	msrX2APICBase = 0x800
	msrSelfIPI    = 0x83f // x2APIC only (§11.12.11)

	apicBaseEnable = 1 << 11 // IA32_APIC_BASE: global enable
	apicBaseX2     = 1 << 10 // IA32_APIC_BASE: x2APIC mode

	svrEnable = 1 << 8

	lvtMasked       = 1 << 16
	lvtTimerOneShot = 0 << 17
	lvtTimerPeriod  = 1 << 17
	lvtTimerTSCDL   = 2 << 17
	lvtExtINT       = 7 << 8
	lvtNMI          = 4 << 8

	divideBy16 = 0x3 // timer divide configuration (§11.5.4, Figure 11-10)
	icrSelf    = 1 << 18
)

// WindowBase..WindowEnd is the physical range of the IOAPIC and local APIC
// register windows. It is mapped, uncached and supervisor-only, at the same
// virtual addresses, because TamaGo's drivers take 32-bit register
// addresses.
const (
	WindowBase = 0xfec00000
	WindowEnd  = 0xff000000
)

// LAPIC is this CPU's local APIC.
type LAPIC struct {
	X2      bool
	base    uintptr     // xAPIC register window (virtual = physical)
	tamago  lapic.LAPIC // xAPIC set-up and IPIs
	HzDiv16 uint64      // timer ticks per second at divide-by-16
}

// Local is the running CPU's local APIC.
var Local LAPIC

// Present reports whether CPUID says there is a local APIC.
//
//go:nosplit
func Present() bool { _, _, _, d := arch.CPUID(1, 0); return d&(1<<9) != 0 }

// HasX2APIC reports CPUID.01H:ECX[21].
//
//go:nosplit
func HasX2APIC() bool { _, _, c, _ := arch.CPUID(1, 0); return c&(1<<21) != 0 }

// HasTSCDeadline reports CPUID.01H:ECX[24].
//
//go:nosplit
func HasTSCDeadline() bool { _, _, c, _ := arch.CPUID(1, 0); return c&(1<<24) != 0 }

//go:nosplit
func (l *LAPIC) read(reg uint32) uint32 {
	if l.X2 {
		return uint32(arch.ReadMSR(msrX2APICBase + reg>>4))
	}
	return *(*uint32)(unsafe.Add(unsafe.Pointer(nil), l.base+uintptr(reg)))
}

//go:nosplit
func (l *LAPIC) write(reg, v uint32) {
	if l.X2 {
		arch.WriteMSR(msrX2APICBase+reg>>4, uint64(v))
		return
	}
	*(*uint32)(unsafe.Add(unsafe.Pointer(nil), l.base+uintptr(reg))) = v
}

// Enable turns the local APIC on with spurious vector spurious, LINT0 as
// ExtINT (so the 8259 still reaches the CPU in PIC mode, SDM Vol. 3A
// §11.5.1) and LINT1 as NMI, and the error interrupt on errVector. x2APIC is
// used when the CPU has it: under KVM each xAPIC MMIO access is a VM exit,
// while x2APIC MSR accesses are handled in the fast path. The register
// window must be mapped (see WindowBase) for xAPIC.
func (l *LAPIC) Enable(addr uint64, spurious, errVector uint8) {
	base := arch.ReadMSR(arch.MSR_APIC_BASE)
	base |= apicBaseEnable
	if HasX2APIC() {
		base |= apicBaseX2
		l.X2 = true
	}
	arch.WriteMSR(arch.MSR_APIC_BASE, base)
	l.base = uintptr(addr)
	l.tamago = lapic.LAPIC{Base: uint32(addr)}
	if l.X2 {
		l.write(regSVR, l.read(regSVR)|svrEnable)
	} else {
		l.tamago.Enable()
	}
	l.write(regSVR, l.read(regSVR)&^0xff|uint32(spurious))
	l.write(regTPR, 0)
	l.write(regLVTLINT0, lvtExtINT)
	l.write(regLVTLINT1, lvtNMI)
	l.write(regLVTError, uint32(errVector))
	l.write(regESR, 0)
	l.write(regLVTTimer, lvtMasked)
}

// ID returns the local APIC's id.
func (l *LAPIC) ID() uint32 {
	if l.X2 {
		return l.read(regID)
	}
	return l.tamago.ID()
}

// Version returns the version register.
func (l *LAPIC) Version() uint32 { return l.read(regVersion) }

// EOI signals the end of the interrupt being serviced.
//
//go:nosplit
func (l *LAPIC) EOI() { l.write(regEOI, 0) }

// SelfIPI sends vector to this CPU.
func (l *LAPIC) SelfIPI(vector uint8) {
	if l.X2 {
		arch.WriteMSR(msrSelfIPI, uint64(vector))
		return
	}
	l.tamago.IPI(0, int(vector), lapic.ICR_DST_SELF|lapic.ICR_DLV_IRQ)
}

// MaskLINT0 stops the 8259's ExtINT path (APIC mode).
func (l *LAPIC) MaskLINT0() { l.write(regLVTLINT0, lvtExtINT|lvtMasked) }

// CalibrateTimer measures the timer's rate at divide-by-16 over window TSC
// ticks. The TSC is itself calibrated against the PIT, so the error is that
// calibration's plus one window's jitter.
func (l *LAPIC) CalibrateTimer(window uint64) {
	l.write(regTimerDiv, divideBy16)
	l.write(regLVTTimer, lvtMasked|lvtTimerOneShot)
	l.write(regTimerInit, ^uint32(0))
	t0 := arch.RDTSC()
	for arch.RDTSC()-t0 < window {
	}
	elapsed := ^uint32(0) - l.read(regTimerCur)
	l.write(regTimerInit, 0)
	l.HzDiv16 = uint64(elapsed) * clock.TSCHz() / window
}

// StartPeriodic interrupts on vector hz times a second.
//
//go:nosplit
func (l *LAPIC) StartPeriodic(vector uint8, hz uint64) {
	l.write(regTimerDiv, divideBy16)
	l.write(regLVTTimer, uint32(vector)|lvtTimerPeriod)
	l.write(regTimerInit, uint32(l.HzDiv16/hz))
}

// OneShot interrupts on vector once, after ns nanoseconds.
//
//go:nosplit
func (l *LAPIC) OneShot(vector uint8, ns uint64) {
	l.write(regTimerDiv, divideBy16)
	l.write(regLVTTimer, uint32(vector)|lvtTimerOneShot)
	n := l.HzDiv16 * ns / 1e9
	if n == 0 {
		n = 1
	}
	l.write(regTimerInit, uint32(n))
}

// ArmDeadline sets TSC-deadline mode on vector (SDM Vol. 3A §11.5.4.1).
//
//go:nosplit
func (l *LAPIC) ArmDeadline(vector uint8) {
	l.write(regLVTTimer, uint32(vector)|lvtTimerTSCDL)
}

// SetDeadline fires the TSC-deadline timer when the TSC reaches tsc.
//
//go:nosplit
func (l *LAPIC) SetDeadline(tsc uint64) { arch.WriteMSR(arch.MSR_TSC_DEADLINE, tsc) }

// StopTimer masks the timer.
//
//go:nosplit
func (l *LAPIC) StopTimer() {
	l.write(regLVTTimer, lvtMasked)
	l.write(regTimerInit, 0)
}
