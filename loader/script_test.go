package loader

import (
	"strings"
	"testing"
)

func TestShebang(t *testing.T) {
	long := "#!/bin/sh " + strings.Repeat("x", 300)
	cut := "#!/" + strings.Repeat("b", 300)
	for _, c := range []struct {
		head, interp, arg string
		bad               bool
	}{
		{head: "#!/bin/sh\necho hi\n", interp: "/bin/sh"},
		{head: "#! /bin/sh -e\n", interp: "/bin/sh", arg: "-e"},
		{head: "#!\t/bin/busybox   sh -x  -e \t\nrest", interp: "/bin/busybox", arg: "sh -x  -e"},
		{head: "#!/bin/sh", interp: "/bin/sh"}, // a short file ends in Linux's zero fill
		{head: "#!\n", bad: true},
		{head: "#!", interp: ""},                 // a NUL for a name: ENOENT from the lookup
		{head: "#!0 0 ", interp: "0", arg: "0 "}, // the zero fill ends the line: nothing to trim
		{head: "#!   \t \n", bad: true},
		{head: "#!   ", interp: ""}, // the zero fill's NUL is the name
		{head: "#!/bin/sh\x00junk arg\n", interp: "/bin/sh"},
		{head: "#!/bin/sh -e\x00junk\n", interp: "/bin/sh", arg: "-e"},
		{head: long, interp: "/bin/sh", arg: strings.Repeat("x", 255-2-len("/bin/sh "))},
		{head: cut, bad: true},
		{head: "echo hi\n", bad: true},
	} {
		interp, arg, err := Shebang([]byte(c.head))
		if c.bad {
			if err == nil {
				t.Errorf("%q: got %q %q, want ENOEXEC", c.head, interp, arg)
			}
			continue
		}
		if err != nil || interp != c.interp || arg != c.arg {
			t.Errorf("%q = %q, %q, %v; want %q, %q", c.head, interp, arg, err, c.interp, c.arg)
		}
	}
}

func TestScriptArgv(t *testing.T) {
	got := strings.Join(ScriptArgv("/bin/sh", "-e", "./s.sh", []string{"s.sh", "a", "b"}), "|")
	if got != "/bin/sh|-e|./s.sh|a|b" {
		t.Errorf("argv %s", got)
	}
	got = strings.Join(ScriptArgv("/bin/sh", "", "/s", nil), "|")
	if got != "/bin/sh|/s" {
		t.Errorf("argv with no argv: %s", got)
	}
}

func FuzzShebang(f *testing.F) {
	f.Add([]byte("#!/bin/sh -e\n"))
	f.Add([]byte("#!\t\x00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		interp, arg, err := Shebang(b)
		if err != nil {
			return
		}
		if strings.ContainsAny(interp, " \t\n\x00") || strings.ContainsAny(arg, "\n\x00") ||
			strings.HasPrefix(arg, " ") || strings.HasPrefix(arg, "\t") {
			t.Fatalf("%q -> %q %q", b, interp, arg)
		}
	})
}
