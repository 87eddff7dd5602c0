package trace

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// reset puts the control state back to boot's: tracing on, no events.
func reset(t *testing.T) {
	t.Helper()
	SetTracingOn(true)
	if err := SetEvent("", true); err != nil {
		t.Fatal(err)
	}
	Clear()
}

// siCode is SI_TKILL (-6) as a record stores it.
var siCode = uint64(uint32(0xfffffffa))

// TestWriteTrace: each event's line is Linux 6.1's TP_printk format after
// trace_print_context's columns (what user/c/bench.c and tracetest read
// on both kernels).
func TestWriteTrace(t *testing.T) {
	NameIRQ(1, "i8042")
	CommOf = func(pid int32) string {
		if pid == 42 {
			return "tracetest"
		}
		return ""
	}
	defer func() { CommOf = nil }()
	evs := []Event{
		{TSC: 12345, Kind: IRQHandlerEntry, PID: 0, A: [7]uint64{1}},
		{TSC: 12346, Kind: IRQHandlerExit, PID: 42, CPU: 1, A: [7]uint64{1, 1}},
		{TSC: 12347, Kind: IRQHandlerExit, PID: 42, A: [7]uint64{4, 0}},
		{TSC: 20000, Kind: SignalGenerate, PID: 42, A: [7]uint64{10, 0, siCode, 42, 0, 0}},
		{TSC: 20001, Kind: SignalDeliver, PID: 42, A: [7]uint64{10, 0, siCode, 0x401000, 0x14000000}},
		{TSC: 30000, Kind: SysEnter, PID: 42, A: [7]uint64{62, 42, 10, 0, 0, 0, 0}},
		{TSC: 30001, Kind: SysExit, PID: 42, A: [7]uint64{62, uint64(1<<64 - 3)}},
		{TSC: 40000, Kind: SchedSwitch, PID: 42, A: [7]uint64{0, 'S'}},
	}
	var b bytes.Buffer
	WriteTrace(&b, evs, 9)
	out := b.String()
	for _, re := range []string{
		`(?m)^# tracer: nop$`,
		`(?m)^# entries-in-buffer/entries-written: 8/9   #P:1$`,
		`(?m)^          <idle>-0       \[000\] d\.h1\.        12345: irq_handler_entry: irq=1 name=i8042$`,
		`(?m)^       tracetest-42      \[001\] d\.h1\.        12346: irq_handler_exit: irq=1 ret=handled$`,
		`(?m)^ +tracetest-42 +\[000\] d\.h1\. +12347: irq_handler_exit: irq=4 ret=unhandled$`,
		`(?m)^ +tracetest-42 +\[000\] d\.\.1\. +20000: signal_generate: sig=10 errno=0 code=-6 comm=tracetest pid=42 grp=0 res=0$`,
		`(?m)^ +tracetest-42 +\[000\] d\.\.1\. +20001: signal_deliver: sig=10 errno=0 code=-6 sa_handler=401000 sa_flags=14000000$`,
		`(?m)^ +tracetest-42 +\[000\] \.\.\.\.\. +30000: sys_enter: NR 62 \(2a, a, 0, 0, 0, 0\)$`,
		`(?m)^ +tracetest-42 +\[000\] \.\.\.\.\. +30001: sys_exit: NR 62 = -3$`,
		`(?m)^ +tracetest-42 +\[000\] d\.\.2\. +40000: sched_switch: prev_comm=tracetest prev_pid=42 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("trace lacks %s:\n%s", re, out)
		}
	}
	// A pid without a known command reads as Linux's "<...>".
	b.Reset()
	writeEvent(&b, &Event{Kind: SysExit, PID: 7})
	if !strings.HasPrefix(b.String(), "           <...>-7       [000]") {
		t.Errorf("unknown task: %q", b.String())
	}
}

// TestRing: events come back in TSC order, the ring keeps the latest
// ringSize, entries-written counts them all, Clear empties, and an event
// whose kind is off is not recorded by a guarded site.
func TestRing(t *testing.T) {
	reset(t)
	for i := 0; i < ringSize+10; i++ {
		RecordSysExit(1, uint64(i), 0)
	}
	evs, written := Events()
	if len(evs) != ringSize || written != ringSize+10 {
		t.Fatalf("kept %d of %d, want %d of %d", len(evs), written, ringSize, ringSize+10)
	}
	if evs[0].A[0] != 10 || evs[len(evs)-1].A[0] != ringSize+9 {
		t.Errorf("kept %d..%d, want the latest", evs[0].A[0], evs[len(evs)-1].A[0])
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].TSC < evs[i-1].TSC {
			t.Fatalf("event %d out of TSC order", i)
		}
	}
	Clear()
	if evs, written := Events(); len(evs) != 0 || written != 0 {
		t.Errorf("after Clear: %d events, %d written", len(evs), written)
	}
}

// TestControl: set_event's tokens as Linux's ftrace_set_clr_event reads
// them, tracing_on gating every event, and the enable files' states.
func TestControl(t *testing.T) {
	reset(t)
	defer reset(t)
	steps := []struct {
		write string
		trunc bool
		err   bool
		want  string
	}{
		{"irq:irq_handler_entry", false, false, "irq:irq_handler_entry\n"},
		{"signal:*", false, false, "irq:irq_handler_entry\nsignal:signal_generate\nsignal:signal_deliver\n"},
		{"!signal:signal_generate", false, false, "irq:irq_handler_entry\nsignal:signal_deliver\n"},
		{"sched_switch raw_syscalls", true, false, "raw_syscalls:sys_enter\nraw_syscalls:sys_exit\nsched:sched_switch\n"},
		{"!sched:sched_switch", false, false, "raw_syscalls:sys_enter\nraw_syscalls:sys_exit\n"},
		{"nosuch:event", false, true, "raw_syscalls:sys_enter\nraw_syscalls:sys_exit\n"},
		{"irq:irq_handler_exit bogus", false, true, "irq:irq_handler_exit\nraw_syscalls:sys_enter\nraw_syscalls:sys_exit\n"},
		{"\n", true, false, ""},
		{"*:*", false, false, Available()},
		{"!*:", false, false, ""},
		{"irq:", false, false, "irq:irq_handler_entry\nirq:irq_handler_exit\n"},
		{"!", false, true, "irq:irq_handler_entry\nirq:irq_handler_exit\n"},
	}
	for _, s := range steps {
		err := SetEvent(s.write, s.trunc)
		if (err != nil) != s.err {
			t.Errorf("SetEvent(%q, %v) = %v, want error %v", s.write, s.trunc, err, s.err)
		}
		if got := Enabled(); got != s.want {
			t.Errorf("after %q: set_event reads %q, want %q", s.write, got, s.want)
		}
	}
	if !On(IRQHandlerEntry) || On(SysEnter) {
		t.Errorf("active mask %#x after enabling irq", active)
	}
	if got := EnableState("irq", ""); got != "1\n" {
		t.Errorf("events/irq/enable = %q", got)
	}
	if got := EnableState("", ""); got != "X\n" {
		t.Errorf("events/enable = %q", got)
	}
	if got := EnableState("sched", "sched_switch"); got != "0\n" {
		t.Errorf("events/sched/sched_switch/enable = %q", got)
	}
	SetTracingOn(false)
	if OnAny(IRQEvents) || Enabled() == "" {
		t.Errorf("tracing_on 0: active %#x, set_event %q (the events stay set)", active, Enabled())
	}
	SetTracingOn(true)
	if err := SetEnable("sched", "sched_switch", "1\n"); err != nil || !On(SchedSwitch) {
		t.Errorf("enable sched_switch: %v", err)
	}
	if err := SetEnable("signal", "", "2"); err == nil {
		t.Errorf("enable takes 2")
	}
	if err := SetEnable("", "", "0"); err != nil || Enabled() != "" {
		t.Errorf("events/enable 0: %v, %q", err, Enabled())
	}
	if bad := EnableEvents("irq:irq_handler_entry,,signal,nosuch"); len(bad) != 1 || bad[0] != "nosuch" {
		t.Errorf("trace_event= unknown items %q", bad)
	}
	if got := Enabled(); got != "irq:irq_handler_entry\nsignal:signal_generate\nsignal:signal_deliver\n" {
		t.Errorf("trace_event= enabled %q", got)
	}
	for in, want := range map[string]bool{"0": false, "1\n": true, " 7 ": true, "x": false, "": false} {
		on, ok := ParseOnOff(in)
		if on != want || ok != (in != "x" && in != "") {
			t.Errorf("tracing_on %q: %v %v", in, on, ok)
		}
	}
}

// FuzzSetEvent: any write leaves only known events on, never panics, and
// what set_event then reads, written back after a clear, gives the same
// events.
func FuzzSetEvent(f *testing.F) {
	for _, s := range []string{"irq:irq_handler_entry", "signal:*", "!sched:sched_switch", "", "*:*", "!", ":", "sys_enter\t!irq", "a:b:c"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, trunc bool) {
		reset(t)
		SetEvent("raw_syscalls", false)
		SetEvent(s, trunc)
		got := Enabled()
		ctlMu.Lock()
		mask := enabled
		ctlMu.Unlock()
		if mask&^(1<<numKinds-1) != 0 {
			t.Fatalf("%q enabled unknown bits %#x", s, mask)
		}
		if err := SetEvent(got, true); err != nil && got != "" {
			t.Fatalf("set_event's own listing %q refused: %v", got, err)
		}
		if again := Enabled(); again != got {
			t.Fatalf("%q: listing %q written back reads %q", s, got, again)
		}
	})
}

// TestLatency: log2 buckets, the last one open-ended, and the /proc
// line's format.
func TestLatency(t *testing.T) {
	for _, c := range []uint64{0, 1, 2, 3, 1000, 1023, 1024, 1 << 40} {
		RecordLatency(0, 0x41, c)
	}
	RecordLatency(3, 0x41, 5)
	RecordLatency(0, 300, 5) // out of range: ignored
	h := Histogram(0x41)
	want := map[int]uint64{0: 2, 1: 2, 2: 1, 9: 2, 10: 1, latBuckets - 1: 1}
	for b, n := range h {
		if n != want[b] {
			t.Errorf("bucket %d = %d, want %d", b, n, want[b])
		}
	}
	var b bytes.Buffer
	WriteLatency(&b, func(v int) string { return "self-ipi" })
	if !strings.Contains(b.String(), "\n0x41 self-ipi 9 0:2 1:2 2:1 9:2 10:1 19:1\n") {
		t.Errorf("irq_latency:\n%s", b.String())
	}
}
