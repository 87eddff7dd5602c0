package pic_test

import (
	"fmt"
	"slices"
	"testing"

	"sigil/pic"
)

// setup returns an initialised driver (offsets 0x20/0x28) on a fresh model
// with an empty log.
func setup(t testing.TB) (*model, *pic.PIC) {
	t.Helper()
	m := newModel()
	p := pic.New(m)
	p.Init(0x20, 0x28)
	noErrors(t, m)
	m.resetLog()
	return m, &p
}

func noErrors(t testing.TB, m *model) {
	t.Helper()
	for _, e := range m.errs {
		t.Errorf("model: %s", e)
	}
}

func wantLog(t testing.TB, m *model, want ...access) {
	t.Helper()
	if !slices.Equal(m.log, want) {
		t.Errorf("port accesses:\n got %v\nwant %v", m.log, want)
	}
}

func TestInit(t *testing.T) {
	m := newModel()
	p := pic.New(m)
	p.Init(0x20, 0x28)

	wantLog(t, m,
		wr(0x20, 0x11), wr(0x80, 0x00), // master ICW1: init, edge, cascade, ICW4 follows
		wr(0xA0, 0x11), wr(0x80, 0x00), // slave ICW1
		wr(0x21, 0x20), wr(0x80, 0x00), // master ICW2: vector base 0x20
		wr(0xA1, 0x28), wr(0x80, 0x00), // slave ICW2: vector base 0x28
		wr(0x21, 0x04), wr(0x80, 0x00), // master ICW3: slave on IR2
		wr(0xA1, 0x02), wr(0x80, 0x00), // slave ICW3: ID 2
		wr(0x21, 0x01), wr(0x80, 0x00), // master ICW4: 8086 mode
		wr(0xA1, 0x01), wr(0x80, 0x00), // slave ICW4: 8086 mode
		wr(0x21, 0xFB), // master OCW1: all masked but IRQ2
		wr(0xA1, 0xFF), // slave OCW1: all masked
	)
	noErrors(t, m)

	for _, c := range []*chip{&m.master, &m.slave} {
		if !c.inited || c.step != 0 {
			t.Errorf("%s: inited=%v step=%d, want initialised", c.name, c.inited, c.step)
		}
		if c.icw1&0x02 != 0 || c.icw1&0x08 != 0 || c.icw4 != 0x01 {
			t.Errorf("%s: ICW1 %#x ICW4 %#x, want cascade, edge, 8086 mode", c.name, c.icw1, c.icw4)
		}
	}
	if !m.cascaded() || m.master.icw3 != 0x04 || m.slave.icw3 != 0x02 {
		t.Errorf("cascade: master ICW3 %#x, slave ICW3 %#x", m.master.icw3, m.slave.icw3)
	}
	if m.master.base != 0x20 || m.slave.base != 0x28 {
		t.Errorf("vector bases %#x/%#x, want 0x20/0x28", m.master.base, m.slave.base)
	}
	if m.imr() != 0xFFFB || p.IMR() != 0xFFFB || pic.InitMask != 0xFFFB {
		t.Errorf("IMR: model %#04x driver %#04x, want 0xfffb", m.imr(), p.IMR())
	}
	if m.isr() != 0 || m.master.readISR || m.slave.readISR {
		t.Errorf("after init: ISR %#x, readISR %v/%v", m.isr(), m.master.readISR, m.slave.readISR)
	}
}

func TestInitRoundsOffsetsAndResetsMask(t *testing.T) {
	m, p := setup(t)
	p.SetMask(0)
	p.Init(0x37, 0x4F)
	noErrors(t, m)
	if m.master.icw2 != 0x30 || m.slave.icw2 != 0x48 {
		t.Errorf("ICW2 %#x/%#x, want 0x30/0x48", m.master.icw2, m.slave.icw2)
	}
	if m.imr() != 0xFFFB || p.IMR() != 0xFFFB {
		t.Errorf("IMR after re-init: model %#x driver %#x", m.imr(), p.IMR())
	}
	if p.Vector(0) != 0x30 || p.Vector(9) != 0x49 {
		t.Errorf("Vector(0)=%#x Vector(9)=%#x", p.Vector(0), p.Vector(9))
	}
}

func TestVectorIRQ(t *testing.T) {
	_, p := setup(t)
	for irq := uint8(0); irq < 16; irq++ {
		v := p.Vector(irq)
		if want := 0x20 + irq; v != want {
			t.Errorf("Vector(%d) = %#x, want %#x", irq, v, want)
		}
		if got, ok := p.IRQ(v); !ok || got != irq {
			t.Errorf("IRQ(%#x) = %d, %v; want %d", v, got, ok, irq)
		}
	}
	if v := p.Vector(16); v != 0 {
		t.Errorf("Vector(16) = %#x, want 0", v)
	}
	for _, v := range []uint8{0x00, 0x1F, 0x30, 0x80, 0xFF} {
		if irq, ok := p.IRQ(v); ok {
			t.Errorf("IRQ(%#x) = %d, true; want not a PIC vector", v, irq)
		}
	}

	// Bases near the top of the vector space must not wrap.
	q := pic.New(newModel())
	q.Init(0xF8, 0xF0)
	if irq, ok := q.IRQ(0xFF); !ok || irq != 7 {
		t.Errorf("IRQ(0xff) = %d, %v; want 7", irq, ok)
	}
	if irq, ok := q.IRQ(0xF3); !ok || irq != 11 {
		t.Errorf("IRQ(0xf3) = %d, %v; want 11", irq, ok)
	}
	if irq, ok := q.IRQ(0x00); ok {
		t.Errorf("IRQ(0) = %d, true; want false", irq)
	}
}

func TestMaskUnmask(t *testing.T) {
	for irq := uint8(0); irq < 16; irq++ {
		t.Run(fmt.Sprint(irq), func(t *testing.T) {
			m, p := setup(t)
			before := m.imr()
			port := uint16(0x21)
			if irq >= 8 {
				port = 0xA1
			}

			p.Unmask(irq)
			want := before &^ (1 << irq)
			wantLog(t, m, wr(port, uint8(want>>(irq&8))))
			if m.imr() != want || p.IMR() != want {
				t.Errorf("Unmask: IMR model %#04x driver %#04x, want %#04x", m.imr(), p.IMR(), want)
			}

			m.resetLog()
			p.Mask(irq)
			want |= 1 << irq
			wantLog(t, m, wr(port, uint8(want>>(irq&8))))
			if m.imr() != want || p.IMR() != want {
				t.Errorf("Mask: IMR model %#04x driver %#04x, want %#04x", m.imr(), p.IMR(), want)
			}
			noErrors(t, m)
		})
	}
}

func TestMaskOutOfRange(t *testing.T) {
	m, p := setup(t)
	for _, irq := range []uint8{16, 100, 255} {
		p.Mask(irq)
		p.Unmask(irq)
		p.EOI(irq)
		if p.HandleSpurious(irq) {
			t.Errorf("HandleSpurious(%d) = true", irq)
		}
	}
	wantLog(t, m)
	if p.IMR() != 0xFFFB {
		t.Errorf("IMR %#x changed", p.IMR())
	}
}

func TestSetMaskMaskAll(t *testing.T) {
	m, p := setup(t)
	p.SetMask(0x1234)
	wantLog(t, m, wr(0x21, 0x34), wr(0xA1, 0x12))
	if m.imr() != 0x1234 || p.IMR() != 0x1234 {
		t.Errorf("IMR model %#x driver %#x", m.imr(), p.IMR())
	}
	m.resetLog()
	p.MaskAll()
	wantLog(t, m, wr(0x21, 0xFF), wr(0xA1, 0xFF))
	if m.master.imr != 0xFF || m.slave.imr != 0xFF || p.IMR() != 0xFFFF {
		t.Errorf("MaskAll: IMRs %#x/%#x driver %#x", m.master.imr, m.slave.imr, p.IMR())
	}
	noErrors(t, m)
}

func TestEOI(t *testing.T) {
	m, p := setup(t)
	p.Unmask(3)
	p.Unmask(12)

	m.raise(3)
	if v, ok := m.ack(); !ok || v != 0x23 {
		t.Fatalf("ack = %#x, %v; want 0x23", v, ok)
	}
	m.resetLog()
	p.EOI(3)
	wantLog(t, m, wr(0x20, 0x20)) // master only
	if m.isr() != 0 {
		t.Errorf("ISR %#x after EOI(3)", m.isr())
	}

	m.raise(12)
	if v, ok := m.ack(); !ok || v != 0x2C {
		t.Fatalf("ack = %#x, %v; want 0x2c", v, ok)
	}
	if m.isr() != 0x1004 {
		t.Errorf("ISR %#x after ack of IRQ 12, want 0x1004", m.isr())
	}
	m.resetLog()
	p.EOI(12)
	wantLog(t, m, wr(0xA0, 0x20), wr(0x20, 0x20)) // slave, then master
	if m.isr() != 0 {
		t.Errorf("ISR %#x after EOI(12)", m.isr())
	}
	noErrors(t, m)
}

func TestReadISRIRR(t *testing.T) {
	m, p := setup(t)
	for _, irq := range []uint8{1, 4, 9} {
		p.Unmask(irq)
	}
	for _, irq := range []uint8{1, 4, 9, 13} { // 13 stays masked
		m.raise(irq)
	}
	m.resetLog()
	// Master: IR1, IR4, and IR2 from the slave's pending unmasked IR1 (IRQ 9).
	if got := p.ReadIRR(); got != 0x2216 {
		t.Errorf("ReadIRR = %#04x, want 0x2216", got)
	}
	wantLog(t, m, wr(0x20, 0x0A), rd(0x20, 0x16), wr(0xA0, 0x0A), rd(0xA0, 0x22))
	if got := p.ReadISR(); got != 0 {
		t.Errorf("ReadISR = %#04x, want 0", got)
	}

	ackWant := func(want uint8) {
		t.Helper()
		if v, ok := m.ack(); !ok || v != want {
			t.Fatalf("ack = %#x, %v; want %#x", v, ok, want)
		}
	}
	ackWant(0x21) // IRQ 1
	m.resetLog()
	if got := p.ReadISR(); got != 0x0002 {
		t.Errorf("ReadISR = %#04x, want 0x0002", got)
	}
	wantLog(t, m, wr(0x20, 0x0B), rd(0x20, 0x02), wr(0xA0, 0x0B), rd(0xA0, 0x00))

	if _, ok := m.ack(); ok {
		t.Fatal("IR2 (IRQ 9) delivered while the higher-priority IRQ 1 is in service")
	}
	p.EOI(1)
	ackWant(0x29) // IRQ 9 via IR2, which outranks IR4
	if got := p.ReadISR(); got != 0x0204 {
		t.Errorf("ReadISR = %#04x, want 0x0204", got)
	}
	if _, ok := m.ack(); ok {
		t.Fatal("IRQ 4 delivered while IR2 is in service")
	}
	p.EOI(9)
	if got := p.ReadISR(); got != 0 {
		t.Errorf("ReadISR after EOI(9) = %#04x, want 0", got)
	}
	ackWant(0x24) // IRQ 4
	if got, want := p.ReadIRR(), uint16(0x2000); got != want {
		t.Errorf("ReadIRR = %#04x, want %#04x", got, want)
	}
	if got := p.ReadISR(); got != 0x0010 {
		t.Errorf("ReadISR = %#04x, want 0x0010", got)
	}
	p.EOI(4)
	if got := p.ReadISR(); got != 0 {
		t.Errorf("ReadISR = %#04x, want 0", got)
	}
	noErrors(t, m)
}

func TestSpurious7(t *testing.T) {
	m, p := setup(t)
	v := m.spuriousAck(7)
	if irq, ok := p.IRQ(v); !ok || irq != 7 {
		t.Fatalf("IRQ(%#x) = %d, %v", v, irq, ok)
	}
	m.resetLog()
	if !p.HandleSpurious(7) {
		t.Error("HandleSpurious(7) = false for a default IR7")
	}
	wantLog(t, m, wr(0x20, 0x0B), rd(0x20, 0x00)) // ISR read, no EOI
	if m.master.eois != 0 || m.slave.eois != 0 || m.isr() != 0 {
		t.Errorf("EOIs %d/%d, ISR %#x", m.master.eois, m.slave.eois, m.isr())
	}
	noErrors(t, m)
}

func TestSpurious7WhileOthersInService(t *testing.T) {
	m, p := setup(t)
	p.Unmask(4)
	m.raise(4)
	m.ack()
	v := m.spuriousAck(7) // a glitch on IR0-IR3 while IR4 is in service
	if irq, _ := p.IRQ(v); !p.HandleSpurious(irq) {
		t.Error("HandleSpurious(7) = false for a default IR7")
	}
	if m.master.eois != 0 || m.isr() != 0x0010 {
		t.Errorf("EOIs %d, ISR %#x; IRQ 4 must stay in service", m.master.eois, m.isr())
	}
	noErrors(t, m)
}

func TestSpurious15(t *testing.T) {
	m, p := setup(t)
	v := m.spuriousAck(15)
	if irq, ok := p.IRQ(v); !ok || irq != 15 {
		t.Fatalf("IRQ(%#x) = %d, %v", v, irq, ok)
	}
	if m.isr() != 0x0004 {
		t.Fatalf("model ISR %#x, want master IR2 in service", m.isr())
	}
	m.resetLog()
	if !p.HandleSpurious(15) {
		t.Error("HandleSpurious(15) = false for a default IR7 on the slave")
	}
	wantLog(t, m, wr(0xA0, 0x0B), rd(0xA0, 0x00), wr(0x20, 0x20)) // EOI to the master only
	if m.master.eois != 1 || m.slave.eois != 0 || m.isr() != 0 {
		t.Errorf("EOIs %d/%d, ISR %#x", m.master.eois, m.slave.eois, m.isr())
	}
	noErrors(t, m)
}

func TestRealIRQ7And15(t *testing.T) {
	m, p := setup(t)
	p.Unmask(7)
	p.Unmask(15)

	m.raise(7)
	if v, ok := m.ack(); !ok || v != 0x27 {
		t.Fatalf("ack = %#x, %v", v, ok)
	}
	m.resetLog()
	if p.HandleSpurious(7) {
		t.Error("HandleSpurious(7) = true for a real IRQ 7")
	}
	wantLog(t, m, wr(0x20, 0x0B), rd(0x20, 0x80))
	p.EOI(7)

	m.raise(15)
	if v, ok := m.ack(); !ok || v != 0x2F {
		t.Fatalf("ack = %#x, %v", v, ok)
	}
	m.resetLog()
	if p.HandleSpurious(15) {
		t.Error("HandleSpurious(15) = true for a real IRQ 15")
	}
	wantLog(t, m, wr(0xA0, 0x0B), rd(0xA0, 0x80))
	p.EOI(15)

	if m.isr() != 0 || m.master.eois != 2 || m.slave.eois != 1 {
		t.Errorf("ISR %#x, EOIs %d/%d", m.isr(), m.master.eois, m.slave.eois)
	}
	noErrors(t, m)
}

func TestHandleSpuriousOtherIRQs(t *testing.T) {
	m, p := setup(t)
	for irq := uint8(0); irq < 16; irq++ {
		if irq == 7 || irq == 15 {
			continue
		}
		if p.HandleSpurious(irq) {
			t.Errorf("HandleSpurious(%d) = true", irq)
		}
	}
	wantLog(t, m)
}

// nullBus stands in for the kernel's zero-size port I/O type.
type nullBus struct{}

func (nullBus) In8(uint16) uint8   { return 0 }
func (nullBus) Out8(uint16, uint8) {}

func TestNoAllocs(t *testing.T) {
	p := pic.New(nullBus{})
	p.Init(0x20, 0x28)
	m, q := setup(t)
	q.Unmask(12)

	cases := []struct {
		name string
		f    func()
	}{
		{"EOI", func() { p.EOI(3); p.EOI(12) }},
		{"Mask", func() { p.Mask(5); p.Unmask(5); p.Mask(12); p.Unmask(12) }},
		{"SetMask", func() { p.SetMask(0x1234); p.MaskAll() }},
		{"HandleSpurious", func() { p.HandleSpurious(7); p.HandleSpurious(15) }},
		{"ReadISR", func() { p.ReadISR(); p.ReadIRR() }},
		{"Vector", func() { p.IRQ(p.Vector(9)) }},
		// The same paths against the model, including the EOIs that the
		// spurious/real paths produce.
		{"model/EOI", func() {
			m.resetLog()
			m.raise(12)
			m.ack()
			q.EOI(12)
		}},
		{"model/HandleSpurious", func() {
			m.resetLog()
			m.spuriousAck(7)
			q.HandleSpurious(7)
			m.spuriousAck(15)
			q.HandleSpurious(15)
		}},
		{"model/Mask", func() {
			m.resetLog()
			q.Mask(3)
			q.Unmask(3)
		}},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(100, c.f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", c.name, n)
		}
	}
	noErrors(t, m)
}
