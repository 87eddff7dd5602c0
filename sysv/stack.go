// Package sysv builds the initial process stack of the System V AMD64 ABI.
// The kernel's boot code uses it (before the Go runtime runs, so it does not
// allocate) to start the Go runtime, and execve uses it to start user
// programs. Hardware-free.
package sysv

import "unsafe"

// The initial process stack the Go runtime's linux/amd64 entry point expects
// (System V AMD64 ABI §3.4.1, Figure 3.9): at RSP argc, then argv pointers
// and a NULL, envp pointers and a NULL, auxiliary vector pairs ending in
// AT_NULL; the strings and AT_RANDOM's bytes sit above.

// stackWriter fills a memory region top-down. addr is the address buf[0]
// will have when used (the same as &buf[0] on the machine; a host test uses
// a fake one).
type stackWriter struct {
	buf  []byte
	addr uint64
	pos  int // next free byte is below pos
	ok   bool
}

func (w *stackWriter) at() uint64 { return w.addr + uint64(w.pos) }

func (w *stackWriter) bytes(b string) uint64 {
	if w.pos < len(b)+1 {
		w.ok = false
		return 0
	}
	w.pos -= len(b) + 1
	copy(w.buf[w.pos:], b)
	w.buf[w.pos+len(b)] = 0
	return w.at()
}

func (w *stackWriter) raw(b []byte) uint64 {
	if w.pos < len(b) {
		w.ok = false
		return 0
	}
	w.pos -= len(b)
	copy(w.buf[w.pos:], b)
	return w.at()
}

func (w *stackWriter) word(v uint64) {
	if w.pos < 8 {
		w.ok = false
		return
	}
	w.pos -= 8
	*(*uint64)(unsafe.Pointer(&w.buf[w.pos])) = v
}

// Aux is one auxiliary vector entry; string-valued entries give Str and get
// a pointer to it.
type Aux struct {
	Type uint64
	Val  uint64
	Str  string
}

// MaxWords bounds argv, envp and auxv together (no allocation before the
// runtime starts, so pointers are staged in a fixed array).
const MaxWords = 96

// Areas are where the argument and environment strings lie, each block
// contiguous and in order as Linux lays them out (mm->arg_start..arg_end,
// env_start..env_end: what /proc/PID/cmdline and environ read).
type Areas struct{ ArgStart, ArgEnd, EnvStart, EnvEnd uint64 }

// BuildStack lays out argv, envp and auxv (with random as AT_RANDOM's 16
// bytes) in buf, whose first byte will live at address addr, and returns the
// initial RSP, 16-byte aligned, or 0 if buf is too small or there are too
// many words, and where the strings went.
func BuildStack(buf []byte, addr uint64, argv, envp []string, auxv []Aux, random [16]byte) (uint64, Areas) {
	w := stackWriter{buf: buf, addr: addr, pos: len(buf), ok: true}
	var argp, envpp [MaxWords]uint64
	var auxp [MaxWords]uint64
	if len(argv)+len(envp)+2*len(auxv)+8 > MaxWords {
		return 0, Areas{}
	}
	// Top down, last first: argv's strings then envp's in ascending order.
	var a Areas
	a.EnvEnd = w.at()
	for i := len(envp) - 1; i >= 0; i-- {
		envpp[i] = w.bytes(envp[i])
	}
	a.EnvStart, a.ArgEnd = w.at(), w.at()
	for i := len(argv) - 1; i >= 0; i-- {
		argp[i] = w.bytes(argv[i])
	}
	a.ArgStart = w.at()
	for i, a := range auxv {
		auxp[i] = a.Val
		if a.Str != "" {
			auxp[i] = w.bytes(a.Str)
		}
	}
	rnd := w.raw(random[:])
	// Align so that RSP ends 16-byte aligned: count the words still to come.
	words := 1 + len(argv) + 1 + len(envp) + 1 + 2*(len(auxv)+2)
	w.pos = int((w.at()-uint64(words*8))&^15 - w.addr + uint64(words*8))
	if w.pos < 0 || w.pos > len(buf) {
		return 0, Areas{}
	}
	w.word(0) // AT_NULL
	w.word(0)
	w.word(rnd)
	w.word(25) // AT_RANDOM
	for i := len(auxv) - 1; i >= 0; i-- {
		w.word(auxp[i])
		w.word(auxv[i].Type)
	}
	w.word(0)
	for i := len(envp) - 1; i >= 0; i-- {
		w.word(envpp[i])
	}
	w.word(0)
	for i := len(argv) - 1; i >= 0; i-- {
		w.word(argp[i])
	}
	w.word(uint64(len(argv)))
	if !w.ok {
		return 0, Areas{}
	}
	return w.at(), a
}
