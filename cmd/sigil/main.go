// Command sigil is the kernel. The boot package brings the machine up and
// starts the Go runtime, which then runs main like any Go program's.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"sigil/arch"
	"sigil/boot"
	"sigil/clock"
	"sigil/fault"
	"sigil/mm"
	"sigil/selftest"
)

func main() {
	atMain := arch.RDTSC()
	fmt.Printf("sigil: boot: first instruction to main: %d us\n",
		clock.TSCToNanos(atMain-boot.EntryTSC())/1000)
	fault.Start()

	args := parseArgs(os.Args[1:])
	info := boot.BootInfo()
	st := mm.Stats()
	fmt.Printf("sigil: Sigil on %s, TSC %d MHz, tick %d Hz, %d MiB RAM (%d MiB free)\n",
		runtime.Version(), clock.TSCHz()/1e6, boot.TickRate(), st.Total*mm.PageSize>>20, st.Free*mm.PageSize>>20)
	fmt.Printf("sigil: command line: %q\n", info.CmdlineString())
	if info.InitrdSize != 0 {
		fmt.Printf("sigil: initrd: %d bytes at %#x\n", info.InitrdSize, info.InitrdAddr)
	}

	if name := args["test"]; name != "" {
		if selftest.Run(name) {
			os.Exit(0)
		}
		os.Exit(1)
	}
	fmt.Println("sigil: ready; nothing to run yet (quit QEMU with Ctrl+A X)")
	for {
		time.Sleep(time.Hour)
	}
}

// parseArgs reads the key=value words of the command line.
func parseArgs(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		if k, v, ok := strings.Cut(w, "="); ok {
			m[k] = v
		}
	}
	return m
}
