package linux

//go:generate go run gen_sysnum.go

// The SYS_* constants, MaxSyscall and the name table live in zsysnum.go,
// generated from asm/unistd_64.h (arch/x86/entry/syscalls/syscall_64.tbl).

// SyscallName returns the Linux name of x86-64 system call nr (for example
// "rt_sigaction"), or "" if nr is not a defined system call.
//
//go:nosplit
func SyscallName(nr uintptr) string {
	if nr >= uintptr(len(syscallNames)) {
		return ""
	}
	return syscallNames[nr]
}
