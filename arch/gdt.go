package arch

import "unsafe"

// Segment selectors. The layout is Linux's x86-64 GDT
// (arch/x86/include/asm/segment.h), so that the CS and SS values user
// programs find in their signal frames are the ones they expect, and so that
// SYSRET's fixed selector arithmetic works (SDM Vol. 2B "SYSRET": CS =
// STAR[63:48]+16, SS = STAR[63:48]+8).
const (
	KernelCS = 0x10
	KernelDS = 0x18
	User32CS = 0x23
	UserDS   = 0x2b
	UserCS   = 0x33
	TSSSel   = 0x40
)

// Code and data descriptors (SDM Vol. 3A §3.4.5): base 0, limit 4 GiB
// (ignored in 64-bit mode), present, with the DPL in bits 45-46 and L (64-bit
// code) in bit 53.
const (
	DescKernelCode = 0x00af9a000000ffff
	DescKernelData = 0x00cf92000000ffff
	descUser32Code = 0x00cffa000000ffff
	descUserData   = 0x00cff2000000ffff
	descUserCode   = 0x00affa000000ffff
)

// TSS is the 64-bit task-state segment (SDM Vol. 3A §8.7, Figure 8-11). Its
// 64-bit fields sit at 4-byte offsets, so it is kept as 32-bit words.
//
// The I/O permission bit map follows it in the same segment (ioports.go),
// with the byte of all ones the processor needs after the map's last byte
// (SDM Vol. 1 §19.5.2).
type TSS struct {
	words [26]uint32
	io    [ioMapBytes + 1]byte
}

const tssSize = 104

// tssLimit is the TSS segment's limit: the fixed part and the bit map.
const tssLimit = tssSize + ioMapBytes + 1 - 1

// setIOBase sets the I/O map base, the TSS offset of the bit map.
//
//go:nosplit
func (t *TSS) setIOBase(off uint16) { t.words[25] = uint32(off) << 16 }

// SetRSP0 sets the stack loaded on an interrupt from CPL 3.
//
//go:nosplit
func (t *TSS) SetRSP0(sp uint64) { t.set64(4, sp) }

// SetIST sets interrupt stack table entry n (1-7) to sp.
//
//go:nosplit
func (t *TSS) SetIST(n int, sp uint64) { t.set64(36+8*(n-1), sp) }

// IST returns interrupt stack table entry n (1-7).
//
//go:nosplit
func (t *TSS) IST(n int) uint64 {
	off := (36 + 8*(n-1)) / 4
	return uint64(t.words[off]) | uint64(t.words[off+1])<<32
}

//go:nosplit
func (t *TSS) set64(off int, v uint64) {
	t.words[off/4] = uint32(v)
	t.words[off/4+1] = uint32(v >> 32)
}

// gdtEntries is the number of 8-byte GDT slots: the seven code/data slots
// up to 0x38 and the 16-byte TSS descriptor at 0x40.
const gdtEntries = 10

// pseudoDescriptor is the 10-byte operand of LGDT and LIDT.
type pseudoDescriptor [10]byte

//go:nosplit
func (p *pseudoDescriptor) set(base uintptr, size int) {
	limit := uint16(size - 1)
	p[0], p[1] = byte(limit), byte(limit>>8)
	for i := 0; i < 8; i++ {
		p[2+i] = byte(uint64(base) >> (8 * i))
	}
}

// LoadGDT installs c's GDT and TSS on this CPU and reloads every segment
// register that caches a descriptor.
//
//go:nosplit
func (c *CPU) LoadGDT() {
	g := &c.gdt
	g[KernelCS/8] = DescKernelCode
	g[KernelDS/8] = DescKernelData
	g[User32CS/8] = descUser32Code
	g[UserDS/8] = descUserData
	g[UserCS/8] = descUserCode
	// 64-bit TSS descriptor, type 9 "available" (SDM Vol. 3A §8.2.3).
	base := uint64(uintptr(unsafe.Pointer(&c.TSS)))
	c.TSS.setIOBase(ioMapNone)
	for i := range c.TSS.io {
		c.TSS.io[i] = 0xff
	}
	c.ioMapOn, c.ioMapSeq, c.ioMapLen = false, 0, 0
	g[TSSSel/8] = tssLimit&0xffff | (base&0xffffff)<<16 | 0x89<<40 | (tssLimit>>16&0xf)<<48 | (base>>24&0xff)<<56
	g[TSSSel/8+1] = base >> 32

	var p pseudoDescriptor
	p.set(uintptr(unsafe.Pointer(g)), len(g)*8)
	lgdt(uintptr(unsafe.Pointer(&p)))
	reloadSegments(KernelCS, KernelDS)
	ltr(TSSSel)
}
