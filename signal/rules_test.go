package signal

import (
	"testing"

	"sigil/linux"
)

func TestChangeMask(t *testing.T) {
	kill, stop := Set(1)<<(linux.SIGKILL-1), Set(1)<<(linux.SIGSTOP-1)
	for _, c := range []struct {
		mask, s Set
		how     uint64
		want    Set
		ok      bool
	}{
		{0b0011, 0b0110, linux.SIG_BLOCK, 0b0111, true},
		{0b0011, 0b0110, linux.SIG_UNBLOCK, 0b0001, true},
		{0b0011, 0b0110, linux.SIG_SETMASK, 0b0110, true},
		{0, kill | stop | 1, linux.SIG_BLOCK, 1, true},
		{0b0011, 0b0110, 3, 0b0011, false},
	} {
		got, ok := ChangeMask(c.mask, c.how, c.s)
		if got != c.want || ok != c.ok {
			t.Errorf("ChangeMask(%#x, %d, %#x) = %#x, %v; want %#x, %v", c.mask, c.how, c.s, got, ok, c.want, c.ok)
		}
	}
}

func TestSetAltStack(t *testing.T) {
	stack := linux.SigAltStack{SP: 0x10000, Size: 0x4000}
	for _, c := range []struct {
		name string
		cur  linux.SigAltStack
		n    linux.SigAltStack
		sp   uint64
		want linux.Errno
		next linux.SigAltStack
	}{
		{"set", linux.SigAltStack{Flags: linux.SS_DISABLE}, stack, 0x7000, 0, stack},
		{"SS_ONSTACK dropped", linux.SigAltStack{Flags: linux.SS_DISABLE}, linux.SigAltStack{SP: 0x10000, Size: 0x4000, Flags: linux.SS_ONSTACK}, 0x7000, 0, stack},
		{"on it", stack, linux.SigAltStack{Flags: linux.SS_DISABLE}, 0x12000, linux.EPERM, stack},
		{"bad flags", stack, linux.SigAltStack{Flags: 0x10}, 0x7000, linux.EINVAL, stack},
		{"too small", stack, linux.SigAltStack{SP: 0x20000, Size: linux.MINSIGSTKSZ - 1}, 0x7000, linux.ENOMEM, stack},
		{"disable", stack, linux.SigAltStack{SP: 0x20000, Flags: linux.SS_DISABLE}, 0x7000, 0, linux.SigAltStack{Flags: linux.SS_DISABLE}},
	} {
		cur := c.cur
		if e := SetAltStack(&cur, c.n, c.sp); e != c.want || cur != c.next {
			t.Errorf("%s: errno %v, stack %+v; want %v, %+v", c.name, e, cur, c.want, c.next)
		}
	}
	if got := ReportAltStack(stack, 0x12000); got.Flags != linux.SS_ONSTACK {
		t.Errorf("on the stack: flags %#x, want SS_ONSTACK", got.Flags)
	}
	if got := ReportAltStack(stack, 0x7000); got != stack {
		t.Errorf("off the stack: %+v, want %+v", got, stack)
	}
}

func TestCheckAction(t *testing.T) {
	for _, c := range []struct {
		sig      int
		changing bool
		size     uint64
		want     linux.Errno
	}{
		{int(linux.SIGINT), true, 8, 0},
		{int(linux.SIGINT), true, 16, linux.EINVAL},
		{0, false, 8, linux.EINVAL},
		{linux.NSIG, false, 8, linux.EINVAL},
		{int(linux.SIGKILL), true, 8, linux.EINVAL},
		{int(linux.SIGKILL), false, 8, 0},
		{int(linux.SIGSTOP), true, 8, linux.EINVAL},
	} {
		if got := CheckAction(c.sig, c.changing, c.size); got != c.want {
			t.Errorf("CheckAction(%d, %v, %d) = %v, want %v", c.sig, c.changing, c.size, got, c.want)
		}
	}
}
