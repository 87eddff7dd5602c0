package selftest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"sigil/arch"
	"sigil/linux"
)

// The syscalls test checks the Linux semantics of the calls the kernel's
// runtime makes, from the caller's side: results, errno values, blocking.
func init() {
	register("syscalls", func(t *T) error {
		for _, c := range []struct {
			name string
			f    func(*T) error
		}{
			{"enosys", testENOSYS},
			{"ids", testIDs},
			{"files", testFiles},
			{"clocks", testClocks},
			{"memory", testMemory},
			{"futex", testFutex},
			{"epoll-eventfd", testEpoll},
			{"misc", testMisc},
		} {
			if err := c.f(t); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			t.Logf("%s ok", c.name)
		}
		return nil
	})
	// oom asks for far more memory than the machine has: the runtime must
	// get ENOMEM and report "out of memory" itself.
	register("oom", func(t *T) error {
		t.Logf("allocating 64 GiB")
		b := make([]byte, 64<<30)
		b[len(b)-1] = 1
		return errors.New("a 64 GiB allocation succeeded")
	})
}

func raw(nr uintptr, a ...uintptr) (uintptr, syscall.Errno) {
	var args [6]uintptr
	copy(args[:], a)
	r, _, e := syscall.Syscall6(nr, args[0], args[1], args[2], args[3], args[4], args[5])
	return r, e
}

// setAffinity is sched_setaffinity(tid, 8, &m) from the kernel's runtime
// (tid 0: the caller).
func setAffinity(tid uintptr, m uint64) syscall.Errno {
	_, e := raw(linux.SYS_SCHED_SETAFFINITY, tid, 8, uintptr(unsafe.Pointer(&m)))
	return e
}

func expect(what string, e, want syscall.Errno) error {
	if e != want {
		return fmt.Errorf("%s: errno %d (%v), want %d (%v)", what, int(e), e, int(want), want)
	}
	return nil
}

func testENOSYS(t *T) error {
	for i := 0; i < 2; i++ { // logged once, failed twice
		if _, e := raw(linux.SYS_ACCT, 0); e != syscall.ENOSYS {
			return expect("acct", e, syscall.ENOSYS)
		}
	}
	_, e := raw(100000)
	return expect("syscall 100000", e, syscall.ENOSYS)
}

func testIDs(t *T) error {
	pid, tid := syscall.Getpid(), syscall.Gettid()
	if pid < 1<<22 || tid < pid {
		return fmt.Errorf("pid %d tid %d", pid, tid)
	}
	if _, e := raw(linux.SYS_TGKILL, uintptr(pid), 999999, 0); e != syscall.ESRCH {
		return expect("tgkill(no such thread)", e, syscall.ESRCH)
	}
	if _, e := raw(linux.SYS_TGKILL, uintptr(pid), uintptr(tid), 0); e != 0 {
		return expect("tgkill(self, 0)", e, 0)
	}
	var set [16]byte
	n, e := raw(linux.SYS_SCHED_GETAFFINITY, 0, 16, uintptr(unsafe.Pointer(&set)))
	if e != 0 || n != 8 || binary.LittleEndian.Uint64(set[:8]) != uint64(arch.OnlineMask()) || set[8] != 0 {
		return fmt.Errorf("sched_getaffinity = %d %v %v", n, e, set[:8])
	}
	return testAffinity(t)
}

// testAffinity: sched_setaffinity binds the calling thread (locked to its
// goroutine) to each online CPU in turn, where it then runs, and
// sched_getaffinity says so; Linux's errors for an unknown thread and a
// mask without an online CPU.
func testAffinity(t *T) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setaff := setAffinity
	getaff := func() uint64 {
		var m uint64
		raw(linux.SYS_SCHED_GETAFFINITY, 0, 8, uintptr(unsafe.Pointer(&m)))
		return m
	}
	online := uint64(arch.OnlineMask())
	if err := expect("sched_setaffinity(no such thread)", setaff(999999, online), syscall.ESRCH); err != nil {
		return err
	}
	if err := expect("sched_setaffinity(offline CPU 63 only)", setaff(0, 1<<63), syscall.EINVAL); err != nil {
		return err
	}
	for i := 0; i < arch.MaxCPUs; i++ {
		if online&(1<<i) == 0 {
			continue
		}
		if err := expect(fmt.Sprintf("sched_setaffinity(cpu %d)", i), setaff(0, 1<<i), 0); err != nil {
			return err
		}
		for k := 0; k < 20; k++ {
			if cpu := int(arch.This().Index()); cpu != i {
				return fmt.Errorf("bound to cpu %d, running on cpu %d", i, cpu)
			}
			runtime.Gosched()
			time.Sleep(100 * time.Microsecond)
		}
		if m := getaff(); m != 1<<i {
			return fmt.Errorf("sched_getaffinity after binding to cpu %d: %#x", i, m)
		}
	}
	if err := expect("sched_setaffinity(every CPU)", setaff(0, online), 0); err != nil {
		return err
	}
	if m := getaff(); m != online {
		return fmt.Errorf("sched_getaffinity after unbinding: %#x, want %#x", m, online)
	}
	t.Logf("affinity: bound to each of %d CPUs in turn", bits.OnesCount64(online))
	if online&3 != 3 {
		return nil
	}
	// Another thread, spinning in kernel code on CPU 1, leaves it when
	// bound to CPU 0, at once: within one of CPU 1's timer interrupts, not
	// when something else wants CPU 1. The thread itself counts them,
	// on CPU 1, from seeing that the call has returned (the IPI is out)
	// to its last look there, so that a host descheduling a vCPU
	// meanwhile changes nothing.
	tid := make(chan uintptr)
	took := make(chan int64)
	var called atomic.Bool
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		self, _ := raw(linux.SYS_GETTID)
		setaff(0, 1<<1)
		cpu1 := arch.CPUAt(1)
		for arch.This() != cpu1 {
		}
		tid <- self
		from, last := int64(-1), int64(-1)
		for {
			ticks := int64(cpu1.TimerEvents)
			if arch.This() != cpu1 {
				break // moved: ticks may be from after
			}
			if from < 0 && called.Load() {
				from = ticks
			}
			last = ticks
		}
		if from < 0 {
			from = last // it left before it saw the call return
		}
		took <- last - from
	}()
	other := <-tid
	if err := expect("sched_setaffinity(another thread, cpu 0)", setaff(other, 1), 0); err != nil {
		return err
	}
	called.Store(true)
	if d := <-took; d > 1 {
		return fmt.Errorf("a thread running on cpu 1 left it %d of cpu 1's timer interrupts after sched_setaffinity returned, want at most 1", d)
	}
	t.Logf("affinity: a thread running on another CPU moved at once")
	return nil
}

func testFiles(t *T) error {
	if _, err := syscall.Open("/no/such/file", syscall.O_RDONLY, 0); err != syscall.ENOENT {
		return fmt.Errorf("open: %v, want ENOENT", err)
	}
	if _, err := syscall.Write(42, []byte("x")); err != syscall.EBADF {
		return fmt.Errorf("write(42): %v, want EBADF", err)
	}
	if err := syscall.Close(42); err != syscall.EBADF {
		return fmt.Errorf("close(42): %v, want EBADF", err)
	}
	if n, err := syscall.Write(1, []byte("sigil: test syscalls: write to fd 1\n")); err != nil || n != 36 {
		return fmt.Errorf("write(1) = %d %v", n, err)
	}
	fl, e := raw(linux.SYS_FCNTL, 1, linux.F_GETFL)
	if e != 0 || fl&linux.O_ACCMODE != linux.O_RDWR {
		return fmt.Errorf("fcntl(1, F_GETFL) = %#x %v", fl, e)
	}
	if _, e := raw(linux.SYS_PREAD64, 1, 0, 0, 0); e != syscall.ESPIPE {
		return expect("pread64(console)", e, syscall.ESPIPE)
	}
	return nil
}

func testClocks(t *T) error {
	var a, b syscall.Timespec
	if _, e := raw(linux.SYS_CLOCK_GETTIME, linux.CLOCK_MONOTONIC, uintptr(unsafe.Pointer(&a))); e != 0 {
		return expect("clock_gettime", e, 0)
	}
	time.Sleep(3 * time.Millisecond)
	raw(linux.SYS_CLOCK_GETTIME, linux.CLOCK_MONOTONIC, uintptr(unsafe.Pointer(&b)))
	if d := b.Nano() - a.Nano(); d < 3e6 || d > 1e9 {
		return fmt.Errorf("monotonic advanced %dns over a 3ms sleep", d)
	}
	if _, e := raw(linux.SYS_CLOCK_GETTIME, 99, uintptr(unsafe.Pointer(&a))); e != syscall.EINVAL {
		return expect("clock_gettime(99)", e, syscall.EINVAL)
	}
	if y := time.Now().Year(); y < 2020 {
		return fmt.Errorf("realtime year %d: RTC not read", y)
	}
	bad := syscall.Timespec{Sec: 0, Nsec: 2e9}
	if _, e := raw(linux.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&bad)), 0); e != syscall.EINVAL {
		return expect("nanosleep(nsec=2e9)", e, syscall.EINVAL)
	}
	return nil
}

func testMemory(t *T) error {
	const n = 1 << 20
	p, e := raw(linux.SYS_MMAP, 0, n, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uintptr(0), 0)
	if e != 0 {
		return expect("mmap", e, 0)
	}
	mem := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(nil), p)), n)
	for i := 0; i < n; i += 4096 {
		if mem[i] != 0 {
			return fmt.Errorf("fresh page %d not zero", i/4096)
		}
		mem[i] = 0xaa
	}
	if _, e := raw(linux.SYS_MADVISE, p, n, linux.MADV_DONTNEED); e != 0 {
		return expect("madvise", e, 0)
	}
	if mem[4096] != 0 {
		return errors.New("page not zero after MADV_DONTNEED")
	}
	if _, e := raw(linux.SYS_MUNMAP, p, n); e != 0 {
		return expect("munmap", e, 0)
	}
	if _, e := raw(linux.SYS_MMAP, 0, 1<<40, linux.PROT_READ|linux.PROT_WRITE, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uintptr(0), 0); e != syscall.ENOMEM {
		return expect("mmap(1 TiB, writable)", e, syscall.ENOMEM)
	}
	if _, e := raw(linux.SYS_MMAP, 0, 0, linux.PROT_READ, linux.MAP_PRIVATE|linux.MAP_ANONYMOUS, ^uintptr(0), 0); e != syscall.EINVAL {
		return expect("mmap(0 bytes)", e, syscall.EINVAL)
	}
	if _, e := raw(linux.SYS_MUNMAP, p+1, 4096); e != syscall.EINVAL {
		return expect("munmap(unaligned)", e, syscall.EINVAL)
	}
	return nil
}

func testFutex(t *T) error {
	var word uint32 = 1
	addr := uintptr(unsafe.Pointer(&word))
	if _, e := raw(linux.SYS_FUTEX, addr, linux.FUTEX_WAIT_PRIVATE, 0, 0); e != syscall.EAGAIN {
		return expect("futex wait on changed word", e, syscall.EAGAIN)
	}
	ts := syscall.Timespec{Nsec: 5e6}
	start := time.Now()
	if _, e := raw(linux.SYS_FUTEX, addr, linux.FUTEX_WAIT_PRIVATE, 1, uintptr(unsafe.Pointer(&ts))); e != syscall.ETIMEDOUT {
		return expect("futex wait with timeout", e, syscall.ETIMEDOUT)
	}
	if d := time.Since(start); d < 5*time.Millisecond {
		return fmt.Errorf("futex timed out after %v", d)
	}
	if n, e := raw(linux.SYS_FUTEX, addr, linux.FUTEX_WAKE_PRIVATE, 1); e != 0 || n != 0 {
		return fmt.Errorf("futex wake with no waiters = %d %v", n, e)
	}
	return nil
}

func testEpoll(t *T) error {
	ep, e := raw(linux.SYS_EPOLL_CREATE1, linux.EPOLL_CLOEXEC)
	if e != 0 {
		return expect("epoll_create1", e, 0)
	}
	defer syscall.Close(int(ep))
	efd, e := raw(linux.SYS_EVENTFD2, 0, linux.EFD_NONBLOCK)
	if e != 0 {
		return expect("eventfd2", e, 0)
	}
	defer syscall.Close(int(efd))
	ev := linux.EpollEvent{Events: linux.EPOLLIN, Data: [8]byte{7}}
	if _, e := raw(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_ADD, efd, uintptr(unsafe.Pointer(&ev))); e != 0 {
		return expect("epoll_ctl", e, 0)
	}
	if _, e := raw(linux.SYS_EPOLL_CTL, ep, linux.EPOLL_CTL_ADD, efd, uintptr(unsafe.Pointer(&ev))); e != syscall.EEXIST {
		return expect("epoll_ctl twice", e, syscall.EEXIST)
	}
	var buf [8]byte
	if _, err := syscall.Read(int(efd), buf[:]); err != syscall.EAGAIN {
		return fmt.Errorf("read of empty eventfd: %v, want EAGAIN", err)
	}
	// A writer 20ms later wakes a blocked epoll_pwait.
	go func() {
		time.Sleep(20 * time.Millisecond)
		one := [8]byte{1}
		syscall.Write(int(efd), one[:])
	}()
	var out [4]linux.EpollEvent
	start := time.Now()
	n, e := raw(linux.SYS_EPOLL_PWAIT, ep, uintptr(unsafe.Pointer(&out)), 4, 5000, 0)
	if e != 0 || n != 1 || out[0].Events&linux.EPOLLIN == 0 || out[0].Data[0] != 7 {
		return fmt.Errorf("epoll_pwait = %d %v %+v", n, e, out[0])
	}
	if d := time.Since(start); d < 15*time.Millisecond || d > 2*time.Second {
		return fmt.Errorf("epoll_pwait woke after %v", d)
	}
	if _, err := syscall.Read(int(efd), buf[:]); err != nil || buf[0] != 1 {
		return fmt.Errorf("eventfd read: %v %v", err, buf)
	}
	// A timeout with nothing ready.
	start = time.Now()
	n, e = raw(linux.SYS_EPOLL_PWAIT, ep, uintptr(unsafe.Pointer(&out)), 4, 10, 0)
	if e != 0 || n != 0 || time.Since(start) < 10*time.Millisecond {
		return fmt.Errorf("epoll_pwait timeout = %d %v after %v", n, e, time.Since(start))
	}
	return nil
}

func testMisc(t *T) error {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return err
	}
	if s := cstr(u.Sysname[:]); s != "Linux" {
		return fmt.Errorf("uname sysname %q", s)
	}
	var rnd [64]byte
	n, e := raw(linux.SYS_GETRANDOM, uintptr(unsafe.Pointer(&rnd)), 64, 0)
	if e != 0 || n != 64 || rnd == [64]byte{} {
		return fmt.Errorf("getrandom = %d %v", n, e)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == 0 || lim.Cur > lim.Max {
		return fmt.Errorf("getrlimit = %+v %v", lim, err)
	}
	bad := syscall.Rlimit{Cur: 10, Max: 5}
	if _, e := raw(linux.SYS_PRLIMIT64, 0, linux.RLIMIT_NOFILE, uintptr(unsafe.Pointer(&bad)), 0); e != syscall.EINVAL {
		return expect("prlimit64(cur > max)", e, syscall.EINVAL)
	}
	if _, e := raw(linux.SYS_RT_SIGACTION, uintptr(linux.SIGKILL), uintptr(unsafe.Pointer(&linux.SigAction{})), 0, 8); e != syscall.EINVAL {
		return expect("rt_sigaction(SIGKILL)", e, syscall.EINVAL)
	}
	return nil
}

func cstr(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}
