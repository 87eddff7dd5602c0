package task

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"sigil/clock"
	"sigil/linux"
	"sigil/mm"
	"sigil/power"
	"sigil/sys"
)

func sysArchPrctl(t *Thread, a *args) (uint64, error) {
	switch a[0] {
	case linux.ARCH_SET_FS:
		if a[1] >= 1<<47 {
			return 0, linux.EPERM // not a user address
		}
		t.uc.FSBase = a[1]
		return 0, nil
	case linux.ARCH_GET_FS:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], t.uc.FSBase)
		return 0, t.p.as.CopyOut(a[1], b[:])
	}
	return 0, linux.EINVAL
}

// sysSchedGetaffinity is sched_getaffinity(2): the thread's allowed CPUs
// that are online (Linux's cpumask_and with cpu_active_mask), in one
// long, as cpumask_size() is for nr_cpu_ids <= 64.
func sysSchedGetaffinity(t *Thread, a *args) (uint64, error) {
	if a[1] < 8 || a[1]&7 != 0 {
		return 0, linux.EINVAL
	}
	th, err := t.schedTarget(int32(a[0]))
	if err != nil {
		return 0, err
	}
	var b [8]byte
	th.affinity().Bytes(b[:])
	return 8, t.p.as.CopyOut(a[2], b[:])
}

// sysPrlimit64 is Linux's prlimit64: the new limit is read first
// (EFAULT), then the process found (ESRCH), then rlimit's rules applied.
// Every process runs as root, so the permission checks pass.
func sysPrlimit64(t *Thread, a *args) (uint64, error) {
	pid, res, newp, oldp := int32(a[0]), a[1], a[2], a[3]
	var b [16]byte
	var newl *linux.Rlimit
	if newp != 0 {
		if err := t.p.as.CopyIn(b[:], newp); err != nil {
			return 0, err
		}
		newl = &linux.Rlimit{Cur: binary.LittleEndian.Uint64(b[:]), Max: binary.LittleEndian.Uint64(b[8:])}
	}
	p := t.p
	if pid != 0 && pid != p.PID {
		if p = Lookup(pid); p == nil {
			return 0, linux.ESRCH
		}
	}
	var old linux.Rlimit
	p.mu.Lock()
	err := p.limits.Prlimit(res, newl, &old, true)
	p.mu.Unlock()
	if err != 0 {
		return 0, err
	}
	if oldp != 0 {
		binary.LittleEndian.PutUint64(b[:], old.Cur)
		binary.LittleEndian.PutUint64(b[8:], old.Max)
		return 0, t.p.as.CopyOut(oldp, b[:])
	}
	return 0, nil
}

func sysGetrlimit(t *Thread, a *args) (uint64, error) {
	return sysPrlimit64(t, &args{0, a[0], 0, a[1]})
}

func sysSetrlimit(t *Thread, a *args) (uint64, error) {
	return sysPrlimit64(t, &args{0, a[0], a[1], 0})
}

func sysGetrandom(t *Thread, a *args) (uint64, error) {
	if a[2]&^(linux.GRND_NONBLOCK|linux.GRND_RANDOM|linux.GRND_INSECURE) != 0 {
		return 0, linux.EINVAL
	}
	n := min(a[1], 1<<25-1)
	b := make([]byte, n)
	sys.Fill(b)
	return n, t.p.as.CopyOut(a[0], b)
}

// putInt writes a C int to user memory (prctl's GET options).
func (t *Thread) putInt(addr uint64, v int32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return t.p.as.CopyOut(addr, b[:])
}

func sysPrctl(t *Thread, a *args) (uint64, error) {
	if r, ok, err := credPrctl(t, a); ok {
		return r, err
	}
	switch a[0] {
	case linux.PR_SET_PDEATHSIG:
		if a[1] > linux.NSIG-1 {
			return 0, linux.EINVAL
		}
		t.pdeathsig.Store(int32(a[1]))
		return 0, nil
	case linux.PR_GET_PDEATHSIG:
		return 0, t.putInt(a[1], t.pdeathsig.Load())
	case linux.PR_SET_CHILD_SUBREAPER:
		t.p.mu.Lock()
		t.p.subreaper = a[1] != 0
		t.p.mu.Unlock()
		return 0, nil
	case linux.PR_GET_CHILD_SUBREAPER:
		t.p.mu.Lock()
		v := t.p.subreaper
		t.p.mu.Unlock()
		return 0, t.putInt(a[1], int32(boolWord(v)))
	case linux.PR_SET_DUMPABLE:
		if a[1] > 1 { // SUID_DUMP_ROOT (2) may not be set by a user
			return 0, linux.EINVAL
		}
		t.p.mu.Lock()
		t.p.dumpable = uint32(a[1])
		t.p.mu.Unlock()
		return 0, nil
	case linux.PR_GET_DUMPABLE:
		t.p.mu.Lock()
		defer t.p.mu.Unlock()
		return uint64(t.p.dumpable), nil
	case linux.PR_SET_NAME:
		s, err := t.p.as.CopyInString(a[1], 4096)
		if err != nil {
			return 0, err
		}
		if len(s) > 15 {
			s = s[:15]
		}
		t.p.mu.Lock()
		t.p.comm = s
		t.p.mu.Unlock()
		return 0, nil
	case linux.PR_GET_NAME:
		t.p.mu.Lock()
		b := make([]byte, 16)
		copy(b, t.p.comm)
		t.p.mu.Unlock()
		b[15] = 0
		return 0, t.p.as.CopyOut(a[1], b)
	}
	return 0, linux.EINVAL
}

// sysSync and sysSyncfs: nothing is written back (the initrd is in
// memory); syncfs checks its descriptor as Linux does.
func sysSync(t *Thread, a *args) (uint64, error) { return 0, nil }

func sysSyncfs(t *Thread, a *args) (uint64, error) {
	_, err := t.p.files.get(a[0])
	return 0, err
}

// membarrierCommands are the membarrier(2) commands Sigil serves: all but
// the rseq ones (Sigil has no restartable sequences). With one CPU every
// barrier is complete when the call is made (a system call orders the
// caller's accesses, and no other CPU runs a thread to interrupt); the SMP
// work must make the expedited ones IPI the CPUs running the process.
const membarrierCommands = linux.MEMBARRIER_CMD_GLOBAL | linux.MEMBARRIER_CMD_GLOBAL_EXPEDITED |
	linux.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | linux.MEMBARRIER_CMD_PRIVATE_EXPEDITED |
	linux.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED | linux.MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE |
	linux.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE

// sysMembarrier follows kernel/sched/membarrier.c: flags must be 0,
// QUERY lists the commands, the private expedited barriers need their
// registration first (EPERM), which is the address space's (inherited by
// fork, reset by exec); anything else is EINVAL.
func sysMembarrier(t *Thread, a *args) (uint64, error) {
	cmd, flags := a[0], a[1]
	if flags != 0 || cmd != 0 && (cmd&(cmd-1) != 0 || cmd&membarrierCommands == 0) {
		return 0, linux.EINVAL
	}
	as := t.p.as
	switch cmd {
	case linux.MEMBARRIER_CMD_QUERY:
		return membarrierCommands, nil
	case linux.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, linux.MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
		linux.MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
		as.membarrier.Or(uint32(cmd))
	case linux.MEMBARRIER_CMD_PRIVATE_EXPEDITED, linux.MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		if as.membarrier.Load()&uint32(cmd<<1) == 0 { // each REGISTER_ bit is its command's, shifted once
			return 0, linux.EPERM
		}
	}
	return 0, nil
}

// sysReboot is reboot(2) for root: the magic numbers (EINVAL), then the
// command: power off, halt, restart (RESTART2's string is read and not
// used), Ctrl+Alt+Del's setting; anything else EINVAL.
func sysReboot(t *Thread, a *args) (uint64, error) {
	magic1, magic2, cmd := uint32(a[0]), uint32(a[1]), uint32(a[2])
	if magic1 != linux.LINUX_REBOOT_MAGIC1 || magic2 != linux.LINUX_REBOOT_MAGIC2 &&
		magic2 != linux.LINUX_REBOOT_MAGIC2A && magic2 != linux.LINUX_REBOOT_MAGIC2B &&
		magic2 != linux.LINUX_REBOOT_MAGIC2C {
		return 0, linux.EINVAL
	}
	switch cmd {
	case linux.LINUX_REBOOT_CMD_POWER_OFF:
		fmt.Println("<0>sigil: reboot: Power down")
		power.Off(power.ExitOK)
	case linux.LINUX_REBOOT_CMD_HALT:
		fmt.Println("<0>sigil: reboot: System halted")
		power.Halt()
	case linux.LINUX_REBOOT_CMD_RESTART2:
		if _, err := t.p.as.CopyInString(a[3], 256); err != nil {
			return 0, err
		}
		fallthrough
	case linux.LINUX_REBOOT_CMD_RESTART:
		fmt.Println("<0>sigil: reboot: Restarting system")
		power.Restart()
	case linux.LINUX_REBOOT_CMD_CAD_ON, linux.LINUX_REBOOT_CMD_CAD_OFF:
		return 0, nil // no Ctrl+Alt+Del from the keyboard driver to act on
	}
	return 0, linux.EINVAL
}

// sysSysinfo is sysinfo(2) as do_sysinfo fills it: the uptime in seconds
// rounded up, memory in bytes (mem_unit 1, as Linux reports it when every
// figure fits), shared memory, and the number of threads. The load
// averages read 0: Sigil does not keep them.
func sysSysinfo(t *Thread, a *args) (uint64, error) {
	st := mm.Stats()
	up := clock.Nanotime()
	info := linux.Sysinfo{
		Uptime:    (up + 1e9 - 1) / 1e9,
		Totalram:  st.Total * pageSize,
		Freeram:   st.Free * pageSize,
		Sharedram: st.ByKind[mm.KindShmem] * pageSize,
		Procs:     uint16(min(tasks.n.Load(), 1<<16-1)),
		MemUnit:   1,
	}
	b := (*[unsafe.Sizeof(info)]byte)(unsafe.Pointer(&info))
	return 0, t.p.as.CopyOut(a[0], b[:])
}
