package task

import (
	"testing"

	"sigil/linux"
	"sigil/mm/vm"
)

// TestClone3Rules pins clone3's argument checks (copy_clone_args_from_user
// and clone3_args_valid in Linux 6.1's kernel/fork.c) and the stack
// pointer they compute.
func TestClone3Rules(t *testing.T) {
	ok := linux.CloneArgs{ExitSignal: uint64(linux.SIGCHLD)}
	for _, c := range []struct {
		name string
		edit func(*linux.CloneArgs)
		size uint64
		want error
	}{
		{"fork", func(*linux.CloneArgs) {}, 88, nil},
		{"version 0", func(*linux.CloneArgs) {}, 64, nil},
		{"set_tid_size 33", func(a *linux.CloneArgs) { a.SetTID, a.SetTIDSize = 8, 33 }, 88, linux.EINVAL},
		{"set_tid_size without set_tid", func(a *linux.CloneArgs) { a.SetTIDSize = 1 }, 88, linux.EINVAL},
		{"set_tid without a size", func(a *linux.CloneArgs) { a.SetTID = 8 }, 88, linux.EINVAL},
		{"exit signal 65", func(a *linux.CloneArgs) { a.ExitSignal = 65 }, 88, linux.EINVAL},
		{"exit signal high bits", func(a *linux.CloneArgs) { a.ExitSignal = 1<<32 | 17 }, 88, linux.EINVAL},
		{"cgroup in version 1", func(a *linux.CloneArgs) { a.Flags = linux.CLONE_INTO_CGROUP }, 80, linux.EINVAL},
		{"cgroup past INT_MAX", func(a *linux.CloneArgs) { a.Flags, a.Cgroup = linux.CLONE_INTO_CGROUP, 1<<31 }, 88, linux.EINVAL},
		{"cgroup", func(a *linux.CloneArgs) { a.Flags = linux.CLONE_INTO_CGROUP }, 88, nil},
		{"unknown flag", func(a *linux.CloneArgs) { a.Flags = 1 << 34 }, 88, linux.EINVAL},
		{"CLONE_DETACHED", func(a *linux.CloneArgs) { a.Flags = linux.CLONE_DETACHED }, 88, linux.EINVAL},
		{"CSIGNAL bit", func(a *linux.CloneArgs) { a.Flags = 1 }, 88, linux.EINVAL},
		{"CLONE_NEWTIME passes here", func(a *linux.CloneArgs) { a.Flags = linux.CLONE_NEWTIME }, 88, nil},
		{"clear and share handlers", func(a *linux.CloneArgs) {
			a.Flags = linux.CLONE_CLEAR_SIGHAND | linux.CLONE_SIGHAND | linux.CLONE_VM
		}, 88, linux.EINVAL},
		{"thread with exit signal", func(a *linux.CloneArgs) {
			a.Flags = linux.CLONE_THREAD | linux.CLONE_SIGHAND | linux.CLONE_VM
		}, 88, linux.EINVAL},
		{"CLONE_PARENT with exit signal", func(a *linux.CloneArgs) { a.Flags = linux.CLONE_PARENT }, 88, linux.EINVAL},
		{"stack size alone", func(a *linux.CloneArgs) { a.StackSize = 4096 }, 88, linux.EINVAL},
		{"stack alone", func(a *linux.CloneArgs) { a.Stack = 4096 }, 88, linux.EINVAL},
		{"stack past user space", func(a *linux.CloneArgs) { a.Stack, a.StackSize = vm.TaskSize-4096, 8192 }, 88, linux.EINVAL},
		{"stack wraps", func(a *linux.CloneArgs) { a.Stack, a.StackSize = 4096, ^uint64(0) }, 88, linux.EINVAL},
	} {
		a := ok
		c.edit(&a)
		got, err := decodeClone3(&a, c.size)
		if err == nil {
			err = validClone3(got, &a)
		}
		if err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	a := ok
	a.Stack, a.StackSize = 0x10000, 0x2000
	c, err := decodeClone3(&a, 88)
	if err == nil {
		err = validClone3(c, &a)
	}
	if err != nil || c.stack != 0x12000 {
		t.Errorf("stack 0x10000+0x2000: sp %#x, %v; want 0x12000", c.stack, err)
	}
}

// TestCloneArgsCheck pins the rules clone and clone3 share.
func TestCloneArgsCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		args *cloneArgs
		want error
	}{
		{"fork", legacyClone(17, 0, 0, 0, 0), nil},
		{"legacy CLONE_NEWTIME is an exit signal", legacyClone(linux.CLONE_NEWTIME, 0, 0, 0, 0), nil},
		{"legacy high bits ignored", legacyClone(linux.CLONE_CLEAR_SIGHAND|17, 0, 0, 0, 0), nil},
		{"pidfd at parent_tid", legacyClone(linux.CLONE_PIDFD|linux.CLONE_PARENT_SETTID, 0, 8, 0, 0), linux.EINVAL},
		{"pidfd with CLONE_DETACHED", legacyClone(linux.CLONE_PIDFD|linux.CLONE_DETACHED, 0, 8, 0, 0), linux.EINVAL},
		{"pidfd for a thread", legacyClone(linux.CLONE_PIDFD|linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM, 0, 8, 0, 0), linux.EINVAL},
		{"thread without handlers", legacyClone(linux.CLONE_THREAD|linux.CLONE_VM, 0, 0, 0, 0), linux.EINVAL},
		{"handlers without memory", legacyClone(linux.CLONE_SIGHAND, 0, 0, 0, 0), linux.EINVAL},
		{"new user namespace", legacyClone(linux.CLONE_NEWUSER, 0, 0, 0, 0), nil},
		{"new time namespace", &cloneArgs{flags: linux.CLONE_NEWTIME}, nil},
		{"new mount namespace sharing CLONE_FS", legacyClone(linux.CLONE_NEWNS|linux.CLONE_FS, 0, 0, 0, 0), linux.EINVAL},
		{"new user namespace sharing CLONE_FS", legacyClone(linux.CLONE_NEWUSER|linux.CLONE_FS, 0, 0, 0, 0), linux.EINVAL},
		{"thread in a new user namespace", legacyClone(linux.CLONE_NEWUSER|linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM, 0, 0, 0, 0), linux.EINVAL},
		{"thread in a new PID namespace", legacyClone(linux.CLONE_NEWPID|linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM, 0, 0, 0, 0), linux.EINVAL},
		{"new time namespace sharing memory (6.1 allows it)", &cloneArgs{flags: linux.CLONE_NEWTIME | linux.CLONE_VM}, nil},
		{"thread in a new UTS namespace", legacyClone(linux.CLONE_NEWUTS|linux.CLONE_THREAD|linux.CLONE_SIGHAND|linux.CLONE_VM, 0, 0, 0, 0), nil},
		{"pidfd apart from parent_tid", &cloneArgs{flags: linux.CLONE_PIDFD | linux.CLONE_PARENT_SETTID, pidfd: 8, parentTID: 16}, nil},
	} {
		if err := c.args.check(initNS); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestClearHandlers: flush_signal_handlers keeps SIG_IGN and nothing else.
func TestClearHandlers(t *testing.T) {
	var a [linux.NSIG]linux.SigAction
	a[1] = linux.SigAction{Handler: 0x1234, Flags: 4, Restorer: 0x5678, Mask: 2}
	a[2] = linux.SigAction{Handler: linux.SIG_IGN, Flags: 4, Mask: 2}
	clearHandlers(&a)
	if a[1] != (linux.SigAction{}) || a[2] != (linux.SigAction{Handler: linux.SIG_IGN}) {
		t.Errorf("cleared: %+v %+v", a[1], a[2])
	}
}
