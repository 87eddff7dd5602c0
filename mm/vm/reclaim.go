package vm

import (
	"runtime/debug"
	"sync"
	"time"

	"sigil/mm"
)

// Memory pressure. User memory and the kernel's own runtime draw on the
// same frames: user memory stops at the kernel's reserve (mm), and the
// runtime is told, through its soft memory limit, how much it may hold,
// so that its collector works harder, and returns freed heap sooner, as
// user memory grows.

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
	setKernelLimit()
}

// WatchPressure keeps the kernel runtime's memory limit in step with the
// frames user memory leaves it, ten times a second. Run it in a goroutine
// of its own.
func WatchPressure() {
	for range time.Tick(100 * time.Millisecond) {
		setKernelLimit()
	}
}

// setKernelLimit sets the runtime's limit to the frames the kernel holds
// now plus the free frames above the reserve (and a margin for page
// tables): mm.KernelLimit's rule, as memory is now. Frames, not the
// runtime's own view, which counts memory it mapped and never touched.
func setKernelLimit() {
	var st mm.FrameStats
	withIRQsOff(func() { st = mm.Stats() })
	debug.SetMemoryLimit(int64(mm.KernelLimit(st.Total, st.Free, st.ByKind[mm.KindKernel]*mm.PageSize)))
}
