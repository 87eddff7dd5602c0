package task

import (
	"fmt"
	"strings"

	"sigil/linux"
	"sigil/mm"
	"sigil/vfs"
)

// /proc is generated on each lookup that reaches it: a fresh snapshot tree
// with a directory per process holding status (Linux's format,
// fs/proc/array.c) and stat, and /proc/self.

func procSnapshot(self *Process) *vfs.FS {
	fs := vfs.New()
	fs.Add("/proc", vfs.S_IFDIR|0o555, nil)
	for _, p := range All() {
		i := p.Info()
		dir := fmt.Sprintf("/proc/%d", i.PID)
		fs.Add(dir+"/status", vfs.S_IFREG|0o444, []byte(p.status_()))
		fs.Add(dir+"/stat", vfs.S_IFREG|0o444, []byte(fmt.Sprintf("%d (%s) %c %d %d %d\n", i.PID, i.Comm, i.State, i.PPID, i.PGID, i.SID)))
	}
	fs.Add("/proc/meminfo", vfs.S_IFREG|0o444, []byte(meminfo()))
	if self != nil {
		fs.Add("/proc/self", vfs.S_IFLNK|0o777, []byte(fmt.Sprint(self.PID)))
	}
	return fs
}

func (p *Process) status_() string {
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
	queued := p.queuedLocked()
	limit := p.limits[linux.RLIMIT_SIGPENDING].Cur
	p.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n", i.Comm, state, i.PID, i.PID, i.PPID)
	fmt.Fprintf(&b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nThreads:\t%d\n", i.Threads)
	fmt.Fprintf(&b, "SigQ:\t%d/%d\nSigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		queued, limit, pnd, shd, blk, ign, cgt)
	return b.String()
}

// meminfo is /proc/meminfo's head (fs/proc/meminfo.c): MemTotal is every
// frame the allocator was given; the kernel image, the initrd and the boot
// page tables lie outside it, as Linux's reserved memory does.
func meminfo() string {
	st := mm.Stats()
	kb := uint64(mm.PageSize / 1024)
	return fmt.Sprintf("MemTotal:       %8d kB\nMemFree:        %8d kB\nMemAvailable:   %8d kB\n",
		st.Total*kb, st.Free*kb, st.Free*kb)
}

// procPath reports whether an absolute path lies in /proc.
func procPath(name string) bool {
	return name == "/proc" || strings.HasPrefix(name, "/proc/")
}
