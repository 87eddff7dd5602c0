package trace

import (
	"bytes"
	"regexp"
	"testing"
)

// TestWriteTrace: the lines parse as tracefs's irq_handler_entry lines do
// (what user/c/bench.c reads on both kernels).
func TestWriteTrace(t *testing.T) {
	NameIRQ(1, "i8042")
	var b bytes.Buffer
	WriteTrace(&b, []Event{{TSC: 12345, Kind: IRQHandlerEntry, Arg: 1}, {TSC: 99, Kind: IRQHandlerEntry, Arg: 4}}, 7)
	out := b.String()
	for _, re := range []string{
		`(?m)^# tracer: nop$`,
		`(?m)^# entries-in-buffer/entries-written: 2/7   #P:1$`,
		`(?m)^ +<idle>-0 +\[000\] d\.h1\. 12345: irq_handler_entry: irq=1 name=i8042$`,
		`(?m)^ +<idle>-0 +\[000\] d\.h1\. 99: irq_handler_entry: irq=4 name=$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("trace lacks %s:\n%s", re, out)
		}
	}
}
