package arch

import "testing"

// TestIOBitmap: maps built by NewIOBitmap and loaded into a CPU's TSS give
// the ports asked for and no others, reload only on a new sequence, and
// leave all ones behind a shorter map (what the CPU reads past Len).
func TestIOBitmap(t *testing.T) {
	var c CPU
	for i := range c.TSS.io {
		c.TSS.io[i] = 0xff
	}
	c.LoadIOBitmap(nil)
	if c.Port(0x80) {
		t.Fatal("port 0x80 with no map")
	}
	a := NewIOBitmap(nil, 0x3f8, 8, true)
	if a.Len != 0x3ff/8+1 {
		t.Errorf("Len %d, want %d", a.Len, 0x3ff/8+1)
	}
	c.LoadIOBitmap(a)
	for p, want := range map[int]bool{0x3f7: false, 0x3f8: true, 0x3ff: true, 0x400: false, 0x80: false} {
		if c.Port(p) != want {
			t.Errorf("port %#x: %v, want %v", p, !want, want)
		}
	}
	b := NewIOBitmap(a, 0x3f8, 8, false)
	if !b.Empty() || b.Seq == a.Seq {
		t.Errorf("dropped map: Len %d, Seq %d (old %d)", b.Len, b.Seq, a.Seq)
	}
	short := NewIOBitmap(nil, 0x60, 1, true)
	c.LoadIOBitmap(short)
	if !c.Port(0x60) || c.Port(0x3f8) {
		t.Error("a shorter map kept the longer one's ports")
	}
	c.LoadIOBitmap(&AllPorts)
	if !c.Port(0xffff) || !c.Port(0) {
		t.Error("AllPorts")
	}
	c.LoadIOBitmap(short)
	if c.Port(0x61) || c.TSS.io[len(c.TSS.io)-1] != 0xff {
		t.Error("after AllPorts, the map is not all ones past Len")
	}
	c.LoadIOBitmap(nil)
	if c.Port(0x60) || c.TSS.words[25]>>16 != ioMapNone {
		t.Error("nil map left ports on")
	}
}
