// Package linux holds Linux x86-64 ABI definitions: system-call numbers,
// errno values, signal numbers, auxiliary-vector tags, flag constants and
// the byte layouts of structures exchanged with user space.
//
// It contains definitions only, no semantics. Everything here is usable
// from interrupt and system-call context, where the Go runtime's services
// (allocation, stack growth, maps, panics) are unavailable:
//
//   - values are untyped or typed constants;
//   - name tables are fixed-size arrays of string literals (static data);
//   - structs are plain values with no pointers, slices, maps or interfaces
//     (user addresses are carried as uint64);
//   - functions are //go:nosplit, do not allocate and never panic; an
//     out-of-range argument yields "" (or 0) instead.
//
// Values follow the kernel's UAPI headers (include/uapi, arch/x86/include/uapi)
// as seen by a 64-bit process; file comments name the header each group
// comes from. Struct layouts are pinned by layout_test.go.
package linux
