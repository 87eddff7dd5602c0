package task

import (
	"sigil/linux"
	"sigil/mm/vm"
)

// Memory system calls: the arguments decoded, the descriptor resolved,
// the rest is mm/vm's.

func sysMmap(t *Thread, a *args) (uint64, error) {
	addr, length, prot, flags, fd, off := a[0], a[1], a[2], a[3], a[4], a[5]
	if off%pageSize != 0 {
		return 0, linux.EINVAL // arch/x86 sys_mmap, before anything else
	}
	r := vm.MapRequest{Addr: uintptr(addr), Len: uintptr(length), Prot: prot, Flags: flags, Off: off}
	if flags&linux.MAP_ANONYMOUS == 0 {
		f, err := t.p.files.get(fd)
		if err != nil {
			return 0, err
		}
		if flags&linux.MAP_HUGETLB != 0 {
			return 0, linux.EINVAL // no hugetlbfs files
		}
		r.File = f.Mapping()
	} else if flags&linux.MAP_HUGETLB != 0 {
		return 0, linux.ENOMEM // no huge pages reserved (vm.nr_hugepages = 0)
	}
	m, err := t.p.as.Mmap(r)
	return uint64(m), err
}

func sysMunmap(t *Thread, a *args) (uint64, error) {
	return 0, t.p.as.Munmap(uintptr(a[0]), uintptr(a[1]))
}

func sysMprotect(t *Thread, a *args) (uint64, error) {
	return 0, t.p.as.Mprotect(uintptr(a[0]), uintptr(a[1]), a[2])
}

func sysBrk(t *Thread, a *args) (uint64, error) { return uint64(t.p.as.Brk(uintptr(a[0]))), nil }

func sysMadvise(t *Thread, a *args) (uint64, error) {
	return 0, t.p.as.Madvise(uintptr(a[0]), uintptr(a[1]), a[2])
}

func sysMremap(t *Thread, a *args) (uint64, error) {
	m, err := t.p.as.Mremap(uintptr(a[0]), uintptr(a[1]), uintptr(a[2]), a[3], uintptr(a[4]))
	return uint64(m), err
}

func sysMincore(t *Thread, a *args) (uint64, error) {
	vec, err := t.p.as.Mincore(uintptr(a[0]), uintptr(a[1]))
	if err != nil {
		return 0, err
	}
	return 0, t.p.as.CopyOut(a[2], vec)
}

func sysMsync(t *Thread, a *args) (uint64, error) {
	return 0, t.p.as.Msync(uintptr(a[0]), uintptr(a[1]), a[2])
}
