package ps2

import (
	"testing"
)

// set1 returns make and break codes for typing s on a US keyboard.
func press(codes ...byte) []byte {
	var b []byte
	b = append(b, codes...)
	for i := len(codes) - 1; i >= 0; i-- {
		b = append(b, codes[i]|0x80)
	}
	return b
}

func decode(t *testing.T, d *Decoder, in []byte) string {
	t.Helper()
	var out []byte
	for _, b := range in {
		if ev, ok := d.Feed(b); ok {
			out = append(out, ev.Text[:ev.TextLen]...)
		}
	}
	return string(out)
}

func TestDecodeText(t *testing.T) {
	var d Decoder
	var in []byte
	in = append(in, press(0x2a, 0x23)...) // Shift+h
	in = append(in, press(0x17)...)       // i
	in = append(in, press(0x36, 0x02)...) // RShift+1 = !
	in = append(in, press(0x39)...)       // space
	in = append(in, press(0x1c)...)       // Enter
	if got := decode(t, &d, in); got != "Hi! \r" {
		t.Errorf("got %q", got)
	}
	if d.Mods() != 0 {
		t.Errorf("modifiers stuck: %#x", d.Mods())
	}
}

func TestControlKeys(t *testing.T) {
	var d Decoder
	cases := []struct {
		in   []byte
		want string
	}{
		{press(0x1d, 0x2e), "\x03"},                          // Ctrl+C: ETX
		{press(0x1d, 0x2b), "\x1c"},                          // Ctrl+\: FS
		{press(0x1d, 0x2c), "\x1a"},                          // Ctrl+Z: SUB
		{[]byte{0xe0, 0x1d, 0x2e, 0xae, 0xe0, 0x9d}, "\x03"}, // right Ctrl+C
		{press(0x38, 0x2d), "\x1bx"},                         // Alt+x: ESC x
		{press(0x0e), "\x7f"},                                // Backspace: DEL
		{[]byte{0xe0, 0x48, 0xe0, 0xc8}, "\x1b[A"},           // Up
	}
	for _, c := range cases {
		if got := decode(t, &d, c.in); got != c.want {
			t.Errorf("% x: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCapsLock(t *testing.T) {
	var d Decoder
	in := press(0x3a)                     // CapsLock on
	in = append(in, press(0x1e)...)       // a -> A
	in = append(in, press(0x2a, 0x1e)...) // Shift+a -> a
	in = append(in, press(0x02)...)       // 1 stays 1
	in = append(in, press(0x3a)...)       // off
	in = append(in, press(0x1e)...)       // a
	if got := decode(t, &d, in); got != "Aa1a" {
		t.Errorf("got %q", got)
	}
}

func TestChatterAndPause(t *testing.T) {
	var d Decoder
	// ACK, Pause's E1 sequence, a fake shift around Print Screen, an
	// overrun marker: none is text, and state stays clean.
	in := []byte{0xfa, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, 0x00}
	in = append(in, press(0x10)...) // q
	if got := decode(t, &d, in); got != "q" {
		t.Errorf("got %q", got)
	}
	if d.Mods() != 0 {
		t.Errorf("mods %#x", d.Mods())
	}
}

// A repeat storm is a run of make codes without breaks: every one types.
func TestRepeat(t *testing.T) {
	var d Decoder
	in := []byte{0x2a}
	for i := 0; i < 50; i++ {
		in = append(in, 0x2d) // x held with shift
	}
	in = append(in, 0xad, 0xaa)
	got := decode(t, &d, in)
	if len(got) != 50 || got[0] != 'X' || d.Mods() != 0 {
		t.Errorf("got %d bytes %q mods %#x", len(got), got[:1], d.Mods())
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x2a, 0x23, 0xa3, 0xaa, 0xe0, 0x48, 0xe1, 0x1d, 0x45})
	f.Fuzz(func(t *testing.T, in []byte) {
		var d Decoder
		for _, b := range in {
			ev, ok := d.Feed(b)
			if ok && (ev.TextLen < 0 || ev.TextLen > len(ev.Text)) {
				t.Fatalf("text length %d", ev.TextLen)
			}
		}
		// Once any Pause sequence in flight is complete (five filler bytes),
		// releasing every modifier clears the state but CapsLock.
		for _, b := range []byte{0, 0, 0, 0, 0, 0xaa, 0xb6, 0x9d, 0xe0, 0x9d, 0xb8, 0xe0, 0xb8} {
			d.Feed(b)
		}
		if d.Mods()&^ModCaps != 0 {
			t.Fatalf("modifiers %#x stuck after releases", d.Mods())
		}
	})
}
