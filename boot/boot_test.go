package boot

import (
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"
)

// TestPVHStub decodes the hand-encoded 32-bit entry in 32-bit mode and checks
// the instructions that matter: it must end in a far return after enabling
// PAE, loading CR3 with the boot PML4, setting EFER.LME and turning on
// paging.
func TestPVHStub(t *testing.T) {
	code := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), pvhEntryAddr())), 0x100)
	var ops []string
	var sawCR3, sawLME, sawPG, sawLGDT bool
	for pc := 0; pc < len(code); {
		inst, err := x86asm.Decode(code[pc:], 32)
		if err != nil {
			t.Fatalf("decode at +%#x: %v", pc, err)
		}
		s := x86asm.IntelSyntax(inst, uint64(pc), nil)
		ops = append(ops, s)
		switch {
		case s == "mov cr3, eax":
			sawCR3 = true
		case s == "or eax, 0x100":
			sawLME = true
		case s == "or eax, 0x80010001":
			sawPG = true
		case inst.Op == x86asm.LGDT:
			sawLGDT = true
		}
		pc += inst.Len
		if inst.Op == x86asm.LRET {
			break
		}
	}
	if ops[0] != "rdtsc" {
		t.Errorf("first instruction %q, want rdtsc (boot-time measurement)", ops[0])
	}
	if !sawCR3 || !sawLME || !sawPG || !sawLGDT {
		t.Errorf("stub lacks a step (cr3 %v, LME %v, PG %v, lgdt %v):\n%v", sawCR3, sawLME, sawPG, sawLGDT, ops)
	}
	if last := ops[len(ops)-1]; last != "ret far" {
		t.Errorf("stub ends with %q, want the far return into 64-bit code", last)
	}
}

func TestStartInfoLayout(t *testing.T) {
	var s startInfo
	if unsafe.Sizeof(s) != 56 || unsafe.Offsetof(s.MemmapPaddr) != 40 || unsafe.Offsetof(s.MemmapEntries) != 48 {
		t.Errorf("hvm_start_info layout: size %d memmap at %d entries at %d",
			unsafe.Sizeof(s), unsafe.Offsetof(s.MemmapPaddr), unsafe.Offsetof(s.MemmapEntries))
	}
	if unsafe.Sizeof(modlistEntry{}) != 32 || unsafe.Sizeof(MemoryRegion{}) != 24 {
		t.Error("modlist or memmap entry size")
	}
}

// TestSplitCmdline: the command line splits as Linux's next_arg does.
func TestSplitCmdline(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
	}{
		{`init=/bin/sh -- -c "echo hi"`, []string{"init=/bin/sh", "--", "-c", "echo hi"}},
		{`  a="b c"	d  `, []string{"a=b c", "d"}},
		{`"x y"z q`, []string{`x y"z`, "q"}},
		{`k="" e=`, []string{"k=", "e="}},
		{`"unterminated quote`, []string{"unterminated quote"}},
		{`a=b"c d"`, []string{`a=b"c d"`}},
		{``, nil},
	} {
		var words [8]string
		buf := make([]byte, len(c.line))
		got := splitCmdline(c.line, buf, words[:0])
		if len(got) != len(c.want) {
			t.Errorf("%q: %q, want %q", c.line, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: word %d = %q, want %q", c.line, i, got[i], c.want[i])
			}
		}
	}
}
