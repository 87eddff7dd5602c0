package linux

import "testing"

func TestSyscallName(t *testing.T) {
	cases := []struct {
		nr   uintptr
		want string
	}{
		{SYS_RT_SIGACTION, "rt_sigaction"},
		{0, "read"},
		{1, "write"},
		{60, "exit"},
		{231, "exit_group"},
		{SYS_EPOLL_PWAIT, "epoll_pwait"},
		{SYS__SYSCTL, "_sysctl"},
		{435, "clone3"},
		{SYS_CLONE3, "clone3"},
		{MaxSyscall, SyscallName(MaxSyscall)}, // in range, must not panic
		{335, ""},                             // gap 335..423
		{400, ""},
		{423, ""},
		{424, "pidfd_send_signal"},
		{MaxSyscall + 1, ""},
		{100000, ""},
		{^uintptr(0), ""},
	}
	for _, c := range cases {
		if got := SyscallName(c.nr); got != c.want {
			t.Errorf("SyscallName(%d) = %q, want %q", c.nr, got, c.want)
		}
	}
	if SyscallName(MaxSyscall) == "" {
		t.Errorf("SyscallName(MaxSyscall=%d) is empty", MaxSyscall)
	}
	if SYS_RT_SIGACTION != 13 || SYS_CLONE3 != 435 || SYS_EXIT_GROUP != 231 || SYS_ARCH_PRCTL != 158 {
		t.Errorf("unexpected syscall numbers")
	}
}

func TestErrno(t *testing.T) {
	cases := []struct {
		e    Errno
		nr   uintptr
		name string
	}{
		{EPERM, 1, "EPERM"},
		{EINTR, 4, "EINTR"},
		{EAGAIN, 11, "EAGAIN"},
		{ENOMEM, 12, "ENOMEM"},
		{EFAULT, 14, "EFAULT"},
		{EINVAL, 22, "EINVAL"},
		{ENOSYS, 38, "ENOSYS"},
		{ETIMEDOUT, 110, "ETIMEDOUT"},
		{EHWPOISON, 133, "EHWPOISON"},
		{EWOULDBLOCK, 11, "EAGAIN"},
		{EDEADLOCK, 35, "EDEADLK"},
		{ENOTSUP, 95, "EOPNOTSUPP"},
		{ERESTARTSYS, 512, "ERESTARTSYS"},
		{ERESTARTNOINTR, 513, "ERESTARTNOINTR"},
		{ERESTARTNOHAND, 514, "ERESTARTNOHAND"},
		{ENOIOCTLCMD, 515, "ENOIOCTLCMD"},
		{ERESTART_RESTARTBLOCK, 516, "ERESTART_RESTARTBLOCK"},
		{0, 0, ""},
		{41, 41, ""}, // unassigned
		{58, 58, ""}, // unassigned
		{134, 134, ""},
		{517, 517, ""},
		{^Errno(0), ^uintptr(0), ""},
	}
	for _, c := range cases {
		if uintptr(c.e) != c.nr {
			t.Errorf("%s = %d, want %d", c.name, c.e, c.nr)
		}
		if got := c.e.Name(); got != c.name {
			t.Errorf("Errno(%d).Name() = %q, want %q", uintptr(c.e), got, c.name)
		}
	}
	for e := Errno(1); e <= EHWPOISON; e++ {
		if e != 41 && e != 58 && e.Name() == "" {
			t.Errorf("Errno(%d) has no name", e)
		}
	}
}

func TestNeg(t *testing.T) {
	if got, want := Neg(ENOSYS), ^uint64(37); got != want {
		t.Errorf("Neg(ENOSYS) = %#x, want %#x", got, want)
	}
	if got := Neg(ENOSYS); got != 0xffffffffffffffda {
		t.Errorf("Neg(ENOSYS) = %#x", got)
	}
	if got := Neg(EPERM); got != ^uint64(0) {
		t.Errorf("Neg(EPERM) = %#x", got)
	}
	if got := Neg(0); got != 0 {
		t.Errorf("Neg(0) = %#x", got)
	}
	// All user-visible errors lie in the kernel's error window.
	if Neg(EHWPOISON) < Neg(MaxErrno) {
		t.Errorf("Neg(EHWPOISON) outside [-MaxErrno, -1]")
	}
	if int64(Neg(EINTR)) != -4 {
		t.Errorf("int64(Neg(EINTR)) = %d", int64(Neg(EINTR)))
	}
}

func TestSignals(t *testing.T) {
	cases := []struct {
		sig  Signal
		nr   int
		name string
	}{
		{SIGHUP, 1, "SIGHUP"},
		{SIGINT, 2, "SIGINT"},
		{SIGKILL, 9, "SIGKILL"},
		{SIGSEGV, 11, "SIGSEGV"},
		{SIGCHLD, 17, "SIGCHLD"},
		{SIGSTOP, 19, "SIGSTOP"},
		{SIGSYS, 31, "SIGSYS"},
		{SIGIOT, 6, "SIGABRT"},
		{SIGPOLL, 29, "SIGIO"},
		{SIGRTMIN, 32, "SIGRTMIN"},
		{SIGRTMIN + 3, 35, "SIGRTMIN+3"},
		{SIGRTMAX - 1, 63, "SIGRTMIN+31"},
		{SIGRTMAX, 64, "SIGRTMAX"},
		{0, 0, ""},
		{-1, -1, ""},
		{NSIG, 65, ""},
		{1000, 1000, ""},
	}
	for _, c := range cases {
		if int(c.sig) != c.nr {
			t.Errorf("%s = %d, want %d", c.name, c.sig, c.nr)
		}
		if got := SignalName(c.sig); got != c.name {
			t.Errorf("SignalName(%d) = %q, want %q", c.nr, got, c.name)
		}
		if got := c.sig.Name(); got != c.name {
			t.Errorf("Signal(%d).Name() = %q, want %q", c.nr, got, c.name)
		}
	}
	for sig := Signal(1); sig < NSIG; sig++ {
		if SignalName(sig) == "" {
			t.Errorf("signal %d has no name", sig)
		}
	}
	if SigSetOf(SIGHUP) != 1 || SigSetOf(SIGKILL) != 1<<8 || SigSetOf(SIGRTMAX) != 1<<63 {
		t.Errorf("SigSetOf bits wrong")
	}
	if SigSetOf(0) != 0 || SigSetOf(65) != 0 || SigSetOf(-3) != 0 {
		t.Errorf("SigSetOf out of range not 0")
	}
}

func TestNoAllocs(t *testing.T) {
	var sink string
	var ssink SigSet
	checks := map[string]func(){
		"SyscallName": func() {
			sink = SyscallName(SYS_RT_SIGACTION)
			sink = SyscallName(100000)
		},
		"Errno.Name": func() {
			sink = ENOSYS.Name()
			sink = ERESTARTSYS.Name()
			sink = Errno(9999).Name()
		},
		"SignalName": func() {
			sink = SignalName(SIGSEGV)
			sink = SIGRTMAX.Name()
			sink = SignalName(99)
		},
		"SigSetOf": func() { ssink = SigSetOf(SIGCHLD) },
		"Neg":      func() { ssink = SigSet(Neg(EFAULT)) },
	}
	for name, f := range checks {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates: %v allocs/op", name, n)
		}
	}
	_, _ = sink, ssink
}

func TestConstantSpotChecks(t *testing.T) {
	cases := []struct {
		name      string
		got, want int64
	}{
		{"AT_PHDR", AT_PHDR, 3}, {"AT_PAGESZ", AT_PAGESZ, 6}, {"AT_ENTRY", AT_ENTRY, 9},
		{"AT_UID", AT_UID, 11}, {"AT_PLATFORM", AT_PLATFORM, 15}, {"AT_HWCAP", AT_HWCAP, 16},
		{"AT_CLKTCK", AT_CLKTCK, 17}, {"AT_SECURE", AT_SECURE, 23}, {"AT_RANDOM", AT_RANDOM, 25},
		{"AT_HWCAP2", AT_HWCAP2, 26}, {"AT_EXECFN", AT_EXECFN, 31},
		{"AT_SYSINFO_EHDR", AT_SYSINFO_EHDR, 33}, {"AT_MINSIGSTKSZ", AT_MINSIGSTKSZ, 51},
		{"SA_RESTORER", SA_RESTORER, 0x04000000}, {"SA_SIGINFO", SA_SIGINFO, 4},
		{"SA_ONSTACK", SA_ONSTACK, 0x08000000}, {"SA_RESTART", SA_RESTART, 0x10000000},
		{"SA_NODEFER", SA_NODEFER, 0x40000000}, {"SA_RESETHAND", SA_RESETHAND, 0x80000000},
		{"SI_KERNEL", SI_KERNEL, 0x80}, {"SI_TKILL", SI_TKILL, -6}, {"FPE_FLTSUB", FPE_FLTSUB, 8},
		{"NSIG", NSIG, 65}, {"MINSIGSTKSZ", MINSIGSTKSZ, 2048}, {"SIGSTKSZ", SIGSTKSZ, 8192},
		{"EPOLLET", EPOLLET, 1 << 31}, {"EPOLLONESHOT", EPOLLONESHOT, 1 << 30},
		{"EPOLL_CLOEXEC", EPOLL_CLOEXEC, 0x80000}, {"EPOLLRDHUP", EPOLLRDHUP, 0x2000},
		{"CLONE_VM", CLONE_VM, 0x100}, {"CLONE_THREAD", CLONE_THREAD, 0x10000},
		{"CLONE_SETTLS", CLONE_SETTLS, 0x80000}, {"CLONE_CLEAR_SIGHAND", CLONE_CLEAR_SIGHAND, 0x100000000},
		{"FUTEX_WAIT_BITSET", FUTEX_WAIT_BITSET, 9}, {"FUTEX_PRIVATE_FLAG", FUTEX_PRIVATE_FLAG, 128},
		{"FUTEX_BITSET_MATCH_ANY", FUTEX_BITSET_MATCH_ANY, 0xffffffff},
		{"MAP_ANONYMOUS", MAP_ANONYMOUS, 0x20}, {"MAP_NORESERVE", MAP_NORESERVE, 0x4000},
		{"MAP_STACK", MAP_STACK, 0x20000}, {"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE, 0x100000},
		{"MADV_COLLAPSE", MADV_COLLAPSE, 25}, {"ARCH_SET_FS", ARCH_SET_FS, 0x1002},
		{"CLOCK_BOOTTIME_ALARM", CLOCK_BOOTTIME_ALARM, 9}, {"CLOCK_TAI", CLOCK_TAI, 11},
		{"O_NONBLOCK", O_NONBLOCK, 0x800}, {"O_DIRECTORY", O_DIRECTORY, 0x10000},
		{"O_CLOEXEC", O_CLOEXEC, 0x80000}, {"O_PATH", O_PATH, 0x200000},
		{"AT_FDCWD", AT_FDCWD, -100}, {"F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC, 1030},
		{"F_GETPIPE_SZ", F_GETPIPE_SZ, 1032}, {"PR_SET_NAME", PR_SET_NAME, 15},
		{"WNOWAIT", WNOWAIT, 0x1000000}, {"WALL", WALL, 0x40000000}, {"WSTOPPED", WSTOPPED, 2},
		{"P_PIDFD", P_PIDFD, 3}, {"RLIMIT_RTTIME", RLIMIT_RTTIME, 15},
		{"EFD_NONBLOCK", EFD_NONBLOCK, 0x800}, {"GRND_RANDOM", GRND_RANDOM, 2},
		{"S_IFDIR", S_IFDIR, 0o40000},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
	if RLIM_INFINITY != ^uint64(0) {
		t.Errorf("RLIM_INFINITY = %#x", uint64(RLIM_INFINITY))
	}
}
