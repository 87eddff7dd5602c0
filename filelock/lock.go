// Package filelock is Linux's advisory file locks (fs/locks.c) without
// the hardware: flock(2) locks, POSIX record locks and open file
// description (OFD) locks on a table of files, their conflicts, range
// splitting and merging, deadlock detection and /proc/locks. It never
// blocks: a request that must wait gets a Waiter whose channel closes
// when the lock it waits for changes, and the caller asks again, as
// Linux's do_lock_file_wait loops around posix_lock_inode.
package filelock

import "math"

// Class is what kind of lock a Lock is (Linux's FL_POSIX, FL_OFDLCK and
// FL_FLOCK flags).
type Class uint8

const (
	Posix Class = iota // fcntl F_SETLK: owned by a descriptor table
	OFD                // fcntl F_OFD_SETLK: owned by an open file description
	Flock              // flock(2): owned by an open file description
)

// Type is a lock's type, with the values of F_RDLCK, F_WRLCK and F_UNLCK.
type Type int16

const (
	Read   Type = 0
	Write  Type = 1
	Unlock Type = 2
)

// OffsetMax is OFFSET_MAX: the end of a lock that runs to end of file.
const OffsetMax = math.MaxInt64

// Lock is a held lock or a request (struct file_lock). Start and End are
// inclusive byte offsets; flock locks cover the whole file.
type Lock struct {
	Class      Class
	Type       Type
	Start, End int64
	// Owner is fl_owner: the descriptor table for POSIX locks, the open
	// file description for OFD and flock locks. Compared with ==.
	Owner any
	Pid   int32 // fl_pid: the thread group that made it

	seq uint64 // when it entered the global list (/proc/locks order)
}

// conflict is locks_conflict: a write lock conflicts with any other.
func conflict(a, b *Lock) bool { return a.Type == Write || b.Type == Write }

// overlap is locks_overlap.
func overlap(a, b *Lock) bool { return a.Start <= b.End && b.Start <= a.End }

// posixConflict is posix_locks_conflict: locks of one owner never
// conflict with each other.
func posixConflict(req, held *Lock) bool {
	return req.Owner != held.Owner && overlap(req, held) && conflict(req, held)
}

// flockConflict is flock_locks_conflict: locks of one open file
// description never conflict with each other.
func flockConflict(req, held *Lock) bool {
	return req.Owner != held.Owner && conflict(req, held)
}
