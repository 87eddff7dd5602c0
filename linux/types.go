package linux

// General-purpose structures shared by many system calls. All are the
// x86-64 (LP64) layouts; sizes are pinned in layout_test.go.

// Timespec is struct timespec / __kernel_timespec (16 bytes).
// Source: include/uapi/linux/time_types.h.
type Timespec struct {
	Sec  int64
	Nsec int64
}

// NsecToTimespec splits nanoseconds since the epoch (or any origin) into
// seconds and nanoseconds, the latter in [0, 1e9) as Linux's
// ns_to_timespec64 gives them for negative times too.
//
//go:nosplit
func NsecToTimespec(ns int64) Timespec {
	t := Timespec{ns / 1e9, ns % 1e9}
	if t.Nsec < 0 {
		t.Sec--
		t.Nsec += 1e9
	}
	return t
}

// Timeval is struct timeval / __kernel_old_timeval (16 bytes).
// Source: include/uapi/linux/time_types.h.
type Timeval struct {
	Sec  int64
	Usec int64
}

// Itimerval is struct itimerval for getitimer/setitimer (32 bytes).
// Source: include/uapi/linux/time.h.
type Itimerval struct {
	Interval Timeval
	Value    Timeval
}

// Itimerspec is struct itimerspec for timer_settime/timerfd_settime
// (32 bytes). Source: include/uapi/linux/time_types.h.
type Itimerspec struct {
	Interval Timespec
	Value    Timespec
}

// Clock IDs for clock_gettime and friends.
// Source: include/uapi/linux/time.h.
const (
	CLOCK_REALTIME           = 0
	CLOCK_MONOTONIC          = 1
	CLOCK_PROCESS_CPUTIME_ID = 2
	CLOCK_THREAD_CPUTIME_ID  = 3
	CLOCK_MONOTONIC_RAW      = 4
	CLOCK_REALTIME_COARSE    = 5
	CLOCK_MONOTONIC_COARSE   = 6
	CLOCK_BOOTTIME           = 7
	CLOCK_REALTIME_ALARM     = 8
	CLOCK_BOOTTIME_ALARM     = 9
	CLOCK_SGI_CYCLE          = 10 // unused, historical
	CLOCK_TAI                = 11
)

// TIMER_ABSTIME: the time argument of clock_nanosleep / timer_settime is
// absolute. Source: include/uapi/linux/time.h.
const TIMER_ABSTIME = 0x01

// Interval-timer kinds for getitimer/setitimer.
// Source: include/uapi/linux/time.h.
const (
	ITIMER_REAL    = 0
	ITIMER_VIRTUAL = 1
	ITIMER_PROF    = 2
)

// Rlimit is struct rlimit / rlimit64 on x86-64 (16 bytes).
// Source: include/uapi/linux/resource.h.
type Rlimit struct {
	Cur uint64 // soft limit
	Max uint64 // hard limit
}

// RLIM_INFINITY means "no limit". Source: include/uapi/linux/resource.h
// (RLIM64_INFINITY; RLIM_INFINITY is ~0UL on x86-64).
const RLIM_INFINITY = ^uint64(0)

// Resource numbers for getrlimit/setrlimit/prlimit64.
// Source: include/uapi/asm-generic/resource.h.
const (
	RLIMIT_CPU        = 0  // CPU time, seconds
	RLIMIT_FSIZE      = 1  // maximum file size
	RLIMIT_DATA       = 2  // maximum data segment size
	RLIMIT_STACK      = 3  // maximum stack size
	RLIMIT_CORE       = 4  // maximum core file size
	RLIMIT_RSS        = 5  // maximum resident set size
	RLIMIT_NPROC      = 6  // maximum number of processes
	RLIMIT_NOFILE     = 7  // maximum number of open files
	RLIMIT_MEMLOCK    = 8  // maximum locked-in-memory address space
	RLIMIT_AS         = 9  // address-space limit
	RLIMIT_LOCKS      = 10 // maximum file locks held
	RLIMIT_SIGPENDING = 11 // maximum number of pending signals
	RLIMIT_MSGQUEUE   = 12 // maximum bytes in POSIX message queues
	RLIMIT_NICE       = 13 // maximum nice priority allowed to raise to
	RLIMIT_RTPRIO     = 14 // maximum real-time priority
	RLIMIT_RTTIME     = 15 // timeout for real-time tasks, microseconds
	RLIM_NLIMITS      = 16
)

// Rusage is struct rusage (144 bytes). Source: include/uapi/linux/resource.h.
type Rusage struct {
	Utime    Timeval // user CPU time
	Stime    Timeval // system CPU time
	Maxrss   int64   // maximum resident set size, KiB
	Ixrss    int64
	Idrss    int64
	Isrss    int64
	Minflt   int64 // page reclaims (soft faults)
	Majflt   int64 // page faults (hard faults)
	Nswap    int64
	Inblock  int64 // block input operations
	Oublock  int64 // block output operations
	Msgsnd   int64
	Msgrcv   int64
	Nsignals int64
	Nvcsw    int64 // voluntary context switches
	Nivcsw   int64 // involuntary context switches
}

// "who" values for getrusage (RUSAGE_BOTH is kernel-internal, used by wait4).
// Source: include/uapi/linux/resource.h.
const (
	RUSAGE_SELF     = 0
	RUSAGE_CHILDREN = -1
	RUSAGE_BOTH     = -2
	RUSAGE_THREAD   = 1
)

// Tms is struct tms for times(2) (32 bytes); values are in USER_HZ ticks.
// Source: include/uapi/linux/times.h.
type Tms struct {
	Utime  int64
	Stime  int64
	Cutime int64
	Cstime int64
}

// USER_HZ is the tick rate user space sees (times(2), AT_CLKTCK) on x86.
// Source: arch/x86/include/uapi/asm/param.h (HZ as exported to user space).
const USER_HZ = 100

// UTSLen is the size of each Utsname field, including the NUL.
// Source: include/uapi/linux/utsname.h (__NEW_UTS_LEN + 1).
const UTSLen = 65

// Utsname is struct new_utsname as returned by uname(2) (390 bytes).
// Source: include/uapi/linux/utsname.h.
type Utsname struct {
	Sysname    [UTSLen]byte
	Nodename   [UTSLen]byte
	Release    [UTSLen]byte
	Version    [UTSLen]byte
	Machine    [UTSLen]byte
	Domainname [UTSLen]byte
}

// Iovec is struct iovec for readv/writev and friends (16 bytes).
// Source: include/uapi/linux/uio.h.
type Iovec struct {
	Base uint64 // user address
	Len  uint64
}

// UIO_MAXIOV is the maximum number of Iovec entries per call.
// Source: include/uapi/linux/uio.h.
const UIO_MAXIOV = 1024

// Sysinfo is struct sysinfo (112 bytes on x86-64). Source:
// include/uapi/linux/sysinfo.h.
type Sysinfo struct {
	Uptime    int64     // seconds since boot
	Loads     [3]uint64 // 1, 5 and 15 minute load averages, scaled by 1<<SI_LOAD_SHIFT
	Totalram  uint64
	Freeram   uint64
	Sharedram uint64
	Bufferram uint64
	Totalswap uint64
	Freeswap  uint64
	Procs     uint16 // number of current tasks
	_         uint16
	_         uint32
	Totalhigh uint64
	Freehigh  uint64
	MemUnit   uint32 // the unit of the memory figures, in bytes
	_         uint32
}

// SI_LOAD_SHIFT scales Sysinfo.Loads. Source: include/uapi/linux/sysinfo.h.
const SI_LOAD_SHIFT = 16
