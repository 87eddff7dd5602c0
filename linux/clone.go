package linux

// clone/clone3/unshare flags. The low byte (CSIGNAL) of clone(2)'s flags is
// the signal sent to the parent when the child exits.
// Source: include/uapi/linux/sched.h.
const (
	CSIGNAL              = 0x000000ff
	CLONE_NEWTIME        = 0x00000080  // new time namespace (clone3/unshare only)
	CLONE_VM             = 0x00000100  // share the address space
	CLONE_FS             = 0x00000200  // share root, cwd, umask
	CLONE_FILES          = 0x00000400  // share the file-descriptor table
	CLONE_SIGHAND        = 0x00000800  // share signal handlers (requires CLONE_VM)
	CLONE_PIDFD          = 0x00001000  // return a pidfd to the parent
	CLONE_PTRACE         = 0x00002000  // continue tracing the child
	CLONE_VFORK          = 0x00004000  // parent sleeps until the child execs or exits
	CLONE_PARENT         = 0x00008000  // child's parent is the caller's parent
	CLONE_THREAD         = 0x00010000  // same thread group (requires CLONE_SIGHAND)
	CLONE_NEWNS          = 0x00020000  // new mount namespace
	CLONE_SYSVSEM        = 0x00040000  // share System V SEM_UNDO state
	CLONE_SETTLS         = 0x00080000  // set the child's FS base to tls
	CLONE_PARENT_SETTID  = 0x00100000  // store the child's TID at parent_tid
	CLONE_CHILD_CLEARTID = 0x00200000  // clear (and futex-wake) child_tid at exit
	CLONE_DETACHED       = 0x00400000  // unused, ignored
	CLONE_UNTRACED       = 0x00800000  // tracer cannot force CLONE_PTRACE
	CLONE_CHILD_SETTID   = 0x01000000  // store the child's TID at child_tid in the child
	CLONE_NEWCGROUP      = 0x02000000  // new cgroup namespace
	CLONE_NEWUTS         = 0x04000000  // new UTS namespace
	CLONE_NEWIPC         = 0x08000000  // new IPC namespace
	CLONE_NEWUSER        = 0x10000000  // new user namespace
	CLONE_NEWPID         = 0x20000000  // new PID namespace
	CLONE_NEWNET         = 0x40000000  // new network namespace
	CLONE_IO             = 0x80000000  // share the I/O context
	CLONE_CLEAR_SIGHAND  = 0x100000000 // reset handlers to SIG_DFL (clone3 only)
	CLONE_INTO_CGROUP    = 0x200000000 // place child in CloneArgs.Cgroup (clone3 only)
)

// CloneArgs is struct clone_args, the argument of clone3(2) (88 bytes in
// its current version). User addresses are carried as uint64.
// Source: include/uapi/linux/sched.h.
type CloneArgs struct {
	Flags      uint64 // CLONE_* (no CSIGNAL byte)
	Pidfd      uint64 // where to store the pidfd (CLONE_PIDFD)
	ChildTID   uint64 // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID address
	ParentTID  uint64 // CLONE_PARENT_SETTID address
	ExitSignal uint64 // signal sent to the parent on exit
	Stack      uint64 // lowest address of the child's stack
	StackSize  uint64
	TLS        uint64 // new FS base (CLONE_SETTLS)
	SetTID     uint64 // address of an array of PIDs (one per namespace level)
	SetTIDSize uint64 // number of elements at SetTID
	Cgroup     uint64 // cgroup fd (CLONE_INTO_CGROUP)
}

// Published sizes of struct clone_args; clone3's size argument must be at
// least CLONE_ARGS_SIZE_VER0. Source: include/uapi/linux/sched.h.
const (
	CLONE_ARGS_SIZE_VER0 = 64 // up to TLS
	CLONE_ARGS_SIZE_VER1 = 80 // adds SetTID, SetTIDSize
	CLONE_ARGS_SIZE_VER2 = 88 // adds Cgroup
)
