package klog

import "sigil/arch"

// Ratelimit is Linux's ratelimit_state (lib/ratelimit.c): at most Burst
// events per Interval; the first event after an interval that missed
// some reports how many, for a "N callbacks suppressed" line.
type Ratelimit struct {
	Interval int64 // nanoseconds; 0 lets everything through
	Burst    int

	mu      arch.Spinlock // guards the fields below
	begin   int64         // start of the current interval
	started bool
	printed int // events let through in the interval
	missed  int // events refused since the last report
}

// Default rates: printk_ratelimit's and devkmsg's (DEFAULT_RATELIMIT_INTERVAL
// and DEFAULT_RATELIMIT_BURST: 10 per 5 s).
const (
	DefaultInterval = 5e9
	DefaultBurst    = 10
)

// NewRatelimit is a limiter at the default rate.
func NewRatelimit() *Ratelimit {
	return &Ratelimit{Interval: DefaultInterval, Burst: DefaultBurst}
}

// Allow reports whether an event at now (ns) may go through, and, when a
// new interval begins after refusals, how many were refused
// (___ratelimit; with onRelease, as RATELIMIT_MSG_ON_RELEASE, refusals
// are kept for Release instead).
func (r *Ratelimit) Allow(now int64, onRelease bool) (ok bool, suppressed int) {
	if r.Interval == 0 {
		return true, 0
	}
	r.mu.Lock()
	if !r.started {
		r.begin, r.started = now, true
	}
	if now-r.begin > r.Interval {
		if r.missed != 0 && !onRelease {
			suppressed, r.missed = r.missed, 0
		}
		r.begin, r.printed = now, 0
	}
	if r.Burst > r.printed {
		r.printed++
		ok = true
	} else {
		r.missed++
	}
	r.mu.Unlock()
	return ok, suppressed
}

// Release returns the refusals not yet reported (ratelimit_state_exit).
func (r *Ratelimit) Release() int {
	r.mu.Lock()
	n := r.missed
	r.missed = 0
	r.mu.Unlock()
	return n
}
