package rlimit

import (
	"testing"

	"sigil/linux"
)

func TestDefaultsAsLinuxInit(t *testing.T) {
	var l Table
	l.Reset(1000)
	for _, c := range []struct {
		res      int
		cur, max uint64
	}{
		{linux.RLIMIT_CPU, inf, inf},
		{linux.RLIMIT_STACK, 8 << 20, inf},
		{linux.RLIMIT_CORE, 0, inf},
		{linux.RLIMIT_NPROC, 1000, 1000},
		{linux.RLIMIT_NOFILE, 1024, 4096},
		{linux.RLIMIT_MEMLOCK, 8 << 20, 8 << 20},
		{linux.RLIMIT_SIGPENDING, 1000, 1000},
		{linux.RLIMIT_MSGQUEUE, 819200, 819200},
		{linux.RLIMIT_NICE, 0, 0},
		{linux.RLIMIT_RTPRIO, 0, 0},
		{linux.RLIMIT_RTTIME, inf, inf},
	} {
		if got := l[c.res]; got.Cur != c.cur || got.Max != c.max {
			t.Errorf("resource %d = %+v, want {%d %d}", c.res, got, c.cur, c.max)
		}
	}
}

func TestPrlimitRules(t *testing.T) {
	lim := func(cur, max uint64) *linux.Rlimit { return &linux.Rlimit{Cur: cur, Max: max} }
	for _, c := range []struct {
		name    string
		res     uint64
		newl    *linux.Rlimit
		capable bool
		want    linux.Errno
		wantSet bool
	}{
		{"read only", linux.RLIMIT_NOFILE, nil, false, 0, false},
		{"resource out of range", linux.RLIM_NLIMITS, nil, true, linux.EINVAL, false},
		{"soft above hard", linux.RLIMIT_NOFILE, lim(10, 5), true, linux.EINVAL, false},
		{"nofile above nr_open", linux.RLIMIT_NOFILE, lim(10, NrOpen+1), true, linux.EPERM, false},
		{"nofile at nr_open", linux.RLIMIT_NOFILE, lim(10, NrOpen), true, 0, true},
		{"raise hard unprivileged", linux.RLIMIT_NOFILE, lim(10, 5000), false, linux.EPERM, false},
		{"lower hard unprivileged", linux.RLIMIT_NOFILE, lim(10, 100), false, 0, true},
		{"raise soft to hard unprivileged", linux.RLIMIT_NOFILE, lim(4096, 4096), false, 0, true},
	} {
		var l Table
		l.Reset(100)
		before := l
		var old linux.Rlimit
		err := l.Prlimit(c.res, c.newl, &old, c.capable)
		if err != c.want {
			t.Errorf("%s: errno %d, want %d", c.name, err, c.want)
		}
		if err != 0 {
			if l != before || old != (linux.Rlimit{}) {
				t.Errorf("%s: failed call changed state", c.name)
			}
			continue
		}
		if old != before[c.res] {
			t.Errorf("%s: old = %+v, want %+v", c.name, old, before[c.res])
		}
		if c.wantSet && l[c.res] != *c.newl {
			t.Errorf("%s: limit = %+v, want %+v", c.name, l[c.res], *c.newl)
		}
	}
}
