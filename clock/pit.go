package clock

import "sigil/arch"

// 8254 programmable interval timer (Intel 8254 datasheet; the PC wiring:
// channel 0 drives IRQ 0, channel 2's gate and output are bits 0 and 5 of
// port 0x61).
const (
	PITHz = 1193182

	pitChannel0 = 0x40
	pitChannel2 = 0x42
	pitCommand  = 0x43
	portB       = 0x61

	pitCh0Rate    = 0x34 // channel 0, lobyte/hibyte, mode 2 (rate generator)
	pitCh2OneShot = 0xb0 // channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count)
	portBGate2    = 0x01
	portBSpeaker  = 0x02
	portBOut2     = 0x20
)

// StartPeriodic programs PIT channel 0 to interrupt hz times a second and
// returns the rate actually obtained (the divisor is an integer).
//
//go:nosplit
func StartPeriodic(hz uint32) uint32 {
	div := (PITHz + hz/2) / hz
	arch.Outb(pitCommand, pitCh0Rate)
	arch.Outb(pitChannel0, uint8(div))
	arch.Outb(pitChannel0, uint8(div>>8))
	return PITHz / div
}

// calibrationMs is the length of one calibration window. Three windows are
// measured and the shortest TSC count wins: under emulation a window can only
// be stretched by the host (a descheduled vCPU sees the PIT run on), never
// shortened.
const calibrationMs = 10

// calibrateTSC counts TSC ticks over PIT channel 2 one-shot windows with the
// speaker gated off, polling OUT2.
//
//go:nosplit
func calibrateTSC() uint64 {
	var count uint32 = PITHz * calibrationMs / 1000
	best := ^uint64(0)
	for i := 0; i < 3; i++ {
		b := arch.Inb(portB)&^portBSpeaker | portBGate2
		arch.Outb(portB, b&^portBGate2) // gate low while loading
		arch.Outb(pitCommand, pitCh2OneShot)
		arch.Outb(pitChannel2, uint8(count))
		arch.Outb(pitChannel2, uint8(count>>8))
		arch.Outb(portB, b) // rising gate edge starts the count
		t0 := arch.RDTSC()
		for arch.Inb(portB)&portBOut2 == 0 {
		}
		if d := arch.RDTSC() - t0; d < best {
			best = d
		}
	}
	return best * 1000 / calibrationMs
}
