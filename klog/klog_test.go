package klog

import (
	"bytes"
	"fmt"
	"testing"
)

func TestRingWrapAndSequence(t *testing.T) {
	r := NewRing(make([]byte, 4096))
	var kept [][]byte
	for i := 0; i < 500; i++ {
		text := bytes.Repeat([]byte{byte('a' + i%26)}, i%97)
		if seq := r.Store(0, uint8(i%8), uint64(i), text); seq != uint64(i) {
			t.Fatalf("record %d got seq %d", i, seq)
		}
		kept = append(kept, text)
		// Every record from FirstSeq to NextSeq reads back whole.
		c := r.Start()
		for s := r.FirstSeq(); s < r.NextSeq(); s++ {
			rec, text, ok := r.Read(&c, nil)
			if !ok || rec.Seq != s || !bytes.Equal(text, kept[s]) || rec.Level != uint8(s%8) || rec.TimeUS != s {
				t.Fatalf("after %d stores: record %d = %+v %q, ok %v", i+1, s, rec, text, ok)
			}
		}
		if _, _, ok := r.Read(&c, nil); ok {
			t.Fatalf("read past the newest record")
		}
	}
	if r.FirstSeq() == 0 {
		t.Fatal("4 KiB held 500 records: nothing was dropped")
	}
}

func TestReaderFallsBehind(t *testing.T) {
	r := NewRing(make([]byte, 2048))
	r.Store(0, 6, 1, []byte("first"))
	c := r.Start()
	for i := 0; i < 100; i++ {
		r.Store(0, 6, 2, []byte(fmt.Sprintf("line %d", i)))
	}
	first := r.FirstSeq()
	if rec, _, ok := r.Read(&c, nil); !ok || rec.Seq != first || first == 0 {
		t.Fatalf("a reader behind read %+v (oldest kept %d)", rec, first)
	}
	// Seek finds a record by number, and End reads nothing until a store.
	c = r.Seek(r.NextSeq() - 3)
	if rec, text, _ := r.Read(&c, nil); rec.Seq != r.NextSeq()-3 || string(text) != "line 97" {
		t.Fatalf("Seek: %+v %q", rec, text)
	}
	e := r.End()
	if _, _, ok := r.Read(&e, nil); ok {
		t.Fatal("End read a record")
	}
	r.Store(1, 3, 9, []byte("new"))
	if rec, text, ok := r.Read(&e, nil); !ok || string(text) != "new" || rec.Facility != 1 {
		t.Fatalf("End then store: %+v %q", rec, text)
	}
}

func TestLongLineCut(t *testing.T) {
	r := NewRing(make([]byte, 8192))
	r.Store(0, 4, 0, bytes.Repeat([]byte("x"), 5000))
	c := r.Start()
	if _, text, _ := r.Read(&c, nil); len(text) != LineMax {
		t.Fatalf("stored %d bytes", len(text))
	}
}

func TestFormats(t *testing.T) {
	rec := Record{Seq: 42, TimeUS: 12_345_678, Facility: 1, Level: 5}
	buf := make([]byte, 0, 1024)
	if got := string(AppendSyslog(buf, rec, []byte("a\nb"))); got != "<13>[   12.345678] a\n<13>[   12.345678] b\n" {
		t.Errorf("syslog: %q", got)
	}
	if n := SyslogSize(rec, []byte("a\nb")); n != len("<13>[   12.345678] a\n<13>[   12.345678] b\n") {
		t.Errorf("SyslogSize %d", n)
	}
	rec.TimeUS = 123_456_000_001
	if got := string(AppendSyslog(buf, rec, []byte("x"))); got != "<13>[123456.000001] x\n" {
		t.Errorf("syslog wide: %q", got)
	}
	if got := string(AppendKmsg(buf, rec, []byte("a\\b\x01\n\xff"))); got != `13,42,123456000001,-;a\x5cb\x01\x0a\xff`+"\n" {
		t.Errorf("kmsg: %q", got)
	}
	// A full destination cuts instead of growing.
	small := AppendSyslog(make([]byte, 0, 10), rec, []byte("long text"))
	if len(small) != 10 || cap(small) != 10 {
		t.Errorf("cut: %q", small)
	}
}

func TestPrefixes(t *testing.T) {
	kernel := func(in string, level, n int) {
		if l, m := ParsePrefix([]byte(in)); l != level || m != n {
			t.Errorf("ParsePrefix(%q) = %d, %d; want %d, %d", in, l, m, level, n)
		}
	}
	kernel("<3>x", 3, 3)
	kernel("<7>", 7, 3)
	kernel("<8>x", -1, 0)
	kernel("\0015x", 5, 2)
	kernel("<3", -1, 0)
	kernel("x<3>", -1, 0)
	user := func(in string, fac, lvl int, want string) {
		f, l, text := ParseUserPrefix([]byte(in), FacilityUser, DefaultMessageLevel)
		if f != fac || l != lvl || string(text) != want {
			t.Errorf("ParseUserPrefix(%q) = %d, %d, %q", in, f, l, text)
		}
	}
	user("hi", 1, 4, "hi")
	user("<3>hi", 1, 3, "hi")
	user("<27>hi", 3, 3, "hi")
	user("<0>hi", 1, 0, "hi")
	user("<x>hi", 1, 4, "<x>hi")
	user("<12", 1, 4, "<12")
	user("<>hi", 1, 0, "hi")
	user("<4294967303>x", 1, 7, "x")
}

func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{"<3>x", "\0017", "<", "<12>", "<99999999999>y"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, n := ParsePrefix(b)
		if n == 0 && l != -1 || n != 0 && (l < 0 || l > 7 || n > len(b)) {
			t.Fatalf("ParsePrefix(%q) = %d, %d", b, l, n)
		}
		fac, lvl, text := ParseUserPrefix(b, FacilityUser, DefaultMessageLevel)
		if lvl < 0 || lvl > 7 || fac < 1 || fac > 255 || len(text) > len(b) || !bytes.HasSuffix(b, text) {
			t.Fatalf("ParseUserPrefix(%q) = %d, %d, %q", b, fac, lvl, text)
		}
	})
}

func TestRatelimit(t *testing.T) {
	r := NewRatelimit()
	const s = int64(1e9)
	for i := 0; i < 15; i++ {
		ok, sup := r.Allow(int64(i), false)
		if ok != (i < 10) || sup != 0 {
			t.Fatalf("event %d: ok %v suppressed %d", i, ok, sup)
		}
	}
	if ok, sup := r.Allow(6*s, false); !ok || sup != 5 {
		t.Fatalf("next interval: ok %v suppressed %d, want 5", ok, sup)
	}
	// With onRelease the count waits for Release.
	r = NewRatelimit()
	for i := 0; i < 12; i++ {
		r.Allow(0, true)
	}
	if ok, sup := r.Allow(6*s, true); !ok || sup != 0 {
		t.Fatalf("onRelease: ok %v suppressed %d", ok, sup)
	}
	if n := r.Release(); n != 2 {
		t.Fatalf("Release %d, want 2", n)
	}
}

func TestSyslogGlobal(t *testing.T) {
	SyslogClear()
	Store(0, 6, []byte("one"))
	Store(0, 3, []byte("two"))
	if got := string(SyslogReadAll(1<<16, false)); got != "<6>[    0.000000] one\n<3>[    0.000000] two\n" {
		t.Fatalf("READ_ALL: %q", got)
	}
	// Only the newest whole record fits in 30 bytes.
	if got := string(SyslogReadAll(30, false)); got != "<3>[    0.000000] two\n" {
		t.Fatalf("READ_ALL 30: %q", got)
	}
	for SyslogSizeUnread() > 0 {
		SyslogRead(1 << 16)
	}
	Store(0, 6, []byte("three"))
	n := SyslogSizeUnread()
	if got := string(SyslogRead(5)); got != "<6>[ " || SyslogSizeUnread() != n-5 {
		t.Fatalf("partial READ: %q, unread %d of %d", got, SyslogSizeUnread(), n)
	}
	if got := string(SyslogRead(100)); got != "   0.000000] three\n" {
		t.Fatalf("rest of READ: %q", got)
	}
	rd := NewReader()
	rd.Seek(2)
	Store(1, 5, []byte("kmsg"))
	out, ok, lost := rd.Next(make([]byte, 0, 256))
	if !ok || lost || !bytes.HasPrefix(out, []byte("13,")) || !bytes.HasSuffix(out, []byte(",0,-;kmsg\n")) {
		t.Fatalf("kmsg reader: %q %v %v", out, ok, lost)
	}
}
