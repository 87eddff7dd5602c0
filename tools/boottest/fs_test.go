package boottest

import (
	"testing"
)

// TestFileSystem runs fstest's cases (each checked on Linux 6.1, whose
// initramfs root is a tmpfs as Sigil's is): files made, written past a
// hole, cut and grown, appended to, unlinked while open and made with
// O_TMPFILE; mkdir, rmdir, unlink, rename with its flags, link and
// symlink with their errno values; modes, owners, umask, times and
// access; getdents on a directory changing under it; a file written,
// renamed, mapped both ways and read back, and a program copied to /tmp
// and run; a tmpfs mounted, seen in /proc/mounts and statfs, and
// unmounted; device nodes, those mknod makes included.
func TestFileSystem(t *testing.T) {
	var want []string
	for _, c := range []string{"files", "names", "attrs", "dir", "mmap", "mount", "devices"} {
		want = append(want, `(?m)^fstest: `+c+` ok$`)
	}
	runProgram(t, "fstest", append(want, `(?m)^fstest: 7 of 7 passed$`)...)
}
