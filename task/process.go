// Package task runs user programs: processes (address space, files,
// process group, session, children) and their threads, each thread a
// goroutine that enters user mode through sched.EnterUser and serves the
// program's Linux system calls in ordinary Go.
package task

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"sigil/arch"
	"sigil/file"
	"sigil/linux"
	"sigil/rlimit"
	"sigil/signal"
	"sigil/vfs"
)

// Process is a user process.
type Process struct {
	PID    int32
	parent *Process

	mu    procLock // guards the fields below; interrupt context only tries it (lock.go)
	pgid  int32
	sid   int32
	as    *AddressSpace
	files *FDTable
	cwd   *vfs.Node
	umask uint32    // file-creation mask (umask(2)); inherited by fork
	exe   *vfs.Node // the program exec loaded (/proc/PID/exe)
	comm  string
	// killable: init (PID 1) takes default actions after all, because a
	// forced signal (a fault) found its handler SIG_DFL; Linux clears
	// SIGNAL_UNKILLABLE then (force_sig_info_to_task).
	killable bool
	threads  map[int32]*Thread
	// currTarget is the TID of the thread last picked for a
	// process-directed signal (signal->curr_target).
	currTarget int32
	children   map[int32]*Process
	actions    [linux.NSIG]linux.SigAction
	limits     rlimit.Table
	exiting    bool
	zombie     bool
	// exited: exit's work is done (its files closed, its memory freed),
	// so wait4 and pidfds see the zombie from here, as Linux's task
	// becomes EXIT_ZOMBIE in exit_notify, after exit_files: a parent
	// that reaps it finds the flocks it held released.
	exited  bool
	status  uint32         // wait status once a zombie
	dying   chan struct{}  // closed when the process must stop
	childEv *file.Notifier // a child changed state (wait4)
	vforked chan struct{}  // closed when a vfork child execs or exits

	shared       signal.Queue // process-directed pending signals
	stopped      bool
	stopSig      int
	stopReported bool // wait4(WUNTRACED) has seen this stop
	contPending  bool // a continue wait4(WCONTINUED) has not seen
	stopEv       *file.Notifier
	threadEv     *file.Notifier // a thread left threads (de_thread waits for it)
	execing      bool           // a thread is in de_thread
	sigEv        *file.Notifier // a signal was queued (sigtimedwait, signalfd)
	signalfd     bool           // a signalfd was made for it: interrupt context leaves generation to goroutines

	alarm         *time.Timer
	timers        map[int32]*posixTimer // POSIX timers by ID (posixtimer.go)
	deadUtime     int64                 // user time of its threads that ended, ns
	childUtime    int64                 // user time of its reaped children and theirs (cutime), ns
	personality   uint32                // personality(2)
	subreaper     bool                  // PR_SET_CHILD_SUBREAPER: orphans below come here
	exitSignal    int                   // sent to the parent at exit (clone's CSIGNAL; 0 none); SIGCHLD once reparented
	dumpable      uint32                // PR_SET_DUMPABLE (1 at start; 0 after a set-user-ID exec)
	nextTimerID   int32                 // where the search for a free ID starts
	alarmAt       time.Time
	alarmInterval time.Duration

	unknown unknownCalls // system calls Sigil lacks, for the log
}

// Kernel-wide state.
var (
	tableMu sync.Mutex                        // guards procs, ids and nextPID
	procs              = map[int32]*Process{} // live and zombie processes by PID
	// ids holds the IDs in use, PIDs and TIDs sharing one space as in
	// Linux's pid namespace: a process's PID until it is reaped, another
	// thread's TID until it exits.
	ids           = map[int32]struct{}{}
	nextPID int32 = 1

	// rootUser counts the real-time signals queued for root, the user
	// every process runs as (RLIMIT_SIGPENDING is per user).
	rootUser signal.UserCount

	// Root is the file system user programs see.
	Root *vfs.FS
)

// allocID reserves the next free ID (alloc_pid: upwards, wrapping to 2
// below pid_max, 1<<22 on 64-bit).
func allocID() int32 {
	tableMu.Lock()
	defer tableMu.Unlock()
	for {
		id := nextPID
		nextPID++
		if nextPID >= pidMax {
			nextPID = 2
		}
		if _, used := ids[id]; !used {
			ids[id] = struct{}{}
			return id
		}
	}
}

// freeID gives an ID back.
func freeID(id int32) {
	tableMu.Lock()
	delete(ids, id)
	tableMu.Unlock()
}

// Lookup returns the live or zombie process pid.
func Lookup(pid int32) *Process {
	tableMu.Lock()
	defer tableMu.Unlock()
	return procs[pid]
}

// All returns the processes, by PID.
func All() []*Process {
	ps := unordered()
	sort.Slice(ps, func(i, j int) bool { return ps[i].PID < ps[j].PID })
	return ps
}

// unordered returns the processes in no order: signalling a group needs
// none, and sort.Slice alone costs a keyboard Ctrl+C a tenth of its
// latency under TCG.
func unordered() []*Process {
	tableMu.Lock()
	defer tableMu.Unlock()
	ps := make([]*Process, 0, len(procs))
	for _, p := range procs {
		ps = append(ps, p)
	}
	return ps
}

// defaultLimits are init's limits, RLIMIT_NPROC at half of threads-max
// as Linux's fork_init sets it.
func defaultLimits() (l rlimit.Table) {
	l.Reset(uint64(threadsMax() / 2))
	return l
}

// newProcess returns a process with a fresh PID, not yet in the table.
func newProcess(parent *Process) *Process { return newProcessID(parent, allocID()) }

// newProcessID returns a process with the PID id, taken for it already.
func newProcessID(parent *Process, id int32) *Process {
	forks.Add(1)
	p := &Process{
		exitSignal: int(linux.SIGCHLD),
		PID:        id,
		parent:     parent,
		threads:    map[int32]*Thread{},
		children:   map[int32]*Process{},
		dying:      make(chan struct{}),
		childEv:    file.NewNotifier(),
		stopEv:     file.NewNotifier(),
		threadEv:   file.NewNotifier(),
		sigEv:      file.NewNotifier(),
		limits:     defaultLimits(),
	}
	p.shared.User = &rootUser
	return p
}

// publish enters a process set up by its creator in the process table,
// where every other thread can find it: before, it is the creator's alone.
func (p *Process) publish() {
	tableMu.Lock()
	procs[p.PID] = p
	tableMu.Unlock()
}

// Info is what ps shows of a process.
type Info struct {
	PID, PPID, PGID, SID int32
	State                byte // R, S, Z
	Threads              int
	Comm                 string
}

// Info describes p.
func (p *Process) Info() Info {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := Info{PID: p.PID, PGID: p.pgid, SID: p.sid, Threads: len(p.threads), Comm: p.comm, State: p.stateLocked(nil)}
	if p.parent != nil {
		i.PPID = p.parent.PID
	}
	return i
}

// stateLocked is the state letter /proc shows for thread th of p, or for
// p (th nil: its main thread's, as Linux's /proc/PID/stat shows the group
// leader's): Z, T, S for a thread asleep in a system call, else R.
// p.mu held.
func (p *Process) stateLocked(th *Thread) byte {
	if th == nil {
		th = p.mainThreadLocked()
	}
	switch {
	case p.zombie:
		return 'Z'
	case p.stopped:
		return 'T'
	case th != nil && th.blocking.Load():
		return 'S'
	}
	return 'R'
}

// Wait status words (see wait(2), and Linux's include/linux/wait.h usage).
func exitedStatus(code int) uint32  { return uint32(code&0xff) << 8 }
func signaledStatus(sig int) uint32 { return uint32(sig & 0x7f) }

// exit ends the process with status (after its threads are gone): files
// close, children go to PID 1, the parent is told, PID 1's exit powers off.
func (p *Process) exit(status uint32) {
	p.mu.Lock()
	if p.zombie {
		p.mu.Unlock()
		return
	}
	p.zombie, p.status = true, status
	p.shared.Clear()
	files, as, children := p.files, p.as, p.children
	p.files, p.as, p.children = nil, nil, map[int32]*Process{}
	vf := p.vforked
	p.vforked = nil
	p.mu.Unlock()
	exitControlling(p)
	p.reportUnknown()
	if vf != nil {
		close(vf)
	}
	if files != nil {
		files.release()
	}
	if as != nil {
		as.release()
	}
	reaper := p.newReaper()
	for _, c := range children {
		c.mu.Lock()
		c.parent = reaper
		c.exitSignal = int(linux.SIGCHLD) // reparent_leader: nobody slays init
		zombie := c.zombie
		var deathSigs []int32
		for _, th := range c.threads {
			if s := th.pdeathsig.Load(); s != 0 {
				deathSigs = append(deathSigs, s)
			}
		}
		c.mu.Unlock()
		if reaper != nil && reaper != p {
			reaper.mu.Lock()
			reaper.children[c.PID] = c
			reaper.mu.Unlock()
			if zombie {
				reaper.childEv.Notify()
			}
		}
		// forget_original_parent: the parent-death signal, as kill()
		// from the exiting parent (SEND_SIG_NOINFO).
		for _, s := range deathSigs {
			info := signal.Info(int(s), linux.SI_USER)
			signal.SetSender(&info, p.PID, 0)
			c.send(nil, info)
		}
	}
	if p.alarm != nil {
		p.alarm.Stop()
	}
	p.mu.Lock()
	p.deleteTimersLocked()
	p.exited = true
	p.mu.Unlock()
	file.Events.Notify() // its pidfds are readable (pidfd.go: do_notify_pidfd in exit_notify)
	if p.parent != nil {
		if sig := status & 0x7f; sig != 0 {
			p.notifyParent(linux.CLD_KILLED, int(sig))
		} else {
			p.notifyParent(linux.CLD_EXITED, int(status>>8&0xff))
		}
	} else if p.PID == 1 && arch.Bare() { // host tests have no machine to stop
		initExited(status)
	}
}

// initExited ends the machine with PID 1's exit: Sigil powers off with its
// exit code, or 128+N for death by signal N, so that isa-debug-exit tells
// a test how init ended. (Linux panics: "Attempted to kill init!")
func initExited(status uint32) {
	code := int(status >> 8 & 0xff)
	how := fmt.Sprintf("exit %d", code)
	if sig := status & 0x7f; sig != 0 {
		code = 128 + int(sig)
		how = "signal " + linux.Signal(sig).Name()
	}
	fmt.Printf("sigil: init exited (%s): powering off with code %d\n", how, code)
	os.Exit(code)
}

// reap removes a waited-for zombie.
func (p *Process) reap() {
	tableMu.Lock()
	delete(procs, p.PID)
	delete(ids, p.PID)
	tableMu.Unlock()
	if par := p.parent; par != nil {
		p.mu.Lock()
		used := p.deadUtime + p.childUtime
		p.mu.Unlock()
		par.mu.Lock()
		delete(par.children, p.PID)
		par.childUtime += used // reaping adds the child's times to cutime
		par.mu.Unlock()
	}
}

// newReaper is who adopts p's children (find_new_reaper): the nearest
// ancestor that is a child subreaper and not exiting, else init.
func (p *Process) newReaper() *Process {
	for a := p.parentOf(); a != nil; a = a.parentOf() {
		a.mu.Lock()
		ok := a.subreaper && !a.zombie && !a.exiting
		a.mu.Unlock()
		if ok {
			return a
		}
	}
	return Lookup(1)
}

// parentOf is p's parent now.
func (p *Process) parentOf() *Process {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parent
}

// kill stops every thread of p (SIGKILL's effect, or the default action of
// a fatal signal) and makes it exit with status.
func (p *Process) kill(status uint32) {
	p.mu.Lock()
	if p.exiting {
		p.mu.Unlock()
		return
	}
	p.exiting = true
	p.status = status
	close(p.dying)
	threads := make([]*Thread, 0, len(p.threads))
	for _, t := range p.threads {
		threads = append(threads, t)
		t.wakeLocked() // out of user mode and out of any blocking call
	}
	p.stopEv.Notify()
	p.mu.Unlock()
	if len(threads) == 0 {
		p.exit(status)
	}
}
