package vm

import (
	"sync/atomic"

	"sigil/mm"
)

// Committed memory: the pages every address space could write without a
// page of its own yet (private writable and shared anonymous mappings),
// Linux's Committed_AS, and the policy that decides whether more may be
// committed: Linux's vm.overcommit_memory (mm/util.c, __vm_enough_memory).
var committed atomic.Int64

// Overcommit policies (vm.overcommit_memory).
const (
	OvercommitGuess  = 0 // heuristic: refuse only a request larger than memory (Linux's default)
	OvercommitAlways = 1 // never refuse
	OvercommitNever  = 2 // refuse beyond CommitLimit
)

var overcommit struct {
	mode  atomic.Int32
	ratio atomic.Int32 // vm.overcommit_ratio, percent of memory CommitLimit allows
}

func init() { overcommit.ratio.Store(50) }

// SetOvercommit sets vm.overcommit_memory (0, 1 or 2) and, if ratio >= 0,
// vm.overcommit_ratio; it reports false for a mode Linux does not have.
func SetOvercommit(mode, ratio int) bool {
	if mode < OvercommitGuess || mode > OvercommitNever {
		return false
	}
	overcommit.mode.Store(int32(mode))
	if ratio >= 0 {
		overcommit.ratio.Store(int32(ratio))
	}
	return true
}

// Overcommit returns vm.overcommit_memory.
func Overcommit() int { return int(overcommit.mode.Load()) }

// commit adds n pages (a negative n, as a wrapped uint64, removes them).
func commit(n uint64) { committed.Add(int64(n)) }

// Committed returns the committed memory in pages.
func Committed() uint64 { return uint64(max(committed.Load(), 0)) }

// CommitLimit returns Linux's CommitLimit without swap: memory times
// vm.overcommit_ratio. Only OvercommitNever enforces it.
func CommitLimit() uint64 { return totalPages() * uint64(overcommit.ratio.Load()) / 100 }

// totalPages is Linux's totalram_pages: every frame the allocator was
// given, and the initrd's, whose files live in memory.
func totalPages() uint64 { return mm.Stats().Total }

// enoughMemory reports whether pages more may be committed by a space
// that maps total pages (Linux's __vm_enough_memory for a root process).
func enoughMemory(pages, total uint64) bool {
	switch overcommit.mode.Load() {
	case OvercommitAlways:
		return true
	case OvercommitGuess:
		return pages <= totalPages()
	}
	// Keep room for the user to recover: a thirty-second of the
	// process's size, up to 3% of memory or 128 MiB
	// (sysctl_user_reserve_kbytes).
	reserve := min(totalPages()*3/100, 128<<20/pageSize)
	allowed := CommitLimit() - min(CommitLimit(), min(total/32, reserve))
	return Committed()+pages < allowed
}

// enoughMemory is enoughMemory for s.
func (s *Space) enoughMemory(pages uint64) bool { return enoughMemory(pages, s.total) }
