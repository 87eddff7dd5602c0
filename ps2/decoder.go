package ps2

// Decoder turns scancode set 1 bytes (set 2 translated by the i8042, which
// is what PC firmware and QEMU leave enabled) into key events and the bytes
// a terminal would send. It is hardware-free and tested on the host.
//
// Set 1: a make code is 0x01-0x58, its break code has bit 7 set; 0xE0
// prefixes an extended key; 0xE1 starts the six-byte Pause sequence
// (IBM PC AT Technical Reference, keyboard scan codes).

// Modifier bits.
const (
	ModShift = 1 << iota
	ModCtrl
	ModAlt
	ModCaps
)

// Control characters the console acts on (ASCII).
const (
	ETX = 0x03 // Ctrl+C: interrupt
	FS  = 0x1c // Ctrl+\: quit
	SUB = 0x1a // Ctrl+Z: suspend
	ESC = 0x1b
	DEL = 0x7f
)

// Event is one key press or release.
type Event struct {
	Code    uint16 // scancode, 0xE000|code for extended keys
	Pressed bool
	Mods    uint8 // modifiers after this event
	Text    [4]byte
	TextLen int // bytes a terminal sends for this press (0 for releases and modifiers)
}

// Decoder holds the keyboard state between bytes.
type Decoder struct {
	mods                                     uint8
	lshift, rshift, lctrl, rctrl, lalt, ralt bool
	extended                                 bool
	pause                                    int // bytes of an E1 sequence still to swallow
}

// Mods returns the current modifier state.
func (d *Decoder) Mods() uint8 { return d.mods }

// US layout, set 1 make codes 0x00-0x39: unshifted and shifted.
const (
	normal  = "\x00\x1b1234567890-=\x7f\tqwertyuiop[]\r\x00asdfghjkl;'`\x00\\zxcvbnm,./\x00*\x00 "
	shifted = "\x00\x1b!@#$%^&*()_+\x7f\tQWERTYUIOP{}\r\x00ASDFGHJKL:\"~\x00|ZXCVBNM<>?\x00*\x00 "
)

// Set 1 codes of the keys with state.
const (
	codeLCtrl  = 0x1d
	codeLShift = 0x2a
	codeRShift = 0x36
	codeLAlt   = 0x38
	codeCaps   = 0x3a
)

// Feed consumes one byte; ok reports a complete event.
func (d *Decoder) Feed(b byte) (ev Event, ok bool) {
	switch {
	case d.pause > 0:
		d.pause--
		return ev, false
	case b == 0xe1:
		d.pause = 5
		d.extended = false // a new sequence cancels a dangling prefix
		return ev, false
	case b == 0xe0:
		d.extended = true
		return ev, false
	case b == 0x00 || b == 0xff || b == 0xfa || b == 0xee || b == 0xfe:
		// Key-detection error or overrun, acknowledge, echo, resend:
		// keyboard chatter, not keys. (0xAA is both the self-test pass
		// code and the left-shift break code; as a break it is harmless.)
		d.extended = false
		return ev, false
	}
	ext := d.extended
	d.extended = false
	code := uint16(b & 0x7f)
	pressed := b&0x80 == 0
	if ext {
		if code == codeLShift || code == codeRShift {
			return ev, false // fake shifts around Print Screen and the like
		}
		code |= 0xe000
	}
	ev = Event{Code: code, Pressed: pressed}
	d.track(code, pressed)
	ev.Mods = d.mods
	if pressed {
		ev.TextLen = d.text(code, &ev.Text)
	}
	return ev, true
}

func (d *Decoder) track(code uint16, pressed bool) {
	switch code {
	case codeLShift:
		d.lshift = pressed
	case codeRShift:
		d.rshift = pressed
	case codeLCtrl:
		d.lctrl = pressed
	case 0xe000 | codeLCtrl:
		d.rctrl = pressed
	case codeLAlt:
		d.lalt = pressed
	case 0xe000 | codeLAlt:
		d.ralt = pressed
	case codeCaps:
		if pressed {
			d.mods ^= ModCaps
		}
	}
	d.mods &= ModCaps
	if d.lshift || d.rshift {
		d.mods |= ModShift
	}
	if d.lctrl || d.rctrl {
		d.mods |= ModCtrl
	}
	if d.lalt || d.ralt {
		d.mods |= ModAlt
	}
}

// Extended keys that send VT100 sequences.
var cursorKeys = map[uint16]string{
	0xe048: "\x1b[A", 0xe050: "\x1b[B", 0xe04d: "\x1b[C", 0xe04b: "\x1b[D",
	0xe047: "\x1b[H", 0xe04f: "\x1b[F", 0xe053: "\x1b[3~",
	0xe01c: "\r", 0xe035: "/",
}

// text writes what a press of code sends and returns its length.
func (d *Decoder) text(code uint16, out *[4]byte) int {
	if s, ok := cursorKeys[code]; ok {
		return copy(out[:], s)
	}
	if code >= uint16(len(normal)) {
		return 0
	}
	c := normal[code]
	shift := d.mods&ModShift != 0
	isLetter := c >= 'a' && c <= 'z'
	if isLetter && d.mods&ModCaps != 0 {
		shift = !shift
	}
	if shift {
		c = shifted[code]
	}
	if c == 0 {
		return 0
	}
	if d.mods&ModCtrl != 0 {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			c &= 0x1f // Ctrl+C is ETX, Ctrl+Z is SUB
		case c == '\\' || c == '|':
			c = FS
		case c == '[' || c == '{':
			c = ESC
		case c == ' ' || c == '@' || c == '2':
			c = 0
		}
	}
	n := 0
	if d.mods&ModAlt != 0 {
		out[n] = ESC // meta sends an escape prefix, as the Linux console does
		n++
	}
	out[n] = c
	return n + 1
}
