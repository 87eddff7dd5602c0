// Package sys is Sigil's Linux system-call layer. Today its only caller is
// the Go runtime hosting the kernel, whose SYSCALL instructions at CPL 0 land
// here through the irq package's SYSCALL entry; user programs will share the
// same numbers, errno values and structure layouts.
//
// Handlers run in interrupt context (IF clear, on the per-CPU kernel stack)
// under the scheduler lock (sched.Lock): //go:nosplit, no allocation, no
// other lock but spinlocks taken after it. A handler sets the result in RAX
// itself (ret, fail) before anything that may switch threads, because after
// sched.Block or sched.Yield the Context belongs to another thread.
package sys

import (
	"unsafe"

	"sigil/arch"
	"sigil/console"
	"sigil/irq"
	"sigil/linux"
	"sigil/sched"
)

type handler func(c *irq.Context)

// table maps system-call numbers to handlers. Its initialiser is static
// data, so it works before the runtime has run any init function.
var table = [...]handler{
	linux.SYS_READ:              sysRead,
	linux.SYS_WRITE:             sysWrite,
	linux.SYS_CLOSE:             sysClose,
	linux.SYS_FSTAT:             sysFstat,
	linux.SYS_MMAP:              sysMmap,
	linux.SYS_MUNMAP:            sysMunmap,
	linux.SYS_RT_SIGACTION:      sysRtSigaction,
	linux.SYS_RT_SIGPROCMASK:    sysRtSigprocmask,
	linux.SYS_RT_SIGRETURN:      sysRtSigreturn,
	linux.SYS_IOCTL:             sysIoctl,
	linux.SYS_PREAD64:           sysPread64,
	linux.SYS_WRITEV:            sysWritev,
	linux.SYS_SCHED_YIELD:       sysSchedYield,
	linux.SYS_MADVISE:           sysMadvise,
	linux.SYS_NANOSLEEP:         sysNanosleep,
	linux.SYS_GETPID:            sysGetpid,
	linux.SYS_CLONE:             sysClone,
	linux.SYS_EXIT:              sysExit,
	linux.SYS_KILL:              sysKill,
	linux.SYS_UNAME:             sysUname,
	linux.SYS_FCNTL:             sysFcntl,
	linux.SYS_GETTIMEOFDAY:      sysGettimeofday,
	linux.SYS_GETRLIMIT:         sysGetrlimit,
	linux.SYS_GETUID:            sysGetID,
	linux.SYS_GETGID:            sysGetID,
	linux.SYS_GETEUID:           sysGetID,
	linux.SYS_GETEGID:           sysGetID,
	linux.SYS_GETPPID:           sysGetppid,
	linux.SYS_SIGALTSTACK:       sysSigaltstack,
	linux.SYS_PRCTL:             sysPrctl,
	linux.SYS_ARCH_PRCTL:        sysArchPrctl,
	linux.SYS_GETTID:            sysGettid,
	linux.SYS_TKILL:             sysTkill,
	linux.SYS_TIME:              sysTime,
	linux.SYS_FUTEX:             sysFutex,
	linux.SYS_SCHED_GETAFFINITY: sysSchedGetaffinity,
	linux.SYS_SCHED_SETAFFINITY: sysSchedSetaffinity,
	linux.SYS_EPOLL_CREATE:      sysEpollCreate,
	linux.SYS_CLOCK_GETTIME:     sysClockGettime,
	linux.SYS_CLOCK_GETRES:      sysClockGetres,
	linux.SYS_CLOCK_NANOSLEEP:   sysClockNanosleep,
	linux.SYS_EXIT_GROUP:        sysExitGroup,
	linux.SYS_EPOLL_WAIT:        sysEpollWait,
	linux.SYS_EPOLL_CTL:         sysEpollCtl,
	linux.SYS_TGKILL:            sysTgkill,
	linux.SYS_OPENAT:            sysOpenat,
	linux.SYS_READLINKAT:        sysReadlinkat,
	linux.SYS_EPOLL_PWAIT:       sysEpollPwait,
	linux.SYS_EVENTFD2:          sysEventfd2,
	linux.SYS_EPOLL_CREATE1:     sysEpollCreate1,
	linux.SYS_PRLIMIT64:         sysPrlimit64,
	linux.SYS_GETRANDOM:         sysGetrandom,
}

// Implemented reports whether system call nr has a handler.
func Implemented(nr int) bool { return nr >= 0 && nr < len(table) && table[nr] != nil }

// Handle serves system call nr of the kernel's own runtime (package trap
// routes user programs' calls elsewhere).
//
//go:nosplit
func Handle(c *irq.Context, cpu *arch.CPU, nr uint64) {
	if nr == linux.SYS_NANOSLEEP && spinSleep(c) {
		return
	}
	if nr < uint64(len(table)) {
		if h := table[nr]; h != nil {
			sched.Lock() // see package sched: decide and block in one step
			h(c)
			if t := sched.OnCPU(cpu); t.Pending&^t.SigMask != 0 {
				deliverPending(c, t)
			}
			sched.Unlock()
			return
		}
	}
	unknown(c, nr)
}

var reported [8]uint64 // bitmap of unknown numbers already logged

//go:nosplit
func unknown(c *irq.Context, nr uint64) {
	if nr < 512 && reported[nr/64]&(1<<(nr%64)) == 0 {
		reported[nr/64] |= 1 << (nr % 64)
		console.Puts("sigil: unimplemented syscall ")
		console.PutDec(nr)
		if name := linux.SyscallName(uintptr(nr)); name != "" {
			console.Puts(" (")
			console.Puts(name)
			console.Puts(")")
		}
		console.Puts(": ENOSYS\n")
	}
	fail(c, linux.ENOSYS)
}

//go:nosplit
func ret(c *irq.Context, v uint64) { c.TF.RAX = v }

//go:nosplit
func fail(c *irq.Context, e linux.Errno) { c.TF.RAX = linux.Neg(e) }

// Arguments in the Linux x86-64 order (RDI, RSI, RDX, R10, R8, R9).
//
//go:nosplit
func args(c *irq.Context) (a1, a2, a3, a4, a5, a6 uint64) {
	f := &c.TF
	return f.RDI, f.RSI, f.RDX, f.R10, f.R8, f.R9
}

// at turns an address the kernel's own runtime passed into a pointer. The
// runtime is trusted; user memory will go through checked copies instead.
//
//go:nosplit
func at(addr uint64) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(nil), addr) }

//go:nosplit
func bytesAt(addr, n uint64) []byte { return unsafe.Slice((*byte)(at(addr)), n) }
