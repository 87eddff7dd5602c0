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

	// The interrupt command register (SDM Vol. 3A §10.6.1, Figure
	// 10-12; §11.6.1 in editions from 2023 on, whose numbering the
	// other citations here follow). TamaGo names bit 14 ICR_INIT: it
	// is the Level bit (1 assert, 0 de-assert).
	msrICR         = 0x830 // x2APIC: the whole ICR, one 64-bit write (§10.12.9)
	icrPending     = 1 << 12
	icrAssert      = 1 << lapic.ICR_INIT
	icrLevelTrig   = 1 << 15
	icrDeliverINIT = lapic.ICR_DLV_INIT
	icrDeliverSIPI = lapic.ICR_DLV_SIPI
	x2DestShift    = 32 // x2APIC ICR: destination in bits 63:32
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
	l.X2 = HasX2APIC()
	l.base = uintptr(addr)
	l.tamago = lapic.LAPIC{Base: uint32(addr)}
	l.setup(spurious, errVector, lvtExtINT, lvtNMI)
}

// EnableAP turns on the running application processor's local APIC in
// the mode Enable chose on the boot CPU, with the same spurious and error
// vectors. LINT0 and LINT1 stay masked: the 8259's ExtINT and the NMI
// line are wired to the boot CPU's pins only (as Linux's
// setup_local_APIC leaves them on every other CPU). Enable has written l
// before any AP starts; EnableAP only reads it, and writes only this
// CPU's registers.
//
//go:nosplit
func (l *LAPIC) EnableAP(spurious, errVector uint8) {
	l.setup(spurious, errVector, lvtExtINT|lvtMasked, lvtNMI|lvtMasked)
}

// setup enables this CPU's local APIC (IA32_APIC_BASE, then the
// software enable in the SVR, SDM Vol. 3A §11.4.3), in x2APIC mode if
// l.X2, and programs its local vector table.
//
//go:nosplit
func (l *LAPIC) setup(spurious, errVector uint8, lint0, lint1 uint32) {
	base := arch.ReadMSR(arch.MSR_APIC_BASE) | apicBaseEnable
	if l.X2 {
		base |= apicBaseX2
	}
	arch.WriteMSR(arch.MSR_APIC_BASE, base)
	if l.X2 {
		l.write(regSVR, l.read(regSVR)|svrEnable)
	} else {
		l.tamago.Enable()
	}
	l.write(regSVR, l.read(regSVR)&^0xff|uint32(spurious))
	l.write(regTPR, 0)
	l.write(regLVTLINT0, lint0)
	l.write(regLVTLINT1, lint1)
	l.write(regLVTError, uint32(errVector))
	l.write(regESR, 0)
	l.write(regLVTTimer, lvtMasked)
}

// ID returns the running CPU's local APIC ID: the whole ID register in
// x2APIC mode (§11.12.5.1), bits 31:24 of it in xAPIC mode (§11.4.6;
// TamaGo's ID keeps only bits 27:24, the P6 family's width).
//
//go:nosplit
func (l *LAPIC) ID() uint32 {
	if l.X2 {
		return l.read(regID)
	}
	return l.read(regID) >> 24
}

// MaxXAPICID is the largest APIC ID an xAPIC ICR can address (its
// destination field is 8 bits; 0xff is the broadcast).
const MaxXAPICID = 0xfe

// sendIPI writes the ICR: the low word icr (vector, delivery mode,
// level, trigger) to the CPU whose APIC ID is dest, physical
// destination mode, no shorthand. In x2APIC mode that is one write of
// MSR 0x830 with dest in bits 63:32 (§11.12.9); in xAPIC mode TamaGo's
// IPI writes the 8-bit destination into ICR bits 63:56, then the low
// word, whose write sends it.
//
//go:nosplit
func (l *LAPIC) sendIPI(dest uint32, icr uint32) {
	if l.X2 {
		arch.WriteMSR(msrICR, uint64(dest)<<x2DestShift|uint64(icr))
		return
	}
	l.tamago.IPI(int(dest), int(icr&0xff), int(icr))
}

// ICR delivery modes for SendIPI (SDM Vol. 3A §11.6.1, Figure 11-12).
const (
	DeliverFixed = 0 << 8
	DeliverNMI   = 4 << 8
)

// SendIPI sends the CPU whose APIC ID is dest an interrupt: vector with
// delivery mode DeliverFixed, or an NMI (DeliverNMI; the vector is
// ignored), edge-triggered, physical destination (§11.6.1). In xAPIC
// mode the destination goes to ICR bits 63:56 first, and the write of the
// low word sends it; the caller keeps interrupts off between the two, so
// no handler on this CPU sends in the middle (Linux's
// __default_send_IPI_dest_field runs with them off too). Before writing,
// it waits for the last IPI to have been accepted, as
// native_apic_mem_write's callers do through safe_apic_wait_icr_idle.
// Interrupt context.
//
//go:nosplit
func (l *LAPIC) SendIPI(dest uint32, vector uint8, mode uint32) {
	if l.X2 {
		arch.WriteMSR(msrICR, uint64(dest)<<x2DestShift|uint64(mode)|uint64(vector))
		return
	}
	for l.read(regICRLow)&icrPending != 0 {
		arch.Pause()
	}
	l.write(regICRHigh, dest<<24)
	l.write(regICRLow, mode|uint32(vector))
}

// waitIdle waits up to timeout TSC ticks for the xAPIC's Delivery Status
// bit to read idle, that is for the last IPI to have been accepted
// (§11.6.1). x2APIC has no such bit: a WRMSR to the ICR completes the
// send. It reports whether the ICR went idle.
//
//go:nosplit
func (l *LAPIC) waitIdle(timeout uint64) bool {
	if l.X2 {
		return true
	}
	t0 := arch.RDTSC()
	for l.read(regICRLow)&icrPending != 0 {
		if arch.RDTSC()-t0 > timeout {
			return false
		}
		arch.Pause()
	}
	return true
}

// ErrorStatus returns the errors the local APIC has latched since the
// last call: a write to the ESR latches them, the read returns them
// (§11.5.3).
//
//go:nosplit
func (l *LAPIC) ErrorStatus() uint32 {
	l.write(regESR, 0)
	return l.read(regESR)
}

// The waits of the INIT-SIPI-SIPI sequence (SDM Vol. 3A §8.4.4.1, the
// typical BSP initialization sequence, and the MP specification 1.4
// §B.4; §9.4.4.1 in editions from 2023 on): 10 ms after INIT, 200 µs
// after each STARTUP IPI. icrTimeout bounds a wait for the ICR to go
// idle, as Linux's safe_apic_wait_icr_idle bounds it (100 ms).
const (
	initDelayNs  = 10_000_000
	sipiDelayNs  = 200_000
	icrTimeoutNs = 100_000_000
)

// StartAP sends the CPU whose APIC ID is dest the INIT-SIPI-SIPI
// sequence, with the SDM's waits, so that it starts in real mode at
// physical address vector<<12 (CS = vector<<8, IP = 0: §8.4.3). INIT
// is sent asserted, then de-asserted (level-triggered, as Linux's
// wakeup_secondary_cpu_via_init sends it; processors since the Pentium
// 4 ignore the de-assert), then two STARTUP IPIs: the second is
// ignored by a CPU the first started, which is no longer waiting for
// one. It reports false if an IPI was never accepted, and the ESR.
//
//go:nosplit
func (l *LAPIC) StartAP(dest uint32, vector uint8) (esr uint32, ok bool) {
	timeout := clock.TSCHz() * icrTimeoutNs / 1e9
	l.ErrorStatus() // start from a clear ESR
	ok = true
	l.sendIPI(dest, icrDeliverINIT|icrLevelTrig|icrAssert)
	ok = l.waitIdle(timeout) && ok
	l.sendIPI(dest, icrDeliverINIT|icrLevelTrig)
	ok = l.waitIdle(timeout) && ok
	delayNs(initDelayNs)
	for i := 0; i < 2; i++ {
		l.sendIPI(dest, icrDeliverSIPI|uint32(vector))
		ok = l.waitIdle(timeout) && ok
		delayNs(sipiDelayNs)
	}
	return l.ErrorStatus(), ok
}

// StopAP sends INIT (asserted) to the CPU whose APIC ID is dest, which
// puts it back into its wait-for-SIPI state (§8.4.1): for an AP that
// did not come up in time, so that it cannot come up later.
//
//go:nosplit
func (l *LAPIC) StopAP(dest uint32) {
	l.sendIPI(dest, icrDeliverINIT|icrLevelTrig|icrAssert)
	l.waitIdle(clock.TSCHz() * icrTimeoutNs / 1e9)
	l.sendIPI(dest, icrDeliverINIT|icrLevelTrig)
	l.waitIdle(clock.TSCHz() * icrTimeoutNs / 1e9)
}

// delayNs spins for ns nanoseconds of the calibrated TSC.
//
//go:nosplit
func delayNs(ns uint64) {
	d := clock.TSCHz() * ns / 1e9
	for t0 := arch.RDTSC(); arch.RDTSC()-t0 < d; {
		arch.Pause()
	}
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
// calibration's plus the windows' jitter. Each window's rate is the count
// over the TSC span actually measured around it (a vCPU descheduled in
// the middle of a window, on a busy host, stretches both alike), and the
// median of three windows is kept, as Linux's calibrate_APIC_clock
// distrusts a single sample.
func (l *LAPIC) CalibrateTimer(window uint64) {
	var rate [3]uint64
	for i := range rate {
		l.write(regTimerDiv, divideBy16)
		l.write(regLVTTimer, lvtMasked|lvtTimerOneShot)
		l.write(regTimerInit, ^uint32(0))
		t0 := arch.RDTSC()
		for arch.RDTSC()-t0 < window {
		}
		elapsed := ^uint32(0) - l.read(regTimerCur)
		span := arch.RDTSC() - t0
		l.write(regTimerInit, 0)
		rate[i] = uint64(elapsed) * clock.TSCHz() / span
	}
	if rate[0] > rate[1] {
		rate[0], rate[1] = rate[1], rate[0]
	}
	if rate[1] > rate[2] {
		rate[1], rate[2] = rate[2], rate[1]
	}
	if rate[0] > rate[1] {
		rate[0], rate[1] = rate[1], rate[0]
	}
	l.HzDiv16 = rate[1]
}

// StartPeriodic interrupts on vector hz times a second.
//
//go:nosplit
func (l *LAPIC) StartPeriodic(vector uint8, hz uint64) {
	l.write(regTimerDiv, divideBy16)
	l.write(regLVTTimer, uint32(vector)|lvtTimerPeriod)
	l.write(regTimerInit, uint32(l.HzDiv16/hz))
}

// StartOneShot sets one-shot mode on vector, disarmed until Rearm.
//
//go:nosplit
func (l *LAPIC) StartOneShot(vector uint8) {
	l.write(regTimerDiv, divideBy16)
	l.write(regLVTTimer, uint32(vector)|lvtTimerOneShot)
}

// Rearm interrupts once, after ns nanoseconds (at least one count), in the
// one-shot mode StartOneShot set: writing the initial count starts the
// count down again (SDM Vol. 3A §11.5.4).
//
//go:nosplit
func (l *LAPIC) Rearm(ns uint64) {
	n := min(max(l.HzDiv16*ns/1e9, 1), 1<<32-1)
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
