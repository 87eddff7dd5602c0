// Command kprof profiles Sigil by sampling: it boots the kernel under QEMU
// with a command line, asks QEMU over QMP for the CPU's registers every
// few milliseconds until the guest powers off, and prints where RIP was
// (on every CPU: -smp),
// by function (kernel symbols from the image; user addresses in one
// bucket). Sampling from outside sees interrupts-off code as it runs,
// which a timer-driven profiler inside the kernel could not.
//
//	go run ./tools/kprof -append 'init=/bin/bench -- fork 2000'
package main

import (
	"context"
	"debug/elf"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"time"

	"sigil/tools/qemu"
)

func main() {
	kernel := flag.String("kernel", "build/sigil", "kernel image")
	initrd := flag.String("initrd", "build/initrd.cpio", "initrd")
	appendLine := flag.String("append", "", "kernel command line")
	mem := flag.String("m", "256M", "memory")
	every := flag.Duration("every", 0, "pause between samples")
	top := flag.Int("top", 40, "functions to list")
	cpus := flag.Int("smp", 1, "CPUs (each sample reads every CPU's RIP)")
	raw := flag.Bool("raw", false, "count each RIP, not each function")
	perCPU := flag.Bool("per-cpu", false, "count each CPU's samples apart (names prefixed cpuN)")
	icount := flag.Bool("icount", false, "run under -icount shift=0,sleep=off (QEMU then runs the CPUs in turn on one host thread)")
	flag.Parse()
	syms, err := symbols(*kernel)
	if err != nil {
		fatal(err)
	}
	var extra []string
	if *icount {
		extra = qemu.Icount
	}
	m, err := qemu.Start(context.Background(), qemu.Config{Kernel: *kernel, Initrd: *initrd, Append: *appendLine,
		Memory: *mem, CPUs: *cpus, QMP: true, DebugExit: true, Timeout: 10 * time.Minute, Extra: extra})
	if err != nil {
		fatal(err)
	}
	defer m.Kill()
	rip := regexp.MustCompile(`RIP=([0-9a-f]{16})`)
	counts := map[string]int{}
	total := 0
	for {
		out, err := m.QMP("human-monitor-command", map[string]string{"command-line": "info registers -a"})
		if err != nil {
			break // the guest powered off
		}
		var s string
		if json.Unmarshal(out, &s) != nil {
			continue
		}
		for cpu, sm := range rip.FindAllStringSubmatch(s, -1) {
			pc, _ := strconv.ParseUint(sm[1], 16, 64)
			name := syms.name(pc)
			if *raw {
				name = fmt.Sprintf("%s %#x", name, pc)
			}
			if *perCPU {
				name = fmt.Sprintf("cpu%d %s", cpu, name)
			}
			counts[name]++
			total++
		}
		time.Sleep(*every)
	}
	m.Wait()
	type row struct {
		name string
		n    int
	}
	var rows []row
	for k, v := range counts {
		rows = append(rows, row{k, v})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].n > rows[j].n })
	fmt.Printf("%d samples\n", total)
	byPkg := map[string]int{}
	for k, v := range counts {
		byPkg[pkgOf(k)] += v
	}
	var pk []row
	for k, v := range byPkg {
		pk = append(pk, row{k, v})
	}
	sort.Slice(pk, func(i, j int) bool { return pk[i].n > pk[j].n })
	for _, r := range pk {
		fmt.Printf("%6.2f%% %6d  %s (package)\n", 100*float64(r.n)/float64(total), r.n, r.name)
	}
	fmt.Println()
	for i, r := range rows {
		if i == *top {
			break
		}
		fmt.Printf("%6.2f%% %6d  %s\n", 100*float64(r.n)/float64(total), r.n, r.name)
	}
}

type symtab []elf.Symbol

func symbols(path string) (symtab, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	all, err := f.Symbols()
	if err != nil {
		return nil, err
	}
	var s symtab
	for _, x := range all {
		if elf.ST_TYPE(x.Info) == elf.STT_FUNC && x.Value != 0 {
			s = append(s, x)
		}
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Value < s[j].Value })
	return s, nil
}

// name returns the function holding pc: a kernel symbol, or "(user)".
func (s symtab) name(pc uint64) string {
	if pc < 1<<47 {
		return "(user)"
	}
	i := sort.Search(len(s), func(i int) bool { return s[i].Value > pc }) - 1
	if i < 0 {
		return fmt.Sprintf("%#x", pc)
	}
	return s[i].Name
}

// pkgOf returns the package path of a Go symbol name.
func pkgOf(name string) string {
	last := 0
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			last = i
		}
	}
	for i := last; i < len(name); i++ {
		if name[i] == '.' {
			return name[:i]
		}
	}
	return name
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "kprof:", err)
	os.Exit(1)
}
