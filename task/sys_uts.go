package task

import (
	"unsafe"

	"sigil/linux"
)

// sysUname is uname(2): the caller's UTS namespace's names.
func sysUname(t *Thread, a *args) (uint64, error) {
	var u linux.Utsname
	linux.FillUname(&u)
	uts := t.ns().uts
	uts.mu.Lock()
	if uts.node != "" {
		u.Nodename = [65]byte{}
		copy(u.Nodename[:64], uts.node)
	}
	if uts.domain != "" {
		u.Domainname = [65]byte{}
		copy(u.Domainname[:64], uts.domain)
	}
	uts.mu.Unlock()
	b := (*[unsafe.Sizeof(u)]byte)(unsafe.Pointer(&u))
	return 0, t.p.as.CopyOut(a[0], b[:])
}

// setUTSName is sethostname and setdomainname: CAP_SYS_ADMIN over the
// user namespace owning the caller's UTS namespace (EPERM) first, then a
// length of at most 64 (EINVAL).
func (t *Thread) setUTSName(addr, length uint64, domain bool) (uint64, error) {
	uts := t.ns().uts
	if !t.creds().NSCapable(uts.owner, linux.CAP_SYS_ADMIN) {
		return 0, linux.EPERM
	}
	if int64(length) < 0 || length > 64 {
		return 0, linux.EINVAL
	}
	b := make([]byte, length)
	if err := t.p.as.CopyIn(b, addr); err != nil {
		return 0, err
	}
	uts.mu.Lock()
	if domain {
		uts.domain = string(b)
	} else {
		uts.node = string(b)
	}
	uts.mu.Unlock()
	return 0, nil
}

func sysSethostname(t *Thread, a *args) (uint64, error)   { return t.setUTSName(a[0], a[1], false) }
func sysSetdomainname(t *Thread, a *args) (uint64, error) { return t.setUTSName(a[0], a[1], true) }

// utsCalls are the calls above, for the system-call table.
var utsCalls = map[uint64]sysFunc{
	linux.SYS_SETHOSTNAME: sysSethostname, linux.SYS_SETDOMAINNAME: sysSetdomainname,
}
