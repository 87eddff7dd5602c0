package proc

import "unsafe"

func idleLoop()
func idleLoopAddr() uintptr

var idleStack [8 << 10]byte

// InitIdle sets up the scheduler with the idle loop on its own stack.
//
//go:nosplit
func InitIdle() {
	top := (uintptr(unsafe.Pointer(&idleStack[0])) + uintptr(len(idleStack))) &^ 15
	Init(uint64(idleLoopAddr()), uint64(top))
}
