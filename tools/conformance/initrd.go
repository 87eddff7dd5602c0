package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigil/tools/busybox"
	"sigil/tools/conformance/plan"
	"sigil/vfs"
)

// guestBin is where the test binaries go in the initrd.
const guestBin = "/conformance/bin"

// The users and groups of Debian's base-passwd that tests name: id and
// whoami print root's name, and a test may run as nobody.
const (
	etcPasswd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	etcGroup  = "root:x:0:\nnogroup:x:65534:\n"
)

// initrd collects the members of a newc archive by absolute guest path.
type initrd map[string]vfs.Entry

// dir adds a directory and every directory above it.
func (r initrd) dir(p string) {
	for ; p != "/" && p != "."; p = filepath.Dir(p) {
		if _, ok := r[p]; ok {
			return
		}
		r[p] = vfs.Entry{Mode: vfs.S_IFDIR | 0o755}
	}
}

// file adds data at p with the given permissions.
func (r initrd) file(p string, perm uint32, data []byte) {
	r.dir(filepath.Dir(p))
	r[p] = vfs.Entry{Mode: vfs.S_IFREG | perm, Data: data}
}

// copyFile adds the host file src at p.
func (r initrd) copyFile(p, src string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	r.file(p, uint32(st.Mode().Perm()), data)
	return nil
}

// tree adds the host folder root and all below it at the same path, as
// it is: a test reads its testdata relative to its source folder.
func (r initrd) tree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := vfs.Entry{Mode: uint32(info.Mode().Perm()), Mtime: info.ModTime().Unix()}
		switch {
		case d.IsDir():
			e.Mode |= vfs.S_IFDIR
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			e.Mode, e.Data = vfs.S_IFLNK|0o777, []byte(target)
		case d.Type().IsRegular():
			if e.Data, err = os.ReadFile(p); err != nil {
				return err
			}
			e.Mode |= vfs.S_IFREG
		default:
			return nil // no devices or sockets in a source tree
		}
		r.dir(filepath.Dir(p))
		r[p] = e
		return nil
	})
}

// bytes renders the archive, parents before children.
func (r initrd) bytes() []byte {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []byte
	for i, n := range names {
		e := r[n]
		e.Name = strings.TrimPrefix(n, "/")
		b = vfs.WriteCPIO(b, e, uint32(i+1))
	}
	return vfs.WriteTrailer(b)
}

// packInitrd writes the archive both kernels boot: init, the plan, the
// test binaries, their source folders at their host paths, the empty
// folders init needs (/proc to mount on Linux, HOME), /etc/passwd and
// /etc/group, and, when bb names
// one, BusyBox with its applets: tests run sh, cat, sleep, true, ...
func packInitrd(out, initBin, bb string, tbs []testBinary, p plan.Plan) error {
	r := initrd{}
	r.dir("/proc")
	r.dir("/root")
	r.file("/etc/passwd", 0o644, []byte(etcPasswd))
	r.file("/etc/group", 0o644, []byte(etcGroup))
	if bb != "" {
		taken := map[string]bool{}
		for n := range r {
			taken[strings.TrimPrefix(n, "/")] = true
		}
		entries, err := busybox.Entries(bb, taken)
		if err != nil {
			return err
		}
		for _, e := range entries {
			r["/"+e.Name] = e
		}
	}
	if err := r.copyFile("/conformance/init", initBin); err != nil {
		return err
	}
	data, err := plan.Encode(p)
	if err != nil {
		return err
	}
	r.file(plan.Path, 0o644, data)
	for _, tb := range tbs {
		if err := r.copyFile(guestBinary(tb), tb.Binary); err != nil {
			return err
		}
		if err := r.tree(tb.Dir); err != nil {
			return err
		}
	}
	return os.WriteFile(out, r.bytes(), 0o644)
}

func guestBinary(tb testBinary) string { return guestBin + "/" + filepath.Base(tb.Binary) }
