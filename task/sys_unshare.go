package task

import "sigil/linux"

// sysUnshare is unshare(2) (ksys_unshare): a thread gives itself its
// own copy of what it shares. The flags first take those they imply
// (CLONE_NEWUSER: CLONE_THREAD and CLONE_FS; CLONE_NEWNS: CLONE_FS;
// CLONE_VM: CLONE_SIGHAND; CLONE_SIGHAND: CLONE_THREAD), then
// check_unshare_flags: no unknown flag; CLONE_THREAD, CLONE_SIGHAND and
// CLONE_VM only where nothing is shared (one thread). CLONE_FS is
// accepted, but a process's threads keep sharing one working directory
// and umask here (no fs_struct of their own): a thread that unshares its
// mount namespace gets only that.
// CLONE_FILES splits the descriptor table; the namespace flags make new
// namespaces (nsproxy.go): the user namespace first, then the others,
// which need CAP_SYS_ADMIN over the (new) user namespace. A new time
// namespace is for the children: the caller's clocks stay.
func sysUnshare(t *Thread, a *args) (uint64, error) {
	flags := a[0]
	const known = linux.CLONE_THREAD | linux.CLONE_FS | linux.CLONE_NEWNS | linux.CLONE_SIGHAND |
		linux.CLONE_VM | linux.CLONE_FILES | linux.CLONE_SYSVSEM | linux.CLONE_NEWUTS | linux.CLONE_NEWIPC |
		linux.CLONE_NEWNET | linux.CLONE_NEWUSER | linux.CLONE_NEWPID | linux.CLONE_NEWCGROUP | linux.CLONE_NEWTIME
	if flags&linux.CLONE_NEWUSER != 0 {
		flags |= linux.CLONE_THREAD | linux.CLONE_FS
	}
	if flags&linux.CLONE_VM != 0 {
		flags |= linux.CLONE_SIGHAND
	}
	if flags&linux.CLONE_SIGHAND != 0 {
		flags |= linux.CLONE_THREAD
	}
	if flags&linux.CLONE_NEWNS != 0 {
		flags |= linux.CLONE_FS
	}
	if flags&^known != 0 {
		return 0, linux.EINVAL
	}
	if flags&(linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM) != 0 {
		t.p.mu.Lock()
		alone := len(t.p.threads) == 1
		t.p.mu.Unlock()
		if !alone {
			return 0, linux.EINVAL
		}
	}
	nc, nsp, err := t.unshareNamespaces(flags)
	if err != nil {
		return 0, err
	}
	if flags&linux.CLONE_FILES != 0 {
		t.p.unshareFiles()
	}
	if nsp != nil {
		t.nsp.Store(nsp)
	}
	if nc != nil {
		t.changeCred(nc)
	}
	return 0, nil
}

// sysPtrace refuses every request with EPERM, as Linux does under Yama's
// ptrace_scope 3 ("no process may use ptrace"): Sigil has no tracing of
// user processes, and a program probing for it (Go's SysProcAttr.Ptrace
// among them) hears a refusal it knows, not ENOSYS.
func sysPtrace(t *Thread, a *args) (uint64, error) { return 0, linux.EPERM }

// unshareCalls are unshare and ptrace, for the system-call table.
var unshareCalls = map[uint64]sysFunc{linux.SYS_UNSHARE: sysUnshare, linux.SYS_PTRACE: sysPtrace}
