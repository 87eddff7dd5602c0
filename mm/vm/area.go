package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// Prot is an area's protection: linux.PROT_READ, PROT_WRITE, PROT_EXEC.
type Prot uint8

const (
	Read  Prot = linux.PROT_READ
	Write Prot = linux.PROT_WRITE
	Exec  Prot = linux.PROT_EXEC
	rwx        = Read | Write | Exec
)

// Flags are an area's properties other than its protection (Linux's
// VM_* flags that matter here).
type Flags uint16

const (
	Shared         Flags = 1 << iota // MAP_SHARED: writes reach the object
	GrowsDown                        // MAP_GROWSDOWN, and the main stack
	MayRead                          // VM_MAYREAD: mprotect may add PROT_READ
	MayWrite                         // VM_MAYWRITE: PROT_WRITE (a shared file opened read-only has not)
	MayExec                          // VM_MAYEXEC
	Account                          // counted in the committed memory (VM_ACCOUNT)
	NoReserve                        // MAP_NORESERVE
	Locked                           // MAP_LOCKED
	DontFork                         // MADV_DONTFORK: the child does not get it
	WipeOnFork                       // MADV_WIPEONFORK: the child gets zeroes
	sharedReadOnly                   // MAP_SHARED of a file opened read-only: private in effect, shared in maps (VM_MAYSHARE)
	reserved                         // the kernel's window: no mapping may use it
)

// mayAll is what every mapping may do until mmap's checks say otherwise.
const mayAll = MayRead | MayWrite | MayExec

// Area is a range of a process's address space with one protection and
// one backing: Linux's vm_area_struct.
type Area struct {
	Start, End uintptr
	Prot       Prot
	Flags      Flags
	Obj        *Object // backing: nil for private anonymous memory
	Off        uint64  // Obj's offset at Start, page aligned

	// Tree links and subtree facts (tree.go).
	left, right *Area
	height      int8
	lo, hi, gap uintptr
}

// stackGuardGap is the hole kept below a stack that grows down (Linux's
// stack_guard_gap, 256 pages).
const stackGuardGap = 256 * mm.PageSize

// gapStart is where the hole below a ends: a stack that grows down keeps
// the guard gap below it free.
func (a *Area) gapStart() uintptr {
	if a.Flags&GrowsDown != 0 {
		return a.Start - min(a.Start, stackGuardGap)
	}
	return a.Start
}

// Len returns the area's size in bytes.
func (a *Area) Len() uintptr { return a.End - a.Start }

// private reports whether writes stay in this process (copy-on-write).
func (a *Area) private() bool { return a.Flags&Shared == 0 }

// anon reports whether the area is private anonymous memory, the only kind
// whose pages the page tables can make by themselves (demand markers).
func (a *Area) anon() bool { return a.Obj == nil }

// offAt returns the object offset of address addr in a.
func (a *Area) offAt(addr uintptr) uint64 { return a.Off + uint64(addr-a.Start) }

// accessible reports whether the area allows any access (vma_is_accessible).
func (a *Area) accessible() bool { return a.Prot&rwx != 0 }

// pte returns the leaf permission bits for the area's protection: x86
// cannot express write-only or execute-only, so any access implies read.
func (a *Area) pte() uint64 { return pteBits(a.Prot) }

func pteBits(p Prot) uint64 {
	if p&rwx == 0 {
		return 0 // PROT_NONE: no user access at all
	}
	b := uint64(mm.PTEUser)
	if p&Write != 0 {
		b |= mm.PTEWrite
	}
	if p&Exec == 0 {
		b |= mm.NX
	}
	return b
}

// marker returns the non-present entry for pages of a not yet touched:
// a demand-zero marker for private anonymous memory, which interrupt
// context resolves, and nothing for the rest, which the area decides.
func (a *Area) marker() uint64 {
	if a.anon() && a.private() {
		return mm.Demand(a.pte())
	}
	return 0
}

// mergeable reports whether b, which starts where a ends, can join a into
// one area (Linux's is_mergeable_vma and its offset rule).
func mergeable(a, b *Area) bool {
	if a.End != b.Start || a.Prot != b.Prot || a.Flags != b.Flags || a.Obj != b.Obj || a.Flags&reserved != 0 {
		return false
	}
	return a.Obj == nil || a.offAt(a.End) == b.Off
}

// kind returns what an area holds, for accounting (Linux's
// vm_stat_account): its pages count as data, stack or code.
func (a *Area) isData() bool {
	return a.Prot&Write != 0 && a.Flags&(Shared|GrowsDown) == 0
}
func (a *Area) isStack() bool { return a.Flags&GrowsDown != 0 }
func (a *Area) isExec() bool {
	return a.Prot&Exec != 0 && a.Prot&Write == 0 && a.Flags&GrowsDown == 0
}

// accountable reports whether the area's memory counts as committed
// (Linux's accountable_mapping plus shared anonymous memory).
func accountable(p Prot, f Flags, obj *Object) bool {
	if f&NoReserve != 0 {
		return false
	}
	if f&Shared != 0 {
		return obj != nil && obj.src == nil // shared anonymous memory
	}
	return p&Write != 0
}
