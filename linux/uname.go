package linux

// Sigil's identity in uname(2), for the kernel's own runtime and for user
// programs alike: programs that parse the kernel version (Go's
// internal/syscall/unix among them) see a Linux 6.1 ABI, which is the one
// Sigil implements; the version field says who really answers.
const (
	unameSysname = "Linux"
	unameNode    = "sigil"
	unameRelease = "6.1.0-sigil"
	unameVersion = "#1 Sigil"
	unameMachine = "x86_64"
	unameDomain  = "(none)"
)

// FillUname writes Sigil's identity into u, each field NUL-padded.
//
//go:nosplit
func FillUname(u *Utsname) {
	putField(&u.Sysname, unameSysname)
	putField(&u.Nodename, unameNode)
	putField(&u.Release, unameRelease)
	putField(&u.Version, unameVersion)
	putField(&u.Machine, unameMachine)
	putField(&u.Domainname, unameDomain)
}

//go:nosplit
func putField(dst *[UTSLen]byte, s string) {
	for i := range dst {
		dst[i] = 0
	}
	copy(dst[:len(dst)-1], s)
}
