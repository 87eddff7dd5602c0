package futex

import (
	"testing"

	"sigil/linux"
)

func TestDecode(t *testing.T) {
	const priv, rt = linux.FUTEX_PRIVATE_FLAG, linux.FUTEX_CLOCK_REALTIME
	for _, c := range []struct {
		addr, op, val3 uint64
		want           linux.Errno
		wait, private  bool
		bits           uint32
	}{
		{0x1000, linux.FUTEX_WAIT | priv, 0, 0, true, true, linux.FUTEX_BITSET_MATCH_ANY},
		{0x1000, linux.FUTEX_WAKE, 5, 0, false, false, linux.FUTEX_BITSET_MATCH_ANY},
		{0x1000, linux.FUTEX_WAIT_BITSET | rt, 0x6, 0, true, false, 0x6},
		{0x1000, linux.FUTEX_WAKE_BITSET, 0x3, 0, false, false, 0x3},
		{0x1002, linux.FUTEX_WAIT, 0, linux.EINVAL, true, false, linux.FUTEX_BITSET_MATCH_ANY},
		{0x1002, linux.FUTEX_WAKE, 0, linux.EINVAL, false, false, linux.FUTEX_BITSET_MATCH_ANY},
		{0x1000, linux.FUTEX_WAIT_BITSET, 0, linux.EINVAL, true, false, 0},
		{0x1000, linux.FUTEX_WAKE_BITSET, 0, linux.EINVAL, false, false, 0},
		{0x1000, linux.FUTEX_WAIT | rt, 0, linux.ENOSYS, true, false, linux.FUTEX_BITSET_MATCH_ANY},
		{0x1000, linux.FUTEX_LOCK_PI, 0, linux.ENOSYS, false, false, linux.FUTEX_BITSET_MATCH_ANY},
	} {
		o, e := Decode(c.addr, c.op, c.val3)
		if e != c.want || e == 0 && (o.Wait != c.wait || o.Private != c.private || o.Bits != c.bits) {
			t.Errorf("Decode(%#x, %#x, %#x) = %+v, %v; want wait=%v private=%v bits=%#x, %v",
				c.addr, c.op, c.val3, o, e, c.wait, c.private, c.bits, c.want)
		}
	}
}

func TestDeadline(t *testing.T) {
	const mono, real = 1_000, 50_000
	rel, _ := Decode(0, linux.FUTEX_WAIT, 0)
	abs, _ := Decode(0, linux.FUTEX_WAIT_BITSET, 1)
	absRT, _ := Decode(0, linux.FUTEX_WAIT_BITSET|linux.FUTEX_CLOCK_REALTIME, 1)
	for _, c := range []struct {
		name string
		o    Op
		d    int64
		want int64
	}{
		{"relative", rel, 300, 1_300},
		{"absolute monotonic", abs, 4_000, 4_000},
		{"absolute realtime", absRT, 52_000, 3_000},
	} {
		if got := c.o.Deadline(c.d, mono, real); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
