package cred

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
)

// User namespaces (kernel/user_namespace.c). A Cred's IDs are kernel IDs
// (kuid_t, kgid_t): the IDs of the initial namespace. A namespace maps
// its own IDs onto its parent's through /proc/PID/uid_map and gid_map,
// each written once; the lower IDs are stored as kernel IDs, so every
// translation is one map away.

// OverflowID is the ID an unmapped kernel ID reads as (overflowuid and
// overflowgid, /proc/sys/kernel/overflowuid: 65534).
const OverflowID = 65534

// InvalidID is (u32)-1, INVALID_UID and INVALID_GID: no ID maps to it.
const InvalidID = 1<<32 - 1

// MaxUserNSLevel is how deep namespaces nest: create_user_ns refuses a
// parent whose level is above it (ENOSPC, as Linux 6.1 answers).
const MaxUserNSLevel = 32

// MaxExtents is UID_GID_MAP_MAX_EXTENTS: the lines a map may have.
const MaxExtents = 340

// Extent is one line of a map: count IDs from First in the namespace
// are LowerFirst onwards below it (struct uid_gid_extent).
type Extent struct{ First, LowerFirst, Count uint32 }

// IDMap is a namespace's uid or gid map. It never changes once set.
type IDMap []Extent

// down maps a namespace ID to the ID below (map_id_down).
func (m IDMap) down(id uint32) uint32 { return m.rangeDown(id, 1) }

// rangeDown maps count IDs from id as one range (map_id_range_down):
// InvalidID unless one extent holds them all.
func (m IDMap) rangeDown(id, count uint32) uint32 {
	last := id + count - 1
	for _, e := range m {
		first, elast := e.First, e.First+e.Count-1
		if id >= first && id <= elast && last >= first && last <= elast {
			return id - e.First + e.LowerFirst
		}
	}
	return InvalidID
}

// up maps an ID from below into the namespace (map_id_up).
func (m IDMap) up(id uint32) uint32 {
	for _, e := range m {
		first, last := e.LowerFirst, e.LowerFirst+e.Count-1
		if id >= first && id <= last {
			return id - e.LowerFirst + e.First
		}
	}
	return InvalidID
}

// UserNS is a user namespace (struct user_namespace).
type UserNS struct {
	// Fixed at creation:
	Parent             *UserNS // nil for the initial namespace
	Level              int     // 0 for the initial namespace
	Owner, Group       uint32  // the creator's effective kuid and kgid
	Ino                uint32  // its inode number (/proc/PID/ns/user)
	ParentCouldSetfcap bool    // the creator had CAP_SETFCAP (verify_root_map)

	// Set once each under stateMu (userns_state_mutex), read without it:
	uidMap, gidMap atomic.Pointer[IDMap]
	// setgroups "deny" (the inverse of USERNS_SETGROUPS_ALLOWED):
	// changed under stateMu, read without it.
	setgroupsDenied atomic.Bool
}

// stateMu is userns_state_mutex: it orders every write of a map and of
// the setgroups flag.
var stateMu sync.Mutex

// Initial namespace inode numbers (include/linux/proc_ns.h).
const (
	InitIPCIno    = 0xEFFFFFFF
	InitUTSIno    = 0xEFFFFFFE
	InitUserIno   = 0xEFFFFFFD
	InitPIDIno    = 0xEFFFFFFC
	InitCgroupIno = 0xEFFFFFFB
	InitTimeIno   = 0xEFFFFFFA
)

// nextIno numbers namespaces after the initial ones, as proc_alloc_inum
// does from PROC_DYNAMIC_FIRST.
var nextIno atomic.Uint32

func init() { nextIno.Store(0xF0000000) }

// NewIno returns a fresh namespace inode number (ns_alloc_inum).
func NewIno() uint32 { return nextIno.Add(1) - 1 }

// InitUserNS is init_user_ns: every ID maps to itself.
var InitUserNS = func() *UserNS {
	ns := &UserNS{Ino: InitUserIno}
	all := IDMap{{0, 0, InvalidID}}
	ns.uidMap.Store(&all)
	ns.gidMap.Store(&all)
	return ns
}()

func (ns *UserNS) uids() IDMap {
	if m := ns.uidMap.Load(); m != nil {
		return *m
	}
	return nil
}

func (ns *UserNS) gids() IDMap {
	if m := ns.gidMap.Load(); m != nil {
		return *m
	}
	return nil
}

// UIDMap and GIDMap return the maps (nil until written).
func (ns *UserNS) UIDMap() IDMap { return ns.uids() }
func (ns *UserNS) GIDMap() IDMap { return ns.gids() }

// KUID is make_kuid: the kernel uid of uid in ns, or InvalidID.
func (ns *UserNS) KUID(uid uint32) uint32 { return ns.uids().down(uid) }

// KGID is make_kgid.
func (ns *UserNS) KGID(gid uint32) uint32 { return ns.gids().down(gid) }

// UID is from_kuid: kuid as ns sees it, or InvalidID.
func (ns *UserNS) UID(kuid uint32) uint32 { return ns.uids().up(kuid) }

// GID is from_kgid.
func (ns *UserNS) GID(kgid uint32) uint32 { return ns.gids().up(kgid) }

// MungedUID is from_kuid_munged: an unmapped kuid reads as OverflowID.
func (ns *UserNS) MungedUID(kuid uint32) uint32 { return munge(ns.UID(kuid)) }

// MungedGID is from_kgid_munged.
func (ns *UserNS) MungedGID(kgid uint32) uint32 { return munge(ns.GID(kgid)) }

func munge(id uint32) uint32 {
	if id == InvalidID {
		return OverflowID
	}
	return id
}

// Mapped reports whether ns maps both kernel IDs
// (privileged_wrt_inode_uidgid).
func (ns *UserNS) Mapped(kuid, kgid uint32) bool {
	return ns.UID(kuid) != InvalidID && ns.GID(kgid) != InvalidID
}

// MapsSet reports whether both the uid and gid maps are written: from
// then on, no ID in ns changes how it reads.
func (ns *UserNS) MapsSet() bool { return ns.uidMap.Load() != nil && ns.gidMap.Load() != nil }

// Ancestor reports whether ns is anc or lies below it (in_userns).
func (ns *UserNS) Ancestor(anc *UserNS) bool {
	for ns.Level > anc.Level {
		ns = ns.Parent
	}
	return ns == anc
}

// NSCapable is ns_capable (cap_capable): c has cap in ns when ns is its
// own namespace and cap is effective, or when c's namespace is an
// ancestor of ns and c's effective uid owns the namespace just below
// its own on the way (the owner has every capability there).
func (c *Cred) NSCapable(ns *UserNS, cap int) bool {
	own := c.userNS()
	for {
		if ns == own {
			return c.Effective&(1<<cap) != 0
		}
		if ns.Level <= own.Level {
			return false
		}
		if ns.Parent == own && ns.Owner == c.EUID {
			return true
		}
		ns = ns.Parent
	}
}

// userNS is c's namespace: NS, or the initial one.
func (c *Cred) userNS() *UserNS {
	if c.NS == nil {
		return InitUserNS
	}
	return c.NS
}

// UserNS returns c's user namespace.
func (c *Cred) UserNS() *UserNS { return c.userNS() }

// NewUserNS is create_user_ns: c's owner makes a namespace below its
// own and gets every capability in it (set_cred_user_ns). ENOSPC past
// the nesting limit, EPERM for a chrooted caller or an owner its own
// namespace does not map.
func (c *Cred) NewUserNS(chrooted bool) (*Cred, error) {
	parent := c.userNS()
	if parent.Level > MaxUserNSLevel {
		return nil, linux.ENOSPC
	}
	if chrooted || parent.UID(c.EUID) == InvalidID || parent.GID(c.EGID) == InvalidID {
		return nil, linux.EPERM
	}
	ns := &UserNS{Parent: parent, Level: parent.Level + 1, Owner: c.EUID, Group: c.EGID,
		Ino: NewIno(), ParentCouldSetfcap: c.Effective&(1<<linux.CAP_SETFCAP) != 0}
	stateMu.Lock()
	ns.setgroupsDenied.Store(parent.setgroupsDenied.Load())
	stateMu.Unlock()
	n := c.clone()
	n.setNS(ns)
	return n, nil
}

// setNS enters ns with the capabilities of its root (set_cred_user_ns).
func (n *Cred) setNS(ns *UserNS) {
	n.Securebits = 0
	n.Inheritable, n.Ambient = 0, 0
	n.Permitted, n.Effective, n.Bounding = AllCaps, AllCaps, AllCaps
	n.NS = ns
}

// EnterUserNS is userns_install for setns(2): not the caller's own
// namespace (EINVAL: no capabilities gained by re-entering), and
// CAP_SYS_ADMIN in it (EPERM). The caller checks the thread rules.
func (c *Cred) EnterUserNS(ns *UserNS) (*Cred, error) {
	if ns == c.userNS() {
		return nil, linux.EINVAL
	}
	if !c.NSCapable(ns, linux.CAP_SYS_ADMIN) {
		return nil, linux.EPERM
	}
	n := c.clone()
	n.setNS(ns)
	return n, nil
}

// SetgroupsAllowed reports /proc/PID/setgroups: "allow" or "deny".
func (ns *UserNS) SetgroupsAllowed() bool { return !ns.setgroupsDenied.Load() }

// MaySetgroups is userns_may_setgroups: a gid map is written and
// setgroups was not denied.
func (ns *UserNS) MaySetgroups() bool {
	stateMu.Lock()
	defer stateMu.Unlock()
	return ns.gidMap.Load() != nil && !ns.setgroupsDenied.Load()
}

// WriteSetgroups is a write of /proc/PID/setgroups (proc_setgroups_write)
// at offset off: "allow" or "deny" and nothing but white space after,
// under 8 bytes, at offset 0 (EINVAL); "allow" once denied, or "deny"
// once the gid map is written, is EPERM.
func (ns *UserNS) WriteSetgroups(b []byte, off int64) error {
	if off != 0 || len(b) >= 8 {
		return linux.EINVAL
	}
	s := cString(b)
	var allow bool
	switch {
	case len(s) >= 5 && s[:5] == "allow":
		allow, s = true, s[5:]
	case len(s) >= 4 && s[:4] == "deny":
		s = s[4:]
	default:
		return linux.EINVAL
	}
	if skipSpaces(s) != "" {
		return linux.EINVAL
	}
	stateMu.Lock()
	defer stateMu.Unlock()
	if allow {
		if ns.setgroupsDenied.Load() {
			return linux.EPERM
		}
		return nil
	}
	if ns.gidMap.Load() != nil {
		return linux.EPERM
	}
	ns.setgroupsDenied.Store(true)
	return nil
}

// cString is b up to its first NUL, as the kernel reads a copied buffer.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// isSpace is the kernel's isspace (lib/ctype.c): the C white space and
// the Latin-1 no-break space.
func isSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r' || c == 0xa0
}

func skipSpaces(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// strtoul is simple_strtoul in base 10: the digits at the start of s
// (none reads as 0), wrapping as an unsigned long does, and the rest.
func strtoul(s string) (uint64, string) {
	var v uint64
	for len(s) > 0 && s[0] >= '0' && s[0] <= '9' {
		v = v*10 + uint64(s[0]-'0')
		s = s[1:]
	}
	return v, s
}

// ParseIDMap parses what a write to uid_map or gid_map gives, as
// map_write does: lines of "first lower count" in decimal, white space
// around them, no trailing junk, neither start (u32)-1, a count that
// neither is 0 nor wraps either range, no range overlapping an earlier
// line's, at most MaxExtents lines. Any failure is EINVAL.
func ParseIDMap(b []byte) (IDMap, error) {
	rest := cString(b)
	var m IDMap
	for more := true; more; {
		line := rest
		if i := indexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
			more = rest != ""
		} else {
			more = false
		}
		var v [3]uint64
		pos := line
		for k := range v {
			pos = skipSpaces(pos)
			v[k], pos = strtoul(pos)
			if k < 2 && (pos == "" || !isSpace(pos[0])) || k == 2 && pos != "" && !isSpace(pos[0]) {
				return nil, linux.EINVAL
			}
		}
		if skipSpaces(pos) != "" {
			return nil, linux.EINVAL
		}
		e := Extent{uint32(v[0]), uint32(v[1]), uint32(v[2])}
		if e.First == InvalidID || e.LowerFirst == InvalidID ||
			e.First+e.Count <= e.First || e.LowerFirst+e.Count <= e.LowerFirst {
			return nil, linux.EINVAL
		}
		if m.overlaps(e) || len(m)+1 == MaxExtents && more {
			return nil, linux.EINVAL
		}
		m = append(m, e)
	}
	if len(m) == 0 {
		return nil, linux.EINVAL
	}
	return m, nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// overlaps is mappings_overlap: e's upper or lower range meets an
// earlier extent's.
func (m IDMap) overlaps(e Extent) bool {
	last, lowerLast := e.First+e.Count-1, e.LowerFirst+e.Count-1
	for _, p := range m {
		if p.First <= last && p.First+p.Count-1 >= e.First ||
			p.LowerFirst <= lowerLast && p.LowerFirst+p.Count-1 >= e.LowerFirst {
			return true
		}
	}
	return false
}

// MapKind says which map a write is for.
type MapKind int

const (
	UIDMapKind MapKind = iota
	GIDMapKind
)

// WriteMap is a write of ns's uid_map or gid_map at offset off
// (proc_uid_map_write, map_write): writer is the caller's credentials,
// opener those of whoever opened the file. Its errors in Linux's order:
// EPERM for the initial namespace, or an opener in neither ns nor its
// parent; EINVAL past offset 0 or for a page or more; EPERM once the map
// is set or without CAP_SYS_ADMIN over ns (for the opener); EINVAL for
// what ParseIDMap refuses; EPERM where new_idmap_permitted refuses or a
// lower range is not mapped in the parent.
func (ns *UserNS) WriteMap(kind MapKind, b []byte, off int64, writer, opener *Cred) error {
	if ns.Parent == nil {
		return linux.EPERM
	}
	if on := opener.userNS(); on != ns && on != ns.Parent {
		return linux.EPERM
	}
	if off != 0 || len(b) >= pageSize {
		return linux.EINVAL
	}
	stateMu.Lock()
	defer stateMu.Unlock()
	dst, parent := &ns.uidMap, ns.Parent.uids()
	setid := linux.CAP_SETUID
	if kind == GIDMapKind {
		dst, parent, setid = &ns.gidMap, ns.Parent.gids(), linux.CAP_SETGID
	}
	if dst.Load() != nil || !opener.NSCapable(ns, linux.CAP_SYS_ADMIN) {
		return linux.EPERM
	}
	m, err := ParseIDMap(b)
	if err != nil {
		return err
	}
	if !ns.idmapPermitted(kind, m, setid, writer, opener) {
		return linux.EPERM
	}
	for i, e := range m {
		lower := parent.rangeDown(e.LowerFirst, e.Count)
		if lower == InvalidID {
			return linux.EPERM
		}
		m[i].LowerFirst = lower
	}
	dst.Store(&m)
	return nil
}

const pageSize = 4096

// idmapPermitted is new_idmap_permitted: a map of the root uid needs
// CAP_SETFCAP (verify_root_map); the owner may map its own effective
// uid, or gid while setgroups is denied, as one ID; anything else needs
// the set-ID capability over the parent namespace, for the writer and
// the opener both.
func (ns *UserNS) idmapPermitted(kind MapKind, m IDMap, setid int, writer, opener *Cred) bool {
	if kind == UIDMapKind && !ns.verifyRootMap(m, opener) {
		return false
	}
	if len(m) == 1 && m[0].Count == 1 && ns.Owner == opener.EUID {
		id := m[0].LowerFirst
		if kind == UIDMapKind && ns.Parent.KUID(id) == opener.EUID {
			return true
		}
		if kind == GIDMapKind && ns.setgroupsDenied.Load() && ns.Parent.KGID(id) == opener.EGID {
			return true
		}
	}
	return writer.NSCapable(ns.Parent, setid) && opener.NSCapable(ns.Parent, setid)
}

// verifyRootMap: mapping uid 0 of the parent needs CAP_SETFCAP over the
// parent, held by the opener, or by the creator when the namespace's own
// process writes its map.
func (ns *UserNS) verifyRootMap(m IDMap, opener *Cred) bool {
	root := false
	for _, e := range m {
		if e.LowerFirst == 0 {
			root = true
		}
	}
	if !root {
		return true
	}
	if opener.userNS() == ns {
		return ns.ParentCouldSetfcap
	}
	return opener.NSCapable(ns.Parent, linux.CAP_SETFCAP)
}

// LosesDumpable reports whether a change from c to n makes a process
// undumpable (commit_creds): a new effective or file-system uid or gid,
// or permitted capabilities n has beyond c's (cred_cap_issubset).
func (c *Cred) LosesDumpable(n *Cred) bool {
	return c.EUID != n.EUID || c.EGID != n.EGID || c.FSUID != n.FSUID || c.FSGID != n.FSGID || !c.capSubset(n)
}

// capSubset is cred_cap_issubset(c, n): in one namespace, n's permitted
// set lies within c's; across namespaces, n's lies below c's and c's
// effective uid owns it or one of its ancestors there.
func (c *Cred) capSubset(n *Cred) bool {
	cns, nns := c.userNS(), n.userNS()
	if cns == nns {
		return n.Permitted&^c.Permitted == 0
	}
	for ns := nns; ns != InitUserNS && ns != nil; ns = ns.Parent {
		if ns.Parent == cns && ns.Owner == c.EUID {
			return true
		}
	}
	return false
}
