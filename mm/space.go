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
// callers run them with interrupts off.

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
func NewUserRoot() (uint64, bool) {
	root, ok := AllocZeroed()
	if !ok {
		return 0, false
	}
	pdpt, ok := AllocZeroed()
	if !ok {
		FreeFrame(root)
		return 0, false
	}
	k, t := table(KernelRoot), table(root)
	if k[0]&PTEPresent != 0 {
		table(pdpt)[windowPDPTIndex] = table(k[0])[windowPDPTIndex]
	}
	t[0] = tableEntry(pdpt, true)
	for i := kernelHalf; i < 512; i++ {
		t[i] = k[i]
	}
	return root, true
}

// DestroyUser frees root's user half (frames and tables) and root itself.
func DestroyUser(root uint64) {
	forgetUser()
	t := table(root)
	if t[0]&PTEPresent != 0 {
		table(t[0])[windowPDPTIndex] = 0 // shared: not ours to free
	}
	for i := 0; i < kernelHalf; i++ {
		release(t[i], 4)
		t[i] = 0
	}
	FreeFrame(root)
}

// CopyUser copies the user half of src into the empty user half of dst
// (fork): every present page gets a new frame with the same contents, and
// demand-zero markers are copied as they are.
func CopyUser(dst, src uint64) bool {
	return copyTable(table(dst), table(src), 4, true)
}

func copyTable(d, s *Table, l int, top bool) bool {
	n := 512
	if top {
		n = kernelHalf
	}
	for i := 0; i < n; i++ {
		e := s[i]
		if top && i == 0 {
			// The first PDPT exists in both (window slot): merge into it.
			if !copyPDPT0(d, e) {
				return false
			}
			continue
		}
		ok := copyEntry(&d[i], e, l)
		if !ok {
			return false
		}
	}
	return true
}

func copyPDPT0(d *Table, e uint64) bool {
	if e&PTEPresent == 0 {
		return true
	}
	dt, st := table(d[0]), table(e)
	for j := 0; j < 512; j++ {
		if j == windowPDPTIndex {
			continue
		}
		if !copyEntry(&dt[j], st[j], 3) {
			return false
		}
	}
	return true
}

// copyEntry makes *d a copy of source entry e at level l.
func copyEntry(d *uint64, e uint64, l int) bool {
	switch {
	case e&PTEPresent == 0:
		*d = e // nothing, or a demand-zero marker
	case isTable(e, l):
		pa, ok := AllocZeroed()
		if !ok {
			return false
		}
		*d = pa | e&^pteAddr
		return copyTable(table(pa), table(e), l-1, false)
	case e&PTEAnon != 0 && e&PTEHuge == 0:
		pa, ok := AllocFrame()
		if !ok {
			return false
		}
		*(*[PageSize]byte)(Phys(pa)) = *(*[PageSize]byte)(Phys(e & pteAddr))
		*d = pa | e&^pteAddr
	default:
		*d = e // a mapping the tables do not own
	}
	return true
}

// Protect changes the permissions of every page in [va, end) of a user
// address space to prot (PTEWrite, PTENX): present pages and demand-zero
// markers alike. Unmapped pages stay unmapped. It returns whether present
// pages changed (the TLB then needs flushing).
func Protect(root uint64, va, end uintptr, prot uint64) (changed bool, ok bool) {
	forgetUser()
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
		if *e&PTEPresent != 0 {
			changed = true
		}
		if *e != 0 {
			*e = *e&^permBits | prot&permBits | PTEUser
		}
		va = next(va, l)
	}
	return changed, true
}
