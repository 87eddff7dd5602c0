// The terminal's ioctls (tty_ioctl and n_tty_ioctl in drivers/tty/tty_io.c,
// the pty master's in pty.c), for the console and both ends of a
// pseudo-terminal. On a master the terminal ioctls act on its slave
// (tty_pair_get_tty), except the termios, which is the master's own.

package task

import (
	"encoding/binary"
	"unsafe"

	"sigil/linux"
	"sigil/pty"
	"sigil/tty"
)

// Pseudo-terminal and line-control ioctls (include/uapi/asm-generic/ioctls.h).
const (
	tcsbrk      = 0x5409
	tcxonc      = 0x540A
	tcflsh      = 0x540B
	tiocgptn    = 0x80045430
	tiocsptlck  = 0x40045431
	tiocgptlck  = 0x80045439
	tiocgptpeer = 0x5441
)

func sysIoctl(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	req, arg := a[1]&0xffffffff, a[2] // the request is an unsigned int
	if done, ret, err := t.genericIoctl(a[0], f, req, arg); done {
		return ret, err
	}
	var tt *tty.TTY
	var pair *pty.Pair
	master := false
	switch ops := f.Ops.(type) {
	case ttyFile:
		tt, pair = ops.t, ops.pair
		if tt.HungUp() {
			// hung_up_tty_ioctl
			if req == linux.TIOCSPGRP {
				return 0, linux.ENOTTY
			}
			return 0, linux.EIO
		}
	case masterFile:
		tt, pair, master = ops.pair.Slave, ops.pair, true
		switch req {
		case tiocgptn:
			return 0, t.putInt32(arg, int32(pair.Index))
		case tiocsptlck:
			v, err := t.getInt32(arg)
			if err != nil {
				return 0, err
			}
			pair.SetLocked(v != 0)
			return 0, nil
		case tiocgptlck:
			v := int32(0)
			if pair.Locked() {
				v = 1
			}
			return 0, t.putInt32(arg, v)
		case tiocgptpeer:
			return t.ptyPeer(ops, arg)
		case linux.TCGETS:
			return 0, t.putTermios(arg, pair.MasterTermios())
		case linux.TCSETS, linux.TCSETSW, linux.TCSETSF:
			tm, err := t.getTermios(arg)
			if err == nil {
				pair.SetMasterTermios(tm)
			}
			return 0, err
		}
	case *socketFile:
		return t.sockIoctl(ops, req, arg)
	default:
		return 0, linux.ENOTTY
	}
	switch req {
	case linux.TCGETS:
		return 0, t.putTermios(arg, tt.Termios())
	case linux.TCSETS, linux.TCSETSW, linux.TCSETSF:
		// set_termios: a background group may not change its terminal.
		if err := t.checkChange(tt, linux.SIGTTOU); err != nil {
			return 0, err
		}
		tm, err := t.getTermios(arg)
		if err != nil {
			return 0, err
		}
		tt.SetTermios(tm, req == linux.TCSETSF)
		return 0, nil
	case tcsbrk, tcxonc, tcflsh:
		// Output is written at once; flow control and flushes are
		// accepted without effect.
		return 0, nil
	case linux.TIOCGWINSZ:
		ws := tt.Winsize()
		b := (*[unsafe.Sizeof(ws)]byte)(unsafe.Pointer(&ws))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.TIOCSWINSZ:
		// tiocswinsz and tty_do_resize: SIGWINCH to the foreground group
		// when the size changes.
		var ws linux.Winsize
		b := (*[unsafe.Sizeof(ws)]byte)(unsafe.Pointer(&ws))
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		if changed, fg := tt.SetWinsize(ws); changed && fg > 0 {
			SignalGroup(linux.SIGWINCH, fg)
		}
		return 0, nil
	case linux.FIONREAD:
		n := tt.InputAvailable()
		if master {
			n = pair.Pending()
		}
		return 0, t.putInt32(arg, int32(n))
	case linux.TIOCOUTQ:
		return 0, t.putInt32(arg, 0)
	case linux.TIOCGPGRP:
		// tiocgpgrp: through the slave, only one's controlling terminal.
		if !master && t.p.controlling() != tt {
			return 0, linux.ENOTTY
		}
		fg, _ := tt.Foreground()
		return 0, t.putInt32(arg, fg)
	case linux.TIOCSPGRP:
		return 0, t.tiocspgrp(tt, arg)
	case linux.TIOCGSID:
		if !master && t.p.controlling() != tt {
			return 0, linux.ENOTTY
		}
		sid := tt.Session()
		if sid == 0 {
			return 0, linux.ENOTTY
		}
		return 0, t.putInt32(arg, sid)
	case linux.TIOCSTI:
		return 0, t.tiocsti(tt, pair, master, arg)
	case linux.TIOCSCTTY:
		return 0, t.tiocsctty(tt, f, arg == 1)
	case linux.TIOCNOTTY:
		if master {
			return 0, linux.ENOTTY
		}
		return 0, t.tiocnotty(tt)
	}
	return 0, linux.ENOTTY
}

// tiocsti is TIOCSTI: the byte at arg enters the terminal's input as if
// typed, through the line discipline (signal characters included). Only
// into the caller's controlling terminal, unless CAP_SYS_ADMIN. On a pty
// master (master true) the terminal is the master's own, which is no
// one's controlling terminal: the byte is the master's next input, what
// it reads (tiocsti on the master's tty, its ldisc's receive_buf).
func (t *Thread) tiocsti(tt *tty.TTY, pair *pty.Pair, master bool, arg uint64) error {
	if (master || t.p.controlling() != tt) && !t.creds().Capable(linux.CAP_SYS_ADMIN) {
		return linux.EPERM
	}
	var ch [1]byte
	if err := t.p.as.CopyIn(ch[:], arg); err != nil {
		return err
	}
	if master {
		pair.Receive(ch[:])
	} else {
		tt.Input(ch[:], SignalGroup)
	}
	return nil
}

// tiocspgrp is TIOCSPGRP: the caller's controlling terminal only, a
// background caller is stopped first (tty_check_change), and the group
// must exist in the caller's session.
func (t *Thread) tiocspgrp(tt *tty.TTY, arg uint64) error {
	if err := t.checkChange(tt, linux.SIGTTOU); err != nil {
		if err == linux.EIO {
			return linux.ENOTTY
		}
		return err
	}
	_, sid := t.p.ids()
	if t.p.controlling() != tt || tt.Session() != sid {
		return linux.ENOTTY
	}
	pg, err := t.getInt32(arg)
	if err != nil {
		return err
	}
	if pg < 0 {
		return linux.EINVAL
	}
	exists, same := sessionOfPgrp(pg, sid)
	if !exists {
		return linux.ESRCH
	}
	if !same {
		return linux.EPERM
	}
	tt.SetPgrp(pg)
	return nil
}

// putInt32 stores v at user address addr (an ioctl's int result).
func (t *Thread) putInt32(addr uint64, v int32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return t.p.as.CopyOut(addr, b[:])
}

// getInt32 loads an ioctl's int argument from user address addr.
func (t *Thread) getInt32(addr uint64) (int32, error) {
	var b [4]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b[:])), nil
}

func (t *Thread) putTermios(addr uint64, tm linux.Termios) error {
	b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
	return t.p.as.CopyOut(addr, b[:])
}

func (t *Thread) getTermios(addr uint64) (linux.Termios, error) {
	var tm linux.Termios
	b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
	return tm, t.p.as.CopyIn(b[:], addr)
}
