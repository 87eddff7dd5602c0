package boottest

import (
	"testing"
)

// TestInetSockets runs inettest (checked on Linux 6.1): AF_INET TCP and
// UDP on the loopback: socket's checks, bind's addresses, ports and
// SO_REUSEADDR/SO_REUSEPORT rules, ephemeral ports, connect refused,
// non-blocking and waiting on a full backlog, accept4, names, data with
// MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, FIN and RST (EPIPE, SIGPIPE,
// ECONNRESET), shutdown, poll bits, options, datagrams and connected
// UDP's ECONNREFUSED, and the lo ioctls.
func TestInetSockets(t *testing.T) {
	var want []string
	for _, c := range []string{"create", "bind", "connect", "data", "backlog", "options", "udp", "ioctl"} {
		want = append(want, `(?m)^inettest: `+c+` ok$`)
	}
	runProgram(t, "inettest", append(want, `(?m)^inettest: ok$`)...)
}
