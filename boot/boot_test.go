package boot

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"

	"sigil/arch"
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

// TestSMPLimit: nosmp and maxcpus=N as Linux reads them.
func TestSMPLimit(t *testing.T) {
	for _, c := range []struct {
		line  string
		limit int
		from  string
	}{
		{"", -1, ""},
		{"test=probe", -1, ""},
		{"nosmp", 0, "nosmp"},
		{"maxcpus=2", 2, "maxcpus=2"},
		{"maxcpus=0", 0, "maxcpus=0"},
		{"maxcpus=1", 1, "maxcpus=1"},
		{"maxcpus=0x10", 16, "maxcpus=0x10"},
		{"maxcpus=010", 8, "maxcpus=010"},
		{"maxcpus=3abc", 3, "maxcpus=3abc"},
		{"maxcpus=abc", -1, ""},
		{"maxcpus=", -1, ""},
		{"maxcpus=-1", -1, "maxcpus=-1"},
		{"maxcpus=0x", 0, "maxcpus=0x"}, // "0" then 'x': simple_strtol reads the 0
		{"nosmp maxcpus=4", 4, "maxcpus=4"},
		{"maxcpus=4 nosmp", 0, "nosmp"},
		{"maxcpusx=2 nosmpx", -1, ""},
		{"init=/bin/sh -- nosmp maxcpus=2", -1, ""},
	} {
		var words [16]string
		buf := make([]byte, len(c.line))
		limit, from := smpLimit(splitCmdline(c.line, buf, words[:0]))
		if limit != c.limit || from != c.from {
			t.Errorf("%q: limit %d from %q, want %d from %q", c.line, limit, from, c.limit, c.from)
		}
	}
}

// TestTrampoline decodes the APs' trampoline in the mode each stage runs
// in and checks its stages: the 16-bit code loads the GDT and sets CR0.PE,
// and its far jump lands on the 32-bit code at tramp32Off, in the 32-bit
// code segment; the 32-bit code loads CR4, CR3, EFER and CR0 from
// trampData, and its far jump lands on the 64-bit code at tramp64Off, in
// the kernel's code segment; the 64-bit code jumps to trampData's entry;
// and everything ends below trampData.
func TestTrampoline(t *testing.T) {
	code := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), trampolineAddr())), trampDataOff)
	type stage struct {
		mode, start, end int
		want             []string
	}
	data := func(off uintptr) string { return fmt.Sprintf("[%#x]", trampDataPA+off) }
	var d trampData
	stages := []stage{
		{16, 0, tramp32Off, []string{
			"cli",
			fmt.Sprintf("lgdt ptr [%#x]", trampDataOff+unsafe.Offsetof(d.gdtr)),
			"or eax, 0x1",
			"mov cr0, eax",
			fmt.Sprintf("jmp far %#x, %#x", trampolinePA+tramp32Off, trampCode32Sel),
		}},
		{32, tramp32Off, tramp64Off, []string{
			fmt.Sprintf("mov eax, %#x", arch.KernelDS),
			"mov eax, dword ptr " + data(unsafe.Offsetof(d.cr4)), "mov cr4, eax",
			"mov eax, dword ptr " + data(unsafe.Offsetof(d.cr3)), "mov cr3, eax",
			fmt.Sprintf("mov ecx, %#x", arch.MSR_EFER),
			"mov eax, dword ptr " + data(unsafe.Offsetof(d.efer)),
			"mov edx, dword ptr " + data(unsafe.Offsetof(d.efer)+4),
			"wrmsr",
			"mov eax, dword ptr " + data(unsafe.Offsetof(d.cr0)), "mov cr0, eax",
			fmt.Sprintf("jmp far %#x, %#x", trampolinePA+tramp64Off, arch.KernelCS),
		}},
		{64, tramp64Off, -1, []string{
			fmt.Sprintf("mov rax, %#x", trampDataPA+unsafe.Offsetof(d.entry)),
			"mov rax, qword ptr [rax]",
			"jmp rax",
		}},
	}
	for _, s := range stages {
		var ops []string
		pc := s.start
		for s.end < 0 || pc < s.end {
			inst, err := x86asm.Decode(code[pc:], s.mode)
			if err != nil {
				t.Fatalf("%d-bit stage: decode at +%#x: %v", s.mode, pc, err)
			}
			if inst.Op == x86asm.LGDT && inst.DataSize != 32 {
				t.Errorf("+%#x: lgdt with a %d-bit operand: the base would be cut to 24 bits", pc, inst.DataSize)
			}
			ops = append(ops, x86asm.IntelSyntax(inst, uint64(pc), nil))
			pc += inst.Len
			if inst.Op == x86asm.LJMP || inst.Op == x86asm.JMP {
				break
			}
		}
		if s.end >= 0 && pc != s.end {
			t.Errorf("%d-bit stage ends at +%#x, the next starts at +%#x", s.mode, pc, s.end)
		}
		if s.end < 0 && pc > trampDataOff {
			t.Errorf("the code ends at +%#x, past trampData at +%#x", pc, trampDataOff)
		}
		// Every wanted instruction, in order (others may come between).
		i := 0
		for _, op := range ops {
			if i < len(s.want) && op == s.want[i] {
				i++
			}
		}
		if i < len(s.want) {
			t.Errorf("%d-bit stage lacks %q (in order):\n%s", s.mode, s.want[i], strings.Join(ops, "\n"))
		}
		if last := ops[len(ops)-1]; last != s.want[len(s.want)-1] {
			t.Errorf("%d-bit stage ends with %q, want %q", s.mode, last, s.want[len(s.want)-1])
		}
	}
}
