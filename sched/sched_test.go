package sched

import (
	"testing"

	"sigil/arch"
	"sigil/clock"
	"sigil/irq"
)

// reset gives each test a fresh table: idle in slot 0, the boot thread
// (TID TIDBase) running in slot 1.
func reset(t *testing.T) *[]uint64 {
	t.Helper()
	threads = [MaxThreads]Thread{}
	runHead, runTail = -1, -1
	nextTID = TIDBase
	var loads []uint64
	loadFSBase = func(v uint64) { loads = append(loads, v) }
	now := int64(0)
	nanotime = func() int64 { now += 1e6; return now }
	loadRoot = func(uint64) {}
	t.Cleanup(func() { loadFSBase, nanotime, loadRoot = writeFSBase, clock.Nanotime, arch.SetCR3 })
	Init(0x1000, 0x2000)
	threads[1].FSBase = 0xb007
	return &loads
}

// liveTID returns the TID in the live context's RBX, where each test
// thread keeps its own TID, standing in for "who is running".
func liveTID(c *irq.Context) uint64 { return c.TF.RBX }

func spawn(t *testing.T, c *irq.Context) int32 {
	t.Helper()
	tid := Clone(c, 0x9000, true, 0xf5)
	if tid == 0 {
		t.Fatal("Clone failed")
	}
	ByTID(tid).Ctx.TF.RBX = uint64(tid)
	return tid
}

func TestRoundRobin(t *testing.T) {
	loads := reset(t)
	var c irq.Context
	c.TF.RBX = TIDBase
	a, b := spawn(t, &c), spawn(t, &c)
	if ch := ByTID(a); ch.Ctx.TF.RAX != 0 || ch.Ctx.TF.RSP != 0x9000 || ch.FSBase != 0xf5 {
		t.Errorf("child context: rax %d rsp %#x fs %#x", ch.Ctx.TF.RAX, ch.Ctx.TF.RSP, ch.FSBase)
	}
	var order []uint64
	for i := 0; i < 6; i++ {
		Yield(&c)
		order = append(order, liveTID(&c))
	}
	want := []uint64{uint64(a), uint64(b), TIDBase, uint64(a), uint64(b), TIDBase}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("run order %v, want %v", order, want)
		}
	}
	if (*loads)[0] != 0xf5 || (*loads)[2] != 0xb007 {
		t.Errorf("FS bases loaded %#x", *loads)
	}
}

func TestFutexBlockWake(t *testing.T) {
	reset(t)
	var c irq.Context
	c.TF.RBX = TIDBase
	a := spawn(t, &c)
	// The boot thread waits on futex word 0x500; a runs.
	Block(&c, WaitFutex, 0x500, 0, ^uint64(109))
	if liveTID(&c) != uint64(a) {
		t.Fatalf("running %d after Block, want %d", liveTID(&c), a)
	}
	if n := WakeFutex(0x600, 1); n != 0 {
		t.Errorf("woke %d on another word", n)
	}
	if n := WakeFutex(0x500, 5); n != 1 {
		t.Errorf("woke %d, want 1", n)
	}
	boot := ByTID(TIDBase)
	if boot.State != Runnable || boot.Ctx.TF.RAX != 0 {
		t.Errorf("woken thread: state %d rax %d", boot.State, boot.Ctx.TF.RAX)
	}
	// a exits: the boot thread runs again and a's slot is free.
	Exit(&c)
	if liveTID(&c) != TIDBase || ByTID(a) != nil || Count() != 1 {
		t.Errorf("after exit: running %d, a %v, count %d", liveTID(&c), ByTID(a), Count())
	}
}

func TestIdleAndDeadline(t *testing.T) {
	reset(t)
	var c irq.Context
	c.TF.RBX = TIDBase
	// The only thread sleeps with a deadline already in the past for the
	// next tick: idle runs, then the tick wakes it with its timeout result.
	Block(&c, WaitSleep, 0, 1, 0xdead)
	if c.TF.RIP != 0x1000 || arch.This().Current != idleSlot {
		t.Fatalf("idle not running: rip %#x current %d", c.TF.RIP, arch.This().Current)
	}
	if next, idle := Tick(&c, 1); next != 0 || idle {
		t.Errorf("tick left deadline %d pending, idle %v, want none and running", next, idle)
	}
	if liveTID(&c) != TIDBase || c.TF.RAX != 0xdead {
		t.Errorf("after tick: running %d rax %#x", liveTID(&c), c.TF.RAX)
	}
	// A thread that does not block is preempted after its slice.
	spawn(t, &c)
	for i := 0; i < SliceTicks-1; i++ {
		Tick(&c, 1)
		if liveTID(&c) != TIDBase {
			t.Fatalf("preempted after %d ticks", i+1)
		}
	}
	Tick(&c, 1)
	if liveTID(&c) == TIDBase {
		t.Error("not preempted at the end of the slice")
	}
}

// TestTickStride: a timer event standing for several ticks (the one-shot
// modes' housekeeping tick) charges them all, ends a slice as that many
// single ticks would, and reports the earliest deadline still pending,
// which the next event is armed for.
func TestTickStride(t *testing.T) {
	reset(t)
	var c irq.Context
	c.TF.RBX = TIDBase
	spawn(t, &c)
	first := liveTID(&c)
	ticks := arch.This().Ticks
	Tick(&c, SliceTicks-1)
	if liveTID(&c) != first {
		t.Fatalf("preempted after %d of %d ticks", SliceTicks-1, SliceTicks)
	}
	if got := arch.This().Ticks - ticks; got != SliceTicks-1 {
		t.Errorf("CPU ticks %d, want %d", got, SliceTicks-1)
	}
	Tick(&c, 4)
	if liveTID(&c) == first {
		t.Error("an event of 4 ticks past the slice's end did not preempt")
	}
	// Both threads sleep far ahead: the tick reports the earlier
	// deadline, and that the CPU is idle.
	far := nanotime() + 1e12
	Block(&c, WaitSleep, 0, far+1, 0)
	Block(&c, WaitSleep, 0, far, 0)
	if next, idle := Tick(&c, 4); next != far || !idle {
		t.Errorf("tick reported deadline %d, idle %v, want %d and idle", next, idle, far)
	}
}

func TestTableFull(t *testing.T) {
	reset(t)
	var c irq.Context
	for i := 2; i < MaxThreads; i++ {
		if Clone(&c, 0, false, 0) == 0 {
			t.Fatalf("clone %d failed early", i)
		}
	}
	if Clone(&c, 0, false, 0) != 0 {
		t.Error("clone succeeded with a full table")
	}
}

// TestAffinity: a thread restricted to other CPUs stays queued while this
// CPU (row 0 in host tests) runs the others and idles, and is the one the
// CPU it allows takes; the queue keeps its order around it.
func TestAffinity(t *testing.T) {
	reset(t)
	var c irq.Context
	c.TF.RBX = TIDBase
	a, b := spawn(t, &c), spawn(t, &c)
	ByTID(a).Allowed = arch.CPUMask(0).With(1)
	if runnableOn(0) != true || runnableOn(2) != true {
		t.Fatal("b may run anywhere")
	}
	Yield(&c)
	if liveTID(&c) != uint64(b) {
		t.Fatalf("CPU 0 runs %d, want %d (a is CPU 1's)", liveTID(&c), b)
	}
	Yield(&c) // the boot thread, queued behind a
	if liveTID(&c) != TIDBase {
		t.Fatalf("CPU 0 runs %d, want the boot thread", liveTID(&c))
	}
	Block(&c, WaitSleep, 0, 0, 0)
	Block(&c, WaitSleep, 0, 0, 0) // b too: only a is runnable
	if arch.This().Current != idleSlot || !runnableOn(1) || runnableOn(0) {
		t.Fatalf("current %d, runnable on 1 %v, on 0 %v", arch.This().Current, runnableOn(1), runnableOn(0))
	}
	if i := dequeue(1); i < 0 || threads[i].TID != a || runHead != -1 || runTail != -1 {
		t.Errorf("dequeue(1) = %d, head %d tail %d", i, runHead, runTail)
	}
}
