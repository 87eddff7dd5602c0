package file

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"sigil/eventfd"
	"sigil/linux"
	"sigil/mm"
	"sigil/vfs"
)

// TestMain gives the tests memory: a pipe's writer checks that kernel
// memory is left before its buffer grows.
func TestMain(m *testing.M) {
	release, err := mm.HostMemory(16 << 20)
	if err != nil {
		panic(err)
	}
	code := m.Run()
	release()
	os.Exit(code)
}

// caller is a thread for host tests: its Interrupted channel closes when
// the test says a signal came.
type caller struct{ intr chan struct{} }

func newCaller() *caller                       { return &caller{intr: make(chan struct{})} }
func (c *caller) Interrupted() <-chan struct{} { return c.intr }
func (c *caller) KernelMemory(int) bool        { return true }
func (c *caller) FileSizeLimit() int64         { return MaxFileSize }
func (c *caller) ExceedFileSize()              {}
func (c *caller) FSContext() vfs.Ctx           { return vfs.Ctx{} }

func pipePair(flags uint64) (r, w *File) {
	pr, pw := NewPipe()
	return New(pr, nil, linux.O_RDONLY|flags), New(pw, nil, linux.O_WRONLY|flags)
}

func poll(f *File) uint32 { m, _ := Readiness(f); return m }

// TestPipe: pipe(7)'s rules as pipe_read and pipe_write give them.
func TestPipe(t *testing.T) {
	c := newCaller()
	r, w := pipePair(linux.O_NONBLOCK)
	b := make([]byte, 8)
	if _, err := r.Ops.Read(c, r, b); err != linux.EAGAIN {
		t.Errorf("empty non-blocking read: %v, want EAGAIN", err)
	}
	if poll(r) != 0 || poll(w) != linux.EPOLLOUT {
		t.Errorf("empty pipe: reader %#x, writer %#x", poll(r), poll(w))
	}
	if n, err := w.Ops.Write(c, w, []byte("hello")); n != 5 || err != nil {
		t.Fatalf("write = %d, %v", n, err)
	}
	if poll(r) != linux.EPOLLIN {
		t.Errorf("reader with data: %#x, want EPOLLIN", poll(r))
	}
	if n, _ := r.Ops.Read(c, r, b[:3]); string(b[:n]) != "hel" {
		t.Errorf("read %q, want hel", b[:n])
	}
	// A full pipe takes nothing more from a non-blocking writer. A
	// whole number of pages is not merged into the slot holding 2 bytes.
	big := make([]byte, PipeBuf)
	if n, err := w.Ops.Write(c, w, big); n != PipeBuf-mm.PageSize || err != nil {
		t.Errorf("write of %d into a pipe holding 2: %d, %v", PipeBuf, n, err)
	}
	if _, err := w.Ops.Write(c, w, []byte{1}); err != linux.EAGAIN {
		t.Errorf("write to a full pipe: %v, want EAGAIN", err)
	}
	w.Unref()
	if poll(r) != linux.EPOLLIN|linux.EPOLLHUP {
		t.Errorf("reader after the writer closed: %#x, want IN|HUP", poll(r))
	}
	for {
		n, err := r.Ops.Read(c, r, big)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break // end of file once drained
		}
	}
	r2, w2 := pipePair(0)
	r2.Unref()
	if _, err := w2.Ops.Write(c, w2, []byte{1}); err != linux.EPIPE {
		t.Errorf("write with no reader: %v, want EPIPE", err)
	}
	if poll(w2) != linux.EPOLLOUT|linux.EPOLLERR {
		t.Errorf("writer with no reader: %#x, want OUT|ERR", poll(w2))
	}
	r.Unref()
	w2.Unref()
}

// TestPipeBlocking: a blocked read wakes for a write, and for a signal
// with ERESTARTSYS.
func TestPipeBlocking(t *testing.T) {
	c := newCaller()
	r, w := pipePair(0)
	got := make(chan string)
	go func() {
		b := make([]byte, 8)
		n, err := r.Ops.Read(c, r, b)
		got <- string(b[:n]) + errString(err)
	}()
	time.Sleep(10 * time.Millisecond)
	w.Ops.Write(c, w, []byte("x"))
	if s := <-got; s != "x" {
		t.Errorf("woken read: %q", s)
	}
	go func() {
		n, err := r.Ops.Read(c, r, make([]byte, 8))
		got <- string(rune('0'+n)) + errString(err)
	}()
	time.Sleep(10 * time.Millisecond)
	close(c.intr)
	if s := <-got; s != "0"+errString(linux.ERESTARTSYS) {
		t.Errorf("interrupted read: %q, want ERESTARTSYS", s)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " " + err.Error()
}

func event(mask uint32, data uint64) (ev [12]byte) {
	binary.LittleEndian.PutUint32(ev[:], mask)
	binary.LittleEndian.PutUint64(ev[4:], data)
	return ev
}

// TestEpoll: epoll_ctl's errors, and what level-triggered, edge-triggered
// and one-shot registrations report.
func TestEpoll(t *testing.T) {
	c := newCaller()
	ep := NewEpoll()
	r, w := pipePair(linux.O_NONBLOCK)
	if err := ep.Ctl(linux.EPOLL_CTL_MOD, 3, r, event(linux.EPOLLIN, 0)); err != linux.ENOENT {
		t.Errorf("MOD of an unregistered fd: %v, want ENOENT", err)
	}
	if err := ep.Ctl(linux.EPOLL_CTL_ADD, 3, r, event(linux.EPOLLIN, 7)); err != nil {
		t.Fatal(err)
	}
	if err := ep.Ctl(linux.EPOLL_CTL_ADD, 3, r, event(linux.EPOLLIN, 7)); err != linux.EEXIST {
		t.Errorf("second ADD: %v, want EEXIST", err)
	}
	if err := ep.Ctl(99, 3, r, event(linux.EPOLLIN, 7)); err != linux.EINVAL {
		t.Errorf("unknown op: %v, want EINVAL", err)
	}
	if got := ep.Collect(8); len(got) != 0 {
		t.Errorf("nothing ready, got %v", got)
	}
	w.Ops.Write(c, w, []byte("ab"))
	for i := 0; i < 2; i++ { // level-triggered: reported while ready
		got := ep.Collect(8)
		if len(got) != 1 || got[0].Events != linux.EPOLLIN || binary.LittleEndian.Uint64(got[0].Data[:]) != 7 {
			t.Fatalf("level-triggered, round %d: %v", i, got)
		}
	}
	ep.Ctl(linux.EPOLL_CTL_MOD, 3, r, event(linux.EPOLLIN|linux.EPOLLET, 7))
	if len(ep.Collect(8)) != 1 || len(ep.Collect(8)) != 0 {
		t.Error("edge-triggered: want one report, then none until a change")
	}
	w.Ops.Write(c, w, []byte("c"))
	if len(ep.Collect(8)) != 1 {
		t.Error("edge-triggered: no report after new data")
	}
	ep.Ctl(linux.EPOLL_CTL_MOD, 3, r, event(linux.EPOLLIN|linux.EPOLLONESHOT, 7))
	if len(ep.Collect(8)) != 1 || len(ep.Collect(8)) != 0 {
		t.Error("one-shot: want one report, then none until MOD")
	}
	if err := ep.Ctl(linux.EPOLL_CTL_DEL, 3, r, [12]byte{}); err != nil {
		t.Error(err)
	}
	if err := ep.Ctl(linux.EPOLL_CTL_DEL, 3, r, [12]byte{}); err != linux.ENOENT {
		t.Errorf("second DEL: %v, want ENOENT", err)
	}
}

// TestEventfd: reads take the count, a zero count blocks or says EAGAIN,
// and short buffers are EINVAL, as eventfd_read.
func TestEventfd(t *testing.T) {
	c := newCaller()
	ctr, errno := eventfd.New(2, linux.EFD_NONBLOCK)
	if errno != 0 {
		t.Fatal(errno)
	}
	f := New(NewEventfd(ctr), nil, linux.O_RDWR|linux.O_NONBLOCK)
	b := make([]byte, 8)
	if _, err := f.Ops.Read(c, f, b[:4]); err != linux.EINVAL {
		t.Errorf("4-byte read: %v, want EINVAL", err)
	}
	if n, err := f.Ops.Read(c, f, b); n != 8 || err != nil || binary.LittleEndian.Uint64(b) != 2 {
		t.Errorf("read = %d, %v, %d", n, err, binary.LittleEndian.Uint64(b))
	}
	if _, err := f.Ops.Read(c, f, b); !errors.Is(err, linux.EAGAIN) {
		t.Errorf("read of zero: %v, want EAGAIN", err)
	}
	if poll(f) != linux.EPOLLOUT {
		t.Errorf("zero counter: %#x, want EPOLLOUT", poll(f))
	}
}

// TestPipeSize: F_SETPIPE_SZ's rounding and errors, and capacity counted
// in page slots, as Linux 6.1 gave them in the same QEMU (user/c/pipesz).
func TestPipeSize(t *testing.T) {
	c := newCaller()
	r, w := pipePair(linux.O_NONBLOCK)
	p, _ := PipeOf(r)
	for _, tc := range []struct {
		size       uint64
		privileged bool
		want       int
		err        error
	}{
		{0, true, 4096, nil},
		{100000, true, 131072, nil},
		{1<<31 + 1, true, 0, linux.EINVAL},
		{1 << 31, true, 0, linux.ENOMEM},
		{2 << 20, true, 2 << 20, nil},
		{4 << 20, false, 0, linux.EPERM},
		{1 << 20, false, 1 << 20, nil},
		{8192, true, 8192, nil},
	} {
		if n, err := p.SetSize(tc.size, tc.privileged); n != tc.want || err != tc.err {
			t.Errorf("SetSize(%d, %v) = %d, %v; want %d, %v", tc.size, tc.privileged, n, err, tc.want, tc.err)
		}
	}
	buf := make([]byte, 8192)
	w.Ops.Write(c, w, buf)
	if _, err := p.SetSize(4096, true); err != linux.EBUSY {
		t.Errorf("shrinking below two full slots: %v, want EBUSY", err)
	}
	if _, err := w.Ops.Write(c, w, buf[:1]); err != linux.EAGAIN {
		t.Errorf("write into a full pipe: %v, want EAGAIN", err)
	}
	r.Ops.Read(c, r, buf)
	w.Ops.Write(c, w, buf[:1])
	w.Ops.Write(c, w, buf[:1]) // merged into the first slot
	if n, _ := w.Ops.Write(c, w, buf); n != 4096 {
		t.Errorf("8192 bytes into a 2-slot pipe holding 2 bytes: %d written, want 4096", n)
	}
	if n, _ := r.Ops.Read(c, r, make([]byte, 70000)); n != 4098 {
		t.Errorf("read %d, want 4098", n)
	}
}

type countingOwner struct{ n int }

func (o *countingOwner) SignalIO(sig int, code int32, band int64, fd int32) { o.n++ }

// TestAsyncKillAllocatesNothing: telling a few O_ASYNC descriptions (an
// interrupt's bottom half does, for each interrupt) allocates nothing.
func TestAsyncKillAllocatesNothing(t *testing.T) {
	var l AsyncList
	o := &countingOwner{}
	for fd := int32(3); fd < 6; fd++ {
		f := New(Null{}, nil, 0)
		f.SetOwner(o)
		l.Set(f, fd, true)
	}
	if n := testing.AllocsPerRun(100, func() { l.Kill(linux.POLL_IN) }); n != 0 {
		t.Errorf("Kill allocates %v times", n)
	}
	if o.n != 3*101 {
		t.Errorf("%d signals, want %d", o.n, 3*101)
	}
}

// TestNotifierAllocatesNothing: Notify wakes Wait's holders and allocates
// nothing, with or without holders.
func TestNotifierAllocatesNothing(t *testing.T) {
	n := NewNotifier()
	w := n.Wait()
	n.Notify()
	select {
	case <-w:
	default:
		t.Fatal("Notify did not close Wait's channel")
	}
	w2 := n.Wait()
	if w2 == w {
		t.Fatal("Wait after Notify returned the closed channel")
	}
	if a := testing.AllocsPerRun(100, n.Notify); a != 0 {
		t.Errorf("Notify allocates %v times", a)
	}
	select {
	case <-w2:
	default:
		t.Fatal("w2 not closed")
	}
}
