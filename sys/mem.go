package sys

import (
	"sigil/arch"
	"sigil/irq"
	"sigil/linux"
	"sigil/mm"
)

// The kernel runtime's anonymous memory comes from mm's arena, handed out
// bottom-up and never reused (the arena is 32 TiB; the runtime reserves
// address space once and keeps it). Hints are ignored, as POSIX allows for
// mappings without MAP_FIXED.
var arenaNext uintptr = mm.ArenaBase

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

// flush drops stale translations after present pages were unmapped. On one
// CPU reloading CR3 is the whole shootdown.
//
//go:nosplit
func flush(ch mm.Changes) {
	if ch.Unmapped != 0 {
		arch.SetCR3(arch.CR3())
	}
}

// commitAllowed applies Linux's heuristic overcommit (mm/util.c,
// __vm_enough_memory with overcommit_memory=0): a writable mapping larger
// than all free memory is refused outright, the rest is demand-paged.
//
//go:nosplit
func commitAllowed(n uint64, prot uint64) bool {
	return prot&linux.PROT_WRITE == 0 || n/mm.PageSize <= mm.Stats().Free
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
	} else {
		if uint64(mm.ArenaEnd-arenaNext) < n {
			fail(c, linux.ENOMEM)
			return
		}
		addr = uint64(arenaNext)
		arenaNext += uintptr(n)
	}
	ch := mm.SetRange(mm.KernelRoot, uintptr(addr), uintptr(addr+n), protEntry(prot), false)
	flush(ch)
	if ch.NoMemory {
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
	ch := mm.SetRange(mm.KernelRoot, uintptr(addr), uintptr(addr+n), 0, false)
	flush(ch)
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
		flush(mm.Discard(mm.KernelRoot, uintptr(addr), uintptr(addr+n)))
	}
	// Other advice (HUGEPAGE, NOHUGEPAGE, COLLAPSE, ...) is a hint.
	ret(c, 0)
}
