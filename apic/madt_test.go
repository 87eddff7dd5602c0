package apic

import (
	"encoding/binary"
	"testing"
)

// qemuMADT builds a MADT like QEMU's pc machine: one CPU, one IOAPIC at
// 0xfec00000, IRQ0->GSI2 and IRQ9 level/high overrides, LINT1 as NMI.
func qemuMADT() []byte {
	le := binary.LittleEndian
	b := make([]byte, 44)
	copy(b, "APIC")
	le.PutUint32(b[36:], 0xfee00000)
	le.PutUint32(b[40:], 1)
	b = append(b, 0, 8, 0, 0, 1, 0, 0, 0)                    // LAPIC id 0, enabled
	b = append(b, 1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0) // IOAPIC id 0 at 0xfec00000, GSI 0
	b = append(b, 2, 10, 0, 0, 2, 0, 0, 0, 0, 0)             // IRQ0 -> GSI2
	b = append(b, 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0)          // IRQ9 -> GSI9, level, high
	b = append(b, 4, 6, 0xff, 0, 0, 1)                       // LINT1 NMI
	le.PutUint32(b[4:], uint32(len(b)))
	var s byte
	for _, v := range b {
		s += v
	}
	b[9] = -s
	return b
}

func TestParseMADT(t *testing.T) {
	m, ok := ParseMADT(qemuMADT())
	if !ok {
		t.Fatal("ParseMADT failed")
	}
	if m.LocalAPICAddr != 0xfee00000 || !m.PCATCompat || m.NCPUs != 1 || m.LINTNMI != 1 {
		t.Errorf("header: %+v", m)
	}
	if m.NIOAPICs != 1 || m.IOAPICs[0].Addr != 0xfec00000 || m.IOAPICs[0].GSIBase != 0 {
		t.Errorf("IOAPICs: %+v", m.IOAPICs[:m.NIOAPICs])
	}
	if gsi, flags := m.ISAToGSI(0); gsi != 2 || flags != 0 {
		t.Errorf("IRQ0 -> GSI %d flags %#x, want 2, 0", gsi, flags)
	}
	if gsi, flags := m.ISAToGSI(9); gsi != 9 || flags&TriggerMask != TriggerLevel || flags&PolarityMask != PolarityHigh {
		t.Errorf("IRQ9 -> GSI %d flags %#x", gsi, flags)
	}
	if gsi, _ := m.ISAToGSI(1); gsi != 1 {
		t.Errorf("IRQ1 -> GSI %d, want identity", gsi)
	}
	if io, ok := m.IOAPICFor(2); !ok || io.Addr != 0xfec00000 {
		t.Error("IOAPICFor(2)")
	}
}

func TestParseMADTRejects(t *testing.T) {
	good := qemuMADT()
	for name, b := range map[string][]byte{
		"short":     good[:40],
		"signature": append([]byte("APIX"), good[4:]...),
		"truncated": good[:len(good)-3],
	} {
		if _, ok := ParseMADT(b); ok {
			t.Errorf("%s: accepted", name)
		}
	}
	bad := append([]byte(nil), good...)
	bad[len(bad)-5] = 0 // an entry of length 0
	if _, ok := ParseMADT(bad); ok {
		t.Error("zero-length entry accepted")
	}
}

func TestFindMADT(t *testing.T) {
	le := binary.LittleEndian
	madt := qemuMADT()
	mem := map[uint64][]byte{}
	// RSDT at 0x2000 listing a FACP-signed table and the MADT.
	facp := make([]byte, 36)
	copy(facp, "FACP")
	le.PutUint32(facp[4:], 36)
	rsdt := make([]byte, 44)
	copy(rsdt, "RSDT")
	le.PutUint32(rsdt[4:], 44)
	le.PutUint32(rsdt[36:], 0x3000)
	le.PutUint32(rsdt[40:], 0x4000)
	fix := func(b []byte) {
		b[9] = 0
		var s byte
		for _, v := range b {
			s += v
		}
		b[9] = -s
	}
	fix(rsdt)
	rsdp := make([]byte, 36)
	copy(rsdp, rsdpSignature)
	le.PutUint32(rsdp[16:], 0x2000)
	var s byte
	for _, v := range rsdp[:20] {
		s += v
	}
	rsdp[8] = -s
	mem[0x1000], mem[0x2000], mem[0x3000], mem[0x4000] = rsdp, rsdt, facp, madt
	read := func(pa uint64, n int) []byte {
		b := mem[pa]
		if len(b) < n {
			b = append(b, make([]byte, n-len(b))...)
		}
		return b[:n]
	}
	got, ok := FindMADT(0x1000, read)
	if !ok || len(got) != len(madt) {
		t.Fatalf("FindMADT = %d bytes, %v", len(got), ok)
	}
	rsdp[0] = 'X'
	if _, ok := FindMADT(0x1000, read); ok {
		t.Error("bad RSDP accepted")
	}
}

func FuzzParseMADT(f *testing.F) {
	f.Add(qemuMADT())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := ParseMADT(b)
		if ok && (m.NIOAPICs > len(m.IOAPICs) || m.NOverrides > len(m.Overrides)) {
			t.Fatal("overflow")
		}
	})
}
