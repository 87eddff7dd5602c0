package task

import (
	"bytes"
	"strings"

	"sigil/cred"
	"sigil/linux"
	"sigil/trace"
	"sigil/vfs"
)

// tracingDir is where Linux mounts tracefs. Sigil's holds the files a
// Linux user steers event tracing with (kernel/trace/trace.c and
// trace_events.c): trace (the events, in the x86-tsc clock; opening it
// with O_TRUNC empties the rings), tracing_on, set_event,
// available_events, trace_clock (x86-tsc only) and
// events/[<system>/[<event>/]]enable.
const tracingDir = "/sys/kernel/tracing"

// Tracefs modes, Linux 6.1's TRACE_MODE_WRITE and TRACE_MODE_READ.
const (
	traceModeWrite = 0o640
	traceModeRead  = 0o440
)

// tracingSnapshot builds the tree for a lookup of name; the trace
// file's text is made only when name is that file.
func tracingSnapshot(name string) *vfs.FS {
	fs := vfs.NewSnapshot("tracefs", tracefsDev)
	fs.Add(tracingDir, vfs.S_IFDIR|0o755, nil)
	var text []byte
	if name == tracingDir+"/trace" {
		var b bytes.Buffer
		evs, written := trace.Events()
		trace.WriteTrace(&b, evs, written)
		text = b.Bytes()
	}
	// Writes to trace are accepted and ignored (tracing_write_stub).
	addTraceCtl(fs, "trace", string(text), func(string) error { return nil }, trace.Clear)
	on := "0\n"
	if trace.TracingOn() {
		on = "1\n"
	}
	addTraceCtl(fs, "tracing_on", on, func(s string) error {
		v, ok := trace.ParseOnOff(s)
		if !ok {
			return linux.EINVAL
		}
		trace.SetTracingOn(v)
		return nil
	}, nil)
	// An open with O_TRUNC clears every event (ftrace_event_set_open).
	addTraceCtl(fs, "set_event", trace.Enabled(), func(s string) error { return trace.SetEvent(s, false) },
		func() { trace.SetEvent("", true) })
	addTraceCtl(fs, "trace_clock", "[x86-tsc]\n", func(s string) error {
		if strings.TrimSpace(s) != "x86-tsc" {
			return linux.EINVAL // the one clock Sigil's stamps are in
		}
		return nil
	}, nil)
	fs.Add(tracingDir+"/available_events", vfs.S_IFREG|traceModeRead, []byte(trace.Available()))
	fs.Add(tracingDir+"/events", vfs.S_IFDIR|0o755, nil)
	addEnable(fs, "events", "", "")
	systems, eventsOf := trace.Systems()
	for _, sys := range systems {
		fs.Add(tracingDir+"/events/"+sys, vfs.S_IFDIR|0o755, nil)
		addEnable(fs, "events/"+sys, sys, "")
		for _, ev := range eventsOf[sys] {
			fs.Add(tracingDir+"/events/"+sys+"/"+ev, vfs.S_IFDIR|0o755, nil)
			addEnable(fs, "events/"+sys+"/"+ev, sys, ev)
		}
	}
	return fs
}

// addEnable adds dir's enable file for system and event ("" for all).
func addEnable(fs *vfs.FS, dir, system, event string) {
	addTraceCtl(fs, dir+"/enable", trace.EnableState(system, event), func(s string) error {
		return trace.SetEnable(system, event, s)
	}, nil)
}

// addTraceCtl adds a writable tracefs file, root's, showing content;
// write applies each write(2), trunc (if not nil) an open with O_TRUNC.
func addTraceCtl(fs *vfs.FS, name, content string, write func(string) error, trunc func()) {
	n, _ := fs.Add(tracingDir+"/"+name, vfs.S_IFREG|traceModeWrite, []byte(content))
	n.Dev = procCtl{owner: 0, trunc: trunc, write: func(_ *Thread, b []byte, _ int64, _ *cred.Cred) error {
		return write(string(b))
	}}
}
