package sched

import "unsafe"

func idleLoop()
func idleLoopAddr() uintptr

var (
	idleStack [8 << 10]byte
	// idleTLS is the idle thread's TLS block: every entry's Go ABI wrapper
	// loads g from FS:-8, so FS must point at readable memory; g is nil.
	idleTLS [2]uintptr
)

// InitIdle sets up the scheduler with the idle loop on its own stack.
//
//go:nosplit
func InitIdle() {
	top := (uintptr(unsafe.Pointer(&idleStack[0])) + uintptr(len(idleStack))) &^ 15
	Init(uint64(idleLoopAddr()), uint64(top))
	threads[idleSlot].FSBase = KernelTLS()
}
