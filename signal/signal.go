// Package signal is Sigil's signal state and its Linux encodings:
// signal sets, pending bitmaps for standard signals and FIFO queues for
// real-time ones, dequeue order, default actions, and the x86-64
// rt_sigframe that handlers receive. It is hardware-free (tested on the
// host) and allocation-free, so both the user-process code and the kernel's
// interrupt context can use it.
//
// Reference: POSIX.1-2017 "Signal Concepts"; Linux's kernel/signal.c and
// arch/x86/kernel/signal.c for the exact semantics and layout.
package signal

import (
	"encoding/binary"

	"sigil/linux"
)

// Set is a set of signals 1..64; signal n is bit n-1.
type Set uint64

// Bit returns the set holding only sig.
//
//go:nosplit
func Bit(sig int) Set { return 1 << uint(sig-1) }

// Has reports whether sig is in s.
//
//go:nosplit
func (s Set) Has(sig int) bool { return sig >= 1 && sig <= 64 && s&Bit(sig) != 0 }

// Unblockable are the signals no mask can hold back.
const Unblockable = Set(1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1))

// synchronous are the signals CPU faults raise; they are dequeued first so
// a fault is handled before anything queued earlier (kernel/signal.c,
// SYNCHRONOUS_MASK).
const synchronous = Set(1<<(linux.SIGSEGV-1) | 1<<(linux.SIGBUS-1) | 1<<(linux.SIGILL-1) |
	1<<(linux.SIGTRAP-1) | 1<<(linux.SIGFPE-1) | 1<<(linux.SIGSYS-1))

// Valid reports whether sig names a signal.
//
//go:nosplit
func Valid(sig int) bool { return sig >= 1 && sig < linux.NSIG }

// IsRealtime reports whether sig is queued rather than coalesced.
//
//go:nosplit
func IsRealtime(sig int) bool { return sig >= int(linux.SIGRTMIN) && sig <= int(linux.SIGRTMAX) }

// Default dispositions (signal(7)).
type Default uint8

const (
	Terminate Default = iota
	Core              // terminate with a core dump (none is written here)
	Stop
	Continue
	Ignore
)

// DefaultAction returns what SIG_DFL does with sig.
//
//go:nosplit
func DefaultAction(sig int) Default {
	switch linux.Signal(sig) {
	case linux.SIGQUIT, linux.SIGILL, linux.SIGTRAP, linux.SIGABRT, linux.SIGBUS, linux.SIGFPE,
		linux.SIGSEGV, linux.SIGXCPU, linux.SIGXFSZ, linux.SIGSYS:
		return Core
	case linux.SIGSTOP, linux.SIGTSTP, linux.SIGTTIN, linux.SIGTTOU:
		return Stop
	case linux.SIGCONT:
		return Continue
	case linux.SIGCHLD, linux.SIGURG, linux.SIGWINCH:
		return Ignore
	}
	return Terminate
}

// Info builds a siginfo with si_signo and si_code set.
//
//go:nosplit
func Info(sig int, code int32) linux.SignalInfo {
	return linux.SignalInfo{Signo: int32(sig), Code: code}
}

//go:nosplit
func put32(b []byte, off int, v uint32) { binary.LittleEndian.PutUint32(b[off:], v) } // one store, not four

//go:nosplit
func put64(b []byte, off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }

//go:nosplit
func get32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

// SetSender records si_pid and si_uid (kill, sigqueue, SIGCHLD).
//
//go:nosplit
func SetSender(i *linux.SignalInfo, pid int32, uid uint32) {
	put32(i.Fields[:], linux.SiginfoPidOffset-16, uint32(pid))
	put32(i.Fields[:], linux.SiginfoUidOffset-16, uid)
}

// Sender returns si_pid.
//
//go:nosplit
func Sender(i *linux.SignalInfo) int32 { return int32(get32(i.Fields[:], linux.SiginfoPidOffset-16)) }

// SetValue records si_value (sigqueue).
//
//go:nosplit
func SetValue(i *linux.SignalInfo, v uint64) { put64(i.Fields[:], linux.SiginfoValueOffset-16, v) }

// Value returns si_value.
//
//go:nosplit
func Value(i *linux.SignalInfo) uint64 {
	return binary.LittleEndian.Uint64(i.Fields[linux.SiginfoValueOffset-16:])
}

// SetAddr records si_addr (faults).
//
//go:nosplit
func SetAddr(i *linux.SignalInfo, addr uint64) { put64(i.Fields[:], linux.SiginfoAddrOffset-16, addr) }

// SetStatus records SIGCHLD's si_status.
//
//go:nosplit
func SetStatus(i *linux.SignalInfo, status int32) {
	put32(i.Fields[:], linux.SiginfoStatusOffset-16, uint32(status))
}
