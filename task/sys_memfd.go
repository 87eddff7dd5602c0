package task

import (
	"sigil/linux"
	"sigil/vfs"
)

// memfds is the tree memfd_create's files belong to (a tmpfs of no
// mount, as Linux's shm_mnt).
var memfds = vfs.NewFS("tmpfs")

// sysMemfdCreate is memfd_create(2): an unnamed, unlinked file open for
// reading and writing, shown as "/memfd:NAME (deleted)". MFD_CLOEXEC and
// MFD_ALLOW_SEALING are taken; seals themselves are not kept (fcntl's
// F_ADD_SEALS is EINVAL); MFD_HUGETLB and unknown flags are EINVAL, and
// a name longer than 249 bytes.
func sysMemfdCreate(t *Thread, a *args) (uint64, error) {
	flags := a[1]
	if flags&^(linux.MFD_CLOEXEC|linux.MFD_ALLOW_SEALING) != 0 {
		return 0, linux.EINVAL
	}
	name, err := t.p.as.CopyInString(a[0], 250)
	if err != nil {
		if err == linux.ENAMETOOLONG {
			return 0, linux.EINVAL
		}
		return 0, err
	}
	n := memfds.Unnamed(t.FSContext(), 0o777, "memfd:"+name)
	f, err := openNode(t, n, linux.O_RDWR|linux.O_LARGEFILE)
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, flags&linux.MFD_CLOEXEC != 0)
	if err != nil {
		f.Unref()
		return 0, err
	}
	return uint64(fd), nil
}

// memfdCalls is memfd_create, for the system-call table.
var memfdCalls = map[uint64]sysFunc{linux.SYS_MEMFD_CREATE: sysMemfdCreate}
