package loader

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"sigil/tools/musl"
)

const helloC = `#include <stdio.h>
int main(void) { puts("hello"); return 7; }
`

// build compiles test programs with the tools the project's user programs
// use; it fails (never skips) when they are missing.
func build(t *testing.T, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	os.WriteFile(src, []byte(helloC), 0o644)
	out := filepath.Join(dir, "hello")
	cmd := exec.Command("musl-gcc", append(args, "-o", out, src)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("musl-gcc %v: %v\n%s\ninstall it with: apt-get install -y musl-tools", args, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func check(t *testing.T, img *Image) {
	t.Helper()
	if img.Phnum == 0 || img.Phdr == 0 || img.Phent != 56 {
		t.Errorf("program headers: %+v", img)
	}
	var exec, write bool
	for _, s := range img.Segments {
		exec = exec || s.Exec
		write = write || s.Write
		if s.Vaddr%4096 != s.Offset%4096 {
			t.Errorf("segment %+v not congruent", s)
		}
	}
	if !exec || !write {
		t.Errorf("segments %+v", img.Segments)
	}
}

func TestStaticMusl(t *testing.T) {
	img, err := Parse(build(t, "-static"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, img)
	if img.Bias != 0 || img.Segments[0].Vaddr < 0x400000 {
		t.Errorf("ET_EXEC relocated: bias %#x first %#x", img.Bias, img.Segments[0].Vaddr)
	}
}

func TestStaticPIE(t *testing.T) {
	// A self-relocating static-PIE: musl's rcrt1.o, no dynamic linker.
	dir := t.TempDir()
	src, out := filepath.Join(dir, "h.c"), filepath.Join(dir, "h")
	os.WriteFile(src, []byte(helloC), 0o644)
	if err := musl.StaticPIE(src, out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	img, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	check(t, img)
	if img.Bias != PIEBase || img.Entry < PIEBase {
		t.Errorf("static-PIE at bias %#x entry %#x", img.Bias, img.Entry)
	}
}

func TestGoStatic(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\nfunc main() { println(1) }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\ngo 1.26\n"), 0o644)
	cmd := exec.Command("go", "build", "-o", "x", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "x"))
	img, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	check(t, img)
}

func TestRejects(t *testing.T) {
	good := build(t, "-static")
	dyn := build(t)
	if _, err := Parse(dyn); !errors.Is(err, ErrNotExecutable) {
		t.Errorf("dynamic program: %v", err)
	}
	for name, b := range map[string][]byte{
		"empty":  nil,
		"script": []byte("#!/bin/sh\necho hi\n"),
		"cut":    good[:200],
	} {
		if _, err := Parse(b); !errors.Is(err, ErrNotExecutable) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Parse(b)
		if err == nil {
			for _, s := range img.Segments {
				if s.Filesz > s.Memsz || s.Offset+s.Filesz > uint64(len(b)) {
					t.Fatalf("bad segment %+v", s)
				}
			}
		}
	})
}
