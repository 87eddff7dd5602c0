// Package boot takes the machine from QEMU's PVH entry to the Go runtime's
// own entry point: long mode and the first page tables (pvh_amd64.s), then,
// in boot0, the GDT and TSS, the IDT and SYSCALL, physical memory and the
// direct map, the clock, the periodic tick, the scheduler, and finally the
// initial stack (argc, argv, envp, auxv) the runtime starts from.
//
// boot0 runs before the runtime exists: it must not allocate, and it calls
// only functions that need nothing from the runtime. Its stack-check
// prologues are satisfied by bootG, which describes the boot stack.
package boot

import (
	"strconv"
	"unsafe"

	"sigil/apic"
	"sigil/arch"
	"sigil/clock"
	"sigil/console"
	"sigil/intr"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/sched"
	"sigil/sys"
	"sigil/sysv"
	"sigil/tick"
	"sigil/trap"
)

// Implemented in pvh_amd64.s.
func pvhEntry()
func entry64()
func imageEnd() uintptr
func pvhEntryAddr() uintptr

const (
	bootStackSize = 64 << 10
	mainStackSize = 256 << 10

	// Physical layout fixed by pvh_amd64.s.
	bootPML4 = 0x100000
	// bootTablesEnd ends the page tables pvh_amd64.s built, which stay
	// in use: the PML4 is the kernel's root, and the others map the
	// kernel image and the direct map's first GiB. (The temporary GDT
	// and stack after them are done with once boot0 loads the GDT.)
	bootTablesEnd = bootPML4 + 4*mm.PageSize
	// lowReserve is kept from the allocator as Linux keeps it
	// (CONFIG_X86_RESERVE_LOW): firmware has been known to write there.
	lowReserve = 64 << 10
	// imageBase is where the kernel image is loaded (KernelBase + 2 MiB).
	imageBase = 2 << 20
	firstGiB  = 1 << 30

	// TickHz is the scheduler tick rate.
	TickHz = 1000
)

var (
	bootStack [bootStackSize]byte
	mainStack [mainStackSize]byte
	bootG     [4]uintptr // see pvh_amd64.s
	bootTLS   [2]uintptr // [0] = g for FS:-8, FS base = &bootTLS[1]

	info     Info
	entryTSC uint64
	irqCfg   intr.Config
	madt     apic.MADT
	haveMADT bool
)

// Boot facts for the kernel's main.

// EntryTSC is the TSC at the kernel's first instruction.
func EntryTSC() uint64 { return entryTSC }

// BootInfo returns what the boot loader passed.
func BootInfo() *Info { return &info }

// Interrupts returns how the interrupt controllers were set up.
func Interrupts() intr.Config { return irqCfg }

// ACPIMADT returns the parsed MADT, if the firmware had one.
func ACPIMADT() (apic.MADT, bool) { return madt, haveMADT }

// boot0 is called by entry64 with the start_info address and the TSC at the
// first instruction. It returns the stack pointer to start the runtime on.
func boot0(startInfoPA, tsc uint64) uintptr {
	entryTSC = tsc
	console.Init()

	cpu := arch.Boot()
	arch.InstallCPU(cpu, 0)
	cpu.LoadGDT()
	irq.Init(cpu)
	trap.Install() // exceptions and the system-call vector
	enableFeatures()

	if !readStartInfo(startInfoPA) {
		halt("sigil: no valid PVH start_info; boot with qemu-system-x86_64 -kernel\n")
	}
	setConsoleLevel()
	console.Puts("<6>sigil: Sigil booting (PVH entry)\n")
	setupMemory()
	clock.Init()

	irq.InitSyscall()
	sched.InitIdle()

	setupInterrupts()
	startAPs()
	sched.SetTickRate(irqCfg.TickHz)
	return initialStack()
}

// setupInterrupts finds the MADT, maps the APIC register window and starts
// the controller the command line asks for (irq=pic|apic, timer=periodic|
// oneshot|deadline), APIC by default.
func setupInterrupts() {
	if info.RSDP != 0 {
		if b, ok := apic.FindMADT(info.RSDP, physBytes); ok {
			madt, haveMADT = apic.ParseMADT(b)
		}
	}
	ok := mm.MapLarge(mm.KernelRoot, apic.WindowBase, apic.WindowBase, apic.WindowEnd-apic.WindowBase,
		mm.PTEWrite|mm.PTEPCD|mm.PTEPWT|mm.NX|mm.PTEGlobal)
	if !ok {
		halt("sigil: out of memory mapping the APIC window\n")
	}
	want := intr.APIC
	if cmdlineValue("irq") == "pic" {
		want = intr.PIC
	}
	timer := tick.Auto
	switch cmdlineValue("timer") {
	case "periodic":
		timer = tick.Periodic
	case "oneshot":
		timer = tick.OneShot
	case "deadline":
		timer = tick.Deadline
	}
	var m *apic.MADT
	if haveMADT {
		m = &madt
	}
	irqCfg = intr.Init(want, timer, m, TickHz)
}

func physBytes(pa uint64, n int) []byte { return unsafe.Slice((*byte)(mm.Phys(pa)), n) }

// cmdlineValue returns the value of key=value on the command line (the
// kernel's part, before "--"), without allocating.
func cmdlineValue(key string) string {
	var words [sysv.MaxWords / 2]string
	for _, word := range splitCmdline(unsafe.String(&info.Cmdline[0], info.CmdlineLen), scratchBuf[:], words[:0]) {
		if word == "--" {
			break
		}
		if len(word) > len(key) && word[len(key)] == '=' && word[:len(key)] == key {
			return word[len(key)+1:]
		}
	}
	return ""
}

// argBuf holds the runtime's argv words; scratchBuf the words of a
// lookup, each only until the next.
var argBuf, scratchBuf [maxCmdline]byte

var limitBuf [40]byte

// envVar formats name followed by v in decimal into buf, without
// allocating (boot0 runs before the runtime).
func envVar(buf []byte, name string, v uint64) string {
	b := strconv.AppendUint(append(buf[:0], name...), v, 10) // within buf's capacity: no allocation
	return unsafe.String(&b[0], len(b))
}

func halt(msg string) {
	console.Puts(msg)
	for {
		arch.DisableInterrupts()
		arch.Halt()
	}
}

// enableFeatures turns on what the page tables and the runtime rely on:
// execute-disable (CPUID.80000001H:EDX[20], EFER.NXE, SDM Vol. 3A §4.1.4),
// write protection in ring 0 (CR0.WP) and global pages (CR4.PGE). AVX stays
// off (CR4.OSXSAVE clear), so the runtime keeps to SSE and FXSAVE covers the
// whole register state.
func enableFeatures() {
	// WP: ring 0 honours read-only pages. AM: user code that sets
	// RFLAGS.AC gets #AC on misaligned accesses, as on Linux.
	arch.SetCR0(arch.CR0() | arch.CR0_WP | arch.CR0_AM)
	arch.SetCR4(arch.CR4() | arch.CR4_PGE)
	if _, _, _, d := arch.CPUID(0x80000001, 0); d&(1<<20) != 0 {
		arch.WriteMSR(arch.MSR_EFER, arch.ReadMSR(arch.MSR_EFER)|arch.EFER_NXE)
	} else {
		mm.NX = 0
	}
	if _, _, c, _ := arch.CPUID(1, 0); c&(1<<30) != 0 {
		sys.HaveRDRAND = true
	}
	// SMEP and SMAP (CPUID.07H:EBX[7] and [20], SDM Vol. 3A §4.6): the
	// kernel never runs user pages, and reaches user memory only through
	// the direct map, so both can be on whenever the CPU has them.
	if max, _, _, _ := arch.CPUID(0, 0); max >= 7 {
		_, b, _, _ := arch.CPUID(7, 0)
		cr4 := arch.CR4()
		if b&(1<<7) != 0 {
			cr4 |= arch.CR4_SMEP
		}
		if b&(1<<20) != 0 {
			cr4 |= arch.CR4_SMAP
		}
		arch.SetCR4(cr4)
	}
}

// readStartInfo copies the command line, memory map and first module (the
// initrd) out of the loader's memory, which the direct map's first GiB
// covers.
func readStartInfo(pa uint64) bool {
	if pa == 0 || pa >= firstGiB {
		return false
	}
	si := (*startInfo)(mm.Phys(pa))
	if si.Magic != startInfoMagic {
		return false
	}
	if si.CmdlinePaddr != 0 {
		src := (*[maxCmdline]byte)(mm.Phys(si.CmdlinePaddr))
		for info.CmdlineLen < maxCmdline-1 && src[info.CmdlineLen] != 0 {
			info.Cmdline[info.CmdlineLen] = src[info.CmdlineLen]
			info.CmdlineLen++
		}
	}
	if si.Version >= 1 && si.MemmapPaddr != 0 {
		n := int(si.MemmapEntries)
		if n > maxMemmap {
			n = maxMemmap
		}
		src := (*[maxMemmap]MemoryRegion)(mm.Phys(si.MemmapPaddr))
		for i := 0; i < n; i++ {
			info.Memmap[i] = src[i]
		}
		info.NMemmap = n
	}
	if si.NrModules > 0 && si.ModlistPaddr != 0 {
		m := (*modlistEntry)(mm.Phys(si.ModlistPaddr))
		info.InitrdAddr, info.InitrdSize = m.Paddr, m.Size
	}
	info.RSDP = si.RsdpPaddr
	return info.NMemmap > 0
}

// setupMemory feeds the frame allocator with RAM minus what is in use,
// extends the direct map over all RAM and removes the identity map, so a nil
// pointer in the kernel faults instead of reading physical page 0.
func setupMemory() {
	var ram, free [maxMemmap]mm.Range
	nram := 0
	var top uint64
	for i := 0; i < info.NMemmap; i++ {
		r := &info.Memmap[i]
		if r.Type == MemoryRAM {
			ram[nram] = mm.Range{Start: r.Addr, End: r.Addr + r.Size}
			nram++
			if r.Addr+r.Size > top {
				top = r.Addr + r.Size
			}
		}
	}
	mm.MachineRAM = top
	imageEndPA := uint64(imageEnd()) - mm.KernelBase
	reserved := [...]mm.Range{
		{Start: 0, End: lowReserve},
		{Start: trampolinePA, End: trampolinePA + mm.PageSize}, // the APs' trampoline (smp.go)
		{Start: bootPML4, End: bootTablesEnd},
		{Start: imageBase, End: imageEndPA},
		{Start: info.InitrdAddr, End: info.InitrdAddr + info.InitrdSize},
	}
	nfree := mm.FreeRanges(ram[:nram], reserved[:], free[:])
	for _, r := range free[:nfree] {
		if r.Start < firstGiB && !mm.AddFree(r.Start, min(r.End, firstGiB)) {
			break
		}
	}
	// Every frame's word of metadata, before the first allocation.
	if !mm.InitMeta(top) {
		halt("sigil: no room for the frame table\n")
	}
	// Frames above the first GiB become reachable once the direct map
	// covers them, and the tables to cover them come from below it.
	mm.KernelRoot = bootPML4
	const large = 2 << 20
	if top > firstGiB {
		size := (top - firstGiB + large - 1) &^ (large - 1)
		ok := mm.MapLarge(mm.KernelRoot, mm.DirectMapBase+firstGiB, firstGiB, size, mm.PTEWrite|mm.NX|mm.PTEGlobal)
		if !ok {
			halt("sigil: out of memory building the direct map\n")
		}
	}
	for _, r := range free[:nfree] {
		if r.End > firstGiB {
			mm.AddFree(max(r.Start, firstGiB), r.End)
		}
	}
	mm.AddUsed(info.InitrdAddr, info.InitrdAddr+info.InitrdSize, mm.KindCache)
	mm.SetReserve(mm.ReserveFrames(mm.Stats().Total))
	pml4 := (*mm.Table)(mm.Phys(bootPML4))
	pml4[0] = 0
	if !mm.PinKernelHalf(bootPML4) {
		halt("sigil: out of memory pinning the kernel half\n")
	}
	arch.SetCR3(bootPML4)
	arch.This().SetRoot(bootPML4)
}

// initialStack builds argc/argv/envp/auxv on the main stack. argv is
// "sigil" followed by the command line's words; the environment turns off
// the runtime's signal-based asynchronous preemption until signals can be
// delivered to the kernel's own threads, and gives the runtime its memory
// limit (mm.KernelLimit).
func initialStack() uintptr {
	var words [sysv.MaxWords / 2]string
	argv := words[:0]
	argv = append(argv, "sigil")
	argv = splitCmdline(unsafe.String(&info.Cmdline[0], info.CmdlineLen), argBuf[:], argv)
	st := mm.Stats()
	envp := [...]string{"GODEBUG=asyncpreemptoff=1", envVar(limitBuf[:], "GOMEMLIMIT=", mm.KernelLimit(st.Total, st.Free, 0))}
	_, _, _, hwcap := arch.CPUID(1, 0)
	auxv := [...]sysv.Aux{
		{Type: linux.AT_PAGESZ, Val: mm.PageSize},
		{Type: linux.AT_CLKTCK, Val: 100},
		{Type: linux.AT_HWCAP, Val: uint64(hwcap)},
		{Type: linux.AT_UID}, {Type: linux.AT_EUID}, {Type: linux.AT_GID}, {Type: linux.AT_EGID},
		{Type: linux.AT_SECURE},
		{Type: linux.AT_PLATFORM, Str: "x86_64"},
		{Type: linux.AT_EXECFN, Str: "/sigil"},
	}
	var random [16]byte
	sys.Fill(random[:])
	sp, _ := sysv.BuildStack(mainStack[:], uint64(uintptr(unsafe.Pointer(&mainStack[0]))), argv, envp[:], auxv[:], random)
	if sp == 0 {
		halt("sigil: initial stack overflow\n")
	}
	return uintptr(sp)
}
