package vfs

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"unsafe"
)

func archive(entries ...Entry) []byte {
	var b []byte
	for i, e := range entries {
		b = WriteCPIO(b, e, uint32(i+1))
	}
	return WriteTrailer(b)
}

func TestCPIORoundTrip(t *testing.T) {
	b := archive(
		Entry{Name: "bin", Mode: S_IFDIR | 0o755},
		Entry{Name: "bin/hello", Mode: S_IFREG | 0o755, Data: []byte("#!ELF...")},
		Entry{Name: "etc/motd", Mode: S_IFREG | 0o644, Data: []byte("hi\n")},
		Entry{Name: "bin/sh", Mode: S_IFLNK | 0o777, Data: []byte("hello")},
		Entry{Name: "abs", Mode: S_IFLNK | 0o777, Data: []byte("/etc")},
	)
	tree, err := FromCPIO(b)
	fs := NewMountNS(tree)
	if err != nil {
		t.Fatal(err)
	}
	n, err := fs.Lookup(nil, "/bin/sh", true)
	if err != nil || string(n.Data) != "#!ELF..." || n.Mode() != S_IFREG|0o755 {
		t.Fatalf("/bin/sh -> %+v %v", n, err)
	}
	if n, _ := fs.Lookup(nil, "/bin/sh", false); !n.IsSymlink() {
		t.Error("lstat followed the link")
	}
	etc, _ := fs.Lookup(nil, "/etc", true)
	if n, err := fs.Lookup(etc, "../abs/./motd", true); err != nil || string(n.Data) != "hi\n" {
		t.Errorf("relative lookup: %v %v", n, err)
	}
	for p, want := range map[string]error{
		"/nope": ErrNotExist, "/etc/motd/x": ErrNotDir, "/bin/hello/": ErrNotDir,
	} {
		if _, err := fs.Lookup(nil, p, true); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", p, err, want)
		}
	}
	motd, _ := fs.Lookup(nil, "/abs/motd", true)
	if got := PathOf(motd); got != "/etc/motd" {
		t.Errorf("Path = %q", got)
	}
	if names := tree.Root().Names(); len(names) != 3 {
		t.Errorf("root has %v", names)
	}
}

func TestSymlinkLoop(t *testing.T) {
	tree, _ := FromCPIO(archive(Entry{Name: "a", Mode: S_IFLNK, Data: []byte("b")}, Entry{Name: "b", Mode: S_IFLNK, Data: []byte("a")}))
	fs := NewMountNS(tree)
	if _, err := fs.Lookup(nil, "/a", true); !errors.Is(err, ErrLoop) {
		t.Errorf("loop: %v", err)
	}
}

// TestCPIOFromTool parses an archive made by GNU cpio when it is installed
// (it comes with most systems); WriteCPIO's output is checked either way.
func TestCPIOFromTool(t *testing.T) {
	if _, err := exec.LookPath("cpio"); err != nil {
		t.Log("cpio(1) not installed: checked only against WriteCPIO")
		return
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "mkdir -p d/sub && printf hello > d/sub/f && cd d && find . | cpio -o -H newc 2>/dev/null")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := FromCPIO(out)
	fs := NewMountNS(tree)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := fs.Lookup(nil, "/sub/f", true); err != nil || !bytes.Equal(n.Data, []byte("hello")) {
		t.Errorf("/sub/f: %v %v", n, err)
	}
}

func FuzzParseCPIO(f *testing.F) {
	f.Add(archive(Entry{Name: "x", Mode: S_IFREG, Data: []byte("data")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		tree, err := FromCPIO(b)
		fs := NewMountNS(tree)
		if err == nil {
			fs.Lookup(nil, "/x", true)
		}
	})
}

// TestCPIOAligned: WriteCPIO puts the data of files of a page or more on
// page boundaries, and the padded names read back whole.
func TestCPIOAligned(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 3*PageSize+5)
	b := archive(Entry{Name: "a", Mode: S_IFREG | 0o644, Data: []byte("small")},
		Entry{Name: "bin/big", Mode: S_IFREG | 0o755, Data: big},
		Entry{Name: "bin/big2", Mode: S_IFREG | 0o755, Data: big[:PageSize]})
	var names []string
	err := ParseCPIO(b, func(e Entry) error {
		names = append(names, e.Name)
		if len(e.Data) >= PageSize {
			off := uintptr(unsafe.Pointer(&e.Data[0])) - uintptr(unsafe.Pointer(&b[0]))
			if off%PageSize != 0 {
				t.Errorf("%s: data at offset %#x, not page aligned", e.Name, off)
			}
		}
		return nil
	})
	if err != nil || strings.Join(names, ",") != "a,bin/big,bin/big2" {
		t.Errorf("names %q, err %v", names, err)
	}
}

// TestPathOfForeignNode: a node of another tree (a /proc snapshot's) gets
// its path in that tree; the walk stops at that tree's root, which is its
// own parent.
func TestPathOfForeignNode(t *testing.T) {
	other := New()
	n, err := other.Add("/proc/1/stat", S_IFREG|0o444, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := PathOf(n); got != "/proc/1/stat" {
		t.Errorf("Path = %q, want /proc/1/stat", got)
	}
}
