package task

import (
	"encoding/binary"
	"unsafe"

	"sigil/linux"
	"sigil/mm/vm"
)

// sysClone3 is clone3(2): size bytes of a struct clone_args, read and
// checked as Linux's copy_clone_args_from_user and clone3_args_valid
// (kernel/fork.c) do, then made by the one clone. CLONE_INTO_CGROUP
// fails as on a Linux with no cgroup2 mounted: no descriptor names a
// cgroup2 directory (cgroup_get_from_file: EBADF).
func sysClone3(t *Thread, a *args) (uint64, error) {
	c, err := t.clone3Args(a[0], a[1])
	if err != nil {
		return 0, err
	}
	if err := c.check(t.ns()); err != nil {
		return 0, err
	}
	if c.flags&linux.CLONE_INTO_CGROUP != 0 {
		return 0, linux.EBADF
	}
	return t.clone(c)
}

// clone3Args reads struct clone_args from addr, size bytes of it
// (copy_struct_from_user: a larger struct than this kernel knows is
// E2BIG unless its tail is zero), and its set_tid array.
func (t *Thread) clone3Args(addr, size uint64) (*cloneArgs, error) {
	var ca linux.CloneArgs
	known := uint64(unsafe.Sizeof(ca))
	if size > pageSize {
		return nil, linux.E2BIG
	}
	if size < linux.CLONE_ARGS_SIZE_VER0 {
		return nil, linux.EINVAL
	}
	as := t.p.as
	if size > known {
		tail := make([]byte, size-known)
		if err := as.CopyIn(tail, addr+known); err != nil {
			return nil, err
		}
		for _, b := range tail {
			if b != 0 {
				return nil, linux.E2BIG
			}
		}
	}
	raw := (*[linux.CLONE_ARGS_SIZE_VER2]byte)(unsafe.Pointer(&ca))
	if err := as.CopyIn(raw[:min(size, known)], addr); err != nil {
		return nil, err
	}
	c, err := decodeClone3(&ca, size)
	if err != nil {
		return nil, err
	}
	if ca.SetTID != 0 {
		b := make([]byte, 4*ca.SetTIDSize)
		if err := as.CopyIn(b, ca.SetTID); err != nil {
			return nil, err
		}
		c.setTID = make([]int32, ca.SetTIDSize)
		for i := range c.setTID {
			c.setTID[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
	return c, validClone3(c, &ca)
}

// decodeClone3 applies copy_clone_args_from_user's checks to the struct
// read from the caller (size bytes of it, the rest zero).
func decodeClone3(ca *linux.CloneArgs, size uint64) (*cloneArgs, error) {
	switch {
	case ca.SetTIDSize > linux.MAX_PID_NS_LEVEL,
		ca.SetTID == 0 && ca.SetTIDSize > 0,
		ca.SetTID != 0 && ca.SetTIDSize == 0,
		ca.ExitSignal&^linux.CSIGNAL != 0 || ca.ExitSignal >= linux.NSIG, // valid_signal
		ca.Flags&linux.CLONE_INTO_CGROUP != 0 && (ca.Cgroup > 1<<31-1 || size < linux.CLONE_ARGS_SIZE_VER2):
		return nil, linux.EINVAL
	}
	return &cloneArgs{
		flags: ca.Flags, exitSignal: ca.ExitSignal, parentTID: ca.ParentTID, childTID: ca.ChildTID,
		tls: ca.TLS, pidfd: ca.Pidfd,
	}, nil
}

// validClone3 is clone3_args_valid: no unknown flags, none of the bits
// clone3 keeps for reuse (CLONE_DETACHED, the CSIGNAL byte but
// CLONE_NEWTIME), not CLONE_CLEAR_SIGHAND with CLONE_SIGHAND, no exit
// signal for a thread or CLONE_PARENT child, and a stack given as both
// its lowest address and its size, inside user space. It sets c.stack to
// the stack's top, where the child's stack pointer starts.
func validClone3(c *cloneArgs, ca *linux.CloneArgs) error {
	f := c.flags
	both := uint64(linux.CLONE_SIGHAND | linux.CLONE_CLEAR_SIGHAND)
	switch {
	case f&^(linux.CLONE_LEGACY_FLAGS|linux.CLONE_CLEAR_SIGHAND|linux.CLONE_INTO_CGROUP) != 0,
		f&(linux.CLONE_DETACHED|linux.CSIGNAL&^linux.CLONE_NEWTIME) != 0,
		f&both == both,
		f&(linux.CLONE_THREAD|linux.CLONE_PARENT) != 0 && c.exitSignal != 0,
		ca.Stack == 0 && ca.StackSize != 0,
		ca.Stack != 0 && (ca.StackSize == 0 || ca.StackSize > vm.TaskSize || ca.Stack > vm.TaskSize-ca.StackSize):
		return linux.EINVAL
	}
	if ca.Stack != 0 {
		c.stack = ca.Stack + ca.StackSize
	}
	return nil
}
