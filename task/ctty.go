// Controlling terminals and job control, for every terminal alike (the
// console and pseudo-terminal slaves): drivers/tty/tty_jobctrl.c.

package task

import (
	"sync"

	"sigil/file"
	"sigil/linux"
	"sigil/signal"
	"sigil/tty"
)

var (
	// cttyMu guards sessionTTY and detached, and orders the terminals'
	// session and foreground changes with them (Linux's tasklist_lock
	// with tty->ctrl.lock).
	cttyMu sync.Mutex
	// sessionTTY is each session's controlling terminal (signal->tty,
	// the same for every process of a session in Linux).
	sessionTTY = map[int32]*tty.TTY{}
	// detached holds the processes that left their session's terminal
	// with TIOCNOTTY without leading the session (proc_clear_tty); their
	// children made after that still inherit the session's terminal.
	detached = map[*Process]bool{}
)

// ids returns p's process group and session.
func (p *Process) ids() (pgid, sid int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pgid, p.sid
}

// controllingLocked is p's controlling terminal, nil without one; cttyMu
// is held.
func controllingLocked(p *Process, sid int32) *tty.TTY {
	if detached[p] {
		return nil
	}
	return sessionTTY[sid]
}

// controlling is get_current_tty.
func (p *Process) controlling() *tty.TTY {
	_, sid := p.ids()
	cttyMu.Lock()
	defer cttyMu.Unlock()
	return controllingLocked(p, sid)
}

// setControllingLocked is __proc_set_tty: tt becomes session sid's
// terminal with pgid in front; cttyMu is held.
func setControllingLocked(tt *tty.TTY, sid, pgid int32) {
	if old := sessionTTY[sid]; old != nil && old != tt {
		old.SetForeground(0, 0)
	}
	sessionTTY[sid] = tt
	tt.SetForeground(pgid, sid)
}

// openControlling is tty_open_proc_set_tty: a session leader without a
// terminal that opens one no session owns, without O_NOCTTY, gets it.
// The console and /dev/tty never become one this way (tty_open's noctty).
func (t *Thread) openControlling(tt *tty.TTY, flags uint64) {
	if flags&linux.O_NOCTTY != 0 {
		return
	}
	p := t.p
	pgid, sid := p.ids()
	cttyMu.Lock()
	defer cttyMu.Unlock()
	if sid == p.PID && controllingLocked(p, sid) == nil && tt.Session() == 0 && !tt.HungUp() {
		setControllingLocked(tt, sid, pgid)
	}
}

// tiocsctty is TIOCSCTTY: only a session leader without a terminal may
// take one, and one another session owns only with steal (arg 1) and
// CAP_SYS_ADMIN; the file must be readable unless CAP_SYS_ADMIN.
func (t *Thread) tiocsctty(tt *tty.TTY, f *file.File, steal bool) error {
	p := t.p
	pgid, sid := p.ids()
	admin := t.creds().Capable(linux.CAP_SYS_ADMIN)
	cttyMu.Lock()
	defer cttyMu.Unlock()
	if sid == p.PID && tt.Session() == sid && controllingLocked(p, sid) == tt {
		return nil // already ours
	}
	if sid != p.PID || controllingLocked(p, sid) != nil {
		return linux.EPERM
	}
	if f.Flags&linux.O_ACCMODE == linux.O_WRONLY && !admin {
		return linux.EPERM
	}
	if owner := tt.Session(); owner != 0 {
		if !steal || !admin {
			return linux.EPERM
		}
		delete(sessionTTY, owner) // session_clear_tty
	}
	if tt.HungUp() {
		return linux.EIO
	}
	setControllingLocked(tt, sid, pgid)
	return nil
}

// tiocnotty is TIOCNOTTY: a session leader gives the terminal up for its
// whole session, its foreground group getting SIGHUP and SIGCONT
// (disassociate_ctty(0)); another process only for itself.
func (t *Thread) tiocnotty(tt *tty.TTY) error {
	p := t.p
	_, sid := p.ids()
	cttyMu.Lock()
	if controllingLocked(p, sid) != tt {
		cttyMu.Unlock()
		return linux.ENOTTY
	}
	if sid != p.PID {
		detached[p] = true
		cttyMu.Unlock()
		return nil
	}
	fg, _ := tt.Foreground()
	delete(sessionTTY, sid)
	tt.SetForeground(0, 0)
	cttyMu.Unlock()
	if fg > 0 {
		SignalGroup(linux.SIGHUP, fg)
		SignalGroup(linux.SIGCONT, fg)
	}
	return nil
}

// exitControlling is do_exit's part: a session leader's exit takes the
// terminal from its session, and the foreground group of a pseudo-
// terminal gets SIGHUP (disassociate_ctty(1); the console, which only
// init's session has, stays as it is).
func exitControlling(p *Process) {
	_, sid := p.ids()
	cttyMu.Lock()
	delete(detached, p)
	tt := sessionTTY[sid]
	if sid != p.PID || tt == nil {
		cttyMu.Unlock()
		return
	}
	if tt == theConsole {
		cttyMu.Unlock()
		return
	}
	fg, _ := tt.Foreground()
	delete(sessionTTY, sid)
	tt.SetForeground(0, 0)
	cttyMu.Unlock()
	if fg > 0 {
		SignalGroup(linux.SIGHUP, fg)
	}
}

// hangupSession is tty_signal_session_leader, after a hangup (the
// master of a pseudo-terminal closed): the session loses the terminal,
// its leader gets SIGHUP and SIGCONT.
func hangupSession(tt *tty.TTY) {
	cttyMu.Lock()
	var sid int32
	for s, x := range sessionTTY {
		if x == tt {
			sid = s
			delete(sessionTTY, s)
		}
	}
	cttyMu.Unlock()
	tt.Hangup()
	if sid == 0 {
		return
	}
	if leader := Lookup(sid); leader != nil {
		_, lsid := leader.ids()
		if lsid == sid {
			leader.send(nil, signal.Info(int(linux.SIGHUP), linux.SI_KERNEL))
			leader.send(nil, signal.Info(int(linux.SIGCONT), linux.SI_KERNEL))
		}
	}
}

// checkChange is __tty_check_change: a process of a background group
// that reads its controlling terminal (SIGTTIN) or changes it (SIGTTOU)
// has its group signalled and the call restarted after the stop; EIO
// when it ignores or blocks SIGTTIN or its group is orphaned, and no
// objection when it ignores or blocks SIGTTOU.
func (t *Thread) checkChange(tt *tty.TTY, sig linux.Signal) error {
	p := t.p
	pgid, sid := p.ids()
	cttyMu.Lock()
	mine := controllingLocked(p, sid) == tt
	cttyMu.Unlock()
	if !mine {
		return nil
	}
	fg, _ := tt.Foreground()
	if fg == 0 || fg == pgid {
		return nil
	}
	p.mu.Lock()
	ignored := t.sig.mask.Has(int(sig)) || p.actions[sig].Handler == linux.SIG_IGN
	p.mu.Unlock()
	switch {
	case ignored:
		if sig == linux.SIGTTIN {
			return linux.EIO
		}
		return nil
	case orphanedPgrp(pgid):
		return linux.EIO
	}
	SignalGroup(sig, pgid)
	return linux.ERESTARTSYS
}

// orphanedPgrp is will_become_orphaned_pgrp(pgrp, NULL): no member has a
// parent, other than init, in another group of the same session.
func orphanedPgrp(pgid int32) bool {
	orphaned := true
	eachInGroup(pgid, func(_, parent *Process, sid int32) bool {
		if parent == nil || parent.PID == 1 {
			return true
		}
		ppg, psid := parent.ids()
		orphaned = ppg == pgid || psid != sid
		return orphaned
	})
	return orphaned
}

// sessionOfPgrp reports whether process group pgid has a member, and
// whether one is in session sid (session_of_pgrp).
func sessionOfPgrp(pgid, sid int32) (exists, same bool) {
	for _, p := range unordered() {
		pg, s := p.ids()
		p.mu.Lock()
		zombie := p.zombie
		p.mu.Unlock()
		if pg == pgid && !zombie {
			exists = true
			if s == sid {
				return true, true
			}
		}
	}
	return exists, false
}
