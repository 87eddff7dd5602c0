package task

import (
	"fmt"
	"sync"
	"time"

	"sigil/linux"
	"sigil/mm/vm"
)

// Running out of memory, as Linux's page allocator and OOM killer do
// (mm/page_alloc.c, mm/oom_kill.c). User memory stops at the kernel's
// reserve; an access that finds no frame first reclaims (vm.Reclaim:
// clean file pages, the kernel runtime's free heap) and, when that frees
// nothing, the process with the most memory is killed with SIGKILL —
// never init — and the access waits for its memory to come back.

var oom sync.Mutex // one decision at a time

// oomWait bounds the wait for a victim's memory: a victim whose memory
// another process still shares frees nothing, and the next decision
// picks again.
const oomWait = 2 * time.Second

// outOfMemory is called when an access to as found no free frame. It
// reports whether to try the access again: not when as belongs to a
// process that was chosen to die, nor when nothing could be freed.
func outOfMemory(as *AddressSpace) bool {
	if as.victim.Load() {
		return false
	}
	oom.Lock()
	defer oom.Unlock()
	if as.victim.Load() {
		return false
	}
	if vm.Reclaim() {
		return true
	}
	v := oomVictim()
	if v == nil {
		return false
	}
	v.p.mu.Lock()
	vas := v.p.as
	v.p.mu.Unlock()
	if vas == nil {
		return true // it exited meanwhile
	}
	vas.victim.Store(true)
	fmt.Printf("<3>sigil: out of memory: killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, file-rss:%dkB, shmem-rss:%dkB, pgtables:%dkB\n",
		v.p.PID, v.comm, v.st.Size, v.st.RSSAnon, v.st.RSSFile, v.st.RSSShmem, v.st.PTE)
	v.p.kill(signaledStatus(int(linux.SIGKILL)))
	select {
	case <-vas.freed:
	case <-time.After(oomWait):
	}
	return !as.victim.Load()
}

type oomCandidate struct {
	p    *Process
	comm string
	st   vm.Status
}

// oomVictim picks the process whose death frees the most memory (Linux's
// oom_badness: resident pages and page tables), leaving out init and
// processes already on their way out.
func oomVictim() *oomCandidate {
	var best *oomCandidate
	var bestScore uint64
	for _, p := range unordered() {
		p.mu.Lock()
		as, comm, out := p.as, p.comm, p.exiting || p.zombie
		p.mu.Unlock()
		if p.PID == 1 || out || as == nil || as.victim.Load() {
			continue
		}
		st := as.Status()
		if score := st.RSS + st.PTE; best == nil || score > bestScore {
			best, bestScore = &oomCandidate{p: p, comm: comm, st: st}, score
		}
	}
	return best
}
