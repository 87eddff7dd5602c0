package mm

import "testing"

func TestArenaReuse(t *testing.T) {
	const base, size = 1 << 40, 1 << 30
	a := NewArena(base, base+size)
	x, ok := a.Alloc(64<<20, 0)
	if !ok || x != base {
		t.Fatalf("first Alloc = %#x %v", x, ok)
	}
	// The runtime's hint dance: a refused hint is unmapped and the next
	// reservation gets the same addresses back.
	a.Free(x, 64<<20)
	if y, _ := a.Alloc(64<<20, 0); y != x {
		t.Errorf("freed range not reused: %#x, want %#x", y, x)
	}
	// A free hint is honoured; a taken one is not.
	h := uint64(base + 512<<20)
	if z, _ := a.Alloc(1<<20, h); z != h {
		t.Errorf("free hint not honoured: %#x", z)
	}
	if z, _ := a.Alloc(1<<20, h); z == h {
		t.Error("hint honoured twice")
	}
	// Trimming a reservation (sysReserveAligned) leaves one free range
	// per hole, and freeing everything coalesces back to one.
	a = NewArena(base, base+size)
	r, _ := a.Alloc(128<<20, 0)
	a.Free(r, 10<<20)
	a.Free(r+74<<20, 54<<20)
	if a.Ranges() != 2 {
		t.Errorf("%d free ranges after trimming, want 2", a.Ranges())
	}
	a.Free(r+10<<20, 64<<20)
	if a.Ranges() != 1 || a.FreeBytes() != size {
		t.Errorf("after freeing all: %d ranges, %#x bytes", a.Ranges(), a.FreeBytes())
	}
	// MAP_FIXED over free space claims it.
	a.Claim(base+4096, 8192)
	if a.Take(base+4096, 4096) || a.FreeBytes() != size-8192 {
		t.Error("Claim left the range free")
	}
	if KernelLimit(1000, 10, 0) != 8<<20 || KernelLimit(1000, 10, 20<<20) != 20<<20 {
		t.Error("no room: the limit is what the runtime holds, at least 8 MiB")
	}
}

// FuzzArena checks the arena against a page bitmap: no page is handed out
// twice, freed pages come back, and free space is never lost while the
// table has room.
func FuzzArena(f *testing.F) {
	f.Add([]byte{0, 5, 0, 1, 3, 2, 0, 9})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const pages = 256
		const base = 1 << 30
		a := NewArena(base, base+pages*PageSize)
		var used [pages]bool
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i]%4, uint64(ops[i+1])
			switch op {
			case 0, 1: // Alloc, with or without a hint
				n := arg%16 + 1
				hint := uint64(0)
				if op == 1 {
					hint = base + (arg*7%pages)*PageSize
				}
				addr, ok := a.Alloc(n*PageSize, hint)
				if !ok {
					continue
				}
				p := (addr - base) / PageSize
				if addr%PageSize != 0 || addr < base || p+n > pages {
					t.Fatalf("Alloc(%d) = %#x outside the arena", n, addr)
				}
				if op == 1 && hint+n*PageSize <= base+pages*PageSize {
					free := true
					for j := (hint - base) / PageSize; j < (hint-base)/PageSize+n; j++ {
						free = free && !used[j]
					}
					if free && addr != hint {
						t.Fatalf("free hint %#x not honoured (got %#x)", hint, addr)
					}
				}
				for j := p; j < p+n; j++ {
					if used[j] {
						t.Fatalf("page %d handed out twice", j)
					}
					used[j] = true
				}
			case 2: // Free
				p, n := arg%pages, arg%9+1
				n = min(n, pages-p)
				a.Free(base+p*PageSize, n*PageSize)
				for j := p; j < p+n; j++ {
					used[j] = false
				}
			case 3: // Claim (MAP_FIXED)
				p, n := arg*3%pages, arg%5+1
				n = min(n, pages-p)
				a.Claim(base+p*PageSize, n*PageSize)
				for j := p; j < p+n; j++ {
					used[j] = true
				}
			}
			free := uint64(0)
			for _, u := range used {
				if !u {
					free++
				}
			}
			if got := a.FreeBytes() + a.Lost; got != free*PageSize {
				t.Fatalf("arena has %#x free bytes (+%#x lost), model %#x", a.FreeBytes(), a.Lost, free*PageSize)
			}
		}
	})
}
