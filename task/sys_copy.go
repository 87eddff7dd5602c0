package task

import (
	"encoding/binary"

	"sigil/file"
	"sigil/linux"
)

// maxRWCount is MAX_RW_COUNT: one transfer moves at most this much.
const maxRWCount = 0x7ffff000

// sysSendfile is sendfile(2) (do_sendfile): from a regular file open for
// reading, at *offset (left in the file's offset when offset is NULL), to
// any file open for writing but an O_APPEND one. It stops at the end of
// the input or at a short write, and a failure after progress reports the
// progress.
func sysSendfile(t *Thread, a *args) (uint64, error) {
	out, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	in, err := t.p.files.get(a[1])
	if err != nil {
		return 0, err
	}
	if in.Flags&linux.O_ACCMODE == linux.O_WRONLY || isPath(in) {
		return 0, linux.EBADF
	}
	if out.Flags&linux.O_ACCMODE == linux.O_RDONLY || isPath(out) {
		return 0, linux.EBADF
	}
	r, ok := in.Ops.(file.Regular)
	if !ok || out.Flags&linux.O_APPEND != 0 {
		return 0, linux.EINVAL // no splice_read, or an appending output
	}
	var pos int64
	if a[2] != 0 {
		var b [8]byte
		if err := t.p.as.CopyIn(b[:], a[2]); err != nil {
			return 0, err
		}
		if pos = int64(binary.LittleEndian.Uint64(b[:])); pos < 0 {
			return 0, linux.EINVAL
		}
	} else {
		in.Mu.Lock()
		pos = in.Off
		in.Mu.Unlock()
	}
	n, err := t.copyOut(r, pos, out, min(a[3], maxRWCount))
	if a[2] != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(pos+n))
		if err := t.p.as.CopyOut(a[2], b[:]); err != nil {
			return 0, err
		}
	} else {
		in.Mu.Lock()
		in.Off = pos + n
		in.Mu.Unlock()
	}
	if n > 0 {
		return uint64(n), nil
	}
	return 0, err
}

// copyOut moves up to count bytes of r from pos to out, by its write.
func (t *Thread) copyOut(r file.Regular, pos int64, out *file.File, count uint64) (int64, error) {
	var done int64
	buf := make([]byte, min(count, ioBuf))
	for uint64(done) < count {
		chunk := buf[:min(uint64(len(buf)), count-uint64(done))]
		k, err := r.Node.ReadAt(chunk, pos+done)
		if err != nil || k == 0 {
			return done, file.Errno(err)
		}
		w, err := t.writeTo(out, chunk[:k])
		done += int64(w)
		if err != nil || w < k {
			return done, err
		}
	}
	return done, nil
}

// sysCopyFileRange is copy_file_range(2) (vfs_copy_file_range between
// regular files): flags must be 0; both files regular (EISDIR for a
// directory, EINVAL otherwise); the input readable and the output
// writable and not O_APPEND (EBADF); overlapping ranges of one file are
// EINVAL. Offsets come from the pointers when given, else the files'.
func sysCopyFileRange(t *Thread, a *args) (uint64, error) {
	if a[5] != 0 {
		return 0, linux.EINVAL
	}
	in, err := t.p.files.get(a[0])
	if err != nil {
		return 0, err
	}
	out, err := t.p.files.get(a[2])
	if err != nil {
		return 0, err
	}
	_, inDir := in.Ops.(file.Dir)
	_, outDir := out.Ops.(file.Dir)
	if inDir || outDir {
		return 0, linux.EISDIR
	}
	r, ok1 := in.Ops.(file.Regular)
	w, ok2 := out.Ops.(file.Regular)
	if !ok1 || !ok2 {
		return 0, linux.EINVAL
	}
	if in.Flags&linux.O_ACCMODE == linux.O_WRONLY || out.Flags&linux.O_ACCMODE == linux.O_RDONLY ||
		out.Flags&linux.O_APPEND != 0 {
		return 0, linux.EBADF
	}
	inPos, err := t.rangeOffset(in, a[1])
	if err != nil {
		return 0, err
	}
	outPos, err := t.rangeOffset(out, a[3])
	if err != nil {
		return 0, err
	}
	count := int64(min(a[4], maxRWCount))
	if inPos+count < inPos || outPos+count < outPos {
		return 0, linux.EOVERFLOW
	}
	if r.Node == w.Node && inPos < outPos+count && outPos < inPos+count {
		return 0, linux.EINVAL
	}
	size := r.Node.Size()
	count = max(0, min(count, size-inPos))
	var done int64
	buf := make([]byte, min(count, ioBuf))
	for done < count {
		k, err := r.Node.ReadAt(buf[:min(int64(len(buf)), count-done)], inPos+done)
		if err != nil || k == 0 {
			break
		}
		n, err := w.WriteAt(t, buf[:k], outPos+done)
		done += int64(n)
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
	}
	if err := t.advance(in, a[1], inPos+done); err != nil {
		return 0, err
	}
	if err := t.advance(out, a[3], outPos+done); err != nil {
		return 0, err
	}
	return uint64(done), nil
}

// rangeOffset is where a copy starts in f: *addr when given (EINVAL if
// negative), else f's offset.
func (t *Thread) rangeOffset(f *file.File, addr uint64) (int64, error) {
	if addr == 0 {
		f.Mu.Lock()
		defer f.Mu.Unlock()
		return f.Off, nil
	}
	var b [8]byte
	if err := t.p.as.CopyIn(b[:], addr); err != nil {
		return 0, err
	}
	off := int64(binary.LittleEndian.Uint64(b[:]))
	if off < 0 {
		return 0, linux.EINVAL
	}
	return off, nil
}

// advance stores where a copy ended: in *addr when given, else in f's
// offset.
func (t *Thread) advance(f *file.File, addr uint64, pos int64) error {
	if addr == 0 {
		f.Mu.Lock()
		f.Off = pos
		f.Mu.Unlock()
		return nil
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(pos))
	return t.p.as.CopyOut(addr, b[:])
}

// isPath reports whether f is an O_PATH descriptor, which reads and
// writes nothing.
func isPath(f *file.File) bool {
	_, ok := f.Ops.(file.Path)
	return ok
}
