package vm

import (
	"sigil/mm"
)

// A file of the in-memory file system keeps its bytes in its object's
// pages, as Linux's tmpfs keeps them in shmem pages (mm/shmem.c): read and
// write copy through the same frames that mappings of the file map, so a
// mapping sees every write and a read sees every store through a shared
// mapping, with no copy to keep coherent.

// ReadAt copies the file's bytes at off into p and returns how many it
// copied: fewer than len(p) only at the end of the file. A hole reads as
// zeroes without taking a frame.
func (o *Object) ReadAt(p []byte, off int64) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if off >= o.size {
		return 0, nil
	}
	p = p[:min(int64(len(p)), o.size-off)]
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		i, in := uint64(pos/mm.PageSize), pos%mm.PageSize
		chunk := p[done:min(len(p), done+int(mm.PageSize-in))]
		_, held := o.pages[i]
		if !held && (o.src == nil || int64(i)*mm.PageSize >= o.srcLen) {
			clear(chunk) // a hole: nothing written there yet
		} else {
			pa, err := o.frameLocked(i)
			if err != nil {
				return done, err
			}
			copy(chunk, (*[mm.PageSize]byte)(mm.Phys(pa))[in:])
		}
		done += len(chunk)
	}
	return done, nil
}

// WriteAt copies p into the file at off, growing it as needed, and
// returns how many bytes it wrote: fewer than len(p) only when memory ran
// out (ErrNoMemory) or the file system's budget is spent (ErrNoSpace),
// after the bytes that fitted.
func (o *Object) WriteAt(p []byte, off int64) (int, error) {
	o.written.Store(true)
	o.mu.Lock()
	defer o.mu.Unlock()
	done := 0
	for done < len(p) {
		pos := off + int64(done)
		i, in := uint64(pos/mm.PageSize), pos%mm.PageSize
		pa, err := o.frameLocked(i)
		if err != nil {
			return done, err
		}
		n := copy((*[mm.PageSize]byte)(mm.Phys(pa))[in:], p[done:])
		done += n
		o.size = max(o.size, pos+int64(n))
	}
	return done, nil
}

// Truncate sets the file's size (ftruncate). Pages wholly past the new end
// leave the object and the tail of a cut page is zeroed, so growing the
// file again reads zeroes there (shmem_setattr). Pages a mapping already
// maps stay mapped until it goes: Linux unmaps them
// (unmap_mapping_range), which needs a reverse map this kernel lacks.
func (o *Object) Truncate(size int64) error {
	o.written.Store(true)
	o.mu.Lock()
	defer o.mu.Unlock()
	if size < o.size {
		keep := uint64((size + mm.PageSize - 1) / mm.PageSize)
		for i, pa := range o.pages {
			if i >= keep {
				o.forgetLocked(i, pa)
			}
		}
		if in := size % mm.PageSize; in != 0 {
			if _, held := o.pages[keep-1]; held || (o.src != nil && size < o.srcLen) {
				pa, err := o.frameLocked(keep - 1)
				if err != nil {
					return err
				}
				clear((*[mm.PageSize]byte)(mm.Phys(pa))[in:])
			}
		}
		o.srcLen = min(o.srcLen, size)
	}
	o.size = size
	return nil
}

// MarkWritten records that the file's pages may be written through a
// shared mapping, so none of them is dropped as a clean copy of src.
func (o *Object) MarkWritten() { o.written.Store(true) }

// Release frees the pages of a deleted file that nothing opens or maps
// any more, and takes the object off the reclaim list. A mapping still
// using the object keeps it whole (the caller checks Mapped).
func (o *Object) Release() {
	caches.Lock()
	for i, c := range caches.list {
		if c == o {
			caches.list = append(caches.list[:i], caches.list[i+1:]...)
			break
		}
	}
	caches.Unlock()
	o.dropAll()
}

// Orphan says the file is gone from every name and open file: its pages
// go now if nothing maps it, else with its last mapping. Either side
// seeing both conditions releases (the flag is set before the count is
// read here, and the count falls before the flag is read in drop).
func (o *Object) Orphan() {
	o.orphaned.Store(true)
	if !o.Mapped() {
		o.Release()
	}
}

// Mapped reports whether an area of some address space uses the object.
func (o *Object) Mapped() bool { return o.maps.Load() > 0 }
