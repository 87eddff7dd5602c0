package intr

import "unsafe"

// ptrOf and funcAt carry a *func() through an atomic word (calls). The
// pointee stays reachable through the caller, who waits for the call.
//
//go:nosplit
func ptrOf(f *func()) unsafe.Pointer { return unsafe.Pointer(f) }

//go:nosplit
func funcAt(p uintptr) *func() { return (*func())(unsafe.Add(unsafe.Pointer(nil), p)) }
