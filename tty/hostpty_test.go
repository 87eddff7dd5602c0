//go:build hostpty

package tty

// TestHostPTY runs the line-discipline table on the host's own n_tty
// through a pty (go test -tags hostpty ./tty, on a Linux host), to check
// the table's expectations against Linux itself. Signals are not
// observed: the pty is no one's controlling terminal.

import (
	"syscall"
	"testing"
	"time"
	"unsafe"

	"sigil/linux"
)

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

func openPTY(t *testing.T) (master, slave int) {
	master, err := syscall.Open("/dev/ptmx", syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatalf("/dev/ptmx: %v", err)
	}
	var unlock, n int32
	if err := ioctl(master, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Fatal(err)
	}
	if err := ioctl(master, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Fatal(err)
	}
	slave, err = syscall.Open("/dev/pts/"+itoa(int(n)), syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, slave
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestHostPTY(t *testing.T) {
	for _, c := range nttyCases {
		m, s := openPTY(t)
		tm := linux.DefaultTermios()
		if c.set != nil {
			c.set(&tm)
		}
		if err := ioctl(s, syscall.TCSETS, unsafe.Pointer(&tm)); err != nil {
			t.Fatal(err)
		}
		if c.write != "" {
			syscall.Write(s, []byte(c.write))
		}
		for i := 0; i < len(c.in); i++ {
			syscall.Write(m, []byte{c.in[i]})
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		var echo []byte
		buf := make([]byte, 4096)
		for {
			n, err := syscall.Read(m, buf)
			if n <= 0 || err != nil {
				break
			}
			echo = append(echo, buf[:n]...)
		}
		var reads []string
		for i := 0; i < 10; i++ {
			n, err := syscall.Read(s, buf)
			if err != nil {
				break
			}
			reads = append(reads, string(buf[:n]))
		}
		if string(echo) != c.echo || !equal(reads, c.reads) {
			t.Errorf("%s: Linux echoes %q, reads %q; table says %q, %q", c.name, echo, reads, c.echo, c.reads)
		}
		syscall.Close(s)
		syscall.Close(m)
	}
}
