package task

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"

	"sigil/cred"
	"sigil/file"
	"sigil/trace"

	"sigil/arch"
	"sigil/clock"
	"sigil/intr"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
	"sigil/sched"
	"sigil/sysv"
	"sigil/vfs"
)

// /proc is generated on each lookup that reaches it: a fresh snapshot tree
// with a directory per process holding status, stat and maps (Linux's
// formats, fs/proc/array.c and task_mmu.c), /proc/meminfo and /proc/self.

// procDev and tracefsDev are the device numbers of /proc and tracefs,
// which every snapshot shares.
var procDev, tracefsDev = vfs.AnonDev(), vfs.AnonDev()

// procSnapshot builds /proc for a lookup of name by thread tid of self. A thread that
// leads no process has its directory, /proc/TID, only when name asks for
// it: Linux's readdir of /proc lists processes, its lookup finds threads.
func procSnapshot(self *Process, tid int32, name string) *vfs.FS {
	fs := vfs.NewSnapshot("proc", procDev)
	fs.Add("/proc", vfs.S_IFDIR|0o555, nil)
	asked, rest, _ := strings.Cut(strings.TrimPrefix(name, "/proc/"), "/")
	entry, _, _ := strings.Cut(rest, "/")
	if asked == "thread-self" && entry != "" {
		entry = "task" // the link leads to PID/task/TID
	}
	only := askedID(asked, self)
	if strings.Contains(name, "..") {
		only = 0 // the walk may leave the directory it names
	}
	// want reports whether the snapshot needs a process directory's entry
	// e: all of them for a lookup of /proc or of the directory itself,
	// else the one the lookup walks into.
	want := func(es ...string) bool {
		return only == 0 || entry == "" || slices.Contains(es, entry)
	}
	for _, p := range All() {
		i := p.Info()
		dir := fmt.Sprintf("/proc/%d", i.PID)
		p.mu.Lock()
		as := p.as
		threads := make([]*Thread, 0, len(p.threads))
		mine := only == 0 || i.PID == only
		for _, th := range p.threads {
			threads = append(threads, th)
			mine = mine || th.TID == only
		}
		p.mu.Unlock()
		if !mine {
			continue // a lookup in another process's directory
		}
		v := &spaceView{as: as}
		if want("status") {
			fs.Add(dir+"/status", vfs.S_IFREG|0o444, []byte(p.status_(v, nil)))
		}
		if want("stat") {
			fs.Add(dir+"/stat", vfs.S_IFREG|0o444, []byte(p.stat(i, v, nil)))
		}
		if want("comm") {
			fs.Add(dir+"/comm", vfs.S_IFREG|0o444, []byte(i.Comm+"\n"))
		}
		if want("task") || only != i.PID {
			fs.Add(dir+"/task", vfs.S_IFDIR|0o555, nil)
			for _, th := range threads {
				tdirs := []string{fmt.Sprintf("%s/task/%d", dir, th.TID)}
				if id := fmt.Sprint(th.TID); id == asked && th.TID != i.PID {
					tdirs = append(tdirs, "/proc/"+id)
				}
				for _, td := range tdirs {
					fs.Add(td+"/status", vfs.S_IFREG|0o444, []byte(p.status_(v, th)))
					fs.Add(td+"/stat", vfs.S_IFREG|0o444, []byte(p.stat(i, v, th)))
					fs.Add(td+"/comm", vfs.S_IFREG|0o444, []byte(i.Comm+"\n"))
				}
			}
		}
		if want("maps") {
			var maps strings.Builder
			if as != nil {
				as.WriteMaps(&maps)
			}
			fs.Add(dir+"/maps", vfs.S_IFREG|0o444, []byte(maps.String()))
		}
		if want("mounts") {
			fs.Add(dir+"/mounts", vfs.S_IFREG|0o444, []byte(mountsFile(p.mntOf(p.PID))))
		}
		if want("ns", "uid_map", "gid_map", "projid_map", "setgroups", "timens_offsets") {
			p.addNamespaces(fs, dir, self, tid)
		}
		if want("exe", "cwd", "root", "fd", "fdinfo") {
			p.addLinks(fs, dir)
		}
		if want("cmdline") {
			fs.Add(dir+"/cmdline", vfs.S_IFREG|0o444, userStrings(as, true))
		}
		if want("environ") {
			fs.Add(dir+"/environ", vfs.S_IFREG|0o400, userStrings(as, false))
		}
	}
	if only == 0 {
		addTopFiles(fs, self, tid, name)
	}
	if self != nil {
		fs.Add("/proc/self", vfs.S_IFLNK|0o777, []byte(fmt.Sprint(self.PID)))
		fs.Add("/proc/thread-self", vfs.S_IFLNK|0o777, []byte(fmt.Sprintf("%d/task/%d", self.PID, tid)))
	}
	return fs
}

// askedID is the process or thread whose directory a lookup below /proc
// reaches first (asked: the name's first element there, self and
// thread-self as the caller's process), or 0 when it reaches /proc itself
// or a file of its own: the snapshot then holds every process, else that
// one alone, since building every process's files (their maps, command
// lines, namespaces) for each open made each /proc open cost as much as
// the whole tree (8-9 ms under TCG with six processes).
func askedID(asked string, self *Process) int32 {
	if (asked == "self" || asked == "thread-self") && self != nil {
		return self.PID
	}
	if id, err := strconv.ParseInt(asked, 10, 32); err == nil && id > 0 {
		return int32(id)
	}
	return 0
}

// mainThreadLocked is the thread that stands for the process in /proc:
// the leader, or while it is gone the oldest other. p.mu is held.
func (p *Process) mainThreadLocked() *Thread {
	if th := p.threads[p.PID]; th != nil {
		return th
	}
	var th *Thread
	for _, o := range p.threads {
		if th == nil || o.TID < th.TID {
			th = o
		}
	}
	return th
}

// addTopFiles adds /proc's own files (not a process's) to the snapshot fs
// for a lookup of name by thread tid of self.
func addTopFiles(fs *vfs.FS, self *Process, tid int32, name string) {
	fs.Add("/proc/meminfo", vfs.S_IFREG|0o444, []byte(meminfo()))
	fs.Add("/proc/stat", vfs.S_IFREG|0o444, []byte(statFile()))
	fs.Add("/proc/cpuinfo", vfs.S_IFREG|0o444, []byte(cpuinfo()))
	fs.Add("/proc/interrupts", vfs.S_IFREG|0o444, []byte(interrupts()))
	addIRQDir(fs)
	lat := ""
	if name == "/proc/irq_latency" { // summed over every CPU's rows: only when asked
		lat = irqLatency()
	}
	addCtl(fs, "/proc/irq_latency", lat, 0, func(_ *Thread, b []byte, _ int64, _ *cred.Cred) error {
		on, ok := trace.ParseOnOff(string(b))
		if !ok {
			return linux.EINVAL
		}
		trace.SetLatency(on) // 1 starts the histograms, 0 stops them
		return nil
	})
	fs.Add("/proc/uptime", vfs.S_IFREG|0o444, []byte(uptime()))
	fs.Add("/proc/version", vfs.S_IFREG|0o444, []byte(version()))
	fs.Add("/proc/loadavg", vfs.S_IFREG|0o444, []byte(loadavg()))
	fs.Add("/proc/filesystems", vfs.S_IFREG|0o444, []byte("nodev\trootfs\nnodev\ttmpfs\nnodev\tproc\nnodev\ttracefs\n"))
	mnt := initNS.mnt.m
	if self != nil {
		mnt = self.mntOf(tid)
	}
	fs.Add("/proc/mounts", vfs.S_IFREG|0o444, []byte(mountsFile(mnt)))
	fs.Add("/proc/locks", vfs.S_IFREG|0o444, []byte(file.Locks.ProcLocks()))
}

// spaceView is a process's address space as one snapshot shows it: its
// Status, a walk of every area's page tables, is taken once, when a file
// first needs it, for the status and stat files of the process and of each
// of its threads (taken for each, the walks were most of a /proc open).
type spaceView struct {
	as *AddressSpace // nil for a process without one
	st vm.Status
	ok bool
}

func (v *spaceView) status() vm.Status {
	if !v.ok {
		v.st, v.ok = v.as.Status(), true
	}
	return v.st
}

// status_ is /proc/PID/status, or with th /proc/PID/task/TID/status:
// the same lines, with the thread's own ID, credentials and signal
// masks (fs/proc/array.c).
func (p *Process) status_(v *spaceView, th *Thread) string {
	i := p.Info()
	p.mu.Lock()
	if th != nil {
		i.State = p.stateLocked(th)
	}
	state := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)"}[i.State]
	s := p.sigSetsLocked(th)
	queued := rootUser.Queued() // SigQ counts the user's, as Linux's
	limit := p.limits[linux.RLIMIT_SIGPENDING].Cur
	umask := p.umask
	p.mu.Unlock()
	pnd, shd, blk, ign, cgt := s.pending, s.shared, s.blocked, s.ignored, s.caught
	var b strings.Builder
	tid := i.PID
	if th != nil {
		tid = th.TID
	} else {
		p.mu.Lock()
		th = p.mainThreadLocked()
		p.mu.Unlock()
	}
	c := cred.Root()
	if th != nil {
		c = th.creds()
	}
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		i.Comm, umask, state, i.PID, tid, i.PPID)
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n", c.UID, c.EUID, c.SUID, c.FSUID, c.GID, c.EGID, c.SGID, c.FSGID)
	b.WriteString("Groups:\t")
	for k, g := range c.Groups {
		if k > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, g)
	}
	b.WriteString("\n")
	if v.as != nil && i.State != 'Z' {
		m := v.status()
		for _, f := range []struct {
			name string
			kb   uint64
		}{
			{"VmPeak", m.Peak}, {"VmSize", m.Size}, {"VmLck", m.Locked}, {"VmPin", 0},
			{"VmHWM", m.HWM}, {"VmRSS", m.RSS}, {"RssAnon", m.RSSAnon}, {"RssFile", m.RSSFile},
			{"RssShmem", m.RSSShmem}, {"VmData", m.Data}, {"VmStk", m.Stack}, {"VmExe", m.Exe},
			{"VmLib", m.Lib}, {"VmPTE", m.PTE}, {"VmSwap", 0}, {"HugetlbPages", 0},
		} {
			fmt.Fprintf(&b, "%s:\t%8d kB\n", f.name, f.kb)
		}
		b.WriteString("CoreDumping:\t0\nTHP_enabled:\t1\n")
	}
	fmt.Fprintf(&b, "Threads:\t%d\n", i.Threads)
	fmt.Fprintf(&b, "SigQ:\t%d/%d\nSigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		queued, limit, pnd, shd, blk, ign, cgt)
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		c.Inheritable, c.Permitted, c.Effective, c.Bounding, c.Ambient)
	nnp := 0
	if th != nil && th.noNewPrivs.Load() {
		nnp = 1
	}
	fmt.Fprintf(&b, "NoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n", nnp)
	return b.String()
}

// addLinks adds p's exe, cwd and root links and its fd directory, each
// link's target as Linux's readlink shows it: a path, or pipe:[N] and
// anon_inode:[...] for files without one.
func (p *Process) addLinks(fs *vfs.FS, dir string) {
	p.mu.Lock()
	exe, cwd, files := p.exe, p.cwd, p.files
	p.mu.Unlock()
	if exe != nil {
		addMagicLink(fs, dir+"/exe", 0o777, exe)
	}
	if cwd != nil {
		addMagicLink(fs, dir+"/cwd", 0o777, cwd)
	}
	fs.Add(dir+"/root", vfs.S_IFLNK|0o777, []byte("/"))
	if files == nil {
		return
	}
	fs.Add(dir+"/fd", vfs.S_IFDIR|0o500, nil)
	for _, e := range files.open() {
		l, _ := fs.Add(fmt.Sprintf("%s/fd/%d", dir, e.fd), vfs.S_IFLNK|0o700, []byte(fdTarget(e.f)))
		if e.f.Node != nil {
			l.Dev = magicLink{e.f.Node}
		}
	}
	addFdinfo(fs, dir, files)
}

// magicLink is what a /proc link leads to when followed: the file itself,
// as Linux's proc_get_link gives it, even when no path names it any more
// (a file unlinked while open, an O_TMPFILE file).
type magicLink struct{ to *vfs.Node }

func addMagicLink(fs *vfs.FS, name string, perm uint32, to *vfs.Node) {
	l, _ := fs.Add(name, vfs.S_IFLNK|perm, []byte(vfs.PathOf(to)))
	l.Dev = magicLink{to}
}

// fdTarget is what readlink of /proc/PID/fd/N gives for f.
func fdTarget(f *file.File) string {
	switch o := f.Ops.(type) {
	case file.PipeReader:
		return fmt.Sprintf("pipe:[%d]", o.ID())
	case file.PipeWriter:
		return fmt.Sprintf("pipe:[%d]", o.ID())
	case *file.Eventfd:
		return "anon_inode:[eventfd]"
	case *file.Epoll:
		return "anon_inode:[eventpoll]"
	case *signalFile:
		return "anon_inode:[signalfd]"
	case *timerFile:
		return "anon_inode:[timerfd]"
	case *socketFile:
		return fmt.Sprintf("socket:[%d]", o.ino())
	case pidFile:
		return "anon_inode:[pidfd]"
	}
	if f.Node != nil {
		return vfs.PathOf(f.Node)
	}
	return "anon_inode:[unknown]"
}

// userStrings reads the argument (or environment) strings where exec put
// them in as, as Linux's /proc/PID/cmdline and environ read the process's
// memory: what the program wrote there since shows. Empty for a zombie,
// and as far as the memory reads.
func userStrings(as *AddressSpace, args bool) []byte {
	if as == nil {
		return nil
	}
	start, end := as.strings.ArgStart, as.strings.ArgEnd
	if !args {
		start, end = as.strings.EnvStart, as.strings.EnvEnd
	}
	b := make([]byte, min(end-start, maxArgTotal))
	n := mm.CopyIn(as.Root(), b, uintptr(start))
	return b[:n]
}

// sigSets are the signal sets /proc shows: the first thread's pending and
// blocked sets, the process's shared pending set, and the dispositions.
type sigSets struct{ pending, shared, blocked, ignored, caught uint64 }

// sigSetsLocked gathers p's sigSets. p.mu held.
func (p *Process) sigSetsLocked(th *Thread) (s sigSets) {
	for sig := 1; sig < linux.NSIG; sig++ {
		switch p.actions[sig].Handler {
		case linux.SIG_DFL:
		case linux.SIG_IGN:
			s.ignored |= 1 << (sig - 1)
		default:
			s.caught |= 1 << (sig - 1)
		}
	}
	if th == nil {
		th = p.mainThreadLocked()
	}
	if th != nil {
		s.blocked = uint64(th.sig.mask)
		s.pending = uint64(th.sig.pending.Pending())
	}
	s.shared = uint64(p.shared.Pending())
	return s
}

// stat is /proc/PID/stat: the 52 fields of Linux's do_task_stat
// (fs/proc/array.c) in its order, the signal sets (the thread's own
// pending, not the shared) cut to their low 31
// bits as Linux cuts them. What Sigil does not count (page faults, CPU
// system time, the start time, the addresses of the image) reads 0.
func (p *Process) stat(i Info, v *spaceView, th *Thread) string {
	p.mu.Lock()
	if th != nil {
		i.State = p.stateLocked(th)
	}
	s := p.sigSetsLocked(th)
	rsslim := p.limits[linux.RLIMIT_RSS].Cur
	p.mu.Unlock()
	var vsize, rss uint64
	var areas sysv.Areas
	if v.as != nil && i.State != 'Z' {
		m := v.status()
		vsize, rss = m.Size*1024, m.RSS*1024/pageSize
		areas = v.as.strings
	}
	const low31 = 0x7fffffff
	id, utime, nice := i.PID, p.userTime(), int32(0)
	p.mu.Lock()
	cutime := p.childUtime
	if th == nil {
		th = p.mainThreadLocked()
	} else {
		id, utime = th.TID, th.utime.Load()
	}
	p.mu.Unlock()
	if th != nil {
		nice = th.nice.Load()
	}
	fields := []any{
		id, "(" + i.Comm + ")", string(i.State), i.PPID, i.PGID, i.SID,
		0, -1, 0, // tty_nr, tpgid, flags
		0, 0, 0, 0, // minflt, cminflt, majflt, cmajflt
		utime / (1e9 / userHZ), 0, cutime / (1e9 / userHZ), 0, // utime, stime, cutime, cstime (no system time counted)
		20 + nice, nice, i.Threads, 0, 0, // priority, nice, num_threads, itrealvalue, starttime
		vsize, rss, rsslim,
		0, 0, 0, 0, 0, // startcode, endcode, startstack, kstkesp, kstkeip
		s.pending & low31, s.blocked & low31, s.ignored & low31, s.caught & low31,
		0, 0, 0, // wchan, nswap, cnswap
		int(linux.SIGCHLD), 0, 0, 0, // exit_signal, processor, rt_priority, policy
		0, 0, 0, // delayacct_blkio_ticks, guest_time, cguest_time
		0, 0, 0, // start_data, end_data, start_brk
		areas.ArgStart, areas.ArgEnd, areas.EnvStart, areas.EnvEnd,
		0, // exit_code
	}
	var b strings.Builder
	for k, f := range fields {
		if k > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, f)
	}
	b.WriteByte('\n')
	return b.String()
}

// meminfo is /proc/meminfo (fs/proc/meminfo.c), every line Linux 6.1 on
// Debian prints. MemTotal is every frame the allocator was given and the
// initrd's, whose files are in memory (and in Cached); the kernel image
// and the frame table lie outside it, as Linux's reserved memory does.
// The kernel's Go heap stands in for the slab, its goroutine stacks for
// kernel stacks.
func meminfo() string {
	st := mm.Stats()
	var b strings.Builder
	kb := func(label string, pages uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", label+":", pages*pageSize/1024) }
	cache, shmem := st.ByKind[mm.KindCache], st.ByKind[mm.KindShmem]
	// Linux's si_mem_available: free memory above the reserve, plus the
	// page cache less what reclaim could not take without thrashing.
	low := st.Reserve * 5 / 4
	avail := st.Free - min(st.Free, st.Reserve) + cache - min(cache/2, low)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(sample)
	slab, stacks := sample[0].Value.Uint64()/pageSize, sample[1].Value.Uint64()/pageSize
	mapped := vm.MappedCachePages()
	kb("MemTotal", st.Total)
	kb("MemFree", st.Free)
	kb("MemAvailable", avail)
	kb("Buffers", 0)
	kb("Cached", cache+shmem)
	kb("SwapCached", 0)
	kb("Active", st.ByKind[mm.KindAnon]+shmem+cache)
	kb("Inactive", 0)
	kb("Active(anon)", st.ByKind[mm.KindAnon]+shmem)
	kb("Inactive(anon)", 0)
	kb("Active(file)", cache)
	kb("Inactive(file)", 0)
	kb("Unevictable", 0)
	kb("Mlocked", 0)
	kb("SwapTotal", 0)
	kb("SwapFree", 0)
	kb("Zswap", 0)
	kb("Zswapped", 0)
	kb("Dirty", 0)
	kb("Writeback", 0)
	kb("AnonPages", st.ByKind[mm.KindAnon])
	kb("Mapped", mapped)
	kb("Shmem", shmem)
	kb("KReclaimable", 0)
	kb("Slab", slab)
	kb("SReclaimable", 0)
	kb("SUnreclaim", slab)
	kb("KernelStack", stacks)
	kb("PageTables", st.ByKind[mm.KindTable])
	kb("SecPageTables", 0)
	kb("NFS_Unstable", 0)
	kb("Bounce", 0)
	kb("WritebackTmp", 0)
	kb("CommitLimit", vm.CommitLimit())
	kb("Committed_AS", vm.Committed())
	kb("VmallocTotal", (mm.ArenaEnd-mm.ArenaBase)/pageSize)
	kb("VmallocUsed", st.ByKind[mm.KindKernel])
	kb("VmallocChunk", 0)
	kb("Percpu", 0)
	b.WriteString("HardwareCorrupted:     0 kB\n")
	for _, l := range []string{"AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped"} {
		kb(l, 0)
	}
	b.WriteString("HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\nHugePages_Surp:        0\n")
	fmt.Fprintf(&b, "%-16s%8d kB\n", "Hugepagesize:", 2048)
	kb("Hugetlb", 0)
	kb("DirectMap4k", 0)
	fmt.Fprintf(&b, "%-16s%8d kB\n", "DirectMap2M:", (mm.MachineRAM+1<<21-1)>>21<<11)
	kb("DirectMap1G", 0)
	return b.String()
}

// generated returns the generated tree that an absolute path lies in
// (/proc, /sys/kernel/tracing), built afresh for this lookup, or nil.
func generated(name string, self *Process, tid int32) *vfs.FS {
	switch {
	case under(name, "/proc"):
		return procSnapshot(self, tid, name)
	case under(name, tracingDir):
		return tracingSnapshot(name)
	}
	return nil
}

// isGenerated reports whether the path lies in a generated tree, where
// nothing can be created, removed or written (but device-less files).
func isGenerated(name string) bool { return under(name, "/proc") || under(name, tracingDir) }

// under reports whether the absolute path name is dir or lies in it.
func under(name, dir string) bool {
	return name == dir || strings.HasPrefix(name, dir+"/")
}

// irqLatency is /proc/irq_latency: each vector's log2 histogram of the
// cycles its entries took (trace.WriteLatency has the format).
func irqLatency() string {
	var b strings.Builder
	trace.WriteLatency(&b, irq.Name)
	return b.String()
}

// interrupts is /proc/interrupts as Linux's show_interrupts and x86's
// arch_show_interrupts print it: a column per online CPU, then each routed
// line (a line disabled as a storm too) with its count, controller, IOAPIC
// pin and flow ("edge", or "fasteoi" for a level-triggered line; none on
// the 8259, which has no irq domain in Linux) and device, then the x86
// rows: NMI, LOC (local APIC timer), SPU (APIC spurious), RES and CAL
// (the reschedule and function-call IPIs taken), TLB (shootdowns carried
// out, by IPI or from a spinning wait, as Linux counts each flush), the
// rows Sigil has no source for (0), ERR and MIS.
func interrupts() string {
	var b strings.Builder
	ncpu := onlineCPUs()
	const prec = 3 // digits of nr_irqs (256), at least 3
	b.WriteString(strings.Repeat(" ", prec+8))
	for i := 0; i < ncpu; i++ {
		fmt.Fprintf(&b, "CPU%-8d", i)
	}
	b.WriteString("\n")
	for _, l := range intr.Lines() {
		fmt.Fprintf(&b, "%*d: ", prec, l.IRQ)
		for i := 0; i < ncpu; i++ {
			fmt.Fprintf(&b, "%10d ", irq.StatsOn(i, l.Vector).Count)
		}
		fmt.Fprintf(&b, " %8s", l.Chip)
		if l.Pin >= 0 {
			flow := "edge"
			if l.Level {
				flow = "fasteoi"
			}
			fmt.Fprintf(&b, " %*d-%-8s", prec, l.Pin, flow)
		} else {
			fmt.Fprintf(&b, " %*s", prec, "")
		}
		fmt.Fprintf(&b, "  %s\n", l.Name)
	}
	row := func(label string, what string, count func(cpu int) uint64) {
		fmt.Fprintf(&b, "%*s: ", prec, label)
		for i := 0; i < ncpu; i++ {
			fmt.Fprintf(&b, "%10d ", count(i))
		}
		fmt.Fprintf(&b, "  %s\n", what)
	}
	vec := func(v int) func(int) uint64 { return func(cpu int) uint64 { return irq.StatsOn(cpu, v).Count } }
	zero := func(int) uint64 { return 0 }
	row("NMI", "Non-maskable interrupts", vec(irq.VecNMI))
	row("LOC", "Local timer interrupts", vec(intr.VecTimer))
	row("SPU", "Spurious interrupts", func(cpu int) uint64 { return irq.SpuriousOn(cpu, irq.SpuriousLAPIC) })
	row("PMI", "Performance monitoring interrupts", zero)
	row("IWI", "IRQ work interrupts", zero)
	row("RTR", "APIC ICR read retries", zero)
	row("RES", "Rescheduling interrupts", vec(intr.VecResched))
	row("CAL", "Function call interrupts", vec(intr.VecCallFunc))
	row("TLB", "TLB shootdowns", func(cpu int) uint64 { return arch.CPUAt(cpu).TLBFlushes })
	row("TRM", "Thermal event interrupts", zero)
	row("THR", "Threshold APIC interrupts", zero)
	row("DFR", "Deferred Error APIC interrupts", zero)
	row("MCE", "Machine check exceptions", zero)
	row("MCP", "Machine check polls", zero)
	fmt.Fprintf(&b, "%*s: %10d\n", prec, "ERR", irq.Stats(intr.VecError).Count)
	fmt.Fprintf(&b, "%*s: %10d\n", prec, "MIS", 0)
	return b.String()
}

// onlineCPUs is how many CPUs /proc/interrupts has a column for: the boot
// CPU and each one up to the last online.
func onlineCPUs() int {
	n := 1
	for i := 1; i < arch.MaxCPUs; i++ {
		if arch.CPUAt(i).Online() {
			n = i + 1
		}
	}
	return n
}

// uptime is /proc/uptime: seconds since boot, and the idle CPU's seconds.
func uptime() string {
	up := clock.Nanotime()
	idle := int64(sched.IdleTicks() * 1e9 / uint64(max(intr.TickHz(), 1)))
	return fmt.Sprintf("%d.%02d %d.%02d\n", up/1e9, up%1e9/1e7, idle/1e9, idle%1e9/1e7)
}

// version is /proc/version, from the uname strings (linux_banner's form).
func version() string {
	var u linux.Utsname
	linux.FillUname(&u)
	str := func(b []byte) string { return strings.TrimRight(string(b), "\x00") }
	return fmt.Sprintf("%s version %s (%s) %s\n", str(u.Sysname[:]), str(u.Release[:]), runtime.Version(), str(u.Version[:]))
}

// loadavg is /proc/loadavg: the averages read 0 (Sigil keeps none), then
// the running and total user threads and the last PID handed out.
func loadavg() string {
	tableMu.Lock()
	last := nextPID - 1
	tableMu.Unlock()
	return fmt.Sprintf("0.00 0.00 0.00 1/%d %d\n", tasks.n.Load(), last)
}
