package task

import (
	"sync"
	"unsafe"

	"sigil/linux"
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

// utsCalls are the calls above, for the system-call table.
var utsCalls = map[uint64]sysFunc{
	linux.SYS_SETHOSTNAME: sysSethostname, linux.SYS_SETDOMAINNAME: sysSetdomainname,
}
