package cred

import "sigil/linux"

// Capset is capset(2)'s rule (cap_capset): the new inheritable set may
// only add what the permitted set has (or, with CAP_SETPCAP, the
// bounding set); the permitted set may only shrink; the effective set
// must lie within the new permitted one. Ambient capabilities no longer
// both permitted and inheritable go.
func (c *Cred) Capset(eff, prm, inh uint64) (*Cred, error) {
	if !c.ownCapable(CAP_SETPCAP) && inh&^(c.Inheritable|c.Permitted) != 0 ||
		inh&^(c.Inheritable|c.Bounding) != 0 || prm&^c.Permitted != 0 || eff&^prm != 0 {
		return nil, linux.EPERM
	}
	n := c.clone()
	n.Effective, n.Permitted, n.Inheritable = eff, prm, inh
	n.Ambient &= prm & inh
	return n, nil
}

const (
	prCapAmbientIsSet    = linux.PR_CAP_AMBIENT_IS_SET
	prCapAmbientRaise    = linux.PR_CAP_AMBIENT_RAISE
	prCapAmbientLower    = linux.PR_CAP_AMBIENT_LOWER
	prCapAmbientClearAll = linux.PR_CAP_AMBIENT_CLEAR_ALL
)

// SetKeepCaps is PR_SET_KEEPCAPS: 0 or 1, refused (EPERM) once locked.
func (c *Cred) SetKeepCaps(v uint64) (*Cred, error) {
	if v > 1 {
		return nil, linux.EINVAL
	}
	if c.Securebits&SECBIT_KEEP_CAPS_LOCKED != 0 {
		return nil, linux.EPERM
	}
	n := c.clone()
	n.Securebits &^= SECBIT_KEEP_CAPS
	if v == 1 {
		n.Securebits |= SECBIT_KEEP_CAPS
	}
	return n, nil
}

// SetSecurebits is PR_SET_SECUREBITS: CAP_SETPCAP, known bits only, and
// no locked bit may change nor be unlocked.
func (c *Cred) SetSecurebits(v uint64) (*Cred, error) {
	old := c.Securebits
	locked := old & (SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE_L)
	lockedBits := (locked >> 1) | locked // each lock guards the bit below it and itself
	if v&^securebitsAll != 0 || (uint32(v)^old)&lockedBits != 0 || !c.ownCapable(CAP_SETPCAP) {
		return nil, linux.EPERM
	}
	n := c.clone()
	n.Securebits = uint32(v)
	return n, nil
}

// DropBounding is PR_CAPBSET_DROP: CAP_SETPCAP, a valid capability.
func (c *Cred) DropBounding(cap uint64) (*Cred, error) {
	if cap > CAP_LAST_CAP {
		return nil, linux.EINVAL
	}
	if !c.ownCapable(CAP_SETPCAP) {
		return nil, linux.EPERM
	}
	n := c.clone()
	n.Bounding &^= 1 << cap
	return n, nil
}

// AmbientOp is PR_CAP_AMBIENT: IS_SET reports (n nil), RAISE needs the
// capability permitted and inheritable and SECBIT_NO_CAP_AMBIENT_RAISE
// clear, LOWER drops it, CLEAR_ALL drops all; the unused arguments must
// be zero (cap_task_prctl).
func (c *Cred) AmbientOp(op, cap, a4, a5 uint64) (set bool, n *Cred, err error) {
	if a4 != 0 || a5 != 0 || op == prCapAmbientClearAll && cap != 0 {
		return false, nil, linux.EINVAL
	}
	if op == prCapAmbientClearAll {
		n = c.clone()
		n.Ambient = 0
		return false, n, nil
	}
	if cap > CAP_LAST_CAP {
		return false, nil, linux.EINVAL
	}
	bit := uint64(1) << cap
	switch op {
	case prCapAmbientIsSet:
		return c.Ambient&bit != 0, nil, nil
	case prCapAmbientRaise:
		if c.Permitted&bit == 0 || c.Inheritable&bit == 0 || c.Securebits&SECBIT_NO_CAP_AMBIENT_RAISE != 0 {
			return false, nil, linux.EPERM
		}
		n = c.clone()
		n.Ambient |= bit
		return false, n, nil
	case prCapAmbientLower:
		n = c.clone()
		n.Ambient &^= bit
		return false, n, nil
	}
	return false, nil, linux.EINVAL
}

// Exec is the credentials a program starts with (cap_bprm_creds_from_file
// and bprm_fill_uid, for files without file capabilities): a set-user-ID
// or set-group-ID file (unless noSetid: no_new_privs or a nosuid mount)
// gives its owner or group as the effective ID; root, real or effective,
// gets its inheritable and bounding sets permitted, others keep their
// ambient set; the effective set is the permitted one for an effective
// root, else the ambient one; the saved and filesystem IDs follow the
// effective ones.
func (c *Cred) Exec(mode, fileUID, fileGID uint32, noSetid bool) *Cred {
	n := c.clone()
	ns := c.userNS()
	if !noSetid {
		// bprm_fill_uid: only IDs the namespace maps.
		if mode&linux.S_ISUID != 0 && ns.UID(fileUID) != InvalidID && ns.GID(fileGID) != InvalidID {
			n.EUID = fileUID
		}
		if mode&(linux.S_ISGID|linux.S_IXGRP) == linux.S_ISGID|linux.S_IXGRP &&
			ns.UID(fileUID) != InvalidID && ns.GID(fileGID) != InvalidID {
			n.EGID = fileGID
		}
	}
	root := ns.KUID(0) // the namespace's root (handle_privileged_root)
	if n.EUID != n.UID || n.EGID != n.GID {
		n.Ambient = 0 // a privileged exec clears the ambient set
	}
	n.Permitted = n.Ambient
	effective := false
	if c.Securebits&SECBIT_NOROOT == 0 {
		if n.EUID == root || n.UID == root {
			n.Permitted = c.Inheritable | c.Bounding
		}
		effective = n.EUID == root
	}
	n.Effective = n.Ambient
	if effective {
		n.Effective = n.Permitted
	}
	n.SUID, n.FSUID = n.EUID, n.EUID
	n.SGID, n.FSGID = n.EGID, n.EGID
	return n
}

// MayKill is kill_ok_by_cred: the sender's real or effective uid is the
// target's real or saved uid, or the sender has CAP_KILL over the
// target's namespace.
func (c *Cred) MayKill(t *Cred) bool {
	return c.EUID == t.SUID || c.EUID == t.UID || c.UID == t.SUID || c.UID == t.UID || c.NSCapable(t.userNS(), CAP_KILL)
}
