package cred

import (
	"testing"

	"sigil/linux"
)

const n1 = 1<<32 - 1 // -1: unchanged

func allIDs(c *Cred) [8]uint32 {
	return [8]uint32{c.UID, c.EUID, c.SUID, c.FSUID, c.GID, c.EGID, c.SGID, c.FSGID}
}

// TestSetuidEtc follows Go's syscall TestSetuidEtc sequence from root:
// each call and the four IDs /proc shows after it.
func TestSetuidEtc(t *testing.T) {
	c := Root()
	step := func(what string, f func(*Cred) (*Cred, error), want [4]uint32, gid bool) {
		t.Helper()
		n, err := f(c)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got := allIDs(n)
		g := [4]uint32{got[0], got[1], got[2], got[3]}
		if gid {
			g = [4]uint32{got[4], got[5], got[6], got[7]}
		}
		if g != want {
			t.Errorf("%s: %v, want %v", what, g, want)
		}
		c = n
	}
	step("Setegid(1)", func(c *Cred) (*Cred, error) { return c.Setresgid(n1, 1, n1) }, [4]uint32{0, 1, 0, 1}, true)
	step("Setegid(0)", func(c *Cred) (*Cred, error) { return c.Setresgid(n1, 0, n1) }, [4]uint32{0, 0, 0, 0}, true)
	step("Seteuid(1)", func(c *Cred) (*Cred, error) { return c.Setresuid(n1, 1, n1) }, [4]uint32{0, 1, 0, 1}, false)
	if c.Effective != 0 || c.Permitted != AllCaps {
		t.Errorf("euid 1: effective %#x permitted %#x, want 0 and all", c.Effective, c.Permitted)
	}
	step("Setuid(0)", func(c *Cred) (*Cred, error) { return c.Setuid(0) }, [4]uint32{0, 0, 0, 0}, false)
	if c.Effective != AllCaps {
		t.Errorf("back to euid 0: effective %#x", c.Effective)
	}
	step("Setgid(1)", func(c *Cred) (*Cred, error) { return c.Setgid(1) }, [4]uint32{1, 1, 1, 1}, true)
	step("Setgid(0)", func(c *Cred) (*Cred, error) { return c.Setgid(0) }, [4]uint32{0, 0, 0, 0}, true)
	step("Setregid(101,0)", func(c *Cred) (*Cred, error) { return c.Setregid(101, 0) }, [4]uint32{101, 0, 0, 0}, true)
	step("Setregid(0,102)", func(c *Cred) (*Cred, error) { return c.Setregid(0, 102) }, [4]uint32{0, 102, 102, 102}, true)
	step("Setregid(0,0)", func(c *Cred) (*Cred, error) { return c.Setregid(0, 0) }, [4]uint32{0, 0, 0, 0}, true)
	step("Setreuid(1,0)", func(c *Cred) (*Cred, error) { return c.Setreuid(1, 0) }, [4]uint32{1, 0, 0, 0}, false)
	step("Setreuid(0,2)", func(c *Cred) (*Cred, error) { return c.Setreuid(0, 2) }, [4]uint32{0, 2, 2, 2}, false)
	step("Setreuid(0,0)", func(c *Cred) (*Cred, error) { return c.Setreuid(0, 0) }, [4]uint32{0, 0, 0, 0}, false)
	step("Setresgid(101,0,102)", func(c *Cred) (*Cred, error) { return c.Setresgid(101, 0, 102) }, [4]uint32{101, 0, 102, 0}, true)
	step("Setresgid(0,102,101)", func(c *Cred) (*Cred, error) { return c.Setresgid(0, 102, 101) }, [4]uint32{0, 102, 101, 102}, true)
	step("Setresuid(1,0,2)", func(c *Cred) (*Cred, error) { return c.Setresuid(1, 0, 2) }, [4]uint32{1, 0, 2, 0}, false)
	step("Setresuid(0,2,1)", func(c *Cred) (*Cred, error) { return c.Setresuid(0, 2, 1) }, [4]uint32{0, 2, 1, 2}, false)
	step("Setresuid(0,0,0)", func(c *Cred) (*Cred, error) { return c.Setresuid(0, 0, 0) }, [4]uint32{0, 0, 0, 0}, false)
}

// TestDroppingRoot: a full drop loses every capability, and then only
// the three IDs may be taken again; SECBIT_KEEP_CAPS keeps the
// permitted set, not the effective one.
func TestDroppingRoot(t *testing.T) {
	c, err := Root().Setresuid(1000, 1000, 1000)
	if err != nil || c.Permitted != 0 || c.Effective != 0 {
		t.Fatalf("drop: %v, caps %#x %#x", err, c.Permitted, c.Effective)
	}
	if _, err := c.Setuid(0); err != linux.EPERM {
		t.Errorf("setuid(0) after the drop: %v", err)
	}
	if _, err := c.Setgroups([]uint32{1}); err != linux.EPERM {
		t.Errorf("setgroups without CAP_SETGID: %v", err)
	}
	if _, err := c.Setreuid(n1, 5); err != linux.EPERM {
		t.Errorf("setreuid to a stranger: %v", err)
	}
	if old, n := c.Setfsuid(7); old != 1000 || n != nil {
		t.Errorf("setfsuid(7) unprivileged: old %d changed %v", old, n != nil)
	}
	k, _ := Root().SetKeepCaps(1)
	k, _ = k.Setresuid(1000, 1000, 1000)
	if k.Permitted != AllCaps || k.Effective != 0 {
		t.Errorf("keep caps: %#x %#x", k.Permitted, k.Effective)
	}
	if _, err := k.Capset(1<<CAP_KILL, 1<<CAP_KILL|1<<CAP_SETUID, 0); err != nil {
		t.Errorf("capset within permitted: %v", err)
	}
	if _, err := c.Capset(0, 1, 0); err != linux.EPERM {
		t.Errorf("capset growing permitted: %v", err)
	}
	// fsuid leaving 0 drops the filesystem capabilities only.
	_, f := Root().Setfsuid(5)
	if f.Capable(CAP_DAC_OVERRIDE) || !f.Capable(CAP_KILL) {
		t.Errorf("fsuid 5: effective %#x", f.Effective)
	}
	if !Root().MayKill(c) || c.MayKill(Root()) {
		t.Error("kill permission")
	}
}

func TestAmbientAndExec(t *testing.T) {
	r := Root()
	if _, _, err := r.AmbientOp(prCapAmbientRaise, CAP_KILL, 0, 0); err != linux.EPERM {
		t.Errorf("raise without inheritable: %v", err)
	}
	c, _ := r.Capset(r.Effective, r.Permitted, 1<<CAP_KILL)
	_, c, err := c.AmbientOp(prCapAmbientRaise, CAP_KILL, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if set, _, _ := c.AmbientOp(prCapAmbientIsSet, CAP_KILL, 0, 0); !set {
		t.Error("IS_SET after RAISE")
	}
	k, _ := c.SetKeepCaps(1)
	u, _ := k.Setresuid(1000, 1000, 1000)
	if u.Ambient != 0 {
		t.Error("dropping root kept the ambient set") // cap_task_fix_setuid clears it
	}
	// An unprivileged exec keeps only the ambient set.
	c2, _ := c.Setresuid(n1, n1, n1)
	c2.UID, c2.EUID, c2.SUID, c2.FSUID = 1000, 1000, 1000, 1000
	e := c2.Exec(0o755, 0, 0, false)
	if e.Permitted != 1<<CAP_KILL || e.Effective != 1<<CAP_KILL {
		t.Errorf("exec with ambient: permitted %#x effective %#x", e.Permitted, e.Effective)
	}
	// A set-user-ID root file makes a user's exec root, clearing ambient.
	s := c2.Exec(0o4755, 0, 0, false)
	if s.EUID != 0 || s.SUID != 0 || s.UID != 1000 || s.Effective != AllCaps || s.Ambient != 0 {
		t.Errorf("setuid exec: %v eff %#x amb %#x", allIDs(s), s.Effective, s.Ambient)
	}
	if n := c2.Exec(0o4755, 0, 0, true); n.EUID != 1000 {
		t.Error("no_new_privs honoured the set-user-ID bit")
	}
	if n := Root().Exec(0o755, 0, 0, false); n.Effective != AllCaps || n.Permitted != AllCaps {
		t.Errorf("root's exec: %#x", n.Effective)
	}
}

func TestSecurebits(t *testing.T) {
	r := Root()
	l, err := r.SetSecurebits(SECBIT_KEEP_CAPS_LOCKED)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.SetKeepCaps(1); err != linux.EPERM {
		t.Errorf("keepcaps when locked: %v", err)
	}
	if _, err := l.SetSecurebits(0); err != linux.EPERM {
		t.Errorf("unlocking: %v", err)
	}
	if _, err := r.SetKeepCaps(2); err != linux.EINVAL {
		t.Errorf("keepcaps 2: %v", err)
	}
}
