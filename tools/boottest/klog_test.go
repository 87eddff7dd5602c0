package boottest

import (
	"strings"
	"testing"
)

// TestKernelLog runs klogtest (checked on Linux 6.1 in the same QEMU):
// syslog(2)'s actions, errors, permissions and text; /dev/kmsg's records,
// prefixes, escapes, seeks, poll, EPIPE after lost records, blocking
// reads and the rate limit of writes.
func TestKernelLog(t *testing.T) {
	runProgram(t, "klogtest", `(?m)^klogtest: PASS test_unprivileged$`, `(?m)^klogtest: ok$`)
}

// TestDmesg: BusyBox dmesg reads the boot lines back with their
// timestamps, dmesg -c empties what it reads next, and dmesg -n 1 keeps
// a /dev/kmsg line of level 3 off the console but in the log; quiet
// keeps level-6 boot lines off the console.
func TestDmesg(t *testing.T) {
	res := bootInit(t, `quiet init=/bin/busybox -- sh -c "dmesg | head -n 5; dmesg -r | grep initrd; dmesg -c > /dev/null; echo cleared; dmesg; dmesg -n 1; echo '<3>dmesg-test' > /dev/kmsg; dmesg -r"`)
	wantCode(t, res, 0)
	wantLines(t, res.Output,
		`(?m)^\[    0\.\d{6}\] Sigil booting \(PVH entry\)$`,
		`(?m)^\[ +\d+\.\d{6}\] Sigil on go`,
		`(?m)^<6>\[ +\d+\.\d{6}\] initrd: \d+ bytes at 0x`,
		`(?m)^cleared\n<11>\[ +\d+\.\d{6}\] dmesg-test$`)
	if strings.Contains(res.Output, "sigil: Sigil on") || strings.Contains(res.Output, "\ndmesg-test") {
		t.Errorf("quiet or dmesg -n 1 let a line through to the console:\n%s", res.Output)
	}
}
