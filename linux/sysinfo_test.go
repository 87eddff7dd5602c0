package linux

import (
	"testing"
	"unsafe"
)

// TestSysinfoLayout: struct sysinfo's size and the offsets of its fields
// after the padding, as x86-64 Linux lays them out.
func TestSysinfoLayout(t *testing.T) {
	var s Sysinfo
	if unsafe.Sizeof(s) != 112 || unsafe.Offsetof(s.Procs) != 80 || unsafe.Offsetof(s.Totalhigh) != 88 ||
		unsafe.Offsetof(s.MemUnit) != 104 {
		t.Errorf("size %d, procs at %d, totalhigh at %d, mem_unit at %d; want 112, 80, 88, 104",
			unsafe.Sizeof(s), unsafe.Offsetof(s.Procs), unsafe.Offsetof(s.Totalhigh), unsafe.Offsetof(s.MemUnit))
	}
}
