package linux

// Signal is a Linux signal number (1..64; 0 is "no signal").
type Signal int

// Standard signals.
// Source: arch/x86/include/uapi/asm/signal.h.
const (
	SIGHUP    Signal = 1
	SIGINT    Signal = 2
	SIGQUIT   Signal = 3
	SIGILL    Signal = 4
	SIGTRAP   Signal = 5
	SIGABRT   Signal = 6
	SIGIOT    Signal = 6 // alias of SIGABRT
	SIGBUS    Signal = 7
	SIGFPE    Signal = 8
	SIGKILL   Signal = 9
	SIGUSR1   Signal = 10
	SIGSEGV   Signal = 11
	SIGUSR2   Signal = 12
	SIGPIPE   Signal = 13
	SIGALRM   Signal = 14
	SIGTERM   Signal = 15
	SIGSTKFLT Signal = 16
	SIGCHLD   Signal = 17
	SIGCONT   Signal = 18
	SIGSTOP   Signal = 19
	SIGTSTP   Signal = 20
	SIGTTIN   Signal = 21
	SIGTTOU   Signal = 22
	SIGURG    Signal = 23
	SIGXCPU   Signal = 24
	SIGXFSZ   Signal = 25
	SIGVTALRM Signal = 26
	SIGPROF   Signal = 27
	SIGWINCH  Signal = 28
	SIGIO     Signal = 29
	SIGPOLL   Signal = 29 // alias of SIGIO
	SIGPWR    Signal = 30
	SIGSYS    Signal = 31
	SIGUNUSED Signal = 31 // alias of SIGSYS

	// Real-time signals are SIGRTMIN..SIGRTMAX inclusive. (The C library
	// reserves the first few for itself and reports a larger SIGRTMIN.)
	SIGRTMIN Signal = 32
	SIGRTMAX Signal = 64 // the kernel's _NSIG: highest valid signal number
)

// NSIG is one more than the highest signal number, i.e. the length of an
// array indexed directly by signal number (including the unused 0).
// Note the kernel's own _NSIG is 64 (== SIGRTMAX).
const NSIG = 65

// SigSet is the kernel's sigset_t on x86-64: bit (sig-1) stands for signal
// sig. Its size, 8 bytes, is the sigsetsize argument rt_sig* calls require.
type SigSet uint64

// SigSetOf returns the set containing only sig, or 0 if sig is out of range.
//
//go:nosplit
func SigSetOf(sig Signal) SigSet {
	if sig < 1 || sig > SIGRTMAX {
		return 0
	}
	return SigSet(1) << uint(sig-1)
}

// signalNames maps a signal number to its name; aliases use the primary
// name. Static data.
var signalNames = [NSIG]string{
	SIGHUP:        "SIGHUP",
	SIGINT:        "SIGINT",
	SIGQUIT:       "SIGQUIT",
	SIGILL:        "SIGILL",
	SIGTRAP:       "SIGTRAP",
	SIGABRT:       "SIGABRT",
	SIGBUS:        "SIGBUS",
	SIGFPE:        "SIGFPE",
	SIGKILL:       "SIGKILL",
	SIGUSR1:       "SIGUSR1",
	SIGSEGV:       "SIGSEGV",
	SIGUSR2:       "SIGUSR2",
	SIGPIPE:       "SIGPIPE",
	SIGALRM:       "SIGALRM",
	SIGTERM:       "SIGTERM",
	SIGSTKFLT:     "SIGSTKFLT",
	SIGCHLD:       "SIGCHLD",
	SIGCONT:       "SIGCONT",
	SIGSTOP:       "SIGSTOP",
	SIGTSTP:       "SIGTSTP",
	SIGTTIN:       "SIGTTIN",
	SIGTTOU:       "SIGTTOU",
	SIGURG:        "SIGURG",
	SIGXCPU:       "SIGXCPU",
	SIGXFSZ:       "SIGXFSZ",
	SIGVTALRM:     "SIGVTALRM",
	SIGPROF:       "SIGPROF",
	SIGWINCH:      "SIGWINCH",
	SIGIO:         "SIGIO",
	SIGPWR:        "SIGPWR",
	SIGSYS:        "SIGSYS",
	SIGRTMIN:      "SIGRTMIN",
	SIGRTMIN + 1:  "SIGRTMIN+1",
	SIGRTMIN + 2:  "SIGRTMIN+2",
	SIGRTMIN + 3:  "SIGRTMIN+3",
	SIGRTMIN + 4:  "SIGRTMIN+4",
	SIGRTMIN + 5:  "SIGRTMIN+5",
	SIGRTMIN + 6:  "SIGRTMIN+6",
	SIGRTMIN + 7:  "SIGRTMIN+7",
	SIGRTMIN + 8:  "SIGRTMIN+8",
	SIGRTMIN + 9:  "SIGRTMIN+9",
	SIGRTMIN + 10: "SIGRTMIN+10",
	SIGRTMIN + 11: "SIGRTMIN+11",
	SIGRTMIN + 12: "SIGRTMIN+12",
	SIGRTMIN + 13: "SIGRTMIN+13",
	SIGRTMIN + 14: "SIGRTMIN+14",
	SIGRTMIN + 15: "SIGRTMIN+15",
	SIGRTMIN + 16: "SIGRTMIN+16",
	SIGRTMIN + 17: "SIGRTMIN+17",
	SIGRTMIN + 18: "SIGRTMIN+18",
	SIGRTMIN + 19: "SIGRTMIN+19",
	SIGRTMIN + 20: "SIGRTMIN+20",
	SIGRTMIN + 21: "SIGRTMIN+21",
	SIGRTMIN + 22: "SIGRTMIN+22",
	SIGRTMIN + 23: "SIGRTMIN+23",
	SIGRTMIN + 24: "SIGRTMIN+24",
	SIGRTMIN + 25: "SIGRTMIN+25",
	SIGRTMIN + 26: "SIGRTMIN+26",
	SIGRTMIN + 27: "SIGRTMIN+27",
	SIGRTMIN + 28: "SIGRTMIN+28",
	SIGRTMIN + 29: "SIGRTMIN+29",
	SIGRTMIN + 30: "SIGRTMIN+30",
	SIGRTMIN + 31: "SIGRTMIN+31",
	SIGRTMAX:      "SIGRTMAX",
}

// SignalName returns the name of sig (for example "SIGINT", "SIGRTMIN+3"),
// or "" if sig is not a valid signal number.
//
//go:nosplit
func SignalName(sig Signal) string {
	if sig < 0 || sig >= NSIG {
		return ""
	}
	return signalNames[sig]
}

// Name returns SignalName(s).
//
//go:nosplit
func (s Signal) Name() string {
	return SignalName(s)
}

// sigaction sa_flags.
// Source: include/uapi/asm-generic/signal-defs.h; SA_RESTORER from
// arch/x86/include/uapi/asm/signal.h.
const (
	SA_NOCLDSTOP      = 0x00000001
	SA_NOCLDWAIT      = 0x00000002
	SA_SIGINFO        = 0x00000004
	SA_UNSUPPORTED    = 0x00000400 // never supported; used to probe flag support
	SA_EXPOSE_TAGBITS = 0x00000800 // arm64 only
	SA_RESTORER       = 0x04000000 // x86: Restorer holds the sigreturn trampoline
	SA_ONSTACK        = 0x08000000
	SA_RESTART        = 0x10000000
	SA_NODEFER        = 0x40000000
	SA_RESETHAND      = 0x80000000
	SA_NOMASK         = SA_NODEFER
	SA_ONESHOT        = SA_RESETHAND
)

// Special handler values for SigAction.Handler.
// Source: include/uapi/asm-generic/signal-defs.h.
const (
	SIG_DFL = 0 // default action
	SIG_IGN = 1 // ignore
)

// rt_sigprocmask "how" values.
// Source: include/uapi/asm-generic/signal-defs.h.
const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
)

// sigaltstack ss_flags and sizes.
// Source: include/uapi/linux/signal.h; sizes from
// arch/x86/include/uapi/asm/signal.h.
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = 1 << 31 // disable the alternate stack while handling
	SS_FLAG_BITS  = SS_AUTODISARM

	MINSIGSTKSZ = 2048
	SIGSTKSZ    = 8192
)

// SigAction is the kernel's struct sigaction as read and written by
// rt_sigaction(2) on x86-64 (32 bytes). This is the kernel ABI layout, not
// the C library's: the mask comes last and is only 8 bytes.
// Source: arch/x86/include/uapi/asm/signal.h, include/linux/signal_types.h.
type SigAction struct {
	Handler  uint64 // user address of the handler, or SIG_DFL / SIG_IGN
	Flags    uint64 // SA_*
	Restorer uint64 // user address of the sigreturn trampoline (SA_RESTORER)
	Mask     uint64 // SigSet of signals blocked while the handler runs
}

// SigAltStack is stack_t as used by sigaltstack(2) and in ucontext (24
// bytes). Source: arch/x86/include/uapi/asm/signal.h.
type SigAltStack struct {
	SP    uint64 // ss_sp: user address of the stack base
	Flags int32  // ss_flags: SS_*
	_     int32
	Size  uint64 // ss_size
}

// SignalInfo is siginfo_t on x86-64 (128 bytes). The union starts at
// offset 16; its interpretation depends on Signo and Code.
// Source: include/uapi/asm-generic/siginfo.h.
type SignalInfo struct {
	Signo  int32 // si_signo
	Errno  int32 // si_errno
	Code   int32 // si_code: SI_*, or a signal-specific code (ILL_*, ...)
	_      int32
	Fields [112]byte // the _sifields union
}

// Offsets of commonly used siginfo_t union members from the start of
// SignalInfo. Source: include/uapi/asm-generic/siginfo.h.
const (
	SiginfoPidOffset          = 16 // si_pid (int32): kill, sigchld, rt
	SiginfoUidOffset          = 20 // si_uid (uint32): kill, sigchld, rt
	SiginfoStatusOffset       = 24 // si_status (int32): sigchld
	SiginfoValueOffset        = 24 // si_value (sigval, 8 bytes): rt, timer
	SiginfoUtimeOffset        = 32 // si_utime (clock_t): sigchld
	SiginfoStimeOffset        = 40 // si_stime (clock_t): sigchld
	SiginfoAddrOffset         = 16 // si_addr (pointer): SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP
	SiginfoTimerIDOffset      = 16 // si_tid (int32): POSIX timers
	SiginfoOverrunOffset      = 20 // si_overrun (int32): POSIX timers
	SiginfoTimerPrivateOffset = 32 // si_sys_private (int32, the kernel's; 8 bytes of room): POSIX timers
	SiginfoBandOffset         = 16 // si_band (long): SIGPOLL
	SiginfoFdOffset           = 24 // si_fd (int32): SIGPOLL
	SiginfoCallAddrOffset     = 16 // si_call_addr (pointer): SIGSYS
	SiginfoSyscallOffset      = 24 // si_syscall (int32): SIGSYS
	SiginfoArchOffset         = 28 // si_arch (uint32): SIGSYS
)

// si_code values meaning "sent by", valid for any signal. Values <= 0 come
// from user space. Source: include/uapi/asm-generic/siginfo.h.
const (
	SI_USER     = 0    // kill, sigsend, raise
	SI_KERNEL   = 0x80 // sent by the kernel
	SI_QUEUE    = -1   // sigqueue
	SI_TIMER    = -2   // POSIX timer expiration
	SI_MESGQ    = -3   // POSIX message queue state change
	SI_ASYNCIO  = -4   // AIO completion
	SI_SIGIO    = -5   // queued SIGIO
	SI_TKILL    = -6   // tkill, tgkill
	SI_DETHREAD = -7   // execve killing subsidiary threads
	SI_ASYNCNL  = -60  // glibc async name lookup completion
)

// SIGILL si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	ILL_ILLOPC   = 1 // illegal opcode
	ILL_ILLOPN   = 2 // illegal operand
	ILL_ILLADR   = 3 // illegal addressing mode
	ILL_ILLTRP   = 4 // illegal trap
	ILL_PRVOPC   = 5 // privileged opcode
	ILL_PRVREG   = 6 // privileged register
	ILL_COPROC   = 7 // coprocessor error
	ILL_BADSTK   = 8 // internal stack error
	ILL_BADIADDR = 9 // unimplemented instruction address
)

// SIGFPE si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	FPE_INTDIV   = 1  // integer divide by zero
	FPE_INTOVF   = 2  // integer overflow
	FPE_FLTDIV   = 3  // floating-point divide by zero
	FPE_FLTOVF   = 4  // floating-point overflow
	FPE_FLTUND   = 5  // floating-point underflow
	FPE_FLTRES   = 6  // floating-point inexact result
	FPE_FLTINV   = 7  // floating-point invalid operation
	FPE_FLTSUB   = 8  // subscript out of range
	FPE_FLTUNK   = 14 // undiagnosed floating-point exception
	FPE_CONDTRAP = 15 // trap on condition
)

// SIGSEGV si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	SEGV_MAPERR = 1 // address not mapped
	SEGV_ACCERR = 2 // invalid permissions for mapped object
	SEGV_BNDERR = 3 // failed address bound checks (MPX)
	SEGV_PKUERR = 4 // failed protection-key checks
)

// SIGBUS si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	BUS_ADRALN    = 1 // invalid address alignment
	BUS_ADRERR    = 2 // nonexistent physical address
	BUS_OBJERR    = 3 // object-specific hardware error
	BUS_MCEERR_AR = 4 // hardware memory error consumed; action required
	BUS_MCEERR_AO = 5 // hardware memory error detected; action optional
)

// SIGTRAP si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	TRAP_BRKPT  = 1 // process breakpoint
	TRAP_TRACE  = 2 // process trace trap
	TRAP_BRANCH = 3 // process taken-branch trap
	TRAP_HWBKPT = 4 // hardware breakpoint or watchpoint
	TRAP_UNK    = 5 // undiagnosed trap
	TRAP_PERF   = 6 // perf event with sigtrap=1
)

// SIGCHLD si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	CLD_EXITED    = 1 // child exited
	CLD_KILLED    = 2 // child was killed
	CLD_DUMPED    = 3 // child terminated abnormally (core dump)
	CLD_TRAPPED   = 4 // traced child trapped
	CLD_STOPPED   = 5 // child stopped
	CLD_CONTINUED = 6 // stopped child continued
)

// SIGPOLL si_codes. Source: include/uapi/asm-generic/siginfo.h.
const (
	POLL_IN  = 1 // data input available
	POLL_OUT = 2 // output buffers available
	POLL_MSG = 3 // input message available
	POLL_ERR = 4 // I/O error
	POLL_PRI = 5 // high-priority input available
	POLL_HUP = 6 // device disconnected
)

// SIGSYS si_codes. The C names are SYS_SECCOMP and SYS_USER_DISPATCH, which
// would collide with the system-call numbers SYS_SECCOMP (seccomp(2)) and
// so are renamed here. Source: include/uapi/asm-generic/siginfo.h.
const (
	SIGSYS_SECCOMP       = 1 // seccomp triggered (C: SYS_SECCOMP)
	SIGSYS_USER_DISPATCH = 2 // syscall user dispatch triggered (C: SYS_USER_DISPATCH)
)

// sigevent notification methods. Source: include/uapi/asm-generic/siginfo.h.
const (
	SIGEV_SIGNAL    = 0
	SIGEV_NONE      = 1
	SIGEV_THREAD    = 2
	SIGEV_THREAD_ID = 4
)
