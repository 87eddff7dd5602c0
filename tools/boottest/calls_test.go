package boottest

import (
	"strings"
	"testing"
)

// TestCalls runs calltest's cases (each checked on Linux 6.1): eventfd's
// counter, ceiling, semaphore mode, readiness and blocking write, and the
// resource limits' defaults and prlimit64's errno order.
func TestCalls(t *testing.T) {
	res := bootInit(t, "init=/bin/calltest")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^calltest: eventfd ok$`, `(?m)^calltest: rlimit ok$`, `(?m)^calltest: 2 of 2 passed$`)
	for _, l := range strings.Split(res.Output, "\n") {
		if strings.Contains(l, "FAILED") {
			t.Error(l)
		}
	}
}
