package unixsock

import (
	"bytes"
	"testing"

	"sigil/linux"
)

var root = Cred{PID: 1}

type right struct{ refs *int }

func (r right) Dup() Right { *r.refs++; return r }
func (r right) Release()   { *r.refs-- }

func read(t *testing.T, s *Socket, n int) string {
	t.Helper()
	r := &Read{Size: n, Target: 1}
	if e := s.ReadStream(r); e != 0 {
		t.Fatalf("ReadStream: %v", e)
	}
	return string(r.Data)
}

func TestStreamPair(t *testing.T) {
	a, b := Pair(Stream, root)
	if n, e := a.SendStream([]byte("hello"), &Out{}); n != 5 || e != 0 {
		t.Fatalf("send: %d %v", n, e)
	}
	a.SendStream([]byte(" world"), &Out{})
	if got := read(t, b, 3); got != "hel" {
		t.Errorf("read 3: %q", got)
	}
	if got := read(t, b, 100); got != "lo world" {
		t.Errorf("read rest: %q (stream glues messages)", got)
	}
	if e := b.ReadStream(&Read{Size: 10, Target: 1}); e != linux.EAGAIN {
		t.Errorf("empty: %v, want EAGAIN", e)
	}
	a.Shutdown(linux.SHUT_WR)
	if got := read(t, b, 10); got != "" {
		t.Errorf("after shutdown: %q, want EOF", got)
	}
	if _, e := a.SendStream([]byte("x"), &Out{}); e != linux.EPIPE {
		t.Errorf("send after SHUT_WR: %v, want EPIPE", e)
	}
	if b.Poll()&linux.EPOLLRDHUP == 0 {
		t.Errorf("peer poll %#x lacks EPOLLRDHUP", b.Poll())
	}
}

func TestStreamCloseResets(t *testing.T) {
	a, b := Pair(Stream, root)
	b.SendStream([]byte("unread"), &Out{})
	b.Close()
	a.Close()
	a, b = Pair(Stream, root)
	a.SendStream([]byte("unread"), &Out{})
	a.Close() // b's queue holds data, a's does not: no reset for b
	if e := b.TakeError(); e != 0 {
		t.Errorf("SO_ERROR %v, want 0", e)
	}
	c, d := Pair(Stream, root)
	c.SendStream([]byte("x"), &Out{})
	d.Close() // d leaves data unread: c sees ECONNRESET
	if e := c.TakeError(); e != linux.ECONNRESET {
		t.Errorf("SO_ERROR %v, want ECONNRESET", e)
	}
	if _, e := c.SendStream([]byte("x"), &Out{}); e != linux.EPIPE {
		t.Errorf("send to closed peer: %v, want EPIPE", e)
	}
	if m := c.Poll(); m&linux.EPOLLHUP == 0 {
		t.Errorf("poll %#x lacks EPOLLHUP", m)
	}
}

func TestStreamCredsAndRights(t *testing.T) {
	a, b := Pair(Stream, root)
	b.SetPassCred(true)
	refs := 1
	c1, c2 := Cred{PID: 5}, Cred{PID: 6}
	a.SendStream([]byte("ab"), &Out{Cred: &c1})
	a.SendStream([]byte("cd"), &Out{Cred: &c2})
	r := &Read{Size: 10, Target: 1}
	b.ReadStream(r)
	if string(r.Data) != "ab" || r.In.Cred != c1 {
		t.Errorf("read %q cred %+v: must stop where credentials change", r.Data, r.In.Cred)
	}
	read(t, b, 10)
	a.SendStream([]byte("12"), &Out{Rights: []Right{right{&refs}}})
	a.SendStream([]byte("34"), &Out{})
	r = &Read{Size: 10, Target: 1, Peek: true}
	b.ReadStream(r)
	if string(r.Data) != "12" || len(r.In.Rights) != 1 || refs != 2 {
		t.Errorf("peek %q rights %d refs %d", r.Data, len(r.In.Rights), refs)
	}
	r.In.Rights[0].Release()
	r = &Read{Size: 10, Target: 1}
	b.ReadStream(r)
	if string(r.Data) != "12" || len(r.In.Rights) != 1 {
		t.Errorf("read %q rights %d: must stop after rights", r.Data, len(r.In.Rights))
	}
	a.SendStream([]byte("56"), &Out{Rights: []Right{right{&refs}.Dup()}})
	b.Close() // the unread right is released
	if refs != 1 {
		t.Errorf("refs %d after close, want 1", refs)
	}
}

func TestDgram(t *testing.T) {
	a, b := Pair(Dgram, root)
	a.SendDgram([]byte("first"), nil, &Out{})
	a.SendDgram(nil, nil, &Out{})
	p := make([]byte, 3)
	n, in, e := b.ReadDgram(p, false, false)
	if n != 3 || !in.Trunc || in.Len != 5 || e != 0 {
		t.Errorf("short read: %d %+v %v", n, in, e)
	}
	n, in, e = b.ReadDgram(p, false, false)
	if n != 0 || in.Trunc || e != 0 {
		t.Errorf("empty datagram: %d %+v %v", n, in, e)
	}
	if _, _, e := b.ReadDgram(p, false, true); e != linux.EAGAIN {
		t.Errorf("empty queue: %v", e)
	}
	big := make([]byte, DefaultBuf)
	if e := a.SendDgram(big, nil, &Out{}); e != linux.EMSGSIZE {
		t.Errorf("big: %v, want EMSGSIZE", e)
	}
	c := New(Dgram, root)
	if e := c.SendDgram([]byte("x"), a, &Out{}); e != linux.EPERM {
		t.Errorf("send to an associated socket: %v, want EPERM", e)
	}
	if e := c.SendDgram([]byte("x"), nil, &Out{}); e != linux.ENOTCONN {
		t.Errorf("unconnected: %v", e)
	}
	// An unassociated receiver's queue fills at max_dgram_qlen.
	d := New(Dgram, root)
	var e2 linux.Errno
	i := 0
	for ; i < 100 && e2 == 0; i++ {
		e2 = c.SendDgram([]byte("x"), d, &Out{})
	}
	if e2 != linux.EAGAIN || i != maxDgramQlen+2 {
		t.Errorf("queue full after %d: %v", i, e2)
	}
	b.Close()
	if e := a.SendDgram([]byte("x"), nil, &Out{}); e != linux.ECONNREFUSED {
		t.Errorf("peer closed: %v, want ECONNREFUSED", e)
	}
	if e := a.SendDgram([]byte("x"), nil, &Out{}); e != linux.ENOTCONN {
		t.Errorf("after the refusal: %v, want ENOTCONN", e)
	}
}

func TestSeqPacketListen(t *testing.T) {
	l := New(SeqPacket, root)
	if e := l.Listen(5, root); e != linux.EINVAL {
		t.Errorf("listen unbound: %v", e)
	}
	name := Addr{"\x00seq"}
	if e := l.BindAbstract(name); e != 0 {
		t.Fatal(e)
	}
	if e := New(SeqPacket, root).BindAbstract(name); e != linux.EADDRINUSE {
		t.Errorf("second bind: %v", e)
	}
	if e := New(Stream, root).BindAbstract(name); e != 0 {
		t.Errorf("same name, other type: %v", e)
	}
	if _, e := l.Accept(); e != linux.EINVAL {
		t.Errorf("accept before listen: %v", e)
	}
	l.Listen(0, Cred{PID: 9})
	found, e := FindAbstract(name, SeqPacket)
	if e != 0 || found != l {
		t.Fatal(e)
	}
	c := New(SeqPacket, Cred{PID: 2})
	if e := c.Connect(l, Cred{PID: 2}); e != 0 {
		t.Fatal(e)
	}
	if e := New(SeqPacket, root).Connect(l, root); e != linux.EAGAIN {
		t.Errorf("backlog full: %v", e)
	}
	if e := c.Connect(l, root); e != linux.EAGAIN {
		t.Errorf("connect again: %v", e)
	}
	s, e := l.Accept()
	if e != 0 {
		t.Fatal(e)
	}
	if e := c.Connect(l, root); e != linux.EISCONN {
		t.Errorf("connect again: %v, want EISCONN", e)
	}
	if pc, _ := c.PeerCred(); pc.PID != 9 {
		t.Errorf("client's peer cred %+v, want the listener's", pc)
	}
	if pc, _ := s.PeerCred(); pc.PID != 2 {
		t.Errorf("server's peer cred %+v, want the client's", pc)
	}
	if a := s.Name(); a == nil || a.Name != name.Name {
		t.Errorf("accepted socket's name %v", a)
	}
	c.SendDgram([]byte("one"), nil, &Out{})
	c.SendDgram([]byte("two"), nil, &Out{})
	p := make([]byte, 10)
	if n, _, _ := s.ReadDgram(p, false, false); string(p[:n]) != "one" {
		t.Errorf("record %q", p[:n])
	}
	c.Close()
	if n, _, e := s.ReadDgram(p, false, false); string(p[:n]) != "two" || e != 0 {
		t.Errorf("record %q %v", p[:n], e)
	}
	if n, _, e := s.ReadDgram(p, false, true); n != 0 || e != 0 {
		t.Errorf("after the peer closed: %d %v, want EOF", n, e)
	}
	if e := s.SendDgram([]byte("x"), nil, &Out{}); e != linux.EPIPE {
		t.Errorf("send to closed peer: %v, want EPIPE", e)
	}
	l.Close()
	if _, e := FindAbstract(name, SeqPacket); e != linux.ECONNREFUSED {
		t.Errorf("closed name: %v", e)
	}
}

func TestParseAddr(t *testing.T) {
	for _, c := range []struct {
		b        string
		autobind bool
		kind     int
		name     string
		err      linux.Errno
	}{
		{"\x01\x00", true, KindAutobind, "", 0},
		{"\x01\x00", false, 0, "", linux.EINVAL},
		{"\x00\x00", false, KindUnspec, "", 0},
		{"\x02\x00/x", false, 0, "", linux.EINVAL},
		{"\x01\x00\x00ab", false, KindAbstract, "\x00ab", 0},
		{"\x01\x00/tmp/s\x00junk", false, KindPath, "/tmp/s\x00", 0},
		{"\x01\x00/tmp/s", false, KindPath, "/tmp/s\x00", 0},
	} {
		k, a, e := ParseAddr([]byte(c.b), c.autobind)
		if k != c.kind || a.Name != c.name || e != c.err {
			t.Errorf("ParseAddr(%q) = %d %q %v, want %d %q %v", c.b, k, a.Name, e, c.kind, c.name, c.err)
		}
	}
	s := New(Stream, root)
	s.Autobind()
	if a := s.Name(); a == nil || a.Len() != 8 || !a.Abstract() {
		t.Errorf("autobind name %+v", a)
	}
}

func TestSetBuf(t *testing.T) {
	s := New(Stream, root)
	s.SetBuf(true, 1)
	s.SetBuf(false, 1)
	if s.Buf(true) != MinSndBuf || s.Buf(false) != MinRcvBuf {
		t.Errorf("minimums: %d %d", s.Buf(true), s.Buf(false))
	}
	s.SetBuf(true, -1)
	if s.Buf(true) != 2*MaxBuf {
		t.Errorf("-1: %d", s.Buf(true))
	}
}

// FuzzStream: whatever the writes and reads, a stream delivers the bytes
// in order, and the sender's charge returns to zero once all is read.
func FuzzStream(f *testing.F) {
	f.Add([]byte{3, 200, 7, 1, 0, 90})
	f.Fuzz(func(t *testing.T, ops []byte) {
		a, b := Pair(Stream, root)
		var sent, got []byte
		for i, op := range ops {
			n := int(op)
			if i%2 == 0 {
				chunk := bytes.Repeat([]byte{byte(i)}, n*97)
				k, _ := a.SendStream(chunk, &Out{})
				sent = append(sent, chunk[:k]...)
			} else {
				r := &Read{Size: n * 31, Target: 1, Peek: n%5 == 0}
				b.ReadStream(r)
				if !r.Peek {
					got = append(got, r.Data...)
				} else if !bytes.HasPrefix(sent[len(got):], r.Data) {
					t.Fatalf("peek %d bytes out of order", len(r.Data))
				}
			}
		}
		for {
			r := &Read{Size: 1 << 20, Target: 1}
			if b.ReadStream(r) != 0 {
				break
			}
			got = append(got, r.Data...)
		}
		if !bytes.Equal(sent, got) {
			t.Fatalf("sent %d bytes, got %d, or out of order", len(sent), len(got))
		}
		if a.wmem != 0 {
			t.Fatalf("charge %d left", a.wmem)
		}
	})
}
