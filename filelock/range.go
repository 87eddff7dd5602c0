package filelock

import "sigil/linux"

// Range is flock64_to_posix_lock's arithmetic: the inclusive byte range
// [start, end] that l_start and l_len describe from base (0 for
// SEEK_SET, the file offset for SEEK_CUR, the file size for SEEK_END;
// never negative). A length of 0 runs to end of file (OffsetMax); a
// negative length covers the bytes before the start. EOVERFLOW when the
// range passes OffsetMax, EINVAL when it starts before 0.
func Range(base, lstart, llen int64) (start, end int64, err error) {
	if lstart > OffsetMax-base {
		return 0, 0, linux.EOVERFLOW
	}
	start = base + lstart
	if start < 0 {
		return 0, 0, linux.EINVAL
	}
	switch {
	case llen > 0:
		if llen-1 > OffsetMax-start {
			return 0, 0, linux.EOVERFLOW
		}
		end = start + (llen - 1)
	case llen < 0:
		if start+llen < 0 {
			return 0, 0, linux.EINVAL
		}
		end = start - 1
		start += llen
	default:
		end = OffsetMax
	}
	return start, end, nil
}

// Length is l_len for a held lock (posix_lock_to_flock): 0 for one that
// runs to end of file.
func Length(l Lock) int64 {
	if l.End == OffsetMax {
		return 0
	}
	return l.End - l.Start + 1
}
