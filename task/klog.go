package task

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"sigil/console"
	"sigil/file"
	"sigil/klog"
	"sigil/linux"
	"sigil/mm"
	"sigil/vfs"
)

// The kernel log's user interfaces (kernel/printk/printk.c): syslog(2)
// and /dev/kmsg. The log itself is package klog; /proc/kmsg is not
// provided.

// devKmsg is /dev/kmsg's device number (1:11).
const devKmsg = 1<<8 | 11

// logPoll is how often a waiter for new records looks again: records are
// stored from interrupt context, which cannot wake a goroutine, so
// waiters (a blocked syslog READ or /dev/kmsg read, and the watcher that
// makes poll and epoll see new records) poll the log's sequence number.
const logPoll = 20 * time.Millisecond

// waitLog blocks t until ready reports true: ERESTARTSYS if a signal
// comes first (wait_event_interruptible).
func waitLog(t *Thread, ready func() bool) error {
	for !ready() {
		select {
		case <-t.Interrupted():
			return linux.ERESTARTSYS
		case <-time.After(logPoll):
		}
	}
	return nil
}

// syslogPermitted is check_syslog_permissions for an action: with
// kernel.dmesg_restrict 0 anyone may READ_ALL and SIZE_BUFFER; every
// other action, and all with dmesg_restrict 1, need CAP_SYSLOG, or
// CAP_SYS_ADMIN, which is accepted with a warning logged once.
func syslogPermitted(t *Thread, action int) error {
	if klog.DmesgRestrict.Load() == 0 && (action == linux.SYSLOG_ACTION_READ_ALL || action == linux.SYSLOG_ACTION_SIZE_BUFFER) {
		return nil
	}
	c := t.creds()
	if c.Capable(linux.CAP_SYSLOG) {
		return nil
	}
	if c.Capable(linux.CAP_SYS_ADMIN) {
		sysAdminSyslogWarning.Do(func() {
			fmt.Printf("<4>sigil: %s (%d): Attempt to access syslog with CAP_SYS_ADMIN but no CAP_SYSLOG (deprecated).\n",
				t.p.commName(), t.p.PID)
		})
		return nil
	}
	return linux.EPERM
}

var sysAdminSyslogWarning sync.Once

func sysSyslog(t *Thread, a *args) (uint64, error) {
	action, buf, size := int(int32(a[0])), a[1], int(int32(a[2]))
	if err := syslogPermitted(t, action); err != nil {
		return 0, err
	}
	switch action {
	case linux.SYSLOG_ACTION_CLOSE, linux.SYSLOG_ACTION_OPEN:
		return 0, nil
	case linux.SYSLOG_ACTION_READ, linux.SYSLOG_ACTION_READ_ALL, linux.SYSLOG_ACTION_READ_CLEAR:
		if buf == 0 || size < 0 {
			return 0, linux.EINVAL
		}
		if size == 0 {
			return 0, nil
		}
		if buf+uint64(size) > mm.UserEnd || buf+uint64(size) < buf {
			return 0, linux.EFAULT // access_ok
		}
		var out []byte
		if action == linux.SYSLOG_ACTION_READ {
			if err := waitLog(t, klog.SyslogReady); err != nil {
				return 0, err
			}
			out = klog.SyslogRead(size)
		} else {
			out = klog.SyslogReadAll(size, action == linux.SYSLOG_ACTION_READ_CLEAR)
		}
		if err := t.p.as.CopyOut(buf, out); err != nil {
			return 0, err
		}
		return uint64(len(out)), nil
	case linux.SYSLOG_ACTION_CLEAR:
		klog.SyslogClear()
	case linux.SYSLOG_ACTION_CONSOLE_OFF:
		klog.ConsoleOff()
	case linux.SYSLOG_ACTION_CONSOLE_ON:
		klog.ConsoleOn()
	case linux.SYSLOG_ACTION_CONSOLE_LEVEL:
		if size < 1 || size > 8 {
			return 0, linux.EINVAL
		}
		klog.SetConsoleLevelSyslog(size)
	case linux.SYSLOG_ACTION_SIZE_UNREAD:
		return uint64(klog.SyslogSizeUnread()), nil
	case linux.SYSLOG_ACTION_SIZE_BUFFER:
		return uint64(klog.Size()), nil
	default:
		return 0, linux.EINVAL
	}
	return 0, nil
}

// kmsgFile is an open /dev/kmsg (devkmsg_user): its place in the log, the
// rate limit of its writes, and the last writer's name for the report of
// suppressed lines at close.
type kmsgFile struct {
	node   *vfs.Node
	reader *klog.Reader // nil when opened write-only
	rs     *klog.Ratelimit
	mu     sync.Mutex // guards comm; serialises reads (user->lock)
	comm   string
}

// openKmsg is devkmsg_open: reading needs what syslog's READ_ALL needs.
func openKmsg(t *Thread, n *vfs.Node, flags uint64) (*file.File, error) {
	k := &kmsgFile{node: n, rs: klog.NewRatelimit()}
	if flags&linux.O_ACCMODE != linux.O_WRONLY {
		if t != nil {
			if err := syslogPermitted(t, linux.SYSLOG_ACTION_READ_ALL); err != nil {
				return nil, err
			}
		}
		k.reader = klog.NewReader()
		watchLog()
	}
	return file.New(k, n, flags), nil
}

// Read gives one record per call (devkmsg_read): EINVAL if it does not
// fit in p, EPIPE once if records were overwritten before this reader
// read them, EAGAIN or a wait when there is none.
func (k *kmsgFile) Read(c file.Caller, f *file.File, p []byte) (int, error) {
	if k.reader == nil {
		return 0, linux.EBADF
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	buf := make([]byte, 0, 8192) // CONSOLE_EXT_LOG_MAX
	for {
		out, ok, lost := k.reader.Next(buf)
		if lost {
			return 0, linux.EPIPE
		}
		if ok {
			if len(out) > len(p) {
				return 0, linux.EINVAL
			}
			return copy(p, out), nil
		}
		if f.NonBlock() {
			return 0, linux.EAGAIN
		}
		t, _ := c.(*Thread)
		if t == nil {
			return 0, linux.EAGAIN
		}
		if err := waitLog(t, func() bool { r, _ := k.reader.Ready(); return r }); err != nil {
			return 0, err
		}
	}
}

// Write logs one line (devkmsg_write): an optional "<N>" prefix gives the
// level and facility (LOG_USER when it gives none), one trailing newline
// is dropped; lines past the rate limit are counted, not logged, and the
// call still succeeds.
func (k *kmsgFile) Write(c file.Caller, _ *file.File, p []byte) (int, error) {
	if len(p) > klog.LineMax {
		return 0, linux.EINVAL
	}
	if t, ok := c.(*Thread); ok {
		k.mu.Lock()
		k.comm = t.p.commName()
		k.mu.Unlock()
	}
	if ok, _ := k.rs.Allow(time.Now().UnixNano(), true); !ok {
		return len(p), nil
	}
	fac, lvl, text := klog.ParseUserPrefix(p, klog.FacilityUser, klog.DefaultMessageLevel)
	if n := len(text); n > 0 && text[n-1] == '\n' {
		text = text[:n-1]
	}
	console.Record(fac, lvl, text)
	return len(p), nil
}

// Llseek is devkmsg_llseek: only offset 0, with SEEK_SET, SEEK_END or
// SEEK_DATA; ESPIPE for another offset.
func (k *kmsgFile) Llseek(off int64, whence uint64) (int64, error) {
	if off != 0 {
		return 0, linux.ESPIPE
	}
	if k.reader == nil {
		return 0, nil
	}
	if whence > 3 || !k.reader.Seek(int(whence)) {
		return 0, linux.EINVAL
	}
	return 0, nil
}

// Poll is devkmsg_poll: readable with a record to read, and an error
// (EPOLLERR|EPOLLPRI) when records were lost under the reader.
func (k *kmsgFile) Poll() (uint32, uint64) {
	gen := klog.NextSeq()
	if k.reader == nil {
		return 0, gen
	}
	switch readable, lost := k.reader.Ready(); {
	case lost:
		return linux.EPOLLIN | linux.EPOLLRDNORM | linux.EPOLLERR | linux.EPOLLPRI, gen
	case readable:
		return linux.EPOLLIN | linux.EPOLLRDNORM, gen
	}
	return 0, gen
}

func (k *kmsgFile) Stat() linux.Stat { return file.NodeStat(k.node) }

// Close reports the lines the rate limit kept out (ratelimit_state_exit).
func (k *kmsgFile) Close() {
	if n := k.rs.Release(); n != 0 {
		k.mu.Lock()
		comm := k.comm
		k.mu.Unlock()
		fmt.Printf("<4>sigil: printk: %s: %d output lines suppressed due to ratelimiting\n", comm, n)
	}
	if k.reader != nil {
		readers.Add(-1)
	}
}

// readers counts open /dev/kmsg readers; while there are any, a watcher
// goroutine tells poll and epoll about new records.
var (
	readers  atomic.Int32
	watching atomic.Bool
)

// watchLog counts a reader and starts the watcher if it is not running.
func watchLog() {
	readers.Add(1)
	startWatcher()
}

func startWatcher() {
	if !watching.CompareAndSwap(false, true) {
		return
	}
	go func() {
		seen := klog.NextSeq()
		for readers.Load() > 0 {
			time.Sleep(logPoll)
			if s := klog.NextSeq(); s != seen {
				seen = s
				file.Events.Notify()
			}
		}
		watching.Store(false)
		if readers.Load() > 0 {
			startWatcher() // a reader came as the watcher stopped
		}
	}()
}

// printkRatelimit is Linux's printk_ratelimit() state (10 lines per 5 s),
// shared by the lines user programs can provoke: unknown system calls,
// CLI/STI under iopl(3).
var printkRatelimit = klog.NewRatelimit()

// commName is p's command name (comm), read under p's lock.
func (p *Process) commName() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.comm
}
