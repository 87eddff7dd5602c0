// Package vfs is the file system user programs see: a read-only tree
// unpacked from the initrd (a cpio archive in the "newc" format Linux's
// initramfs uses), with room for device nodes. Hardware-free.
package vfs

import (
	"errors"
	"fmt"
	"strconv"
)

// newc header: the magic and thirteen 8-digit hex fields, 110 bytes
// (Linux's Documentation/driver-api/early-userspace/buffer-format.rst).
const (
	newcMagic     = "070701"
	newcCRCMagic  = "070702"
	newcHeaderLen = 110
	trailer       = "TRAILER!!!"
)

// Entry is one archive member.
type Entry struct {
	Name  string
	Mode  uint32 // file type and permission bits (S_IF*)
	UID   uint32
	GID   uint32
	Mtime int64
	Data  []byte // file contents, or a symlink's target
}

// ErrFormat reports a malformed archive.
var ErrFormat = errors.New("cpio: malformed newc archive")

// ParseCPIO calls f for each member of a newc archive until the trailer.
// Data slices alias b.
func ParseCPIO(b []byte, f func(Entry) error) error {
	off := 0
	for {
		if len(b)-off < newcHeaderLen {
			return fmt.Errorf("%w: truncated header at %d", ErrFormat, off)
		}
		h := b[off : off+newcHeaderLen]
		if m := string(h[:6]); m != newcMagic && m != newcCRCMagic {
			return fmt.Errorf("%w: bad magic %q at %d", ErrFormat, m, off)
		}
		var field [13]uint64
		for i := range field {
			v, err := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
			if err != nil {
				return fmt.Errorf("%w: field %d at %d", ErrFormat, i, off)
			}
			field[i] = v
		}
		mode, uid, gid, mtime, size, namesize := field[1], field[2], field[3], field[5], field[6], field[11]
		nameStart := off + newcHeaderLen
		if namesize == 0 || uint64(len(b)-nameStart) < namesize {
			return fmt.Errorf("%w: bad name size at %d", ErrFormat, off)
		}
		name := string(b[nameStart : nameStart+int(namesize)-1]) // without the NUL
		dataStart := align4(nameStart + int(namesize))
		if dataStart > len(b) || uint64(len(b)-dataStart) < size {
			return fmt.Errorf("%w: %q overruns the archive", ErrFormat, name)
		}
		if name == trailer {
			return nil
		}
		e := Entry{Name: name, Mode: uint32(mode), UID: uint32(uid), GID: uint32(gid),
			Mtime: int64(mtime), Data: b[dataStart : dataStart+int(size)]}
		if err := f(e); err != nil {
			return err
		}
		off = align4(dataStart + int(size))
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

// WriteCPIO appends a newc member to b (tools and tests build archives with
// it; the trailer is a member named "TRAILER!!!").
func WriteCPIO(b []byte, e Entry, ino uint32) []byte {
	hdr := fmt.Sprintf("%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		newcMagic, ino, e.Mode, e.UID, e.GID, 1, uint32(e.Mtime), len(e.Data), 0, 0, 0, 0, len(e.Name)+1, 0)
	b = append(b, hdr...)
	b = append(b, e.Name...)
	b = append(b, 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, e.Data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// WriteTrailer ends an archive.
func WriteTrailer(b []byte) []byte { return WriteCPIO(b, Entry{Name: trailer}, 0) }
