package task

import "sigil/linux"

// cloneArgs is what a new task is made from, Linux's struct
// kernel_clone_args: clone(2) and clone3(2) decode their arguments into
// it, and Thread.clone, the one implementation, makes the task from it.
// It is the calling thread's own, built and used within one system call.
type cloneArgs struct {
	flags      uint64  // CLONE_*, without clone(2)'s CSIGNAL byte
	exitSignal uint64  // the signal the parent gets at the child's exit (0: none)
	stack      uint64  // the child's stack pointer; 0 keeps the caller's
	parentTID  uint64  // CLONE_PARENT_SETTID: where the parent gets the child's ID
	childTID   uint64  // CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID address
	tls        uint64  // CLONE_SETTLS: the child's FS base
	pidfd      uint64  // CLONE_PIDFD: where the parent gets the pidfd's number
	setTID     []int32 // clone3's set_tid: the ID asked for per PID namespace level; none for the next free one
}

// pidMax is Sigil's pid_max: IDs run from 1 below it (allocID wraps
// there). Linux's default is 32768 on a small machine; 1<<22 is its
// PID_MAX_LIMIT, which systemd sets at boot.
const pidMax = 1 << 22

// legacyClone decodes clone(2)'s arguments as Linux's sys_clone does:
// only the low 32 bits of flags count, their low byte is the exit
// signal, and CLONE_PIDFD returns the pidfd through parent_tid.
func legacyClone(flags, stack, ptid, ctid, tls uint64) *cloneArgs {
	return &cloneArgs{
		flags:      flags & linux.CLONE_LEGACY_FLAGS &^ linux.CSIGNAL,
		exitSignal: flags & linux.CSIGNAL,
		stack:      stack, parentTID: ptid, childTID: ctid, tls: tls, pidfd: ptid,
	}
}

// check applies the rules on flags that clone and clone3 share: those of
// Linux's kernel_clone (CLONE_PIDFD and CLONE_PARENT_SETTID may not name
// the same word) and copy_process (threads share handlers, shared
// handlers need a shared address space, no pidfd for a thread, and the
// namespace rules unshare shares too: checkNamespaceFlags). ns is the
// caller's namespaces.
func (c *cloneArgs) check(ns *nsProxy) error {
	f := c.flags
	switch {
	case f&linux.CLONE_PIDFD != 0 && f&linux.CLONE_PARENT_SETTID != 0 && c.pidfd == c.parentTID,
		f&linux.CLONE_THREAD != 0 && f&linux.CLONE_SIGHAND == 0,
		f&linux.CLONE_SIGHAND != 0 && f&linux.CLONE_VM == 0,
		f&linux.CLONE_PIDFD != 0 && f&(linux.CLONE_DETACHED|linux.CLONE_THREAD) != 0:
		return linux.EINVAL
	}
	return checkNamespaceFlags(f, ns)
}

// newID takes the new task's ID, as Linux's alloc_pid: the next free
// one, or set_tid's. Sigil has one PID namespace, so set_tid names one ID
// (EINVAL for more levels), in [1, pid_max) (EINVAL), not in use
// (EEXIST). The caller runs as root in the initial user namespace, so
// checkpoint_restore_ns_capable passes.
func (c *cloneArgs) newID() (int32, error) {
	switch {
	case len(c.setTID) == 0:
		return allocID(), nil
	case len(c.setTID) > 1, c.setTID[0] < 1, c.setTID[0] >= pidMax:
		return 0, linux.EINVAL
	}
	id := c.setTID[0]
	tableMu.Lock()
	defer tableMu.Unlock()
	if _, used := ids[id]; used {
		return 0, linux.EEXIST
	}
	ids[id] = struct{}{}
	return id, nil
}

// clearHandlers resets every handler but SIG_IGN to SIG_DFL, and every
// action's flags, mask and restorer: Linux's flush_signal_handlers
// without force_default, which exec and CLONE_CLEAR_SIGHAND use.
func clearHandlers(a *[linux.NSIG]linux.SigAction) {
	for i := range a {
		h := a[i].Handler
		if h != linux.SIG_IGN {
			h = linux.SIG_DFL
		}
		a[i] = linux.SigAction{Handler: h}
	}
}

// abandon undoes a child process that was never published nor started
// (copy_process's bad_fork path): its files, its address space, its ID
// and its count.
func (np *Process) abandon() {
	np.files.release()
	np.as.release()
	np.zombie, np.exited = true, true
	np.reap()
	endTask()
}
