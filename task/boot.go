package task

import (
	"fmt"
	"unsafe"

	"sigil/mm"
	"sigil/tty"
	"sigil/vfs"
)

// MountInitrd unpacks the initrd (physical addr, size) as the root file
// system and adds the device nodes. Without an initrd the tree holds only
// /dev.
func MountInitrd(addr, size uint64, console *tty.TTY) (*vfs.Node, error) {
	if size == 0 {
		Root = vfs.New()
	} else {
		b := unsafe.Slice((*byte)(mm.Phys(addr)), size)
		fs, err := vfs.FromCPIO(b)
		if err != nil {
			return nil, fmt.Errorf("initrd: %w", err)
		}
		Root = fs
	}
	// Linux's rootfs is a tmpfs of the default size: half of memory.
	Root.Budget.Limit.Store(defaultTmpfsPages())
	memfds.Budget.Limit.Store(defaultTmpfsPages())
	setInitMountNS(Root)
	return MakeDevices(console), nil
}
