package pic_test

import (
	"testing"

	"sigil/pic"
)

// FuzzPIC drives the driver and the model with a random sequence of
// operations, interpreting each input byte as one operation (high nibble)
// on an IRQ line or parameter (low nibble). In-service interrupts are kept
// on a stack, as nested top halves would be, and end in LIFO order.
//
// After every operation it checks that the model saw no protocol error,
// that the chips' IMRs equal the driver's cached mask, and that the chips'
// ISRs hold exactly the lines on the stack (plus the master's IR2 while a
// slave line is in service) — so each EOI cleared its own line's ISR bit.
func FuzzPIC(f *testing.F) {
	f.Add([]byte{0x91, 0x01, 0x30, 0x60})                         // unmask 1, raise, ack, EOI
	f.Add([]byte{0x9C, 0x1C, 0x30, 0xE0, 0x60, 0xE0})             // IRQ 12 through the cascade
	f.Add([]byte{0xC0, 0xD0, 0x97, 0x07, 0x30, 0xC0, 0x60})       // spurious 7 and 15, real 7
	f.Add([]byte{0x9F, 0x9E, 0x1F, 0x1E, 0x30, 0x30, 0x60, 0x60}) // nested slave lines
	f.Add([]byte{0xA0, 0x00, 0x00, 0x03, 0x05, 0x0D, 0x30, 0x30, 0x30, 0x60, 0x60, 0x60, 0xB0, 0xF5})

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1024 {
			data = data[:1024]
		}
		m := newModel()
		p := pic.New(m)
		p.Init(0x20, 0x28)
		var stack []uint8 // IRQs in service, innermost last

		for i := 0; i < len(data); i++ {
			op, arg := data[i]>>4, data[i]&15
			m.resetLog()
			switch op {
			case 0, 1, 2: // an edge on a device line
				if arg != 2 {
					m.raise(arg)
				}

			case 3, 4, 5: // the CPU takes an interrupt, if one is signalled
				irr := m.visibleIRR(&m.master) // before the INTA
				sirr := m.slave.irr
				v, ok := m.ack()
				if !ok {
					break
				}
				irq, ok := p.IRQ(v)
				if !ok {
					t.Fatalf("op %d: vector %#x is not a PIC vector", i, v)
				}
				if irq < 8 && irr&(1<<irq) == 0 || irq >= 8 && sirr&(1<<(irq-8)) == 0 {
					t.Fatalf("op %d: IRQ %d delivered without a request", i, irq)
				}
				if p.IMR()&(1<<irq) != 0 || irq >= 8 && p.IMR()&(1<<2) != 0 {
					t.Fatalf("op %d: IRQ %d delivered while masked (mask %#04x)", i, irq, p.IMR())
				}
				if p.HandleSpurious(irq) {
					t.Fatalf("op %d: real IRQ %d reported spurious", i, irq)
				}
				if isr := p.ReadISR(); isr&(1<<irq) == 0 {
					t.Fatalf("op %d: ISR %#04x lacks acked IRQ %d", i, isr, irq)
				}
				stack = append(stack, irq)

			case 6, 7: // the innermost handler finishes
				if len(stack) == 0 {
					break
				}
				irq := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				p.EOI(irq)
				want := []access{wr(0x20, 0x20)}
				if irq >= 8 {
					want = []access{wr(0xA0, 0x20), wr(0x20, 0x20)}
				}
				wantLog(t, m, want...)

			case 8:
				p.Mask(arg)
			case 9:
				p.Unmask(arg)
			case 10:
				if i+2 < len(data) {
					p.SetMask(uint16(data[i+1]) | uint16(data[i+2])<<8)
					i += 2
				}
			case 11:
				p.MaskAll()

			case 12, 13: // a glitch answered with a default IR7
				irq := uint8(7)
				if op == 13 {
					irq = 15
				}
				if !m.canSpurious(irq) {
					break
				}
				isr, meois, seois := m.isr(), m.master.eois, m.slave.eois
				v := m.spuriousAck(irq)
				if got, ok := p.IRQ(v); !ok || got != irq {
					t.Fatalf("op %d: vector %#x maps to %d, %v; want %d", i, v, got, ok, irq)
				}
				if !p.HandleSpurious(irq) {
					t.Fatalf("op %d: spurious IRQ %d not detected (ISR %#04x)", i, irq, m.isr())
				}
				if m.slave.eois != seois || irq == 7 && m.master.eois != meois ||
					irq == 15 && m.master.eois != meois+1 {
					t.Fatalf("op %d: spurious IRQ %d: EOIs master %d->%d slave %d->%d",
						i, irq, meois, m.master.eois, seois, m.slave.eois)
				}
				if m.isr() != isr {
					t.Fatalf("op %d: spurious IRQ %d changed ISR %#04x -> %#04x", i, irq, isr, m.isr())
				}

			case 14: // status registers read through the driver match the chips
				wantISR := m.isr()
				wantIRR := uint16(m.slave.irr)<<8 | uint16(m.visibleIRR(&m.master))
				if got := p.ReadISR(); got != wantISR {
					t.Fatalf("op %d: ReadISR %#04x, chips %#04x", i, got, wantISR)
				}
				if got := p.ReadIRR(); got != wantIRR {
					t.Fatalf("op %d: ReadIRR %#04x, chips %#04x", i, got, wantIRR)
				}

			case 15: // re-initialise with other offsets, when idle
				if len(stack) != 0 {
					break
				}
				base := 0x20 + 0x10*(arg&7)
				slave := base + 8
				if arg&8 != 0 {
					slave = base - 8
				}
				p.Init(base, slave)
				if p.Vector(0) != base || p.Vector(8) != slave || p.IMR() != pic.InitMask {
					t.Fatalf("op %d: after Init(%#x, %#x): Vector(0)=%#x Vector(8)=%#x IMR %#04x",
						i, base, slave, p.Vector(0), p.Vector(8), p.IMR())
				}
			}

			if len(m.errs) != 0 {
				t.Fatalf("op %d (%#02x): model: %v", i, data[i], m.errs)
			}
			if m.imr() != p.IMR() {
				t.Fatalf("op %d: chips' IMR %#04x, driver's cached mask %#04x", i, m.imr(), p.IMR())
			}
			var want uint16
			for _, irq := range stack {
				want |= 1 << irq
				if irq >= 8 {
					want |= 1 << 2
				}
			}
			if m.isr() != want {
				t.Fatalf("op %d: ISR %#04x, want %#04x for in-service stack %v", i, m.isr(), want, stack)
			}
		}
	})
}
