package vm

import (
	"errors"
	"sync"
	"sync/atomic"

	"sigil/mm"
)

// Object is memory that mappings share, indexed by page: a file's page
// cache, or the memory of a shared anonymous mapping (Linux's shmem). The
// object holds one reference on each of its frames; each page-table entry
// that maps one holds another. A private mapping of an object maps its
// pages read-only and copies a page on the first write.
//
// A file system gives each file at most one object (its page cache), so
// every mapping of the file sees the same pages. The in-memory file
// system keeps its files' data there (as Linux's tmpfs keeps it in shmem
// pages), so read, write and mappings all see one copy (file.go).
type Object struct {
	src      Source       // where pages come from; nil: zeroes (shared anonymous)
	kind     mm.Kind      // KindCache or KindShmem
	maps     atomic.Int32 // areas using the object, in any address space
	written  atomic.Bool  // pages may differ from src: none can be dropped
	anon     bool         // shared anonymous memory: its pages go with its last mapping
	orphaned atomic.Bool  // a file gone from every name and open file (Orphan)
	Name     string       // what /proc/PID/maps shows
	Dev      uint64       // device and inode, for /proc/PID/maps
	Ino      uint64

	budget *Budget // the file system's page budget; nil: none

	mu      sync.Mutex          // guards size, srcLen, pages and charged
	size    int64               // bytes; a page wholly beyond it is SIGBUS
	srcLen  int64               // bytes of src still the file's (truncation cuts it)
	pages   map[uint64]uint64   // page index → frame
	charged map[uint64]struct{} // pages taken from budget (frames of the object's own)
}

// Budget is how many pages the files of one file system may hold, as a
// tmpfs's size= limits it (shmem_inode_acct_block): a page past it is
// ENOSPC for a write and SIGBUS for a fault.
type Budget struct {
	used  atomic.Int64
	Limit atomic.Int64 // pages; 0: no limit
}

// Used returns the pages the file system's files hold.
func (b *Budget) Used() int64 { return b.used.Load() }

func (b *Budget) take() bool {
	if n := b.used.Add(1); b.Limit.Load() > 0 && n > b.Limit.Load() {
		b.used.Add(-1)
		return false
	}
	return true
}

// Source fills a file object's pages.
type Source interface {
	// ReadAt reads the file's bytes at off, as io.ReaderAt.
	ReadAt(p []byte, off int64) (int, error)
}

// FrameSource is a Source whose whole pages may already lie in memory,
// page aligned (an initrd file WriteCPIO aligned): the object maps that
// memory itself instead of a copy.
type FrameSource interface {
	Source
	// Frame returns the physical frame holding the file's page i, if
	// the whole page is the file's.
	Frame(i uint64) (pa uint64, ok bool)
}

// NewFileObject returns the page cache of a file of size bytes read from
// src.
func NewFileObject(src Source, size int64, name string, dev, ino uint64, budget *Budget) *Object {
	o := &Object{src: src, size: size, srcLen: size, kind: mm.KindCache, Name: name, Dev: dev, Ino: ino,
		pages: map[uint64]uint64{}, budget: budget}
	caches.Lock()
	caches.list = append(caches.list, o)
	caches.Unlock()
	return o
}

// caches lists every file's page cache, for reclaim; Release takes a
// deleted file's object off it.
var caches struct {
	sync.Mutex
	list []*Object
}

// ReclaimCaches drops the file pages that nothing maps and the file can
// give again, and returns how many it dropped: the first thing the
// kernel does when memory runs short.
func ReclaimCaches() int {
	caches.Lock()
	list := caches.list
	caches.Unlock()
	n := 0
	for _, o := range list {
		n += o.Reclaim()
	}
	return n
}

// newAnonObject returns the memory of a shared anonymous mapping of size
// bytes (Linux names it "/dev/zero (deleted)").
func newAnonObject(size uintptr) *Object {
	return &Object{size: int64(size), kind: mm.KindShmem, Name: "/dev/zero (deleted)",
		pages: map[uint64]uint64{}, anon: true}
}

// Size returns the object's size in bytes.
func (o *Object) Size() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.size
}

var (
	errBeyondEOF = errors.New("page beyond the end of the object")
	errNoMemory  = errors.New("no memory")
	errNoSpace   = errors.New("the file system's budget is spent")
)

// page returns the frame of page i with a reference for the caller,
// filling it first if the object does not have it yet.
func (o *Object) page(i uint64) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if int64(i) >= (o.size+mm.PageSize-1)/mm.PageSize {
		return 0, errBeyondEOF
	}
	pa, err := o.frameLocked(i)
	if err == nil {
		withIRQsOff(func() { mm.Ref(pa) })
	}
	return pa, err
}

// frameLocked returns the frame of page i, filling it from src (or with
// zeroes) when the object does not hold it yet. o.mu is held.
func (o *Object) frameLocked(i uint64) (uint64, error) {
	if pa, ok := o.pages[i]; ok {
		return pa, nil
	}
	if pa, ok := o.borrowed(i); ok {
		withIRQsOff(func() { mm.Adopt(pa, o.kind) }) // the object's reference, for good
		o.pages[i] = pa
		return pa, nil
	}
	if o.budget != nil && !o.budget.take() {
		return 0, errNoSpace
	}
	pa, ok := allocFrame(o.kind)
	if !ok {
		if o.budget != nil {
			o.budget.used.Add(-1)
		}
		return 0, errNoMemory
	}
	buf := (*[mm.PageSize]byte)(mm.Phys(pa))
	clear(buf[:])
	// Bytes past the end of the file's source read as zero (the tail of
	// the last page, and whatever a write or truncation added).
	if n := min(mm.PageSize, o.srcLen-int64(i)*mm.PageSize); o.src != nil && n > 0 {
		if _, err := o.src.ReadAt(buf[:n], int64(i)*mm.PageSize); err != nil {
			withIRQsOff(func() { mm.FreeFrame(pa) })
			if o.budget != nil {
				o.budget.used.Add(-1)
			}
			return 0, err
		}
	}
	if o.budget != nil {
		if o.charged == nil {
			o.charged = map[uint64]struct{}{}
		}
		o.charged[i] = struct{}{}
	}
	o.pages[i] = pa
	return pa, nil
}

// borrowed returns the frame of page i in the file's own memory, if it
// has one.
func (o *Object) borrowed(i uint64) (uint64, bool) {
	if f, ok := o.src.(FrameSource); ok && int64(i+1)*mm.PageSize <= o.srcLen {
		return f.Frame(i)
	}
	return 0, false
}

// forgetLocked drops page i (frame pa) from the object: its reference
// goes, and a page charged to the budget is given back. o.mu is held.
func (o *Object) forgetLocked(i, pa uint64) {
	withIRQsOff(func() { mm.Unref(pa) })
	delete(o.pages, i)
	if _, ok := o.charged[i]; ok {
		delete(o.charged, i)
		o.budget.used.Add(-1)
	}
}

// cached reports whether the object holds page i (mincore).
func (o *Object) cached(i uint64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.pages[i]
	return ok
}

// Resident returns the number of pages the object holds.
func (o *Object) Resident() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pages)
}

// dropAll releases every page: the last mapping of shared anonymous
// memory is gone.
func (o *Object) dropAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, pa := range o.pages {
		o.forgetLocked(i, pa)
	}
}

// Reclaim drops the pages only the object holds and its source can give
// again (a file's clean pages), and returns how many it dropped.
func (o *Object) Reclaim() int {
	if o.src == nil || o.written.Load() {
		return 0 // shared anonymous memory, or written: no other copy
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for i, pa := range o.pages {
		if b, ok := o.borrowed(i); ok && b == pa {
			continue // the file's own memory: nothing to gain
		}
		var only bool
		withIRQsOff(func() { only = mm.Refs(pa) == 1 })
		if only {
			o.forgetLocked(i, pa)
			n++
		}
	}
	return n
}

// allocFrame takes a frame of kind k for user memory.
func allocFrame(k mm.Kind) (pa uint64, ok bool) {
	withIRQsOff(func() { pa, ok = mm.AllocFrame(k) })
	return
}

// withIRQsOff runs a section of page-table changes with interrupts off (mm.WithIRQsOff).
func withIRQsOff(f func()) { mm.WithIRQsOff(f) }

// punch drops pages [from, to) of shared anonymous memory (MADV_REMOVE):
// they read as zero next time.
func (o *Object) punch(from, to uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, pa := range o.pages {
		if i >= from && i < to {
			o.forgetLocked(i, pa)
		}
	}
}

// MappedCachePages counts the file pages some page table maps
// (/proc/meminfo's Mapped): those with a reference beyond the cache's.
func MappedCachePages() uint64 {
	caches.Lock()
	list := caches.list
	caches.Unlock()
	var n uint64
	for _, o := range list {
		o.mu.Lock()
		for _, pa := range o.pages {
			if mm.Refs(pa) > 1 {
				n++
			}
		}
		o.mu.Unlock()
	}
	return n
}
