package mm

// Address spaces. Every address space shares the kernel half: the PDPTs
// under PML4 entries 256-511 are allocated once at boot (PinKernelHalf) and
// every user PML4 points at them, so a kernel mapping made later is seen
// everywhere. The APIC register window (physical 0xFEC00000-0xFEFFFFFF,
// mapped at the same virtual addresses for TamaGo's 32-bit register
// addresses) sits in [3 GiB, 4 GiB), a slot every address space shares and
// user mappings may not use.
//
// These functions change page tables that interrupt context also uses:
// callers run them with interrupts off (lock.go says what else guards them).

const (
	kernelHalf = 256
	// WindowStart..WindowEnd is the shared [3 GiB, 4 GiB) slot.
	WindowStart = 3 << 30
	WindowEnd   = 4 << 30
	// UserEnd is the end of the user half (the canonical lower half).
	UserEnd = 1 << 47

	windowPDPTIndex = WindowStart >> 30
)

// PinKernelHalf gives every kernel PML4 entry of root a PDPT.
func PinKernelHalf(root uint64) bool {
	t := table(root)
	for i := kernelHalf; i < 512; i++ {
		if t[i]&PTEPresent == 0 && !split(&t[i], false) {
			return false
		}
	}
	return true
}

// NewUserRoot returns a PML4 for a new process: an empty user half but for
// the shared window slot, and the kernel half.
//
//go:nosplit
func NewUserRoot() (uint64, bool) {
	root, ok := AllocZeroed(KindTable)
	if !ok {
		return 0, false
	}
	pdpt, ok := AllocZeroed(KindTable)
	if !ok {
		FreeFrame(root)
		return 0, false
	}
	k, t := table(KernelRoot), table(root)
	if k[0]&PTEPresent != 0 {
		table(pdpt)[windowPDPTIndex] = table(k[0])[windowPDPTIndex]
	}
	t[0] = tableEntry(pdpt, true)
	copy(t[kernelHalf:], k[kernelHalf:])
	return root, true
}

// Share makes [va, end) of the user space dst (unmapped there) what it is
// in src, sharing src's frames: fork. With cow, a writable page becomes
// copy-on-write in both (a private mapping); without, both map the frame
// as it is (a shared mapping). Demand markers are copied as they are. The
// returned changes are src's: its write-protected pages need a flush.
//
//go:nosplit
func Share(dst, src uint64, va, end uintptr, cow bool) (c Changes) {
	g := lockTables(src) // dst is a user space too: the same lock
	forgetUser(src)
	c = g.share(dst, src, va, end, cow)
	unlockTables(g)
	return c
}

// share is Share with the tables lock held. dst is loaded on no CPU (its
// process is being made), so what it releases needs no flush; it goes
// through the same gather anyway.
//
//go:nosplit
func (g *gather) share(dst, src uint64, va, end uintptr, cow bool) (c Changes) {
	for va < end {
		st, dt := table(src), table(dst)
		for l := 4; ; l-- {
			se, de := &st[index(va, l)], &dt[index(va, l)]
			hi := nextBefore(va, l, end)
			if !isTable(*se, l) {
				// A marker or nothing over [va, hi): user spaces
				// have no huge pages.
				if *se != 0 && g.setRange(dst, va, hi, *se, true).NoMemory {
					c.NoMemory = true
					return c
				}
				va = hi
				break
			}
			if !isTable(*de, l) && !split(de, true) {
				c.NoMemory = true
				return c
			}
			if l == 2 {
				c.Unmapped += g.sharePT(table(*de), table(*se), index(va, 1), int((hi-va)/PageSize), cow)
				va = hi
				break
			}
			st, dt = table(*se), table(*de)
		}
	}
	return c
}

// sharePT copies n entries of page table s from i into d, taking a
// reference on each frame, and returns how many of s's pages it made
// copy-on-write.
//
//go:nosplit
func (g *gather) sharePT(d, s *Table, i, n int, cow bool) (downgraded uint64) {
	for ; n > 0; i, n = i+1, n-1 {
		e := s[i]
		if e&PTEPresent != 0 {
			Ref(e & pteAddr)
			if cow && e&PTEWrite != 0 {
				e = e&^PTEWrite | PTECOW
				s[i] = e
				downgraded++
			}
			if d[i]&PTEPresent != 0 {
				g.leaf(d[i])
			}
		}
		d[i] = e
	}
	return downgraded
}

// Move moves what maps [from, from+n) of the user space root to
// [to, to+n), which must be unmapped, leaving the source unmapped:
// mremap. Aligned 2 MiB and 1 GiB blocks move as one entry (a whole page
// table changes place), the rest page by page.
//
//go:nosplit
func Move(root uint64, from, to, n uintptr) (c Changes) {
	g := lockTables(root)
	forgetUser(root)
	c = g.move(root, from, to, n)
	unlockTables(g)
	return c
}

// move is Move with root's tables lock held.
//
//go:nosplit
func (g *gather) move(root uint64, from, to, n uintptr) (c Changes) {
	for off := uintptr(0); off < n; {
		s, d := from+off, to+off
		l := 3
		for l > 1 && ((s|d)&(uintptr(1)<<levelShift(l)-1) != 0 || n-off < uintptr(1)<<levelShift(l)) {
			l--
		}
		span := uintptr(1) << levelShift(l)
		se, sl := leaf(root, s)
		if sl < l {
			se = walkTo(root, s, l, true) // a table at level l: move it whole
		}
		de := walkTo(root, d, l, true)
		if de == nil {
			c.NoMemory = true
			return c
		}
		c.Unmapped += g.release(*de, l) // nothing, if the target was unmapped
		*de = *se
		if sl <= l {
			*se = 0
			c.Unmapped++
		}
		// Otherwise a marker above level l covers s: it stays, and the
		// caller's unmap of the source range removes it.
		off += span
	}
	c.TablesFreed = g.tidy(root, from, from+n)
	return c
}

// Resident counts the present pages of [va, end) of the user space root,
// by the kind of their frames.
//
//go:nosplit
func Resident(root uint64, va, end uintptr) (n [NumKinds]uint64) {
	g := lockTables(root)
	for va < end {
		e, l := leaf(root, va)
		if *e&PTEPresent != 0 && l == 1 {
			n[KindOf(*e&pteAddr)]++
		}
		va = nextBefore(va, l, end)
	}
	unlockTables(g)
	return n
}

// TablePages counts the page-table pages of the user space root: its
// PML4 and every table below the user half (the shared window's excepted).
//
//go:nosplit
func TablePages(root uint64) (n uint64) {
	g := lockTables(root)
	n = tablePages(root)
	unlockTables(g)
	return n
}

//go:nosplit
func tablePages(root uint64) (n uint64) {
	n = 1
	t4 := table(root)
	for i := 0; i < kernelHalf; i++ {
		if !isTable(t4[i], 4) {
			continue
		}
		n++
		t3 := table(t4[i])
		for j := range t3 {
			if !isTable(t3[j], 3) || i == 0 && j == windowPDPTIndex {
				continue
			}
			n++
			t2 := table(t3[j])
			for k := range t2 {
				if isTable(t2[k], 2) {
					n++
				}
			}
		}
	}
	return n
}
