// Command gopanic recovers from an integer divide by zero (a real IDIV: the
// compiler would check a Go division itself) and a nil dereference: the CPU
// fault becomes SIGFPE or SIGSEGV, the Go runtime's
// handler reads the frame Sigil built (si_code, si_addr, the saved RIP and
// RSP), rewrites it to call sigpanic, and rt_sigreturn takes it there. It
// exits 0 when both came back as runtime errors.
package main

import (
	"fmt"
	"os"
)

var zero int64 = 0

func idiv(a, b int64) int64 // idiv_amd64.s

type node struct{ next *node }

var nilNode *node

func try(name string, f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func main() {
	a := try("divide", func() { fmt.Println(idiv(1, zero)) })
	b := try("nil", func() { fmt.Println(nilNode.next) })
	fmt.Printf("gopanic: divide: %s\n", a)
	fmt.Printf("gopanic: nil: %s\n", b)
	if a != "runtime error: integer divide by zero" ||
		b != "runtime error: invalid memory address or nil pointer dereference" {
		os.Exit(1)
	}
	fmt.Println("gopanic: recovered from both")
}
