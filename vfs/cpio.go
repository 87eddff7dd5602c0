// Package vfs is the file system user programs see: a read-only tree
// unpacked from the initrd (a cpio archive in the "newc" format Linux's
// initramfs uses), with room for device nodes. Hardware-free.
package vfs

import (
	"bytes"
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
		rawName := b[nameStart : nameStart+int(namesize)]
		if rawName[len(rawName)-1] != 0 {
			return fmt.Errorf("%w: name without its NUL at %d", ErrFormat, off)
		}
		// The name ends at its first NUL: an archive may pad it with
		// more (WriteCPIO does, to page-align file data), and Linux's
		// unpacker reads it as a C string too.
		name := string(rawName[:bytes.IndexByte(rawName, 0)])
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

// PageSize is the alignment WriteCPIO gives the data of regular files of
// at least that size.
const PageSize = 4096

// WriteCPIO appends a newc member to b (tools and tests build archives with
// it; the trailer is a member named "TRAILER!!!"). A regular file of a
// page or more has its data start on a page boundary of the archive: its
// name is padded with NULs to get there (at most PATH_MAX bytes, as
// Linux's unpacker allows), so that a kernel which keeps the archive where
// the loader put it, page aligned, can map the file's pages in place.
func WriteCPIO(b []byte, e Entry, ino uint32) []byte {
	namesize := len(e.Name) + 1
	if e.Mode&S_IFMT == S_IFREG && len(e.Data) >= PageSize {
		start := len(b) + newcHeaderLen + namesize
		if pad := (PageSize - start%PageSize) % PageSize; namesize+pad <= 4096 {
			namesize += pad
		}
	}
	hdr := fmt.Sprintf("%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		newcMagic, ino, e.Mode, e.UID, e.GID, 1, uint32(e.Mtime), len(e.Data), 0, 0, 0, 0, namesize, 0)
	b = append(b, hdr...)
	b = append(b, e.Name...)
	b = append(b, make([]byte, namesize-len(e.Name))...)
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
