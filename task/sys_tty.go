// The terminal's ioctls (termios, window size, foreground group).

package task

import (
	"encoding/binary"
	"unsafe"

	"sigil/linux"
)

func sysIoctl(t *Thread, a *args) (uint64, error) {
	f, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	c, ok := f.ops.(consoleFile)
	if !ok {
		return 0, linux.ENOTTY
	}
	req, arg := a[1], a[2]
	switch req {
	case linux.TCGETS:
		tm := c.t.Termios()
		b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
		return 0, t.p.as.CopyOut(arg, b[:])
	case linux.TCSETS, linux.TCSETSW, linux.TCSETSF:
		var tm linux.Termios
		b := (*[unsafe.Sizeof(tm)]byte)(unsafe.Pointer(&tm))
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		c.t.SetTermios(tm, req == linux.TCSETSF)
		return 0, nil
	case linux.TIOCGWINSZ:
		ws := [8]byte{24, 0, 80, 0} // rows 24, columns 80
		return 0, t.p.as.CopyOut(arg, ws[:])
	case linux.TIOCSWINSZ:
		return 0, nil
	case linux.TIOCGPGRP:
		fg, _ := c.t.Foreground()
		return 0, t.putInt32(arg, fg)
	case linux.TIOCSPGRP:
		var b [4]byte
		if err := t.p.as.CopyIn(b[:], arg); err != nil {
			return 0, err
		}
		pg := int32(binary.LittleEndian.Uint32(b[:]))
		if pg <= 0 {
			return 0, linux.EINVAL
		}
		t.p.mu.Lock()
		sid := t.p.sid
		t.p.mu.Unlock()
		c.t.SetForeground(pg, sid)
		return 0, nil
	case linux.TIOCGSID:
		_, sid := c.t.Foreground()
		return 0, t.putInt32(arg, sid)
	case linux.TIOCSCTTY, linux.TIOCNOTTY:
		return 0, nil
	}
	return 0, linux.ENOTTY
}

// putInt32 stores v at user address addr (an ioctl's int result).
func (t *Thread) putInt32(addr uint64, v int32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return t.p.as.CopyOut(addr, b[:])
}
