package task

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm"
	"sigil/mm/vm"
	"sigil/sysv"
)

const pageSize = mm.PageSize

// AddressSpace is a process's memory (vm.Space: areas, page tables and
// the Linux calls on them) with what processes sharing it also share: the
// futex queues of its private mappings. CLONE_VM shares one between
// processes; refs counts them.
type AddressSpace struct {
	*vm.Space
	futex futexTable

	mu     sync.Mutex // guards refs
	refs   int
	victim atomic.Bool // chosen by the OOM killer: its copies stop waiting for memory
	// membarrier holds the membarrier(2) registrations (REGISTER_* bits).
	membarrier atomic.Uint32
	// strings is where exec put the argument and environment strings
	// (mm->arg_start and the rest): written before the space runs, then
	// only read.
	strings sysv.Areas
	freed   chan struct{} // closed when the memory is gone
}

func newAddressSpace(lim vm.Limits) (*AddressSpace, error) {
	s, err := vm.New(lim)
	if err != nil {
		return nil, err
	}
	return wrapSpace(s), nil
}

func wrapSpace(s *vm.Space) *AddressSpace {
	return &AddressSpace{Space: s, refs: 1, freed: make(chan struct{})}
}

// share takes another reference (CLONE_VM).
func (as *AddressSpace) share() *AddressSpace {
	as.mu.Lock()
	as.refs++
	as.mu.Unlock()
	return as
}

// release drops a reference; the last one frees the memory.
func (as *AddressSpace) release() {
	as.mu.Lock()
	as.refs--
	last := as.refs == 0
	as.mu.Unlock()
	if last {
		as.Space.Release()
		close(as.freed)
	}
}

// fork returns a copy for a child process: private memory copy-on-write.
func (as *AddressSpace) fork() (*AddressSpace, error) {
	s, err := as.Space.Fork()
	if err != nil {
		return nil, err
	}
	n := wrapSpace(s)
	n.membarrier.Store(as.membarrier.Load())
	n.strings = as.strings
	return n, nil
}

// spaceLimits are the memory limits of p's address space.
func (p *Process) spaceLimits() vm.Limits {
	p.mu.Lock()
	defer p.mu.Unlock()
	return vm.Limits{
		AS:         p.limits[linux.RLIMIT_AS].Cur,
		Data:       p.limits[linux.RLIMIT_DATA].Cur,
		Stack:      p.limits[linux.RLIMIT_STACK].Cur,
		Memlock:    p.limits[linux.RLIMIT_MEMLOCK].Cur,
		Privileged: true, // every process runs as root (sysGetID)
	}
}

// User memory for system calls: the vm.Space copies, with running out of
// memory handled as Linux's page allocator does, by reclaiming and, if
// that is not enough, killing (oom.go). Addresses are the system calls'
// 64-bit arguments.

// CopyIn copies len(dst) bytes from user address addr.
func (as *AddressSpace) CopyIn(dst []byte, addr uint64) error {
	return as.retry(func() error { return as.Space.CopyIn(dst, uintptr(addr)) })
}

// CopyOut copies src to user address addr.
func (as *AddressSpace) CopyOut(addr uint64, src []byte) error {
	return as.retry(func() error { return as.Space.CopyOut(uintptr(addr), src) })
}

// CopyInString reads a NUL-terminated string of at most max bytes.
func (as *AddressSpace) CopyInString(addr uint64, max int) (s string, err error) {
	err = as.retry(func() (e error) { s, e = as.Space.CopyInString(uintptr(addr), max); return })
	return
}

// Probe checks that [addr, addr+n) is accessible (for writing if write).
func (as *AddressSpace) Probe(addr, n uint64, write bool) error {
	return as.retry(func() error { return as.Space.Probe(uintptr(addr), n, write) })
}

// fault serves a user page fault the page tables could not.
func (as *AddressSpace) fault(addr uint64, write, exec bool) error {
	return as.retry(func() error { return as.Space.Fault(uintptr(addr), write, exec) })
}

// retry runs op until it no longer runs out of memory, reclaiming in
// between; when nothing can be reclaimed the access fails (EFAULT for a
// copy; a fault's caller kills) as Linux's does.
func (as *AddressSpace) retry(op func() error) error {
	for {
		err := op()
		if err != vm.ErrNoMemory {
			return err
		}
		if !outOfMemory(as) {
			return linux.EFAULT
		}
	}
}
