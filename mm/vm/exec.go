package vm

import "sigil/linux"

// What exec builds: the program's segments (Mmap with MAP_FIXED), its
// break, and the main stack.

// MapStack makes the main stack: an area that grows down from StackTop,
// holding argSize bytes of arguments and 128 KiB more below them (Linux's
// setup_arg_pages), up to RLIMIT_STACK. sp is the initial stack pointer,
// for /proc's [stack]. An executable stack (PT_GNU_STACK with PF_X) is
// PROT_EXEC too.
func (s *Space) MapStack(argSize uintptr, exec bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	size := pageUp(argSize) + stackExpand
	if s.lim.Stack != linux.RLIM_INFINITY {
		size = min(size, max(pageUp(argSize), uintptr(s.lim.Stack)&^pageMask))
	}
	a := &Area{Start: StackTop - size, End: StackTop, Prot: Read | Write, Flags: mayAll | GrowsDown | Account}
	if exec {
		a.Prot |= Exec
	}
	if !s.enoughMemory(uint64(size / pageSize)) {
		return linux.ENOMEM
	}
	s.link(a)
	s.stack = StackTop - pageUp(argSize)
	return s.setRange(a.Start, a.End, a.marker())
}

// SetCode records the size of the program's text, for VmExe.
func (s *Space) SetCode(n uintptr) {
	s.mu.Lock()
	s.codeSize = n
	s.mu.Unlock()
}
