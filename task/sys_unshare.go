package task

import "sigil/linux"

// sysUnshare is unshare(2) (ksys_unshare): a process gives itself its own
// copy of what it shares. CLONE_FILES splits the descriptor table;
// CLONE_VM, CLONE_SIGHAND and CLONE_THREAD are only allowed where nothing
// is shared (one thread), CLONE_FS too (a process's threads share one
// working directory and umask here, with no way to part them); namespace
// flags are EINVAL, as on a Linux built without namespaces, and so is
// any flag unshare does not know.
func sysUnshare(t *Thread, a *args) (uint64, error) {
	flags := a[0]
	const known = linux.CLONE_THREAD | linux.CLONE_FS | linux.CLONE_NEWNS | linux.CLONE_SIGHAND |
		linux.CLONE_VM | linux.CLONE_FILES | linux.CLONE_SYSVSEM | linux.CLONE_NEWUTS | linux.CLONE_NEWIPC |
		linux.CLONE_NEWNET | linux.CLONE_NEWUSER | linux.CLONE_NEWPID | linux.CLONE_NEWCGROUP | linux.CLONE_NEWTIME
	if flags&^known != 0 || flags&namespaceFlags != 0 {
		return 0, linux.EINVAL
	}
	if flags&(linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM|linux.CLONE_FS) != 0 {
		t.p.mu.Lock()
		alone := len(t.p.threads) == 1
		t.p.mu.Unlock()
		if !alone {
			return 0, linux.EINVAL
		}
	}
	if flags&linux.CLONE_FILES != 0 {
		t.p.unshareFiles()
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
