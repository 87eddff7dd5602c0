package main

import "testing"

func TestParse(t *testing.T) {
	out := "sigil: booting\r\n" +
		"bench: boot to init 454608180 cycles\n" +
		"bench: memory in use at init 1868 kB of 245056 kB\n" +
		"bench: getpid round trip                median 10998 cycles, p99 32136 cycles (2000 runs)\n" +
		"bench: kbd IRQ 1 handler -> SIGINT handler  median 5 cycles, p99 7 cycles (10 runs)\n" +
		"bench: done\n"
	r := parse(out)
	if r.bootCycles != 454608180 || r.memUsedKB != 1868 {
		t.Errorf("boot %d mem %d", r.bootCycles, r.memUsedKB)
	}
	if f := r.ops["getpid round trip"]; f != (figure{10998, 32136}) {
		t.Errorf("getpid %+v", f)
	}
	if f := r.ops["kbd IRQ 1 handler -> SIGINT handler"]; f != (figure{5, 7}) {
		t.Errorf("kbd %+v", f)
	}
	if len(r.ops) != 2 {
		t.Errorf("ops %v", r.ops)
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []uint64
		want uint64
	}{{nil, 0}, {[]uint64{5}, 5}, {[]uint64{3, 1, 2}, 2}, {[]uint64{4, 1, 3, 2}, 2}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestParseSMPBench(t *testing.T) {
	out := "smpbench: cpus 2\n" +
		"smpbench: futex ping-pong across CPUs      median 32601 cycles, p99 39252 cycles (1000 runs)\n" +
		"smpbench: tgkill -> handler on other CPU   median 855299 cycles, p99 1859720 cycles (200 runs)\n" +
		"smpbench: parallel speed-up 1.471 median of 5 rounds (1 thread 222 ms 464 Mcycles, 2 threads 290 ms 606 Mcycles, medians)\n" +
		"smpbench: done\n"
	r := parse(out)
	if r.speedup != 1471 {
		t.Errorf("speed-up %d, want 1471", r.speedup)
	}
	if f := r.ops["futex ping-pong across CPUs"]; f != (figure{32601, 39252}) {
		t.Errorf("futex %+v", f)
	}
	if f := r.ops["tgkill -> handler on other CPU"]; f != (figure{855299, 1859720}) {
		t.Errorf("tgkill %+v", f)
	}
	if len(r.ops) != 2 {
		t.Errorf("ops %v", r.ops)
	}
	for _, l := range []string{"smpbench: done", "bench: kbd ready for 10 Ctrl+C", "smpbench: cpus 2"} {
		if !anyBench.MatchString(l) {
			t.Errorf("anyBench misses %q", l)
		}
	}
	if !done.MatchString("smpbench: done") || done.MatchString("smpbench: done?") {
		t.Error("done")
	}
}
