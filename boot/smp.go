package boot

import (
	"unsafe"

	"sigil/apic"
	"sigil/arch"
	"sigil/clock"
	"sigil/console"
	"sigil/intr"
	"sigil/irq"
	"sigil/mm"
	"sigil/sched"
	"sigil/sysv"
)

// Bring-up of the application processors (APs), in boot0 after the boot
// CPU's interrupt controller is up: the CPUs come from the MADT
// (apic.EnumerateCPUs), nosmp and maxcpus=N limit how many start
// (smpLimit), and each is started in turn with INIT-SIPI-SIPI
// (apic.LAPIC.StartAP) through the real-mode trampoline
// (trampoline_amd64.s) into apMain, which gives it its GDT and TSS, the
// IDT, its per-CPU block, its local APIC and its timer, enters the
// scheduler and marks it online; then it idles with interrupts on
// (apEntry), taking threads from the run queue as the boot CPU does.
//
// One AP starts at a time: apStart and the trampoline page serve the one
// being started, and the boot CPU waits for it to come online (or gives
// up, and sends it INIT again so that it cannot come up later) before it
// starts the next.

// Implemented in trampoline_amd64.s.
func trampoline()
func apEntry()
func trampolineAddr() uintptr
func apEntryAddr() uintptr

const (
	// apStackSize is each AP's stack for apMain (the same rows of
	// irq's stacks serve its interrupts, once it takes any).
	apStackSize = 16 << 10
	// apStackGuard is where the fake g's stack guard sits above the
	// stack's bottom, as bootG's: room for nosplit chains below it.
	apStackGuard = 2048
	// apTimeoutNs bounds the wait for an AP to come online after its
	// STARTUP IPIs, as Linux's do_boot_cpu waits 10 s for a sign of
	// life: a loaded host may not run a TCG vCPU's thread for a while.
	apTimeoutNs = 10_000_000_000
	// mxcsrReset is MXCSR's value after reset (SDM Vol. 1 §11.6.4).
	mxcsrReset = 0x1f80
)

// apBoot is what apEntry reads for the AP being started. Guarded by the
// bring-up's order: startAP writes it before that AP's INIT-SIPI-SIPI and
// not again before the AP is online or has been sent INIT again; the AP
// writes apicID before it marks itself online (arch.CPU.SetOnline), after
// which startAP reads it.
type apBoot struct {
	sp     uint64 // top of the AP's stack
	fs     uint64 // FS base: &apTLS[id][1], so that FS:-8 holds &apG[id]
	id     int64  // the AP's row in arch's CPU blocks
	apicID uint64 // the ID the AP read from its own local APIC
}

var (
	apStart apBoot
	// Each AP's stack and the fake g describing it (stack.lo, stack.hi,
	// stackguard0, stackguard1) at FS:-8, as bootG and bootTLS for the
	// boot CPU. Row id is written by startAP before AP id starts and
	// used by that AP alone after. Row 0 (the boot CPU's) is unused.
	apStack [arch.MaxCPUs][apStackSize]byte
	apG     [arch.MaxCPUs][4]uintptr
	apTLS   [arch.MaxCPUs][2]uintptr
	// mxcsrInit is what apEntry loads into MXCSR. Read-only.
	mxcsrInit uint32 = mxcsrReset

	// The CPUs the MADT lists (row i is arch row i) and how many; set
	// by startAPs in boot0, read-only afterwards.
	cpuList [arch.MaxCPUs]apic.CPU
	nCPUs   int
)

// startAPs finds the CPUs and starts the APs the command line allows.
func startAPs() {
	bsp := arch.This()
	bsp.SetOnline()
	if !haveMADT || !apic.Present() {
		console.Puts("sigil: smp: no MADT or no local APIC: one CPU\n")
		nCPUs = 1
		arch.SetPossible(1)
		return
	}
	bsp.APICID = apic.Local.ID()
	n, listed := apic.EnumerateCPUs(&madt, bsp.APICID, cpuList[:], reportSkipped)
	nCPUs = n
	arch.SetPossible(n)
	if !listed {
		console.Puts("sigil: smp: the MADT does not list the boot CPU (apic ")
		console.PutDec(uint64(bsp.APICID))
		console.Puts(")\n")
	}
	for i := 1; i < n; i++ {
		arch.CPUAt(i).APICID = cpuList[i].APICID
	}
	var words [sysv.MaxWords / 2]string
	limit, limitWord := smpLimit(splitCmdline(unsafe.String(&info.Cmdline[0], info.CmdlineLen), scratchBuf[:], words[:0]))

	t0 := arch.RDTSC()
	online, failed, mapped := 1, 0, false
	for i := 1; i < n; i++ {
		c := &cpuList[i]
		switch {
		case c.OnlineCapable:
			cpuLine(i, c.APICID, "online capable, not enabled: not started (no ACPI hot-add)")
			continue
		case limit >= 0 && online >= limit:
			cpuLine(i, c.APICID, "not started: ")
			console.Puts(limitWord)
			console.Puts("\n")
			continue
		case !apic.Local.X2 && c.APICID > apic.MaxXAPICID:
			cpuLine(i, c.APICID, "not started: its APIC ID needs x2APIC mode\n")
			continue
		}
		if !mapped {
			if !installTrampoline() {
				break
			}
			mapped = true
		}
		if startAP(i, c.APICID) {
			online++
		} else {
			failed++
		}
	}
	if mapped {
		removeTrampolineMap()
	}
	console.Puts("sigil: smp: ")
	console.PutDec(uint64(online))
	console.Puts(" of ")
	console.PutDec(uint64(n))
	console.Puts(" CPUs online")
	if failed > 0 {
		console.Puts(", ")
		console.PutDec(uint64(failed))
		console.Puts(" failed")
	}
	if online > 1 {
		console.Puts(" in ")
		console.PutDec(uint64(clock.TSCToNanos(arch.RDTSC()-t0) / 1000))
		console.Puts(" us")
	}
	console.Puts("\n")
}

// reportSkipped prints a MADT processor entry that gives no CPU.
func reportSkipped(p apic.Processor, why apic.Skip) {
	if why == apic.SkipUnusable {
		return // ACPI: ignore the entry (QEMU lists its absent CPUs so)
	}
	console.Puts("sigil: smp: apic ")
	console.PutDec(uint64(p.APICID))
	console.Puts(" skipped: ")
	console.Puts(why.String())
	if why == apic.SkipBound {
		console.Puts(" (")
		console.PutDec(arch.MaxCPUs)
		console.Puts(")")
	}
	console.Puts("\n")
}

// cpuLine starts a console line about CPU row id.
func cpuLine(id int, apicID uint32, what string) {
	console.Puts("sigil: cpu ")
	console.PutDec(uint64(id))
	console.Puts(" (apic ")
	console.PutDec(uint64(apicID))
	console.Puts(") ")
	console.Puts(what)
}

// installTrampoline copies the trampoline to its page, fills trampData
// from this CPU's state, and identity-maps the first 2 MiB in the kernel's
// root (the mapping the trampoline runs on between CR0.PG and its jump
// to apEntry; executable, supervisor, not global).
func installTrampoline() bool {
	if !lowPageIsRAM(trampolinePA) {
		console.Puts("sigil: smp: the boot memory map has no RAM at the trampoline page: one CPU\n")
		return false
	}
	page := (*[mm.PageSize]byte)(mm.Phys(trampolinePA))
	*page = [mm.PageSize]byte{}
	code := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), trampolineAddr())), trampDataOff)
	copy(page[:trampDataOff], code)
	d := (*trampData)(unsafe.Pointer(&page[trampDataOff]))
	d.gdt = [4]uint64{0, descCode32, arch.DescKernelCode, arch.DescKernelData}
	gdtBase, gdtLimit := uint32(trampDataPA), uint16(len(d.gdt)*8-1)
	d.gdtr = [8]byte{byte(gdtLimit), byte(gdtLimit >> 8), byte(gdtBase), byte(gdtBase >> 8), byte(gdtBase >> 16), byte(gdtBase >> 24)}
	d.cr0 = arch.CR0()
	d.cr3 = mm.KernelRoot
	d.cr4 = arch.CR4()
	d.efer = arch.ReadMSR(arch.MSR_EFER) &^ arch.EFER_LMA
	d.entry = uint64(apEntryAddr())
	if d.cr0>>32 != 0 || d.cr3>>32 != 0 || d.cr4>>32 != 0 {
		// The 32-bit stage loads the low halves only.
		console.Puts("sigil: smp: CR0, CR3 or CR4 above 4 GiB: one CPU\n")
		return false
	}
	if !mm.MapLarge(mm.KernelRoot, 0, 0, largePageSize, 0) {
		console.Puts("sigil: smp: no memory for the trampoline's mapping: one CPU\n")
		return false
	}
	return true
}

// removeTrampolineMap undoes installTrampoline's identity mapping on
// every CPU: the flush of the kernel's root is a shootdown to the APs,
// which may cache it (it is not global).
func removeTrampolineMap() {
	if mm.SetRange(mm.KernelRoot, 0, largePageSize, 0, false).NeedFlush() {
		mm.Flush(mm.KernelRoot)
	}
}

// lowPageIsRAM reports whether the boot memory map calls the page at pa
// usable RAM.
func lowPageIsRAM(pa uint64) bool {
	for i := 0; i < info.NMemmap; i++ {
		r := &info.Memmap[i]
		if r.Type == MemoryRAM && r.Addr <= pa && pa+mm.PageSize <= r.Addr+r.Size {
			return true
		}
	}
	return false
}

// startAP starts the AP of row id and waits for it to come online.
func startAP(id int, apicID uint32) bool {
	lo := uintptr(unsafe.Pointer(&apStack[id][0]))
	hi := lo + apStackSize
	apG[id] = [4]uintptr{lo, hi, lo + apStackGuard, lo + apStackGuard}
	apTLS[id][0] = uintptr(unsafe.Pointer(&apG[id]))
	apStart = apBoot{sp: uint64(hi), fs: uint64(uintptr(unsafe.Pointer(&apTLS[id][1]))), id: int64(id)}

	c := arch.CPUAt(id)
	t0 := arch.RDTSC()
	esr, accepted := apic.Local.StartAP(apicID, trampolineVector)
	timeout := clock.TSCHz() * (apTimeoutNs / 1_000_000) / 1000
	for !c.Online() && arch.RDTSC()-t0 < timeout {
		arch.Pause()
	}
	if !c.Online() {
		apic.Local.StopAP(apicID)
		cpuLine(id, apicID, "did not come up within ")
		console.PutDec(apTimeoutNs / 1e6)
		console.Puts(" ms: skipped (")
		if !accepted {
			console.Puts("IPI not accepted, ")
		}
		console.Puts("ESR ")
		console.PutHex(uint64(esr))
		console.Puts(")\n")
		return false
	}
	us := clock.TSCToNanos(arch.RDTSC()-t0) / 1000
	cpuLine(id, apicID, "online in ")
	console.PutDec(uint64(us))
	console.Puts(" us")
	if uint32(apStart.apicID) != apicID {
		console.Puts(", but its local APIC says apic ")
		console.PutDec(apStart.apicID)
	}
	console.Puts("\n")
	return true
}

// apMain is the AP's first Go code, on its own stack with a fake g (no
// runtime: it must not allocate, block or grow its stack). It installs
// the AP's per-CPU block (GS), GDT and TSS (with the AP's IST stacks),
// the shared IDT and the SYSCALL MSRs, enables its local APIC and starts
// its timer, enters the scheduler's idle thread (sched.StartCPU), and
// marks it online; apEntry then idles with interrupts on. Interrupts
// stay off throughout apMain.
//
//go:nosplit
func apMain(id int) {
	c := arch.CPUAt(id)
	arch.InstallCPU(c, int32(id))
	c.LoadGDT()
	irq.InitCPU(c)
	irq.InitSyscall()
	c.SetRoot(mm.KernelRoot)
	apic.Local.EnableAP(intr.VecSpurious, intr.VecError)
	apStart.apicID = uint64(apic.Local.ID())
	intr.StartAPTimer()
	sched.StartCPU()
	c.SetOnline()
}
