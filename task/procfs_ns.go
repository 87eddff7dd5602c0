package task

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"sigil/clock"
	"sigil/cred"
	"sigil/file"
	"sigil/linux"
	"sigil/vfs"
)

// /proc/PID/ns/KIND, uid_map, gid_map, projid_map, setgroups and
// timens_offsets (fs/proc/namespaces.c, kernel/user_namespace.c,
// kernel/time/namespace.c).

// nsfs is the tree of namespace files: what a /proc/PID/ns/KIND link
// opens (an nsfs inode numbered as the namespace, for setns).
var nsfs = vfs.NewFS("nsfs")

// nsFiles holds each namespace's file, by inode number; guarded by
// nsFilesMu.
var (
	nsFilesMu sync.Mutex
	nsFiles   = map[uint32]*vfs.Node{}
)

// nsFile is a namespace as an open file (Node.Dev of its nsfs node).
type nsFile struct {
	kind uint64 // its CLONE_NEW* flag
	ns   any    // *cred.UserNS, *mntNS, *utsNS, *ipcNS, *cgroupNS, *timeNS
}

// nsNode returns the nsfs file of a namespace.
func nsNode(ino uint32, f nsFile) *vfs.Node {
	nsFilesMu.Lock()
	defer nsFilesMu.Unlock()
	if n := nsFiles[ino]; n != nil {
		return n
	}
	n := nsfs.Unnamed(vfs.Ctx{}, 0o444, "")
	n.Ino, n.Dev = uint64(ino), f
	nsFiles[ino] = n
	return n
}

// addNamespaces adds /proc/PID/ns and the user and time namespace
// files of process p (those of its main thread).
func (p *Process) addNamespaces(fs *vfs.FS, dir string, self *Process, tid int32) {
	p.mu.Lock()
	th := p.mainThreadLocked()
	p.mu.Unlock()
	if th == nil {
		return
	}
	c, n := th.creds(), th.ns()
	user := c.UserNS()
	fs.Add(dir+"/ns", vfs.S_IFDIR|0o511, nil)
	for _, l := range []struct {
		name string
		ino  uint32
		f    nsFile
	}{
		{"cgroup", n.cgroup.ino, nsFile{linux.CLONE_NEWCGROUP, n.cgroup}},
		{"ipc", n.ipc.ino, nsFile{linux.CLONE_NEWIPC, n.ipc}},
		{"mnt", n.mnt.ino, nsFile{linux.CLONE_NEWNS, n.mnt}},
		{"net", initNetIno, nsFile{linux.CLONE_NEWNET, nil}},
		{"pid", initPIDIno, nsFile{linux.CLONE_NEWPID, nil}},
		{"pid_for_children", initPIDIno, nsFile{linux.CLONE_NEWPID, nil}},
		{"time", n.time.ino, nsFile{linux.CLONE_NEWTIME, n.time}},
		{"time_for_children", n.timeForChildren.ino, nsFile{linux.CLONE_NEWTIME, n.timeForChildren}},
		{"user", user.Ino, nsFile{linux.CLONE_NEWUSER, user}},
		{"uts", n.uts.ino, nsFile{linux.CLONE_NEWUTS, n.uts}},
	} {
		kind := strings.TrimSuffix(l.name, "_for_children")
		link, _ := fs.Add(dir+"/ns/"+l.name, vfs.S_IFLNK|0o777, fmt.Appendf(nil, "%s:[%d]", kind, l.ino))
		link.Dev = magicLink{nsNode(l.ino, l.f)}
	}
	// The reader sees IDs in its own namespace (seq_user_ns).
	reader := cred.InitUserNS
	if self != nil {
		self.mu.Lock()
		rt := self.threads[tid]
		if rt == nil {
			rt = self.mainThreadLocked()
		}
		self.mu.Unlock()
		if rt != nil {
			reader = rt.creds().UserNS()
		}
	}
	// task_dump_owner: the effective uid while dumpable, else root.
	p.mu.Lock()
	owner := c.EUID
	if p.dumpable != 1 {
		owner = 0
	}
	p.mu.Unlock()
	addCtl(fs, dir+"/uid_map", showMap(user, reader, user.UIDMap(), upUID), owner, mapWriter(user, cred.UIDMapKind))
	addCtl(fs, dir+"/gid_map", showMap(user, reader, user.GIDMap(), upGID), owner, mapWriter(user, cred.GIDMapKind))
	addCtl(fs, dir+"/projid_map", showMap(user, reader, projidMap(user), upUID), owner, projidWriter(user))
	sg := "allow\n"
	if !user.SetgroupsAllowed() {
		sg = "deny\n"
	}
	addCtl(fs, dir+"/setgroups", sg, owner, func(t *Thread, b []byte, off int64, opener *cred.Cred) error {
		return user.WriteSetgroups(b, off)
	})
	addCtl(fs, dir+"/timens_offsets", n.timeForChildren.show(), owner, n.timeForChildren.write)
}

// projidMap is the projid map: Sigil has no project IDs, so the initial
// namespace's identity map, and nothing below it.
func projidMap(ns *cred.UserNS) cred.IDMap {
	if ns == cred.InitUserNS {
		return ns.UIDMap()
	}
	return nil
}

// showMap is a map file as uid_m_show prints it to a reader in namespace
// reader: each extent's lower IDs in the reader's namespace, or in its
// parent's when the reader reads its own namespace's map (up maps a
// kernel ID into a namespace: from_kuid or from_kgid).
func showMap(ns, reader *cred.UserNS, m cred.IDMap, up func(*cred.UserNS, uint32) uint32) string {
	lower := reader
	if lower == ns && lower.Parent != nil {
		lower = lower.Parent
	}
	var b strings.Builder
	for _, e := range m {
		fmt.Fprintf(&b, "%10d %10d %10d\n", e.First, up(lower, e.LowerFirst), e.Count)
	}
	return b.String()
}

func upUID(ns *cred.UserNS, k uint32) uint32 { return ns.UID(k) }
func upGID(ns *cred.UserNS, k uint32) uint32 { return ns.GID(k) }

// procCtl is a writable /proc file (Node.Dev): write applies what a
// thread writes at offset off to a file opener opened.
type procCtl struct {
	owner uint32 // the file's owner (the process's effective uid)
	write func(t *Thread, b []byte, off int64, opener *cred.Cred) error
	trunc func() // an open for writing with O_TRUNC, if the file cares (tracefs's trace, set_event)
}

func addCtl(fs *vfs.FS, name, content string, owner uint32,
	write func(t *Thread, b []byte, off int64, opener *cred.Cred) error) {
	n, _ := fs.Add(name, vfs.S_IFREG|0o644, []byte(content))
	n.Dev = procCtl{owner: owner, write: write}
}

// mayWriteCtl is the permission to open a procCtl file for writing: its
// owner's, or CAP_DAC_OVERRIDE's (mode 0644).
func mayWriteCtl(t *Thread, n *vfs.Node) bool {
	c, ok := n.Dev.(procCtl)
	return ok && (t.creds().FSUID == c.owner || t.creds().Capable(linux.CAP_DAC_OVERRIDE))
}

// ctlFile is an open procCtl file: reads give what it held when opened.
type ctlFile struct {
	file.Regular
	ctl    procCtl
	opener *cred.Cred
}

func (c *ctlFile) Write(caller file.Caller, f *file.File, p []byte) (int, error) {
	f.Mu.Lock()
	off := f.Off
	f.Mu.Unlock()
	if err := c.ctl.write(threadCalling(caller), p, off, c.opener); err != nil {
		return 0, err
	}
	f.Mu.Lock()
	f.Off = int64(len(p))
	f.Mu.Unlock()
	return len(p), nil
}

func mapWriter(ns *cred.UserNS, kind cred.MapKind) func(*Thread, []byte, int64, *cred.Cred) error {
	return func(t *Thread, b []byte, off int64, opener *cred.Cred) error {
		return ns.WriteMap(kind, b, off, t.creds(), opener)
	}
}

// projidWriter: Sigil keeps no project IDs, but a write is checked as
// Linux checks it (a map for the namespace's parent's IDs, once).
func projidWriter(ns *cred.UserNS) func(*Thread, []byte, int64, *cred.Cred) error {
	var mu sync.Mutex
	written := false
	return func(t *Thread, b []byte, off int64, opener *cred.Cred) error {
		if ns.Parent == nil {
			return linux.EPERM
		}
		if on := opener.UserNS(); on != ns && on != ns.Parent {
			return linux.EPERM
		}
		if off != 0 || len(b) >= 4096 {
			return linux.EINVAL
		}
		mu.Lock()
		defer mu.Unlock()
		if written {
			return linux.EPERM
		}
		if _, err := cred.ParseIDMap(b); err != nil {
			return err
		}
		written = true
		return nil
	}
}

// show is /proc/PID/timens_offsets (proc_timens_show_offsets).
func (n *timeNS) show() string {
	mono, boot := n.offsets()
	return fmt.Sprintf("%-10s %10d %9d\n%-10s %10d %9d\n", "monotonic", floorDiv(mono), floorMod(mono), "boottime", floorDiv(boot), floorMod(boot))
}

func floorDiv(ns int64) int64 {
	s := ns / 1e9
	if ns%1e9 < 0 {
		s--
	}
	return s
}

func floorMod(ns int64) int64 { return ns - floorDiv(ns)*1e9 }

// ktimeSecMax is KTIME_SEC_MAX: the seconds a ktime_t holds.
const ktimeSecMax = (1<<63 - 1) / 1_000_000_000

// write is a write of timens_offsets (timens_offsets_write and
// proc_timens_set_offset): under a page at offset 0 (EINVAL); up to two
// lines "CLOCK SECS NSECS", CLOCK "monotonic" or 1, "boottime" or 7,
// NSECS below a second (EINVAL); CAP_SYS_TIME over the namespace's owner
// for the opener (EPERM); each clock with its offset between 0 and half
// of KTIME_SEC_MAX seconds (ERANGE); and no thread in the namespace yet
// (EACCES).
func (n *timeNS) write(t *Thread, b []byte, off int64, opener *cred.Cred) error {
	if off != 0 || len(b) >= 4096 {
		return linux.EINVAL
	}
	type offset struct {
		mono     bool
		sec, nsc int64
	}
	var offs []offset
	rest := string(b)
	if i := strings.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i]
	}
	for more := true; more && len(offs) < 2; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
			more = rest != ""
		} else {
			more = false
		}
		f := strings.Fields(line)
		if len(f) < 3 {
			return linux.EINVAL
		}
		sec, err1 := strconv.ParseInt(f[1], 10, 64)
		nsc, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || nsc >= 1e9 {
			return linux.EINVAL
		}
		name := f[0]
		if len(name) > 9 {
			name = name[:9]
		}
		o := offset{sec: sec, nsc: int64(nsc)}
		switch name {
		case "monotonic", "1":
			o.mono = true
		case "boottime", "7":
		default:
			return linux.EINVAL
		}
		offs = append(offs, o)
	}
	if !opener.NSCapable(n.owner, linux.CAP_SYS_TIME) {
		return linux.EPERM
	}
	now := clock.Nanotime()
	for _, o := range offs {
		if o.sec > ktimeSecMax || o.sec < -ktimeSecMax {
			return linux.ERANGE
		}
		if s := floorDiv(now) + o.sec + (floorMod(now)+o.nsc)/1e9; s < 0 || s > ktimeSecMax/2 {
			return linux.ERANGE
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.frozen {
		return linux.EACCES
	}
	for _, o := range offs {
		if o.mono {
			n.mono = o.sec*1e9 + o.nsc
		} else {
			n.boot = o.sec*1e9 + o.nsc
		}
	}
	return nil
}
