// Package busybox puts Debian's busybox-static into an initrd: the binary
// as /bin/busybox and a symlink to it for each applet, so that programs
// find the usual commands (sh, cat, sleep, ...) where Debian has them.
package busybox

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sigil/vfs"
)

// Find returns Debian's busybox-static: $BUSYBOX, else /bin/busybox. It
// must be a static program (the dynamic busybox package installs the same
// path).
func Find() (string, error) {
	path := os.Getenv("BUSYBOX")
	if path == "" {
		path = "/bin/busybox"
	}
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%v: install busybox-static (apt-get install -y busybox-static)", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", errors.New(path + " is linked dynamically: install busybox-static (apt-get install -y busybox-static)")
		}
	}
	return path, nil
}

// Entries returns the busybox at path as bin/busybox and a symlink to it
// for every applet (busybox --list-full) whose path taken does not hold,
// with the directories the links need that taken does not hold either.
// Names are relative to the archive's root, as in a cpio member.
func Entries(path string, taken map[string]bool) ([]vfs.Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	list, err := exec.Command(path, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list-full: %w", path, err)
	}
	have := map[string]bool{"bin/busybox": true}
	for n := range taken {
		have[n] = true
	}
	entries := []vfs.Entry{{Name: "bin/busybox", Mode: vfs.S_IFREG | 0o755, Data: data}}
	for _, name := range strings.Fields(string(list)) {
		if have[name] {
			continue
		}
		for dir := filepath.Dir(name); dir != "."; dir = filepath.Dir(dir) {
			if !have[dir] {
				have[dir] = true
				entries = append(entries, vfs.Entry{Name: dir, Mode: vfs.S_IFDIR | 0o755})
			}
		}
		have[name] = true
		entries = append(entries, vfs.Entry{Name: name, Mode: vfs.S_IFLNK | 0o777, Data: []byte("/bin/busybox")})
	}
	return entries, nil
}
