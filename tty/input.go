package tty

import "sigil/linux"

// Input, as Linux's n_tty_receive_buf: each character is stripped
// (ISTRIP), lowered (IUCLC), then taken literally after VLNEXT, or by
// n_tty_receive_char_special when the termios makes it special (inCharMap)
// and by n_tty_receive_char otherwise.

// Input feeds typed bytes through the line discipline. An ISIG character
// calls signal with its signal and the foreground process group first,
// then echoes, as n_tty's isig does: the echo on a slow line takes longer
// than the whole delivery.
func (t *TTY) Input(b []byte, signal func(sig linux.Signal, pgrp int32)) {
	for _, c := range b {
		if sig, fg := t.receive(c); sig != 0 {
			if signal != nil {
				signal(sig, fg)
			}
			t.mu.Lock()
			if t.termios.Lflag&linux.ECHO != 0 {
				t.echoChar(c)
			}
			t.flush()
			t.mu.Unlock()
			select { // the kernel's listeners hear of it after the echo
			case t.controls <- sig:
			default:
			}
		}
	}
	t.mu.Lock()
	arrived := t.arrived
	t.arrived = false
	t.mu.Unlock()
	if arrived {
		// n_tty's kill_fasync(SIGIO, POLL_IN) where it publishes input
		// to readers: a line's end, or raw input.
		t.async.Kill(linux.POLL_IN)
	}
}

// receive takes one character. It returns the signal an ISIG character
// raises (its echo is the caller's, after the signal), or 0.
func (t *TTY) receive(c byte) (linux.Signal, int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.flush()
	tm := &t.termios
	if tm.Iflag&linux.ISTRIP != 0 {
		c &= 0x7f
	}
	if tm.Iflag&linux.IUCLC != 0 && tm.Lflag&linux.IEXTEN != 0 && c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	if tm.Lflag&linux.ICANON != 0 && len(t.ends) == 0 && len(t.line) >= bufSize {
		// n_tty_receive_buf_common's overflow: a full buffer with no
		// complete line takes each new character in place of the last.
		t.line = t.line[:bufSize-1]
	}
	switch {
	case t.lnext:
		t.lnext = false
		t.ordinary(c)
	case t.inCharMap(c):
		return t.special(c)
	default:
		t.ordinary(c)
	}
	return 0, 0
}

// inCharMap reports whether the termios makes c special (n_tty's
// char_map, from n_tty_set_termios). NUL, a disabled c_cc entry, never is.
func (t *TTY) inCharMap(c byte) bool {
	if c == 0 {
		return false
	}
	tm := &t.termios
	cc := func(i int) bool { return c == tm.Cc[i] }
	iexten := tm.Lflag&linux.IEXTEN != 0
	switch {
	case tm.Iflag&(linux.IGNCR|linux.ICRNL) != 0 && c == '\r',
		tm.Iflag&linux.INLCR != 0 && c == '\n',
		tm.Lflag&linux.ICANON != 0 && (cc(linux.VERASE) || cc(linux.VKILL) || cc(linux.VEOF) || c == '\n' || cc(linux.VEOL)),
		tm.Lflag&linux.ICANON != 0 && iexten && (cc(linux.VWERASE) || cc(linux.VLNEXT) || cc(linux.VEOL2) || cc(linux.VREPRINT)),
		tm.Iflag&linux.IXON != 0 && (cc(linux.VSTART) || cc(linux.VSTOP)),
		tm.Lflag&linux.ISIG != 0 && (cc(linux.VINTR) || cc(linux.VQUIT) || cc(linux.VSUSP)):
		return true
	}
	return false
}

// ordinary is n_tty_receive_char: echo and store.
func (t *TTY) ordinary(c byte) {
	t.restartOnAny()
	if t.termios.Lflag&linux.ECHO != 0 {
		t.finishErasing()
		t.echoFirst(c)
	}
	t.store(c)
}

// special is n_tty_receive_char_special.
func (t *TTY) special(c byte) (linux.Signal, int32) {
	tm := &t.termios
	if tm.Iflag&linux.IXON != 0 {
		// n_tty_receive_char_flow_ctrl: START wins a tie.
		switch c {
		case tm.Cc[linux.VSTART]:
			t.start()
			return 0, 0
		case tm.Cc[linux.VSTOP]:
			t.stopped = true
			return 0, 0
		}
	}
	if tm.Lflag&linux.ISIG != 0 {
		var sig linux.Signal
		switch c {
		case tm.Cc[linux.VINTR]:
			sig = linux.SIGINT
		case tm.Cc[linux.VQUIT]:
			sig = linux.SIGQUIT
		case tm.Cc[linux.VSUSP]:
			sig = linux.SIGTSTP
		}
		if sig != 0 {
			// n_tty_receive_signal_char and isig: input is flushed
			// unless NOFLSH, stopped output restarts.
			if tm.Lflag&linux.NOFLSH == 0 {
				t.flushInput()
				t.obuf = t.obuf[:0]
				if t.flushOut != nil {
					t.flushOut() // tty_driver_flush_buffer
				}
				t.broadcast()
			}
			if tm.Iflag&linux.IXON != 0 {
				t.start()
			}
			return sig, t.fg
		}
	}
	t.restartOnAny()
	switch {
	case c == '\r' && tm.Iflag&linux.IGNCR != 0:
		return 0, 0
	case c == '\r' && tm.Iflag&linux.ICRNL != 0:
		c = '\n'
	case c == '\n' && tm.Iflag&linux.INLCR != 0:
		c = '\r'
	}
	if tm.Lflag&linux.ICANON != 0 && t.canonical(c) {
		return 0, 0
	}
	if tm.Lflag&linux.ECHO != 0 {
		t.finishErasing()
		if c == '\n' {
			t.echoString("\n")
		} else {
			t.echoFirst(c)
		}
	}
	t.store(c)
	return 0, 0
}

// canonical handles c if it is one of canonical mode's characters, and
// reports whether it was.
func (t *TTY) canonical(c byte) bool {
	tm := &t.termios
	echo := tm.Lflag&linux.ECHO != 0
	iexten := tm.Lflag&linux.IEXTEN != 0
	switch {
	case c == tm.Cc[linux.VERASE], c == tm.Cc[linux.VKILL], c == tm.Cc[linux.VWERASE] && iexten:
		t.erase(c)
	case c == tm.Cc[linux.VLNEXT] && iexten:
		t.lnext = true
		if echo {
			t.finishErasing()
			if tm.Lflag&linux.ECHOCTL != 0 {
				t.echoString("^\b")
			}
		}
	case c == tm.Cc[linux.VREPRINT] && iexten && echo:
		t.finishErasing()
		t.echoChar(c)
		t.echoString("\n")
		for _, x := range t.line {
			t.echoChar(x)
		}
	case c == '\n':
		if echo || tm.Lflag&linux.ECHONL != 0 {
			t.echoString("\n")
		}
		t.line = append(t.line, c)
		t.complete()
	case c == tm.Cc[linux.VEOF]:
		t.complete() // the line so far, without the character: an empty one reads as end of file
	case c == tm.Cc[linux.VEOL], c == tm.Cc[linux.VEOL2] && iexten:
		if echo {
			t.echoFirst(c)
		}
		t.line = append(t.line, c)
		if c == 0xff && tm.Iflag&linux.PARMRK != 0 {
			t.line = append(t.line, c)
		}
		t.complete()
	default:
		return false
	}
	return true
}

// store adds a character to the line being edited or, outside canonical
// mode, to what readers get (PARMRK doubles \377, as put_tty_queue's
// callers do).
func (t *TTY) store(c byte) {
	n := 1
	if c == 0xff && t.termios.Iflag&linux.PARMRK != 0 {
		n = 2
	}
	for ; n > 0; n-- {
		if t.termios.Lflag&linux.ICANON != 0 {
			t.line = append(t.line, c)
		} else if len(t.queue) < rawLimit {
			t.queue = append(t.queue, c)
		}
	}
	if t.termios.Lflag&linux.ICANON == 0 {
		t.arrived = true
		t.broadcast()
	}
}

// complete moves the edited line (maybe empty: end of file) to the readers.
func (t *TTY) complete() {
	if len(t.queue)+len(t.line) > rawLimit {
		t.line = t.line[:0] // no one reads: the line is lost
		return
	}
	t.queue = append(t.queue, t.line...)
	t.ends = append(t.ends, len(t.line))
	t.line = t.line[:0]
	t.arrived = true
	t.broadcast()
}

// erase is Linux's eraser: VERASE takes back one character (a whole UTF-8
// character with IUTF8), VWERASE a word (BSD's ALTWERASE: the
// alphanumerics and underscores before the cursor and the other characters
// before them), VKILL the line, echoing as ECHOPRT, ECHOE, ECHOK and
// ECHOKE say.
func (t *TTY) erase(c byte) {
	tm := &t.termios
	if len(t.line) == 0 {
		return
	}
	echo := tm.Lflag&linux.ECHO != 0
	word := c != tm.Cc[linux.VERASE] && c == tm.Cc[linux.VWERASE]
	kill := c != tm.Cc[linux.VERASE] && !word
	if kill && !echo {
		t.line = t.line[:0]
		return
	}
	if kill && tm.Lflag&(linux.ECHOK|linux.ECHOKE|linux.ECHOE) != linux.ECHOK|linux.ECHOKE|linux.ECHOE {
		// Without ECHOKE's visual erase: the line goes at once, and the
		// echo is the kill character, with a newline for ECHOK.
		t.line = t.line[:0]
		t.finishErasing()
		t.echoChar(c)
		if tm.Lflag&linux.ECHOK != 0 {
			t.echoString("\n")
		}
		return
	}
	seenAlnum := false
	for len(t.line) > 0 {
		end := len(t.line)
		start := end - 1
		for start > 0 && t.continuation(t.line[start]) {
			start--
		}
		x := t.line[start]
		if t.continuation(x) {
			break // do not erase part of a character
		}
		if word {
			if isAlnum(x) || x == '_' {
				seenAlnum = true
			} else if seenAlnum {
				break
			}
		}
		erased := t.line[start:end]
		t.line = t.line[:start]
		if echo {
			t.echoErase(x, erased, kill || word)
		}
		if !kill && !word {
			break
		}
	}
	if len(t.line) == 0 && echo {
		t.finishErasing()
	}
}

// echoErase echoes the erasure of one character, x its first byte and
// erased all of them, from the line (left in t.line without it).
func (t *TTY) echoErase(x byte, erased []byte, many bool) {
	tm := &t.termios
	switch {
	case tm.Lflag&linux.ECHOPRT != 0:
		if !t.erasing {
			t.output('\\')
			t.erasing = true
		}
		t.echoChar(x)
		for _, y := range erased[1:] {
			t.output(y)
			if t.column > 0 {
				t.column-- // echo_move_back_col
			}
		}
	case !many && tm.Lflag&linux.ECHOE == 0:
		t.echoChar(tm.Cc[linux.VERASE])
	case x == '\t':
		// The columns used since the line's start or the previous tab.
		chars, afterTab := 0, false
		for i := len(t.line) - 1; i >= 0; i-- {
			y := t.line[i]
			if y == '\t' {
				afterTab = true
				break
			}
			if isCntrl(y) {
				if tm.Lflag&linux.ECHOCTL != 0 {
					chars += 2
				}
			} else if !t.continuation(y) {
				chars++
			}
		}
		t.eraseTab(chars, afterTab)
	default:
		if isCntrl(x) && tm.Lflag&linux.ECHOCTL != 0 {
			t.echoString("\b \b") // the caret of ^X
		}
		if !isCntrl(x) || tm.Lflag&linux.ECHOCTL != 0 {
			t.echoString("\b \b")
		}
	}
}

// restartOnAny restarts stopped output on any character with IXANY.
func (t *TTY) restartOnAny() {
	if t.stopped && t.termios.Iflag&(linux.IXON|linux.IXANY) == linux.IXON|linux.IXANY {
		t.start()
	}
}

// start restarts output stopped by VSTOP.
func (t *TTY) start() {
	if t.stopped {
		t.stopped = false
		t.broadcast()
	}
}
