package main

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A figure is one operation's median and 99th percentile in TSC cycles,
// as user/c/bench.c and user/c/smpbench.c print them (tsc.h's report).
type figure struct{ median, p99 uint64 }

var (
	opLine      = regexp.MustCompile(`^(?:smp)?bench: (.+?)\s+median (\d+) cycles, p99 (\d+) cycles \(\d+ runs\)$`)
	bootLine    = regexp.MustCompile(`^bench: boot to init (\d+) cycles$`)
	memLine     = regexp.MustCompile(`^bench: memory in use at init (\d+) kB of (\d+) kB$`)
	speedupLine = regexp.MustCompile(`^smpbench: parallel speed-up (\d+\.\d+) median of \d+ rounds`)
)

// A run is what one boot of the benchmark printed.
type run struct {
	ops        map[string]figure
	bootCycles uint64 // TSC at init's first steps, counted from reset
	memUsedKB  uint64 // MemTotal - MemFree at init
	wall       uint64 // ns of host time from QEMU's start to init's first line
	speedup    uint64 // smpbench's parallel speed-up 2*T1/T2, in thousandths
}

// parse reads the benchmark's lines out of a serial log; other lines
// (kernel messages) are ignored.
func parse(out string) run {
	r := run{ops: map[string]figure{}}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if m := opLine.FindStringSubmatch(l); m != nil {
			r.ops[m[1]] = figure{atoi(m[2]), atoi(m[3])}
		} else if m := bootLine.FindStringSubmatch(l); m != nil {
			r.bootCycles = atoi(m[1])
		} else if m := memLine.FindStringSubmatch(l); m != nil {
			r.memUsedKB = atoi(m[1])
		} else if m := speedupLine.FindStringSubmatch(l); m != nil {
			f, _ := strconv.ParseFloat(m[1], 64)
			r.speedup = uint64(f*1000 + 0.5)
		}
	}
	return r
}

func atoi(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 64)
	return n
}

// median returns the median of xs (the lower middle for an even count),
// or 0 for none.
func median(xs []uint64) uint64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]uint64(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)/2]
}
