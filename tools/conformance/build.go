package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// testBinary is one package's test binary, built on the host.
type testBinary struct {
	Pkg    string // import path, e.g. os/signal
	Binary string // host path of the binary
	Dir    string // the package's source folder, the same in the guest
}

// buildTests builds a static test binary for each package with the
// installed Go, as `go test -c` would for `go test`.
func buildTests(work string, pkgs []string) ([]testBinary, error) {
	out, err := goCmd("list", append([]string{"-f", "{{.ImportPath}}\t{{.Dir}}"}, pkgs...)...)
	if err != nil {
		return nil, err
	}
	var tbs []testBinary
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		pkg, dir, _ := strings.Cut(line, "\t")
		bin := filepath.Join(work, strings.ReplaceAll(pkg, "/", "_")+".test")
		fmt.Fprintf(os.Stderr, "conformance: go test -c %s\n", pkg)
		if _, err := goCmd("test", "-c", "-o", bin, pkg); err != nil {
			return nil, err
		}
		tbs = append(tbs, testBinary{Pkg: pkg, Binary: bin, Dir: dir})
	}
	return tbs, nil
}

// buildInit builds the guest's PID 1 (guestinit, next to this file).
func buildInit(work string) (string, error) {
	bin := filepath.Join(work, "init")
	_, err := goCmd("build", "-o", bin, "sigil/tools/conformance/guestinit")
	return bin, err
}

// goCmd runs the go command for a static linux/amd64 build and returns
// its standard output; its errors go to ours.
func goCmd(sub string, args ...string) (string, error) {
	cmd := exec.Command("go", append([]string{sub}, args...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s %s: %w", sub, strings.Join(args, " "), err)
	}
	return string(out), nil
}
