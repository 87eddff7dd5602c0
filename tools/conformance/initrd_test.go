package main

import (
	"os"
	"path/filepath"
	"testing"

	"sigil/tools/busybox"
	"sigil/tools/conformance/plan"
	"sigil/vfs"
)

// The archive holds a package's folder at its host path, with every
// directory above it, parents before children, and the plan init reads.
func TestPackInitrd(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src", "os", "signal")
	if err := os.MkdirAll(filepath.Join(src, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "testdata", "x.txt"), []byte("hello"), 0o644)
	os.Symlink("x.txt", filepath.Join(src, "testdata", "link"))
	bin := filepath.Join(tmp, "os_signal.test")
	os.WriteFile(bin, []byte("\x7fELF"), 0o755)
	tbs := []testBinary{{Pkg: "os/signal", Binary: bin, Dir: src}}
	out := filepath.Join(tmp, "initrd.cpio")
	if err := packInitrd(out, bin, "", tbs, plan.Plan{Runs: []plan.Run{{Pkg: "os/signal"}}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]vfs.Entry{}
	err = vfs.ParseCPIO(b, func(e vfs.Entry) error {
		if parent := filepath.Dir("/" + e.Name); parent != "/" {
			if _, ok := seen[parent]; !ok {
				t.Errorf("%s before its folder %s", e.Name, parent)
			}
		}
		seen["/"+e.Name] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{
		"/proc": vfs.S_IFDIR, "/etc/passwd": vfs.S_IFREG, "/root": vfs.S_IFDIR, "/conformance/init": vfs.S_IFREG,
		plan.Path: vfs.S_IFREG, "/conformance/bin/os_signal.test": vfs.S_IFREG,
		src: vfs.S_IFDIR, src + "/testdata/x.txt": vfs.S_IFREG, src + "/testdata/link": vfs.S_IFLNK,
	}
	for p, typ := range want {
		if e, ok := seen[p]; !ok || e.Mode&vfs.S_IFMT != typ {
			t.Errorf("%s: present %v mode %o, want type %o", p, ok, e.Mode, typ)
		}
	}
	if e := seen["/conformance/bin/os_signal.test"]; e.Mode&0o777 != 0o755 {
		t.Errorf("binary mode %o", e.Mode)
	}
	if p, err := plan.Decode(seen[plan.Path].Data); err != nil || len(p.Runs) != 1 || p.Runs[0].Pkg != "os/signal" {
		t.Errorf("plan %+v, %v", p, err)
	}
}

// With BusyBox, /bin/sh and the other applets lead to it.
func TestPackInitrdBusybox(t *testing.T) {
	bb, err := busybox.Find()
	if err != nil {
		t.Skip(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "init")
	os.WriteFile(bin, []byte("\x7fELF"), 0o755)
	out := filepath.Join(tmp, "initrd.cpio")
	if err := packInitrd(out, bin, bb, nil, plan.Plan{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	links := map[string]string{}
	vfs.ParseCPIO(b, func(e vfs.Entry) error {
		if e.Mode&vfs.S_IFMT == vfs.S_IFLNK {
			links[e.Name] = string(e.Data)
		}
		return nil
	})
	for _, name := range []string{"bin/sh", "bin/cat", "bin/sleep"} {
		if links[name] != "/bin/busybox" {
			t.Errorf("%s -> %q, want /bin/busybox", name, links[name])
		}
	}
}
