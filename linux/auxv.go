package linux

// Auxiliary-vector entry types (a_type of Elf64_auxv_t), placed by execve
// on the new process's stack after envp.
// Source: include/uapi/linux/auxvec.h; AT_SYSINFO, AT_SYSINFO_EHDR from
// arch/x86/include/uapi/asm/auxvec.h.
const (
	AT_NULL              = 0  // end of vector
	AT_IGNORE            = 1  // entry should be ignored
	AT_EXECFD            = 2  // file descriptor of program
	AT_PHDR              = 3  // address of program headers
	AT_PHENT             = 4  // size of one program header entry
	AT_PHNUM             = 5  // number of program headers
	AT_PAGESZ            = 6  // system page size
	AT_BASE              = 7  // base address of interpreter
	AT_FLAGS             = 8  // flags (unused on Linux, 0)
	AT_ENTRY             = 9  // program entry point
	AT_NOTELF            = 10 // program is not ELF
	AT_UID               = 11 // real uid
	AT_EUID              = 12 // effective uid
	AT_GID               = 13 // real gid
	AT_EGID              = 14 // effective gid
	AT_PLATFORM          = 15 // address of string identifying the CPU ("x86_64")
	AT_HWCAP             = 16 // CPU capability hints (CPUID.1:EDX on x86)
	AT_CLKTCK            = 17 // frequency of times() ticks (USER_HZ)
	AT_SECURE            = 23 // secure-mode (setuid) boolean
	AT_BASE_PLATFORM     = 24 // address of string identifying the real platform
	AT_RANDOM            = 25 // address of 16 random bytes
	AT_HWCAP2            = 26 // extension of AT_HWCAP
	AT_RSEQ_FEATURE_SIZE = 27 // rseq supported feature size (Linux 6.3)
	AT_RSEQ_ALIGN        = 28 // rseq allocation alignment (Linux 6.3)
	AT_HWCAP3            = 29 // extension of AT_HWCAP (Linux 6.15)
	AT_HWCAP4            = 30 // extension of AT_HWCAP (Linux 6.15)
	AT_EXECFN            = 31 // address of filename of program
	AT_SYSINFO           = 32 // vsyscall entry point; i386 only, never on x86-64
	AT_SYSINFO_EHDR      = 33 // address of the vDSO ELF header
	AT_MINSIGSTKSZ       = 51 // minimal stack size for signal delivery
)

// AuxEntry is one auxiliary-vector entry (Elf64_auxv_t), 16 bytes.
// Source: include/uapi/linux/elf.h.
type AuxEntry struct {
	Type uint64 // AT_*
	Val  uint64
}
