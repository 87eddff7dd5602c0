// Command mkimage turns the kernel ELF the Go linker wrote into the image
// QEMU boots with -kernel:
//
//   - every program header gets p_paddr = p_vaddr - KernelBase, so QEMU's
//     ELF loader (which loads at p_paddr) puts the upper-half kernel at its
//     physical address;
//   - the PT_PHDR header (needed by no dynamic loader here) becomes a
//     PT_NOTE for a Xen XEN_ELFNOTE_PHYS32_ENTRY note appended to the file,
//     giving the physical address of the 32-bit PVH entry point, which is
//     the ELF entry (the linker's -E flag names it).
//
// Section headers, symbols and DWARF are untouched, so GDB reads the output
// as it reads the input.
package main

import (
	"debug/elf"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
)

// KernelBase is where physical address 0 is mapped (mm.KernelBase).
const KernelBase = 0xffffffff80000000

// Xen ELF note (xen/include/public/elfnote.h).
const xenElfnotePhys32Entry = 18

func main() {
	out := flag.String("o", "", "output image")
	flag.Parse()
	if flag.NArg() != 1 || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: mkimage -o IMAGE KERNEL.elf")
		os.Exit(2)
	}
	in, err := os.ReadFile(flag.Arg(0))
	if err == nil {
		in, err = Convert(in)
	}
	if err == nil {
		err = os.WriteFile(*out, in, 0o755)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// Convert returns the bootable image for kernel ELF b.
func Convert(b []byte) ([]byte, error) {
	if len(b) < 64 || string(b[:4]) != elf.ELFMAG || elf.Class(b[elf.EI_CLASS]) != elf.ELFCLASS64 {
		return nil, fmt.Errorf("not a 64-bit ELF file")
	}
	le := binary.LittleEndian
	entry := le.Uint64(b[24:])
	phoff := le.Uint64(b[32:])
	phentsize := uint64(le.Uint16(b[54:]))
	phnum := uint64(le.Uint16(b[56:]))
	if entry < KernelBase {
		return nil, fmt.Errorf("entry %#x is not in the kernel half: link with -T at KernelBase+2MiB", entry)
	}
	if phentsize != 56 || phoff+phnum*phentsize > uint64(len(b)) {
		return nil, fmt.Errorf("bad program header table")
	}

	// The note: namesz, descsz, type, "Xen\0", 8-byte physical entry
	// (QEMU reads a host-sized word on 64-bit ELFs).
	noteOff := (uint64(len(b)) + 7) &^ 7
	note := make([]byte, 24)
	le.PutUint32(note[0:], 4)
	le.PutUint32(note[4:], 8)
	le.PutUint32(note[8:], xenElfnotePhys32Entry)
	copy(note[12:], "Xen\x00")
	le.PutUint64(note[16:], entry-KernelBase)

	out := make([]byte, noteOff, noteOff+uint64(len(note)))
	copy(out, b)
	out = append(out, note...)

	converted := false
	for i := uint64(0); i < phnum; i++ {
		ph := out[phoff+i*phentsize:]
		typ := elf.ProgType(le.Uint32(ph[0:]))
		vaddr := le.Uint64(ph[16:])
		if typ == elf.PT_PHDR && !converted {
			le.PutUint32(ph[0:], uint32(elf.PT_NOTE))
			le.PutUint32(ph[4:], uint32(elf.PF_R))
			le.PutUint64(ph[8:], noteOff)
			le.PutUint64(ph[16:], 0)
			le.PutUint64(ph[24:], 0)
			le.PutUint64(ph[32:], uint64(len(note)))
			le.PutUint64(ph[40:], uint64(len(note)))
			le.PutUint64(ph[48:], 4)
			converted = true
			continue
		}
		if vaddr >= KernelBase {
			le.PutUint64(ph[24:], vaddr-KernelBase)
		} else if typ == elf.PT_LOAD {
			return nil, fmt.Errorf("segment %d at %#x is below the kernel half", i, vaddr)
		}
	}
	if !converted {
		return nil, fmt.Errorf("no PT_PHDR header to turn into the PVH note")
	}
	return out, nil
}
