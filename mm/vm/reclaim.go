package vm

import (
	"runtime/debug"
	"sync"
	"time"

	"sigil/mm"
)

// Reclaim tries to make room for user memory that found none, as Linux's
// direct reclaim does: it drops file pages nothing maps (their files can
// give them again), then has the kernel's own runtime collect and return
// its free heap. It reports whether user memory has room again.
func Reclaim() bool {
	if ReclaimCaches() > 0 && userRoom() {
		return true
	}
	freeKernelHeap()
	return userRoom()
}

func userRoom() (ok bool) {
	withIRQsOff(func() { ok = mm.UserFree() > 0 })
	return ok
}

// kernelHeap rate-limits forced collections: each stops the kernel's
// world, and a program that keeps running memory out would otherwise
// turn every page fault into one.
var kernelHeap struct {
	sync.Mutex
	last time.Time
}

func freeKernelHeap() {
	kernelHeap.Lock()
	defer kernelHeap.Unlock()
	if time.Since(kernelHeap.last) < 100*time.Millisecond {
		return
	}
	debug.FreeOSMemory()
	kernelHeap.last = time.Now()
}
