package task

import (
	"fmt"

	"sigil/file"
	"sigil/irqfile"
	"sigil/linux"
	"sigil/tty"
	"sigil/vfs"
)

// Device numbers of the character devices the kernel has
// (Documentation/admin-guide/devices.txt), as new_encode_dev packs them.
const (
	devNull    = 1<<8 | 3
	devZero    = 1<<8 | 5
	devFull    = 1<<8 | 7
	devRandom  = 1<<8 | 8
	devURandom = 1<<8 | 9
	devTTY     = 5<<8 | 0
	devConsole = 5<<8 | 1
)

// theConsole is the terminal behind /dev/console and /dev/tty: set once,
// by MakeDevices at boot, before any process runs.
var theConsole *tty.TTY

// MakeDevices adds the device nodes to /dev and returns /dev/console.
// A node mknod makes with one of these numbers opens the same driver.
func MakeDevices(console *tty.TTY) *vfs.Node {
	theConsole = console
	var c *vfs.Node
	for _, d := range []struct {
		name string
		perm uint32
		rdev uint64
	}{
		{"console", 0o620, devConsole}, {"tty", 0o666, devTTY}, {"null", 0o666, devNull},
		{"zero", 0o666, devZero}, {"full", 0o666, devFull}, {"random", 0o666, devRandom},
		{"urandom", 0o666, devURandom}, {"ptmx", 0o666, devPtmx}, {"kmsg", 0o644, devKmsg},
	} {
		n, _ := Root.Add("/dev/"+d.name, vfs.S_IFCHR|d.perm, nil)
		n.Rdev = d.rdev
		if d.rdev == devConsole {
			c = n
		}
	}
	makeDevpts()
	Root.Add("/dev/irq", vfs.S_IFDIR|0o755, nil)
	for i := uint64(0); i < 16; i++ {
		n, _ := Root.Add(fmt.Sprintf("/dev/irq/%d", i), vfs.S_IFCHR|0o600, nil)
		n.Rdev = irqfile.Major<<8 | i
	}
	return c
}

// openDevice opens character device n by its number for t (nil: the
// kernel, for init's descriptors): ENODEV for a major number no driver
// has, ENXIO for a minor its driver lacks (as Linux 6.1 answers,
// measured).
func openDevice(t *Thread, n *vfs.Node, flags uint64) (*file.File, error) {
	var ops file.Ops
	switch n.Rdev {
	case devNull:
		ops = file.Null{Node: n}
	case devZero:
		ops = file.Zero{Null: file.Null{Node: n}}
	case devFull:
		ops = file.Full{Zero: file.Zero{Null: file.Null{Node: n}}}
	case devRandom, devURandom:
		ops = file.Random{Null: file.Null{Node: n}}
	case devConsole:
		if theConsole == nil {
			return nil, linux.ENXIO
		}
		ops = ttyFile{theConsole, n, nil}
	case devTTY:
		return openCurrentTTY(t, n, flags)
	case devKmsg:
		return openKmsg(t, n, flags)
	case devPtmx:
		return openPtmx(t, n, flags)
	default:
		if n.Rdev>>8&0xfff == irqfile.Major {
			l, err := irqfile.Open(uint32(n.Rdev&0xff|n.Rdev>>12&0xfff00), n)
			if err != nil {
				return nil, err
			}
			ops = l
			break
		}
		if i, ok := ptsIndex(n.Rdev); ok {
			return openSlave(t, n, i, flags)
		}
		if major := n.Rdev >> 8 & 0xfff; major == devNull>>8 || major == devTTY>>8 {
			return nil, linux.ENXIO
		}
		return nil, linux.ENODEV
	}
	return file.New(ops, n, flags), nil
}
