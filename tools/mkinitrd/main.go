// Command mkinitrd builds Sigil's user programs and packs them, with the
// files of user/rootfs, into a newc cpio archive for -initrd:
//
//	user/cmd/NAME (Go)    -> /bin/NAME   (CGO_ENABLED=0, static)
//	user/c/NAME.c (C)     -> /bin/NAME   (musl-gcc -static)
//	user/c/hello.c        -> /bin/hello-pie as well (static-PIE)
//	user/rootfs/...       -> /...
//	/init                 -> symlink to /bin/sh
//	Debian's busybox-static -> /bin/busybox, and a symlink to it for each
//	                         applet whose name nothing above took
//	                         (/bin/ls, /usr/bin/awk, /sbin/...)
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"sigil/tools/busybox"
	"sigil/tools/musl"
	"sigil/vfs"
)

func main() {
	out := flag.String("o", "build/initrd.cpio", "output archive")
	user := flag.String("user", "user", "user programs directory")
	work := flag.String("work", "build/rootfs", "build directory")
	flag.Parse()
	if err := run(*user, *work, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkinitrd:", err)
		os.Exit(1)
	}
}

func run(user, work, out string) error {
	bin := filepath.Join(work, "bin")
	// Built afresh: a program removed from user/ leaves nothing behind.
	if err := os.RemoveAll(bin); err != nil {
		return err
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	cmds, _ := filepath.Glob(filepath.Join(user, "cmd", "*"))
	for _, dir := range cmds {
		name := filepath.Base(dir)
		// Without DWARF (-w) and the symbol table (-s): the runtime keeps
		// its own tables for stack traces, and a smaller initrd leaves
		// more of a small machine's memory to programs.
		if err := runCmd(nil, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(bin, name), "./"+dir); err != nil {
			return err
		}
	}
	srcs, _ := filepath.Glob(filepath.Join(user, "c", "*.c"))
	for _, src := range srcs {
		name := strings.TrimSuffix(filepath.Base(src), ".c")
		if err := musl.Static(src, filepath.Join(bin, name)); err != nil {
			return err
		}
		if name == "hello" {
			if err := musl.StaticPIE(src, filepath.Join(bin, "hello-pie")); err != nil {
				return err
			}
		}
	}
	var entries []vfs.Entry
	add := func(root string) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == root {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			info, err := d.Info()
			if err != nil {
				return err
			}
			e := vfs.Entry{Name: filepath.ToSlash(rel), Mode: uint32(info.Mode().Perm())}
			switch {
			case d.IsDir():
				e.Mode |= vfs.S_IFDIR
			default:
				e.Mode |= vfs.S_IFREG
				if e.Data, err = os.ReadFile(p); err != nil {
					return err
				}
			}
			entries = append(entries, e)
			return nil
		})
	}
	if err := add(work); err != nil {
		return err
	}
	if err := add(filepath.Join(user, "rootfs")); err != nil {
		return err
	}
	entries = append(entries, vfs.Entry{Name: "init", Mode: vfs.S_IFLNK | 0o777, Data: []byte("/bin/sh")},
		// Places programs expect to write and mount on: a sticky
		// world-writable /tmp, root's home, /mnt.
		vfs.Entry{Name: "tmp", Mode: vfs.S_IFDIR | 0o1777}, vfs.Entry{Name: "root", Mode: vfs.S_IFDIR | 0o700},
		vfs.Entry{Name: "mnt", Mode: vfs.S_IFDIR | 0o755})
	bb, err := busybox.Find()
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, e := range entries {
		taken[e.Name] = true
	}
	bbEntries, err := busybox.Entries(bb, taken)
	if err != nil {
		return err
	}
	entries = append(entries, bbEntries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	var b []byte
	for i, e := range entries {
		b = vfs.WriteCPIO(b, e, uint32(i+1))
	}
	b = vfs.WriteTrailer(b)
	return os.WriteFile(out, b, 0o644)
}

func runCmd(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}
