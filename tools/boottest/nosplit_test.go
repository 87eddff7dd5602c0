package boottest

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Packages whose code runs in interrupt or syscall context, on stacks that
// are not goroutine stacks: none of their functions may carry a stack-check
// prologue (it would compare the kernel stack with the interrupted
// goroutine's bounds and call morestack). The exceptions run only at boot
// (with bootG) or in goroutine context.
var interruptPackages = []string{"arch", "irq", "proc", "sys", "mm", "clock", "console", "power", "linux", "pic"}

var splitAllowed = map[string]string{
	"sigil/mm.FreeRanges":     "boot only",
	"sigil/mm.subtract":       "boot only",
	"sigil/pic.(*PIC).Init":   "boot only",
	"sigil/pic.(*PIC).icw":    "boot only",
	"sigil/irq.Register":      "boot and goroutine context",
	"sigil/irq.Stats":         "goroutine context",
	"sigil/sys.Implemented":   "goroutine context",
	"sigil/selftest.register": "goroutine context",
}

// TestNosplitAudit disassembles build/sigil.elf and fails on any function of
// the interrupt-context packages that can call runtime.morestack.
func TestNosplitAudit(t *testing.T) {
	kernel(t)
	elf := filepath.Join(repoRoot(t), "build", "sigil.elf")
	out, err := exec.Command("go", "tool", "objdump", elf).Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v", err)
	}
	var fn string
	checked := 0
	bad := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.TrimSuffix(strings.Fields(line)[1], "(SB)")
			if inInterruptPackage(fn) {
				checked++
			}
			continue
		}
		if strings.Contains(line, "runtime.morestack") && inInterruptPackage(fn) {
			if _, ok := splitAllowed[fn]; !ok {
				bad[fn] = true
			}
		}
	}
	for fn := range bad {
		t.Errorf("%s has a stack-check prologue but may run in interrupt context: mark it //go:nosplit", fn)
	}
	if checked < 100 {
		t.Errorf("only %d functions checked: disassembly format changed?", checked)
	}
	t.Logf("%d functions checked", checked)
}

func inInterruptPackage(fn string) bool {
	for _, p := range interruptPackages {
		if strings.HasPrefix(fn, "sigil/"+p+".") {
			return true
		}
	}
	return false
}
