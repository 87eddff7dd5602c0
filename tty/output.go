package tty

import (
	"sigil/linux"
)

// Output processing and echo, as Linux's n_tty: do_output_char for every
// byte when OPOST is set (ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS),
// tracking the cursor's column, which the erasure of a tab needs; echoes
// of control characters as ^X (echo_char). Output is gathered in obuf
// under mu and written by flush.

// Write is output from programs. While VSTOP holds output, it waits for
// VSTART, or for cancel (ErrInterrupted), or, if nonblock, not at all
// (ErrWouldBlock).
func (t *TTY) Write(p []byte, nonblock bool, cancel <-chan struct{}) (int, error) {
	t.mu.Lock()
	for t.stopped && !t.hungUp {
		wait := t.changed
		t.mu.Unlock()
		if nonblock {
			return 0, ErrWouldBlock
		}
		select {
		case <-wait:
		case <-cancel:
			return 0, ErrInterrupted
		}
		t.mu.Lock()
	}
	defer t.mu.Unlock()
	if t.hungUp {
		return 0, ErrHungUp
	}
	if t.termios.Oflag&linux.OPOST == 0 {
		t.out.Write(p)
		return len(p), nil
	}
	for _, c := range p {
		t.output(c)
	}
	t.flush()
	return len(p), nil
}

// flush writes the gathered output to the device.
func (t *TTY) flush() {
	if len(t.obuf) > 0 {
		t.out.Write(t.obuf)
		t.obuf = t.obuf[:0]
	}
}

// output puts out one byte as do_output_char does with OPOST, or as it is
// without.
func (t *TTY) output(c byte) {
	of := t.termios.Oflag
	if of&linux.OPOST == 0 {
		t.obuf = append(t.obuf, c)
		return
	}
	switch c {
	case '\n':
		if of&linux.ONLRET != 0 {
			t.column = 0
		}
		if of&linux.ONLCR != 0 {
			t.column, t.canonColumn = 0, 0
			t.obuf = append(t.obuf, '\r', '\n')
			return
		}
		t.canonColumn = t.column
	case '\r':
		if of&linux.ONOCR != 0 && t.column == 0 {
			return
		}
		if of&linux.OCRNL != 0 {
			c = '\n'
			if of&linux.ONLRET != 0 {
				t.column, t.canonColumn = 0, 0
			}
			break
		}
		t.column, t.canonColumn = 0, 0
	case '\t':
		spaces := 8 - t.column&7
		t.column += spaces
		if of&linux.TABDLY == linux.XTABS {
			t.obuf = append(t.obuf, "        "[:spaces]...)
			return
		}
	case '\b':
		if t.column > 0 {
			t.column--
		}
	default:
		if !isCntrl(c) {
			if of&linux.OLCUC != 0 && c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if !t.continuation(c) {
				t.column++
			}
		}
	}
	t.obuf = append(t.obuf, c)
}

// echoChar echoes c as Linux's echo_char: a control character other than
// tab is ^X with ECHOCTL.
func (t *TTY) echoChar(c byte) {
	if isCntrl(c) && c != '\t' && t.termios.Lflag&linux.ECHOCTL != 0 {
		t.obuf = append(t.obuf, '^', c^0x40)
		t.column += 2
		return
	}
	t.output(c)
}

// echoString echoes raw characters (echo_char_raw), through output
// processing.
func (t *TTY) echoString(s string) {
	for i := 0; i < len(s); i++ {
		t.output(s[i])
	}
}

// echoFirst echoes c, the first character of a line remembering the
// column where the line starts (echo_set_canon_col).
func (t *TTY) echoFirst(c byte) {
	if len(t.line) == 0 {
		t.canonColumn = t.column
	}
	t.echoChar(c)
}

// eraseTab takes back the echo of a tab: chars columns were used since the
// start of the line (whose column is added) or since a previous tab
// (afterTab), as echo_erase_tab and ECHO_OP_ERASE_TAB.
func (t *TTY) eraseTab(chars int, afterTab bool) {
	if !afterTab {
		chars += t.canonColumn
	}
	for n := 8 - chars&7; n > 0; n-- {
		t.obuf = append(t.obuf, '\b')
		if t.column > 0 {
			t.column--
		}
	}
}

// finishErasing closes an ECHOPRT erasure with its /.
func (t *TTY) finishErasing() {
	if t.erasing {
		t.output('/')
		t.erasing = false
	}
}

// isCntrl is the kernel's iscntrl (lib/ctype.c): C0, DEL and C1.
func isCntrl(c byte) bool { return c < ' ' || c >= 0x7f && c < 0xa0 }

// isAlnum is the kernel's isalnum: ASCII and Latin-1 letters and digits.
func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' || c >= 0xc0 && c != 0xd7 && c != 0xf7
}

// continuation reports whether c continues a UTF-8 character, which takes
// no column of its own (is_continuation, with IUTF8).
func (t *TTY) continuation(c byte) bool {
	return c&0xc0 == 0x80 && t.termios.Iflag&linux.IUTF8 != 0
}
