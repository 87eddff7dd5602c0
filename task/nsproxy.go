package task

import (
	"sync"

	"sigil/cred"
	"sigil/linux"
	"sigil/vfs"
)

// Namespaces (kernel/nsproxy.c). A thread's user namespace is in its
// credentials (cred.UserNS); the others are in its nsProxy. Each kind
// says which user namespace owns it: capabilities over that one are what
// changing it takes (sethostname, mount, writing timens_offsets).
//
// Sigil has mount, UTS, IPC, cgroup and time namespaces. CLONE_NEWPID
// and CLONE_NEWNET are EINVAL, as on a Linux built without
// CONFIG_PID_NS and CONFIG_NET_NS: there is one PID namespace and one
// network namespace, whose /proc/PID/ns links name the initial ones.

// nsProxy is a thread's namespaces (struct nsproxy). It is never changed
// in place: clone, unshare and setns build a new one and the owner thread
// stores it (Thread.nsp), so a reader holding one sees one consistent
// set. Every field is fixed.
type nsProxy struct {
	mnt             *mntNS
	uts             *utsNS
	ipc             *ipcNS
	cgroup          *cgroupNS
	time            *timeNS // the thread's clocks
	timeForChildren *timeNS // the namespace its children start in
}

// nsCommon is what every namespace has: its inode number
// (/proc/PID/ns/KIND reads "KIND:[ino]") and its owner. Both fixed.
type nsCommon struct {
	ino   uint32
	owner *cred.UserNS
}

func newCommon(owner *cred.UserNS) nsCommon { return nsCommon{cred.NewIno(), owner} }

// mntNS is a mount namespace: its table is vfs's (guarded by vfs's lock).
type mntNS struct {
	nsCommon
	m *vfs.MountNS // fixed
}

// utsNS is a UTS namespace (struct uts_namespace): the host and domain
// names sethostname and setdomainname set and uname reports.
type utsNS struct {
	nsCommon
	mu           sync.Mutex
	node, domain string // guarded by mu; empty: linux.FillUname's defaults
}

// ipcNS is an IPC namespace. Sigil has no System V IPC nor POSIX
// message queues, so it holds nothing but its identity.
type ipcNS struct{ nsCommon }

// cgroupNS is a cgroup namespace: Sigil has no cgroups, so it too is
// only its identity.
type cgroupNS struct{ nsCommon }

// timeNS is a time namespace (struct time_namespace): offsets added to
// CLOCK_MONOTONIC* and CLOCK_BOOTTIME* for the threads in it.
type timeNS struct {
	nsCommon
	mu     sync.Mutex
	mono   int64 // CLOCK_MONOTONIC offset, ns; guarded by mu
	boot   int64 // CLOCK_BOOTTIME offset, ns; guarded by mu
	frozen bool  // a thread has entered: the offsets no longer change; guarded by mu
}

// offsets returns the namespace's clock offsets.
func (n *timeNS) offsets() (mono, boot int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mono, n.boot
}

// freeze is timens_commit: the first thread in fixes the offsets.
func (n *timeNS) freeze() {
	n.mu.Lock()
	n.frozen = true
	n.mu.Unlock()
}

// Process IDs and network: the initial ones only; their inode numbers.
var (
	initPIDIno = uint32(cred.InitPIDIno)
	initNetIno = cred.NewIno()
)

// initNS is init_nsproxy: every thread's until it makes or enters
// others. Its mount namespace is made at boot (MountInitrd).
var initNS = &nsProxy{
	uts:    &utsNS{nsCommon: nsCommon{cred.InitUTSIno, cred.InitUserNS}},
	ipc:    &ipcNS{nsCommon{cred.InitIPCIno, cred.InitUserNS}},
	cgroup: &cgroupNS{nsCommon{cred.InitCgroupIno, cred.InitUserNS}},
	time:   initTime,
	// timeForChildren is initTime too (set in init below).
}

var initTime = &timeNS{nsCommon: nsCommon{cred.InitTimeIno, cred.InitUserNS}, frozen: true}

func init() { initNS.timeForChildren = initTime }

// setInitMountNS makes the initial mount namespace over the root tree.
func setInitMountNS(root *vfs.FS) {
	m := vfs.NewMountNS(root)
	initNS.mnt = &mntNS{newCommon(cred.InitUserNS), m}
	vfs.Initial = m
}

// nsp returns the thread's namespaces.
func (t *Thread) ns() *nsProxy {
	if n := t.nsp.Load(); n != nil {
		return n
	}
	return initNS
}

// mnt is the thread's mount namespace's table, where its paths resolve.
func (t *Thread) mnt() *vfs.MountNS { return t.ns().mnt.m }

// nsFlags are the CLONE_NEW* flags of the namespaces in an nsProxy.
const nsFlags = linux.CLONE_NEWNS | linux.CLONE_NEWUTS | linux.CLONE_NEWIPC | linux.CLONE_NEWPID |
	linux.CLONE_NEWNET | linux.CLONE_NEWCGROUP | linux.CLONE_NEWTIME

// newNamespaces is create_new_namespaces, shared by clone and unshare:
// old's namespaces, with a new one (owned by owner) for each CLONE_NEW*
// flag, in Linux's order; CLONE_NEWPID and CLONE_NEWNET are EINVAL. A
// new time namespace starts as a copy of old's timeForChildren, with its
// offsets unfrozen; the time namespace itself is old's (a clone moves the
// child in: timens_on_fork).
func newNamespaces(flags uint64, old *nsProxy, owner *cred.UserNS) (*nsProxy, error) {
	n := *old
	if flags&linux.CLONE_NEWNS != 0 {
		n.mnt = &mntNS{newCommon(owner), old.mnt.m.Copy()}
	}
	if flags&linux.CLONE_NEWUTS != 0 {
		old.uts.mu.Lock()
		n.uts = &utsNS{nsCommon: newCommon(owner), node: old.uts.node, domain: old.uts.domain}
		old.uts.mu.Unlock()
	}
	if flags&linux.CLONE_NEWIPC != 0 {
		n.ipc = &ipcNS{newCommon(owner)}
	}
	if flags&(linux.CLONE_NEWPID|linux.CLONE_NEWNET) != 0 {
		return nil, linux.EINVAL
	}
	if flags&linux.CLONE_NEWCGROUP != 0 {
		n.cgroup = &cgroupNS{newCommon(owner)}
	}
	if flags&linux.CLONE_NEWTIME != 0 {
		mono, boot := old.timeForChildren.offsets()
		n.timeForChildren = &timeNS{nsCommon: newCommon(owner), mono: mono, boot: boot}
	}
	return &n, nil
}

// checkNamespaceFlags is what clone (copy_process), clone3 and unshare
// (after ksys_unshare adds the flags each one implies) all check of the
// namespace flags: no CLONE_NEWNS or CLONE_NEWUSER with a shared
// CLONE_FS; no new user or PID namespace for a thread; no new time
// namespace pending (unshared for the children) for a task sharing
// memory or the thread group (Linux 6.1 still lets CLONE_NEWTIME itself
// through with CLONE_VM, measured). p is the caller's namespaces.
func checkNamespaceFlags(f uint64, p *nsProxy) error {
	switch {
	case f&(linux.CLONE_NEWNS|linux.CLONE_FS) == linux.CLONE_NEWNS|linux.CLONE_FS,
		f&(linux.CLONE_NEWUSER|linux.CLONE_FS) == linux.CLONE_NEWUSER|linux.CLONE_FS,
		f&linux.CLONE_THREAD != 0 && f&(linux.CLONE_NEWUSER|linux.CLONE_NEWPID) != 0,
		f&(linux.CLONE_THREAD|linux.CLONE_VM) != 0 && p.time != p.timeForChildren:
		return linux.EINVAL
	}
	return nil
}

// forkNamespaces is copy_creds' and copy_namespaces' part of clone for
// the new task: a new user namespace first (the child's credentials),
// then, if any other CLONE_NEW* flag is given, CAP_SYS_ADMIN over the
// child's user namespace (EPERM), not CLONE_NEWIPC with CLONE_SYSVSEM
// (EINVAL), and the new namespaces. A child process whose parent made a
// new time namespace for its children enters it.
func (t *Thread) forkNamespaces(flags uint64) (*cred.Cred, *nsProxy, error) {
	c := t.creds()
	if flags&linux.CLONE_NEWUSER != 0 {
		n, err := c.NewUserNS(false)
		if err != nil {
			return nil, nil, err
		}
		c = n
	}
	old := t.ns()
	if flags&nsFlags == 0 && (flags&linux.CLONE_VM != 0 || old.time == old.timeForChildren) {
		return c, old, nil
	}
	if flags&nsFlags != 0 {
		if !c.NSCapable(c.UserNS(), linux.CAP_SYS_ADMIN) {
			return nil, nil, linux.EPERM
		}
		if flags&(linux.CLONE_NEWIPC|linux.CLONE_SYSVSEM) == linux.CLONE_NEWIPC|linux.CLONE_SYSVSEM {
			return nil, nil, linux.EINVAL
		}
	}
	n, err := newNamespaces(flags, old, c.UserNS())
	if err != nil {
		return nil, nil, err
	}
	if n.time != n.timeForChildren { // timens_on_fork
		n.time = n.timeForChildren
		n.time.freeze()
	}
	return c, n, nil
}

// unshareNamespaces is unshare_userns and unshare_nsproxy_namespaces:
// the new credentials (nil: unchanged) and namespaces (nil: unchanged)
// for unshare's flags, which already hold those they imply.
func (t *Thread) unshareNamespaces(flags uint64) (*cred.Cred, *nsProxy, error) {
	c := t.creds()
	var nc *cred.Cred
	if flags&linux.CLONE_NEWUSER != 0 {
		n, err := c.NewUserNS(false)
		if err != nil {
			return nil, nil, err
		}
		nc, c = n, n
	}
	if flags&nsFlags == 0 {
		return nc, nil, nil
	}
	if !c.NSCapable(c.UserNS(), linux.CAP_SYS_ADMIN) {
		return nil, nil, linux.EPERM
	}
	n, err := newNamespaces(flags, t.ns(), c.UserNS())
	if err != nil {
		return nil, nil, err
	}
	return nc, n, nil
}

// mntOf is the mount table p's thread tid resolves paths in (the main
// thread's once tid is gone).
func (p *Process) mntOf(tid int32) *vfs.MountNS {
	p.mu.Lock()
	th := p.threads[tid]
	if th == nil {
		th = p.mainThreadLocked()
	}
	p.mu.Unlock()
	if th == nil {
		return initNS.mnt.m
	}
	return th.mnt()
}
