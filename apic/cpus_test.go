package apic

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"
)

// madtWith builds a MADT whose processor entries are entries (each a type 0
// or type 9 entry's bytes).
func madtWith(entries ...[]byte) []byte {
	le := binary.LittleEndian
	b := make([]byte, 44)
	copy(b, "APIC")
	le.PutUint32(b[36:], 0xfee00000)
	for _, e := range entries {
		b = append(b, e...)
	}
	le.PutUint32(b[4:], uint32(len(b)))
	return b
}

// lapic is a type 0 entry (ACPI 6.5 Table 5.46).
func xapicEntry(uid, id uint8, flags uint32) []byte {
	e := []byte{madtLocalAPIC, 8, uid, id, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(e[4:], flags)
	return e
}

// x2apic is a type 9 entry (ACPI 6.5 Table 5.59).
func x2apicEntry(id, flags, uid uint32) []byte {
	e := make([]byte, 16)
	e[0], e[1] = madtLocalX2APIC, 16
	binary.LittleEndian.PutUint32(e[4:], id)
	binary.LittleEndian.PutUint32(e[8:], flags)
	binary.LittleEndian.PutUint32(e[12:], uid)
	return e
}

type skipped struct {
	id  uint32
	why Skip
}

func enumerate(t *testing.T, table []byte, bsp uint32, bound int) ([]CPU, bool, []skipped) {
	t.Helper()
	m, ok := ParseMADT(table)
	if !ok {
		t.Fatal("ParseMADT failed")
	}
	out := make([]CPU, bound)
	var skips []skipped
	n, listed := EnumerateCPUs(&m, bsp, out, func(p Processor, why Skip) { skips = append(skips, skipped{p.APICID, why}) })
	return out[:n], listed, skips
}

func ids(cpus []CPU) string {
	s := ""
	for _, c := range cpus {
		s += fmt.Sprint(c.APICID)
		if c.OnlineCapable {
			s += "?"
		}
		if c.X2 {
			s += "x"
		}
		s += " "
	}
	return s
}

// TestEnumerateCPUs: the ACPI flag rules, the boot CPU first, x2APIC
// entries, duplicates, invalid IDs and the bound.
func TestEnumerateCPUs(t *testing.T) {
	for _, c := range []struct {
		name    string
		entries [][]byte
		bsp     uint32
		bound   int
		want    string
		listed  bool
		skipped []skipped
	}{
		{name: "qemu -smp 4", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, 1), xapicEntry(2, 2, 1), xapicEntry(3, 3, 1)},
			bound: 16, want: "0 1 2 3 ", listed: true},
		{name: "boot CPU not first", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, 1), xapicEntry(2, 2, 1)},
			bsp: 2, bound: 16, want: "2 0 1 ", listed: true},
		{name: "neither flag: ignored silently but reported", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, 0), xapicEntry(2, 2, 1)},
			bound: 16, want: "0 2 ", listed: true, skipped: []skipped{{1, SkipUnusable}}},
		{name: "online capable after the enabled ones", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, ProcOnlineCapable), xapicEntry(2, 2, 1)},
			bound: 16, want: "0 2 1? ", listed: true},
		{name: "x2APIC entries", entries: [][]byte{x2apicEntry(0, 1, 0), x2apicEntry(300, 1, 1), x2apicEntry(301, ProcOnlineCapable, 2)},
			bound: 16, want: "0x 300x 301?x ", listed: true},
		{name: "type 0 and type 9 for one CPU", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, 1), x2apicEntry(1, 1, 1), x2apicEntry(0, 1, 0)},
			bound: 16, want: "0 1 ", listed: true, skipped: []skipped{{1, SkipDuplicate}, {0, SkipDuplicate}}},
		{name: "enabled wins over an earlier online capable entry", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, ProcOnlineCapable), x2apicEntry(1, 1, 1)},
			bound: 16, want: "0 1x ", listed: true, skipped: []skipped{{1, SkipDuplicate}}},
		{name: "invalid IDs", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 0xff, 1), x2apicEntry(0xffffffff, 1, 2), x2apicEntry(0xff, 1, 3)},
			bound: 16, want: "0 255x ", listed: true, skipped: []skipped{{0xff, SkipInvalidID}, {0xffffffff, SkipInvalidID}}},
		{name: "boot CPU missing", entries: [][]byte{xapicEntry(1, 1, 1), xapicEntry(2, 2, 1)},
			bsp: 0, bound: 16, want: "0 1 2 ", listed: false},
		{name: "bound", entries: [][]byte{xapicEntry(0, 0, 1), xapicEntry(1, 1, 1), xapicEntry(2, 2, 1), xapicEntry(3, 3, ProcOnlineCapable), xapicEntry(4, 4, 1)},
			bound: 3, want: "0 1 2 ", listed: true, skipped: []skipped{{4, SkipBound}, {3, SkipBound}}},
		{name: "boot CPU listed last keeps row 0 within the bound", entries: [][]byte{xapicEntry(1, 1, 1), xapicEntry(2, 2, 1), xapicEntry(0, 0, 1)},
			bound: 2, want: "0 1 ", listed: true, skipped: []skipped{{2, SkipBound}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cpus, listed, skips := enumerate(t, madtWith(c.entries...), c.bsp, c.bound)
			if got := ids(cpus); got != c.want || listed != c.listed {
				t.Errorf("CPUs %q listed %v, want %q %v", got, listed, c.want, c.listed)
			}
			if !reflect.DeepEqual(skips, c.skipped) {
				t.Errorf("skipped %v, want %v", skips, c.skipped)
			}
		})
	}
}

// TestParseMADTProcessors: both entry types keep their IDs, UIDs and flags,
// NCPUs counts the enabled ones, and entries past the array are counted.
func TestParseMADTProcessors(t *testing.T) {
	m, ok := ParseMADT(madtWith(xapicEntry(7, 3, 1), x2apicEntry(0x12345, ProcOnlineCapable, 9)))
	if !ok {
		t.Fatal("ParseMADT failed")
	}
	want := []Processor{{APICID: 3, UID: 7, Flags: 1}, {APICID: 0x12345, UID: 9, Flags: ProcOnlineCapable, X2: true}}
	if m.NCPUs != 1 || !reflect.DeepEqual(m.Processors[:m.NProcessors], want) {
		t.Errorf("NCPUs %d, processors %+v", m.NCPUs, m.Processors[:m.NProcessors])
	}
	var many [][]byte
	for i := 0; i < maxProcessors+5; i++ {
		many = append(many, x2apicEntry(uint32(i), 1, uint32(i)))
	}
	m, _ = ParseMADT(madtWith(many...))
	if m.NProcessors != maxProcessors || m.ProcessorsDropped != 5 || m.NCPUs != maxProcessors+5 {
		t.Errorf("%d processors kept, %d dropped, NCPUs %d", m.NProcessors, m.ProcessorsDropped, m.NCPUs)
	}
	if m.Processors[0].Flags&ProcEnabled == 0 {
		t.Error("flags lost")
	}
}
