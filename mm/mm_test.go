package mm

import (
	"testing"
	"unsafe"

	"sigil/arch"
)

// fakePhys gives the package size bytes of "physical memory" starting at
// physical address 0, with frames from 1 MiB up, and returns a fresh root.
func fakePhys(t *testing.T, size int) uint64 {
	t.Helper()
	buf := make([]byte, size+PageSize)
	skip := (PageSize - uintptr(unsafe.Pointer(&buf[0]))%PageSize) % PageSize
	SetDirectBase(unsafe.Pointer(&buf[skip]))
	t.Cleanup(func() { _ = buf[0]; ResetFrames() })
	ResetFrames()
	if !AddFree(1<<20, uint64(size)) || !InitMeta(uint64(size)) {
		t.Fatal("AddFree")
	}
	root, ok := AllocZeroed(KindKernel)
	if !ok {
		t.Fatal("no root")
	}
	return root
}

func TestFreeRanges(t *testing.T) {
	ram := []Range{{0, 0x9fc00}, {0x100000, 0x8000000}}
	res := []Range{{0, 0x200000}, {0x200000, 0x700123}, {0x7f00000, 0x7f01000}}
	out := make([]Range, 8)
	n := FreeRanges(ram, res, out)
	want := []Range{{0x701000, 0x7f00000}, {0x7f01000, 0x8000000}}
	if n != len(want) {
		t.Fatalf("got %v", out[:n])
	}
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("range %d = %#x, want %#x", i, out[i], want[i])
		}
	}
}

func TestFrameReuse(t *testing.T) {
	fakePhys(t, 2<<20)
	before := Stats()
	a, _ := AllocFrame(KindKernel)
	b, _ := AllocFrame(KindKernel)
	if a == b || a < 1<<20 {
		t.Fatalf("frames %#x %#x", a, b)
	}
	FreeFrame(a)
	if c, _ := AllocFrame(KindKernel); c != a {
		t.Errorf("freed frame %#x not reused (got %#x)", a, c)
	}
	FreeFrame(a)
	FreeFrame(b)
	if s := Stats(); s.InUse != before.InUse {
		t.Errorf("in use %d, want %d", s.InUse, before.InUse)
	}
	n := 0
	for {
		if _, ok := AllocFrame(KindKernel); !ok {
			break
		}
		n++
	}
	if uint64(n) != before.Free {
		t.Errorf("allocated %d frames before exhaustion, want %d", n, before.Free)
	}
}

func TestDemandZero(t *testing.T) {
	root := fakePhys(t, 8<<20)
	const va = ArenaBase + 0x40000000
	base := Stats().InUse
	// Commit 1 GiB + 8 KiB: the aligned gigabyte costs one entry.
	c := SetRange(root, va, va+1<<30+2*PageSize, Demand(PTEWrite|PTENX), false)
	if c.NoMemory || c.Unmapped != 0 {
		t.Fatalf("SetRange: %+v", c)
	}
	if used := Stats().InUse - base; used > 4 {
		t.Errorf("committing 1 GiB used %d table pages", used)
	}
	if _, _, ok := Lookup(root, va); ok {
		t.Fatal("page present before first touch")
	}
	addr := uintptr(va + 0x12345000)
	if ok, oom := Fault(root, addr, true, false); !ok || oom {
		t.Fatalf("Fault = %v %v", ok, oom)
	}
	pa, ok := Translate(root, addr+8)
	if !ok {
		t.Fatal("not mapped after fault")
	}
	p := (*uint64)(Phys(pa))
	if *p != 0 {
		t.Error("fresh page not zero")
	}
	*p = 42
	e, l, _ := Lookup(root, addr)
	if l != 1 || e&PTEWrite == 0 || e&PTENX == 0 || e&PTERef == 0 {
		t.Errorf("leaf %#x at level %d", e, l)
	}
	// Discard: the frame goes back and the page reads zero again.
	inUse := Stats().InUse
	if c := Discard(root, addr, addr+PageSize); c.Unmapped != 1 {
		t.Errorf("Discard unmapped %d", c.Unmapped)
	}
	// The page's frame goes, and so do its PT and PD, which hold one
	// marker throughout again: the 1 GiB marker is back.
	if got := Stats().InUse; got != inUse-3 {
		t.Errorf("Discard left %d frames in use, want %d (frame, PT and PD freed)", got, inUse-3)
	}
	if _, l := leaf(root, addr); l != 3 {
		t.Errorf("after Discard the walk ends at level %d, want the 1 GiB marker", l)
	}
	Fault(root, addr, false, false)
	pa, _ = Translate(root, addr+8)
	if *(*uint64)(Phys(pa)) != 0 {
		t.Error("discarded page not zero on next touch")
	}
	// Unmap everything: every data frame comes back, and every table that
	// no longer maps anything but the PDPT under the PML4 entry, and a
	// second cycle leaves the same.
	SetRange(root, va, va+1<<30+2*PageSize, 0, false)
	after := Stats().InUse
	if after != base+1 {
		t.Errorf("after unmap %d frames in use, want %d", after, base+1)
	}
	SetRange(root, va, va+1<<30+2*PageSize, Demand(PTEWrite), false)
	Fault(root, addr, true, false)
	SetRange(root, va, va+1<<30+2*PageSize, 0, false)
	if got := Stats().InUse; got != after {
		t.Errorf("second map/touch/unmap cycle: %d frames in use, want %d", got, after)
	}
	if ok, _ := Fault(root, addr, false, false); ok {
		t.Error("fault resolved in unmapped memory")
	}
}

func TestPermissions(t *testing.T) {
	root := fakePhys(t, 4<<20)
	const va = ArenaBase
	SetRange(root, va, va+16*PageSize, Demand(PTENX), false) // read-only
	if ok, _ := Fault(root, va, true, false); ok {
		t.Error("write fault resolved on read-only memory")
	}
	if ok, _ := Fault(root, va, false, true); ok {
		t.Error("user fault resolved on kernel memory")
	}
	if ok, _ := Fault(root, va, false, false); !ok {
		t.Error("read fault not resolved")
	}
	if ok, _ := Fault(root, va, true, false); ok {
		t.Error("write fault resolved on a present read-only page")
	}
	// Partial PROT_NONE over committed pages splits cleanly.
	SetRange(root, va+4*PageSize, va+8*PageSize, 0, false)
	for i := uintptr(0); i < 16; i++ {
		ok, _ := Fault(root, va+i*PageSize, false, false)
		want := i < 4 || i >= 8 // page 0, present already, allows the read: a spurious fault, resolved
		if ok != want {
			t.Errorf("page %d: fault resolved=%v, want %v", i, ok, want)
		}
	}
}

func TestOutOfMemory(t *testing.T) {
	root := fakePhys(t, (1<<20)+16*PageSize)
	const va = ArenaBase
	SetRange(root, va, va+64*PageSize, Demand(PTEWrite), false)
	var oom bool
	for i := uintptr(0); i < 64 && !oom; i++ {
		_, oom = Fault(root, va+i*PageSize, true, false)
	}
	if !oom {
		t.Error("no out-of-memory report")
	}
}

func TestMapLarge(t *testing.T) {
	root := fakePhys(t, 4<<20)
	if !MapLarge(root, DirectMapBase, 0, 8<<20, PTEWrite) {
		t.Fatal("MapLarge")
	}
	pa, ok := Translate(root, DirectMapBase+0x612345)
	if !ok || pa != 0x612345 {
		t.Errorf("Translate = %#x %v", pa, ok)
	}
}

func FuzzSetRange(f *testing.F) {
	f.Add(uint16(0), uint16(10), uint16(3), byte(1))
	f.Fuzz(func(t *testing.T, a, b, touch uint16, op byte) {
		root := fakePhys(t, 8<<20)
		const va = ArenaBase
		// Prime the tables above the range so only data frames move.
		SetRange(root, va, va+1024*PageSize, Demand(PTEWrite), false)
		Fault(root, va, true, false)
		Fault(root, va+1023*PageSize, true, false)
		SetRange(root, va, va+1024*PageSize, 0, false)
		base := Stats().InUse
		lo, hi := uintptr(a%1024), uintptr(b%1024)
		if lo > hi {
			lo, hi = hi, lo
		}
		SetRange(root, va, va+1024*PageSize, Demand(PTEWrite), false)
		for i := uintptr(0); i < uintptr(touch%64); i++ {
			Fault(root, va+(i*37%1024)*PageSize, true, false)
		}
		switch op % 3 {
		case 0:
			SetRange(root, va+lo*PageSize, va+hi*PageSize, 0, false)
		case 1:
			Discard(root, va+lo*PageSize, va+hi*PageSize)
		case 2:
			SetRange(root, va+lo*PageSize, va+hi*PageSize, Demand(PTEWrite), false)
		}
		for i := lo; i < hi; i++ {
			if _, _, ok := Lookup(root, va+i*PageSize); ok {
				t.Fatalf("page %d still present after op %d on [%d,%d)", i, op%3, lo, hi)
			}
		}
		SetRange(root, va, va+1024*PageSize, 0, false)
		if got := Stats().InUse; got != base {
			t.Fatalf("leaked %d frames", int64(got)-int64(base))
		}
	})
}

// userSpace builds a kernel root with a window PDPT and one user root.
func userSpace(t *testing.T) (kernel, user uint64) {
	t.Helper()
	kernel = fakePhys(t, 16<<20)
	KernelRoot = kernel
	if !MapLarge(kernel, WindowStart+0x3ec00000, 0x3ec00000, 4<<20, PTEWrite) || !PinKernelHalf(kernel) {
		t.Fatal("kernel set-up")
	}
	user, ok := NewUserRoot()
	if !ok {
		t.Fatal("NewUserRoot")
	}
	return
}

// in and out copy all of b or report false.
func in(root uint64, b []byte, va uintptr) bool  { return CopyIn(root, b, va) == len(b) }
func out(root uint64, va uintptr, b []byte) bool { return CopyOut(root, va, b) == len(b) }

func TestUserSpace(t *testing.T) {
	kernel, user := userSpace(t)
	k, u := table(kernel), table(user)
	for i := 256; i < 512; i++ {
		if k[i] == 0 || u[i] != k[i] {
			t.Fatalf("kernel entry %d not shared", i)
		}
	}
	if table(u[0])[3] != table(k[0])[3] || table(u[0])[3]&PTEUser != 0 {
		t.Error("window slot not shared supervisor-only")
	}
	base := Stats().InUse
	const va = 0x400000
	SetRange(user, va, va+16*PageSize, Demand(PTEWrite|PTEUser|PTENX), true)
	if !out(user, va+PageSize-3, []byte("hello, world")) {
		t.Fatal("CopyOut across a page boundary")
	}
	got := make([]byte, 12)
	if !in(user, got, va+PageSize-3) || string(got) != "hello, world" {
		t.Fatalf("CopyIn = %q", got)
	}
	// A word across the page boundary, little-endian as the CPU has it.
	if !WriteUint64IRQ(arch.This(), user, va+PageSize-4, 0x0102030405060708) {
		t.Fatal("WriteUint64IRQ across a page boundary")
	}
	if v, ok := ReadUint64IRQ(arch.This(), user, va+PageSize-4); !ok || v != 0x0102030405060708 {
		t.Errorf("ReadUint64IRQ = %#x, %v", v, ok)
	}
	if !in(user, got[:8], va+PageSize-4) || string(got[:8]) != "\x08\x07\x06\x05\x04\x03\x02\x01" {
		t.Errorf("the word's bytes: % x", got[:8])
	}
	if !out(user, va+PageSize-3, []byte("hello, world")) {
		t.Fatal("CopyOut across a page boundary")
	}
	for _, bad := range []uintptr{0, va + 16*PageSize, WindowStart + 0x3ee00000, DirectMapBase, 1 << 47} {
		if in(user, got[:1], bad) || out(user, bad, got[:1]) {
			t.Errorf("access to %#x allowed", bad)
		}
		if _, ok := ReadUint64IRQ(arch.This(), user, bad); ok || WriteUint64IRQ(arch.This(), user, bad, 1) {
			t.Errorf("word access to %#x allowed", bad)
		}
	}
	// A copy stops where the tables cannot serve it, and says how far
	// it got.
	if n := CopyIn(user, make([]byte, 2*PageSize), va+15*PageSize); n != PageSize {
		t.Errorf("CopyIn across the end of the mapping copied %d bytes, want %d", n, PageSize)
	}
	// userFrame caches its last translation: unmapping, discarding and
	// write-protecting must forget it. Each check first caches the page.
	in(user, got[:1], va+2*PageSize)
	SetRange(user, va+2*PageSize, va+3*PageSize, 0, true)
	if in(user, got[:1], va+2*PageSize) {
		t.Error("read of an unmapped page allowed (stale translation)")
	}
	out(user, va+3*PageSize, []byte{7})
	SetRange(user, va+3*PageSize, va+4*PageSize, Demand(PTEWrite|PTEUser|PTENX), true)
	out(user, va+3*PageSize, []byte{9}) // must materialise a new page
	if _, ok := Translate(user, va+3*PageSize); !ok {
		t.Error("write to a discarded page went to its freed frame (stale translation)")
	}
	// Read-only pages refuse writes; PROT_NONE pages refuse everything
	// but keep their contents.
	out(user, va, []byte{1})
	Protect(user, va, va+PageSize, PTEUser|PTENX, true)
	if out(user, va, []byte{1}) {
		t.Error("write to a read-only page allowed")
	}
	if !in(user, got[:1], va) {
		t.Error("read of a read-only page refused")
	}
	Protect(user, va, va+PageSize, 0, true)
	if in(user, got[:1], va) {
		t.Error("read of a PROT_NONE page allowed")
	}
	Protect(user, va, va+PageSize, PTEUser|PTEWrite|PTENX, true)
	if !in(user, got[:1], va) || got[0] != 1 {
		t.Errorf("after PROT_NONE and back the page holds %d, want 1", got[0])
	}
	// Fork shares frames copy-on-write; the first write copies.
	child, _ := NewUserRoot()
	if c := Share(child, user, va, va+16*PageSize, true); c.NoMemory || c.Unmapped == 0 {
		t.Fatalf("Share = %+v", c)
	}
	pa1, _ := Translate(user, va+PageSize)
	pa2, _ := Translate(child, va+PageSize)
	if pa1 != pa2 || Refs(pa1) != 2 {
		t.Fatalf("after fork frames %#x %#x, %d references", pa1, pa2, Refs(pa1))
	}
	if !in(child, got, va+PageSize-3) || string(got) != "hello, world" {
		t.Errorf("child sees %q", got)
	}
	if !out(child, va+PageSize, []byte("J")) {
		t.Fatal("child write")
	}
	pa2, _ = Translate(child, va+PageSize)
	if pa1 == pa2 || Refs(pa1) != 1 {
		t.Errorf("child write did not copy: frames %#x %#x", pa1, pa2)
	}
	in(user, got, va+PageSize-3)
	if string(got) != "hello, world" {
		t.Errorf("parent sees %q after the child's write", got)
	}
	// The parent's next write keeps its frame: it holds the only reference.
	if !out(user, va+PageSize, []byte("j")) {
		t.Fatal("parent write")
	}
	if pa, _ := Translate(user, va+PageSize); pa != pa1 {
		t.Errorf("parent's write copied a frame it alone held")
	}
	FreeRoot(child)
	in(user, got[:1], va) // cached, then the space goes away
	FreeRoot(user)
	if again, _ := NewUserRoot(); in(again, got[:1], va) {
		t.Errorf("read through a destroyed space's translation (root %#x, then %#x)", user, again)
	} else {
		FreeRoot(again)
	}
	if table(k[0])[3] == 0 {
		t.Error("destroying a process freed the shared window")
	}
	if got := Stats().InUse; got != base-2 {
		t.Errorf("%d frames in use after destroying both spaces, want %d", got, base-2)
	}
}

// TestProtectSplitsMarkers: mprotect of one page inside a 2 MiB
// demand-zero marker splits the marker, changes that page only, and skips
// the unmapped holes of the range.
func TestProtectSplitsMarkers(t *testing.T) {
	_, user := userSpace(t)
	const va = 0x40000000 // 1 GiB: 2 MiB aligned
	SetRange(user, va, va+2<<20, Demand(PTEWrite|PTEUser|PTENX), true)
	if _, l := leaf(user, va); l != 2 {
		t.Fatalf("set-up: marker at level %d, want a 2 MiB one", l)
	}
	mid := uintptr(va + 5*PageSize)
	changed, ok := Protect(user, mid, mid+PageSize, PTEUser|PTENX, true)
	if !ok || changed {
		t.Fatalf("Protect = changed %v ok %v, want a split of markers only", changed, ok)
	}
	if out(user, mid, []byte{1}) {
		t.Error("write to the protected page allowed")
	}
	if !out(user, mid-PageSize, []byte{1}) || !out(user, mid+PageSize, []byte{1}) {
		t.Error("neighbours lost their write permission")
	}
	// A range over an unmapped hole leaves the hole unmapped.
	if _, ok := Protect(user, va+2<<20-PageSize, va+2<<20+PageSize, PTEUser|PTENX, true); !ok {
		t.Fatal("Protect across the end of the mapping")
	}
	if _, _, ok := Lookup(user, va+2<<20); ok || in(user, make([]byte, 1), va+2<<20) {
		t.Error("the hole after the mapping became accessible")
	}
	FreeRoot(user)
}
