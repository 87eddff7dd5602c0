package file

import (
	"sigil/linux"
	"sigil/sys"
	"sigil/vfs"
)

// Null is /dev/null: reads end at once, writes vanish.
type Null struct{ Node *vfs.Node }

func (Null) Read(Caller, *File, []byte) (int, error)        { return 0, nil }
func (Null) Write(_ Caller, _ *File, p []byte) (int, error) { return len(p), nil }
func (n Null) Stat() linux.Stat                             { return NodeStat(n.Node) }
func (Null) Close()                                         {}
func (Null) Poll() (uint32, uint64)                         { return linux.EPOLLIN | linux.EPOLLOUT, 0 }

// Zero is /dev/zero: reads give zeroes, writes vanish.
type Zero struct{ Null }

func (Zero) Read(_ Caller, _ *File, p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Full is /dev/full: reads give zeroes, writes fail with ENOSPC.
type Full struct{ Zero }

func (Full) Write(Caller, *File, []byte) (int, error) { return 0, linux.ENOSPC }

// Random is /dev/random and /dev/urandom: the getrandom(2) source,
// which never blocks once the kernel runs (as Linux's since 5.6 once
// seeded); writes are accepted as entropy and change nothing.
type Random struct{ Null }

func (Random) Read(_ Caller, _ *File, p []byte) (int, error) {
	sys.Fill(p)
	return len(p), nil
}
