package task

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm"
	"sigil/signal"
)

// The system-wide task limit (Linux's threads-max, kernel/fork.c): the
// kernel memory each thread costs (its goroutine's stack, its structures,
// its share of page tables) may take a small part of memory, an eighth of
// it at 16 KiB per thread as Linux reckons. clone and fork beyond it fail
// with EAGAIN. RLIMIT_NPROC starts at half of it, as Linux sets init's;
// Linux does not apply it to root (CAP_SYS_RESOURCE), and every process
// here runs as root.
var tasks struct {
	n       atomic.Int32 // user threads alive
	maxOnce sync.Once
	max     int32
}

const threadCost = 16 << 10 // Linux's THREAD_SIZE on x86-64

// threadsMax returns the limit, computed from memory on first use.
func threadsMax() int32 {
	tasks.maxOnce.Do(func() {
		n := mm.Stats().Total * mm.PageSize / (threadCost * 8)
		tasks.max = int32(min(max(n, 20), 1<<22)) // MIN_THREADS, FUTEX_TID_MASK
	})
	return tasks.max
}

// startTask counts a new thread, or refuses it with EAGAIN.
func startTask() error {
	if tasks.n.Add(1) > threadsMax() {
		tasks.n.Add(-1)
		return linux.EAGAIN
	}
	return nil
}

// endTask uncounts a thread that ended or was never started.
func endTask() { tasks.n.Add(-1) }

// KernelMemory reports whether the kernel may allocate n more bytes for
// t's process (a thread's structures and stack, pipe buffers): kernel
// memory spent for users comes out of the frames above the kernel's
// reserve, as user memory does, so that no user can eat into what the
// kernel keeps for itself. When there are none, it reclaims (and may
// kill), as a page fault would, and looks once more.
func (t *Thread) KernelMemory(n int) bool {
	need := uint64(n+pageSize-1) / pageSize
	for try := 0; ; try++ {
		if mm.UserFree() > need {
			return true
		}
		if try == 1 || !outOfMemory(t.p.as) {
			return false
		}
	}
}

// ExceedFileSize is file.Caller's: a write reached RLIMIT_FSIZE, and the
// caller gets SIGXFSZ (as generic_write_check_limits sends it).
func (t *Thread) ExceedFileSize() {
	t.p.send(t, signal.Info(int(linux.SIGXFSZ), linux.SI_USER))
}
