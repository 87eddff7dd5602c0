package task

import (
	"encoding/binary"
	"runtime"
	"testing"

	"sigil/cred"
	"sigil/file"
	"sigil/linux"
	"sigil/sched"
	"sigil/signal"
)

// asyncTarget is a published process of one thread that catches
// SIGRTMIN+1 and SIGIO, with an O_ASYNC file whose owner (set through
// fcntl, as a program sets it: F_SETOWN who, F_SETSIG SIGRTMIN+1) it is,
// on list under descriptor 5.
func asyncTarget(t *testing.T, who func(p *Process) int32) (*Process, *Thread, *file.AsyncList) {
	t.Helper()
	p := newProcess(nil)
	th := newThread(sched.UserContext{})
	th.TID, th.p = p.PID, p
	th.commitCred(cred.Root())
	p.threads[th.TID] = th
	p.pgid, p.sid = p.PID, p.PID
	p.actions[linux.SIGRTMIN+1].Handler = 0x401000
	p.actions[linux.SIGIO].Handler = 0x401000
	p.publish()
	t.Cleanup(func() {
		p.mu.Lock()
		th.sig.pending.Clear()
		p.mu.Unlock()
		p.exit(0)
		p.reap()
	})
	f := file.New(file.Null{}, nil, linux.O_RDWR)
	if _, err := th.fcntlOwner(f, linux.F_SETOWN, uint64(uint32(who(p)))); err != nil {
		t.Fatalf("F_SETOWN: %v", err)
	}
	if _, err := th.fcntlOwner(f, linux.F_SETSIG, uint64(linux.SIGRTMIN+1)); err != nil {
		t.Fatalf("F_SETSIG: %v", err)
	}
	l := new(file.AsyncList)
	l.Set(f, 5, true)
	return p, th, l
}

// take removes th's next signal, as delivery does.
func take(p *Process, th *Thread) (linux.SignalInfo, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return th.takeSignalLocked(0)
}

// allocs counts the allocations of one call of f (testing.AllocsPerRun
// runs f once before it counts, which would hide a first use's).
func allocs(f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.Mallocs - before.Mallocs
}

// TestSigioAllocatesNothing drives what an interrupt's bottom half does
// (irqfile: AsyncList.Kill) through send_sigio to the queued siginfo,
// and checks that it allocates nothing: the first event a new process
// gets, each later one, and those beyond RLIMIT_SIGPENDING, which fall
// back to SIGIO; for a process owner and a process-group owner.
func TestSigioAllocatesNothing(t *testing.T) {
	owners := []struct {
		name string
		who  func(p *Process) int32
	}{
		{"process", func(p *Process) int32 { return p.PID }},
		{"group", func(p *Process) int32 { return -p.PID }},
	}
	for _, o := range owners {
		t.Run(o.name, func(t *testing.T) {
			// The fewest over a few new processes: on a loaded host the
			// runtime may preempt the measuring goroutine and run another
			// that allocates (a timer of an earlier test) in the window.
			var p *Process
			var th *Thread
			var l *file.AsyncList
			n := uint64(1 << 63)
			for i := 0; i < 5 && n != 0; i++ {
				if p != nil {
					take(p, th)
				}
				p, th, l = asyncTarget(t, o.who)
				n = min(n, allocs(func() { l.Kill(linux.POLL_IN) }))
			}
			if n != 0 {
				t.Errorf("the first event allocates %d times", n)
			}
			info, ok := take(p, th)
			band := binary.LittleEndian.Uint64(info.Fields[linux.SiginfoBandOffset-16:])
			fd := int32(binary.LittleEndian.Uint32(info.Fields[linux.SiginfoBandOffset-16+8:]))
			if !ok || info.Signo != int32(linux.SIGRTMIN+1) || info.Code != linux.POLL_IN ||
				band != linux.EPOLLIN|linux.EPOLLRDNORM || fd != 5 {
				t.Fatalf("took %v: signal %d code %d band %#x fd %d, want %d POLL_IN %#x 5",
					ok, info.Signo, info.Code, band, fd, linux.SIGRTMIN+1, linux.EPOLLIN|linux.EPOLLRDNORM)
			}
			if n := testing.AllocsPerRun(100, func() {
				l.Kill(linux.POLL_IN)
				take(p, th)
			}); n != 0 {
				t.Errorf("an event into an empty queue allocates %v times", n)
			}

			// One entry left under the limit: the second event of each
			// pair overflows into SIGIO (si_code SI_KERNEL).
			p.mu.Lock()
			p.limits[linux.RLIMIT_SIGPENDING].Cur = uint64(rootUser.Queued() + 1)
			p.mu.Unlock()
			l.Kill(linux.POLL_IN)
			l.Kill(linux.POLL_OUT)
			first, _ := take(p, th)
			second, _ := take(p, th)
			_, more := take(p, th)
			if first.Signo != int32(linux.SIGIO) || first.Code != linux.SI_KERNEL ||
				second.Signo != int32(linux.SIGRTMIN+1) || second.Code != linux.POLL_IN || more {
				t.Fatalf("overflow: took %d/%d then %d/%d (more: %v), want SIGIO/SI_KERNEL then %d/POLL_IN",
					first.Signo, first.Code, second.Signo, second.Code, more, linux.SIGRTMIN+1)
			}
			if n := testing.AllocsPerRun(100, func() {
				l.Kill(linux.POLL_IN)
				l.Kill(linux.POLL_IN)
				l.Kill(linux.POLL_IN)
				take(p, th)
				take(p, th)
			}); n != 0 {
				t.Errorf("events beyond RLIMIT_SIGPENDING allocate %v times", n)
			}
			if _, more := take(p, th); more {
				t.Error("left pending: more than one entry and one SIGIO")
			}
		})
	}
}

// TestSigioToEndedThread: an F_SETOWN_EX thread owner that has exited is
// told nothing, and nothing is left in its cleared queue to leak from the
// signal pool.
func TestSigioToEndedThread(t *testing.T) {
	p, th, l := asyncTarget(t, func(p *Process) int32 { return p.PID })
	f := file.New(file.Null{}, nil, linux.O_RDWR)
	f.SetOwner(ioOwner{kind: linux.F_OWNER_TID, id: th.TID, proc: p, thread: th})
	f.SetSig(int(linux.SIGRTMIN + 1))
	l.Set(f, 6, true)
	free := signal.Free()
	p.mu.Lock()
	delete(p.threads, th.TID)
	p.mu.Unlock()
	l.Kill(linux.POLL_IN)
	if th.sig.pending.Queued() != 0 || signal.Free() != free {
		t.Errorf("%d queued to an ended thread, %d entries free, want %d", th.sig.pending.Queued(), signal.Free(), free)
	}
	p.mu.Lock()
	p.threads[th.TID] = th
	p.mu.Unlock()
}
