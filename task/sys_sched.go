package task

import (
	"encoding/binary"
	"sync/atomic"
	"time"
	"unsafe"

	"sigil/arch"
	"sigil/clock"
	"sigil/linux"
	"sigil/sched"
)

// Scheduling attributes and CPU time, as the calls report and check them
// (kernel/sched/core.c, kernel/sys.c). Sigil's scheduler runs every user
// thread round-robin on one CPU: nice values and policies are kept,
// validated and reported as Linux does, and do not change who runs.

// Scheduling policies (include/uapi/linux/sched.h).
const (
	schedOther    = 0
	schedFIFO     = 1
	schedRR       = 2
	schedBatch    = 3
	schedIdle     = 5
	schedDeadline = 6
	resetOnFork   = 0x40000000
)

// userTime is the user-mode time of the process's threads, living and
// ended, in nanoseconds.
func (p *Process) userTime() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.deadUtime
	for _, th := range p.threads {
		n += th.utime.Load()
	}
	return n
}

// cpuClock reads the CPU-time clocks: the process's or the thread's
// user-mode time (system time is not counted).
func cpuClock(t *Thread, clk uint64) int64 {
	if clk == linux.CLOCK_THREAD_CPUTIME_ID {
		return t.utime.Load()
	}
	return t.p.userTime()
}

// sysGetrusage is getrusage(2): RUSAGE_SELF, RUSAGE_THREAD or
// RUSAGE_CHILDREN (reaped ones); the user time and, for SELF, the
// largest resident set. The rest reads 0: Sigil does not count it.
func sysGetrusage(t *Thread, a *args) (uint64, error) {
	var r linux.Rusage
	var user int64
	switch int32(a[0]) {
	case linux.RUSAGE_SELF:
		user = t.p.userTime()
		t.p.mu.Lock()
		as := t.p.as
		t.p.mu.Unlock()
		if as != nil {
			r.Maxrss = int64(as.Status().HWM)
		}
	case linux.RUSAGE_THREAD:
		user = t.utime.Load()
	case linux.RUSAGE_CHILDREN:
		t.p.mu.Lock()
		user = t.p.childUtime
		t.p.mu.Unlock()
	default:
		return 0, linux.EINVAL
	}
	r.Utime = linux.Timeval{Sec: user / 1e9, Usec: user % 1e9 / 1e3}
	b := (*[unsafe.Sizeof(r)]byte)(unsafe.Pointer(&r))
	return 0, t.p.as.CopyOut(a[1], b[:])
}

// userHZ is USER_HZ, the clock-tick unit of times(2) and /proc.
const userHZ = 100

// sysTimes is times(2): the CPU times in clock ticks, and the ticks since
// boot as its result.
func sysTimes(t *Thread, a *args) (uint64, error) {
	if a[0] != 0 {
		t.p.mu.Lock()
		child := t.p.childUtime
		t.p.mu.Unlock()
		var b [32]byte
		binary.LittleEndian.PutUint64(b[0:], uint64(t.p.userTime()/(1e9/userHZ)))
		binary.LittleEndian.PutUint64(b[16:], uint64(child/(1e9/userHZ)))
		if err := t.p.as.CopyOut(a[0], b[:]); err != nil {
			return 0, err
		}
	}
	return uint64(clock.Nanotime() / (1e9 / userHZ)), nil
}

// Which of getpriority/setpriority (include/uapi/linux/resource.h).
const (
	prioProcess = 0
	prioPgrp    = 1
	prioUser    = 2
)

// priorityTargets finds the threads which and who name: a thread by TID
// (0: the caller), a process group's threads, a user's (0: the caller's
// real uid). EINVAL for an unknown which.
func (t *Thread) priorityTargets(which, who int32) ([]*Thread, error) {
	switch which {
	case prioProcess:
		if who == 0 {
			return []*Thread{t}, nil
		}
		if th := threadByID(who); th != nil {
			return []*Thread{th}, nil
		}
		return nil, nil
	case prioPgrp, prioUser:
	default:
		return nil, linux.EINVAL
	}
	t.p.mu.Lock()
	myPgid := t.p.pgid
	t.p.mu.Unlock()
	if who == 0 {
		who = myPgid
		if which == prioUser {
			who = int32(t.creds().UID)
		}
	}
	var out []*Thread
	for _, p := range unordered() {
		p.mu.Lock()
		pg := p.pgid
		for _, th := range p.threads {
			if which == prioPgrp && pg == who || which == prioUser && th.creds().UID == uint32(who) {
				out = append(out, th)
			}
		}
		p.mu.Unlock()
	}
	return out, nil
}

// sysGetpriority is getpriority(2) as the system call returns it: 20
// minus the best (lowest) nice value among the targets, 1..40.
func sysGetpriority(t *Thread, a *args) (uint64, error) {
	ths, err := t.priorityTargets(int32(a[0]), int32(a[1]))
	if err != nil {
		return 0, err
	}
	if len(ths) == 0 {
		return 0, linux.ESRCH
	}
	best := int32(19)
	for _, th := range ths {
		best = min(best, th.nice.Load())
	}
	return uint64(20 - best), nil
}

// sysSetpriority is setpriority(2) (set_one_prio): the value clamped to
// -20..19; another user's thread is EPERM without CAP_SYS_NICE, and so is
// lowering a nice value (EACCES, unless RLIMIT_NICE allows it).
func sysSetpriority(t *Thread, a *args) (uint64, error) {
	ths, err := t.priorityTargets(int32(a[0]), int32(a[1]))
	if err != nil {
		return 0, err
	}
	if len(ths) == 0 {
		return 0, linux.ESRCH
	}
	nice := min(max(int32(a[2]), -20), 19)
	me := t.creds()
	var last error
	for _, th := range ths {
		c := th.creds()
		switch {
		case c.UID != me.EUID && c.EUID != me.EUID && !me.Capable(linux.CAP_SYS_NICE):
			last = linux.EPERM
		case nice < th.nice.Load() && !t.mayRaisePriority(nice):
			last = linux.EACCES
		default:
			th.nice.Store(nice)
		}
	}
	return 0, last
}

// mayRaisePriority is can_nice: CAP_SYS_NICE, or RLIMIT_NICE's
// 20-nice ceiling.
func (t *Thread) mayRaisePriority(nice int32) bool {
	if t.creds().Capable(linux.CAP_SYS_NICE) {
		return true
	}
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return uint64(20-nice) <= t.p.limits[linux.RLIMIT_NICE].Cur
}

// schedTarget is the thread a sched_* call names: 0 the caller; ESRCH
// for none; EINVAL for a negative pid.
func (t *Thread) schedTarget(pid int32) (*Thread, error) {
	switch {
	case pid < 0:
		return nil, linux.EINVAL
	case pid == 0:
		return t, nil
	}
	if th := threadByID(pid); th != nil {
		return th, nil
	}
	return nil, linux.ESRCH
}

// priorityRange is sched_get_priority_min/max: 1..99 for the real-time
// policies, 0 for the others, EINVAL for an unknown one.
func priorityRange(policy uint64) (lo, hi int, err error) {
	switch policy {
	case schedFIFO, schedRR:
		return 1, 99, nil
	case schedOther, schedBatch, schedIdle, schedDeadline:
		return 0, 0, nil
	}
	return 0, 0, linux.EINVAL
}

func sysSchedGetPriorityMax(t *Thread, a *args) (uint64, error) {
	_, hi, err := priorityRange(a[0])
	return uint64(hi), err
}

func sysSchedGetPriorityMin(t *Thread, a *args) (uint64, error) {
	lo, _, err := priorityRange(a[0])
	return uint64(lo), err
}

// sysSchedSetscheduler is sched_setscheduler(2): a policy (with
// SCHED_RESET_ON_FORK) and a priority in its range (EINVAL otherwise);
// the real-time policies need CAP_SYS_NICE (EPERM). SCHED_DEADLINE is
// set only through sched_setattr (EINVAL here).
func sysSchedSetscheduler(t *Thread, a *args) (uint64, error) {
	return t.setScheduler(int32(a[0]), int64(int32(a[1])), a[2])
}

// sysSchedSetparam is sched_setparam(2): the priority, the policy kept.
func sysSchedSetparam(t *Thread, a *args) (uint64, error) {
	return t.setScheduler(int32(a[0]), -1, a[1])
}

func (t *Thread) setScheduler(pid int32, policy int64, param uint64) (uint64, error) {
	if param == 0 || pid < 0 {
		return 0, linux.EINVAL
	}
	var b [4]byte
	if err := t.p.as.CopyIn(b[:], param); err != nil {
		return 0, err
	}
	prio := int32(binary.LittleEndian.Uint32(b[:]))
	th, err := t.schedTarget(pid)
	if err != nil {
		return 0, err
	}
	old := th.sched.Load()
	if policy < 0 {
		policy = int64(old >> 32)
	}
	reset := uint64(policy) & resetOnFork
	base := uint64(policy) &^ resetOnFork
	lo, hi, err := priorityRange(base)
	if err != nil || base == schedDeadline || prio < int32(lo) || prio > int32(hi) {
		return 0, linux.EINVAL
	}
	if (base == schedFIFO || base == schedRR) && !t.creds().Capable(linux.CAP_SYS_NICE) {
		return 0, linux.EPERM
	}
	th.sched.Store((base|reset)<<32 | uint64(uint32(prio)))
	return 0, nil
}

func sysSchedGetscheduler(t *Thread, a *args) (uint64, error) {
	th, err := t.schedTarget(int32(a[0]))
	if err != nil {
		return 0, err
	}
	return th.sched.Load() >> 32, nil
}

func sysSchedGetparam(t *Thread, a *args) (uint64, error) {
	if a[1] == 0 {
		return 0, linux.EINVAL
	}
	th, err := t.schedTarget(int32(a[0]))
	if err != nil {
		return 0, err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(th.sched.Load()))
	return 0, t.p.as.CopyOut(a[1], b[:])
}

// sysSchedRrGetInterval is sched_rr_get_interval(2): SCHED_RR's quantum
// (sched_rr_timeslice, 100 ms), 0 for SCHED_FIFO, and for the others the
// slice this scheduler gives a thread before another may run.
func sysSchedRrGetInterval(t *Thread, a *args) (uint64, error) {
	th, err := t.schedTarget(int32(a[0]))
	if err != nil {
		return 0, err
	}
	var d time.Duration
	switch th.sched.Load() >> 32 &^ resetOnFork {
	case schedRR:
		d = 100 * time.Millisecond
	case schedFIFO:
	default:
		d = timeSlice
	}
	return 0, timespecOut(t, a[1], int64(d))
}

// timeSlice is how long a user thread runs before a tick may hand the
// CPU to another: the LAPIC timer's period at 1000 Hz.
const timeSlice = time.Millisecond

// sysGetcpu is getcpu(2): the CPU the calling thread's goroutine runs on
// as the call is served, node 0; either pointer may be NULL.
func sysGetcpu(t *Thread, a *args) (uint64, error) {
	var cpu [4]byte
	binary.LittleEndian.PutUint32(cpu[:], uint32(t.uc.CPU))
	for i, addr := range []uint64{a[0], a[1]} {
		if addr != 0 {
			if i == 1 {
				cpu = [4]byte{} // node 0
			}
			if err := t.p.as.CopyOut(addr, cpu[:]); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

// sysPersonality is personality(2): 0xffffffff only asks; any other
// value is taken (Linux keeps unknown personas too) and the old one
// returned.
func sysPersonality(t *Thread, a *args) (uint64, error) {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	old := t.p.personality
	if uint32(a[0]) != 0xffffffff {
		t.p.personality = uint32(a[0])
	}
	return uint64(old), nil
}

// schedCalls are the calls above, for the system-call table.
var schedCalls = map[uint64]sysFunc{
	linux.SYS_GETRUSAGE: sysGetrusage, linux.SYS_TIMES: sysTimes, linux.SYS_GETPRIORITY: sysGetpriority,
	linux.SYS_SETPRIORITY: sysSetpriority, linux.SYS_SCHED_GET_PRIORITY_MAX: sysSchedGetPriorityMax,
	linux.SYS_SCHED_GET_PRIORITY_MIN: sysSchedGetPriorityMin, linux.SYS_SCHED_SETSCHEDULER: sysSchedSetscheduler,
	linux.SYS_SCHED_SETPARAM: sysSchedSetparam, linux.SYS_SCHED_GETSCHEDULER: sysSchedGetscheduler,
	linux.SYS_SCHED_GETPARAM: sysSchedGetparam, linux.SYS_SCHED_RR_GET_INTERVAL: sysSchedRrGetInterval,
	linux.SYS_GETCPU: sysGetcpu, linux.SYS_PERSONALITY: sysPersonality,
	linux.SYS_SCHED_SETAFFINITY: sysSchedSetaffinity,
}

// sysSchedSetaffinity is sched_setaffinity(2): the mask (as much of it
// as len gives) is cut to the online CPUs, and must keep one (EINVAL, as
// __set_cpus_allowed_ptr's cpumask_any_and_distribute finding none); the
// thread must exist (ESRCH) and be the caller's user's or the caller have
// CAP_SYS_NICE (EPERM). A thread running on a CPU it no longer may use is
// kicked, and its next entry to user mode moves it (sched.HandleEnterUser).
func sysSchedSetaffinity(t *Thread, a *args) (uint64, error) {
	th, err := t.schedTarget(int32(a[0]))
	if err != nil {
		return 0, err
	}
	if a[1] == 0 {
		return 0, linux.EINVAL
	}
	b := make([]byte, min(a[1], 8))
	if err := t.p.as.CopyIn(b, a[2]); err != nil {
		return 0, err
	}
	me, c := t.creds(), th.creds()
	if me.EUID != c.UID && me.EUID != c.EUID && !me.Capable(linux.CAP_SYS_NICE) {
		return 0, linux.EPERM
	}
	m, ok := arch.Affinity(arch.MaskFromBytes(b))
	if !ok {
		return 0, linux.EINVAL
	}
	atomic.StoreUint64((*uint64)(&th.uc.Allowed), uint64(m))
	if m != 0 {
		sched.KickUser(&th.uc)
	}
	return 0, nil
}

// affinity is the set of online CPUs the thread may run on.
func (t *Thread) affinity() arch.CPUMask {
	online := arch.OnlineMask()
	if m := arch.CPUMask(atomic.LoadUint64((*uint64)(&t.uc.Allowed))) & online; m != 0 {
		return m
	}
	return online
}
