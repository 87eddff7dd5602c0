package cred

import (
	"testing"

	"sigil/linux"
)

// TestParseIDMap pins map_write's parsing (each case measured on Linux
// 6.1 through nstest where it can be).
func TestParseIDMap(t *testing.T) {
	for _, c := range []struct {
		in   string
		want IDMap
		err  error
	}{
		{"0 0 1", IDMap{{0, 0, 1}}, nil},
		{"0 0 1\n", IDMap{{0, 0, 1}}, nil},
		{"  0   0  10 \n10 1000 10\n", IDMap{{0, 0, 10}, {10, 1000, 10}}, nil},
		{"0\t0\t1", IDMap{{0, 0, 1}}, nil},
		{"0 0 1\x00junk", IDMap{{0, 0, 1}}, nil},
		{"", nil, linux.EINVAL},
		{"0 0", nil, linux.EINVAL},
		{"0 0 0", nil, linux.EINVAL},
		{"4294967295 0 1", nil, linux.EINVAL},
		{"0 4294967295 1", nil, linux.EINVAL},
		{"4294967290 0 10", nil, linux.EINVAL},
		{"0 0 10\n5 100 10", nil, linux.EINVAL},
		{"0 0 10\n20 5 10", nil, linux.EINVAL},
		{"0 0 1 x", nil, linux.EINVAL},
		{"0 0 1\n\n", nil, linux.EINVAL},
		{"-1 0 1", nil, linux.EINVAL},
		{"0x1 0 1", nil, linux.EINVAL},
		{"4294967296 0 1", IDMap{{0, 0, 1}}, nil}, // simple_strtoul into a u32 wraps
	} {
		m, err := ParseIDMap([]byte(c.in))
		if err != c.err || len(m) != len(c.want) {
			t.Errorf("%q: %v, %v; want %v, %v", c.in, m, err, c.want, c.err)
			continue
		}
		for i := range m {
			if m[i] != c.want[i] {
				t.Errorf("%q: %v, want %v", c.in, m, c.want)
			}
		}
	}
	// 340 lines at most.
	var b []byte
	for i := 0; i < MaxExtents; i++ {
		b = append(b, []byte(itoa(i)+" "+itoa(i)+" 1\n")...)
	}
	if m, err := ParseIDMap(b); err != nil || len(m) != MaxExtents {
		t.Errorf("%d lines: %d, %v", MaxExtents, len(m), err)
	}
	b = append(b, []byte("1000 1000 1\n")...)
	if _, err := ParseIDMap(b); err != linux.EINVAL {
		t.Errorf("%d lines: %v, want EINVAL", MaxExtents+1, err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

// FuzzParseIDMap: whatever is written, a map that parses has 1 to 340
// extents, none wrapping or overlapping, and maps each ID it holds both
// ways.
func FuzzParseIDMap(f *testing.F) {
	for _, s := range []string{"0 0 1", "0 0 10\n10 1000 10\n", "0 0", "4294967295 0 1", " 1 2 3 \n4 5 6"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseIDMap(b)
		if err != nil {
			return
		}
		if len(m) == 0 || len(m) > MaxExtents {
			t.Fatalf("%d extents", len(m))
		}
		for i, e := range m {
			if e.Count == 0 || e.First+e.Count <= e.First || e.LowerFirst+e.Count <= e.LowerFirst {
				t.Fatalf("extent %v", e)
			}
			if m[:i].overlaps(e) {
				t.Fatalf("extent %v overlaps", e)
			}
			if m.down(e.First) != e.LowerFirst || m.up(e.LowerFirst) != e.First {
				t.Fatalf("extent %v does not map", e)
			}
		}
	})
}

// TestWriteMap pins new_idmap_permitted and map_write's order of errors.
func TestWriteMap(t *testing.T) {
	root := Root()
	user := &Cred{UID: 1000, EUID: 1000, SUID: 1000, FSUID: 1000, GID: 1000, EGID: 1000, SGID: 1000, FSGID: 1000}
	// A user's own namespace: its own uid once, its gid only after deny.
	c, err := user.NewUserNS(false)
	if err != nil {
		t.Fatal(err)
	}
	ns := c.UserNS()
	if c.Effective != AllCaps || ns.Owner != 1000 || ns.Level != 1 {
		t.Fatalf("new namespace: caps %x owner %d level %d", c.Effective, ns.Owner, ns.Level)
	}
	if got := ns.MungedUID(1000); got != OverflowID {
		t.Errorf("unmapped uid reads %d", got)
	}
	for _, w := range []struct {
		kind MapKind
		s    string
		want error
	}{
		{UIDMapKind, "0 0 1", linux.EPERM},    // root's uid: not the owner's
		{UIDMapKind, "0 1000 2", linux.EPERM}, // more than its own
		{UIDMapKind, "0 1000 1", nil},
		{UIDMapKind, "1 1000 1", linux.EPERM}, // once
		{GIDMapKind, "0 1000 1", linux.EPERM}, // setgroups still allowed
	} {
		if err := ns.WriteMap(w.kind, []byte(w.s), 0, c, c); err != w.want {
			t.Errorf("write %q: %v, want %v", w.s, err, w.want)
		}
	}
	if err := ns.WriteSetgroups([]byte("deny"), 0); err != nil {
		t.Fatal(err)
	}
	if err := ns.WriteMap(GIDMapKind, []byte("0 1000 1"), 0, c, c); err != nil {
		t.Errorf("gid map after deny: %v", err)
	}
	if ns.MungedUID(1000) != 0 || ns.KUID(0) != 1000 || ns.KGID(0) != 1000 || ns.MaySetgroups() {
		t.Errorf("after maps: uid %d kuid %d kgid %d maysetgroups %v", ns.MungedUID(1000), ns.KUID(0), ns.KGID(0), ns.MaySetgroups())
	}
	if err := ns.WriteSetgroups([]byte("allow"), 0); err != linux.EPERM {
		t.Errorf("allow after deny: %v", err)
	}
	// Capabilities hold in the namespace, not above it; root above has
	// them in it.
	if c.Capable(linux.CAP_SYS_ADMIN) || !c.NSCapable(ns, linux.CAP_SYS_ADMIN) || !root.NSCapable(ns, linux.CAP_SYS_ADMIN) {
		t.Error("capabilities across namespaces")
	}
	if user.NSCapable(ns, linux.CAP_SYS_ADMIN) != true { // the owner, from the parent
		t.Error("owner lacks capabilities in its namespace")
	}
	// In the namespace uid 0 is root: setuid to an unmapped uid is EINVAL.
	if _, err := c.Setuid(5); err != linux.EINVAL {
		t.Errorf("setuid(5): %v", err)
	}
	if n, err := c.Setuid(0); err != nil || n.UID != 1000 || n.Effective != AllCaps {
		t.Errorf("setuid(0): %v %+v", err, n)
	}
	// The initial namespace's maps are never written.
	if err := InitUserNS.WriteMap(UIDMapKind, []byte("0 0 1"), 0, root, root); err != linux.EPERM {
		t.Errorf("initial map: %v", err)
	}
	// Root maps anything below it; offsets and sizes are checked first.
	r, _ := root.NewUserNS(false)
	rns := r.UserNS()
	if err := rns.WriteMap(UIDMapKind, []byte("0 0 1"), 1, root, root); err != linux.EINVAL {
		t.Errorf("offset 1: %v", err)
	}
	if err := rns.WriteMap(UIDMapKind, make([]byte, 4096), 0, root, root); err != linux.EINVAL {
		t.Errorf("a page: %v", err)
	}
	if err := rns.WriteMap(UIDMapKind, []byte("0 0 65536"), 0, root, root); err != nil {
		t.Errorf("root maps 64k: %v", err)
	}
	// Nesting stops past level 32 of the parent.
	n := r
	for i := 0; i < 40; i++ {
		ns := n.UserNS()
		ns.WriteMap(UIDMapKind, []byte("0 0 1"), 0, root, n)
		ns.WriteSetgroups([]byte("deny"), 0)
		ns.WriteMap(GIDMapKind, []byte("0 0 1"), 0, root, n)
		next, err := n.NewUserNS(false)
		if err != nil {
			if err != linux.ENOSPC || ns.Level != MaxUserNSLevel+1 {
				t.Errorf("level %d: %v", ns.Level, err)
			}
			break
		}
		n = next
	}
}
