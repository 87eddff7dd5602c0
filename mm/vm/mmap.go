package vm

import (
	"sigil/linux"
	"sigil/mm"
)

// MapRequest is an mmap(2) call once its file descriptor is resolved.
type MapRequest struct {
	Addr, Len uintptr
	Prot      uint64 // PROT_* as passed
	Flags     uint64 // MAP_* as passed
	Off       uint64 // file offset, page aligned (the system call checked)
	File      *File  // the file mapped; nil with MAP_ANONYMOUS
}

// File is what mmap needs of an open file description.
type File struct {
	Obj      *Object // the file's pages; nil if the file cannot be mapped
	Readable bool    // opened for reading (FMODE_READ)
	Writable bool    // opened for writing (FMODE_WRITE)
	Append   bool    // an append-only file
	Noexec   bool    // on a tree mounted noexec: never executable (path_noexec)
}

// legacyFlags are the MAP_* flags MAP_SHARED_VALIDATE accepts (Linux's
// LEGACY_MAP_MASK; no file here supports more).
const legacyFlags = linux.MAP_SHARED | linux.MAP_PRIVATE | linux.MAP_FIXED | linux.MAP_ANONYMOUS |
	linux.MAP_DENYWRITE | linux.MAP_EXECUTABLE | linux.MAP_UNINITIALIZED | linux.MAP_GROWSDOWN |
	linux.MAP_LOCKED | linux.MAP_NORESERVE | linux.MAP_POPULATE | linux.MAP_NONBLOCK | linux.MAP_STACK |
	linux.MAP_HUGETLB | linux.MAP_32BIT | 21<<linux.MAP_HUGE_SHIFT | 30<<linux.MAP_HUGE_SHIFT

// Mmap is mmap(2) after the file descriptor: Linux's do_mmap, its checks
// in its order.
func (s *Space) Mmap(r MapRequest) (uintptr, error) {
	if r.Len == 0 {
		return 0, linux.EINVAL
	}
	flags := r.Flags
	if flags&linux.MAP_FIXED_NOREPLACE != 0 {
		flags |= linux.MAP_FIXED
	}
	addr := r.Addr
	if flags&linux.MAP_FIXED == 0 {
		addr &^= pageMask
		if addr != 0 && addr < MinAddr {
			addr = MinAddr // round_hint_to_min
		}
	}
	n := pageUp(r.Len)
	if n == 0 {
		return 0, linux.ENOMEM
	}
	if pg := r.Off / pageSize; pg+uint64(n/pageSize) < pg {
		return 0, linux.EOVERFLOW
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.areas.n > maxAreas {
		return 0, linux.ENOMEM
	}
	addr, err := s.unmappedArea(addr, n, flags, r.File != nil)
	if err != nil {
		return 0, err
	}
	if r.Flags&linux.MAP_FIXED_NOREPLACE != 0 && len(s.areas.overlapping(addr, addr+n)) != 0 {
		return 0, linux.EEXIST
	}
	prot := Prot(r.Prot) & rwx
	af := mayAll
	if flags&linux.MAP_GROWSDOWN != 0 {
		af |= GrowsDown
	}
	if flags&linux.MAP_LOCKED != 0 {
		if !s.lim.Privileged && s.lim.Memlock == 0 {
			return 0, linux.EPERM // can_do_mlock
		}
		af |= Locked
	}
	if af&Locked != 0 && !s.lim.Privileged && s.lim.Memlock != linux.RLIM_INFINITY &&
		s.locked+uint64(n/pageSize) > s.lim.Memlock/pageSize {
		return 0, linux.EAGAIN // mlock_future_check
	}
	var obj *Object
	off := r.Off
	if f := r.File; f != nil {
		switch flags & linux.MAP_TYPE {
		case linux.MAP_SHARED, linux.MAP_SHARED_VALIDATE:
			if flags&linux.MAP_TYPE == linux.MAP_SHARED {
				flags &= legacyFlags // unknown flags ignored, as ever
			}
			if flags&^legacyFlags != 0 {
				return 0, linux.EOPNOTSUPP
			}
			if prot&Write != 0 && !f.Writable {
				return 0, linux.EACCES
			}
			if f.Append && f.Writable {
				return 0, linux.EACCES
			}
			af |= Shared
			if !f.Writable {
				af &^= MayWrite | Shared
				// Linux drops VM_SHARED for a read-only shared file
				// mapping but keeps it shared in maps (VM_MAYSHARE).
				af |= sharedReadOnly
			}
			fallthrough
		case linux.MAP_PRIVATE:
			if !f.Readable {
				return 0, linux.EACCES
			}
			if f.Obj == nil {
				return 0, linux.ENODEV
			}
			if f.Noexec {
				if prot&Exec != 0 {
					return 0, linux.EPERM
				}
				af &^= MayExec
			}
			if af&GrowsDown != 0 {
				return 0, linux.EINVAL
			}
		default:
			return 0, linux.EINVAL
		}
		obj = f.Obj
	} else {
		switch flags & linux.MAP_TYPE {
		case linux.MAP_SHARED:
			if af&GrowsDown != 0 {
				return 0, linux.EINVAL
			}
			af |= Shared
			off = 0
		case linux.MAP_PRIVATE:
			off = 0
		default:
			return 0, linux.EINVAL
		}
	}
	if flags&linux.MAP_NORESERVE != 0 {
		af |= NoReserve
	}
	a, err := s.mapRegion(addr, n, prot, af, obj, off)
	if err != nil {
		return 0, err
	}
	if af&Locked != 0 || flags&(linux.MAP_POPULATE|linux.MAP_NONBLOCK) == linux.MAP_POPULATE {
		s.populate(a.Start, a.End, prot&Write != 0 && af&Shared == 0)
	}
	return addr, nil
}

// mapRegion makes [addr, addr+n) one area, replacing what was there
// (Linux's mmap_region). A shared anonymous mapping gets an object of its
// own.
func (s *Space) mapRegion(addr, n uintptr, prot Prot, f Flags, obj *Object, off uint64) (*Area, error) {
	pages := uint64(n / pageSize)
	if !s.mayExpand(prot, f, pages) && !s.mayExpand(prot, f, pages-s.mappedPages(addr, addr+n)) {
		return nil, linux.ENOMEM
	}
	anonShared := obj == nil && f&Shared != 0
	if anonShared {
		obj = newAnonObject(n)
	}
	if accountable(prot, f, obj) {
		if !s.enoughMemory(pages) {
			return nil, linux.ENOMEM
		}
		f |= Account
	}
	s.unmap(addr, addr+n)
	a := &Area{Start: addr, End: addr + n, Prot: prot, Flags: f, Obj: obj, Off: off}
	if obj != nil {
		obj.maps.Add(1)
	}
	s.link(a)
	if err := s.setRange(a.Start, a.End, a.marker()); err != nil {
		s.unlink(a)
		s.drop(a)
		return nil, err
	}
	s.merge(addr, addr+n)
	return s.areas.find(addr), nil
}

// unmappedArea chooses where a mapping of n bytes goes (Linux's
// get_unmapped_area with x86's arch_get_unmapped_area_topdown): at addr
// with MAP_FIXED; at the hint if it is free; else the highest hole below
// the mmap base, else the lowest above a third of user space. MAP_32BIT
// looks in [1 GiB, 2 GiB).
func (s *Space) unmappedArea(addr, n uintptr, flags uint64, file bool) (uintptr, error) {
	if n > TaskSize {
		return 0, linux.ENOMEM
	}
	switch {
	case flags&linux.MAP_FIXED != 0:
		if addr&pageMask == 0 && addr <= TaskSize-n && s.overlapsWindow(addr, addr+n) {
			return 0, linux.ENOMEM // the kernel's window is in every space
		}
	case flags&linux.MAP_32BIT != 0:
		a, ok := s.lowHole(addr, n, 1<<30, 2<<30)
		if !ok {
			return 0, linux.ENOMEM
		}
		addr = a
	default:
		if addr != 0 && addr <= TaskSize-n && s.free(addr, n) {
			break
		}
		if a, ok := s.areas.highestHole(n, pageSize, s.mmapBase); ok {
			addr = a
			break
		}
		// A failed mmap very likely kills the program: try bottom-up.
		a, ok := s.lowHole(addr, n, unmappedBase, TaskSize)
		if !ok {
			return 0, linux.ENOMEM
		}
		addr = a
	}
	if addr > TaskSize-n {
		return 0, linux.ENOMEM
	}
	if addr&pageMask != 0 {
		return 0, linux.EINVAL
	}
	if addr < MinAddr && !s.lim.Privileged {
		return 0, linux.EPERM // security_mmap_addr without CAP_SYS_RAWIO
	}
	return addr, nil
}

// lowHole is x86's bottom-up placement in [lo, hi): the hint if it is
// free, else the lowest hole.
func (s *Space) lowHole(hint, n, lo, hi uintptr) (uintptr, bool) {
	if hint != 0 {
		hint = pageUp(hint)
		if hi-n >= hint && s.free(hint, n) {
			return hint, true
		}
	}
	return s.areas.lowestHole(n, lo, hi)
}

// free reports whether [addr, addr+n) is clear of every area and of the
// guard gap below a stack.
func (s *Space) free(addr, n uintptr) bool {
	a := s.areas.above(addr)
	return a == nil || addr+n <= a.gapStart()
}

func (s *Space) overlapsWindow(start, end uintptr) bool {
	return start < mm.WindowEnd && end > mm.WindowStart
}

// populate faults in [start, end), for writing if write (MAP_POPULATE,
// MAP_LOCKED); failures are left for the program's own accesses.
func (s *Space) populate(start, end uintptr, write bool) {
	for p := start; p < end; p += pageSize {
		if s.faultLocked(p, access{write: write}) != nil {
			return
		}
	}
}
