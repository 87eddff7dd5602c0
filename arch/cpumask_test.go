package arch

import "testing"

func TestCPUMask(t *testing.T) {
	var m CPUMask
	m = m.With(0).With(3).With(MaxCPUs - 1)
	if !m.Has(0) || !m.Has(3) || m.Has(1) || !m.Has(MaxCPUs-1) || m.Has(MaxCPUs) || m.Has(-1) {
		t.Errorf("Has on %#x", uint64(m))
	}
	if m.Count() != 3 {
		t.Errorf("Count = %d", m.Count())
	}
	b := make([]byte, 16)
	for i := range b {
		b[i] = 0xff
	}
	m.Bytes(b)
	if b[0] != 0x09 || b[1] != 0x80 || b[2] != 0 || b[15] != 0 {
		t.Errorf("Bytes = % x", b)
	}
	if got := MaskFromBytes(b); got != m {
		t.Errorf("MaskFromBytes(Bytes(%#x)) = %#x", uint64(m), uint64(got))
	}
	if got := MaskFromBytes([]byte{0xff, 0xff, 0xff, 0xff}); got != 1<<MaxCPUs-1 {
		t.Errorf("bits past MaxCPUs kept: %#x", uint64(got))
	}
	if got := MaskFromBytes(nil); got != 0 {
		t.Errorf("empty = %#x", uint64(got))
	}
	if OnlineMask() == 0 {
		t.Error("OnlineMask is empty")
	}
}
