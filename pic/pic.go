// Package pic drives the legacy pair of cascaded Intel 8259A programmable
// interrupt controllers found on every PC: the master at I/O ports
// 0x20/0x21 and the slave at 0xA0/0xA1, cascaded on the master's IR2.
//
// The facts used here come from the Intel 8259A datasheet ("8259A
// Programmable Interrupt Controller", Intel order number 231468); comments
// name the section they rely on, e.g. "8259A datasheet, ICW4".
//
// # Usage
//
//	var pics = pic.New(ports) // ports: the kernel's Bus (IN/OUT)
//
//	pics.Init(0x20, 0x28)     // at boot, CPU interrupts disabled
//	pics.Unmask(1)            // keyboard
//
//	// in the top half for IRQ n:
//	if pics.HandleSpurious(n) { return } // only acts for n == 7 or 15
//	... handle the device ...
//	pics.EOI(n)
//
// When a local/IO APIC takes over, call MaskAll (after Init, so that any
// spurious IRQ 7/15 the PICs still deliver lands on the remapped vectors
// rather than on CPU exception vectors).
//
// # Runtime constraints
//
// The methods used at interrupt time (EOI, Mask, Unmask, SetMask, MaskAll,
// IMR, ReadISR, ReadIRR, HandleSpurious, Vector, IRQ) are //go:nosplit, do
// not allocate, take no locks, and cannot panic or defer: they contain no
// indexing and every IRQ number is range-checked (out-of-range numbers are
// ignored). The Bus implementation they call through must obey the same
// rules.
//
// A PIC does no locking of its own. The cached mask is updated with a
// read-modify-write, so callers that change masks from both interrupt and
// thread context must serialise those calls, e.g. by running them with
// CPU interrupts disabled.
package pic

// Bus is x86 port I/O (IN/OUT of a byte).
//
// The kernel's implementation is a zero-size struct whose methods execute
// the IN and OUT instructions; host tests substitute a model of the chips.
// Implementations used at interrupt time must be nosplit and must not
// allocate.
type Bus interface {
	In8(port uint16) uint8
	Out8(port uint16, v uint8)
}

// I/O ports of the two chips on a PC. Each 8259A has one address line, A0:
// A0=0 selects the command port, A0=1 the data port (8259A datasheet,
// "8259A Basic Operation" table).
const (
	MasterCommand uint16 = 0x20 // master, A0=0: ICW1, OCW2, OCW3; reads IRR/ISR
	MasterData    uint16 = 0x21 // master, A0=1: ICW2-ICW4, OCW1 (IMR)
	SlaveCommand  uint16 = 0xA0 // slave, A0=0
	SlaveData     uint16 = 0xA1 // slave, A0=1

	// DelayPort is the POST diagnostic port. Writing to it does nothing
	// but takes about a microsecond on the ISA bus; it is the traditional
	// delay between 8259A initialisation writes on chipsets that need one.
	DelayPort uint16 = 0x80
)

// ICW1: written to the command port with D4=1 it starts the initialisation
// sequence (8259A datasheet, "Initialization Command Words", ICW1).
const (
	ICW1ICW4   uint8 = 0x01 // D0, IC4: an ICW4 follows
	ICW1Single uint8 = 0x02 // D1, SNGL: single chip, no ICW3 (unset: cascade mode)
	ICW1Level  uint8 = 0x08 // D3, LTIM: level-triggered inputs (unset: edge-triggered)
	ICW1Init   uint8 = 0x10 // D4: marks the byte as ICW1
)

// ICW3 in cascade mode (8259A datasheet, ICW3): the master gets a bit set
// for each IR input that has a slave attached; a slave gets its ID, the
// number of the master input it is attached to (ID2-ID0 in D2-D0).
const (
	CascadeIRQ   uint8 = 2               // master input the slave is wired to on a PC
	ICW3Master   uint8 = 1 << CascadeIRQ // 0x04: slave on IR2
	ICW3SlaveID2 uint8 = CascadeIRQ      // 0x02: slave identity 2
)

// ICW4 (8259A datasheet, ICW4).
const (
	ICW4Mode8086 uint8 = 0x01 // D0, µPM: 8086/8088 mode (unset: MCS-80/85 mode)
	ICW4AutoEOI  uint8 = 0x02 // D1, AEOI: automatic end of interrupt (not used here)
)

// OCW2, written to the command port with D4=D3=0 (8259A datasheet, OCW2).
const (
	OCW2EOI         uint8 = 0x20 // R,SL,EOI = 0,0,1: non-specific EOI
	OCW2SpecificEOI uint8 = 0x60 // R,SL,EOI = 0,1,1: specific EOI; OR with the level L2-L0
)

// OCW3, written to the command port with D4=0, D3=1 (8259A datasheet,
// OCW3). RR=1 selects a register for the following reads of the command
// port; RIS picks which one.
const (
	OCW3ReadIRR uint8 = 0x0A // RR=1, RIS=0: read the Interrupt Request Register
	OCW3ReadISR uint8 = 0x0B // RR=1, RIS=1: read the In-Service Register
)

// InitMask is the interrupt mask Init leaves behind: every line masked
// except IRQ2, the cascade input, so that unmasking a slave line (IRQ 8-15)
// is enough to receive it. The low byte is the master's IMR, the high byte
// the slave's; a set bit masks the line.
const InitMask uint16 = 0xFFFF &^ (1 << CascadeIRQ) // 0xFFFB

// PIC is the master/slave pair. IRQ numbers 0-7 are the master's inputs
// IR0-IR7, 8-15 the slave's IR0-IR7.
//
// A PIC must not be copied after Init: it caches the interrupt mask.
type PIC struct {
	bus        Bus
	masterBase uint8  // vector of IRQ 0 (ICW2 of the master)
	slaveBase  uint8  // vector of IRQ 8 (ICW2 of the slave)
	mask       uint16 // cached IMRs: master in the low byte, slave in the high
}

// New returns a PIC that talks to the chips through bus. It does no I/O;
// call Init before use. The result can initialise a package-level variable
// and needs no heap allocation.
func New(bus Bus) PIC {
	return PIC{bus: bus, mask: 0xFFFF}
}

// Init programs both chips with the full ICW1-ICW4 sequence (8259A
// datasheet, "Initialization Command Words" and its initialisation
// flowchart):
// edge-triggered inputs, cascade mode with the slave on the master's IR2
// (ICW3 0x04 on the master, 0x02 on the slave), 8086 mode, normal
// (non-automatic) EOI and fully nested priority.
//
// masterOffset and slaveOffset are the vectors of IRQ 0 and IRQ 8. In 8086
// mode only their bits 7-3 are used — the chip supplies the level in bits
// 2-0 (8259A datasheet, ICW2) — so the offsets are rounded down to a
// multiple of 8. In protected or long mode they should be 0x20 or above,
// clear of the CPU exception vectors.
//
// ICW1 clears the IMR (8259A datasheet, ICW1, item b), so Init finishes
// by writing InitMask: every line masked except the cascade line IRQ2.
//
// Each ICW byte is followed by a write of 0 to DelayPort (0x80) through the
// same Bus, the traditional delay for old chipsets that cannot take
// back-to-back writes. The two chips are programmed interleaved, which
// also spaces the writes to each chip.
//
// Call Init with CPU interrupts disabled. It is not nosplit and is meant
// for boot, not interrupt, context.
func (p *PIC) Init(masterOffset, slaveOffset uint8) {
	p.masterBase = masterOffset &^ 7
	p.slaveBase = slaveOffset &^ 7

	// ICW1: edge-triggered (LTIM=0), cascade (SNGL=0), ICW4 needed.
	p.icw(MasterCommand, ICW1Init|ICW1ICW4)
	p.icw(SlaveCommand, ICW1Init|ICW1ICW4)
	// ICW2: vector base (T7-T3).
	p.icw(MasterData, p.masterBase)
	p.icw(SlaveData, p.slaveBase)
	// ICW3: master has a slave on IR2; the slave's ID is 2.
	p.icw(MasterData, ICW3Master)
	p.icw(SlaveData, ICW3SlaveID2)
	// ICW4: 8086 mode, normal EOI, non-buffered, not special fully nested.
	p.icw(MasterData, ICW4Mode8086)
	p.icw(SlaveData, ICW4Mode8086)

	// OCW1: the chips are now operational with IMR = 0.
	p.SetMask(InitMask)
}

// icw writes one initialisation byte and then pauses.
func (p *PIC) icw(port uint16, v uint8) {
	p.bus.Out8(port, v)
	p.bus.Out8(DelayPort, 0)
}

// Mask disables IRQ line irq (0-15) by setting its bit in the owning chip's
// IMR with OCW1 (8259A datasheet, OCW1). Only that chip is written; the
// other bits come from the cached mask, so the IMR is never read back.
// irq > 15 is ignored.
//
//go:nosplit
func (p *PIC) Mask(irq uint8) {
	if irq > 15 {
		return
	}
	p.mask |= 1 << irq
	p.writeIMR(irq)
}

// Unmask enables IRQ line irq (0-15) by clearing its bit in the owning
// chip's IMR with OCW1. A slave line (8-15) is only delivered while IRQ2 is
// unmasked too, as Init leaves it. irq > 15 is ignored.
//
//go:nosplit
func (p *PIC) Unmask(irq uint8) {
	if irq > 15 {
		return
	}
	p.mask &^= 1 << irq
	p.writeIMR(irq)
}

// writeIMR writes the cached IMR of the chip that owns irq.
//
//go:nosplit
func (p *PIC) writeIMR(irq uint8) {
	if irq < 8 {
		p.bus.Out8(MasterData, uint8(p.mask))
	} else {
		p.bus.Out8(SlaveData, uint8(p.mask>>8))
	}
}

// SetMask writes both IMRs with OCW1: the low byte of m to the master, the
// high byte to the slave. A set bit masks the line.
//
//go:nosplit
func (p *PIC) SetMask(m uint16) {
	p.mask = m
	p.bus.Out8(MasterData, uint8(m))
	p.bus.Out8(SlaveData, uint8(m>>8))
}

// MaskAll masks every line on both chips (both IMRs 0xFF), as done when
// the APIC takes over interrupt delivery. Even fully masked, the 8259As
// can still deliver spurious IRQ 7/15, so they should have been remapped
// by Init beforehand.
//
//go:nosplit
func (p *PIC) MaskAll() {
	p.SetMask(0xFFFF)
}

// IMR returns the cached interrupt mask: master in the low byte, slave in
// the high byte.
//
//go:nosplit
func (p *PIC) IMR() uint16 {
	return p.mask
}

// EOI signals the end of interrupt irq with a non-specific EOI command
// (OCW2 0x20), which resets the highest-priority ISR bit; in fully nested
// mode that is the interrupt being serviced (8259A datasheet, OCW2 and
// "End of Interrupt"). For a slave line (8-15) the datasheet requires the
// EOI twice, "once for the master and once for the corresponding slave"
// (8259A datasheet, "Cascade Mode"): the slave is sent its EOI first, then
// the master for IR2. irq > 15 is ignored.
//
// Do not call EOI for an interrupt that HandleSpurious reported spurious.
//
//go:nosplit
func (p *PIC) EOI(irq uint8) {
	if irq > 15 {
		return
	}
	if irq >= 8 {
		p.bus.Out8(SlaveCommand, OCW2EOI)
	}
	p.bus.Out8(MasterCommand, OCW2EOI)
}

// ReadISR returns both In-Service Registers (slave in the high byte),
// read through the command ports after selecting the ISR with OCW3 (8259A
// datasheet, OCW3 and "Reading the 8259A Status").
//
//go:nosplit
func (p *PIC) ReadISR() uint16 {
	return p.readPair(OCW3ReadISR)
}

// ReadIRR returns both Interrupt Request Registers (slave in the high
// byte), read like ReadISR but selected with OCW3 RIS=0.
//
//go:nosplit
func (p *PIC) ReadIRR() uint16 {
	return p.readPair(OCW3ReadIRR)
}

// readPair selects a status register with OCW3 on both chips and reads it.
// The chip remembers the selection (8259A datasheet, "Reading the 8259A
// Status"), but the driver always selects explicitly before reading, so it
// assumes nothing about earlier commands.
//
//go:nosplit
func (p *PIC) readPair(ocw3 uint8) uint16 {
	m := p.readReg(MasterCommand, ocw3)
	s := p.readReg(SlaveCommand, ocw3)
	return uint16(s)<<8 | uint16(m)
}

//go:nosplit
func (p *PIC) readReg(cmd uint16, ocw3 uint8) uint8 {
	p.bus.Out8(cmd, ocw3)
	return p.bus.In8(cmd)
}

// HandleSpurious checks whether IRQ 7 or 15 is spurious and, if so, does
// the EOI bookkeeping such an interrupt needs. It returns true when the
// interrupt is spurious: the caller must then skip both its handler and
// its own EOI. For any other irq it does nothing and returns false.
//
// If an IR input drops before the CPU's INTA cycle, the 8259A still
// answers, with the vector of its IR7, but without setting ISR bit 7; a
// genuine IR7 sets it (8259A datasheet, "Edge and Level Triggered Modes":
// "A normal IR7 interrupt will set the corresponding ISR bit, a default
// IR7 won't"). So:
//
//   - IRQ 7: the master's ISR is read; bit 7 clear means spurious, and no
//     EOI at all is sent: nothing is in service to end.
//   - IRQ 15: the slave's ISR is read; bit 7 clear means spurious. The
//     master did see a real request on IR2 from the slave and set its ISR
//     bit 2, so the master (only) gets an EOI; the slave gets none.
//
// The ISR test assumes the handler for a lower-priority master (or slave)
// line is not itself interrupted by the PIC before its EOI, i.e. the top
// halves run with interrupts disabled, as through interrupt gates: a
// default IR7 arriving while a genuine IR7 is in service would look
// genuine.
//
//go:nosplit
func (p *PIC) HandleSpurious(irq uint8) (spurious bool) {
	switch irq {
	case 7:
		return p.readReg(MasterCommand, OCW3ReadISR)&0x80 == 0
	case 15:
		if p.readReg(SlaveCommand, OCW3ReadISR)&0x80 != 0 {
			return false
		}
		p.bus.Out8(MasterCommand, OCW2EOI)
		return true
	}
	return false
}

// Vector returns the interrupt vector that IRQ irq is delivered on, as set
// by Init. It returns 0 — a CPU exception vector, never a remapped IRQ
// vector — for irq > 15.
//
//go:nosplit
func (p *PIC) Vector(irq uint8) uint8 {
	switch {
	case irq < 8:
		return p.masterBase + irq
	case irq < 16:
		return p.slaveBase + irq - 8
	}
	return 0
}

// IRQ maps an interrupt vector back to its IRQ number; ok is false if the
// vector belongs to neither chip. Only meaningful after Init.
//
//go:nosplit
func (p *PIC) IRQ(vector uint8) (irq uint8, ok bool) {
	if d := vector - p.masterBase; d < 8 {
		return d, true
	}
	if d := vector - p.slaveBase; d < 8 {
		return d + 8, true
	}
	return 0, false
}
