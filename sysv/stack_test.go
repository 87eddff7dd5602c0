package sysv

import (
	"encoding/binary"
	"testing"
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
	sp, areas := BuildStack(buf, base, argv, envp, auxv, rnd)
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
	// The strings lie as Linux lays them: argv's in order, then envp's.
	if got := string(buf[areas.ArgStart-base : areas.ArgEnd-base]); got != "sigil\x00test=runtime\x00irq=pic\x00" {
		t.Errorf("argument area %q", got)
	}
	if got := string(buf[areas.EnvStart-base : areas.EnvEnd-base]); got != "GODEBUG=asyncpreemptoff=1\x00" {
		t.Errorf("environment area %q", got)
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
	if small, _ := BuildStack(make([]byte, 64), base, argv, envp, auxv, rnd); small != 0 {
		t.Error("overflow not detected")
	}
}
