package file

import (
	"sync"
	"sync/atomic"

	"sigil/linux"
	"sigil/mm"
)

// A pipe holds its bytes in page-sized buffers, one per slot of its ring,
// as Linux's pipe_inode_info does, because its capacity and what a write
// may add are counted in slots: a write first tops up the last buffer
// with the part of it that is not a whole number of pages (if that fits),
// then takes a fresh slot for each page of the rest (pipe_write).

// PipeBuf is a pipe's default capacity (PIPE_DEF_BUFFERS pages).
const PipeBuf = 16 * mm.PageSize

// PipeMaxSize is /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ gives
// without CAP_SYS_RESOURCE.
const PipeMaxSize = 1 << 20

// maxPipeSlots is the most slots a pipe's ring may have: Linux allocates
// the ring with kcalloc, which fails (ENOMEM) past KMALLOC_MAX_SIZE (4 MiB)
// of 40-byte struct pipe_buffers.
const maxPipeSlots = (4 << 20) / 40

// Pipe is a pipe's shared state. mu guards every field but id and changed.
type Pipe struct {
	id      uint64 // the inode number /proc shows (pipe:[id]); set at NewPipe
	mu      sync.Mutex
	bufs    [][]byte // the occupied slots, oldest first, each 1 to PageSize bytes
	spare   []byte   // a drained slot's buffer, kept for the next write (as Linux keeps tmp_page)
	slots   int      // the ring's size (pipe->max_usage)
	readers int
	writers int
	gen     uint64
	changed *Notifier

	readersAsync, writersAsync AsyncList // O_ASYNC descriptions of each end (they guard themselves)
}

// NewPipe makes a pipe and returns its two ends.
func NewPipe() (PipeReader, PipeWriter) {
	p := &Pipe{id: pipeIDs.Add(1), slots: PipeBuf / mm.PageSize, readers: 1, writers: 1, changed: NewNotifier()}
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

// full reports whether every slot holds a buffer. p.mu held.
func (p *Pipe) full() bool { return len(p.bufs) >= p.slots }

// Size is F_GETPIPE_SZ: the capacity in bytes.
func (p *Pipe) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slots * mm.PageSize
}

// SetSize is F_SETPIPE_SZ (pipe_set_size): size rounded up to a power of
// two of pages, at least one; EINVAL past 2 GiB, EPERM past PipeMaxSize
// unless privileged (when it grows the pipe), ENOMEM for a ring Linux
// could not allocate, EBUSY when what the pipe holds would not fit. It
// returns the new capacity.
func (p *Pipe) SetSize(size uint64, privileged bool) (int, error) {
	if size > 1<<31 {
		return 0, linux.EINVAL
	}
	pages := 1
	for uint64(pages)*mm.PageSize < size {
		pages <<= 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pages > p.slots && uint64(pages)*mm.PageSize > PipeMaxSize && !privileged {
		return 0, linux.EPERM
	}
	if pages > maxPipeSlots {
		return 0, linux.ENOMEM
	}
	if pages < len(p.bufs) {
		return 0, linux.EBUSY
	}
	p.slots = pages
	p.touch()
	return pages * mm.PageSize, nil
}

// Readable is FIONREAD on a pipe (pipe_ioctl): the bytes it holds.
func (p *Pipe) Readable() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, b := range p.bufs {
		n += len(b)
	}
	return n
}

// PipeOf returns the pipe behind f, if f is either end of one.
func PipeOf(f *File) (*Pipe, bool) {
	switch o := f.Ops.(type) {
	case PipeReader:
		return o.p, true
	case PipeWriter:
		return o.p, true
	}
	return nil, false
}

type PipeReader struct{ p *Pipe }
type PipeWriter struct{ p *Pipe }

// Read takes what the pipe holds, up to len(b), blocking while it is
// empty and a writer remains (pipe_read); 0 at end of file.
func (r PipeReader) Read(c Caller, f *File, b []byte) (int, error) {
	p := r.p
	defer p.writersAsync.Kill(linux.POLL_OUT) // at the end of every pipe_read
	for {
		p.mu.Lock()
		if len(p.bufs) > 0 {
			n := 0
			for n < len(b) && len(p.bufs) > 0 {
				k := copy(b[n:], p.bufs[0])
				n += k
				if p.bufs[0] = p.bufs[0][k:]; len(p.bufs[0]) == 0 {
					// Slide the ring down rather than re-slice it, so its
					// array is reused instead of regrown by later writes.
					p.spare = p.bufs[0][:0:cap(p.bufs[0])]
					last := copy(p.bufs, p.bufs[1:])
					p.bufs[last] = nil
					p.bufs = p.bufs[:last]
				}
			}
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

// Write is pipe_write: EPIPE once no reader is left; the part of b that
// is not a whole number of pages first tops up the last buffer if it
// fits there, then each page takes a slot, waiting for one while the pipe
// is full (or returning what was written, or EAGAIN, if f is
// non-blocking). A write of at most a page (PIPE_BUF) goes in whole.
func (w PipeWriter) Write(c Caller, f *File, b []byte) (int, error) {
	p := w.p
	defer p.readersAsync.Kill(linux.POLL_IN) // at the end of every pipe_write, EPIPE and EAGAIN too
	done := 0
	p.mu.Lock()
	if p.readers == 0 {
		p.mu.Unlock()
		return 0, linux.EPIPE
	}
	if chars := len(b) % mm.PageSize; chars != 0 && len(p.bufs) > 0 {
		if last := &p.bufs[len(p.bufs)-1]; len(*last)+chars <= mm.PageSize {
			*last = append(*last, b[:chars]...)
			done = chars
			p.touch()
		}
	}
	for done < len(b) {
		if p.readers == 0 {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, linux.EPIPE
		}
		if !p.full() {
			n := min(len(b)-done, mm.PageSize)
			if cap(p.spare) < n && mm.UserFree() <= 1 {
				// Room in memory first, without the pipe's lock:
				// reclaiming may wait for a process to die.
				p.mu.Unlock()
				if !c.KernelMemory(mm.PageSize) {
					if done > 0 {
						return done, nil
					}
					return 0, linux.ENOMEM // as pipe_write when no page comes
				}
				p.mu.Lock()
				continue
			}
			p.bufs = append(p.bufs, append(p.spare, b[done:done+n]...))
			p.spare = nil
			done += n
			p.touch()
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
		p.mu.Lock()
	}
	p.mu.Unlock()
	return done, nil
}

func (r PipeReader) Stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}
func (w PipeWriter) Stat() linux.Stat {
	return linux.Stat{Mode: linux.S_IFIFO | 0o600, Nlink: 1, Blksize: 4096}
}

func (r PipeReader) Close() { r.p.release(-1, 0) }
func (w PipeWriter) Close() { w.p.release(0, -1) }

// release is pipe_release: the last reader or writer gone while the other
// side remains is an event for both sides' O_ASYNC owners.
func (p *Pipe) release(readers, writers int) {
	p.mu.Lock()
	p.readers += readers
	p.writers += writers
	oneSide := (p.readers == 0) != (p.writers == 0)
	p.touch()
	p.mu.Unlock()
	if oneSide {
		p.readersAsync.Kill(linux.POLL_IN)
		p.writersAsync.Kill(linux.POLL_OUT)
	}
}

// Fasync adds or removes the reading description f (pipe_fasync).
func (r PipeReader) Fasync(f *File, fd int32, on bool) { r.p.readersAsync.Set(f, fd, on) }

// Fasync adds or removes the writing description f (pipe_fasync).
func (w PipeWriter) Fasync(f *File, fd int32, on bool) { w.p.writersAsync.Set(f, fd, on) }

func (r PipeReader) Poll() (uint32, uint64) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	var m uint32
	if len(r.p.bufs) > 0 {
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
	if !w.p.full() {
		m |= linux.EPOLLOUT
	}
	if w.p.readers == 0 {
		m |= linux.EPOLLERR
	}
	return m, w.p.gen
}
