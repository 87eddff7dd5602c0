package signal

import (
	"testing"
	"time"
	"unsafe"

	"sigil/irq"
	"sigil/linux"
	"sigil/trace"
)

func TestFrameLayout(t *testing.T) {
	var f Frame
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(rt_sigframe)", unsafe.Sizeof(f), 440},
		{"uc", unsafe.Offsetof(f.UC), 8},
		{"info", unsafe.Offsetof(f.Info), 312},
		{"uc.uc_stack", unsafe.Offsetof(f.UC.Stack), 16},
		{"uc.uc_mcontext", unsafe.Offsetof(f.UC.MContext), 40},
		{"uc.uc_sigmask", unsafe.Offsetof(f.UC.Sigmask), 296},
		{"mcontext.rip", unsafe.Offsetof(f.UC.MContext.Rip), 128},
		{"mcontext.eflags", unsafe.Offsetof(f.UC.MContext.Eflags), 136},
		{"mcontext.cs", unsafe.Offsetof(f.UC.MContext.Cs), 144},
		{"mcontext.err", unsafe.Offsetof(f.UC.MContext.Err), 152},
		{"mcontext.trapno", unsafe.Offsetof(f.UC.MContext.Trapno), 160},
		{"mcontext.oldmask", unsafe.Offsetof(f.UC.MContext.Oldmask), 168},
		{"mcontext.cr2", unsafe.Offsetof(f.UC.MContext.Cr2), 176},
		{"mcontext.fpstate", unsafe.Offsetof(f.UC.MContext.FPState), 184},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s at %d, Linux has %d", c.name, c.got, c.want)
		}
	}
}

func delivery() (*Delivery, *irq.TrapFrame) {
	d := &Delivery{}
	tf := &irq.TrapFrame{RSP: 0x7fff_0000_1234, RIP: 0x401000, RFLAGS: 0x246 | 0x400 | 0x100} // DF and TF set
	d.Info = Info(int(linux.SIGUSR1), linux.SI_USER)
	d.Action = linux.SigAction{Handler: 0x402000, Flags: linux.SA_SIGINFO | linux.SA_RESTORER, Restorer: 0x403000}
	d.Mask = Bit(int(linux.SIGUSR1))
	d.AltStack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	return d, tf
}

// build places the frame and fills it into p.Frame.
func build(d *Delivery, tf *irq.TrapFrame, p *Placement) bool {
	if !Place(d, tf, p) {
		return false
	}
	Fill(d, tf, p, &p.Frame)
	return true
}

func TestBuild(t *testing.T) {
	d, tf := delivery()
	var p Placement
	if !build(d, tf, &p) {
		t.Fatal("Build refused")
	}
	if (p.RSP+8)%16 != 0 || p.FPAddr%64 != 0 {
		t.Errorf("alignment: rsp %#x fp %#x", p.RSP, p.FPAddr)
	}
	if p.FrameAddr+uint64(FrameSize) > p.FPAddr || p.FPAddr+FPSize > tf.RSP-redZone {
		t.Errorf("frame %#x fp %#x intrude on the red zone below %#x", p.FrameAddr, p.FPAddr, tf.RSP)
	}
	if p.RIP != 0x402000 || p.RDI != uint64(linux.SIGUSR1) || p.RSI != p.FrameAddr+312 || p.RDX != p.FrameAddr+8 {
		t.Errorf("handler registers %+v", p)
	}
	if p.Frame.Pretcode != 0x403000 || p.Frame.UC.MContext.FPState != p.FPAddr || p.Frame.UC.MContext.Cs != 0x33 {
		t.Errorf("frame %+v", p.Frame.UC.MContext)
	}
	if p.Flags&0x500 != 0 {
		t.Errorf("handler flags %#x keep DF/TF", p.Flags)
	}

	// Fill writes every byte: over junk (a user stack), the result is the
	// frame built over zeros, which a composite literal would give.
	var junk Frame
	b := (*[FrameSize]byte)(unsafe.Pointer(&junk))
	for i := range b {
		b[i] = 0xa5
	}
	Fill(d, tf, &p, &junk)
	want := Frame{Pretcode: 0x403000, Info: d.Info}
	want.UC.Flags = linux.UC_SIGCONTEXT_SS | linux.UC_STRICT_RESTORE_SS
	want.UC.Stack = linux.SigAltStack{Flags: linux.SS_DISABLE}
	want.UC.MContext = linux.SigContext{Rsp: tf.RSP, Rip: tf.RIP, Eflags: tf.RFLAGS, Cs: 0x33, Ss: 0x2b,
		Oldmask: uint64(d.Mask), FPState: p.FPAddr}
	want.UC.Sigmask = uint64(d.Mask)
	if *b != *(*[FrameSize]byte)(unsafe.Pointer(&want)) { // bytes: == skips blank fields
		t.Errorf("frame over junk\n%+v\nwant\n%+v", junk, want)
	}

	d.Action.Flags &^= linux.SA_RESTORER
	if build(d, tf, &p) {
		t.Error("built a frame without SA_RESTORER")
	}
}

func TestAltStack(t *testing.T) {
	d, tf := delivery()
	d.Action.Flags |= linux.SA_ONSTACK
	d.AltStack = linux.SigAltStack{SP: 0x10000, Size: 0x4000, Flags: -1 << 31} // SS_AUTODISARM
	var p Placement
	if !build(d, tf, &p) || p.FrameAddr < 0x10000 || p.FrameAddr >= 0x14000 || !p.DisarmAltStack {
		t.Fatalf("altstack frame at %#x", p.FrameAddr)
	}
	if p.Frame.UC.Stack.Flags != 0 {
		t.Errorf("interrupted code was not on the alternate stack, uc_stack.ss_flags %d", p.Frame.UC.Stack.Flags)
	}
	// Nested: already on the alternate stack, the frame goes below RSP.
	tf.RSP = 0x13000
	if !build(d, tf, &p) || p.FrameAddr >= 0x13000-redZone || p.Frame.UC.Stack.Flags != linux.SS_ONSTACK {
		t.Errorf("nested frame at %#x flags %d", p.FrameAddr, p.Frame.UC.Stack.Flags)
	}
	// An alternate stack too small for a frame is SIGSEGV.
	tf.RSP = 0x7fff_0000_0000
	d.AltStack.Size = 0x100
	if build(d, tf, &p) {
		t.Error("frame overflowing the alternate stack was built")
	}
}

func TestRestoreSanitises(t *testing.T) {
	var f Frame
	f.UC.MContext.Cs = 0x10                                // kernel code selector
	f.UC.MContext.Ss = 0x18                                // kernel data selector
	f.UC.MContext.Eflags = 0x3000 | 0x200 | 0x4000 | 0xcd5 // IOPL 3, IF, NT, arithmetic
	f.UC.Sigmask = ^uint64(0)
	var fp [FPSize]byte
	put32(fp[:], mxcsrOffset, 0xdead1f80)
	tf := irq.TrapFrame{CS: 0x33, SS: 0x2b, RFLAGS: 0x202}
	mask, _ := Restore(&f, &tf)
	if tf.CS != 0x33 || tf.SS != 0x2b {
		t.Errorf("selectors %#x %#x", tf.CS, tf.SS)
	}
	if tf.RFLAGS&0x3000 != 0 || tf.RFLAGS&0x4000 != 0 || tf.RFLAGS&0x200 == 0 || tf.RFLAGS&0xcd5 != 0xcd5 {
		t.Errorf("rflags %#x", tf.RFLAGS)
	}
	if mask.Has(int(linux.SIGKILL)) || mask.Has(int(linux.SIGSTOP)) || !mask.Has(int(linux.SIGUSR1)) {
		t.Errorf("mask %#x", mask)
	}
	if FPClean(&fp) {
		t.Error("reserved MXCSR bits called clean")
	}
	SanitizeFP(&fp)
	if get32(fp[:], mxcsrOffset) != 0x1f80 || !FPClean(&fp) {
		t.Errorf("mxcsr %#x", get32(fp[:], mxcsrOffset))
	}
}

func TestQueueOrder(t *testing.T) {
	var q Queue
	for _, sig := range []int{int(linux.SIGUSR2), int(linux.SIGRTMIN) + 1, int(linux.SIGINT), int(linux.SIGSEGV)} {
		i := Info(sig, linux.SI_USER)
		q.Enqueue(&i, 100)
	}
	for v := uint64(1); v <= 3; v++ {
		i := Info(int(linux.SIGRTMIN), linux.SI_QUEUE)
		SetValue(&i, v)
		q.Enqueue(&i, 100)
	}
	i := Info(int(linux.SIGINT), linux.SI_USER)
	q.Enqueue(&i, 100) // coalesces
	var got []int
	var values []uint64
	for {
		info, ok := q.Dequeue(0)
		if !ok {
			break
		}
		got = append(got, int(info.Signo))
		if int(info.Signo) == int(linux.SIGRTMIN) {
			values = append(values, Value(&info))
		}
	}
	want := []int{11, 2, 12, 32, 32, 32, 33} // SIGSEGV first, then by number; SIGRTMIN is 32
	if len(got) != len(want) {
		t.Fatalf("dequeued %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("dequeued %v, want %v", got, want)
		}
	}
	if values[0] != 1 || values[1] != 2 || values[2] != 3 {
		t.Errorf("RT values %v not FIFO", values)
	}
}

func TestQueueLimitAndMask(t *testing.T) {
	q := Queue{User: new(UserCount)}
	for n := 0; n < 5; n++ {
		i := Info(40, linux.SI_QUEUE)
		SetValue(&i, uint64(n))
		if q.Enqueue(&i, 5) != trace.SignalDelivered {
			t.Fatalf("entry %d refused below the limit", n)
		}
	}
	i := Info(40, linux.SI_QUEUE)
	if q.Enqueue(&i, 5) != trace.SignalOverflowFail {
		t.Error("queued beyond the limit")
	}
	if _, ok := q.Dequeue(Bit(40)); ok {
		t.Error("dequeued a blocked signal")
	}
	info, ok := q.DequeueFrom(Bit(40))
	if !ok || Value(&info) != 0 || q.Queued() != 4 {
		t.Errorf("DequeueFrom: %v value %d queued %d", ok, Value(&info), q.Queued())
	}
	q.Discard(40)
	if q.Pending() != 0 {
		t.Errorf("pending %#x after Discard", q.Pending())
	}
}

// TestQueueNoAlloc checks what interrupt context and bottom halves rely
// on: adding, dequeuing and discarding never allocate, from the first
// real-time entry on, and the entries go back to the pool.
func TestQueueNoAlloc(t *testing.T) {
	var q Queue
	free := Free()
	rt := Info(40, linux.SI_QUEUE)
	std := Info(int(linux.SIGUSR1), linux.SI_USER)
	allocs := testing.AllocsPerRun(100, func() {
		if r1, ok1 := q.Add(&rt, 100); r1 != trace.SignalDelivered || !ok1 {
			t.Fatal("Add refused below the limit")
		}
		if r2, _ := q.Add(&std, 100); r2 != trace.SignalDelivered || q.AddAtomic(&rt, 100) != trace.SignalDelivered {
			t.Fatal("Add refused below the limit")
		}
		q.DequeueFrom(Bit(40))
		q.Add(&rt, 100)
		q.Discard(40)
		q.Dequeue(0)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run", allocs)
	}
	if q.Queued() != 0 || Free() != free {
		t.Errorf("%d queued, %d entries free, want 0 and %d", q.Queued(), Free(), free)
	}
}

// TestPoolRefill: atomic adds that take the pool below its low-water mark
// wake the refiller, which grows it back (to the reserve, and the adds
// since leave at least the low-water mark); Clear gives every entry back.
func TestPoolRefill(t *testing.T) {
	var q Queue
	defer q.Clear()
	rt := Info(41, linux.SI_QUEUE)
	for i := 0; i < reserve; i++ {
		if q.AddAtomic(&rt, 1<<20) != trace.SignalDelivered {
			t.Fatalf("AddAtomic %d refused with the reserve free", i)
		}
	}
	for i := 0; Free() < lowWater; i++ {
		if i == 3000 {
			t.Fatalf("%d entries free, the refiller never restored %d", Free(), lowWater)
		}
		time.Sleep(10 * time.Millisecond)
	}
	free := Free()
	q.Clear()
	if q.Queued() != 0 || q.Pending() != 0 || Free() != free+reserve {
		t.Errorf("after Clear: %d queued, pending %#x, %d free, want %d", q.Queued(), q.Pending(), Free(), free+reserve)
	}
}

// FuzzQueue applies random enqueue/dequeue/discard sequences and checks
// the invariants: nothing beyond the limit, standard signals coalesce, RT
// values come out FIFO per signal, Pending matches what can be dequeued.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{1, 34, 2, 35, 0, 0, 3, 34})
	f.Fuzz(func(t *testing.T, ops []byte) {
		q := Queue{User: new(UserCount)}
		defer q.Clear()
		const limit = 8
		next := map[int]uint64{}
		expect := map[int]uint64{}
		for i := 0; i+1 < len(ops); i += 2 {
			sig := int(ops[i+1])%64 + 1
			switch ops[i] % 4 {
			case 0, 1:
				info := Info(sig, linux.SI_QUEUE)
				SetValue(&info, next[sig])
				before := q.User.Queued()
				var res int
				if ops[i]%4 == 1 {
					res, _ = q.Add(&info, limit) // interrupt context's way
				} else {
					res = q.Enqueue(&info, limit)
				}
				ok := res == trace.SignalDelivered
				if IsRealtime(sig) {
					if ok {
						next[sig]++
					} else if before < limit {
						t.Fatal("refused below the limit")
					}
				}
				if q.User.Queued() > limit {
					t.Fatal("over the limit")
				}
			case 2:
				mask := Set(uint64(ops[i+1]) * 0x9e3779b97f4a7c15)
				info, ok := q.Dequeue(mask)
				if ok {
					s := int(info.Signo)
					if mask.Has(s) {
						t.Fatalf("dequeued blocked %d", s)
					}
					if IsRealtime(s) {
						if Value(&info) != expect[s] {
							t.Fatalf("signal %d value %d, want %d (FIFO)", s, Value(&info), expect[s])
						}
						expect[s]++
					}
				} else if q.Pending()&^mask != 0 {
					t.Fatal("nothing dequeued but something deliverable pending")
				}
			case 3:
				q.Discard(sig)
				if IsRealtime(sig) {
					expect[sig] = next[sig]
				}
				if q.Pending().Has(sig) {
					t.Fatal("discarded signal still pending")
				}
			}
		}
	})
}

// TestQueueSigpendingLimit follows __send_signal_locked past
// RLIMIT_SIGPENDING: every entry counts for the user, standard signals
// too; the kernel's and kill()'s standard signals get one regardless;
// a real-time signal from kill() is pending without its siginfo, from
// anything else refused; a POSIX timer's signal uses its timer's.
func TestQueueSigpendingLimit(t *testing.T) {
	var u UserCount
	q := Queue{User: &u}
	defer q.Clear()
	const limit = 2
	add := func(sig int, code int32, want int) {
		t.Helper()
		i := Info(sig, code)
		i.Fields[0] = 7 // si_pid
		if res := q.Enqueue(&i, limit); res != want {
			t.Fatalf("signal %d code %d: result %d, want %d", sig, code, res, want)
		}
	}
	add(int(linux.SIGUSR1), linux.SI_QUEUE, trace.SignalDelivered)
	add(int(linux.SIGUSR1), linux.SI_QUEUE, trace.SignalAlreadyPending)
	add(40, linux.SI_QUEUE, trace.SignalDelivered)
	if u.Queued() != 2 {
		t.Fatalf("count %d, want 2 (a standard and a real-time entry)", u.Queued())
	}
	add(int(linux.SIGUSR2), linux.SI_QUEUE, trace.SignalLoseInfo)
	add(int(linux.SIGHUP), linux.SI_USER, trace.SignalDelivered) // override_rlimit
	add(41, linux.SI_QUEUE, trace.SignalOverflowFail)
	add(42, linux.SI_TKILL, trace.SignalOverflowFail)
	add(41, linux.SI_USER, trace.SignalLoseInfo)
	add(43, linux.SI_TIMER, trace.SignalDelivered) // its timer's entry
	if u.Queued() != 3 || !q.Pending().Has(41) || q.Pending().Has(42) {
		t.Fatalf("count %d (want 3), pending %#x", u.Queued(), q.Pending())
	}
	want := map[int][2]int32{ // signal: si_code, si_pid
		int(linux.SIGHUP): {linux.SI_USER, 7}, int(linux.SIGUSR1): {linux.SI_QUEUE, 7},
		int(linux.SIGUSR2): {linux.SI_USER, 0}, 40: {linux.SI_QUEUE, 7}, 41: {linux.SI_USER, 0}, 43: {linux.SI_TIMER, 7},
	}
	for n := 0; ; n++ {
		info, ok := q.Dequeue(0)
		if !ok {
			if n != len(want) {
				t.Fatalf("%d dequeued, want %d", n, len(want))
			}
			break
		}
		w := want[int(info.Signo)]
		if info.Code != w[0] || int32(info.Fields[0]) != w[1] {
			t.Errorf("signal %d: code %d pid %d, want %d %d", info.Signo, info.Code, info.Fields[0], w[0], w[1])
		}
	}
	if u.Queued() != 0 {
		t.Errorf("count %d after every dequeue", u.Queued())
	}
	// A lost real-time signal merges with a queued one of its number, as
	// collect_signal's bit clears with the last entry.
	add(44, linux.SI_QUEUE, trace.SignalDelivered)
	add(45, linux.SI_QUEUE, trace.SignalDelivered)
	add(44, linux.SI_USER, trace.SignalLoseInfo)
	q.Discard(45)
	if info, _ := q.Dequeue(0); info.Signo != 44 || info.Code != linux.SI_QUEUE || q.Pending() != 0 || u.Queued() != 0 {
		t.Errorf("got %d code %d, pending %#x, count %d", info.Signo, info.Code, q.Pending(), u.Queued())
	}
}

func TestHandlerMask(t *testing.T) {
	act := linux.SigAction{Mask: uint64(Bit(int(linux.SIGUSR2)) | Unblockable)}
	m := HandlerMask(Bit(int(linux.SIGHUP)), int(linux.SIGUSR1), &act)
	if m != Bit(int(linux.SIGHUP))|Bit(int(linux.SIGUSR2))|Bit(int(linux.SIGUSR1)) {
		t.Errorf("mask %#x", m)
	}
	act.Flags = linux.SA_NODEFER
	if HandlerMask(0, int(linux.SIGUSR1), &act).Has(int(linux.SIGUSR1)) {
		t.Error("SA_NODEFER blocked the signal itself")
	}
}
