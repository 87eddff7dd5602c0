package vm

import (
	"sync/atomic"

	"sigil/mm"
)

// Committed memory: the pages every address space could write without a
// page of its own yet (private writable and shared anonymous mappings),
// Linux's Committed_AS. The kernel overcommits heuristically, as Linux
// does by default (vm.overcommit_memory = 0): only a single request larger
// than all of memory is refused; running out later is the OOM killer's
// business.
var committed atomic.Int64

// commit adds n pages (a negative n, as a wrapped uint64, removes them).
func commit(n uint64) { committed.Add(int64(n)) }

// Committed returns the committed memory in pages.
func Committed() uint64 { return uint64(max(committed.Load(), 0)) }

// CommitLimit returns Linux's CommitLimit without swap: half of memory
// (vm.overcommit_ratio = 50). It is reported, not enforced, in heuristic
// mode.
func CommitLimit() uint64 { return mm.Stats().Total / 2 }

// enoughMemory is Linux's __vm_enough_memory in heuristic mode: a request
// for more pages than the machine has is refused.
func enoughMemory(pages uint64) bool { return pages <= mm.Stats().Total }
