package apic

import (
	"unsafe"

	"github.com/usbarmory/tamago/soc/intel/ioapic"
)

// IOAPIC redirection-table entry (Intel 82093AA datasheet §3.2.4): two
// 32-bit registers per input, the low at redtbl+2*pin (vector, delivery
// and destination modes, polarity, trigger, mask) and the high at
// redtbl+2*pin+1 (destination, bits 56-63 of the entry: bits 24-31 of the
// high register).
const (
	ioregsel     = 0x00
	iowin        = 0x10
	redtbl       = 0x10
	redMask      = 1 << 16
	redLevel     = 1 << 15
	redLowActive = 1 << 13
	redDestShift = 24 // in the high register
)

// MaxDest is the largest APIC ID a physical-mode entry can name: its
// destination field is 8 bits (82093AA §3.2.4; Linux without interrupt
// remapping cannot steer an IOAPIC line to a CPU above it either). The
// all-ones ID is a broadcast in physical mode, so it names no one CPU.
const MaxDest = 0xfe

// IOAPIC is one IOAPIC. TamaGo's driver reads its size; the entries are
// written here, whole, because its EnableInterrupt writes only the low
// register (no destination, no polarity or trigger).
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

// entry is the register index of gsi's redirection entry (its low half;
// the high half follows): two 32-bit registers per input from 0x10
// (82093AA datasheet §3.2.4).
//
//go:nosplit
func (io *IOAPIC) entry(gsi uint32) uint32 { return redtbl + 2*(gsi-uint32(io.dev.GSIBase)) }

// Entries returns the number of redirection entries.
func (io *IOAPIC) Entries() int { return io.dev.Entries() }

// MaskAll masks every input.
func (io *IOAPIC) MaskAll() {
	for i := 0; i < io.Entries(); i++ {
		p := io.reg(redtbl + uint32(2*i))
		*p |= redMask
	}
}

// Route sends gsi to vector on the CPU whose local APIC ID is dest
// (fixed delivery, physical destination mode), with the MADT flags'
// polarity and trigger mode, unmasked. The high register is written
// first, as Linux's __ioapic_write_entry does: the low one's clear mask
// bit enables the entry, which must be whole by then.
func (io *IOAPIC) Route(gsi uint32, vector uint8, flags uint16, dest uint32) {
	entry := io.entry(gsi)
	*io.reg(entry) |= redMask // the old entry stays quiet meanwhile
	*io.reg(entry + 1) = dest << redDestShift
	v := uint32(vector) // fixed delivery (000), physical mode, unmasked
	if flags&TriggerMask == TriggerLevel {
		v |= redLevel
	}
	if flags&PolarityMask == PolarityLow {
		v |= redLowActive
	}
	*io.reg(entry) = v
}

// SetDest points gsi's entry at the CPU whose local APIC ID is dest,
// leaving the rest of the entry (and its mask bit) as it is. It is one
// 32-bit write of the high register, which the IOAPIC takes whole: an
// interrupt it sends before the write goes to the old CPU, one after to
// the new, and none is dropped. The entry is not masked for the move:
// the 82093AA ignores an edge that arrives on a masked input (§3.2.4,
// "Interrupt Mask"), so masking around the write could lose a key press.
// A level-triggered input whose interrupt is still in service on the old
// CPU (Remote IRR set) is released by that CPU's EOI all the same: the
// IOAPIC matches an EOI to its entries by vector, and the vector does not
// change (§3.2.4, "Remote IRR").
//
//go:nosplit
func (io *IOAPIC) SetDest(gsi uint32, dest uint32) {
	*io.reg(io.entry(gsi) + 1) = dest << redDestShift
}

// SetMasked masks or unmasks gsi.
//
//go:nosplit
func (io *IOAPIC) SetMasked(gsi uint32, masked bool) {
	p := io.reg(io.entry(gsi))
	if masked {
		*p |= redMask
	} else {
		*p &^= redMask
	}
}
