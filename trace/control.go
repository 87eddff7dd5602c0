package trace

import (
	"strings"
	"sync"
	"sync/atomic"

	"sigil/linux"
)

// Run-time control, as tracefs's files give it: tracing_on, set_event
// and the events/ enable files. Goroutine context.
var (
	ctlMu   sync.Mutex // guards enabled and tracing, and every write of active
	enabled uint32     // the events switched on (a bit per Kind)
	tracing = true     // tracing_on: 1 at boot, as Linux's
)

// publish recomputes active from enabled and tracing. ctlMu held.
func publish() {
	a := uint32(0)
	if tracing {
		a = enabled
	}
	atomic.StoreUint32(&active, a)
}

// TracingOn reports tracing_on.
func TracingOn() bool {
	ctlMu.Lock()
	defer ctlMu.Unlock()
	return tracing
}

// SetTracingOn writes tracing_on: recording stops or resumes, the events
// stay as set (rb_simple_write).
func SetTracingOn(on bool) {
	ctlMu.Lock()
	tracing = on
	publish()
	ctlMu.Unlock()
}

// match is one set_event token's selection, as ftrace_set_clr_event
// splits it: "system:event" (either part empty or "*" for any), or one
// word that names an event or a whole system.
type match struct {
	word, system, event string
}

// selects reports whether m selects kind k
// (__ftrace_set_clr_event_nolock's tests).
func (m match) selects(k Kind) bool {
	e := events[k]
	if m.word != "" && m.word != e.name && m.word != e.system {
		return false
	}
	if m.system != "" && m.system != e.system {
		return false
	}
	return m.event == "" || m.event == e.name
}

// parseToken splits a set_event token: a leading '!' clears instead of
// setting (ftrace_event_write).
func parseToken(tok string) (m match, set bool) {
	set = true
	if strings.HasPrefix(tok, "!") {
		tok, set = tok[1:], false
	}
	sys, ev, ok := strings.Cut(tok, ":")
	if !ok {
		return match{word: tok}, set
	}
	if sys == "*" {
		sys = ""
	}
	if ev == "*" {
		ev = ""
	}
	return match{system: sys, event: ev}, set
}

// apply sets or clears every event m selects; EINVAL when it selects
// none. ctlMu held.
func apply(m match, set bool) error {
	hit := false
	for k := Kind(0); k < numKinds; k++ {
		if !m.selects(k) {
			continue
		}
		hit = true
		if set {
			enabled |= 1 << k
		} else {
			enabled &^= 1 << k
		}
	}
	if !hit {
		return linux.EINVAL
	}
	return nil
}

// SetEvent applies a write to set_event: first clearing every event when
// the file was opened with O_TRUNC (ftrace_event_set_open), then each
// white-space separated token of text in turn. A token that selects no
// event is EINVAL; the tokens before it stay applied.
func SetEvent(text string, trunc bool) error {
	ctlMu.Lock()
	defer ctlMu.Unlock()
	defer publish()
	if trunc {
		enabled = 0
	}
	for _, tok := range strings.Fields(text) {
		m, set := parseToken(tok)
		if m == (match{word: ""}) && !strings.Contains(tok, ":") {
			return linux.EINVAL // "!" alone names nothing
		}
		if err := apply(m, set); err != nil {
			return err
		}
	}
	return nil
}

// EnableEvents sets the comma-separated list of the command line's
// trace_event= (early_enable_events): each item as a set_event token.
// It returns the items that selected no event.
func EnableEvents(list string) (unknown []string) {
	for _, item := range strings.Split(list, ",") {
		if item != "" && SetEvent(item, false) != nil {
			unknown = append(unknown, item)
		}
	}
	return unknown
}

// Enabled is set_event's content: "system:event" for each event on, a
// line each (t_show), in Linux's order of events.
func Enabled() string {
	ctlMu.Lock()
	on := enabled
	ctlMu.Unlock()
	var b strings.Builder
	for k := Kind(0); k < numKinds; k++ {
		if on&(1<<k) != 0 {
			b.WriteString(events[k].system + ":" + events[k].name + "\n")
		}
	}
	return b.String()
}

// Available is available_events: every event, "system:event" a line.
func Available() string {
	var b strings.Builder
	for k := Kind(0); k < numKinds; k++ {
		b.WriteString(events[k].system + ":" + events[k].name + "\n")
	}
	return b.String()
}

// Systems lists the event systems with their events, in order, for the
// events/ directory.
func Systems() (systems []string, eventsOf map[string][]string) {
	eventsOf = map[string][]string{}
	for k := Kind(0); k < numKinds; k++ {
		e := events[k]
		if eventsOf[e.system] == nil {
			systems = append(systems, e.system)
		}
		eventsOf[e.system] = append(eventsOf[e.system], e.name)
	}
	return systems, eventsOf
}

// EnableState is an events/ enable file's content for system and event
// ("" for all): "1" when every event it covers is on, "0" when none is,
// "X" when some are (system_enable_read).
func EnableState(system, event string) string {
	ctlMu.Lock()
	on := enabled
	ctlMu.Unlock()
	m := match{system: system, event: event}
	var set, clear bool
	for k := Kind(0); k < numKinds; k++ {
		if m.selects(k) {
			if on&(1<<k) != 0 {
				set = true
			} else {
				clear = true
			}
		}
	}
	switch {
	case set && clear:
		return "X\n"
	case set:
		return "1\n"
	}
	return "0\n"
}

// SetEnable applies a write to an events/ enable file for system and
// event ("" for all): "0" or "1" (event_enable_write, kstrtoul); EINVAL
// otherwise.
func SetEnable(system, event, text string) error {
	v, ok := parseBool(text)
	if !ok {
		return linux.EINVAL
	}
	ctlMu.Lock()
	defer ctlMu.Unlock()
	defer publish()
	return apply(match{system: system, event: event}, v)
}

// parseBool reads a 0 or 1 as the enable files take it: a number with
// white space around it (kstrtoul_from_user after strstrip).
func parseBool(text string) (v, ok bool) {
	switch strings.TrimSpace(text) {
	case "0":
		return false, true
	case "1":
		return true, true
	}
	return false, false
}

// ParseOnOff reads a write to tracing_on (or /proc/irq_latency): any
// unsigned number, on when not 0 (rb_simple_write's kstrtoul_from_user).
func ParseOnOff(text string) (on, ok bool) {
	s := strings.TrimSpace(text)
	if s == "" {
		return false, false
	}
	n := uint64(0)
	for _, c := range s {
		if c < '0' || c > '9' {
			return false, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<32 {
			n = 1 << 32
		}
	}
	return n != 0, true
}
