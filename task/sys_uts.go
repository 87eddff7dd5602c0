package task

import (
	"sync"
	"unsafe"

	"sigil/linux"
	"sigil/vfs"
)

// uts is the host and domain names sethostname and setdomainname set and
// uname reports (one UTS namespace). Empty: linux.FillUname's defaults.
var uts struct {
	sync.Mutex
	node, domain string
}

func sysUname(t *Thread, a *args) (uint64, error) {
	var u linux.Utsname
	linux.FillUname(&u)
	uts.Lock()
	if uts.node != "" {
		u.Nodename = [65]byte{}
		copy(u.Nodename[:64], uts.node)
	}
	if uts.domain != "" {
		u.Domainname = [65]byte{}
		copy(u.Domainname[:64], uts.domain)
	}
	uts.Unlock()
	b := (*[unsafe.Sizeof(u)]byte)(unsafe.Pointer(&u))
	return 0, t.p.as.CopyOut(a[0], b[:])
}

// setUTSName is sethostname and setdomainname: CAP_SYS_ADMIN (EPERM)
// first, then a length of at most 64 (EINVAL).
func (t *Thread) setUTSName(addr, length uint64, dst *string) (uint64, error) {
	if !t.creds().Capable(linux.CAP_SYS_ADMIN) {
		return 0, linux.EPERM
	}
	if int64(length) < 0 || length > 64 {
		return 0, linux.EINVAL
	}
	b := make([]byte, length)
	if err := t.p.as.CopyIn(b, addr); err != nil {
		return 0, err
	}
	uts.Lock()
	*dst = string(b)
	uts.Unlock()
	return 0, nil
}

func sysSethostname(t *Thread, a *args) (uint64, error) { return t.setUTSName(a[0], a[1], &uts.node) }
func sysSetdomainname(t *Thread, a *args) (uint64, error) {
	return t.setUTSName(a[0], a[1], &uts.domain)
}

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
	n := memfds.Unnamed(t.vctx(), 0o777, "memfd:"+name)
	f, err := openNode(t, n, linux.O_RDWR|linux.O_LARGEFILE)
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, flags&linux.MFD_CLOEXEC != 0)
	if err != nil {
		f.unref()
		return 0, err
	}
	return uint64(fd), nil
}

// utsCalls are the calls above and unshare's and ptrace's, for the
// system-call table.
var utsCalls = map[uint64]sysFunc{
	linux.SYS_SETHOSTNAME: sysSethostname, linux.SYS_SETDOMAINNAME: sysSetdomainname,
	linux.SYS_MEMFD_CREATE: sysMemfdCreate, linux.SYS_UNSHARE: sysUnshare, linux.SYS_PTRACE: sysPtrace,
}
