package klog

import "unsafe"

// Ring is a printk ring: variable-length records (a header, then the
// text, padded to 8 bytes) laid one after another in a fixed byte array,
// the oldest dropped to make room for a new one, as Linux's log_buf was
// before the lockless printk_ringbuffer (5.10) and with the same
// guarantees for readers: records keep their place while they exist, so a
// reader's Cursor (sequence number and offset) stays valid until the
// record it names is overwritten, which the reader sees as a jump in
// sequence numbers.
//
// A record never wraps: one that does not fit before the end goes to
// offset 0, after a wrap marker (a header with textWrap) when the header
// fits before the end. Ring's methods take no lock: the caller holds one
// (package klog's lock for the kernel's log).
type Ring struct {
	// The bytes, by address: the record path stores no pointer, which
	// would need a write barrier (interrupt context has no P for one).
	// keep holds a buffer NewRing was given for the garbage collector.
	base        uintptr
	size        uint32
	keep        []byte
	first, next uint32 // offsets of the oldest record and of the next one to store
	firstSeq    uint64 // sequence number of the oldest record
	nextSeq     uint64 // sequence number the next record gets; empty when equal to firstSeq
}

// Record is a record's header as readers see it.
type Record struct {
	Seq      uint64 // sequence number, from 0
	TimeUS   uint64 // microseconds since boot
	Facility uint8  // syslog facility: 0 kernel, 1 user, ...
	Level    uint8  // syslog level 0 (emerg) to 7 (debug)
	TextLen  int    // the text's length, without a trailing newline
}

// header is a record's layout in the ring.
type header struct {
	seq      uint64
	ts       uint64
	textLen  uint16
	facility uint8
	level    uint8
	_        [4]byte
}

const (
	hdrSize  = uint32(unsafe.Sizeof(header{}))
	textWrap = 0xffff // textLen of a wrap marker: the next record is at offset 0
	align    = 8
)

// LineMax is the longest text a record holds (Linux's LOG_LINE_MAX,
// 1024 less the prefix room); longer text is cut.
const LineMax = 1024 - 32

// NewRing makes a ring over buf, whose length must be a multiple of 8 and
// at least 4 times hdrSize+LineMax.
func NewRing(buf []byte) Ring {
	return Ring{base: uintptr(unsafe.Pointer(unsafe.SliceData(buf))), size: uint32(len(buf)), keep: buf}
}

// Size is the ring's capacity in bytes (syslog's SIZE_BUFFER).
//
//go:nosplit
func (r *Ring) Size() int { return int(r.size) }

// FirstSeq is the oldest record's sequence number (NextSeq if empty).
//
//go:nosplit
func (r *Ring) FirstSeq() uint64 { return r.firstSeq }

// NextSeq is the sequence number of the next record to be stored.
//
//go:nosplit
func (r *Ring) NextSeq() uint64 { return r.nextSeq }

// hdr is the header at off, which room and resolve keep inside the
// ring (no bounds check: the record path is nosplit and its stack short).
//
//go:nosplit
func (r *Ring) hdr(off uint32) *header { return (*header)(r.at(off)) }

//go:nosplit
func (r *Ring) at(off uint32) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(nil), r.base+uintptr(off))
}

// resolve returns where the record at off really starts: offset 0 past a
// wrap marker or a tail too short for a header.
//
//go:nosplit
func (r *Ring) resolve(off uint32) uint32 {
	if r.size-off < hdrSize || r.hdr(off).textLen == textWrap {
		return 0
	}
	return off
}

//go:nosplit
func recSize(textLen uint32) uint32 { return (hdrSize + textLen + align - 1) &^ (align - 1) }

// room reports whether sz bytes fit at next, and where: (at, true).
//
//go:nosplit
func (r *Ring) room(sz uint32) (uint32, bool) {
	end := r.size
	empty := r.firstSeq == r.nextSeq
	if empty || r.next >= r.first {
		// Free: [next, end) and [0, first).
		if end-r.next >= sz {
			return r.next, true
		}
		// Strictly below first, so that a full ring never has next == first.
		if empty || r.first > sz {
			return 0, true
		}
		return 0, false
	}
	// Free: [next, first).
	return r.next, r.first-r.next > sz
}

// dropFirst forgets the oldest record.
//
//go:nosplit
func (r *Ring) dropFirst() {
	off := r.resolve(r.first)
	r.first = off + recSize(uint32(r.hdr(off).textLen))
	r.firstSeq++
}

// Store appends a record, dropping the oldest ones to make room, and
// returns its sequence number. Text past LineMax is cut. Allocation-free.
//
//go:nosplit
func (r *Ring) Store(facility, level uint8, ts uint64, text []byte) uint64 {
	if len(text) > LineMax {
		text = text[:LineMax]
	}
	sz := recSize(uint32(len(text)))
	at, ok := r.room(sz)
	for !ok {
		r.dropFirst()
		at, ok = r.room(sz)
	}
	if at != r.next && r.size-r.next >= hdrSize {
		r.hdr(r.next).textLen = textWrap
	}
	if r.firstSeq == r.nextSeq {
		r.first = at
	}
	h := r.hdr(at)
	h.seq, h.ts, h.textLen, h.facility, h.level = r.nextSeq, ts, uint16(len(text)), facility, level&7
	copy(unsafe.Slice((*byte)(r.at(at+hdrSize)), len(text)), text)
	r.next = at + sz
	r.nextSeq++
	return h.seq
}

// Cursor is a reader's place: the sequence number of the next record it
// reads and that record's offset.
type Cursor struct {
	Seq uint64
	off uint32
}

// Start is a cursor at the oldest record.
func (r *Ring) Start() Cursor { return Cursor{r.firstSeq, r.first} }

// End is a cursor after the newest record.
func (r *Ring) End() Cursor { return Cursor{r.nextSeq, r.next} }

// Seek is a cursor at record seq (the oldest if seq is gone, the end if
// seq is not yet stored).
func (r *Ring) Seek(seq uint64) Cursor {
	if seq >= r.nextSeq {
		return r.End()
	}
	c := r.Start()
	for c.Seq < seq {
		r.Read(&c, nil)
	}
	return c
}

// Read returns the record at c and the text in the ring (valid while the
// caller holds the ring's lock), copies the text into buf if buf is not
// nil, and moves c past it. A cursor whose record was dropped moves to
// the oldest record first: the Record's Seq is then above c.Seq as it
// was. ok is false when no record is there yet.
//
//go:nosplit
func (r *Ring) Read(c *Cursor, buf []byte) (rec Record, text []byte, ok bool) {
	if c.Seq < r.firstSeq {
		*c = Cursor{r.firstSeq, r.first}
	}
	if c.Seq >= r.nextSeq {
		return Record{}, nil, false
	}
	off := r.resolve(c.off)
	h := r.hdr(off)
	text = unsafe.Slice((*byte)(r.at(off+hdrSize)), h.textLen)
	if buf != nil {
		copy(buf, text)
	}
	rec = Record{Seq: h.seq, TimeUS: h.ts, Facility: h.facility, Level: h.level, TextLen: int(h.textLen)}
	*c = Cursor{h.seq + 1, off + recSize(uint32(h.textLen))}
	return rec, text, true
}
