// Pseudo-terminals: /dev/ptmx opens a new master (ptmx_open), whose
// slave appears as /dev/pts/N in the devpts tree mounted at /dev/pts
// (fs/devpts/inode.c), and goes with the master.

package task

import (
	"strconv"
	"sync/atomic"

	"sigil/file"
	"sigil/linux"
	"sigil/pty"
	"sigil/tty"
	"sigil/vfs"
)

// Device numbers: /dev/ptmx is 5:2, slaves are 136:N (UNIX98_PTY_SLAVE_MAJOR).
const (
	devPtmx      = 5<<8 | 2
	ptsMajor     = 136
	devptsPrefix = "/dev/pts"
)

// ptsDev is new_encode_dev(MKDEV(136, i)).
func ptsDev(i int) uint64 {
	return uint64(i&0xff) | ptsMajor<<8 | uint64(i&^0xff)<<12
}

// ptsIndex decodes a device number of major 136 (new_decode_dev).
func ptsIndex(rdev uint64) (int, bool) {
	if rdev>>8&0xfff != ptsMajor {
		return 0, false
	}
	return int(rdev&0xff | rdev>>12&0xfff00), true
}

// devpts is the one devpts instance, mounted at /dev/pts at boot; set
// once by MakeDevices.
var devpts *vfs.FS

// ttyGen counts terminal state changes: the epoll generation of every
// terminal file (edge-triggered epoll reports again after a change).
var ttyGen atomic.Uint64

func init() {
	tty.Changed = func() {
		ttyGen.Add(1)
		file.Events.Notify()
	}
}

// makeDevpts mounts the devpts tree at /dev/pts with its ptmx node
// (mode 0 as devpts' ptmxmode default).
func makeDevpts() {
	devpts = vfs.NewFS("devpts")
	devpts.Source = "devpts"
	if n, err := devpts.Add("/ptmx", vfs.S_IFCHR, nil); err == nil {
		n.Rdev = devPtmx
	}
	Root.Add(devptsPrefix, vfs.S_IFDIR|0o755, nil)
	initNS.mnt.m.Mount(Root.Root(), devptsPrefix, devpts)
}

// openPtmx is ptmx_open: a new pair, locked, its slave node made with the
// opener's IDs and mode 0620 (devpts_pty_new).
func openPtmx(t *Thread, node *vfs.Node, flags uint64) (*file.File, error) {
	pair, err := pty.Open()
	if err != nil {
		return nil, linux.ENOSPC
	}
	n, err := devpts.Add("/"+strconv.Itoa(pair.Index), vfs.S_IFCHR|0o620, nil)
	if err != nil {
		pair.CloseMaster()
		return nil, linux.ENOSPC
	}
	n.Rdev = ptsDev(pair.Index)
	if t != nil {
		c := t.creds()
		t.FSContext().Chown(n, int64(c.FSUID), int64(c.FSGID))
	}
	return file.New(masterFile{pair, node}, node, flags), nil
}

// openSlave opens /dev/pts/N: EIO while the pair is locked (pty_open),
// and it may become the opener's controlling terminal.
func openSlave(t *Thread, node *vfs.Node, i int, flags uint64) (*file.File, error) {
	pair := pty.Lookup(i)
	if pair == nil {
		return nil, linux.EIO
	}
	if err := pair.OpenSlave(); err != nil {
		return nil, linux.EIO
	}
	if t != nil {
		t.openControlling(pair.Slave, flags)
	}
	return file.New(ttyFile{pair.Slave, node, pair}, node, flags), nil
}

// masterFile is an open /dev/ptmx: writes are the slave's typed input,
// reads its output.
type masterFile struct {
	pair *pty.Pair
	node *vfs.Node
}

func (m masterFile) Read(c file.Caller, f *file.File, p []byte) (int, error) {
	n, err := m.pair.Read(p, f.NonBlock(), c.Interrupted())
	return n, ttyErrno(err)
}

// Write is pty_write into the slave's line discipline: ISIG characters
// signal the slave's foreground group.
func (m masterFile) Write(_ file.Caller, _ *file.File, p []byte) (int, error) {
	m.pair.Slave.Input(p, SignalGroup)
	return len(p), nil
}

func (m masterFile) Stat() linux.Stat { return file.NodeStat(m.node) }

// Fasync is tty_fasync on the master's own tty.
func (m masterFile) Fasync(f *file.File, fd int32, on bool) { m.pair.Fasync(f, fd, on) }

// Close is pty_close on the master: the slave is hung up, its session's
// leader told, and its node goes (devpts_pty_kill).
func (m masterFile) Close() {
	hangupSession(m.pair.Slave)
	m.pair.CloseMaster()
	name := "/" + strconv.Itoa(m.pair.Index)
	if n, err := devpts.Alone().Lookup(nil, name, false); err == nil && n.Rdev == ptsDev(m.pair.Index) {
		devpts.Alone().Unlink(vfs.Ctx{Caps: ^uint64(0)}, nil, name)
	}
}

func (m masterFile) Poll() (uint32, uint64) { return m.pair.MasterPoll(), ttyGen.Load() }

// ptyPeer is TIOCGPTPEER: the slave opened through the master, flags as
// open(2)'s, without a path walk.
func (t *Thread) ptyPeer(m masterFile, flags uint64) (uint64, error) {
	if flags&^(linux.O_ACCMODE|linux.O_NOCTTY|linux.O_NONBLOCK|linux.O_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	n, err := devpts.Alone().Lookup(nil, "/"+strconv.Itoa(m.pair.Index), false)
	if err != nil {
		return 0, linux.EIO
	}
	f, err := openSlave(t, n, m.pair.Index, flags)
	if err != nil {
		return 0, err
	}
	fd, err := t.installFD(f, 0, flags&linux.O_CLOEXEC != 0)
	if err != nil {
		f.Unref()
		return 0, err
	}
	return uint64(fd), nil
}
