package boottest

import (
	"testing"
)

// TestTimerfd runs timerfdtest (checked on Linux 6.1): timerfd_create's
// clocks, flags and CAP_WAKE_ALARM; timerfd_settime's and
// timerfd_gettime's errno order and old values; read's 8-byte minimum,
// blocking, O_NONBLOCK and the count of expirations, a periodic timer
// counting the periods it missed and gettime forwarding it; settime
// resetting the count; absolute times (TFD_TIMER_CANCEL_ON_SET accepted);
// poll and epoll readiness; EINTR and SA_RESTART; the /proc/PID/fd link
// and fdinfo.
func TestTimerfd(t *testing.T) {
	runProgram(t, "timerfdtest", `(?m)^timerfdtest: ok$`)
}
