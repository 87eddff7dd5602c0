package task

import (
	"fmt"
	"strings"
	"sync/atomic"

	"sigil/arch"
	"sigil/clock"
	"sigil/intr"
	"sigil/irq"
	"sigil/sched"
)

// Kernel-wide counters /proc/stat reports.
var (
	forks atomic.Int64 // processes made since boot (processes)
)

// statFile is /proc/stat (fs/proc/stat.c): the time of all CPUs and of
// each online one, in USER_HZ ticks, as each CPU's timer charged it
// (sched.TimeOf), the interrupts per line, the boot time and the forks.
func statFile() string {
	up := clock.Nanotime()
	var all sched.CPUTime
	var each strings.Builder
	online := arch.OnlineMask()
	for id := range arch.MaxCPUs {
		if !online.Has(id) {
			continue
		}
		t := sched.TimeOf(id, up)
		all.User, all.System, all.Idle = all.User+t.User, all.System+t.System, all.Idle+t.Idle
		fmt.Fprintf(&each, "cpu%d %s", id, statTimes(t))
	}
	var b strings.Builder
	b.WriteString("cpu  " + statTimes(all) + each.String())
	var counts [nrIRQs]uint64
	fmt.Fprintf(&b, "intr %d", intrTotal(&counts))
	for _, n := range counts {
		fmt.Fprintf(&b, " %d", n)
	}
	running := 0
	for _, p := range All() {
		if p.Info().State == 'R' {
			running++
		}
	}
	fmt.Fprintf(&b, "\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		(clock.Realtime()-clock.Nanotime())/1e9, forks.Load(), max(running, 1))
	b.WriteString("softirq 0 0 0 0 0 0 0 0 0 0 0\n")
	return b.String()
}

// statTimes is a cpu line's figures: user, nice, system, idle, iowait,
// irq, softirq, steal, guest and guest_nice, in USER_HZ ticks.
func statTimes(t sched.CPUTime) string {
	tick := int64(1e9 / userHZ)
	return fmt.Sprintf("%d 0 %d %d 0 0 0 0 0 0\n", t.User/tick, t.System/tick, t.Idle/tick)
}

// nrIRQs is how many IRQ numbers the intr line of /proc/stat counts:
// Linux prints one per IRQ number below nr_irqs, which is 256 for Linux
// 6.1 on one CPU in the same QEMU machine.
const nrIRQs = 256

// intrTotal fills counts with each ISA line's interrupts (a line disabled
// as a storm included) and returns the intr line's total: those, plus
// what x86's arch_irq_stat_cpu and arch_irq_stat add, the local APIC's
// timer, spurious and error interrupts and NMIs.
func intrTotal(counts *[nrIRQs]uint64) uint64 {
	var total uint64
	for _, l := range intr.Lines() {
		n := irq.Stats(l.Vector).Count
		counts[l.IRQ] += n
		total += n
	}
	return total + irq.Stats(intr.VecTimer).Count + irq.SpuriousCount(irq.SpuriousLAPIC) +
		irq.Stats(intr.VecError).Count + irq.Stats(irq.VecNMI).Count
}

// cpuFlags name CPUID feature bits as /proc/cpuinfo lists them
// (arch/x86/include/asm/cpufeatures.h), leaf by leaf.
var cpuFlags = []struct {
	leaf, sub uint32
	reg       int // 1 EBX, 2 ECX, 3 EDX
	names     [32]string
}{
	{1, 0, 3, [32]string{"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr", "pge", "mca", "cmov",
		"pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"}},
	{0x80000001, 0, 3, [32]string{11: "syscall", 19: "mp", 20: "nx", 22: "mmxext", 25: "fxsr_opt", 26: "pdpe1gb", 27: "rdtscp", 29: "lm", 30: "3dnowext", 31: "3dnow"}},
	{1, 0, 2, [32]string{"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
		"", "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "", "avx", "f16c", "rdrand", "hypervisor"}},
	{0x80000001, 0, 2, [32]string{"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", 15: "lwp", 16: "fma4", 21: "tbm", 22: "topoext"}},
	{7, 0, 1, [32]string{"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", "", "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", "", "mpx", "rdt_a",
		"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "", "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl"}},
}

// cpuinfo is /proc/cpuinfo (arch/x86/kernel/cpu/proc.c), a stanza per
// online CPU, from the boot CPU's CPUID (the CPUs are alike in QEMU).
func cpuinfo() string {
	maxLeaf, b0, c0, d0 := arch.CPUID(0, 0)
	vendor := string(le32(b0) + le32(d0) + le32(c0))
	a1, b1, _, _ := arch.CPUID(1, 0)
	family, model, stepping := a1>>8&0xf, a1>>4&0xf, a1&0xf
	if family == 0xf {
		family += a1 >> 20 & 0xff
	}
	if family >= 6 {
		model |= a1 >> 12 & 0xf0
	}
	var name string
	if maxExt, _, _, _ := arch.CPUID(0x80000000, 0); maxExt >= 0x80000004 {
		for l := uint32(0x80000002); l <= 0x80000004; l++ {
			a, b, c, d := arch.CPUID(l, 0)
			name += le32(a) + le32(b) + le32(c) + le32(d)
		}
	}
	name = strings.TrimSpace(strings.TrimRight(name, "\x00"))
	var flags []string
	for _, f := range cpuFlags {
		a, b, c, d := arch.CPUID(f.leaf, f.sub)
		reg := [4]uint32{a, b, c, d}[f.reg]
		for i, n := range f.names {
			if n != "" && reg&(1<<i) != 0 {
				flags = append(flags, n)
			}
		}
	}
	mhz := float64(clock.TSCHz()) / 1e6
	var s strings.Builder
	online := arch.OnlineMask()
	for i := 0; i < arch.MaxCPUs; i++ {
		if !online.Has(i) {
			continue
		}
		apicID := arch.CPUAt(i).APICID // the boot CPU's, as the others', read by boot's startAPs
		if online.Count() == 1 {
			apicID = b1 >> 24
		}
		fmt.Fprintf(&s, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nmodel name\t: %s\nstepping\t: %d\n",
			i, vendor, family, model, name, stepping)
		fmt.Fprintf(&s, "cpu MHz\t\t: %.3f\nphysical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n",
			mhz, online.Count(), i, online.Count(), apicID, apicID)
		fmt.Fprintf(&s, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %d\nwp\t\t: yes\nflags\t\t: %s\nbogomips\t: %.2f\n",
			maxLeaf, strings.Join(flags, " "), 2*mhz)
		fmt.Fprintf(&s, "clflush size\t: %d\ncache_alignment\t: %d\naddress sizes\t: %s\npower management:\n\n",
			b1>>8&0xff*8, b1>>8&0xff*8, addressSizes())
	}
	return s.String()
}

// addressSizes is CPUID 0x80000008's physical and virtual widths.
func addressSizes() string {
	a, _, _, _ := arch.CPUID(0x80000008, 0)
	return fmt.Sprintf("%d bits physical, %d bits virtual", a&0xff, a>>8&0xff)
}

// le32 is the four ASCII bytes of a CPUID register.
func le32(v uint32) string {
	return string([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}
