package filelock

import (
	"fmt"
	"strings"
	"testing"

	"sigil/linux"
)

// dump lists key's POSIX/OFD locks in list order as "owner:T[start,end]".
func dump(t *Table, key any) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	fl := t.files[key]
	if fl == nil {
		return ""
	}
	var s []string
	for e := fl.posix.Front(); e != nil; e = e.Next() {
		h := e.Value.(*held)
		end := fmt.Sprint(h.End)
		if h.End == OffsetMax {
			end = "EOF"
		}
		s = append(s, fmt.Sprintf("%v:%c[%d,%s]", h.Owner, "RWU"[h.Type], h.Start, end))
	}
	return strings.Join(s, " ")
}

func px(owner string, typ Type, start, end int64) Lock {
	return Lock{Class: Posix, Type: typ, Start: start, End: end, Owner: owner, Pid: int32(owner[0])}
}

func TestRange(t *testing.T) {
	const max = OffsetMax
	for _, c := range []struct {
		base, start, len int64
		s, e             int64
		err              error
	}{
		{0, 0, 0, 0, max, nil},
		{0, 10, 5, 10, 14, nil},
		{0, 10, -5, 5, 9, nil},
		{0, 10, -10, 0, 9, nil},
		{0, 10, -11, 0, 0, linux.EINVAL},
		{0, -1, 1, 0, 0, linux.EINVAL},
		{100, -50, 0, 50, max, nil},
		{100, -101, 1, 0, 0, linux.EINVAL},
		{1, max, 1, 0, 0, linux.EOVERFLOW},
		{0, max, 1, max, max, nil},
		{0, max, 2, 0, 0, linux.EOVERFLOW},
		{0, 1, max, 1, max, nil},
		{0, 2, max, 0, 0, linux.EOVERFLOW},
		{0, max, -max, 0, max - 1, nil},
		{0, 0, -1 << 63, 0, 0, linux.EINVAL},
		{max, 0, 0, max, max, nil},
	} {
		s, e, err := Range(c.base, c.start, c.len)
		if err != c.err || err == nil && (s != c.s || e != c.e) {
			t.Errorf("Range(%d, %d, %d) = %d, %d, %v; want %d, %d, %v", c.base, c.start, c.len, s, e, err, c.s, c.e, c.err)
		}
	}
}

func TestPosixSplitMerge(t *testing.T) {
	var tb Table
	set := func(l Lock) {
		t.Helper()
		if _, err := tb.Set("f", Inode{}, l, false); err != nil {
			t.Fatalf("Set %+v: %v", l, err)
		}
	}
	set(px("A", Write, 0, OffsetMax))
	set(px("A", Unlock, 10, 19))
	if got, want := dump(&tb, "f"), "A:W[0,9] A:W[20,EOF]"; got != want {
		t.Fatalf("split: %s, want %s", got, want)
	}
	set(px("A", Read, 5, 24))
	if got, want := dump(&tb, "f"), "A:W[0,4] A:R[5,24] A:W[25,EOF]"; got != want {
		t.Fatalf("retype: %s, want %s", got, want)
	}
	set(px("A", Write, 5, 24))
	if got, want := dump(&tb, "f"), "A:W[0,EOF]"; got != want {
		t.Fatalf("merge: %s, want %s", got, want)
	}
	set(px("A", Unlock, 0, OffsetMax))
	if got := dump(&tb, "f"); got != "" || tb.Locked("f") {
		t.Fatalf("unlock all: %q, file still listed %v", got, tb.Locked("f"))
	}
	// Adjacent ranges of one type merge; of different types they stay.
	set(px("A", Read, 0, 9))
	set(px("A", Read, 10, 19))
	set(px("A", Write, 20, 29))
	if got, want := dump(&tb, "f"), "A:R[0,19] A:W[20,29]"; got != want {
		t.Fatalf("adjacent: %s, want %s", got, want)
	}
	// Owners stay grouped in order of first lock.
	set(px("B", Read, 100, 109))
	set(px("A", Read, 200, 209))
	if got, want := dump(&tb, "f"), "A:R[0,19] A:W[20,29] A:R[200,209] B:R[100,109]"; got != want {
		t.Fatalf("owner order: %s, want %s", got, want)
	}
}

func TestPosixConflicts(t *testing.T) {
	var tb Table
	tb.Set("f", Inode{}, px("A", Write, 10, 19), false)
	tb.Set("f", Inode{}, px("A", Read, 30, 39), false)
	if _, err := tb.Set("f", Inode{}, px("B", Read, 19, 19), false); err != linux.EAGAIN {
		t.Errorf("read over write: %v, want EAGAIN", err)
	}
	if _, err := tb.Set("f", Inode{}, px("B", Read, 30, 50), false); err != nil {
		t.Errorf("read over read: %v", err)
	}
	if _, err := tb.Set("f", Inode{}, px("B", Write, 20, 29), false); err != nil {
		t.Errorf("write beside: %v", err)
	}
	if l, ok := tb.Test("f", px("C", Write, 0, OffsetMax)); !ok || l.Owner != "A" || l.Start != 10 || l.End != 19 || l.Pid != 'A' {
		t.Errorf("Test reports %+v %v, want A's first lock", l, ok)
	}
	if l, ok := tb.Test("f", px("C", Read, 35, 35)); ok {
		t.Errorf("Test read over reads reports %+v", l)
	}
	if _, ok := tb.Test("f", px("A", Write, 0, OffsetMax)); !ok {
		t.Errorf("A's Test misses B's locks")
	}
	// An owner never conflicts with itself; OFD owners are separate.
	if _, err := tb.Set("f", Inode{}, px("A", Write, 0, 100), false); err != linux.EAGAIN {
		t.Errorf("A over B's locks: %v, want EAGAIN", err)
	}
	if _, err := tb.Set("f", Inode{}, Lock{Class: OFD, Type: Write, Start: 10, End: 10, Owner: "desc"}, false); err != linux.EAGAIN {
		t.Errorf("OFD over POSIX: %v, want EAGAIN", err)
	}
}

func TestFlock(t *testing.T) {
	var tb Table
	fl := func(owner string, typ Type) Lock { return Lock{Class: Flock, Type: typ, Owner: owner} }
	if _, err := tb.Set("f", Inode{}, fl("d1", Read), false); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Set("f", Inode{}, fl("d2", Read), false); err != nil {
		t.Fatal("two shared:", err)
	}
	if _, err := tb.Set("f", Inode{}, fl("d2", Write), false); err != linux.EAGAIN {
		t.Fatal("upgrade over a shared lock:", err)
	}
	// The failed conversion dropped d2's shared lock (flock_lock_inode).
	if _, err := tb.Set("f", Inode{}, fl("d1", Write), false); err != nil {
		t.Fatal("upgrade once alone:", err)
	}
	// POSIX locks do not see flock locks.
	if _, err := tb.Set("f", Inode{}, px("A", Write, 0, OffsetMax), false); err != nil {
		t.Fatal("posix beside flock:", err)
	}
	w, err := tb.Set("f", Inode{}, fl("d2", Read), true)
	if err != nil || w == nil {
		t.Fatalf("wait: %v %v", w, err)
	}
	tb.Set("f", Inode{}, fl("d1", Unlock), false)
	select {
	case <-w.Done():
	default:
		t.Fatal("unlock did not wake the waiter")
	}
	if _, err := tb.Set("f", Inode{}, fl("d2", Read), true); err != nil {
		t.Fatal("retry:", err)
	}
	tb.RemoveFile("f", "d2")
	tb.RemovePosix("f", "A")
	if tb.Locked("f") {
		t.Fatal("locks left after RemoveFile and RemovePosix")
	}
}

func TestDeadlock(t *testing.T) {
	var tb Table
	tb.Set("f", Inode{}, px("A", Write, 1, 1), false)
	tb.Set("g", Inode{}, px("B", Write, 2, 2), false)
	wa, err := tb.Set("g", Inode{}, px("A", Write, 2, 2), true)
	if err != nil || wa == nil {
		t.Fatalf("A waits for B: %v %v", wa, err)
	}
	if _, err := tb.Set("f", Inode{}, px("B", Write, 1, 1), true); err != linux.EDEADLK {
		t.Fatalf("B waits for A: %v, want EDEADLK", err)
	}
	// A third owner waiting is no deadlock; nor is an OFD request.
	wc, err := tb.Set("f", Inode{}, px("C", Write, 1, 1), true)
	if err != nil || wc == nil {
		t.Fatalf("C waits for A: %v %v", wc, err)
	}
	if w, err := tb.Set("f", Inode{}, Lock{Class: OFD, Type: Write, Start: 1, End: 1, Owner: "B"}, true); err != nil || w == nil {
		t.Fatalf("OFD wait: %v %v", w, err)
	} else {
		tb.Cancel(w)
	}
	// Once A gives up waiting, B may wait.
	tb.Cancel(wa)
	wb, err := tb.Set("f", Inode{}, px("B", Write, 1, 1), true)
	if err != nil || wb == nil {
		t.Fatalf("B waits after A cancelled: %v %v", wb, err)
	}
	if got := tb.ProcLocks(); !strings.Contains(got, "1: POSIX  ADVISORY  WRITE 66 00:00:0 2 2\n") ||
		!strings.Contains(got, "2: -> POSIX  ADVISORY  WRITE 67 00:00:0 1 1\n") {
		t.Fatalf("ProcLocks:\n%s", got)
	}
	tb.RemovePosix("f", "A")
	for _, w := range []*Waiter{wb, wc} {
		select {
		case <-w.Done():
		default:
			t.Fatal("removal did not wake a waiter")
		}
	}
}

func TestProcLocks(t *testing.T) {
	var tb Table
	ino := Inode{Dev: 5, Ino: 1234}
	tb.Set("f", ino, px("A", Write, 0, OffsetMax), false)
	tb.Set("f", ino, Lock{Class: OFD, Type: Read, Start: 100, End: 199, Owner: "d"}, false)
	tb.Set("f", ino, Lock{Class: Flock, Type: Write, Owner: "d", Pid: 7}, false)
	if _, err := tb.Set("f", ino, Lock{Class: OFD, Type: Read, Start: 100, End: 199, Owner: "d"}, false); err != linux.EAGAIN {
		t.Fatalf("OFD over A's write lock: %v", err)
	}
	tb.Set("f", ino, px("A", Unlock, 100, 199), false)
	tb.Set("f", ino, Lock{Class: OFD, Type: Read, Start: 100, End: 199, Owner: "d"}, false)
	// Newest first: the split's left half is a new lock (posix_lock_inode
	// copies right into left), the original keeps its place as the right.
	want := "1: OFDLCK ADVISORY  READ -1 00:05:1234 100 199\n" +
		"2: POSIX  ADVISORY  WRITE 65 00:05:1234 0 99\n" +
		"3: FLOCK  ADVISORY  WRITE 7 00:05:1234 0 EOF\n" +
		"4: POSIX  ADVISORY  WRITE 65 00:05:1234 200 EOF\n"
	if got := tb.ProcLocks(); got != want {
		t.Fatalf("ProcLocks:\n%s\nwant:\n%s", got, want)
	}
}
