package boottest

import (
	"bufio"
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Interrupt context's entry points: what the trap path dispatches to (the
// handlers are reached through tables, so they are listed), plus every
// system-call handler. Everything reachable from them by direct calls runs
// on an IST or kernel stack and must not carry a stack-check prologue, which
// would compare that stack with the interrupted goroutine's bounds.
var interruptRoots = []string{
	"sigil/irq.dispatch",
	"sigil/irq.Unhandled",
	"sigil/trap.syscall",
	"sigil/trap.exception",
	"sigil/mm.HandlePageFault",
	"sigil/sys.completePoll",
	"sigil/intr.picEntry",
	"sigil/intr.ioapicEntry",
	"sigil/intr.apicTick",
	"sigil/intr.lapicSpurious",
	"sigil/intr.lapicError",
	"sigil/intr.selfIPI",
	"sigil/intr.pitTick",
	"sigil/ps2.Interrupt",
	"sigil/tty.SerialInterrupt",
	"sigil/power.Off",
	"sigil/sched.ReturnToUser",
	"sigil/sched.HandleEnterUser",
	// Spinlocks: interrupt context takes them, and a goroutine holding one
	// runs with interrupts off under the same rules, so acquiring and
	// releasing must never grow the stack.
	"sigil/arch.(*Spinlock).Lock",
	"sigil/arch.(*Spinlock).Unlock",
	// Reached through interfaces (pic.Bus), which direct-call edges miss.
	"sigil/arch.(*Ports).In8",
	"sigil/arch.(*Ports).Out8",
	// An application processor's bring-up runs on its own small stack
	// with a fake g and no runtime: the same rules.
	"sigil/boot.apMain",
}

var callRE = regexp.MustCompile(`\bCALL ([^\s(]+)\(SB\)`)

// forbidden are runtime functions interrupt context must never reach:
// they allocate, take runtime locks, or need a P (a write barrier buffers
// into the current P's, and interrupt context has none).
var forbidden = regexp.MustCompile(`^runtime\.(mallocgc|newobject|growslice|makeslice|makemap|gcWriteBarrier|wbBuf|mapassign|mapaccess|mapdelete|chansend|chanrecv|closechan|selectgo|lock|unlock|gopark|goready|convT)`)

// TestNosplitAudit disassembles build/sigil.elf, follows direct calls from
// the interrupt roots, and fails on any reachable function of Sigil or its
// driver libraries that can call runtime.morestack.
func TestNosplitAudit(t *testing.T) {
	kernel(t)
	elf := filepath.Join(repoRoot(t), "build", "sigil.elf")
	out, err := exec.Command("go", "tool", "objdump", elf).Output()
	if err != nil {
		t.Fatalf("go tool objdump: %v", err)
	}
	calls := map[string][]string{}
	split := map[string]bool{}
	var fn string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "TEXT ") {
			fn = strings.TrimSuffix(strings.TrimSuffix(strings.Fields(line)[1], "(SB)"), ".abi0")
			continue
		}
		if m := callRE.FindStringSubmatch(line); m != nil {
			callee := strings.TrimSuffix(m[1], ".abi0")
			if strings.HasPrefix(callee, "runtime.morestack") {
				split[fn] = true
			} else {
				calls[fn] = append(calls[fn], callee)
			}
		}
	}
	ours := func(f string) bool {
		return strings.HasPrefix(f, "sigil/") || strings.HasPrefix(f, "github.com/usbarmory/")
	}
	var roots []string
	roots = append(roots, interruptRoots...)
	for f := range calls {
		if strings.HasPrefix(f, "sigil/sys.sys") {
			roots = append(roots, f) // the syscall table's handlers
		}
	}
	seen := map[string]string{} // function -> a caller that reaches it
	queue := []string{}
	for _, r := range roots {
		if _, ok := calls[r]; !ok && !split[r] {
			// A root with no calls still must exist in the binary.
			if !bytes.Contains(out, []byte("TEXT "+r+"(SB)")) && !bytes.Contains(out, []byte("TEXT "+r+".abi0(SB)")) {
				t.Errorf("root %s not found in the kernel: update interruptRoots", r)
			}
		}
		seen[r] = "(root)"
		queue = append(queue, r)
	}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, c := range calls[f] {
			if _, ok := seen[c]; !ok && ours(c) {
				seen[c] = f
				queue = append(queue, c)
			}
		}
	}
	var bad []string
	for f, from := range seen {
		if split[f] {
			bad = append(bad, f+" (called from "+from+")")
		}
		for _, c := range calls[f] {
			if forbidden.MatchString(c) {
				t.Errorf("%s (called from %s) calls %s, which interrupt context must not", f, from, c)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s has a stack-check prologue but runs in interrupt context: mark it //go:nosplit", b)
	}
	if len(seen) < 50 {
		t.Errorf("only %d functions reached: disassembly format changed?", len(seen))
	}
	t.Logf("%d functions reachable from %d interrupt-context roots checked", len(seen), len(roots))
}
