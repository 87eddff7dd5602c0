// Command sigil is the kernel. The boot package brings the machine up and
// starts the Go runtime, which then runs main like any Go program's.
package main

import (
	"fmt"

	_ "sigil/boot"
)

func main() {
	fmt.Println("sigil: hello from the Go runtime")
}
