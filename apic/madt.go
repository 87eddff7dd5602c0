// Package apic drives the local APIC (xAPIC through TamaGo's amd64/lapic
// for set-up, x2APIC through MSRs) and the IOAPIC (TamaGo's
// soc/intel/ioapic), and parses the ACPI tables that describe them.
package apic

import "encoding/binary"

// ACPI table parsing (ACPI 6.5 §5.2). Parsing works on byte slices so host
// tests can feed it tables; it never allocates (it runs before the Go
// runtime starts).

// RSDP is the root pointer (ACPI 6.5 §5.2.5.3).
const rsdpSignature = "RSD PTR "

const sdtHeaderLen = 36 // ACPI 6.5 §5.2.6, Table 5.4

// MADT entry types (ACPI 6.5 §5.2.12, Table 5.45).
const (
	madtLocalAPIC         = 0
	madtIOAPIC            = 1
	madtSourceOverride    = 2
	madtNMISource         = 3
	madtLocalAPICNMI      = 4
	madtLocalAPICOverride = 5
	madtLocalX2APIC       = 9
)

// MPS INTI flags of an interrupt source override (ACPI 6.5 Table 5.50).
const (
	PolarityMask    = 0x3
	PolarityDefault = 0x0 // conforms to the bus: ISA is active high
	PolarityHigh    = 0x1
	PolarityLow     = 0x3
	TriggerMask     = 0xc
	TriggerDefault  = 0x0 // conforms to the bus: ISA is edge
	TriggerEdge     = 0x4
	TriggerLevel    = 0xc
)

// IOAPICInfo is one IOAPIC.
type IOAPICInfo struct {
	ID      uint8
	Addr    uint32
	GSIBase uint32
}

// Override maps an ISA IRQ to a global system interrupt.
type Override struct {
	Source uint8 // ISA IRQ
	GSI    uint32
	Flags  uint16
}

// Processor is one processor entry of the MADT: a Processor Local APIC
// (type 0, ACPI 6.5 §5.2.12.2, Table 5.46) or a Processor Local x2APIC
// (type 9, §5.2.12.12, Table 5.59), as the firmware wrote it.
type Processor struct {
	APICID uint32 // 8 bits in a type 0 entry
	UID    uint32 // ACPI processor UID
	Flags  uint32 // Local APIC Flags (Table 5.47): ProcEnabled, ProcOnlineCapable
	X2     bool   // from a type 9 entry
}

// Local APIC Flags (ACPI 6.5 Table 5.47), the same in type 0 and type 9
// entries. Enabled: the processor is ready for use. Online Capable (ACPI
// 6.3 on; reserved, so zero, when Enabled is set): not enabled now, but
// the platform can enable it at run time. Neither: unusable, and the OS
// must ignore the entry.
const (
	ProcEnabled       = 1 << 0
	ProcOnlineCapable = 1 << 1
)

// maxProcessors bounds the processor entries kept from a MADT: QEMU's pc
// machine takes at most 288 CPUs. Entries past it are counted in
// ProcessorsDropped.
const maxProcessors = 288

// MADT is what Sigil needs from the Multiple APIC Description Table.
type MADT struct {
	LocalAPICAddr uint64
	PCATCompat    bool // dual 8259s are present (MADT flags bit 0)
	NCPUs         int  // entries with the Enabled flag
	// The processor entries of both types in table order, whatever
	// their flags (EnumerateCPUs applies the rules).
	NProcessors       int
	Processors        [maxProcessors]Processor
	ProcessorsDropped int
	NIOAPICs          int
	IOAPICs           [8]IOAPICInfo
	NOverrides        int
	Overrides         [16]Override
	LINTNMI           int // LINT pin wired to NMI, or -1
}

// ISAToGSI returns the GSI and flags for ISA irq: the override if there is
// one, else the identity mapping with bus-default (edge, high) flags.
func (m *MADT) ISAToGSI(irq uint8) (gsi uint32, flags uint16) {
	for i := 0; i < m.NOverrides; i++ {
		if o := m.Overrides[i]; o.Source == irq {
			return o.GSI, o.Flags
		}
	}
	return uint32(irq), 0
}

// IOAPICFor returns the IOAPIC serving gsi.
func (m *MADT) IOAPICFor(gsi uint32) (IOAPICInfo, bool) {
	for i := 0; i < m.NIOAPICs; i++ {
		io := m.IOAPICs[i]
		// A QEMU IOAPIC has 24 inputs; the next one's base bounds it.
		if gsi >= io.GSIBase && gsi < io.GSIBase+24 {
			return io, true
		}
	}
	return IOAPICInfo{}, false
}

func checksum(b []byte) bool {
	var s byte
	for _, v := range b {
		s += v
	}
	return s == 0
}

// PhysReader gives parsers access to physical memory.
type PhysReader func(pa uint64, n int) []byte

// FindMADT walks RSDP -> XSDT (or RSDT) to the table signed "APIC".
func FindMADT(rsdp uint64, mem PhysReader) ([]byte, bool) {
	r := mem(rsdp, 36)
	if string(r[:8]) != rsdpSignature || !checksum(r[:20]) {
		return nil, false
	}
	le := binary.LittleEndian
	root, entry := uint64(le.Uint32(r[16:])), 4
	if r[15] >= 2 && le.Uint64(r[24:]) != 0 { // revision 2+: XSDT
		root, entry = le.Uint64(r[24:]), 8
	}
	h := mem(root, sdtHeaderLen)
	n := int(le.Uint32(h[4:]))
	if n < sdtHeaderLen {
		return nil, false
	}
	t := mem(root, n)
	if !checksum(t) {
		return nil, false
	}
	for off := sdtHeaderLen; off+entry <= n; off += entry {
		var pa uint64
		if entry == 8 {
			pa = le.Uint64(t[off:])
		} else {
			pa = uint64(le.Uint32(t[off:]))
		}
		h := mem(pa, sdtHeaderLen)
		if string(h[:4]) == "APIC" {
			m := mem(pa, int(le.Uint32(h[4:])))
			if checksum(m) {
				return m, true
			}
		}
	}
	return nil, false
}

// ParseMADT decodes a MADT. It rejects tables whose lengths do not add up.
func ParseMADT(b []byte) (m MADT, ok bool) {
	le := binary.LittleEndian
	if len(b) < sdtHeaderLen+8 || string(b[:4]) != "APIC" || int(le.Uint32(b[4:])) != len(b) {
		return m, false
	}
	m.LocalAPICAddr = uint64(le.Uint32(b[36:]))
	m.PCATCompat = le.Uint32(b[40:])&1 != 0
	m.LINTNMI = -1
	for off := sdtHeaderLen + 8; off < len(b); {
		if off+2 > len(b) {
			return m, false
		}
		typ, n := b[off], int(b[off+1])
		if n < 2 || off+n > len(b) {
			return m, false
		}
		e := b[off : off+n]
		switch {
		case typ == madtLocalAPIC && n >= 8:
			m.addProcessor(Processor{APICID: uint32(e[3]), UID: uint32(e[2]), Flags: le.Uint32(e[4:])})
		case typ == madtLocalX2APIC && n >= 16:
			m.addProcessor(Processor{APICID: le.Uint32(e[4:]), UID: le.Uint32(e[12:]), Flags: le.Uint32(e[8:]), X2: true})
		case typ == madtIOAPIC && n >= 12:
			if m.NIOAPICs < len(m.IOAPICs) {
				m.IOAPICs[m.NIOAPICs] = IOAPICInfo{ID: e[2], Addr: le.Uint32(e[4:]), GSIBase: le.Uint32(e[8:])}
				m.NIOAPICs++
			}
		case typ == madtSourceOverride && n >= 10:
			if e[2] == 0 && m.NOverrides < len(m.Overrides) { // bus 0: ISA
				m.Overrides[m.NOverrides] = Override{Source: e[3], GSI: le.Uint32(e[4:]), Flags: le.Uint16(e[8:])}
				m.NOverrides++
			}
		case typ == madtLocalAPICNMI && n >= 6:
			m.LINTNMI = int(e[5])
		case typ == madtLocalAPICOverride && n >= 12:
			m.LocalAPICAddr = le.Uint64(e[4:])
		}
		off += n
	}
	return m, true
}

func (m *MADT) addProcessor(p Processor) {
	if p.Flags&ProcEnabled != 0 {
		m.NCPUs++
	}
	if m.NProcessors == len(m.Processors) {
		m.ProcessorsDropped++
		return
	}
	m.Processors[m.NProcessors] = p
	m.NProcessors++
}
