package task

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"sigil/file"
	"sigil/linux"
	"sigil/ptimer"
)

// timerfd(2) as Linux's fs/timerfd.c keeps it: an expiry counts a tick
// and makes the file readable (timerfd_triggered); a periodic timer is
// not re-armed there but where the ticks are taken (timerfd_read,
// timerfd_gettime), forwarding past now and counting every period it
// missed. TFD_TIMER_CANCEL_ON_SET is accepted and recorded, but nothing
// ever sets CLOCK_REALTIME here (no clock_settime, no settimeofday), so
// no timer is cancelled and no read fails with ECANCELED.

// timerfdSettimeFlags is TFD_SETTIME_FLAGS.
const timerfdSettimeFlags = linux.TFD_TIMER_ABSTIME | linux.TFD_TIMER_CANCEL_ON_SET

// timerFile is a timerfd: struct timerfd_ctx.
type timerFile struct {
	clock uint64
	now   func() int64

	mu      sync.Mutex   // guards everything below
	t       ptimer.Timer // Expiry 0 when never armed or disarmed, as hrtimer_set_expires(0)
	expired bool         // the timer fired and was not forwarded since (ctx->expired)
	ticks   uint64       // expirations not yet read (ctx->ticks)
	flags   uint64       // the last settime's flags (ctx->settime_flags)
	seq     uint64       // bumped by each arming and by close: an older expiry is stale
	gen     uint64       // bumped by each change of ticks, for edge-triggered epoll
	wake    *time.Timer  // the goroutine timer behind the next expiry
}

// sysTimerfdCreate is timerfd_create: the alarm clocks need
// CAP_WAKE_ALARM (EPERM); they run as their plain clocks here (there is
// no suspend to wake from).
func sysTimerfdCreate(t *Thread, a *args) (uint64, error) {
	clk, flags := uint64(int32(a[0])), uint64(uint32(a[1]))
	switch clk {
	case linux.CLOCK_REALTIME, linux.CLOCK_MONOTONIC, linux.CLOCK_BOOTTIME,
		linux.CLOCK_REALTIME_ALARM, linux.CLOCK_BOOTTIME_ALARM:
	default:
		return 0, linux.EINVAL
	}
	if flags&^(linux.TFD_NONBLOCK|linux.TFD_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	if (clk == linux.CLOCK_REALTIME_ALARM || clk == linux.CLOCK_BOOTTIME_ALARM) && !t.creds().Capable(linux.CAP_WAKE_ALARM) {
		return 0, linux.EPERM
	}
	now, _ := timerClock(clk)
	f := file.New(&timerFile{clock: clk, now: now}, nil, linux.O_RDWR|flags&linux.TFD_NONBLOCK)
	fd, err := t.installFD(f, 0, flags&linux.TFD_CLOEXEC != 0)
	return uint64(fd), err
}

// timerfdGet is timerfd_fget: EBADF for no descriptor, EINVAL for one
// that is not a timerfd.
func (t *Thread) timerfdGet(fd uint64) (*timerFile, error) {
	f, err := t.p.files.get(fd)
	if err != nil {
		return nil, err
	}
	tf, ok := f.Ops.(*timerFile)
	if !ok {
		return nil, linux.EINVAL
	}
	return tf, nil
}

// sysTimerfdSettime is timerfd_settime and do_timerfd_settime: the new
// value is read first (EFAULT), then the flags and the value are judged
// (EINVAL), then the descriptor. The old value is what timerfd_gettime
// would have said, after forwarding a periodic timer that expired.
func sysTimerfdSettime(t *Thread, a *args) (uint64, error) {
	var b [ptimer.SpecSize]byte
	if err := t.p.as.CopyIn(b[:], a[2]); err != nil {
		return 0, err
	}
	flags := uint64(uint32(a[1]))
	spec, err := ptimer.ParseSpec(b[:])
	if err != nil || flags&^timerfdSettimeFlags != 0 {
		return 0, linux.EINVAL
	}
	tf, err := t.timerfdGet(a[0])
	if err != nil {
		return 0, err
	}
	tf.mu.Lock()
	tf.stopLocked()
	now := tf.now()
	if tf.expired && tf.t.Interval != 0 {
		tf.t.Forward(now) // ticks are reset below
	}
	old := tf.specLocked(now)
	// timerfd_setup.
	tf.expired, tf.ticks = false, 0
	tf.gen++
	tf.t = ptimer.Timer{Interval: spec.Interval}
	if spec.Value != 0 {
		tf.t.Expiry = spec.Value
		if flags&linux.TFD_TIMER_ABSTIME == 0 {
			tf.t.Expiry = now + spec.Value
		}
		tf.scheduleLocked(now)
	}
	tf.flags = flags
	tf.mu.Unlock()
	if a[3] != 0 {
		ob := old.Bytes()
		return 0, t.p.as.CopyOut(a[3], ob[:])
	}
	return 0, nil
}

// sysTimerfdGettime is timerfd_gettime (do_timerfd_gettime).
func sysTimerfdGettime(t *Thread, a *args) (uint64, error) {
	tf, err := t.timerfdGet(a[0])
	if err != nil {
		return 0, err
	}
	tf.mu.Lock()
	now := tf.now()
	owed := tf.t.Interval != 0 && tf.catchUpLocked(now)
	tf.forwardLocked(now)
	s := tf.specLocked(now)
	tf.mu.Unlock()
	if owed {
		file.Events.Notify()
	}
	b := s.Bytes()
	return 0, t.p.as.CopyOut(a[1], b[:])
}

// specLocked is the interval and timerfd_get_remaining: the time to the
// expiry, 0 once it passed (or when disarmed).
func (tf *timerFile) specLocked(now int64) ptimer.Spec {
	return ptimer.Spec{Interval: tf.t.Interval, Value: max(tf.t.Remaining(now), 0)}
}

// forwardLocked re-arms a periodic timer that expired past now, adding
// the periods it missed beyond the one already counted to the ticks
// (the hrtimer_forward_now and hrtimer_restart of timerfd_read and
// do_timerfd_gettime).
func (tf *timerFile) forwardLocked(now int64) {
	if !tf.expired || tf.t.Interval == 0 {
		return
	}
	tf.expired = false
	if n := tf.t.Forward(now); n > 0 {
		tf.ticks += uint64(n - 1)
	}
	tf.scheduleLocked(now)
}

// scheduleLocked starts the goroutine timer for the next expiry.
func (tf *timerFile) scheduleLocked(now int64) {
	seq := tf.seq
	tf.wake = time.AfterFunc(time.Duration(max(tf.t.Remaining(now), 0)), func() { tf.expire(seq) })
}

// stopLocked stops the goroutine timer and makes any expiry of the old
// arming stale.
func (tf *timerFile) stopLocked() {
	if tf.wake != nil {
		tf.wake.Stop()
		tf.wake = nil
	}
	tf.seq++
}

// catchUpLocked counts the expiry of an armed timer whose time has come
// by now but whose goroutine timer has not run yet (it may run a tick or
// two late), as Linux's hrtimer interrupt would have counted it before
// the caller's system call, and reports whether it did; the goroutine
// timer is stopped, its late run stale.
func (tf *timerFile) catchUpLocked(now int64) bool {
	if tf.expired || tf.wake == nil || tf.t.Remaining(now) > 0 {
		return false
	}
	tf.stopLocked()
	tf.triggeredLocked()
	return true
}

// triggeredLocked is timerfd_triggered: one more tick, and the file
// becomes readable (the caller notifies file.Events once unlocked).
func (tf *timerFile) triggeredLocked() {
	tf.expired = true
	tf.ticks++
	tf.gen++
}

// expire is timerfd_tmrproc: the expiry counted (triggeredLocked). The
// timer is not restarted here.
func (tf *timerFile) expire(seq uint64) {
	tf.mu.Lock()
	if tf.seq != seq {
		tf.mu.Unlock()
		return
	}
	if now := tf.now(); tf.t.Remaining(now) > 0 { // the goroutine timer ran early by this clock
		tf.scheduleLocked(now)
		tf.mu.Unlock()
		return
	}
	tf.wake = nil
	tf.triggeredLocked()
	tf.mu.Unlock()
	file.Events.Notify()
}

// Read is timerfd_read: at least 8 bytes (EINVAL); waits (unless
// O_NONBLOCK: EAGAIN) until a tick is counted, then takes them all as a
// u64, re-arming a periodic timer past now.
func (tf *timerFile) Read(c file.Caller, f *file.File, p []byte) (int, error) {
	if len(p) < 8 {
		return 0, linux.EINVAL
	}
	for {
		tf.mu.Lock()
		if tf.ticks != 0 {
			tf.forwardLocked(tf.now())
			ticks := tf.ticks
			tf.expired, tf.ticks = false, 0
			tf.gen++
			tf.mu.Unlock()
			binary.LittleEndian.PutUint64(p, ticks)
			return 8, nil
		}
		wait := file.Events.Wait()
		tf.mu.Unlock()
		if err := f.Block(c, wait); err != nil {
			return 0, err
		}
	}
}

// Write: timerfd_fops has no Write, so vfs_write refuses it.
func (tf *timerFile) Write(file.Caller, *file.File, []byte) (int, error) { return 0, linux.EINVAL }

func (tf *timerFile) Stat() linux.Stat { return linux.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096} }

// Close is timerfd_release: the timer stops.
func (tf *timerFile) Close() {
	tf.mu.Lock()
	tf.stopLocked()
	tf.mu.Unlock()
}

// poll is timerfd_poll: readable while a tick waits.
func (tf *timerFile) Poll() (uint32, uint64) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	if tf.ticks != 0 {
		return linux.EPOLLIN, tf.gen
	}
	return 0, tf.gen
}

// fdinfo is timerfd_show, which does not forward the timer.
func (tf *timerFile) fdinfo() string {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	s := tf.specLocked(tf.now())
	return fmt.Sprintf("clockid: %d\nticks: %d\nsettime flags: 0%o\nit_value: (%d, %d)\nit_interval: (%d, %d)\n",
		tf.clock, tf.ticks, tf.flags, s.Value/1e9, s.Value%1e9, s.Interval/1e9, s.Interval%1e9)
}

// timerfdCalls are the calls above, for the system-call table.
var timerfdCalls = map[uint64]sysFunc{
	linux.SYS_TIMERFD_CREATE: sysTimerfdCreate, linux.SYS_TIMERFD_SETTIME: sysTimerfdSettime,
	linux.SYS_TIMERFD_GETTIME: sysTimerfdGettime,
}
