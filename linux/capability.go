package linux

// Capabilities. Source: include/uapi/linux/capability.h.
const (
	CAP_CHOWN            = 0
	CAP_DAC_OVERRIDE     = 1
	CAP_DAC_READ_SEARCH  = 2
	CAP_FOWNER           = 3
	CAP_FSETID           = 4
	CAP_KILL             = 5
	CAP_SETGID           = 6
	CAP_SETUID           = 7
	CAP_SETPCAP          = 8
	CAP_LINUX_IMMUTABLE  = 9
	CAP_NET_BIND_SERVICE = 10
	CAP_NET_ADMIN        = 12
	CAP_SYS_RAWIO        = 17
	CAP_SYS_ADMIN        = 21
	CAP_SYS_NICE         = 23
	CAP_SYS_RESOURCE     = 24
	CAP_SYS_TIME         = 25
	CAP_MKNOD            = 27
	CAP_SETFCAP          = 31
	CAP_MAC_OVERRIDE     = 32
	CAP_SYSLOG           = 34
	CAP_WAKE_ALARM       = 35
	CAP_LAST_CAP         = 40 // CAP_CHECKPOINT_RESTORE
	CAP_ALL              = 1<<(CAP_LAST_CAP+1) - 1
	LINUX_CAPABILITY_V1  = 0x19980330 // one 32-bit set of each kind
	LINUX_CAPABILITY_V2  = 0x20071026 // two (deprecated)
	LINUX_CAPABILITY_V3  = 0x20080522 // two
)

// Securebits. Source: include/uapi/linux/securebits.h.
const (
	SECBIT_NOROOT                      = 1 << 0
	SECBIT_NOROOT_LOCKED               = 1 << 1
	SECBIT_NO_SETUID_FIXUP             = 1 << 2
	SECBIT_NO_SETUID_FIXUP_LOCKED      = 1 << 3
	SECBIT_KEEP_CAPS                   = 1 << 4
	SECBIT_KEEP_CAPS_LOCKED            = 1 << 5
	SECBIT_NO_CAP_AMBIENT_RAISE        = 1 << 6
	SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 1 << 7
	SECURE_ALL_BITS                    = 0x55 // the four base bits
	SECURE_ALL_LOCKS                   = 0xaa // their locks
)

// PR_CAP_AMBIENT operations. Source: include/uapi/linux/prctl.h.
const (
	PR_CAP_AMBIENT_IS_SET    = 1
	PR_CAP_AMBIENT_RAISE     = 2
	PR_CAP_AMBIENT_LOWER     = 3
	PR_CAP_AMBIENT_CLEAR_ALL = 4
)
