package filelock

import (
	"cmp"
	"container/list"
	"fmt"
	"slices"
	"strings"
)

// Pid reports a lock's owner as /proc/locks and F_GETLK do
// (locks_translate_pid, posix_lock_to_flock): -1 for OFD locks.
func Pid(l Lock) int32 {
	if l.Class == OFD {
		return -1
	}
	return l.Pid
}

// ProcLocks is /proc/locks (locks_show, lock_get_status): every held
// lock, newest first as Linux's file_lock_list hands them out, each
// followed by the requests waiting for it ("-> "). dev is st_dev in the
// user's encoding, printed as MAJOR:MINOR in hex.
func (t *Table) ProcLocks() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	type entry struct {
		h   *held
		ino Inode
	}
	var all []entry
	for _, fl := range t.files {
		for _, l := range []*list.List{fl.posix, fl.flock} {
			for e := l.Front(); e != nil; e = e.Next() {
				all = append(all, entry{e.Value.(*held), fl.ino})
			}
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.h.seq, a.h.seq) })
	var b strings.Builder
	for i, e := range all {
		statusLine(&b, i+1, "", e.h.Lock, e.ino)
		for _, w := range e.h.waiters {
			statusLine(&b, i+1, "-> ", w.req, e.ino)
		}
	}
	return b.String()
}

// statusLine is lock_get_status.
func statusLine(b *strings.Builder, id int, pfx string, l Lock, ino Inode) {
	fmt.Fprintf(b, "%d: %s", id, pfx)
	switch l.Class {
	case Posix:
		b.WriteString("POSIX  ADVISORY  ")
	case OFD:
		b.WriteString("OFDLCK ADVISORY  ")
	default:
		b.WriteString("FLOCK  ADVISORY  ")
	}
	b.WriteString([...]string{Read: "READ ", Write: "WRITE ", Unlock: "UNLCK "}[l.Type])
	major, minor := (ino.Dev>>8)&0xfff, ino.Dev&0xff|(ino.Dev>>12)&^0xff
	fmt.Fprintf(b, "%d %02x:%02x:%d ", Pid(l), major, minor, ino.Ino)
	if l.End == OffsetMax { // flock locks run from 0 to OffsetMax
		fmt.Fprintf(b, "%d EOF\n", l.Start)
	} else {
		fmt.Fprintf(b, "%d %d\n", l.Start, l.End)
	}
}
