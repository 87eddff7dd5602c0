package main

import (
	"fmt"

	"sigil/trace"
)

// enableTraceEvents switches on the events the command line names in
// trace_event= (Linux's early_enable_events: a comma-separated list of
// set_event tokens, such as trace_event=irq:irq_handler_entry,signal:*)
// and in its alias trace=. An item that names no event is reported.
// irq_latency=1 starts the histograms of /proc/irq_latency.
func enableTraceEvents(args map[string]string) {
	trace.SetLatency(args["irq_latency"] == "1") // /proc/irq_latency's histograms from boot
	for _, key := range []string{"trace_event", "trace"} {
		for _, item := range trace.EnableEvents(args[key]) {
			fmt.Printf("<4>sigil: %s: no event %q\n", key, item)
		}
	}
}
