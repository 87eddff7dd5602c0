package mm

import "sigil/arch"

// Tearing down a user space area by area, as Linux's exit_mmap does with
// its VMAs: only the entries the areas cover are visited, not every entry
// of every table, and the tables, all zero by then, go to the zeroed list
// for the next space's tables. Every non-zero entry of a user space lies
// in one of its areas (the areas say what the tables may map, and
// unmapping clears), which is what makes this complete; FreeRoot checks
// what is left anyway.

// Clear zeroes every entry of [va, end) of the user space root, at every
// level, dropping the references of present pages, and frees no table.
//
//go:nosplit
func Clear(root uint64, va, end uintptr) {
	g := lockTables(root)
	forgetUser(root)
	g.clear(root, va, end)
	unlockTables(g)
}

//go:nosplit
func (g *gather) clear(root uint64, va, end uintptr) {
	t4 := table(root)
	for a := va; a < end; a = nextBefore(a, 4, end) {
		e4 := &t4[index(a, 4)]
		if !isTable(*e4, 4) {
			continue // PML4 entries hold tables or nothing
		}
		t3, end4 := table(*e4), nextBefore(a, 4, end)
		for b := a; b < end4; b = nextBefore(b, 3, end4) {
			if index(b, 4) == 0 && index(b, 3) == windowPDPTIndex {
				continue // the shared window, in no area
			}
			e3 := &t3[index(b, 3)]
			if !isTable(*e3, 3) {
				*e3 = 0 // a marker within the area, or nothing
				continue
			}
			t2, end3 := table(*e3), nextBefore(b, 3, end4)
			for c := b; c < end3; c = nextBefore(c, 2, end3) {
				e2 := &t2[index(c, 2)]
				if !isTable(*e2, 2) {
					*e2 = 0
					continue
				}
				t1, end2 := table(*e2), nextBefore(c, 2, end3)
				for i, n := index(c, 1), int((end2-c)/PageSize); n > 0; i, n = i+1, n-1 {
					if e := t1[i]; e&PTEPresent != 0 {
						g.leaf(e)
					}
					t1[i] = 0
				}
			}
		}
	}
}

// FreeTables frees the page-table pages of level l (1: page tables, 2:
// page directories, 3: PDPTs) that the entries of level l+1 under [va,
// end) of the user space root point to. Each must be all zero: Clear has
// run over every area, and FreeTables over every area at the levels
// below. They go to the zeroed list.
//
//go:nosplit
func FreeTables(root uint64, va, end uintptr, l int) {
	g := lockTables(root)
	for a := va; a < end; a = nextBefore(a, l+1, end) {
		e := walkExisting(root, a, l+1)
		if e == nil || !isTable(*e, l+1) {
			continue
		}
		if l == 3 && index(a, 4) == 0 {
			table(*e)[windowPDPTIndex] = 0 // the shared window: not ours
		}
		g.add(*e&pteAddr, fateZeroed)
		*e = 0
	}
	unlockTables(g)
}

// walkExisting returns the level-l entry for va if the tables above it
// exist, else nil.
//
//go:nosplit
func walkExisting(root uint64, va uintptr, l int) *uint64 {
	t := table(root)
	for k := 4; ; k-- {
		e := &t[index(va, k)]
		if k == l {
			return e
		}
		if !isTable(*e, k) {
			return nil
		}
		t = table(*e)
	}
}

// FreeRoot frees the user space root, all zero then (to the zeroed list,
// for the next space's root), first moving this CPU to the
// kernel's root if root is loaded, and every other CPU that has it
// loaded (lazily: none runs its user code any more) by a shootdown. Whatever is still under the user half
// is released the long way, visiting every entry: nothing, after Clear
// and FreeTables have emptied it area by area; everything, for a space
// torn down without its areas.
//
//go:nosplit
func FreeRoot(root uint64) {
	g := lockTables(root)
	forgetUser(root)
	if cpu := arch.This(); cpu.Root == root {
		cpu.SetRoot(KernelRoot)
		arch.SetCR3(KernelRoot)
	}
	shootdown(root)
	t := table(root)
	if isTable(t[0], 4) {
		table(t[0])[windowPDPTIndex] = 0
	}
	for i := 0; i < kernelHalf; i += 8 {
		if t[i]|t[i+1]|t[i+2]|t[i+3]|t[i+4]|t[i+5]|t[i+6]|t[i+7] == 0 {
			continue // eight at a time (kernelHalf is a multiple): after Clear and FreeTables, all are zero
		}
		for j := i; j < i+8; j++ {
			if t[j] != 0 {
				g.release(t[j], 4)
				t[j] = 0
			}
		}
	}
	clear(t[kernelHalf:]) // the kernel's entries, copied in by NewUserRoot
	g.add(root, fateZeroed)
	unlockTables(g)
}

const _ = -uint(kernelHalf % 8) // FreeRoot scans eight entries at a time
