package boottest

import (
	"context"
	"testing"

	"sigil/tools/qemu"
)

// TestTracing: user/c/tracetest switches events on through tracefs's
// files, and checks the trace's lines for a kill to itself and for a
// Ctrl+C typed through QMP, whose path must read irq_handler_entry (IRQ
// 1), irq_handler_exit, signal_generate, signal_deliver in that order;
// then tracing_on 0, sched_switch and /proc/irq_latency.
func TestTracing(t *testing.T) {
	for _, mode := range irqModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			m, err := qemu.Start(context.Background(), qemu.Config{
				Kernel: kernel(t), Initrd: initrd(t), Append: "init=/bin/tracetest " + mode.append, Memory: "256M",
				QMP: true, DebugExit: true, Timeout: bootTimeout,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Kill()
			expectLine(t, m, `^tracetest: ready for Ctrl\+C$`)
			if err := m.SendKeys("ctrl", "c"); err != nil {
				t.Fatal(err)
			}
			expectLine(t, m, `^tracetest: PASS$`)
			res, err := m.Wait()
			if err != nil {
				t.Fatal(err)
			}
			wantCode(t, res, 0)
			wantNoFailures(t, res.Output)
		})
	}
}

// TestTraceEventCmdline: trace_event= (and its alias trace=) switch
// events on from boot, recorded on the goroutine path too (fast=0);
// irq_latency=1 starts the histograms.
func TestTraceEventCmdline(t *testing.T) {
	runProgram(t, "tracetest trace_event=irq:irq_handler_entry trace=signal fast=0 irq_latency=1 -- cmdline", `(?m)^tracetest: PASS$`)
}
