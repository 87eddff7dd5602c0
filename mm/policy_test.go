package mm

import "testing"

func TestPolicy(t *testing.T) {
	for _, c := range []struct{ mib, reserveKiB uint64 }{
		{32, 1448}, {64, 2048}, {256, 4096}, {4096, 16384},
	} {
		total := c.mib << 20 / PageSize
		if got := ReserveFrames(total) * PageSize / 1024; got < c.reserveKiB-8 || got > c.reserveKiB+8 {
			t.Errorf("%d MiB: reserve %d KiB, want about %d", c.mib, got, c.reserveKiB)
		}
		if l := KernelLimit(total, total, 0); l == 0 || l >= total*PageSize {
			t.Errorf("%d MiB: kernel limit %d", c.mib, l)
		}
	}
	if KernelLimit(1000, 10, 0) != 8<<20 || KernelLimit(1000, 10, 20<<20) != 20<<20 {
		t.Error("no room: the limit is what the runtime holds, at least 8 MiB")
	}
}
