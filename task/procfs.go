package task

import (
	"fmt"
	"runtime/metrics"
	"strings"

	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
	"sigil/vfs"
)

// /proc is generated on each lookup that reaches it: a fresh snapshot tree
// with a directory per process holding status, stat and maps (Linux's
// formats, fs/proc/array.c and task_mmu.c), /proc/meminfo and /proc/self.

func procSnapshot(self *Process) *vfs.FS {
	fs := vfs.New()
	fs.Add("/proc", vfs.S_IFDIR|0o555, nil)
	for _, p := range All() {
		i := p.Info()
		dir := fmt.Sprintf("/proc/%d", i.PID)
		p.mu.Lock()
		as := p.as
		p.mu.Unlock()
		fs.Add(dir+"/status", vfs.S_IFREG|0o444, []byte(p.status_(as)))
		fs.Add(dir+"/stat", vfs.S_IFREG|0o444, []byte(fmt.Sprintf("%d (%s) %c %d %d %d\n", i.PID, i.Comm, i.State, i.PPID, i.PGID, i.SID)))
		var maps strings.Builder
		if as != nil {
			as.WriteMaps(&maps)
		}
		fs.Add(dir+"/maps", vfs.S_IFREG|0o444, []byte(maps.String()))
	}
	fs.Add("/proc/meminfo", vfs.S_IFREG|0o444, []byte(meminfo()))
	if self != nil {
		fs.Add("/proc/self", vfs.S_IFLNK|0o777, []byte(fmt.Sprint(self.PID)))
	}
	return fs
}

func (p *Process) status_(as *AddressSpace) string {
	i := p.Info()
	state := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)"}[i.State]
	p.mu.Lock()
	var ign, cgt uint64
	for sig := 1; sig < linux.NSIG; sig++ {
		switch p.actions[sig].Handler {
		case linux.SIG_DFL:
		case linux.SIG_IGN:
			ign |= 1 << (sig - 1)
		default:
			cgt |= 1 << (sig - 1)
		}
	}
	var blk, pnd uint64
	for _, t := range p.threads {
		blk = uint64(t.sig.mask)
		pnd = uint64(t.sig.pending.Pending())
		break
	}
	shd := uint64(p.shared.Pending())
	queued := rootUser.Queued() // SigQ counts the user's, as Linux's
	limit := p.limits[linux.RLIMIT_SIGPENDING].Cur
	p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n", i.Comm, state, i.PID, i.PID, i.PPID)
	fmt.Fprintf(&b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")
	if as != nil && i.State != 'Z' {
		m := as.Status()
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
func generated(name string, self *Process) *vfs.FS {
	switch {
	case under(name, "/proc"):
		return procSnapshot(self)
	case under(name, tracingDir):
		return tracingSnapshot()
	}
	return nil
}

// under reports whether the absolute path name is dir or lies in it.
func under(name, dir string) bool {
	return name == dir || strings.HasPrefix(name, dir+"/")
}
