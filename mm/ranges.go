package mm

// Operations on ranges of an address space's page tables. Each takes the
// root's tables lock for itself and frees what it removes only after the
// flush (lock.go): interrupt context and other CPUs use the same tables.

// Changes counts what a range operation did, so its caller can decide how
// to flush the TLB.
type Changes struct {
	Unmapped    uint64 // present leaves removed, replaced or downgraded
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
	g := lockTables(root)
	forgetUser(root)
	c = g.setRange(root, va, end, want, user)
	if g.tidy(root, va, end) {
		c.TablesFreed = true
	}
	unlockTables(g)
	return c
}

// setRange is SetRange without the tidying, its tables lock held.
//
//go:nosplit
func (g *gather) setRange(root uint64, va, end uintptr, want uint64, user bool) (c Changes) {
	for va < end {
		t := table(root)
		for l := 4; ; l-- {
			span := uintptr(1) << levelShift(l)
			e := &t[index(va, l)]
			if l < 4 && va&(span-1) == 0 && end-va >= span {
				if isTable(*e, l) {
					c.TablesFreed = true
				}
				c.Unmapped += g.release(*e, l)
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

// release gathers what entry e at level l holds: a reference on each
// frame mapped under it, and the tables themselves. It returns the number
// of present leaves it removed. Huge pages and leaves without PTERef own
// nothing and are left alone. One function per level keeps the nosplit
// call chain bounded for the linker's stack check.
//
//go:nosplit
func (g *gather) release(e uint64, l int) uint64 {
	if e&PTEPresent == 0 {
		return 0
	}
	if !isTable(e, l) {
		return g.leaf(e)
	}
	var n uint64
	switch l {
	case 2:
		n = g.pt(e)
	case 3:
		n = g.pd(e)
	case 4:
		n = g.pdpt(e)
	}
	g.add(e&pteAddr, fateFree)
	return n
}

// leaf gathers the reference of the present leaf e, if it holds one.
//
//go:nosplit
func (g *gather) leaf(e uint64) uint64 {
	if e&PTERef != 0 && e&PTEHuge == 0 {
		g.add(e&pteAddr, fateUnref)
	}
	return 1
}

//go:nosplit
func (g *gather) pt(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		if t[i]&PTEPresent != 0 {
			n += g.leaf(t[i])
		}
	}
	return n
}

//go:nosplit
func (g *gather) pd(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		switch x := t[i]; {
		case isTable(x, 2):
			n += g.pt(x)
			g.add(x&pteAddr, fateFree)
		case x&PTEPresent != 0:
			n += g.leaf(x)
		}
	}
	return n
}

//go:nosplit
func (g *gather) pdpt(e uint64) (n uint64) {
	t := table(e)
	for i := range t {
		switch x := t[i]; {
		case isTable(x, 3):
			n += g.pd(x)
			g.add(x&pteAddr, fateFree)
		case x&PTEPresent != 0:
			n += g.leaf(x)
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
func (g *gather) tidy(root uint64, va, end uintptr) (freed bool) {
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
				if e2 := &pd[index(c, 2)]; isTable(*e2, 2) && g.collapse(e2) {
					freed = true
				}
			}
			if g.collapse(e3) {
				freed = true
			}
		}
	}
	return freed
}

// collapse replaces the table entry *e with the one non-present value its
// table holds in all 512 entries, if it does, and gathers the table.
//
//go:nosplit
func (g *gather) collapse(e *uint64) bool {
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
	g.add(*e&pteAddr, fateFree)
	*e = v
	return true
}

// Discard is the kernel's madvise(MADV_DONTNEED): every present page in
// [va, end) that holds a reference drops it and reads as zero on next
// touch, keeping its permissions. (User spaces keep their permissions in
// their areas, and discard with SetRange.)
//
//go:nosplit
func Discard(root uint64, va, end uintptr) (c Changes) {
	g := lockTables(root)
	forgetUser(root)
	for a := va; a < end; {
		e, l := leaf(root, a)
		if l == 1 && *e&(PTEPresent|PTERef) == PTEPresent|PTERef {
			g.add(*e&pteAddr, fateUnref)
			*e = Demand(*e)
			c.Unmapped++
		}
		a = next(a, l)
	}
	c.TablesFreed = g.tidy(root, va, end)
	unlockTables(g)
	return
}

// Protect gives every page in [va, end) of a user address space the
// permissions prot (PTEUser, PTEWrite, PTENX; no PTEUser is PROT_NONE:
// the page and its contents stay, and every user access faults): present
// pages and demand markers alike; unmapped pages stay unmapped. A private
// page (private) that becomes writable gets write access only if its
// frame is anonymous memory this entry alone holds; otherwise it becomes
// copy-on-write. It reports whether present pages changed, so the TLB
// needs flushing, and false ok when a table could not be allocated.
//
//go:nosplit
func Protect(root uint64, va, end uintptr, prot uint64, private bool) (changed bool, ok bool) {
	g := lockTables(root)
	changed, ok = protect(root, va, end, prot, private)
	unlockTables(g)
	return changed, ok
}

// protect is Protect with root's tables lock held.
//
//go:nosplit
func protect(root uint64, va, end uintptr, prot uint64, private bool) (changed bool, ok bool) {
	forgetUser(root)
	for va < end {
		e, l := leaf(root, va)
		if span := uintptr(1) << levelShift(l); *e != 0 && l > 1 && (va&(span-1) != 0 || end-va < span) {
			// A marker covering more than the range: split it, and walk
			// again into the new table.
			if *e&PTEPresent != 0 || !split(e, true) {
				return changed, false
			}
			continue
		}
		switch old := *e; {
		case old&PTEPresent != 0:
			n := old&^(permBits|PTECOW) | prot&(PTEUser|PTENX)
			if prot&PTEWrite != 0 {
				pa := old & pteAddr
				if !private || old&PTEWrite != 0 || Refs(pa) == 1 && KindOf(pa) == KindAnon {
					n |= PTEWrite
				} else {
					n |= PTECOW
				}
			}
			if n != old {
				*e = n
				changed = true
			}
		case old != 0:
			*e = Demand(prot)
		}
		va = next(va, l)
	}
	return changed, true
}

// MapLarge maps [va, va+size) to physical pa with 2 MiB pages and flags
// (Present is implied), allocating the tables above them. va, pa and size
// are 2 MiB aligned. Used for the direct map.
//
//go:nosplit
func MapLarge(root uint64, va uintptr, pa, size, flags uint64) (ok bool) {
	const large = 1 << 21
	g := lockTables(root)
	ok = true
	for off := uint64(0); ok && off < size; off += large {
		e := walkTo(root, va+uintptr(off), 2, false)
		if ok = e != nil; ok {
			*e = (pa + off) | flags | PTEPresent | PTEHuge
		}
	}
	unlockTables(g)
	return ok
}
