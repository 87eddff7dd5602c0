package sys

import (
	"sigil/console"
	"sigil/irq"
	"sigil/klog"
	"sigil/linux"
)

// The kernel process's file descriptors. The runtime hosting the kernel uses
// the console (0, 1, 2), and the epoll instance and eventfd of its network
// poller; the kernel has no file system for it to open.

type fileKind uint8

const (
	kindFree fileKind = iota
	kindConsole
	kindEpoll
	kindEventfd
)

type file struct {
	kind     fileKind
	cloexec  bool
	nonblock bool
	obj      int32 // index into epolls or eventfds
}

const maxFiles = 64

var files = [maxFiles]file{
	0: {kind: kindConsole},
	1: {kind: kindConsole},
	2: {kind: kindConsole},
}

//go:nosplit
func lookup(fd uint64) *file {
	if fd >= maxFiles || files[fd].kind == kindFree {
		return nil
	}
	return &files[fd]
}

// fdArg returns the open file named by the first argument, or fails the
// call with EBADF and returns nil.
//
//go:nosplit
func fdArg(c *irq.Context) *file {
	f := lookup(c.TF.RDI)
	if f == nil {
		fail(c, linux.EBADF)
	}
	return f
}

//go:nosplit
func allocFD(kind fileKind, obj int32, flags uint64) (int, bool) {
	for fd := range files {
		if files[fd].kind == kindFree {
			files[fd] = file{
				kind:     kind,
				obj:      obj,
				cloexec:  flags&linux.O_CLOEXEC != 0,
				nonblock: flags&linux.O_NONBLOCK != 0,
			}
			ref(kind, obj, 1)
			return fd, true
		}
	}
	return -1, false
}

// ref adjusts the reference count of the object behind a descriptor.
//
//go:nosplit
func ref(kind fileKind, obj int32, d int32) {
	switch kind {
	case kindEpoll:
		epolls[obj].refs += d
	case kindEventfd:
		eventfds[obj].refs += d
	}
}

// consoleLevel is the kernel-log level of lines the runtime writes to fd
// without a "<N>" prefix: the default message level on standard output
// (fmt.Printf), an error on standard error, where the runtime's panics
// and fatal errors go, so that "quiet" still shows them.
//
//go:nosplit
func consoleLevel(fd uint64) int {
	if fd == 2 {
		return klog.LevelErr
	}
	return klog.DefaultMessageLevel
}

//go:nosplit
func sysWrite(c *irq.Context) {
	_, buf, n, _, _, _ := args(c)
	f := fdArg(c)
	if f == nil {
		return
	}
	switch f.kind {
	case kindConsole:
		console.WriteLevel(bytesAt(buf, n), consoleLevel(c.TF.RDI))
		ret(c, n)
	case kindEventfd:
		eventfdWrite(c, f, buf, n)
	default:
		fail(c, linux.EINVAL)
	}
}

//go:nosplit
func sysWritev(c *irq.Context) {
	_, iov, cnt, _, _, _ := args(c)
	f := fdArg(c)
	switch {
	case f == nil:
		return
	case f.kind != kindConsole:
		fail(c, linux.EINVAL)
		return
	case cnt > linux.UIO_MAXIOV:
		fail(c, linux.EINVAL)
		return
	}
	var total uint64
	for i := uint64(0); i < cnt; i++ {
		v := (*linux.Iovec)(at(iov + i*16))
		console.WriteLevel(bytesAt(v.Base, v.Len), consoleLevel(c.TF.RDI))
		total += v.Len
	}
	ret(c, total)
}

//go:nosplit
func sysRead(c *irq.Context) {
	_, buf, n, _, _, _ := args(c)
	f := fdArg(c)
	if f == nil {
		return
	}
	switch f.kind {
	case kindConsole:
		// Console input for the kernel process arrives with the TTY; until
		// then its standard input is at end of file.
		ret(c, 0)
	case kindEventfd:
		eventfdRead(c, f, buf, n)
	default:
		fail(c, linux.EINVAL)
	}
}

//go:nosplit
func sysPread64(c *irq.Context) {
	if fdArg(c) != nil {
		fail(c, linux.ESPIPE) // nothing the kernel process opens is seekable
	}
}

//go:nosplit
func sysClose(c *irq.Context) {
	fd := c.TF.RDI
	f := fdArg(c)
	if f == nil {
		return
	}
	forgetFD(int32(fd))
	ref(f.kind, f.obj, -1)
	*f = file{}
	ret(c, 0)
}

//go:nosplit
func sysFcntl(c *irq.Context) {
	_, cmd, arg, _, _, _ := args(c)
	f := fdArg(c)
	if f == nil {
		return
	}
	switch cmd {
	case linux.F_GETFD:
		if f.cloexec {
			ret(c, linux.FD_CLOEXEC)
		} else {
			ret(c, 0)
		}
	case linux.F_SETFD:
		f.cloexec = arg&linux.FD_CLOEXEC != 0
		ret(c, 0)
	case linux.F_GETFL:
		fl := uint64(linux.O_RDWR)
		if f.nonblock {
			fl |= linux.O_NONBLOCK
		}
		ret(c, fl)
	case linux.F_SETFL:
		f.nonblock = arg&linux.O_NONBLOCK != 0
		ret(c, 0)
	case linux.F_DUPFD, linux.F_DUPFD_CLOEXEC:
		for n := arg; n < maxFiles; n++ {
			if files[n].kind == kindFree {
				files[n] = *f
				files[n].cloexec = cmd == linux.F_DUPFD_CLOEXEC
				ref(f.kind, f.obj, 1)
				ret(c, n)
				return
			}
		}
		fail(c, linux.EMFILE)
	default:
		fail(c, linux.EINVAL)
	}
}

//go:nosplit
func sysIoctl(c *irq.Context) {
	if fdArg(c) != nil {
		fail(c, linux.ENOTTY)
	}
}

//go:nosplit
func sysFstat(c *irq.Context) {
	_, st, _, _, _, _ := args(c)
	f := fdArg(c)
	if f == nil {
		return
	}
	s := (*linux.Stat)(at(st))
	*s = linux.Stat{}
	s.Nlink = 1
	s.Blksize = 4096
	if f.kind == kindConsole {
		s.Mode = linux.S_IFCHR | 0o620
		s.Rdev = 5<<8 | 1 // /dev/console is character device 5:1
	} else {
		s.Mode = 0o600 // anonymous inode
	}
	ret(c, 0)
}

// sysOpenat fails: the kernel process has no file system. User processes
// get one from the initrd.
//
//go:nosplit
func sysOpenat(c *irq.Context) { fail(c, linux.ENOENT) }

//go:nosplit
func sysReadlinkat(c *irq.Context) { fail(c, linux.ENOENT) }
