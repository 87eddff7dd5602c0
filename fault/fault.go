// Package fault reports CPU exceptions raised by kernel code in full: the
// faulting instruction decoded with x86asm, the RIP symbolised, and the
// goroutine's stack walked through its frame pointers.
//
// The exception handler cannot do this itself (decoding and symbolising
// need the Go runtime: they allocate), and no other thread can do it for
// the faulting one, which holds the runtime's only P. So the handler prints
// the raw report, keeps the Context in a static record, and makes the
// faulting goroutine call die as if the faulting instruction had called it:
// the same move the runtime makes to inject sigpanic. die prints the decoded
// report and powers off. A watchdog powers off anyway if die cannot run
// (a fault inside the runtime holding its locks, say).
package fault

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"

	"sigil/arch"
	"sigil/clock"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/power"
	"sigil/sched"
)

// Faults in survivor threads (sched.SpawnKernel) take another path: the
// thread is parked, a reporter goroutine prints the report, learns the
// instruction's length from the decoder and resumes the thread after it.
var survivor struct {
	word    uint32 // futex: bumped for each parked fault
	pending bool
	ctx     irq.Context
	cr2     uint64
	tid     int32
}

// record is filled by the handler for die.
var record struct {
	taken uint32
	ctx   irq.Context
	cr2   uint64
	tid   int32
}

// reportTimeout bounds the decoded report.
const reportTimeout = 5e9

// Implemented in die_amd64.s: calls die.
func dieTrampoline()
func dieTrampolineAddr() uintptr

// started is set once the survivors' reporter runs: before, Handle
// leaves every fault to power-off.
var started atomic.Bool

// Start starts the survivors' reporter. Call it once the runtime is up.
func Start() {
	go survivorReporter()
	started.Store(true)
}

func survivorReporter() {
	seen := uint32(0)
	for {
		for atomic.LoadUint32(&survivor.word) == seen {
			syscall.Syscall6(linux.SYS_FUTEX, uintptr(unsafe.Pointer(&survivor.word)),
				linux.FUTEX_WAIT_PRIVATE, uintptr(seen), 0, 0, 0)
		}
		seen = atomic.LoadUint32(&survivor.word)
		ctx := survivor.ctx
		Report(os.Stdout, &ctx, survivor.cr2, survivor.tid)
		inst, _, err := Decode(ctx.TF.RIP)
		if err != nil {
			fmt.Printf("<0>sigil: fault: cannot skip the instruction (%v): thread %d stays parked\n", err, survivor.tid)
			continue
		}
		next := ctx.TF.RIP + uint64(inst.Len)
		fmt.Printf("<0>sigil: fault: resuming thread %d at %s\n", survivor.tid, Symbolize(next))
		survivor.pending = false
		sched.Resume(survivor.tid, next)
	}
}

// Handle is a kernel fault's step after its raw report (package trap): it
// parks a survivor thread for the reporter, or sends the faulting
// goroutine to die with a decoded report, and reports whether it took
// charge (and rewrote c to run another thread). Exception context.
//
//go:nosplit
func Handle(c *irq.Context) bool {
	if !started.Load() {
		return false
	}
	if t := sched.Current(); t.Survivor {
		if survivor.pending {
			return false // a second fault before the first was reported
		}
		survivor.pending = true
		survivor.ctx = *c
		survivor.cr2 = arch.CR2()
		survivor.tid = t.TID
		atomic.AddUint32(&survivor.word, 1)
		sched.Lock()
		sched.WakeFutex(uintptr(unsafe.Pointer(&survivor.word)), 1)
		sched.Block(c, sched.WaitFault, 0, 0, 0)
		sched.Unlock()
		return true
	}
	if record.taken != 0 {
		return false // die itself faulted: give up
	}
	record.taken = 1
	record.ctx = *c
	record.cr2 = arch.CR2()
	record.tid = sched.Current().TID
	sched.SetWatchdog(clock.Nanotime() + reportTimeout)
	// Push the faulting RIP as a return address and enter the trampoline.
	c.TF.RSP -= 8
	*(*uint64)(unsafe.Add(unsafe.Pointer(nil), c.TF.RSP)) = c.TF.RIP
	c.TF.RIP = uint64(dieTrampolineAddr())
	return true
}

// die runs on the faulting goroutine.
func die() {
	Report(os.Stdout, &record.ctx, record.cr2, record.tid)
	power.Off(power.ExitKernelFault)
}

// Report writes the decoded report of a kernel fault.
func Report(w interface{ Write([]byte) (int, error) }, c *irq.Context, cr2 uint64, tid int32) {
	f := &c.TF
	p := func(format string, args ...any) { fmt.Fprintf(w, "<0>sigil: fault: "+format+"\n", args...) }
	p("%s in kernel thread %d at %s", irq.VectorName(f.Vector), tid, Symbolize(f.RIP))
	if f.Vector == irq.VecPageFault {
		p("address %#x (%s)", cr2, DescribePF(f.ErrorCode))
	} else if irq.HasErrorCode(f.Vector) {
		p("error code %#x", f.ErrorCode)
	}
	if inst, raw, err := Decode(f.RIP); err == nil {
		p("instruction: %s (%d bytes: % x)", x86asm.GNUSyntax(inst, f.RIP, nil), inst.Len, raw[:inst.Len])
	} else {
		p("instruction: cannot decode at %#x: %v", f.RIP, err)
	}
	p("stack (frame pointers):")
	for _, pc := range Backtrace(f.RBP, 32) {
		p("  %s", Symbolize(pc))
	}
}

// DescribePF spells out a page-fault error code.
func DescribePF(code uint64) string {
	var parts []string
	if code&irq.PFPresent != 0 {
		parts = append(parts, "protection violation")
	} else {
		parts = append(parts, "page not present")
	}
	if code&irq.PFWrite != 0 {
		parts = append(parts, "write")
	} else {
		parts = append(parts, "read")
	}
	if code&irq.PFFetch != 0 {
		parts = append(parts, "instruction fetch")
	}
	if code&irq.PFUser != 0 {
		parts = append(parts, "user mode")
	} else {
		parts = append(parts, "kernel mode")
	}
	if code&irq.PFReserved != 0 {
		parts = append(parts, "reserved bit set")
	}
	return strings.Join(parts, ", ")
}

// Symbolize names the function containing pc, with offset, file and line.
func Symbolize(pc uint64) string {
	fn := runtime.FuncForPC(uintptr(pc))
	if fn == nil {
		return fmt.Sprintf("%#x (no symbol)", pc)
	}
	file, line := fn.FileLine(uintptr(pc))
	return fmt.Sprintf("%s+%#x (%s:%d)", fn.Name(), pc-uint64(fn.Entry()), file, line)
}

// mapped reports whether n bytes at va are readable kernel memory.
func mapped(va uint64, n uint64) bool {
	for p := va &^ (mm.PageSize - 1); p < va+n; p += mm.PageSize {
		if _, ok := mm.Translate(mm.KernelRoot, uintptr(p)); !ok {
			return false
		}
	}
	return true
}

// Decode decodes the instruction at pc if its bytes are mapped.
func Decode(pc uint64) (x86asm.Inst, []byte, error) {
	const maxLen = 15 // SDM Vol. 2A §2.3.11
	if runtime.FuncForPC(uintptr(pc)) == nil || !mapped(pc, maxLen) {
		return x86asm.Inst{}, nil, fmt.Errorf("not kernel text")
	}
	raw := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), pc)), maxLen)
	inst, err := x86asm.Decode(raw, 64)
	return inst, raw, err
}

// Backtrace follows the frame-pointer chain from rbp (Go keeps frame
// pointers on amd64: [rbp] is the caller's rbp, [rbp+8] the return address).
func Backtrace(rbp uint64, max int) []uint64 {
	var pcs []uint64
	for i := 0; i < max && rbp != 0 && rbp&7 == 0 && mapped(rbp, 16); i++ {
		frame := (*[2]uint64)(unsafe.Add(unsafe.Pointer(nil), rbp))
		if runtime.FuncForPC(uintptr(frame[1])) == nil {
			break
		}
		pcs = append(pcs, frame[1])
		if frame[0] <= rbp {
			break // the stack grows down: callers' frames are above
		}
		rbp = frame[0]
	}
	return pcs
}
