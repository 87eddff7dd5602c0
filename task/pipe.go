package task

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm"
)

// pipeBuf is a pipe's capacity (Linux's default, 16 pages).
const pipeBuf = 64 << 10

// pipeAtomic is PIPE_BUF: writes up to it are not interleaved.
const pipeAtomic = 4096

type pipe struct {
	id      uint64 // the inode number /proc shows (pipe:[id])
	mu      sync.Mutex
	buf     []byte
	readers int
	writers int
	gen     uint64
	changed *notifier
}

func newPipe() *pipe {
	return &pipe{id: pipeIDs.Add(1), readers: 1, writers: 1, changed: newNotifier()}
}

// pipeIDs numbers pipes as pipefs numbers their inodes.
var pipeIDs atomic.Uint64

func (p *pipe) touch() {
	p.gen++
	p.changed.notify()
	pollEvents.notify()
}

type pipeReader struct{ p *pipe }
type pipeWriter struct{ p *pipe }

func (r pipeReader) read(t *Thread, f *OpenFile, b []byte) (int, error) {
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
		wait := p.changed.wait()
		p.mu.Unlock()
		if err := f.block(t, wait); err != nil {
			return 0, err
		}
	}
}

func (pipeReader) write(*Thread, *OpenFile, []byte) (int, error) { return 0, linux.EBADF }

func (w pipeWriter) read(*Thread, *OpenFile, []byte) (int, error) { return 0, linux.EBADF }

// write blocks until all of b is in the pipe; EPIPE once no reader is left.
func (w pipeWriter) write(t *Thread, f *OpenFile, b []byte) (int, error) {
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
		room := pipeBuf - len(p.buf)
		rest := len(b) - done
		if room >= rest || room > 0 && rest > pipeAtomic {
			n := min(room, rest)
			if cap(p.buf)-len(p.buf) < n && mm.UserFree() <= uint64(n/pageSize+1) {
				// Room in memory first, without the pipe's lock:
				// reclaiming may wait for a process to die.
				p.mu.Unlock()
				if !t.kernelMemory(n) {
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
		wait := p.changed.wait()
		p.mu.Unlock()
		if err := f.block(t, wait); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
	}
	return done, nil
}

func (r pipeReader) stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}
func (w pipeWriter) stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}

func (r pipeReader) close() {
	r.p.mu.Lock()
	r.p.readers--
	r.p.touch()
	r.p.mu.Unlock()
}

func (w pipeWriter) close() {
	w.p.mu.Lock()
	w.p.writers--
	w.p.touch()
	w.p.mu.Unlock()
}

func (r pipeReader) poll() (uint32, uint64) {
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

func (w pipeWriter) poll() (uint32, uint64) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	var m uint32
	if len(w.p.buf) < pipeBuf {
		m |= linux.EPOLLOUT
	}
	if w.p.readers == 0 {
		m |= linux.EPOLLERR
	}
	return m, w.p.gen
}
