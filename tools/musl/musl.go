// Package musl builds static C programs with Debian's musl-tools for the
// initrd and for tests.
package musl

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Install says how to get the tools.
const Install = "install them with: apt-get install -y musl-tools"

// LibDir finds musl's library directory: the musl-gcc wrapper hands gcc a
// specs file that lives there (gcc's own -print-file-name would answer
// with glibc's files).
func LibDir() (string, error) {
	path, err := exec.LookPath("musl-gcc")
	if err != nil {
		return "", fmt.Errorf("musl-gcc not found: %s", Install)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`-specs\s+"?([^"\s]+)`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("cannot find musl's specs file in %s", path)
	}
	return filepath.Dir(string(m[1])), nil
}

func run(name string, args ...string) error {
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

// Static compiles src into a static ET_EXEC program.
func Static(src, out string) error {
	return run("musl-gcc", "-static", "-O2", "-Wall", "-I", filepath.Join(filepath.Dir(src), "include"), "-o", out, src)
}

// StaticPIE compiles src into a self-relocating static-PIE (ET_DYN without
// an interpreter), linking musl's rcrt1.o itself: the wrapper's
// -static-pie links crt1.o and a dynamic libc, which crashes on Linux too.
func StaticPIE(src, out string) error {
	dir, err := LibDir()
	if err != nil {
		return err
	}
	obj := out + ".o"
	defer os.Remove(obj)
	if err := run("musl-gcc", "-fPIE", "-O2", "-c", "-o", obj, src); err != nil {
		return err
	}
	lib := func(f string) string { return filepath.Join(dir, f) }
	return run("ld", "-static", "-pie", "--no-dynamic-linker", "-z", "text", "-o", out,
		lib("rcrt1.o"), lib("crti.o"), obj, lib("libc.a"), lib("crtn.o"))
}
