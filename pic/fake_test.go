package pic_test

// A model of two cascaded 8259As on PC ports, used as the driver's Bus in
// host tests. It records every port access in order and interprets it
// according to the Intel 8259A datasheet, independently of the driver: it
// decodes bits with its own literals rather than the driver's constants.
//
// Modelled: the ICW1-ICW4 state machine (ICW3 only in cascade mode, ICW4
// only if ICW1 asked for it), OCW1 (IMR), OCW2 non-specific/specific EOI
// and no-op, OCW3 register selection for command-port reads, fully nested
// priority (IR0 highest, a request is passed only if it outranks everything
// in service), cascading of the slave's INT onto the master's IR2, and the
// default IR7 answered to an INTA that finds no request.
//
// Not modelled (any use is recorded as an error): MCS-80/85 mode,
// automatic EOI, level triggering, buffered and special fully nested mode,
// rotation and priority commands, poll mode and special mask mode.

import (
	"fmt"
	"math/bits"
)

// access is one recorded port access.
type access struct {
	port  uint16
	val   uint8
	write bool
}

func (a access) String() string {
	if a.write {
		return fmt.Sprintf("out(%#02x, %#02x)", a.port, a.val)
	}
	return fmt.Sprintf("in(%#02x) = %#02x", a.port, a.val)
}

// wr and rd build expected log entries.
func wr(port uint16, v uint8) access { return access{port: port, val: v, write: true} }
func rd(port uint16, v uint8) access { return access{port: port, val: v} }

// chip is one 8259A.
type chip struct {
	name      string
	cmd, data uint16 // ports with A0=0 and A0=1

	// Initialisation (8259A datasheet, "Initialization Command Words").
	step   int  // next ICW expected on the data port: 2, 3 or 4; 0 outside the sequence
	inited bool // a complete ICW sequence has been written
	icw1   uint8
	icw2   uint8
	icw3   uint8
	icw4   uint8
	base   uint8 // ICW2 T7-T3: vector of IR0

	imr, irr, isr uint8
	readISR       bool // OCW3 selection for command-port reads (false: IRR)
	eois          int  // EOI commands received
}

// model is the master/slave pair plus the port log.
type model struct {
	master, slave chip
	log           []access
	errs          []string
}

func newModel() *model {
	return &model{
		master: chip{name: "master", cmd: 0x20, data: 0x21},
		slave:  chip{name: "slave", cmd: 0xA0, data: 0xA1},
		log:    make([]access, 0, 1<<12),
	}
}

func (m *model) errorf(format string, args ...any) {
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

// resetLog forgets recorded accesses, keeping the log's storage.
func (m *model) resetLog() { m.log = m.log[:0] }

func (m *model) chipAt(port uint16) (c *chip, a0 uint8, ok bool) {
	switch port {
	case 0x20, 0x21:
		return &m.master, uint8(port & 1), true
	case 0xA0, 0xA1:
		return &m.slave, uint8(port & 1), true
	}
	return nil, 0, false
}

// Out8 implements pic.Bus.
func (m *model) Out8(port uint16, v uint8) {
	m.log = append(m.log, wr(port, v))
	if port == 0x80 {
		return // POST/delay port: no effect
	}
	c, a0, ok := m.chipAt(port)
	if !ok {
		m.errorf("out(%#x, %#x): not a PIC port", port, v)
		return
	}
	if a0 == 0 {
		m.command(c, v)
	} else {
		m.dataWrite(c, v)
	}
}

// In8 implements pic.Bus.
func (m *model) In8(port uint16) uint8 {
	var v uint8
	c, a0, ok := m.chipAt(port)
	switch {
	case !ok:
		m.errorf("in(%#x): not a PIC port", port)
	case a0 == 1:
		// 8259A datasheet, "Reading the 8259A Status": the IMR is on the
		// bus whenever RD is active and A0=1.
		v = c.imr
	case c.readISR:
		v = c.isr
	default:
		v = m.visibleIRR(c)
	}
	m.log = append(m.log, rd(port, v))
	return v
}

// command interprets a write with A0=0: ICW1, OCW2 or OCW3.
func (m *model) command(c *chip, v uint8) {
	if v&0x10 != 0 {
		// ICW1 (8259A datasheet, ICW1): starts initialisation; the IMR is
		// cleared, status read is set to IRR, and without IC4 all ICW4
		// functions are zero. (The datasheet says nothing of IRR/ISR.)
		c.icw1, c.icw2, c.icw3, c.icw4 = v, 0, 0, 0
		c.step, c.inited = 2, false
		c.imr = 0
		c.readISR = false
		if v&0x08 != 0 {
			m.errorf("%s ICW1 %#x: level-triggered mode not modelled", c.name, v)
		}
		return
	}
	if c.step != 0 {
		m.errorf("%s: OCW %#x on the command port in the middle of initialisation (expecting ICW%d)", c.name, v, c.step)
		return
	}
	if !c.inited {
		m.errorf("%s: OCW %#x before initialisation", c.name, v)
		return
	}
	if v&0x08 != 0 {
		// OCW3: D7=0, ESMM SMM 0 1 P RR RIS.
		switch {
		case v&0x80 != 0:
			m.errorf("%s OCW3 %#x: D7 must be 0", c.name, v)
		case v&0x40 != 0:
			m.errorf("%s OCW3 %#x: special mask mode not modelled", c.name, v)
		case v&0x04 != 0:
			m.errorf("%s OCW3 %#x: poll mode not modelled", c.name, v)
		case v&0x02 != 0:
			c.readISR = v&0x01 != 0
		}
		return
	}
	// OCW2: R SL EOI 0 0 L2 L1 L0.
	level := v & 7
	switch v >> 5 {
	case 0b001: // non-specific EOI: reset the highest-priority ISR bit
		c.eois++
		if c.isr == 0 {
			m.errorf("%s: non-specific EOI with nothing in service", c.name)
			return
		}
		c.isr &= c.isr - 1 // lowest set bit = highest priority (IR0 highest)
	case 0b011: // specific EOI
		c.eois++
		if c.isr&(1<<level) == 0 {
			m.errorf("%s: specific EOI for IR%d, which is not in service", c.name, level)
			return
		}
		c.isr &^= 1 << level
	case 0b010: // no operation
	default:
		m.errorf("%s OCW2 %#x: rotation/priority commands not modelled", c.name, v)
	}
}

// dataWrite interprets a write with A0=1: ICW2-ICW4 during initialisation,
// OCW1 otherwise.
func (m *model) dataWrite(c *chip, v uint8) {
	switch c.step {
	case 0:
		if !c.inited {
			m.errorf("%s: data write %#x before ICW1", c.name, v)
			return
		}
		c.imr = v // OCW1
		return
	case 2:
		c.icw2 = v
		c.base = v &^ 7 // 8086 mode: T7-T3; the chip fills in the level
		if c.icw1&0x02 == 0 {
			c.step = 3 // cascade mode: ICW3 follows
			return
		}
	case 3:
		c.icw3 = v
	case 4:
		c.icw4 = v
		m.finishInit(c)
		return
	}
	if c.icw1&0x01 != 0 {
		c.step = 4
		return
	}
	m.finishInit(c)
}

func (m *model) finishInit(c *chip) {
	c.step, c.inited = 0, true
	if c.icw4&0x01 == 0 {
		m.errorf("%s: MCS-80/85 mode not modelled (ICW4 %#x)", c.name, c.icw4)
	}
	if c.icw4&^0x01 != 0 {
		m.errorf("%s: ICW4 %#x: AEOI/buffered/SFNM not modelled", c.name, c.icw4)
	}
}

// cascaded reports whether the pair is wired as on a PC: both in cascade
// mode, the master expecting a slave on IR2, the slave having ID 2.
func (m *model) cascaded() bool {
	return m.master.inited && m.slave.inited &&
		m.master.icw1&0x02 == 0 && m.slave.icw1&0x02 == 0 &&
		m.master.icw3&0x04 != 0 && m.slave.icw3&7 == 2
}

// request returns the IR level a chip would present to its INT output:
// the highest-priority unmasked request that outranks everything in
// service (fully nested mode).
func (m *model) request(c *chip) (level uint8, ok bool) {
	if !c.inited {
		return 0, false
	}
	pending := m.visibleIRR(c) &^ c.imr
	if pending == 0 {
		return 0, false
	}
	l := uint8(bits.TrailingZeros8(pending))
	if c.isr != 0 && uint8(bits.TrailingZeros8(c.isr)) <= l {
		return 0, false
	}
	return l, true
}

// visibleIRR is the chip's IRR including, for the master, IR2 driven by
// the slave's INT output.
func (m *model) visibleIRR(c *chip) uint8 {
	if c == &m.master && m.cascaded() {
		if _, ok := m.request(&m.slave); ok {
			return c.irr | 0x04
		}
	}
	return c.irr
}

// isr returns both ISRs, slave in the high byte, without touching the log.
func (m *model) isr() uint16 { return uint16(m.slave.isr)<<8 | uint16(m.master.isr) }

// imr returns both IMRs, slave in the high byte.
func (m *model) imr() uint16 { return uint16(m.slave.imr)<<8 | uint16(m.master.imr) }

// raise makes a rising edge on IRQ line irq (0-15), setting its IRR bit.
// IRQ 2 is the cascade input and cannot be raised from outside.
func (m *model) raise(irq uint8) {
	switch {
	case irq == 2 || irq > 15:
		panic(fmt.Sprintf("model: cannot raise IRQ %d", irq))
	case irq < 8:
		m.master.irr |= 1 << irq
	default:
		m.slave.irr |= 1 << (irq - 8)
	}
}

// ack runs the CPU's INTA cycle if the master's INT output is asserted:
// the highest-priority request moves from IRR to ISR and its vector is
// returned. For a slave line the master's IR2 goes in service too and the
// slave supplies the vector (8259A datasheet, "Cascade Mode").
func (m *model) ack() (vector uint8, ok bool) {
	l, ok := m.request(&m.master)
	if !ok {
		return 0, false
	}
	if l == 2 && m.cascaded() {
		s, ok := m.request(&m.slave)
		if !ok {
			panic("model: IR2 requested without a slave request")
		}
		m.master.isr |= 1 << 2
		m.slave.irr &^= 1 << s
		m.slave.isr |= 1 << s
		return m.slave.base + s, true
	}
	m.master.irr &^= 1 << l
	m.master.isr |= 1 << l
	return m.master.base + l, true
}

// canSpurious reports whether a glitch could produce a default IR7 for
// irq (7: master, 15: slave) in the current state.
func (m *model) canSpurious(irq uint8) bool {
	switch irq {
	case 7:
		// Some master line glitched; it had to outrank everything in
		// service, which (IR7 being lowest) excludes a real IR7 in service.
		return m.master.inited && m.master.isr&0x80 == 0
	case 15:
		// The slave's INT reached the master, which accepted IR2: IR2
		// unmasked and nothing of equal or higher priority in service.
		return m.cascaded() && m.master.imr&0x04 == 0 && m.master.isr&0x07 == 0 &&
			m.slave.isr&0x80 == 0
	}
	return false
}

// spuriousAck runs an INTA for which the requesting IR input has already
// dropped: the chip answers with its IR7 vector but sets no ISR bit
// (8259A datasheet, "Edge and Level Triggered Modes"). irq 7 models a
// glitch on a master line; irq 15 one on a slave line, where the master
// did see, and put in service, a real request on IR2.
func (m *model) spuriousAck(irq uint8) uint8 {
	if !m.canSpurious(irq) {
		panic(fmt.Sprintf("model: spurious IRQ %d impossible in this state", irq))
	}
	if irq == 7 {
		return m.master.base + 7
	}
	m.master.isr |= 1 << 2
	return m.slave.base + 7
}

// writes returns the recorded writes to port.
func (m *model) writes(port uint16) []uint8 {
	var out []uint8
	for _, a := range m.log {
		if a.write && a.port == port {
			out = append(out, a.val)
		}
	}
	return out
}
