package arch

import (
	"sync/atomic"
	"unsafe"
)

// CPU is the per-CPU block. GS base points at it in kernel mode, so entry
// stubs reach it with GS-relative moves before they have a stack; Go code
// reaches it through This. All per-CPU state lives here so that a second CPU
// needs a second block and nothing else.
//
// The entry stubs read the first fields by the offsets the compiler
// writes to go_asm.h (irq/asm.go); gsSelf reads Self at offset 0.
//
// Per-CPU data of packages above arch (stacks, scratch buffers, caches)
// are arrays of MaxCPUs indexed by ID, as Linux's per_cpu(): This picks
// the row, so a second CPU needs a second row and nothing else.
//
// Every field is owned by its CPU: only code running on it reads or
// writes them, with interrupts off where an interrupt handler also does.
// The exceptions are the bring-up fields at the end (APICID, online),
// which say what guards them.
type CPU struct {
	Self     uintptr // 0: this block's address
	Scratch  uint64  // 8: caller's RSP, parked by the SYSCALL entry
	KStack   uint64  // 16: top of the stack the SYSCALL entry switches to
	KernelFS uint64  // 24: FS base loaded on entry from user mode (the thread's runtime TLS)
	UserFS   uint64  // 32: FS base loaded on return to user mode
	// Root is the CR3 loaded now. Written by its CPU alone (SetRoot),
	// read by others deciding whom a TLB shootdown concerns (LoadedRoot).
	Root uint64
	// UserRoot is the root the context running now needs loaded: the
	// user space of a thread in user mode, 0 when kernel code runs (which
	// reaches only the kernel half, shared by every root), so that a TLB
	// shootdown may move the CPU to the kernel's root (package mm).
	// Owned by the CPU, written with interrupts off.
	UserRoot uint64

	ID        int32  // index in cpus, and of every per-CPU array
	Current   int32  // index of the running thread (package sched)
	IRQDepth  int32  // nesting of entries being handled on this CPU
	Ticks     uint64 // tick periods the timer's events stood for (package tick)
	SliceLeft int32  // ticks left in the running thread's time slice

	// The tick as the TSC saw it (package intr): the time between timer
	// events beyond the ticks they stand for adds up, each whole period
	// of it a lost tick, and events within a tenth of a period of when
	// they were due count as on time. Under emulation on a busy host the
	// vCPU may not run when its timer is due, and the timer does not
	// replay what it missed.
	LostTicks    uint64
	OnTimeEvents uint64
	LastTickTSC  uint64
	LateTSC      int64 // lateness not yet a whole lost tick (or, below 0, earliness)
	// TimerEvents counts the timer's interrupts (one-shot modes: each may
	// stand for several ticks). In the one-shot modes TimerDeadline is the
	// TSC target of the armed event and TimerTicks the ticks it stands
	// for (package tick). Owner CPU only.
	TimerEvents   uint64
	TimerDeadline uint64
	TimerTicks    uint64

	// Spinlock nesting, as xv6's push_off/pop_off: the depth of held
	// spinlocks, and whether interrupts were on before the first.
	lockDepth  int32
	irqsWereOn bool

	TSS TSS
	gdt [gdtEntries]uint64

	// The I/O map TSS.io holds (LoadIOBitmap): whether the I/O map base
	// points at it, the sequence of the bitmap copied there, and how many
	// leading bytes may differ from all ones.
	ioMapOn  bool
	ioMapSeq uint64
	ioMapLen int

	// TLB shootdown requests (package mm): any CPU increments TLBReq
	// (atomically) and waits until the target's TLBDone reaches the value
	// it got; the target alone writes TLBDone, after its flush.
	TLBReq, TLBDone atomic.Uint64
	// TLBFlushes counts the shootdowns this CPU carried out (the TLB row
	// of /proc/interrupts, as Linux's irq_tlb_count). Owned by the CPU.
	TLBFlushes uint64

	// APICID is the CPU's local APIC ID (xAPIC: 8 bits, x2APIC: 32).
	// Written by the boot CPU before this CPU is started (for the boot
	// CPU, before any other starts); read-only afterwards.
	APICID uint32
	// online is 1 once the CPU has finished its bring-up (SetOnline);
	// written once, atomically, by the CPU itself, read by any CPU.
	online uint32
}

// MaxCPUs is the number of per-CPU rows, the most CPUs Sigil starts: the
// boot CPU is row 0, application processors take the next rows in the
// order the MADT lists them, and CPUs past the bound are reported and
// left alone. A power of two, so Index is a mask.
const MaxCPUs = 16

const _ = -uint(MaxCPUs & (MaxCPUs - 1)) // a power of two

// CPUAt returns the block of row id (0 <= id < MaxCPUs).
//
//go:nosplit
func CPUAt(id int) *CPU { return &cpus[uint(id)%MaxCPUs] }

// SetOnline marks c as having finished its bring-up. Called once, by c.
//
//go:nosplit
func (c *CPU) SetOnline() {
	if atomic.SwapUint32(&c.online, 1) == 0 {
		onlineCount.Add(1)
	}
}

// onlineCount is how many CPUs are online (SetOnline).
var onlineCount atomic.Int32

// Alone reports whether at most one CPU is online: no other CPU to send
// an IPI to, so the callers that would scan every row skip the scan.
//
//go:nosplit
func Alone() bool { return onlineCount.Load() <= 1 }

// Online reports whether c has finished its bring-up.
//
//go:nosplit
func (c *CPU) Online() bool { return atomic.LoadUint32(&c.online) != 0 }

// cpus holds the block of every CPU.
var cpus [MaxCPUs]CPU

// bare is set once a CPU block is installed in GS: the code runs on the
// machine, not in a host test (where GS is the host's and interrupts are
// not ours to switch).
// Written once per CPU before any other code runs there; read by thisCPU.
var bare uint32

func thisCPU() *CPU

// Boot returns the boot CPU's block, before GS points at it.
//
//go:nosplit
func Boot() *CPU { return &cpus[0] }

// This returns the running CPU's block, read through GS; in host tests,
// the boot CPU's.
//
//go:nosplit
func This() *CPU { return thisCPU() }

// InstallCPU points GS base at c (SDM Vol. 3A §3.4.4.1: in 64-bit mode the
// GS base comes from IA32_GS_BASE). id is c's row in every per-CPU array.
//
//go:nosplit
func InstallCPU(c *CPU, id int32) {
	c.Self = uintptr(unsafe.Pointer(c))
	c.ID = id
	wrmsr(MSR_GS_BASE, uint64(c.Self))
	atomic.StoreUint32(&bare, 1)
}

// Bare reports whether the code runs on the machine with its CPU blocks
// installed (false in host tests).
//
//go:nosplit
func Bare() bool { return atomic.LoadUint32(&bare) != 0 }

// Self must stay first: thisCPU reads offset 0.
const _ = -uint(unsafe.Offsetof(CPU{}.Self))

// SetRoot records that c (the running CPU) has loaded root, before the
// load itself: the exchange is a full barrier, so a CPU that changed
// root's tables before reading c.Root through LoadedRoot (after a barrier
// of its own) either sees root here or changed the tables before this
// CPU's load, which then caches only the new entries (Dekker's order).
//
//go:nosplit
func (c *CPU) SetRoot(root uint64) { atomic.SwapUint64(&c.Root, root) }

// LoadedRoot is the root c has loaded, read from any CPU.
//
//go:nosplit
func (c *CPU) LoadedRoot() uint64 { return atomic.LoadUint64(&c.Root) }

// Index is c's row in per-CPU arrays (arch.This().Index() for this CPU's).
// The modulo, free for a power of two, lets the compiler drop the bounds
// checks that would otherwise deepen interrupt context's nosplit chains.
//
//go:nosplit
func (c *CPU) Index() uint { return uint(c.ID) % MaxCPUs }
