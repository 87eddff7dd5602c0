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
	// PTEAnon uses bit 9, which the MMU ignores at every level. On a
	// non-present entry it marks demand-zero anonymous memory (the entry's
	// Write/User/NX bits are the permissions to grant); on a present leaf it
	// marks a frame the page tables own and free on unmap.
	PTEAnon = 1 << 9
	PTENX   = 1 << 63

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
func Demand(prot uint64) uint64 { return PTEAnon | prot&permBits }

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

// split materialises the table below entry *e (level l > 1), filling it with
// copies of the non-present entry it replaces (zero or a demand marker).
//
//go:nosplit
func split(e *uint64, user bool) bool {
	pa, ok := AllocFrame()
	if !ok {
		return false
	}
	t := table(pa)
	fill := *e
	for i := range t {
		t[i] = fill
	}
	*e = tableEntry(pa, user)
	return true
}

// Changes counts what a range operation did, so its caller can decide how
// to flush the TLB.
type Changes struct {
	Unmapped    uint64 // present leaves removed or replaced
	TablesFreed bool   // page-table pages went back to the allocator
	NoMemory    bool   // a page-table page could not be allocated
}

// NeedFlush reports whether translations or paging-structure caches may
// hold what the operation removed: a freed table must be forgotten before
// its frame is used again (SDM Vol. 3A §4.10.4.1).
//
//go:nosplit
func (c Changes) NeedFlush() bool { return c.Unmapped != 0 || c.TablesFreed }

// SetRange makes every page of [va, end) (page aligned) equal to the
// non-present entry want: 0 (unmapped) or Demand(prot). Present pages in the
// range are released. Whole aligned 2 MiB and 1 GiB blocks are set with one
// entry and any tables below them freed, and so is a table that the change
// leaves holding one value throughout (tidy). PML4 entries are never
// replaced: the kernel half's PDPTs are shared by every address space, and a
// user PML4's first PDPT carries the shared APIC window.
//
//go:nosplit
func SetRange(root uint64, va, end uintptr, want uint64, user bool) (c Changes) {
	forgetUser()
	c = setRange(root, va, end, want, user)
	if tidy(root, va, end) {
		c.TablesFreed = true
	}
	return c
}

//go:nosplit
func setRange(root uint64, va, end uintptr, want uint64, user bool) (c Changes) {
	for va < end {
		t := table(root)
		for l := 4; ; l-- {
			span := uintptr(1) << levelShift(l)
			e := &t[index(va, l)]
			if l < 4 && va&(span-1) == 0 && end-va >= span {
				c.Unmapped += release(*e, l)
				if isTable(*e, l) {
					c.TablesFreed = true
				}
				*e = want
				va += span
				break
			}
			// Partly covered: descend, materialising a table if needed.
			if !isTable(*e, l) {
				if *e == want || *e&PTEPresent != 0 {
					// Already right, or a huge page we do not split:
					// skip to the end of this entry.
					va = (va + span) &^ (span - 1)
					break
				}
				if !split(e, user) {
					c.NoMemory = true
					return
				}
			}
			t = table(*e)
		}
	}
	return
}

// release frees what entry e at level l owns: the anonymous frames under it
// and the tables themselves. It returns the number of present leaves it
// removed. Huge pages and frames not marked Anon are not owned and are left
// alone. One function per level keeps the nosplit call chain bounded for the
// linker's stack check.
//
//go:nosplit
func release(e uint64, l int) uint64 {
	if e&PTEPresent == 0 {
		return 0
	}
	if !isTable(e, l) {
		return releaseLeaf(e)
	}
	var n uint64
	switch l {
	case 2:
		n = releasePT(e)
	case 3:
		n = releasePD(e)
	case 4:
		n = releasePDPT(e)
	}
	FreeFrame(e & pteAddr)
	return n
}

//go:nosplit
func releaseLeaf(e uint64) uint64 {
	if e&PTEAnon != 0 && e&PTEHuge == 0 {
		FreeFrame(e & pteAddr)
	}
	return 1
}

//go:nosplit
func releasePT(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		if t[i]&PTEPresent != 0 {
			n += releaseLeaf(t[i])
		}
	}
	return n
}

//go:nosplit
func releasePD(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		switch x := t[i]; {
		case isTable(x, 2):
			n += releasePT(x)
			FreeFrame(x & pteAddr)
		case x&PTEPresent != 0:
			n += releaseLeaf(x)
		}
	}
	return n
}

//go:nosplit
func releasePDPT(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		switch x := t[i]; {
		case isTable(x, 3):
			n += releasePD(x)
			FreeFrame(x & pteAddr)
		case x&PTEPresent != 0:
			n += releaseLeaf(x)
		}
	}
	return n
}

// tidy frees the page-table pages under [va, end) that hold 512 copies of
// one non-present entry (nothing, or one demand marker), putting that entry
// one level up instead, bottom-up so that a table emptied by freeing its
// children goes too. PML4 entries stay (see SetRange). It reports whether
// it freed any table.
//
//go:nosplit
func tidy(root uint64, va, end uintptr) (freed bool) {
	pml4 := table(root)
	for a := va; a < end; a = nextBefore(a, 4, end) {
		e4 := pml4[index(a, 4)]
		if !isTable(e4, 4) {
			continue
		}
		pdpt := table(e4)
		end4 := nextBefore(a, 4, end)
		for b := a; b < end4; b = nextBefore(b, 3, end4) {
			e3 := &pdpt[index(b, 3)]
			if !isTable(*e3, 3) {
				continue
			}
			pd := table(*e3)
			end3 := nextBefore(b, 3, end4)
			for c := b; c < end3; c = nextBefore(c, 2, end3) {
				if e2 := &pd[index(c, 2)]; isTable(*e2, 2) && collapse(e2) {
					freed = true
				}
			}
			if collapse(e3) {
				freed = true
			}
		}
	}
	return freed
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

// collapse replaces the table entry *e with the one non-present value its
// table holds in all 512 entries, if it does, and frees the table.
//
//go:nosplit
func collapse(e *uint64) bool {
	t := table(*e)
	v := t[0]
	if v&PTEPresent != 0 {
		return false
	}
	for i := 1; i < len(t); i++ {
		if t[i] != v {
			return false
		}
	}
	FreeFrame(*e & pteAddr)
	*e = v
	return true
}

// Fault resolves a page fault at va in root: if va lies in demand-zero
// memory whose permissions allow the access, it maps a zeroed frame (and any
// missing tables) and returns true. It returns false for a genuine fault,
// and for running out of memory (oom set).
//
//go:nosplit
func Fault(root uint64, va uintptr, write, user bool) (handled, oom bool) {
	t := table(root)
	for l := 4; ; l-- {
		e := &t[index(va, l)]
		if isTable(*e, l) {
			t = table(*e)
			continue
		}
		if *e&PTEPresent != 0 || *e&PTEAnon == 0 {
			return false, false // mapped leaf (so a protection fault) or nothing
		}
		if write && *e&PTEWrite == 0 || user && *e&PTEUser == 0 {
			return false, false
		}
		if l > 1 {
			if !split(e, user) {
				return false, true
			}
			t = table(*e)
			continue
		}
		pa, ok := AllocZeroed()
		if !ok {
			return false, true
		}
		*e = pa | PTEPresent | PTEAnon | *e&permBits
		return true, false
	}
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

// next returns where the level-l entry after va's begins.
//
//go:nosplit
func next(va uintptr, l int) uintptr {
	span := uintptr(1) << levelShift(l)
	return (va + span) &^ (span - 1)
}

// Lookup returns the entry mapping va and its level, or ok=false if no
// present entry maps it.
//
//go:nosplit
func Lookup(root uint64, va uintptr) (pte uint64, level int, ok bool) {
	e, l := leaf(root, va)
	return *e, l, *e&PTEPresent != 0
}

// Translate returns the physical address va maps to.
//
//go:nosplit
func Translate(root uint64, va uintptr) (pa uint64, ok bool) {
	e, l, ok := Lookup(root, va)
	if !ok {
		return 0, false
	}
	mask := uint64(1)<<levelShift(l) - 1
	return e&pteAddr&^mask | uint64(va)&mask, true
}

// Discard is madvise(MADV_DONTNEED) on anonymous memory: every present
// anonymous page in [va, end) goes back to the allocator and reads as zero on
// next touch, keeping its permissions.
//
//go:nosplit
func Discard(root uint64, va, end uintptr) (c Changes) {
	forgetUser()
	for a := va; a < end; {
		e, l := leaf(root, a)
		if l == 1 && *e&(PTEPresent|PTEAnon) == PTEPresent|PTEAnon {
			FreeFrame(*e & pteAddr)
			*e = Demand(*e)
			c.Unmapped++
		}
		a = next(a, l)
	}
	c.TablesFreed = tidy(root, va, end)
	return
}

// MapLarge maps [va, va+size) to physical pa with 2 MiB pages and flags
// (Present is implied), allocating the tables above them. va, pa and size
// are 2 MiB aligned. Used for the direct map.
//
//go:nosplit
func MapLarge(root uint64, va uintptr, pa, size, flags uint64) bool {
	const large = 1 << 21
	for off := uint64(0); off < size; off += large {
		v := va + uintptr(off)
		t := table(root)
		for l := 4; l > 2; l-- {
			e := &t[index(v, l)]
			if !isTable(*e, l) {
				if !split(e, false) {
					return false
				}
			}
			t = table(*e)
		}
		t[index(v, 2)] = (pa + off) | flags | PTEPresent | PTEHuge
	}
	return true
}
