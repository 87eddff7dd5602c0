package file

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm"
)

// PipeBuf is a pipe's capacity (Linux's default, 16 pages).
const PipeBuf = 64 << 10

// pipeAtomic is PIPE_BUF: writes up to it are not interleaved.
const pipeAtomic = 4096

type Pipe struct {
	id      uint64 // the inode number /proc shows (pipe:[id])
	mu      sync.Mutex
	buf     []byte
	readers int
	writers int
	gen     uint64
	changed *Notifier
}

// NewPipe makes a pipe and returns its two ends.
func NewPipe() (PipeReader, PipeWriter) {
	p := &Pipe{id: pipeIDs.Add(1), readers: 1, writers: 1, changed: NewNotifier()}
	return PipeReader{p}, PipeWriter{p}
}

// ID is the pipe's inode number, as /proc shows it (pipe:[ID]).
func (r PipeReader) ID() uint64 { return r.p.id }

// ID is the pipe's inode number, as /proc shows it (pipe:[ID]).
func (w PipeWriter) ID() uint64 { return w.p.id }

// pipeIDs numbers pipes as pipefs numbers their inodes.
var pipeIDs atomic.Uint64

func (p *Pipe) touch() {
	p.gen++
	p.changed.Notify()
	Events.Notify()
}

type PipeReader struct{ p *Pipe }
type PipeWriter struct{ p *Pipe }

func (r PipeReader) Read(c Caller, f *File, b []byte) (int, error) {
	p := r.p
	for {
		p.mu.Lock()
		if len(p.buf) > 0 {
			n := copy(b, p.buf)
			p.buf = p.buf[n:]
			p.touch()
			p.mu.Unlock()
			return n, nil
		}
		if p.writers == 0 {
			p.mu.Unlock()
			return 0, nil
		}
		wait := p.changed.Wait()
		p.mu.Unlock()
		if err := f.Block(c, wait); err != nil {
			return 0, err
		}
	}
}

func (PipeReader) Write(Caller, *File, []byte) (int, error) { return 0, linux.EBADF }

func (w PipeWriter) Read(Caller, *File, []byte) (int, error) { return 0, linux.EBADF }

// Write blocks until all of b is in the pipe; EPIPE once no reader is left.
func (w PipeWriter) Write(c Caller, f *File, b []byte) (int, error) {
	p := w.p
	done := 0
	for done < len(b) {
		p.mu.Lock()
		if p.readers == 0 {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, linux.EPIPE
		}
		room := PipeBuf - len(p.buf)
		rest := len(b) - done
		if room >= rest || room > 0 && rest > pipeAtomic {
			n := min(room, rest)
			if cap(p.buf)-len(p.buf) < n && mm.UserFree() <= uint64(n/mm.PageSize+1) {
				// Room in memory first, without the pipe's lock:
				// reclaiming may wait for a process to die.
				p.mu.Unlock()
				if !c.KernelMemory(n) {
					if done > 0 {
						return done, nil
					}
					return 0, linux.ENOMEM // as Linux's pipe_write when no page comes
				}
				continue
			}
			p.buf = append(p.buf, b[done:done+n]...)
			done += n
			p.touch()
			p.mu.Unlock()
			continue
		}
		wait := p.changed.Wait()
		p.mu.Unlock()
		if err := f.Block(c, wait); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
	}
	return done, nil
}

func (r PipeReader) Stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}
func (w PipeWriter) Stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}

func (r PipeReader) Close() {
	r.p.mu.Lock()
	r.p.readers--
	r.p.touch()
	r.p.mu.Unlock()
}

func (w PipeWriter) Close() {
	w.p.mu.Lock()
	w.p.writers--
	w.p.touch()
	w.p.mu.Unlock()
}

func (r PipeReader) Poll() (uint32, uint64) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	var m uint32
	if len(r.p.buf) > 0 {
		m |= linux.EPOLLIN
	}
	if r.p.writers == 0 {
		m |= linux.EPOLLHUP
	}
	return m, r.p.gen
}

func (w PipeWriter) Poll() (uint32, uint64) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	var m uint32
	if len(w.p.buf) < PipeBuf {
		m |= linux.EPOLLOUT
	}
	if w.p.readers == 0 {
		m |= linux.EPOLLERR
	}
	return m, w.p.gen
}
