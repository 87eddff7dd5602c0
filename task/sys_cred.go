package task

import (
	"encoding/binary"

	"sigil/cred"
	"sigil/linux"
)

// The credential calls. Credentials are per thread, as on Linux: a C
// library or Go's runtime changes every thread's (setxid signals,
// AllThreadsSyscall). The rules are package cred's.

func (t *Thread) creds() *cred.Cred { return t.cred.Load() }

// commitCred makes n the thread's credentials (commit_creds), and copies
// the IDs interrupt context answers getuid and friends with. Owner
// thread only (or its creator, before it runs).
func (t *Thread) commitCred(n *cred.Cred) {
	t.cred.Store(n)
	ns := n.UserNS()
	t.uc.IDs = [4]uint32{ns.MungedUID(n.UID), ns.MungedUID(n.EUID), ns.MungedGID(n.GID), ns.MungedGID(n.EGID)}
	t.uc.IDsSlow = !ns.MapsSet()
}

// changeCred is commit_creds for a change the thread makes to itself:
// a new effective or file-system ID, or permitted capabilities that are
// not a subset of the old ones, make the process undumpable
// (suid_dumpable, 0), so its /proc files become root's.
func (t *Thread) changeCred(n *cred.Cred) {
	old := t.creds()
	t.commitCred(n)
	if old.LosesDumpable(n) {
		t.p.mu.Lock()
		t.p.dumpable = 0
		t.p.mu.Unlock()
	}
}

// The IDs a thread reads are its namespace's view of its kernel IDs
// (from_kuid_munged): an unmapped one reads as the overflow ID, 65534.
func (t *Thread) uid(k uint32) uint32 { return t.creds().UserNS().MungedUID(k) }
func (t *Thread) gid(k uint32) uint32 { return t.creds().UserNS().MungedGID(k) }

func sysGetuid(t *Thread, a *args) (uint64, error)  { return uint64(t.uid(t.creds().UID)), nil }
func sysGeteuid(t *Thread, a *args) (uint64, error) { return uint64(t.uid(t.creds().EUID)), nil }
func sysGetgid(t *Thread, a *args) (uint64, error)  { return uint64(t.gid(t.creds().GID)), nil }
func sysGetegid(t *Thread, a *args) (uint64, error) { return uint64(t.gid(t.creds().EGID)), nil }

// setCred commits a change a cred rule made (commit_creds).
func (t *Thread) setCred(n *cred.Cred, err error) (uint64, error) {
	if err != nil {
		return 0, err
	}
	t.changeCred(n)
	return 0, nil
}

func id32(v uint64) uint32 { return uint32(v) }

func sysSetuid(t *Thread, a *args) (uint64, error) { return t.setCred(t.creds().Setuid(id32(a[0]))) }
func sysSetgid(t *Thread, a *args) (uint64, error) { return t.setCred(t.creds().Setgid(id32(a[0]))) }
func sysSetreuid(t *Thread, a *args) (uint64, error) {
	return t.setCred(t.creds().Setreuid(id32(a[0]), id32(a[1])))
}
func sysSetregid(t *Thread, a *args) (uint64, error) {
	return t.setCred(t.creds().Setregid(id32(a[0]), id32(a[1])))
}
func sysSetresuid(t *Thread, a *args) (uint64, error) {
	return t.setCred(t.creds().Setresuid(id32(a[0]), id32(a[1]), id32(a[2])))
}
func sysSetresgid(t *Thread, a *args) (uint64, error) {
	return t.setCred(t.creds().Setresgid(id32(a[0]), id32(a[1]), id32(a[2])))
}

// sysSetfsuid and sysSetfsgid return the old ID, changed or not.
func sysSetfsuid(t *Thread, a *args) (uint64, error) {
	old, n := t.creds().Setfsuid(id32(a[0]))
	if n != nil {
		t.changeCred(n)
	}
	return uint64(old), nil
}

func sysSetfsgid(t *Thread, a *args) (uint64, error) {
	old, n := t.creds().Setfsgid(id32(a[0]))
	if n != nil {
		t.changeCred(n)
	}
	return uint64(old), nil
}

// putIDs writes three 32-bit IDs, each to its own pointer (getresuid).
func (t *Thread) putIDs(addrs [3]uint64, ids [3]uint32) error {
	for i, addr := range addrs {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], ids[i])
		if err := t.p.as.CopyOut(addr, b[:]); err != nil {
			return err
		}
	}
	return nil
}

func sysGetresuid(t *Thread, a *args) (uint64, error) {
	c := t.creds()
	return 0, t.putIDs([3]uint64{a[0], a[1], a[2]}, [3]uint32{t.uid(c.UID), t.uid(c.EUID), t.uid(c.SUID)})
}

func sysGetresgid(t *Thread, a *args) (uint64, error) {
	c := t.creds()
	return 0, t.putIDs([3]uint64{a[0], a[1], a[2]}, [3]uint32{t.gid(c.GID), t.gid(c.EGID), t.gid(c.SGID)})
}

// sysGetgroups is getgroups(2): a size of 0 asks how many; a smaller
// buffer than that is EINVAL.
func sysGetgroups(t *Thread, a *args) (uint64, error) {
	g := t.creds().Groups
	size := int32(a[0])
	if size < 0 {
		return 0, linux.EINVAL
	}
	if size == 0 {
		return uint64(len(g)), nil
	}
	if int(size) < len(g) {
		return 0, linux.EINVAL
	}
	b := make([]byte, 4*len(g))
	for i, id := range g {
		binary.LittleEndian.PutUint32(b[4*i:], t.gid(id))
	}
	return uint64(len(g)), t.p.as.CopyOut(a[1], b)
}

// sysSetgroups is setgroups(2): the count is checked before the
// permission (EINVAL beyond NGROUPS_MAX), may_setgroups (EPERM: no
// CAP_SETGID in the caller's namespace, no gid map, or setgroups
// denied), then the list is read and mapped (EINVAL for a gid the
// namespace does not map).
func sysSetgroups(t *Thread, a *args) (uint64, error) {
	size := int32(a[0])
	if size < 0 || size > cred.NGroupsMax {
		return 0, linux.EINVAL
	}
	if !t.creds().MaySetgroups() {
		return 0, linux.EPERM
	}
	b := make([]byte, 4*int(size))
	if err := t.p.as.CopyIn(b, a[1]); err != nil {
		return 0, err
	}
	g := make([]uint32, size)
	for i := range g {
		g[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return t.setCred(t.creds().Setgroups(g))
}

// capHeader reads struct __user_cap_header_struct and checks its version
// (cap_validate_magic): an unknown one is EINVAL after writing the
// version the kernel prefers back. It returns how many 32-bit words of
// each set the data holds (1 for v1, 2 for v2 and v3).
func (t *Thread) capHeader(addr uint64) (words int, pid int32, err error) {
	var h [8]byte
	if err := t.p.as.CopyIn(h[:], addr); err != nil {
		return 0, 0, err
	}
	pid = int32(binary.LittleEndian.Uint32(h[4:]))
	switch binary.LittleEndian.Uint32(h[:]) {
	case linux.LINUX_CAPABILITY_V1:
		return 1, pid, nil
	case linux.LINUX_CAPABILITY_V2, linux.LINUX_CAPABILITY_V3:
		return 2, pid, nil
	}
	binary.LittleEndian.PutUint32(h[:], linux.LINUX_CAPABILITY_V3)
	if err := t.p.as.CopyOut(addr, h[:4]); err != nil {
		return 0, 0, err
	}
	return 0, 0, linux.EINVAL
}

// sysCapget is capget(2): the sets of the caller or of process pid, as
// struct __user_cap_data_struct words (effective, permitted,
// inheritable). A NULL data pointer asks the version: a wrong one is
// then no error, the right one written back.
func sysCapget(t *Thread, a *args) (uint64, error) {
	words, pid, err := t.capHeader(a[0])
	if a[1] == 0 {
		if err == linux.EINVAL {
			return 0, nil
		}
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if pid < 0 {
		return 0, linux.EINVAL
	}
	c := t.creds()
	if pid != 0 && pid != t.TID {
		target := threadByID(pid)
		if target == nil {
			return 0, linux.ESRCH
		}
		c = target.creds()
	}
	b := make([]byte, 12*words)
	for w := 0; w < words; w++ {
		for i, set := range []uint64{c.Effective, c.Permitted, c.Inheritable} {
			binary.LittleEndian.PutUint32(b[12*w+4*i:], uint32(set>>(32*w)))
		}
	}
	return 0, t.p.as.CopyOut(a[1], b)
}

// sysCapset is capset(2): only the caller's own sets (EPERM for another
// pid), under cred.Capset's rules.
func sysCapset(t *Thread, a *args) (uint64, error) {
	words, pid, err := t.capHeader(a[0])
	if err != nil {
		return 0, err
	}
	if pid != 0 && pid != t.TID {
		return 0, linux.EPERM
	}
	b := make([]byte, 12*words)
	if err := t.p.as.CopyIn(b, a[1]); err != nil {
		return 0, err
	}
	var sets [3]uint64
	for w := 0; w < words; w++ {
		for i := range sets {
			sets[i] |= uint64(binary.LittleEndian.Uint32(b[12*w+4*i:])) << (32 * w)
		}
	}
	return t.setCred(t.creds().Capset(sets[0], sets[1], sets[2]))
}

// credPrctl serves prctl's credential options; ok false leaves the
// option to sysPrctl.
func credPrctl(t *Thread, a *args) (r uint64, ok bool, err error) {
	c := t.creds()
	switch a[0] {
	case linux.PR_GET_KEEPCAPS:
		return uint64(c.Securebits&cred.SECBIT_KEEP_CAPS) >> 4, true, nil
	case linux.PR_SET_KEEPCAPS:
		r, err = t.setCred(c.SetKeepCaps(a[1]))
	case linux.PR_GET_SECUREBITS:
		return uint64(c.Securebits), true, nil
	case linux.PR_SET_SECUREBITS:
		r, err = t.setCred(c.SetSecurebits(a[1]))
	case linux.PR_CAPBSET_READ:
		if a[1] > cred.CAP_LAST_CAP {
			return 0, true, linux.EINVAL
		}
		return c.Bounding >> a[1] & 1, true, nil
	case linux.PR_CAPBSET_DROP:
		r, err = t.setCred(c.DropBounding(a[1]))
	case linux.PR_CAP_AMBIENT:
		set, n, e := c.AmbientOp(a[1], a[2], a[3], a[4])
		if n != nil {
			t.changeCred(n)
		}
		return boolWord(set), true, e
	case linux.PR_SET_NO_NEW_PRIVS:
		if a[1] != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, true, linux.EINVAL
		}
		t.noNewPrivs.Store(true)
	case linux.PR_GET_NO_NEW_PRIVS:
		if a[1] != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, true, linux.EINVAL
		}
		return boolWord(t.noNewPrivs.Load()), true, nil
	default:
		return 0, false, nil
	}
	return r, true, err
}

// credCalls are the credential calls, for the system-call table.
var credCalls = map[uint64]sysFunc{
	linux.SYS_GETUID: sysGetuid, linux.SYS_GETEUID: sysGeteuid, linux.SYS_GETGID: sysGetgid,
	linux.SYS_GETEGID: sysGetegid, linux.SYS_SETUID: sysSetuid, linux.SYS_SETGID: sysSetgid,
	linux.SYS_SETREUID: sysSetreuid, linux.SYS_SETREGID: sysSetregid, linux.SYS_SETRESUID: sysSetresuid,
	linux.SYS_SETRESGID: sysSetresgid, linux.SYS_GETRESUID: sysGetresuid, linux.SYS_GETRESGID: sysGetresgid,
	linux.SYS_SETFSUID: sysSetfsuid, linux.SYS_SETFSGID: sysSetfsgid, linux.SYS_GETGROUPS: sysGetgroups,
	linux.SYS_SETGROUPS: sysSetgroups, linux.SYS_CAPGET: sysCapget, linux.SYS_CAPSET: sysCapset,
}
