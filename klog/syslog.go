package klog

// The actions of syslog(2) (do_syslog in kernel/printk/printk.c) over the
// kernel's log. Permission checks, user copies and waiting are the
// caller's; these take lock only around reading the ring, never while
// formatting into allocated memory.

// maxRecordText bounds one record's formatted syslog text (CONSOLE_LOG_MAX):
// lines that do not fit are cut.
const maxRecordText = 1024

// SyslogReady reports whether syslog's reader has a record to read
// (SYSLOG_ACTION_READ waits for it).
func SyslogReady() bool {
	lock.Lock()
	attach()
	ok := sysSeq.Seq < log.NextSeq()
	lock.Unlock()
	return ok
}

// SyslogRead is SYSLOG_ACTION_READ once a record is there (syslog_print):
// whole records up to size bytes from the reader's place, which it
// advances; a record larger than size is read in parts across calls.
func SyslogRead(size int) []byte {
	var out []byte
	var scratch [LineMax]byte
	for size > 0 {
		lock.Lock()
		attach()
		at := sysSeq
		if at.Seq < log.FirstSeq() {
			at = log.Start()
		}
		c := at
		rec, text, ok := log.Read(&c, scratch[:])
		if !ok {
			lock.Unlock()
			break
		}
		if rec.Seq != sysSeq.Seq {
			sysPartial = 0 // the record was dropped: go on from the oldest
		}
		n := min(SyslogSize(rec, text), maxRecordText)
		skip, take := sysPartial, 0
		switch {
		case n-sysPartial <= size:
			take, sysSeq, sysPartial = n-sysPartial, c, 0
		case len(out) == 0:
			take, sysSeq = size, at
			sysPartial += size
		}
		lock.Unlock()
		if take == 0 {
			break
		}
		rendered := AppendSyslog(make([]byte, 0, maxRecordText), rec, scratch[:rec.TextLen])
		out = append(out, rendered[skip:skip+take]...)
		size -= take
	}
	return out
}

// SyslogReadAll is SYSLOG_ACTION_READ_ALL and, with clear,
// READ_CLEAR (syslog_print_all): the newest records since the last clear
// that fit in size bytes, whole, oldest first.
func SyslogReadAll(size int, clearAfter bool) []byte {
	lock.Lock()
	attach()
	if clear.Seq < log.FirstSeq() {
		clear = log.Start()
	}
	// find_first_fitting_seq: drop the oldest until the rest fits.
	total := syslogSizeFrom(clear)
	c := clear
	for total > size {
		rec, text, ok := log.Read(&c, nil)
		if !ok {
			break
		}
		total -= SyslogSize(rec, text)
	}
	lock.Unlock()

	var out []byte
	var scratch [LineMax]byte
	for {
		lock.Lock()
		at := c
		rec, _, ok := log.Read(&c, scratch[:])
		lock.Unlock()
		if !ok {
			break
		}
		rendered := AppendSyslog(make([]byte, 0, maxRecordText), rec, scratch[:rec.TextLen])
		if len(out)+len(rendered) > size {
			c = at
			break
		}
		out = append(out, rendered...)
	}
	if clearAfter {
		lock.Lock()
		clear = c
		lock.Unlock()
	}
	return out
}

// SyslogClear is SYSLOG_ACTION_CLEAR: READ_ALL starts after the newest
// record.
func SyslogClear() {
	lock.Lock()
	attach()
	clear = log.End()
	lock.Unlock()
}

// ClearCursor is where READ_ALL starts (for /dev/kmsg's SEEK_DATA).
func ClearCursor() Cursor {
	lock.Lock()
	attach()
	c := clear
	if c.Seq < log.FirstSeq() {
		c = log.Start()
	}
	lock.Unlock()
	return c
}

// ConsoleOff is SYSLOG_ACTION_CONSOLE_OFF: only the most urgent lines
// reach the console, until ConsoleOn.
func ConsoleOff() {
	if savedLevel.Load() == -1 {
		savedLevel.Store(int32(ConsoleLevel()))
	}
	SetConsoleLevel(MinConsoleLevel)
}

// ConsoleOn is SYSLOG_ACTION_CONSOLE_ON: the level before ConsoleOff.
func ConsoleOn() {
	if l := savedLevel.Load(); l != -1 {
		SetConsoleLevel(int(l))
		savedLevel.Store(-1)
	}
}

// SetConsoleLevelSyslog is SYSLOG_ACTION_CONSOLE_LEVEL with a level
// already checked to be 1 to 8; it also ends ConsoleOff.
func SetConsoleLevelSyslog(l int) {
	SetConsoleLevel(max(l, MinConsoleLevel))
	savedLevel.Store(-1)
}

// SyslogSizeUnread is SYSLOG_ACTION_SIZE_UNREAD: the bytes READ would give
// now.
func SyslogSizeUnread() int {
	lock.Lock()
	attach()
	if sysSeq.Seq < log.FirstSeq() {
		sysSeq, sysPartial = log.Start(), 0
	}
	n := syslogSizeFrom(sysSeq) - sysPartial
	lock.Unlock()
	return max(n, 0)
}

// syslogSizeFrom is the syslog text's length of the records from c on.
// Under lock.
func syslogSizeFrom(c Cursor) int {
	n := 0
	for {
		rec, text, ok := log.Read(&c, nil)
		if !ok {
			return n
		}
		n += SyslogSize(rec, text)
	}
}

// Size is the ring's size in bytes (SYSLOG_ACTION_SIZE_BUFFER).
func Size() int { return BufLen }

// Reader is an open /dev/kmsg's place in the log (devkmsg_user's seq).
// Its methods take lock; the caller serialises calls on one Reader.
type Reader struct{ c Cursor }

// NewReader is a reader at the oldest record (devkmsg_open).
func NewReader() *Reader {
	lock.Lock()
	attach()
	r := &Reader{log.Start()}
	lock.Unlock()
	return r
}

// Next reads the reader's next record as /dev/kmsg text into buf's
// capacity. ok is false when there is none yet; lost is true (and the
// reader moved to the oldest record) when records it had not read were
// overwritten, which /dev/kmsg reports once as EPIPE.
func (r *Reader) Next(buf []byte) (out []byte, ok, lost bool) {
	var scratch [LineMax]byte
	lock.Lock()
	attach()
	want := r.c.Seq
	c := r.c
	rec, _, ok := log.Read(&c, scratch[:])
	if ok && rec.Seq != want {
		r.c = log.Start()
		lock.Unlock()
		return nil, false, true
	}
	if ok {
		r.c = c
	}
	lock.Unlock()
	if !ok {
		return nil, false, false
	}
	return AppendKmsg(buf[:0], rec, scratch[:rec.TextLen]), true, false
}

// Ready reports what poll sees: a record to read, and whether records
// were lost under the reader (EPOLLERR|EPOLLPRI as well).
func (r *Reader) Ready() (readable, lost bool) {
	lock.Lock()
	attach()
	readable = r.c.Seq < log.NextSeq()
	lost = r.c.Seq < log.FirstSeq()
	lock.Unlock()
	return readable, lost
}

// Seek moves the reader as devkmsg_llseek's whence: SEEK_SET (0) the
// oldest record, SEEK_END (2) after the newest, SEEK_DATA (3) the first
// after the last syslog CLEAR. It reports false for another whence.
func (r *Reader) Seek(whence int) bool {
	if whence == 3 {
		r.c = ClearCursor()
		return true
	}
	lock.Lock()
	attach()
	ok := true
	switch whence {
	case 0:
		r.c = log.Start()
	case 2:
		r.c = log.End()
	default:
		ok = false
	}
	lock.Unlock()
	return ok
}
