package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// FindLinux returns the newest Debian kernel in /boot, the one the tools
// that compare Sigil with Linux boot. When there is none it installs
// linux-image-amd64 with apt-get if it may (as root), telling log, and
// otherwise says what to install.
func FindLinux(log io.Writer) (string, error) {
	latest := func() string {
		l, _ := filepath.Glob("/boot/vmlinuz-*")
		sort.Strings(l)
		if len(l) == 0 {
			return ""
		}
		return l[len(l)-1]
	}
	if k := latest(); k != "" {
		return k, nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil || os.Getuid() != 0 {
		return "", errors.New("no Linux kernel in /boot: install one with: sudo apt-get install -y linux-image-amd64")
	}
	fmt.Fprintln(log, "installing linux-image-amd64 (apt-get)")
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "--no-install-recommends", "linux-image-amd64"}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("apt-get %s: %w", strings.Join(args, " "), err)
		}
	}
	if k := latest(); k != "" {
		return k, nil
	}
	return "", errors.New("linux-image-amd64 installed no /boot/vmlinuz-*")
}
