// Package loader reads static Linux x86-64 executables: ET_EXEC programs
// linked at fixed addresses and static-PIE ET_DYN programs the kernel
// places. It describes what to map; the process code maps it. Hardware-free.
//
// Reference: the System V ABI (generic ELF chapters) and its AMD64
// supplement; Linux's fs/binfmt_elf.c for the kernel's conventions.
package loader

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
)

// PIEBase is where a static-PIE program's lowest segment goes: Linux's
// ELF_ET_DYN_BASE on x86-64 (2/3 of the 47-bit space, page aligned), without
// randomisation.
const PIEBase = 0x5555_5555_4000

// UserTop bounds where segments may go (the user half).
const UserTop = 1 << 47

// Segment is one PT_LOAD, already relocated for ET_DYN.
type Segment struct {
	Vaddr, Memsz      uint64
	Offset, Filesz    uint64
	Read, Write, Exec bool
}

// Image is a program ready to map.
type Image struct {
	Entry     uint64
	Phdr      uint64 // address of the program headers in memory (AT_PHDR)
	Phnum     uint64
	Phent     uint64
	Segments  []Segment
	Bias      uint64 // load bias (0 for ET_EXEC)
	ExecStack bool
}

// ErrNotExecutable means the file is not something this kernel runs
// (ENOEXEC at the system-call edge).
var ErrNotExecutable = errors.New("exec format error")

const pageSize = 4096

// Parse validates b and describes its image.
func Parse(b []byte) (*Image, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotExecutable, err)
	}
	switch {
	case f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB:
		return nil, fmt.Errorf("%w: not a 64-bit little-endian ELF", ErrNotExecutable)
	case f.Machine != elf.EM_X86_64:
		return nil, fmt.Errorf("%w: machine %v", ErrNotExecutable, f.Machine)
	case f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN:
		return nil, fmt.Errorf("%w: type %v", ErrNotExecutable, f.Type)
	}
	img := &Image{Phnum: uint64(len(f.Progs)), Phent: 56}
	phoff := uint64(0)
	if len(b) >= 64 {
		phoff = uint64(b[32]) | uint64(b[33])<<8 | uint64(b[34])<<16 | uint64(b[35])<<24
	}
	var lo uint64 = ^uint64(0)
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			return nil, fmt.Errorf("%w: dynamically linked (interpreter %s)", ErrNotExecutable, interp(b, p))
		case elf.PT_GNU_STACK:
			img.ExecStack = p.Flags&elf.PF_X != 0
		case elf.PT_LOAD:
			if p.Memsz == 0 {
				continue
			}
			if p.Filesz > p.Memsz || p.Off+p.Filesz > uint64(len(b)) || p.Off+p.Filesz < p.Off {
				return nil, fmt.Errorf("%w: segment at %#x exceeds the file", ErrNotExecutable, p.Vaddr)
			}
			if p.Vaddr%pageSize != p.Off%pageSize {
				return nil, fmt.Errorf("%w: segment at %#x is not page-congruent with its offset", ErrNotExecutable, p.Vaddr)
			}
			img.Segments = append(img.Segments, Segment{Vaddr: p.Vaddr, Memsz: p.Memsz, Offset: p.Off, Filesz: p.Filesz,
				Read: p.Flags&elf.PF_R != 0, Write: p.Flags&elf.PF_W != 0, Exec: p.Flags&elf.PF_X != 0})
			if p.Vaddr < lo {
				lo = p.Vaddr
			}
			if p.Off <= phoff && phoff < p.Off+p.Filesz {
				img.Phdr = p.Vaddr + phoff - p.Off
			}
		}
	}
	if len(img.Segments) == 0 {
		return nil, fmt.Errorf("%w: nothing to load", ErrNotExecutable)
	}
	if f.Type == elf.ET_DYN {
		img.Bias = PIEBase - lo&^(pageSize-1)
	}
	for i := range img.Segments {
		s := &img.Segments[i]
		s.Vaddr += img.Bias
		if s.Vaddr+s.Memsz > UserTop || s.Vaddr+s.Memsz < s.Vaddr || s.Vaddr < pageSize {
			return nil, fmt.Errorf("%w: segment at %#x outside user space", ErrNotExecutable, s.Vaddr)
		}
		for _, o := range img.Segments[:i] {
			if s.Vaddr < o.Vaddr+o.Memsz && o.Vaddr < s.Vaddr+s.Memsz {
				return nil, fmt.Errorf("%w: segments overlap", ErrNotExecutable)
			}
		}
	}
	img.Entry = f.Entry + img.Bias
	if img.Phdr != 0 {
		img.Phdr += img.Bias
	}
	inside := false
	for _, s := range img.Segments {
		if s.Exec && img.Entry >= s.Vaddr && img.Entry < s.Vaddr+s.Memsz {
			inside = true
		}
	}
	if !inside {
		return nil, fmt.Errorf("%w: entry %#x is not in an executable segment", ErrNotExecutable, img.Entry)
	}
	return img, nil
}

func interp(b []byte, p *elf.Prog) string {
	if p.Off+p.Filesz <= uint64(len(b)) {
		return string(bytes.TrimRight(b[p.Off:p.Off+p.Filesz], "\x00"))
	}
	return "?"
}
