package mm

import "testing"

// TestUserRows: two pages used in turn both stay cached, a third replaces
// the one used less recently, and a generation change retires every row.
func TestUserRows(t *testing.T) {
	var r userRows
	gen := userGen.Load()
	fill := func(page uintptr, pa uint64) { r.fill(0x1000, page, pa, true, gen) }
	fill(0x10000, 0xa000)
	fill(0x20000, 0xb000)
	for i := 0; i < 3; i++ {
		if pa, ok := r.find(0x1000, 0x10000, true); !ok || pa != 0xa000 {
			t.Fatalf("page 0x10000: %#x %v", pa, ok)
		}
		if pa, ok := r.find(0x1000, 0x20000, false); !ok || pa != 0xb000 {
			t.Fatalf("page 0x20000: %#x %v", pa, ok)
		}
	}
	if _, ok := r.find(0x2000, 0x10000, false); ok {
		t.Fatal("another root's page hit")
	}
	fill(0x30000, 0xc000) // replaces 0x10000, used before 0x20000
	if _, ok := r.find(0x1000, 0x10000, false); ok {
		t.Error("the row used less recently survived")
	}
	if _, ok := r.find(0x1000, 0x20000, false); !ok {
		t.Error("the row used last was replaced")
	}
	userGen.Add(1)
	if _, ok := r.find(0x1000, 0x30000, false); ok {
		t.Error("a row outlived a generation change")
	}
}
