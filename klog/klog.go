// Package klog is the kernel log: every line the kernel prints is also a
// record (sequence number, microseconds since boot, facility, level, text)
// in a fixed ring of BufLen bytes, as Linux's printk buffer, read through
// syslog(2) and /dev/kmsg. It also holds the console's verbosity
// (console_loglevel: lines of a level at or above it go only to the ring)
// and the rate limiter for messages users can repeat.
//
// The record path (Store) is //go:nosplit and allocation-free: it runs in
// interrupt context and before the runtime starts. The ring is guarded by
// lock, an arch.Spinlock taken with Lock (interrupts off, nestable; the
// paths here are not the per-system-call ones LockIRQ is for).
package klog

import (
	"sync/atomic"
	"unsafe"

	"sigil/arch"
	"sigil/clock"
)

// BufLen is the ring's size: Debian's CONFIG_LOG_BUF_SHIFT=17, the
// log_buf_len syslog's SIZE_BUFFER reports on Linux 6.1 in the same QEMU.
const BufLen = 1 << 17

// Console levels (include/linux/printk.h, Debian's configuration).
const (
	DefaultMessageLevel = LevelWarning // MESSAGE_LOGLEVEL_DEFAULT: lines without a level
	DefaultConsoleLevel = 7            // CONSOLE_LOGLEVEL_DEFAULT
	QuietConsoleLevel   = 4            // CONSOLE_LOGLEVEL_QUIET ("quiet")
	DebugConsoleLevel   = 10           // CONSOLE_LOGLEVEL_DEBUG ("debug")
	MinConsoleLevel     = 1            // CONSOLE_LOGLEVEL_MIN
)

var (
	// lock guards logBuf and log, and the syslog readers' state: sysSeq,
	// sysPartial, clear.
	lock   arch.Spinlock
	logBuf [BufLen]byte
	log    Ring // over logBuf: set by the first Store (boot0 logs before package initialisation)

	// syslog(2)'s reader (SYSLOG_ACTION_READ): the next record and the
	// bytes of its text already read (syslog_seq, syslog_partial).
	sysSeq     Cursor
	sysPartial int
	// clear is where READ_ALL starts: past the last CLEAR (clear_seq).
	clear Cursor

	// published is log.NextSeq, readable without the lock by waiters.
	published atomic.Uint64

	// consoleLevel is console_loglevel+1 (0: not set yet, the default):
	// the console shows lines of a lower level. savedLevel is syslog CONSOLE_OFF's saved level, -1 when
	// none (both atomic: read by every printed line, without the lock).
	consoleLevel atomic.Int32
	savedLevel   atomic.Int32

	// DmesgRestrict is kernel.dmesg_restrict: 1 (Debian's
	// CONFIG_SECURITY_DMESG_RESTRICT) makes every syslog action need
	// CAP_SYSLOG; 0 lets READ_ALL and SIZE_BUFFER through for everyone.
	DmesgRestrict atomic.Int32
)

func init() {
	savedLevel.Store(-1)
	DmesgRestrict.Store(1)
}

// ConsoleLevel is console_loglevel (DefaultConsoleLevel until set).
//
//go:nosplit
func ConsoleLevel() int {
	if l := consoleLevel.Load(); l != 0 {
		return int(l) - 1
	}
	return DefaultConsoleLevel
}

// SetConsoleLevel sets console_loglevel (loglevel=, quiet and debug on
// the command line, syslog CONSOLE_LEVEL).
//
//go:nosplit
func SetConsoleLevel(l int) { consoleLevel.Store(int32(l) + 1) }

// Shown reports whether a line of level goes to the console.
//
//go:nosplit
func Shown(level int) bool { return level < ConsoleLevel() }

// now is the timestamp of a record: microseconds of CLOCK_MONOTONIC, 0
// before the clock is calibrated (as Linux's earliest lines).
//
//go:nosplit
func now() uint64 {
	if clock.TSCHz() == 0 {
		return 0
	}
	return uint64(clock.Nanotime()) / 1000
}

// Store records a line of text (without its newline) at facility and
// level, from any context. A CPU that already holds lock (a fault in the
// middle of storing, reported by the same CPU) drops the line rather
// than deadlock: the console still shows it.
//
//go:nosplit
func Store(facility, level int, text []byte) {
	ts := now()
	if lock.Held() {
		return
	}
	lock.Lock()
	attach()
	log.Store(uint8(facility), uint8(level), ts, text)
	published.Store(log.NextSeq())
	lock.Unlock()
}

// attach points log at logBuf the first time. Under lock.
//
//go:nosplit
func attach() {
	if log.base == 0 {
		log.base, log.size = uintptr(unsafe.Pointer(&logBuf)), BufLen
	}
}

// NextSeq is the sequence number the next record will get; a change
// means new records (waiters compare it without the lock).
func NextSeq() uint64 { return published.Load() }
