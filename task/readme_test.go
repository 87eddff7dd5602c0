package task

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigil/linux"
)

// syscallNames is every system call user programs have, by name.
func syscallNames() []string {
	var names []string
	for nr := range table {
		names = append(names, linux.SyscallName(uintptr(nr)))
	}
	slices.Sort(names)
	return names
}

// TestReadmeListsEverySyscall keeps the README's list of the calls user
// programs have in step with the system-call table: each name in the
// table is listed, and nothing else.
func TestReadmeListsEverySyscall(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- user syscalls -->(.*?)<!-- /user syscalls -->`).FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no <!-- user syscalls --> ... <!-- /user syscalls --> block")
	}
	listed := strings.Fields(strings.NewReplacer("`", " ", ",", " ", ".", " ").Replace(string(m[1])))
	slices.Sort(listed)
	want := syscallNames()
	if !slices.Equal(listed, want) {
		var b strings.Builder
		for i, n := range want {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + n + "`")
		}
		t.Errorf("README's list of %d system calls differs from the table's %d; the table's is:\n%s", len(listed), len(want), b.String())
	}
}
