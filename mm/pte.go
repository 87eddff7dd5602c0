package mm

// Page-table entries (SDM Vol. 3A §4.5, Tables 4-15 to 4-20).
const (
	PTEPresent  = 1 << 0
	PTEWrite    = 1 << 1
	PTEUser     = 1 << 2
	PTEPWT      = 1 << 3
	PTEPCD      = 1 << 4
	PTEAccessed = 1 << 5
	PTEDirty    = 1 << 6
	PTEHuge     = 1 << 7 // PS: 2 MiB or 1 GiB page in a PD or PDPT entry
	PTEGlobal   = 1 << 8
	PTENX       = 1 << 63

	// Software bits, which the MMU ignores at every level.

	// PTEDemand, on a non-present entry at any level, stands for
	// demand-zero anonymous memory below it: the entry's Write, User and
	// NX bits are the permissions the page fault grants.
	PTEDemand = 1 << 9
	// PTERef, the same bit on a present leaf, says the mapping holds a
	// reference on its frame (Ref), dropped when the entry goes. Leaves
	// without it (the direct map, the APIC window) own nothing.
	PTERef = 1 << 9
	// PTECOW, on a present leaf mapped read-only, allows writes after a
	// copy: the frame is shared (after fork, or a private mapping of a
	// file's page), unless this entry holds its only reference.
	PTECOW = 1 << 10

	pteAddr  = 0x000ffffffffff000
	permBits = PTEWrite | PTEUser | PTENX
)

// Table is one page-table page.
type Table [512]uint64

//go:nosplit
func table(pa uint64) *Table { return (*Table)(Phys(pa &^ (PageSize - 1) & pteAddr)) }

// levelShift is the address shift of an entry at level l (1 = PT ... 4 = PML4).
//
//go:nosplit
func levelShift(l int) uint { return uint(12 + 9*(l-1)) }

//go:nosplit
func index(va uintptr, l int) int { return int(va>>levelShift(l)) & 511 }

// Demand returns the non-present entry that stands for demand-zero memory
// with the permissions of prot (PTEWrite, PTEUser, PTENX).
//
//go:nosplit
func Demand(prot uint64) uint64 { return PTEDemand | prot&permBits }

// tableEntry is how a materialised table is linked from its parent: the MMU
// takes the most restrictive permissions along the walk, so intermediate
// entries grant everything and leaves decide (SDM Vol. 3A §4.6).
//
//go:nosplit
func tableEntry(pa uint64, user bool) uint64 {
	e := pa | PTEPresent | PTEWrite
	if user {
		e |= PTEUser
	}
	return e
}

//go:nosplit
func isTable(e uint64, l int) bool { return l > 1 && e&PTEPresent != 0 && e&PTEHuge == 0 }

// tableKind is what a page-table page of a user or the kernel's space is.
//
//go:nosplit
func tableKind(user bool) Kind {
	if user {
		return KindTable
	}
	return KindKernel
}

// split materialises the table below entry *e (level l > 1), filling it with
// copies of the non-present entry it replaces (zero or a demand marker).
//
//go:nosplit
func split(e *uint64, user bool) bool {
	fill := *e
	var pa uint64
	var ok bool
	if fill == 0 {
		pa, ok = AllocZeroed(tableKind(user))
	} else if pa, ok = AllocFrame(tableKind(user)); ok {
		t := table(pa)
		for i := range t {
			t[i] = fill
		}
	}
	if !ok {
		return false
	}
	*e = tableEntry(pa, user)
	return true
}

// leaf returns the entry where the walk to va ends, the first that is not
// a table (a page, a huge page, a marker or nothing), and its level.
//
//go:nosplit
func leaf(root uint64, va uintptr) (*uint64, int) {
	t := table(root)
	l := 4
	for ; ; l-- {
		e := &t[index(va, l)]
		if !isTable(*e, l) {
			return e, l
		}
		t = table(*e)
	}
}

// walkTo returns the level-l entry for va, materialising the tables above
// it (filled with whatever non-present entry they replace), or nil when a
// table cannot be allocated. The walk never passes a present leaf above
// level l: callers use it in user spaces, which have none.
//
//go:nosplit
func walkTo(root uint64, va uintptr, l int, user bool) *uint64 {
	t := table(root)
	for k := 4; ; k-- {
		e := &t[index(va, k)]
		if k == l {
			return e
		}
		if !isTable(*e, k) && !split(e, user) {
			return nil
		}
		t = table(*e)
	}
}

// next returns where the level-l entry after va's begins.
//
//go:nosplit
func next(va uintptr, l int) uintptr {
	span := uintptr(1) << levelShift(l)
	return (va + span) &^ (span - 1)
}

// nextBefore is next(va, l), but at most end (and end if next wraps).
//
//go:nosplit
func nextBefore(va uintptr, l int, end uintptr) uintptr {
	n := next(va, l)
	if n < va || n > end {
		return end
	}
	return n
}

// Lookup returns the entry mapping va and its level, or ok=false if no
// present entry maps it. It takes root's tables lock.
//
//go:nosplit
func Lookup(root uint64, va uintptr) (pte uint64, level int, ok bool) {
	g := lockTables(root)
	pte, level, ok = lookup(root, va)
	unlockTables(g)
	return pte, level, ok
}

// lookup is Lookup with root's tables lock held.
//
//go:nosplit
func lookup(root uint64, va uintptr) (pte uint64, level int, ok bool) {
	e, l := leaf(root, va)
	return *e, l, *e&PTEPresent != 0
}

// Entry returns the entry that decides va's page: its present leaf, the
// demand marker above it, or 0. It takes root's tables lock.
//
//go:nosplit
func Entry(root uint64, va uintptr) uint64 {
	g := lockTables(root)
	e, _ := leaf(root, va)
	v := *e
	unlockTables(g)
	return v
}

// Translate returns the physical address va maps to. It reads the tables
// without their lock: its caller is a fault report (and host tests), which
// may run while this CPU holds the lock the faulting code took, and wants
// an answer, not a deadlock or a recursive-acquire panic.
//
//go:nosplit
func Translate(root uint64, va uintptr) (pa uint64, ok bool) {
	e, l, ok := lookup(root, va)
	if !ok {
		return 0, false
	}
	mask := uint64(1)<<levelShift(l) - 1
	return e&pteAddr&^mask | uint64(va)&mask, true
}

// FrameOf returns the frame a present leaf maps.
//
//go:nosplit
func FrameOf(pte uint64) uint64 { return pte & pteAddr }
