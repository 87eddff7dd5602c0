package irq

import (
	"bytes"
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"

	"sigil/arch"
)

// TestTrapFrameLayout pins the field order entry_amd64.s's pushes build
// (the offsets themselves reach the assembly through go_asm.h): the common
// path pushes RAX first and R15 last below the vector, error code and the
// CPU's five-quadword frame.
func TestTrapFrameLayout(t *testing.T) {
	var f TrapFrame
	want := []struct {
		name string
		got  uintptr
		off  uintptr
	}{
		{"R15", unsafe.Offsetof(f.R15), 0},
		{"R14", unsafe.Offsetof(f.R14), 8},
		{"R13", unsafe.Offsetof(f.R13), 16},
		{"R12", unsafe.Offsetof(f.R12), 24},
		{"R11", unsafe.Offsetof(f.R11), 32},
		{"R10", unsafe.Offsetof(f.R10), 40},
		{"R9", unsafe.Offsetof(f.R9), 48},
		{"R8", unsafe.Offsetof(f.R8), 56},
		{"RBP", unsafe.Offsetof(f.RBP), 64},
		{"RDI", unsafe.Offsetof(f.RDI), 72},
		{"RSI", unsafe.Offsetof(f.RSI), 80},
		{"RDX", unsafe.Offsetof(f.RDX), 88},
		{"RCX", unsafe.Offsetof(f.RCX), 96},
		{"RBX", unsafe.Offsetof(f.RBX), 104},
		{"RAX", unsafe.Offsetof(f.RAX), 112},
		{"Vector", unsafe.Offsetof(f.Vector), 120},
		{"ErrorCode", unsafe.Offsetof(f.ErrorCode), 128},
		{"RIP", unsafe.Offsetof(f.RIP), 136},
		{"CS", unsafe.Offsetof(f.CS), 144},
		{"RFLAGS", unsafe.Offsetof(f.RFLAGS), 152},
		{"RSP", unsafe.Offsetof(f.RSP), 160},
		{"SS", unsafe.Offsetof(f.SS), 168},
	}
	for _, w := range want {
		if w.got != w.off {
			t.Errorf("TrapFrame.%s at %d, entry stub expects %d", w.name, w.got, w.off)
		}
	}
	if s := unsafe.Sizeof(f); s != 176 {
		t.Errorf("TrapFrame is %d bytes, want 176 (22 quadwords)", s)
	}
	var c Context
	if unsafe.Offsetof(c.TF) != 512 || unsafe.Sizeof(c) != 688 {
		t.Errorf("Context: TF at %d size %d, want 512 and 688", unsafe.Offsetof(c.TF), unsafe.Sizeof(c))
	}
	// The FXSAVE image's layout is the manual's, not ours to choose.
	if fpMXCSR != 24 || fpXMM != 160 || fpXMMEnd != 416 {
		t.Error("SSE offsets in the FXSAVE image are MXCSR 24, XMM0 160 (SDM Vol. 1 Table 10-2)")
	}
	if sysretVector <= SyscallVector {
		t.Error("sysretVector must lie above every real vector and the syscall pseudo-vector")
	}
	// 22 quadwords after a 16-byte aligned start keep FXSAVE's area aligned.
	if (unsafe.Sizeof(f)+unsafe.Sizeof(c.FP))%16 != 0 {
		t.Error("Context size breaks FXSAVE alignment")
	}
}

// TestStubTable decodes all 256 vector stubs as linked into this test binary:
// each sits 16 bytes after the previous one, pushes a zero error code unless
// the CPU supplies one, pushes its vector, and jumps to the common path.
func TestStubTable(t *testing.T) {
	base := stubTableAddr()
	code := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), base)), 256*stubSize)
	var target uint64
	for v := 0; v < 256; v++ {
		pc := v * stubSize
		var pushes []int64
		for {
			inst, err := x86asm.Decode(code[pc:], 64)
			if err != nil {
				t.Fatalf("vector %d: decode at +%d: %v", v, pc-v*stubSize, err)
			}
			if inst.Op == x86asm.PUSH {
				pushes = append(pushes, int64(inst.Args[0].(x86asm.Imm)))
				pc += inst.Len
				continue
			}
			if inst.Op != x86asm.JMP {
				t.Fatalf("vector %d: unexpected %v", v, inst)
			}
			rel := int64(inst.Args[0].(x86asm.Rel))
			dst := uint64(int64(base) + int64(pc+inst.Len) + rel)
			if target == 0 {
				target = dst
			} else if dst != target {
				t.Errorf("vector %d jumps to %#x, others to %#x", v, dst, target)
			}
			pc += inst.Len
			break
		}
		if pc > (v+1)*stubSize {
			t.Fatalf("vector %d stub is %d bytes, longer than %d", v, pc-v*stubSize, stubSize)
		}
		want := []int64{0, int64(v)}
		if HasErrorCode(uint64(v)) {
			want = []int64{int64(v)}
		}
		if len(pushes) != len(want) || pushes[len(pushes)-1] != int64(v) || (len(want) == 2 && pushes[0] != 0) {
			t.Errorf("vector %d pushes %v, want %v", v, pushes, want)
		}
	}
}

// TestSysretSafe: SYSRETQ only where it returns exactly as IRETQ would.
func TestSysretSafe(t *testing.T) {
	ok := TrapFrame{CS: arch.UserCS, SS: arch.UserDS, RIP: 0x401000, RCX: 0x401000,
		RFLAGS: 0x246, R11: 0x246, RSP: 0x7fff0000}
	if !ok.sysretSafe() {
		t.Fatal("a plain system call frame should be SYSRET-safe")
	}
	for name, bad := range map[string]func(f *TrapFrame){
		"kernel CS":    func(f *TrapFrame) { f.CS = arch.KernelCS },
		"32-bit CS":    func(f *TrapFrame) { f.CS = arch.User32CS },
		"RCX != RIP":   func(f *TrapFrame) { f.RIP = 0x402000 }, // e.g. a signal handler's entry
		"R11 != flags": func(f *TrapFrame) { f.R11 = 0x202 },
		"TF":           func(f *TrapFrame) { f.RFLAGS |= arch.RFLAGS_TF; f.R11 = f.RFLAGS },
		"RF":           func(f *TrapFrame) { f.RFLAGS |= arch.RFLAGS_RF; f.R11 = f.RFLAGS },
		"hole":         func(f *TrapFrame) { f.RIP = 1 << 47; f.RCX = f.RIP },
		"last page":    func(f *TrapFrame) { f.RIP = 1<<47 - 8; f.RCX = f.RIP },
	} {
		f := ok
		bad(&f)
		if f.sysretSafe() {
			t.Errorf("%s: SYSRET-safe, want IRETQ", name)
		}
	}
}

// TestResetLiveFP runs the x87 reset on the host CPU (FNINIT, FLDZ and
// FXSAVE work at CPL 3) and checks that it leaves the x87 and MMX state a
// FXRSTOR of ResetFP's image leaves.
func TestResetLiveFP(t *testing.T) {
	var buf [3*512 + 16]byte
	pad := -uintptr(unsafe.Pointer(&buf)) & 15 // to 16-byte alignment
	img := func(i int) *FPState { return (*FPState)(unsafe.Add(unsafe.Pointer(&buf), pad+uintptr(i)*512)) }
	junk, got, want := img(0), img(1), img(2)
	x87Junk(junk)

	fxrstor(junk)
	initX87()
	fxsave(got)

	var c Context
	c.ResetFP()
	fxrstor(junk)
	fxrstor(&c.FP)
	fxsave(want)

	// The x87 part: FCW..FDP (0-23) and ST0-7 (32-159).
	if !bytes.Equal(got[:fpMXCSR], want[:fpMXCSR]) || !bytes.Equal(got[32:fpXMM], want[32:fpXMM]) {
		t.Errorf("x87 state after initX87\n% x\nwant\n% x", got[:fpXMM], want[:fpXMM])
	}
}

// x87Junk fills img with x87 state and zero SSE state (the host test's Go
// code runs between FXRSTOR and FXSAVE, and Go needs X15 zero and its
// MXCSR).
func x87Junk(img *FPState) {
	for i := range img {
		img[i] = byte(i*7 + 3)
	}
	img[4] = 0 // FTW: FXRSTOR takes the abridged byte
	copy(img[fpMXCSR:], []byte{0x80, 0x1f, 0, 0})
	clear(img[fpXMM:])
}

// TestSaveLoadFP runs SaveFP and LoadFPFrom on the host CPU: SaveFP's
// image is the CPU's x87 part and c's SSE part; LoadFPFrom loads the x87
// part and gives c the SSE part.
func TestSaveLoadFP(t *testing.T) {
	var buf [3*512 + 16]byte
	pad := -uintptr(unsafe.Pointer(&buf)) & 15
	img := func(i int) *FPState { return (*FPState)(unsafe.Add(unsafe.Pointer(&buf), pad+uintptr(i)*512)) }
	junk, ref, got := img(0), img(1), img(2)
	x87Junk(junk)
	fxrstor(junk)
	fxsave(ref) // the x87 part as FXSAVE reports it

	var cbuf, dbuf [unsafe.Sizeof(Context{}) + 16]byte
	at16 := func(b *[unsafe.Sizeof(Context{}) + 16]byte) *Context {
		// FXSAVE needs the image 16-byte aligned, as the entry frame has it.
		p := unsafe.Pointer(b)
		p = unsafe.Add(p, (-uintptr(p)-unsafe.Offsetof(Context{}.FP))&15)
		return (*Context)(p)
	}
	c, d := at16(&cbuf), at16(&dbuf)
	for i := fpXMM; i < fpXMMEnd; i++ {
		c.FP[i] = byte(i)
	}
	c.setMXCSR(0x1f00)
	for i := range got {
		got[i] = 0xee
	}
	fxrstor(junk)
	c.SaveFP(got)
	if !bytes.Equal(got[:fpMXCSR], ref[:fpMXCSR]) || !bytes.Equal(got[32:fpXMM], ref[32:fpXMM]) {
		t.Error("SaveFP: x87 part is not the CPU's")
	}
	if !bytes.Equal(got[fpMXCSR:fpMXCSR+4], c.FP[fpMXCSR:fpMXCSR+4]) || !bytes.Equal(got[fpXMM:fpXMMEnd], c.FP[fpXMM:fpXMMEnd]) {
		t.Error("SaveFP: SSE part is not c's")
	}
	if !bytes.Equal(got[fpXMMEnd:], make([]byte, 512-fpXMMEnd)) {
		t.Error("SaveFP: bytes 416-511 not zeroed")
	}

	d.ResetFP()
	for i := fpXMM; i < fpXMMEnd-16; i++ { // X15 stays zero for Go
		junk[i] = byte(i)
	}
	d.LoadFPFrom(junk)
	fxsave(got)
	if !bytes.Equal(got[:fpMXCSR], ref[:fpMXCSR]) || !bytes.Equal(got[32:fpXMM], ref[32:fpXMM]) {
		t.Error("LoadFPFrom: x87 part not loaded")
	}
	if !bytes.Equal(d.FP[fpMXCSR:fpMXCSR+4], junk[fpMXCSR:fpMXCSR+4]) || !bytes.Equal(d.FP[fpXMM:fpXMMEnd], junk[fpXMM:fpXMMEnd]) {
		t.Error("LoadFPFrom: c did not take the SSE part")
	}
	fxrstor(&d.FP) // leave the test with sane SSE registers
	initX87()
}
