// Package cred is a thread's credentials and the rules that change them,
// as Linux's kernel/sys.c (the set*id calls), kernel/capability.c and
// security/commoncap.c (capabilities across those changes and exec)
// decide. A Cred is never changed in place: each change makes a new one
// (Linux's prepare_creds/commit_creds), so a reader holding a pointer
// sees one consistent set. Hardware-free.
package cred

import (
	"slices"

	"sigil/linux"
)

// The capabilities and securebits (linux.CAP_*, linux.SECBIT_*) under
// short names.
const (
	CAP_CHOWN           = linux.CAP_CHOWN
	CAP_DAC_OVERRIDE    = linux.CAP_DAC_OVERRIDE
	CAP_DAC_READ_SEARCH = linux.CAP_DAC_READ_SEARCH
	CAP_FOWNER          = linux.CAP_FOWNER
	CAP_FSETID          = linux.CAP_FSETID
	CAP_KILL            = linux.CAP_KILL
	CAP_SETGID          = linux.CAP_SETGID
	CAP_SETUID          = linux.CAP_SETUID
	CAP_SETPCAP         = linux.CAP_SETPCAP
	CAP_LAST_CAP        = linux.CAP_LAST_CAP

	// AllCaps is every capability: root's bounding and permitted sets.
	AllCaps = linux.CAP_ALL
	// fsMask is the capabilities that follow the fsuid (CAP_FS_MASK).
	fsMask = 1<<linux.CAP_CHOWN | 1<<linux.CAP_DAC_OVERRIDE | 1<<linux.CAP_DAC_READ_SEARCH | 1<<linux.CAP_FOWNER |
		1<<linux.CAP_FSETID | 1<<linux.CAP_LINUX_IMMUTABLE | 1<<linux.CAP_MKNOD | 1<<linux.CAP_MAC_OVERRIDE

	SECBIT_NOROOT                 = linux.SECBIT_NOROOT
	SECBIT_NOROOT_LOCKED          = linux.SECBIT_NOROOT_LOCKED
	SECBIT_NO_SETUID_FIXUP        = linux.SECBIT_NO_SETUID_FIXUP
	SECBIT_NO_SETUID_FIXUP_LOCKED = linux.SECBIT_NO_SETUID_FIXUP_LOCKED
	SECBIT_KEEP_CAPS              = linux.SECBIT_KEEP_CAPS
	SECBIT_KEEP_CAPS_LOCKED       = linux.SECBIT_KEEP_CAPS_LOCKED
	SECBIT_NO_CAP_AMBIENT_RAISE   = linux.SECBIT_NO_CAP_AMBIENT_RAISE
	SECBIT_NO_CAP_AMBIENT_RAISE_L = linux.SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED
	securebitsAll                 = linux.SECURE_ALL_BITS | linux.SECURE_ALL_LOCKS
)

// NGroupsMax is NGROUPS_MAX: setgroups takes at most this many.
const NGroupsMax = 65536

// Cred is one thread's credentials (struct cred).
type Cred struct {
	UID, EUID, SUID, FSUID uint32
	GID, EGID, SGID, FSGID uint32
	Groups                 []uint32 // supplementary groups, sorted
	Inheritable, Permitted uint64
	Effective, Bounding    uint64
	Ambient                uint64
	Securebits             uint32
	// NS is the user namespace the capabilities hold in (nil: the
	// initial one); the IDs above are kernel IDs whatever it is.
	NS *UserNS
}

// Root is init's credentials: every ID 0, every capability permitted and
// effective, the full bounding set (init_cred).
func Root() *Cred {
	return &Cred{Permitted: AllCaps, Effective: AllCaps, Bounding: AllCaps}
}

// Capable is capable(): the capability over the initial namespace,
// which only a caller in it can hold.
func (c *Cred) Capable(cap int) bool { return c.NSCapable(InitUserNS, cap) }

// ownCapable is ns_capable over the caller's own namespace: its
// effective set.
func (c *Cred) ownCapable(cap int) bool { return c.Effective&(1<<cap) != 0 }

func (c *Cred) clone() *Cred {
	n := *c
	n.Groups = slices.Clone(c.Groups)
	return &n
}

// InGroup reports whether gid is the fsgid or a supplementary group
// (in_group_p).
func (c *Cred) InGroup(gid uint32) bool {
	if c.FSGID == gid {
		return true
	}
	_, ok := slices.BinarySearch(c.Groups, gid)
	return ok
}

// noID is -1 as the set*id calls take it: "leave unchanged".
const noID = 1<<32 - 1

// ids is one kind of ID, user or group: real, effective, saved and
// filesystem. The set*id rules are the same for both kinds (kernel/sys.c
// writes them twice); only the capability that overrides them differs,
// and a uid change also moves capabilities (fixSetuid).
type ids struct{ r, e, s, fs uint32 }

func (c *Cred) uids() ids        { return ids{c.UID, c.EUID, c.SUID, c.FSUID} }
func (c *Cred) gids() ids        { return ids{c.GID, c.EGID, c.SGID, c.FSGID} }
func (c *Cred) setUIDs(v ids)    { c.UID, c.EUID, c.SUID, c.FSUID = v.r, v.e, v.s, v.fs }
func (c *Cred) setGIDs(v ids)    { c.GID, c.EGID, c.SGID, c.FSGID = v.r, v.e, v.s, v.fs }
func (v ids) has(id uint32) bool { return id == v.r || id == v.e || id == v.s }

// set is setuid/setgid: privileged, all three IDs change; otherwise the
// effective one may become the real or saved one.
func (v ids) set(id uint32, capable bool) (ids, error) {
	if id == noID {
		return v, linux.EINVAL
	}
	switch {
	case capable:
		v.r, v.s = id, id
	case id != v.r && id != v.s:
		return v, linux.EPERM
	}
	v.e, v.fs = id, id
	return v, nil
}

// setre is setreuid/setregid: unprivileged, the real ID may become the
// real or effective one, the effective one any of the three; the saved
// ID follows the effective one when the real ID is set or the effective
// one differs from the old real one.
func (v ids) setre(r, e uint32, capable bool) (ids, error) {
	n := v
	if r != noID {
		if !capable && r != v.r && r != v.e {
			return v, linux.EPERM
		}
		n.r = r
	}
	if e != noID {
		if !capable && !v.has(e) {
			return v, linux.EPERM
		}
		n.e = e
	}
	if r != noID || e != noID && e != v.r {
		n.s = n.e
	}
	n.fs = n.e
	return n, nil
}

// setres is setresuid/setresgid: unprivileged, each new ID must be one
// of the three old ones.
func (v ids) setres(r, e, s uint32, capable bool) (ids, error) {
	n := v
	for _, x := range []struct {
		id  uint32
		dst *uint32
	}{{r, &n.r}, {e, &n.e}, {s, &n.s}} {
		if x.id == noID {
			continue
		}
		if !capable && !v.has(x.id) {
			return v, linux.EPERM
		}
		*x.dst = x.id
	}
	n.fs = n.e
	return n, nil
}

// setfs is setfsuid/setfsgid: the new ID must be one of the four, unless
// privileged; a refusal is silent.
func (v ids) setfs(id uint32, capable bool) (ids, bool) {
	if id == noID || id == v.fs || !capable && !v.has(id) {
		return v, false
	}
	v.fs = id
	return v, true
}

// uidChange applies a rule to the user IDs, moving capabilities as the
// change asks (fixSetuid).
func (c *Cred) uidChange(v ids, err error) (*Cred, error) {
	if err != nil {
		return nil, err
	}
	n := c.clone()
	n.setUIDs(v)
	n.fixSetuid(c)
	return n, nil
}

func (c *Cred) gidChange(v ids, err error) (*Cred, error) {
	if err != nil {
		return nil, err
	}
	n := c.clone()
	n.setGIDs(v)
	return n, nil
}

// Setuid, Setreuid, Setresuid: the user-ID calls, overridden by
// CAP_SETUID.
// The IDs the calls take are the caller's namespace's: each one not -1
// must map to a kernel ID (make_kuid), else EINVAL before any rule.
func (c *Cred) Setuid(uid uint32) (*Cred, error) {
	k, err := c.kuids(uid)
	if err != nil {
		return nil, err
	}
	return c.uidChange(c.uids().set(k[0], c.ownCapable(CAP_SETUID)))
}

func (c *Cred) Setreuid(ruid, euid uint32) (*Cred, error) {
	k, err := c.kuidsOpt(ruid, euid)
	if err != nil {
		return nil, err
	}
	return c.uidChange(c.uids().setre(k[0], k[1], c.ownCapable(CAP_SETUID)))
}

func (c *Cred) Setresuid(ruid, euid, suid uint32) (*Cred, error) {
	k, err := c.kuidsOpt(ruid, euid, suid)
	if err != nil {
		return nil, err
	}
	return c.uidChange(c.uids().setres(k[0], k[1], k[2], c.ownCapable(CAP_SETUID)))
}

// Setfsuid is setfsuid(2): it returns the old fsuid as the caller's
// namespace sees it, and the new credentials only if they changed; an
// unmapped uid changes nothing.
func (c *Cred) Setfsuid(uid uint32) (old uint32, n *Cred) {
	ns := c.userNS()
	old = ns.MungedUID(c.FSUID)
	k := ns.KUID(uid)
	if k == InvalidID {
		return old, nil
	}
	v, ok := c.uids().setfs(k, c.ownCapable(CAP_SETUID))
	if ok {
		n, _ = c.uidChange(v, nil)
	}
	return old, n
}

// kuids maps namespace uids to kernel uids: EINVAL for one unmapped
// (-1 among them).
func (c *Cred) kuids(ids ...uint32) ([]uint32, error) { return mapIDs(c.userNS().KUID, ids, false) }

// kuidsOpt is kuids where -1 means "unchanged" and stays -1.
func (c *Cred) kuidsOpt(ids ...uint32) ([]uint32, error) { return mapIDs(c.userNS().KUID, ids, true) }

func (c *Cred) kgids(ids ...uint32) ([]uint32, error)    { return mapIDs(c.userNS().KGID, ids, false) }
func (c *Cred) kgidsOpt(ids ...uint32) ([]uint32, error) { return mapIDs(c.userNS().KGID, ids, true) }

func mapIDs(down func(uint32) uint32, ids []uint32, opt bool) ([]uint32, error) {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		if opt && id == noID {
			out[i] = noID
			continue
		}
		if out[i] = down(id); out[i] == InvalidID {
			return nil, linux.EINVAL
		}
	}
	return out, nil
}

// fixSetuid is cap_task_fix_setuid's emulation of root's privileges
// across a uid change: leaving uid 0 in all of real, effective and saved
// drops the permitted and effective sets (SECBIT_KEEP_CAPS keeps the
// permitted one) and the ambient set; the effective set follows the
// effective uid leaving or reaching 0; the filesystem capabilities follow
// the fsuid.
func (n *Cred) fixSetuid(old *Cred) {
	if old.Securebits&SECBIT_NO_SETUID_FIXUP != 0 {
		return
	}
	// Root is the namespace's uid 0 (make_kuid(user_ns, 0)): where it
	// is not mapped, no uid is root.
	root := old.userNS().KUID(0)
	if (old.UID == root || old.EUID == root || old.SUID == root) && n.UID != root && n.EUID != root && n.SUID != root {
		if old.Securebits&SECBIT_KEEP_CAPS == 0 {
			n.Permitted = 0
		}
		n.Effective, n.Ambient = 0, 0
	}
	if old.EUID == root && n.EUID != root {
		n.Effective = 0
	}
	if old.EUID != root && n.EUID == root {
		n.Effective = n.Permitted
	}
	if old.FSUID == root && n.FSUID != root {
		n.Effective &^= fsMask
	}
	if old.FSUID != root && n.FSUID == root {
		n.Effective |= n.Permitted & fsMask
	}
}

// Setgid, Setregid, Setresgid and Setfsgid are the group calls: the same
// rules with CAP_SETGID, and no capability changes.
func (c *Cred) Setgid(gid uint32) (*Cred, error) {
	k, err := c.kgids(gid)
	if err != nil {
		return nil, err
	}
	return c.gidChange(c.gids().set(k[0], c.ownCapable(CAP_SETGID)))
}

func (c *Cred) Setregid(rgid, egid uint32) (*Cred, error) {
	k, err := c.kgidsOpt(rgid, egid)
	if err != nil {
		return nil, err
	}
	return c.gidChange(c.gids().setre(k[0], k[1], c.ownCapable(CAP_SETGID)))
}

func (c *Cred) Setresgid(rgid, egid, sgid uint32) (*Cred, error) {
	k, err := c.kgidsOpt(rgid, egid, sgid)
	if err != nil {
		return nil, err
	}
	return c.gidChange(c.gids().setres(k[0], k[1], k[2], c.ownCapable(CAP_SETGID)))
}

func (c *Cred) Setfsgid(gid uint32) (old uint32, n *Cred) {
	ns := c.userNS()
	old = ns.MungedGID(c.FSGID)
	k := ns.KGID(gid)
	if k == InvalidID {
		return old, nil
	}
	v, ok := c.gids().setfs(k, c.ownCapable(CAP_SETGID))
	if ok {
		n, _ = c.gidChange(v, nil)
	}
	return old, n
}

// MaySetgroups is may_setgroups: CAP_SETGID in the caller's namespace,
// whose gid map is written and whose setgroups is not denied.
func (c *Cred) MaySetgroups() bool {
	return c.ownCapable(CAP_SETGID) && c.userNS().MaySetgroups()
}

// Setgroups is setgroups(2) given the namespace's gids: at most
// NGroupsMax (EINVAL), may_setgroups (EPERM), each gid mapped (EINVAL);
// they are kept sorted (groups_sort).
func (c *Cred) Setgroups(groups []uint32) (*Cred, error) {
	if len(groups) > NGroupsMax {
		return nil, linux.EINVAL
	}
	if !c.MaySetgroups() {
		return nil, linux.EPERM
	}
	k, err := c.kgids(groups...)
	if err != nil {
		return nil, err
	}
	n := c.clone()
	n.Groups = k
	slices.Sort(n.Groups)
	return n, nil
}
