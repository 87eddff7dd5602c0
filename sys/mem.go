package sys

import (
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
)

// The kernel runtime's anonymous memory comes from mm.KernelArena: a hint
// is honoured where its range is free (the runtime's heap hints lie in the
// user half and are refused), and unmapped ranges are handed out again.

const pageMask = mm.PageSize - 1

//go:nosplit
func inArena(addr, n uint64) bool {
	return addr >= mm.ArenaBase && addr <= mm.ArenaEnd && n <= mm.ArenaEnd-addr
}

//go:nosplit
func protEntry(prot uint64) uint64 {
	if prot&(linux.PROT_READ|linux.PROT_WRITE|linux.PROT_EXEC) == 0 {
		return 0
	}
	var p uint64 = mm.PTENX
	if prot&linux.PROT_WRITE != 0 {
		p |= mm.PTEWrite
	}
	if prot&linux.PROT_EXEC != 0 {
		p &^= mm.PTENX
	}
	return mm.Demand(p)
}

// commitAllowed is the kernel runtime's form of Linux's heuristic
// overcommit (mm/util.c, __vm_enough_memory with overcommit_memory=0): an
// absurd writable mapping is refused outright, so the runtime reports out
// of memory instead of faulting on memory that is not there; the rest is
// demand-paged. Linux refuses more than all of RAM; the bound here is
// twice the machine's memory, because the runtime maps writable tables it
// touches sparsely (its heap index alone is 32 MiB), which would stop a
// 32 MiB machine from booting.
//
//go:nosplit
func commitAllowed(n uint64, prot uint64) bool {
	return prot&linux.PROT_WRITE == 0 || n <= 2*mm.MachineRAM
}

//go:nosplit
func sysMmap(c *irq.Context) {
	addr, length, prot, flags, fd, off := args(c)
	_, _ = fd, off
	n := (length + pageMask) &^ pageMask
	switch {
	case length == 0 || n < length:
		fail(c, linux.EINVAL)
		return
	case flags&linux.MAP_ANONYMOUS == 0:
		fail(c, linux.ENODEV) // no files can be mapped by the kernel
		return
	case flags&linux.MAP_TYPE != linux.MAP_PRIVATE && flags&linux.MAP_TYPE != linux.MAP_SHARED:
		fail(c, linux.EINVAL)
		return
	case !commitAllowed(n, prot):
		fail(c, linux.ENOMEM)
		return
	}
	if flags&(linux.MAP_FIXED|linux.MAP_FIXED_NOREPLACE) != 0 {
		if addr&pageMask != 0 {
			fail(c, linux.EINVAL)
			return
		}
		if !inArena(addr, n) {
			fail(c, linux.ENOMEM)
			return
		}
		if flags&linux.MAP_FIXED_NOREPLACE != 0 && !mm.KernelArena.Take(addr, n) {
			fail(c, linux.EEXIST)
			return
		}
		mm.KernelArena.Claim(addr, n)
	} else {
		hint := addr &^ pageMask
		if !inArena(hint, n) {
			hint = 0
		}
		var ok bool
		if addr, ok = mm.KernelArena.Alloc(n, hint); !ok {
			fail(c, linux.ENOMEM)
			return
		}
	}
	if !setKernelRange(addr, n, protEntry(prot)) {
		if flags&(linux.MAP_FIXED|linux.MAP_FIXED_NOREPLACE) == 0 {
			setKernelRange(addr, n, 0)
			mm.KernelArena.Free(addr, n)
		}
		fail(c, linux.ENOMEM)
		return
	}
	ret(c, addr)
}

//go:nosplit
func sysMunmap(c *irq.Context) {
	addr, length, _, _, _, _ := args(c)
	n := (length + pageMask) &^ pageMask
	if addr&pageMask != 0 || length == 0 || !inArena(addr, n) {
		fail(c, linux.EINVAL)
		return
	}
	setKernelRange(addr, n, 0)
	mm.KernelArena.Free(addr, n)
	ret(c, 0)
}

//go:nosplit
func sysMadvise(c *irq.Context) {
	addr, length, advice, _, _, _ := args(c)
	n := (length + pageMask) &^ pageMask
	if addr&pageMask != 0 || n < length {
		fail(c, linux.EINVAL)
		return
	}
	if !inArena(addr, n) {
		fail(c, linux.ENOMEM)
		return
	}
	switch advice {
	case linux.MADV_DONTNEED, linux.MADV_FREE:
		mm.Discard(mm.KernelRoot, uintptr(addr), uintptr(addr+n))
	}
	// Other advice (HUGEPAGE, NOHUGEPAGE, COLLAPSE, ...) is a hint.
	ret(c, 0)
}

// setKernelRange makes [addr, addr+n) of the arena entries want (0 to
// unmap), flushes what changed, and reports whether every table it needed
// could be allocated.
//
//go:nosplit
func setKernelRange(addr, n, want uint64) bool {
	ch := mm.SetRange(mm.KernelRoot, uintptr(addr), uintptr(addr+n), want, false)
	if ch.NeedFlush() {
		mm.Flush(mm.KernelRoot)
	}
	return !ch.NoMemory
}
