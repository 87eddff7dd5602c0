package selftest

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"sigil/irq"
	"sigil/mm"
	"sigil/sched"
)

// Tiny user programs, hand-encoded (each line: the instruction).
var (
	progGetpidExit  = syscallExit(39)  // answered in interrupt context (sys/fast.go)
	progGetppidExit = syscallExit(110) // answered by the goroutine (run)
	progStack       = []byte{          // push 3 pages' worth of stack, then exit(sum check)
		0xb9, 0x00, 0x06, 0, 0, // mov ecx, 0x600 (1536 pushes = 12 KiB)
		0x51,       // push rcx
		0xe2, 0xfd, // loop -3
		0x48, 0x8b, 0x3c, 0x24, // mov rdi, [rsp]  (the last push: rcx = 1)
		0xb8, 60, 0, 0, 0, // mov eax, 60
		0x0f, 0x05,
	}
	progHlt                = []byte{0xf4}                                                       // hlt
	progReadKernel         = []byte{0x48, 0xa1, 0x00, 0x10, 0x20, 0x80, 0xff, 0xff, 0xff, 0xff} // mov rax, [0xffffffff80201000]
	progWriteCode          = []byte{0xc6, 0x05, 0xf9, 0xff, 0xff, 0xff, 0x01}                   // mov byte [rip-7], 1
	progSpin               = []byte{0xeb, 0xfe}                                                 // jmp .
	userCode       uintptr = 0x400000
	userStackTop           = uintptr(0x7fff_f000_0000)
)

type userRun struct {
	root uint64
	ut   *sched.UserContext
	stop atomic.Bool // a kick ends the run
}

func newUserRun(code []byte) (*userRun, error) {
	var r userRun
	var ok bool
	mm.WithIRQsOff(func() {
		r.root, ok = mm.NewUserRoot()
		if !ok {
			return
		}
		mm.SetRange(r.root, userCode, userCode+mm.PageSize, mm.Demand(mm.PTEUser|mm.PTEWrite), true)
		mm.SetRange(r.root, userStackTop-64<<10, userStackTop, mm.Demand(mm.PTEUser|mm.PTEWrite|mm.NX), true)
	})
	if !ok {
		return nil, errors.New("no memory for an address space")
	}
	if mm.CopyOut(r.root, userCode, code) != len(code) {
		return nil, errors.New("copying the program failed")
	}
	mm.WithIRQsOff(func() { mm.Protect(r.root, userCode, userCode+mm.PageSize, mm.PTEUser, true) }) // r-x
	r.ut = &sched.UserContext{Root: r.root}
	r.ut.Ctx.ResetFP()
	r.ut.Ctx.TF.RIP = uint64(userCode)
	r.ut.Ctx.TF.RSP = uint64(userStackTop)
	r.ut.PID = 4242
	return &r, nil
}

// run serves getppid and exit until the program exits or faults.
func (r *userRun) run() (exit uint64, trap *sched.TrapInfo) {
	defer mm.WithIRQsOff(func() { mm.FreeRoot(r.root) })
	for {
		switch sched.EnterUser(r.ut) {
		case sched.ReasonSyscall:
			switch r.ut.Ctx.TF.RAX {
			case 110:
				r.ut.Ctx.TF.RAX = 4242
			case 60:
				return r.ut.Ctx.TF.RDI, nil
			default:
				r.ut.Ctx.TF.RAX = ^uint64(37) // -ENOSYS
			}
		case sched.ReasonFault:
			tr := r.ut.Trap
			return 0, &tr
		case sched.ReasonInterrupt:
			if r.stop.Load() {
				return 0, &sched.TrapInfo{Vector: ^uint64(0)}
			}
			// The kernel wanted the CPU (the slice ended, or an
			// interrupt woke a thread): yield as task's threads do.
			sched.YieldToKernel()
			runtime.Gosched()
		}
	}
}

// syscallExit is a program that makes system call nr and exits with its
// result.
func syscallExit(nr byte) []byte {
	return []byte{
		0xb8, nr, 0, 0, 0, // mov eax, nr
		0x0f, 0x05, // syscall
		0x48, 0x89, 0xc7, // mov rdi, rax
		0xb8, 60, 0, 0, 0, // mov eax, 60 (exit)
		0x0f, 0x05, // syscall
	}
}

func init() {
	register("user", func(t *T) error {
		cases := []struct {
			name   string
			code   []byte
			exit   uint64
			vector uint64 // 0: must exit normally
			errBit uint64
		}{
			{"syscall served in interrupt context", progGetpidExit, 4242, 0, 0},
			{"syscall round trip through the goroutine", progGetppidExit, 4242, 0, 0},
			{"stack demand paging", progStack, 1, 0, 0},
			{"hlt is #GP", progHlt, 0, irq.VecGPF, 0},
			{"reading kernel memory is #PF", progReadKernel, 0, irq.VecPageFault, irq.PFPresent | irq.PFUser},
			{"writing read-only code is #PF", progWriteCode, 0, irq.VecPageFault, irq.PFPresent | irq.PFWrite | irq.PFUser},
		}
		for _, c := range cases {
			r, err := newUserRun(c.code)
			if err != nil {
				return err
			}
			exit, trap := r.run()
			switch {
			case c.vector == 0 && trap != nil:
				return fmt.Errorf("%s: trap %+v", c.name, *trap)
			case c.vector == 0 && exit != c.exit:
				return fmt.Errorf("%s: exit %d, want %d", c.name, exit, c.exit)
			case c.vector != 0 && (trap == nil || trap.Vector != c.vector || trap.ErrorCode&c.errBit != c.errBit):
				return fmt.Errorf("%s: trap %+v, want vector %d", c.name, trap, c.vector)
			}
			t.Logf("%s: ok", c.name)
		}
		return testPreemptUser(t)
	})
}

// testPreemptUser: a user thread spinning at CPL 3 is preempted by the tick
// (other goroutines keep running) and comes back when kicked.
func testPreemptUser(t *T) error {
	r, err := newUserRun(progSpin)
	if err != nil {
		return err
	}
	done := make(chan *sched.TrapInfo, 1)
	go func() {
		_, trap := r.run()
		done <- trap
	}()
	// Twenty sleeps beside the spinner, however slowly a loaded host runs
	// the guest: a spinner that starved the kernel would let none end
	// within the deadline.
	var ticks uint64
	start := time.Now()
	for ticks < 20 && time.Since(start) < 20*time.Second {
		time.Sleep(5 * time.Millisecond) // only runs if the spinner is preempted
		atomic.AddUint64(&ticks, 1)
	}
	// By the user thread, not by a TID read earlier: the goroutine may have
	// moved to another kernel thread before it entered user mode.
	r.stop.Store(true)
	sched.KickUser(r.ut)
	select {
	case trap := <-done:
		if trap == nil || trap.Vector != ^uint64(0) {
			return fmt.Errorf("spinner came back with %+v", trap)
		}
	case <-time.After(5 * time.Second):
		return errors.New("kicked spinner did not come back")
	}
	t.Logf("user spin loop preempted: %d sleeps ran beside it; kick returned it", ticks)
	if ticks < 20 {
		return errors.New("the spinner starved the kernel")
	}
	return nil
}
