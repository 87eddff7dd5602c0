package arch

import "sync/atomic"

// I/O port permissions for CPL 3 (SDM Vol. 1 §19.5.2 "I/O Permission Bit
// Map", Vol. 3A §8.7 Figure 8-11): with IOPL 0 in RFLAGS, an IN or OUT at
// CPL 3 faults (#GP) unless every bit for its ports is clear in the bit
// map the TSS's I/O map base points at. Each CPU's TSS carries one map;
// LoadIOBitmap makes it the map of the thread about to enter user mode, as
// Linux's switch_to_bitmap: no map at all (the base beyond the limit) for
// the threads that never asked, a copy of the thread's only when the CPU
// last held another.

// IOPorts is the number of I/O ports, each one bit of the map.
const IOPorts = 65536

const ioMapBytes = IOPorts / 8

// ioMapNone is an I/O map base at or beyond the TSS limit: no map, every
// port faults at CPL 3.
const ioMapNone = 0xffff

// IOBitmap is a thread's view of the ports: a set bit faults, as in the
// TSS. A published bitmap never changes (threads created by clone share
// it, as Linux's io_bitmap_share): a change is a new bitmap with a new
// sequence number.
type IOBitmap struct {
	Map [ioMapBytes]byte
	// Len is the number of leading bytes that may hold a clear bit: the
	// rest are all set, and LoadIOBitmap copies only Len bytes.
	Len int
	// Seq tells maps apart: the CPU reloads its TSS copy only when the
	// sequence it holds is not the incoming one's.
	Seq uint64
}

// AllPorts is the map of a thread at iopl(3): every port allowed, as
// Linux's emulated IOPL (its TSS "mapall").
var AllPorts = IOBitmap{Len: ioMapBytes, Seq: 1}

// ioSeq numbers bitmaps (Linux's io_bitmap_sequence): the last number
// taken, less one (1 is AllPorts').
var ioSeq atomic.Uint64

// NewIOBitmap returns a bitmap with ports from..from+num-1 allowed (if
// allow) or denied on top of old's (nil: every port denied).
func NewIOBitmap(old *IOBitmap, from, num int, allow bool) *IOBitmap {
	b := new(IOBitmap)
	if old != nil {
		*b = *old
	} else {
		for i := range b.Map {
			b.Map[i] = 0xff
		}
	}
	for p := from; p < from+num; p++ {
		if allow {
			b.Map[p/8] &^= 1 << (p % 8)
		} else {
			b.Map[p/8] |= 1 << (p % 8)
		}
	}
	b.Len = 0
	for i := len(b.Map) - 1; i >= 0; i-- {
		if b.Map[i] != 0xff {
			b.Len = i + 1
			break
		}
	}
	b.Seq = ioSeq.Add(1) + 1
	return b
}

// Empty reports whether b allows no port.
func (b *IOBitmap) Empty() bool { return b.Len == 0 }

// LoadIOBitmap gives user mode on this CPU the ports of b (nil: none).
// Interrupt context, on the CPU whose TSS it is.
//
//go:nosplit
func (c *CPU) LoadIOBitmap(b *IOBitmap) {
	if b == nil {
		if c.ioMapOn {
			c.TSS.setIOBase(ioMapNone)
			c.ioMapOn = false
		}
		return
	}
	if c.ioMapSeq != b.Seq {
		n := copy(c.TSS.io[:b.Len], b.Map[:b.Len])
		for i := n; i < c.ioMapLen; i++ {
			c.TSS.io[i] = 0xff
		}
		c.ioMapSeq, c.ioMapLen = b.Seq, b.Len
	}
	if !c.ioMapOn {
		c.TSS.setIOBase(tssSize)
		c.ioMapOn = true
	}
}

// Port reports whether user mode on this CPU may use port p now (what the
// CPU checks, for tests and reports).
func (c *CPU) Port(p int) bool {
	return c.ioMapOn && c.TSS.io[p/8]&(1<<(p%8)) == 0
}
