package boot

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"
)

// TestBuildStack lays out a stack at a fake address and reads it back the
// way the runtime's rt0 and sysargs do.
func TestBuildStack(t *testing.T) {
	buf := make([]byte, 4096)
	const base = 0x7000_0000
	argv := []string{"sigil", "test=runtime", "irq=pic"}
	envp := []string{"GODEBUG=asyncpreemptoff=1"}
	auxv := []Aux{{Type: 6, Val: 4096}, {Type: 15, Str: "x86_64"}}
	rnd := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sp := buildStack(buf, base, argv, envp, auxv, rnd)
	if sp == 0 || sp%16 != 0 {
		t.Fatalf("sp %#x: want non-zero, 16-byte aligned", sp)
	}
	word := func(a uint64) uint64 { return binary.LittleEndian.Uint64(buf[a-base:]) }
	str := func(a uint64) string {
		i := a - base
		j := i
		for buf[j] != 0 {
			j++
		}
		return string(buf[i:j])
	}
	p := sp
	if argc := word(p); argc != 3 {
		t.Fatalf("argc %d", argc)
	}
	p += 8
	for i, want := range argv {
		if got := str(word(p)); got != want {
			t.Errorf("argv[%d] = %q, want %q", i, got, want)
		}
		p += 8
	}
	if word(p) != 0 {
		t.Fatal("argv not NULL-terminated")
	}
	p += 8
	if got := str(word(p)); got != envp[0] {
		t.Errorf("envp[0] = %q", got)
	}
	p += 16 // envp[0] and its NULL
	aux := map[uint64]uint64{}
	for {
		typ, val := word(p), word(p+8)
		p += 16
		if typ == 0 {
			break
		}
		aux[typ] = val
	}
	if aux[6] != 4096 || str(aux[15]) != "x86_64" {
		t.Errorf("auxv %v", aux)
	}
	r := aux[25] // AT_RANDOM
	if r == 0 || [16]byte(buf[r-base:r-base+16]) != rnd {
		t.Error("AT_RANDOM bytes wrong")
	}
	if small := buildStack(make([]byte, 64), base, argv, envp, auxv, rnd); small != 0 {
		t.Error("overflow not detected")
	}
}

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
