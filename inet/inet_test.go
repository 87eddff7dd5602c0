package inet

import (
	"bytes"
	"testing"

	"sigil/linux"
)

func newTCP(t *testing.T) *Socket {
	t.Helper()
	s, e := Create(linux.SOCK_STREAM, 0, 0)
	if e != 0 {
		t.Fatal(e)
	}
	t.Cleanup(s.Close)
	return s
}

func newUDP(t *testing.T) *Socket {
	t.Helper()
	s, e := Create(linux.SOCK_DGRAM, linux.IPPROTO_UDP, 0)
	if e != 0 {
		t.Fatal(e)
	}
	t.Cleanup(s.Close)
	return s
}

const lo = linux.INADDR_LOOPBACK

func TestCreate(t *testing.T) {
	for _, c := range []struct{ typ, proto int }{
		{linux.SOCK_STREAM, linux.IPPROTO_UDP}, {linux.SOCK_DGRAM, linux.IPPROTO_TCP}, {linux.SOCK_RAW, 0},
	} {
		if _, e := Create(c.typ, c.proto, 0); e != linux.EPROTONOSUPPORT {
			t.Errorf("Create(%d, %d) = %v, want EPROTONOSUPPORT", c.typ, c.proto, e)
		}
	}
	if _, e := Create(linux.SOCK_SEQPACKET, 0, 0); e != linux.ESOCKTNOSUPPORT {
		t.Errorf("SOCK_SEQPACKET: %v", e)
	}
}

func TestAddressParsing(t *testing.T) {
	good := Sockaddr(Addr{lo, 8080})
	if want := []byte{2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}; !bytes.Equal(good, want) {
		t.Fatalf("Sockaddr = %v", good)
	}
	if a, e := BindAddr(good); e != 0 || a != (Addr{lo, 8080}) {
		t.Errorf("BindAddr = %v %v", a, e)
	}
	if _, e := BindAddr(good[:15]); e != linux.EINVAL {
		t.Errorf("short: %v", e)
	}
	unspec := append([]byte{0, 0}, good[2:]...)
	if _, e := BindAddr(unspec); e != linux.EAFNOSUPPORT {
		t.Errorf("AF_UNSPEC with an address: %v", e)
	}
	if _, e := BindAddr(Sockaddr(Addr{})[:0:0]); e != linux.EINVAL {
		t.Errorf("empty: %v", e)
	}
	anyUnspec := make([]byte, 16)
	if _, e := BindAddr(anyUnspec); e != 0 {
		t.Errorf("AF_UNSPEC with INADDR_ANY: %v", e)
	}
	if _, e := PeerAddr(anyUnspec); e != linux.EAFNOSUPPORT {
		t.Errorf("PeerAddr AF_UNSPEC: %v", e)
	}
	if _, e := SendAddr(Sockaddr(Addr{lo, 0})); e != linux.EINVAL {
		t.Errorf("SendAddr port 0: %v", e)
	}
	if _, e := SendAddr(unspec); e != 0 {
		t.Errorf("SendAddr AF_UNSPEC: %v", e)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Sockaddr(Addr{lo, 80}))
	f.Add([]byte{2})
	f.Add(make([]byte, 128))
	f.Fuzz(func(t *testing.T, b []byte) {
		family, a, full := Decode(b)
		BindAddr(b)
		PeerAddr(b)
		SendAddr(b)
		if !full {
			if len(b) >= SockaddrLen {
				t.Fatal("whole address not decoded")
			}
			return
		}
		if family != int(b[0])|int(b[1])<<8 {
			t.Fatalf("family %d", family)
		}
		if e := Sockaddr(a); !bytes.Equal(e[2:8], b[2:8]) {
			t.Fatalf("round trip %v -> %v", b[:8], e[:8])
		}
	})
}

func TestBindRules(t *testing.T) {
	s := newTCP(t)
	if e := s.Bind(Addr{0x0a000001, 0}, true); e != linux.EADDRNOTAVAIL {
		t.Errorf("10.0.0.1: %v", e)
	}
	if e := s.Bind(Addr{lo, 80}, false); e != linux.EACCES {
		t.Errorf("port 80 unprivileged: %v", e)
	}
	if e := s.Bind(Addr{0x7f000005, 0}, false); e != 0 {
		t.Fatal(e)
	}
	p := s.Name().Port
	if p < PortLow || p > PortHigh || p%2 != 1 {
		t.Errorf("ephemeral port %d", p)
	}
	if e := s.Bind(Addr{lo, 0}, false); e != linux.EINVAL {
		t.Errorf("second bind: %v", e)
	}
	other := newTCP(t)
	if e := other.Bind(Addr{0, p}, false); e != linux.EADDRINUSE {
		t.Errorf("INADDR_ANY over 127.0.0.5: %v", e)
	}
	if e := other.Bind(Addr{lo, p}, false); e != 0 {
		t.Errorf("127.0.0.1 beside 127.0.0.5: %v", e)
	}
	// A UDP socket has its own ports.
	if e := newUDP(t).Bind(Addr{0, p}, false); e != 0 {
		t.Errorf("UDP on a TCP port: %v", e)
	}
}

func TestReuseAddr(t *testing.T) {
	a, b, c := newTCP(t), newTCP(t), newTCP(t)
	for _, s := range []*Socket{a, b, c} {
		s.Options(func(o *Opts) { o.ReuseAddr = true })
	}
	a.Bind(Addr{lo, 0}, false)
	p := a.Name().Port
	if e := b.Bind(Addr{lo, p}, false); e != 0 {
		t.Fatalf("both SO_REUSEADDR: %v", e)
	}
	if e := a.Listen(5); e != 0 {
		t.Fatal(e)
	}
	if e := b.Listen(5); e != linux.EADDRINUSE {
		t.Errorf("second listener: %v", e)
	}
	if e := c.Bind(Addr{lo, p}, false); e != linux.EADDRINUSE {
		t.Errorf("bind beside a listener: %v", e)
	}
	a.Close()
	if e := c.Bind(Addr{lo, p}, false); e != 0 {
		t.Errorf("after the listener closed: %v", e)
	}
}

func TestReusePortOwner(t *testing.T) {
	a, _ := Create(linux.SOCK_DGRAM, 0, 1000)
	b, _ := Create(linux.SOCK_DGRAM, 0, 1001)
	c, _ := Create(linux.SOCK_DGRAM, 0, 1000)
	defer a.Close()
	defer b.Close()
	defer c.Close()
	for _, s := range []*Socket{a, b, c} {
		s.Options(func(o *Opts) { o.ReusePort = true })
	}
	a.Bind(Addr{lo, 0}, false)
	p := a.Name().Port
	if e := b.Bind(Addr{lo, p}, false); e != linux.EADDRINUSE {
		t.Errorf("another owner: %v", e)
	}
	if e := c.Bind(Addr{lo, p}, false); e != 0 {
		t.Errorf("same owner: %v", e)
	}
}

func TestPortExhaustion(t *testing.T) {
	var all []*Socket
	defer func() {
		for _, s := range all {
			s.Close()
		}
	}()
	// Every port but one taken: bind(0) finds that one.
	for p := PortLow; p <= PortHigh; p++ {
		if p == 40001 {
			continue
		}
		s, _ := Create(linux.SOCK_DGRAM, 0, 0)
		all = append(all, s)
		if e := s.Bind(Addr{0, uint16(p)}, false); e != 0 {
			t.Fatalf("bind %d: %v", p, e)
		}
	}
	s := newUDP(t)
	if e := s.Bind(Addr{lo, 0}, false); e != 0 || s.Name().Port != 40001 {
		t.Fatalf("the last free port: %v %v", s.Name(), e)
	}
	s2 := newUDP(t)
	if e := s2.Bind(Addr{lo, 0}, false); e != linux.EADDRINUSE {
		t.Errorf("range exhausted: %v", e)
	}
	if e := newUDP(t).SendDgram([]byte("x"), &Addr{lo, 9}); e != linux.EAGAIN {
		t.Errorf("autobind with the range exhausted: %v", e)
	}
	// TCP's ports are another range, free.
	if e := newTCP(t).Bind(Addr{lo, 0}, false); e != 0 {
		t.Errorf("TCP: %v", e)
	}
}

func TestConnectionLifecycle(t *testing.T) {
	l := newTCP(t)
	l.Bind(Addr{lo, 0}, false)
	l.Listen(0)
	port := l.Name().Port
	c := newTCP(t)
	if e := c.Connect(Addr{0, port}, false); e != 0 {
		t.Fatalf("connect: %v", e)
	}
	if p := c.Name().Port; p%2 != 0 {
		t.Errorf("connect's port %d, want even", p)
	}
	c2 := newTCP(t)
	if e := c2.Connect(Addr{lo, port}, true); e != linux.EINPROGRESS {
		t.Fatalf("second connect: %v", e)
	}
	if e := c2.ConnectWait(); e != linux.EAGAIN {
		t.Errorf("full backlog: %v", e)
	}
	s, peer, e := l.Accept()
	if e != 0 || peer != c.Name() {
		t.Fatalf("accept: %v %v", peer, e)
	}
	if e := c2.ConnectWait(); e != 0 {
		t.Errorf("after accept made room: %v", e)
	}
	if n, e := c.SendStream([]byte("hello")); n != 5 || e != 0 {
		t.Fatalf("send %d %v", n, e)
	}
	r := &Read{Size: 3, Target: 1}
	if e := s.ReadStream(r); e != 0 || string(r.Data) != "hel" {
		t.Fatalf("read %q %v", r.Data, e)
	}
	s.Close() // "lo" unread: RST
	r = &Read{Size: 10, Target: 1}
	if e := c.ReadStream(r); e != linux.ECONNRESET {
		t.Errorf("after RST: %v", e)
	}
	if e := c.ReadStream(r); e != 0 || len(r.Data) != 0 {
		t.Errorf("after the error: %v", e)
	}
	if _, e := c.SendStream([]byte("x")); e != linux.EPIPE {
		t.Errorf("send after RST: %v", e)
	}
	l.Close()
	if e := c2.ReadStream(&Read{Size: 1}); e != linux.ECONNRESET {
		t.Errorf("unaccepted connection after the listener closed: %v", e)
	}
}

func TestUDPDelivery(t *testing.T) {
	r, any, s := newUDP(t), newUDP(t), newUDP(t)
	r.Bind(Addr{lo, 0}, false)
	port := r.Name().Port
	any.Options(func(o *Opts) { o.ReuseAddr = true })
	r.Options(func(o *Opts) { o.ReuseAddr = true })
	if e := any.Bind(Addr{0, port}, false); e != 0 {
		t.Fatal(e)
	}
	if e := s.SendDgram([]byte("hi"), &Addr{lo, port}); e != 0 {
		t.Fatal(e)
	}
	buf := make([]byte, 1)
	n, length, from, e := r.ReadDgram(buf, false, true)
	if e != 0 || n != 1 || length != 2 || from != (Addr{lo, s.Name().Port}) {
		t.Fatalf("the exact binding should get it: %d %d %v %v", n, length, from, e)
	}
	if _, _, _, e := any.ReadDgram(buf, false, true); e != linux.EAGAIN {
		t.Errorf("INADDR_ANY socket got it too: %v", e)
	}
	if e := s.SendDgram(make([]byte, MaxDatagram+1), &Addr{lo, port}); e != linux.EMSGSIZE {
		t.Errorf("too big: %v", e)
	}
}
