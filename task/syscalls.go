package task

import (
	"fmt"
	"maps"
	"time"

	"sigil/linux"
)

type sysFunc func(t *Thread, a *args) (uint64, error)

// table maps Linux x86-64 system-call numbers to handlers for user
// programs. (Filled by init: handlers reach dispatch through clone.)
var table map[uint64]sysFunc

func init() {
	table = map[uint64]sysFunc{
		linux.SYS_READ: sysRead, linux.SYS_WRITE: sysWrite, linux.SYS_OPEN: sysOpen, linux.SYS_CLOSE: sysClose,
		linux.SYS_STAT: sysStat, linux.SYS_FSTAT: sysFstat, linux.SYS_LSTAT: sysLstat, linux.SYS_POLL: sysPoll,
		linux.SYS_LSEEK: sysLseek, linux.SYS_MMAP: sysMmap, linux.SYS_MPROTECT: sysMprotect, linux.SYS_MUNMAP: sysMunmap,
		linux.SYS_BRK: sysBrk, linux.SYS_RT_SIGACTION: sysRtSigaction, linux.SYS_RT_SIGPROCMASK: sysRtSigprocmask,
		linux.SYS_IOCTL: sysIoctl, linux.SYS_PREAD64: sysPread64, linux.SYS_READV: sysReadv, linux.SYS_WRITEV: sysWritev,
		linux.SYS_ACCESS: sysAccess, linux.SYS_PIPE: sysPipe, linux.SYS_SCHED_YIELD: sysSchedYield,
		linux.SYS_MADVISE: sysMadvise, linux.SYS_DUP: sysDup, linux.SYS_DUP2: sysDup2, linux.SYS_NANOSLEEP: sysNanosleep,
		linux.SYS_GETPID: sysGetpid, linux.SYS_CLONE: sysClone, linux.SYS_FORK: sysFork, linux.SYS_VFORK: sysVfork,
		linux.SYS_EXECVE: sysExecve, linux.SYS_EXIT: sysExit, linux.SYS_WAIT4: sysWait4, linux.SYS_KILL: sysKill,
		linux.SYS_UNAME: sysUname, linux.SYS_FCNTL: sysFcntl, linux.SYS_GETCWD: sysGetcwd, linux.SYS_CHDIR: sysChdir,
		linux.SYS_FCHDIR: sysFchdir, linux.SYS_READLINK: sysReadlink, linux.SYS_GETTIMEOFDAY: sysGettimeofday,
		linux.SYS_GETRLIMIT: sysGetrlimit, linux.SYS_SETRLIMIT: sysSetrlimit,

		linux.SYS_SETPGID: sysSetpgid, linux.SYS_GETPPID: sysGetppid,
		linux.SYS_GETPGRP: sysGetpgrp, linux.SYS_SETSID: sysSetsid, linux.SYS_GETPGID: sysGetpgid,
		linux.SYS_GETSID: sysGetsid, linux.SYS_SIGALTSTACK: sysSigaltstack, linux.SYS_PRCTL: sysPrctl,
		linux.SYS_ARCH_PRCTL: sysArchPrctl, linux.SYS_GETTID: sysGettid, linux.SYS_TKILL: sysTkill,
		linux.SYS_TIME: sysTime, linux.SYS_FUTEX: sysFutex, linux.SYS_SCHED_GETAFFINITY: sysSchedGetaffinity,
		linux.SYS_EPOLL_CREATE: sysEpollCreate, linux.SYS_GETDENTS64: sysGetdents64,
		linux.SYS_SET_TID_ADDRESS: sysSetTidAddress, linux.SYS_CLOCK_GETTIME: sysClockGettime,
		linux.SYS_CLOCK_GETRES: sysClockGetres, linux.SYS_CLOCK_NANOSLEEP: sysClockNanosleep,
		linux.SYS_EXIT_GROUP: sysExitGroup, linux.SYS_EPOLL_WAIT: sysEpollPwait, linux.SYS_EPOLL_CTL: sysEpollCtl,
		linux.SYS_TGKILL: sysTgkill, linux.SYS_WAITID: sysWaitid, linux.SYS_OPENAT: sysOpenat,
		linux.SYS_NEWFSTATAT: sysNewfstatat, linux.SYS_READLINKAT: sysReadlinkat, linux.SYS_FACCESSAT: sysFaccessat,
		linux.SYS_PPOLL: sysPpoll, linux.SYS_SET_ROBUST_LIST: sysIgnore, linux.SYS_EPOLL_PWAIT: sysEpollPwait,
		linux.SYS_EVENTFD2: sysEventfd2, linux.SYS_EPOLL_CREATE1: sysEpollCreate1, linux.SYS_DUP3: sysDup3,
		linux.SYS_PIPE2: sysPipe2, linux.SYS_PRLIMIT64: sysPrlimit64, linux.SYS_GETRANDOM: sysGetrandom,
		linux.SYS_STATX:        sysStatx,
		linux.SYS_RT_SIGRETURN: sysRtSigreturn, linux.SYS_RT_SIGPENDING: sysRtSigpending,
		linux.SYS_RT_SIGSUSPEND: sysRtSigsuspend, linux.SYS_RT_SIGTIMEDWAIT: sysRtSigtimedwait,
		linux.SYS_RT_SIGQUEUEINFO: sysRtSigqueueinfo, linux.SYS_RT_TGSIGQUEUEINFO: sysRtTgsigqueueinfo,
		linux.SYS_PAUSE: sysPause, linux.SYS_ALARM: sysAlarm, linux.SYS_SETITIMER: sysSetitimer,
		linux.SYS_GETITIMER: sysGetitimer, linux.SYS_SIGNALFD4: sysSignalfd4, linux.SYS_SIGNALFD: sysSignalfd, linux.SYS_MLOCK: sysIgnore, linux.SYS_MUNLOCK: sysIgnore,
		linux.SYS_MREMAP: sysMremap, linux.SYS_MINCORE: sysMincore, linux.SYS_MSYNC: sysMsync,
		linux.SYS_CLONE3: sysClone3, linux.SYS_PIDFD_OPEN: sysPidfdOpen, linux.SYS_PIDFD_SEND_SIGNAL: sysPidfdSendSignal, linux.SYS_PIDFD_GETFD: sysPidfdGetfd,
		linux.SYS_CLOSE_RANGE: sysCloseRange, linux.SYS_FACCESSAT2: sysFaccessat2, linux.SYS_SYNC: sysSync,
		linux.SYS_IOPERM: sysIoperm, linux.SYS_IOPL: sysIopl,
		linux.SYS_EXECVEAT: sysExecveat, linux.SYS_SYNCFS: sysSyncfs, linux.SYS_MEMBARRIER: sysMembarrier, linux.SYS_SYSINFO: sysSysinfo, linux.SYS_REBOOT: sysReboot,
		linux.SYS_SOCKET: sysSocket, linux.SYS_SOCKETPAIR: sysSocketpair, linux.SYS_BIND: sysBind,
		linux.SYS_LISTEN: sysListen, linux.SYS_CONNECT: sysConnect, linux.SYS_ACCEPT: sysAccept,
		linux.SYS_ACCEPT4: sysAccept4, linux.SYS_SHUTDOWN: sysShutdown, linux.SYS_GETSOCKNAME: sysGetsockname,
		linux.SYS_GETPEERNAME: sysGetpeername, linux.SYS_SENDTO: sysSendto, linux.SYS_RECVFROM: sysRecvfrom,
		linux.SYS_SENDMSG: sysSendmsg, linux.SYS_RECVMSG: sysRecvmsg, linux.SYS_SETSOCKOPT: sysSetsockopt,
		linux.SYS_GETSOCKOPT: sysGetsockopt, linux.SYS_SYSLOG: sysSyslog,
	}
	maps.Copy(table, fileSystemCalls)
	maps.Copy(table, credCalls)
	maps.Copy(table, waitCalls)
	maps.Copy(table, schedCalls)
	maps.Copy(table, utsCalls)
	maps.Copy(table, memfdCalls)
	maps.Copy(table, unshareCalls)
	maps.Copy(table, timerfdCalls)
	maps.Copy(table, map[uint64]sysFunc{
		linux.SYS_TIMER_CREATE: sysTimerCreate, linux.SYS_TIMER_SETTIME: sysTimerSettime,
		linux.SYS_TIMER_GETTIME: sysTimerGettime, linux.SYS_TIMER_GETOVERRUN: sysTimerGetoverrun,
		linux.SYS_TIMER_DELETE: sysTimerDelete, linux.SYS_FLOCK: sysFlock,
	})
}

// sysIgnore accepts calls whose effect does not exist here (robust futex
// lists: no thread dies holding a futex without its process dying).
func sysIgnore(t *Thread, a *args) (uint64, error) { return 0, nil }

// unknownCalls is a process's record of system calls it made that Sigil
// does not have. Linux logs nothing; Sigil says what is missing, but at
// most logLimit distinct numbers per process, the rest counted and summed
// up in one line at exit, so that no program can flood the console (a
// number scanner makes thousands). Guarded by the process's mu.
type unknownCalls struct {
	logged [logLimit]uint64
	n      int    // numbers logged
	more   uint64 // calls not logged
}

const logLimit = 4

// quietlyUnknown are calls programs make to probe for a feature and expect
// ENOSYS from, logged never.
var quietlyUnknown = map[uint64]bool{
	linux.SYS_RSEQ: true, // glibc registers restartable sequences if it can
}

func dispatch(t *Thread, nr uint64, a *args) (uint64, error) {
	if f := table[nr]; f != nil {
		return f(t, a)
	}
	if !quietlyUnknown[nr] {
		t.p.unknownCall(nr)
	}
	return 0, linux.ENOSYS
}

// unknownCall logs nr the first time p makes it, while p has logged fewer
// than logLimit numbers; otherwise it only counts it.
func (p *Process) unknownCall(nr uint64) {
	p.mu.Lock()
	u := &p.unknown
	for _, n := range u.logged[:u.n] {
		if n == nr {
			p.mu.Unlock()
			return
		}
	}
	if u.n == logLimit {
		u.more++
		p.mu.Unlock()
		return
	}
	// Beyond each process's own limit, the lines of all processes
	// together are rate-limited as printk_ratelimit: a line refused here
	// counts in the process's sum at exit.
	ok, suppressed := printkRatelimit.Allow(time.Now().UnixNano(), false)
	if suppressed != 0 {
		fmt.Printf("sigil: unknownCall: %d callbacks suppressed\n", suppressed)
	}
	if !ok {
		u.more++
		p.mu.Unlock()
		return
	}
	u.logged[u.n] = nr
	u.n++
	pid, comm := p.PID, p.comm
	p.mu.Unlock()
	name := linux.SyscallName(uintptr(nr))
	if name == "" {
		name = "?"
	}
	fmt.Printf("sigil: unimplemented syscall %d (%s) from pid %d (%s): ENOSYS\n", nr, name, pid, comm)
}

// reportUnknown sums up the unknown calls p made beyond those it logged,
// as p exits (its threads are gone: nothing changes the record).
func (p *Process) reportUnknown() {
	if u := &p.unknown; u.more != 0 {
		fmt.Printf("sigil: pid %d (%s) made %d more unimplemented system calls (ENOSYS), not logged\n",
			p.PID, p.comm, u.more)
	}
}
