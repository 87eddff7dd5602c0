package apic

import (
	"unsafe"

	"github.com/usbarmory/tamago/soc/intel/ioapic"
)

// IOAPIC redirection-table bits (Intel 82093AA datasheet §3.2.4).
const (
	ioregsel     = 0x00
	iowin        = 0x10
	redtbl       = 0x10
	redMask      = 1 << 16
	redLevel     = 1 << 15
	redLowActive = 1 << 13
)

// IOAPIC wraps TamaGo's driver, which programs edge-triggered, active-high
// entries for the boot CPU; polarity and trigger from MADT overrides, and
// masking, are applied here.
type IOAPIC struct {
	dev  ioapic.IOAPIC
	base uintptr
}

// NewIOAPIC describes the IOAPIC at physical (and virtual) address addr.
func NewIOAPIC(info IOAPICInfo) IOAPIC {
	return IOAPIC{
		dev:  ioapic.IOAPIC{Index: int(info.ID), Base: info.Addr, GSIBase: int(info.GSIBase)},
		base: uintptr(info.Addr),
	}
}

//go:nosplit
func (io *IOAPIC) reg(r uint32) *uint32 {
	*(*uint32)(unsafe.Add(unsafe.Pointer(nil), io.base+ioregsel)) = r
	return (*uint32)(unsafe.Add(unsafe.Pointer(nil), io.base+iowin))
}

// Entries returns the number of redirection entries.
func (io *IOAPIC) Entries() int { return io.dev.Entries() }

// MaskAll masks every input.
func (io *IOAPIC) MaskAll() {
	for i := 0; i < io.Entries(); i++ {
		p := io.reg(redtbl + uint32(2*i))
		*p |= redMask
	}
}

// Route sends gsi to vector on the boot CPU with the MADT flags' polarity
// and trigger mode, unmasked.
func (io *IOAPIC) Route(gsi uint32, vector uint8, flags uint16) {
	io.dev.EnableInterrupt(int(gsi), int(vector))
	p := io.reg(redtbl + 2*(gsi-uint32(io.dev.GSIBase)))
	v := *p &^ (redLevel | redLowActive)
	if flags&TriggerMask == TriggerLevel {
		v |= redLevel
	}
	if flags&PolarityMask == PolarityLow {
		v |= redLowActive
	}
	*p = v
}

// SetMasked masks or unmasks gsi.
//
//go:nosplit
func (io *IOAPIC) SetMasked(gsi uint32, masked bool) {
	p := io.reg(redtbl + 2*(gsi-uint32(io.dev.GSIBase)))
	if masked {
		*p |= redMask
	} else {
		*p &^= redMask
	}
}
