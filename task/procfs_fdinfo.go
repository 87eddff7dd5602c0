package task

import (
	"fmt"

	"sigil/linux"
	"sigil/vfs"
)

// fdinfoShower is a file that adds lines of its own to its
// /proc/PID/fdinfo entry (Linux's f_op->show_fdinfo).
type fdinfoShower interface{ fdinfo() string }

// addFdinfo adds the fdinfo directory beside the fd one: a file per open
// descriptor, as Linux's seq_show (fs/proc/fd.c) writes it: the file
// position, the open flags in octal with O_CLOEXEC for a close-on-exec
// descriptor, the mount ID (Sigil numbers no mounts: 0), the inode, then
// what the file adds itself.
func addFdinfo(fs *vfs.FS, dir string, files *FDTable) {
	fs.Add(dir+"/fdinfo", vfs.S_IFDIR|0o500, nil)
	for _, e := range files.open() {
		f := e.f
		f.Mu.Lock()
		pos, flags := f.Off, f.Flags
		f.Mu.Unlock()
		if files.cloexec(uint64(e.fd)) {
			flags |= linux.O_CLOEXEC
		}
		s := fmt.Sprintf("pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos, flags, 0, f.Ops.Stat().Ino)
		if sh, ok := f.Ops.(fdinfoShower); ok {
			s += sh.fdinfo()
		}
		fs.Add(fmt.Sprintf("%s/fdinfo/%d", dir, e.fd), vfs.S_IFREG|0o400, []byte(s))
	}
}
