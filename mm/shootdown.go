package mm

import (
	"sync/atomic"

	"sigil/arch"
)

// TLB shootdown (SDM Vol. 3A §4.10.5, "Propagation of Paging-Structure
// Changes to Multiple Processors"): a change that removes or downgrades a
// translation is complete only when every CPU that may cache it has
// flushed. Without PCIDs a CPU caches the non-global translations of the
// root it has loaded alone (a CR3 load drops the others), so the CPUs
// concerned by a user root are those with it loaded now (arch.CPU.Root),
// and by the kernel's root (whose arena entries are not global), all of
// them. As Linux's flush_tlb_mm_range, the initiator asks each by IPI
// and waits for the acknowledgement; the target reloads CR3, which drops
// the whole space's translations (one request covers a gather's batch),
// and a CPU running kernel code on a lazily kept user root moves to the
// kernel's (Linux's lazy-TLB mode left on a flush IPI), so that a root
// being freed is loaded nowhere once the request returns.
//
// The initiator may hold a spinlock the target is spinning for, with
// interrupts off: spinning waits serve their own CPU's requests
// (arch.SpinPoll = ServeShootdown), and so does the initiator while it
// waits, so two CPUs shooting at each other both finish.

// SendShootdownIPI sends cpu the TLB shootdown interrupt (package intr
// sets it; nil while no other CPU runs). Interrupt context.
var SendShootdownIPI func(cpu *arch.CPU)

// shootSeq orders an initiator's page-table writes before its reads of
// the other CPUs' roots: the atomic add is the full barrier of
// arch.CPU.SetRoot's Dekker pairing.
var shootSeq atomic.Uint64

// shootWant is each initiator's row of the requests it waits for (a row
// per CPU, used with interrupts off: off the nosplit stack).
var shootWant [arch.MaxCPUs][arch.MaxCPUs]uint64

// ShootdownsSent counts the requests this kernel's CPUs sent, all CPUs.
var ShootdownsSent atomic.Uint64

// shootdown makes every other CPU that may cache root's translations
// flush them, and returns when each has. Interrupts off.
//
//go:nosplit
func shootdown(root uint64) {
	send := SendShootdownIPI
	if send == nil || !arch.Bare() || arch.Alone() {
		return
	}
	self := arch.This()
	shootSeq.Add(1)
	want := &shootWant[self.Index()]
	for i := 0; i < arch.MaxCPUs; i++ {
		c := arch.CPUAt(i)
		want[i] = 0
		if c == self || !c.Online() || root != KernelRoot && c.LoadedRoot() != root {
			continue
		}
		want[i] = c.TLBReq.Add(1)
		ShootdownsSent.Add(1)
		send(c)
	}
	for i := 0; i < arch.MaxCPUs; i++ {
		c := arch.CPUAt(i)
		for want[i] != 0 && c.TLBDone.Load() < want[i] {
			arch.SpinWait()
		}
	}
}

// ServeShootdown carries out the requests sent to this CPU since the last
// call: the shootdown IPI's handler, and every spinning wait's poll
// (arch.SpinPoll). Interrupts off.
//
//go:nosplit
func ServeShootdown() {
	c := arch.This()
	r := c.TLBReq.Load()
	if r == c.TLBDone.Load() {
		return
	}
	if c.UserRoot == 0 && c.Root != KernelRoot && KernelRoot != 0 {
		c.SetRoot(KernelRoot)
		arch.SetCR3(KernelRoot)
	} else {
		arch.SetCR3(arch.CR3())
	}
	c.TLBFlushes++
	c.TLBDone.Store(r)
}
