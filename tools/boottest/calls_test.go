package boottest

import (
	"strings"
	"testing"
)

// TestCalls runs calltest's cases (each checked on Linux 6.1): eventfd's
// counter, ceiling, semaphore mode, readiness and blocking write, and the
// resource limits' defaults and prlimit64's errno order; ten thousand
// unknown system calls logged as four lines and a summary; "#!" scripts
// (an interpreter argument, a script as interpreter, ELOOP, EACCES,
// ENOEXEC, ENOENT); close_range, faccessat2, sync, syncfs, membarrier
// and reboot's refusals; execve with a NULL argv and execveat.
func TestCalls(t *testing.T) {
	res := runProgram(t, "calltest", `(?m)^calltest: eventfd ok$`, `(?m)^calltest: rlimit ok$`, `(?m)^calltest: unknown ok$`,
		`(?m)^calltest: script ok$`, `(?m)^calltest: calls ok$`, `(?m)^calltest: exec ok$`, `(?m)^calltest: 6 of 6 passed$`,
		`(?m)^sigil: pid 1 \(calltest\) made 9996 more unimplemented system calls \(ENOSYS\), not logged$`)
	logged := 0
	for _, l := range strings.Split(res.Output, "\n") {
		if strings.Contains(l, "unimplemented syscall") && strings.Contains(l, "(calltest)") {
			logged++
		}
		if strings.Contains(l, "(rseq)") {
			t.Errorf("rseq logged: %s", l)
		}
	}
	if logged != 4 {
		t.Errorf("%d unknown system calls logged, want 4", logged)
	}
	logLines(t, res.Output, "calltest: 10000")
}

// TestScriptInit: a "#!/bin/sh" script is init; the shell runs its lines,
// one of which runs a script whose interpreter is a script.
func TestScriptInit(t *testing.T) {
	res := bootInit(t, "init=/etc/scripts/init")
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^script init: running$`, `(?m)^hello from musl: pid \d+, exiting with 0$`,
		`(?m)^hello from musl: pid \d+, exiting with 3$`, `(?m)^script init: done$`)
}

// TestReboot: reboot(2) powers the machine off (through isa-debug-exit
// with 0) and restarts it (QEMU, run with -no-reboot, quits on the reset).
func TestReboot(t *testing.T) {
	res := runProgram(t, "calltest -- poweroff", `(?m)^sigil: reboot: Power down$`)
	res = bootInit(t, "init=/bin/calltest -- restart")
	if _, ok := res.Code(); ok || res.Status != 0 || res.TimedOut {
		t.Errorf("restart: QEMU status %d (timed out %v), want 0 from the reset\n%s", res.Status, res.TimedOut, res.Tail(20))
	}
	wantLines(t, res.Output, `(?m)^sigil: reboot: Restarting system$`)
}

// TestCmdlineQuotes: the kernel command line splits as Linux's, quotes
// grouping words: init gets -c and "echo hi there" as two arguments.
func TestCmdlineQuotes(t *testing.T) {
	res := bootInit(t, `init=/bin/sh -- -c "echo hi there"`)
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^hi there$`)
}

// TestBusyBox: Debian's busybox-static, packed into the initrd with its
// applet links, runs unmodified: ash's arithmetic, ls through an applet
// link, uname, /proc/interrupts, uptime (sysinfo), mount (/proc/mounts),
// /proc/loadavg, and ps, which reads
// /proc/PID/stat's 52 fields and each process's command line from its
// memory (/proc/PID/cmdline).
func TestBusyBox(t *testing.T) {
	res := bootInit(t, `init=/bin/busybox -- sh -c "echo $((6*7)); ls /etc; uname -sm; cat /proc/interrupts; uptime; mount; cat /proc/loadavg; sleep 3 & ps"`)
	wantCode(t, res, 0)
	wantLines(t, res.Output, `(?m)^42$`, `(?m)^group\s+motd\s+passwd\s+scripts$`, `(?m)^Linux x86_64$`,
		`(?m)^PID\s+USER\s+COMMAND$`, `(?m)^\s+1 root\s+(\{ps\} )?/bin/busybox sh -c echo`, `(?m)^\s+([2-9]|\d\d+) root\s+\S`, // the background child: sleep, or the shell before its exec
		`(?m)^\s+1:(\s+\d+)+\s+IO-APIC\s+1-edge\s+i8042$`, `(?m)^LOC:\s+[1-9]\d*(\s+\d+)*\s+Local timer interrupts$`, // a column per CPU
		`(?m)up 0 min,\s+0 users,\s+load average: 0\.00, 0\.00, 0\.00$`,
		`(?m)^rootfs on / type rootfs \(rw\)$`, `(?m)^proc on /proc type proc \(rw,`, `(?m)^0\.00 0\.00 0\.00 1/\d+ \d+$`)
}

// TestProcLinks: /proc/self/exe names the program and executes it again
// (what Go's tests do to re-run themselves), /proc/self/cwd names the
// working directory.
func TestProcLinks(t *testing.T) {
	runProgram(t, "calltest -- proc", `(?m)^calltest: 0 of 0 passed$`, `(?m)^calltest: proc ok$`)
}

// TestPosixTimers runs timertest (checked on Linux 6.1): a SIGEV_THREAD_ID
// timer's handler runs on the chosen thread; a periodic timer whose
// signal waits blocked reports the periods it missed in si_overrun and
// timer_getoverrun, and is re-armed by the delivery; SIGEV_NONE and an
// ignored signal keep timers running; IDs and errno values as Linux's;
// fork does not inherit timers.
func TestPosixTimers(t *testing.T) {
	runProgram(t, "timertest", `(?m)^timertest: ok$`)
}

// TestPipeCapacity: pipetest (checked on Linux 6.1): capacity counted in
// page slots, a write's partial page merged into the last one, and
// F_GETPIPE_SZ / F_SETPIPE_SZ's rounding, EBADF, EINVAL, ENOMEM, EBUSY
// and EPERM.
func TestPipeCapacity(t *testing.T) {
	runProgram(t, "pipetest", `(?m)^pipetest: ok$`)
}

// TestSignalDrivenIO: asynctest (checked on Linux 6.1): F_SETOWN,
// F_SETOWN_EX, F_SETSIG and their errors; O_ASYNC on pipes through F_SETFL
// and FIOASYNC; SIGIO for each write, the last writer's close; F_SETSIG's
// siginfo (POLL_IN/POLL_OUT, si_fd of the descriptor that set O_ASYNC,
// si_band); SIGIO when the real-time queue is full; a terminal's O_ASYNC
// (its default owner, a line's POLL_IN, raw input's); a pty master's
// (POLL_IN for the slave's output and for TIOCSTI on the master, which
// the master reads; EPERM without CAP_SYS_ADMIN); an eventfd's, which
// signals nothing; AF_UNIX stream and datagram data, POLL_OUT once when
// a stream's full send buffer drains, and TCP's connection, connect,
// data and FIN; and init dropping a default-action signal it had
// blocked.
func TestSignalDrivenIO(t *testing.T) {
	runProgram(t, "asynctest", `(?m)^asynctest: ok$`)
}

// TestSockets: calltest's socket case (checked on Linux 6.1): AF_UNIX
// socketpairs of each type, a pipe descriptor passed with SCM_RIGHTS and
// read through, SCM_CREDENTIALS, abstract and filesystem names with
// listen, connect and accept4, shutdown, EPIPE and SIGPIPE, non-blocking
// EAGAIN, poll readiness and the errno of each misuse.
func TestSockets(t *testing.T) {
	runProgram(t, "calltest -- socket", `(?m)^calltest: socket ok$`, `(?m)^calltest: 1 of 1 passed$`)
}

// TestCredentials runs credtest (checked on Linux 6.1): the set*id calls
// and groups; capabilities across uid changes, fsuid and KEEP_CAPS;
// capget's version rules; prctl's credential options; a uid-1000 process
// refused files, signals and chown as Linux refuses them, with its IDs
// in /proc/self/status; and a set-user-ID root program it runs getting
// euid 0, AT_SECURE and every capability.
func TestCredentials(t *testing.T) {
	runProgram(t, "credtest", `(?m)^credtest: ok$`)
}

// TestNamespaces runs nstest (checked on Linux 6.1): user namespaces
// (IDs before and after uid_map and gid_map, the map rules and errors,
// setgroups allow and deny, capabilities in the namespace, nesting to
// 33 levels then ENOSPC), mount namespaces (a mount seen in one only),
// UTS namespaces, time namespaces (timens_offsets, the clock offsets of
// a child, clone3), the /proc/PID/ns links and the flag rules of clone,
// clone3 and unshare.
func TestNamespaces(t *testing.T) {
	runProgram(t, "nstest", `(?m)^nstest: ok$`)
}

// TestMiscCalls runs misctest (checked on Linux 6.1): select and
// pselect6 with the mask they install while waiting (and ppoll's);
// user CPU time in getrusage, times and the CPU-time clocks, none while
// asleep; nice values and scheduling policies; getcpu; personality;
// sethostname in uname; memfd_create; futex requeue, and a condition
// variable's broadcast waking every waiter; futex waits ended by wakes
// (twelve waiters), a signal (EINTR), relative and absolute timeouts;
// sched_yield running a thread it woke; epoll_ctl's EPERM for regular,
// directory and /proc files; prctl's parent-death signal,
// child subreaper and dumpable; /proc/stat and /proc/cpuinfo.
func TestMiscCalls(t *testing.T) {
	runProgram(t, "misctest", `(?m)^misctest: ok$`)
}

// TestPortAccess: iotest (checked on Linux 6.1): ioperm's map in the TSS
// (ports allowed and dropped one by one, up to 0xffff), iopl(3) as every
// port with CLI/STI skipped and reported once, EINVAL for ranges past
// 0xffff and levels past 3, EPERM without CAP_SYS_RAWIO but for dropping,
// the map kept by fork, execve and setuid, and SIGSEGV (SI_KERNEL) for a
// port outside it.
func TestPortAccess(t *testing.T) {
	runProgram(t, "iotest", `(?m)^iotest: ok$`, `iotest\[1\] attempts to use CLI/STI, pretending it's a NOP`)
}

// TestIRQFile: irqtest, booted with kbd=user in both interrupt modes,
// claims IRQ 1 through /dev/irq/1 and raises it itself through the i8042
// (command 0xd2): UIO's read and write ABI, blocking, O_NONBLOCK and poll;
// each interrupt a queued SIGRTMIN with si_fd, POLL_IN and si_band while
// the process is blocked in read on a pipe (resumed under SA_RESTART,
// EINTR without); a full queue's SIGIO with the count intact; EBUSY for
// a second open and for lines kernel drivers keep, ENOENT past line 15.
// Without kbd=user the keyboard's line is busy.
func TestIRQFile(t *testing.T) {
	for _, mode := range irqModes[:2] {
		t.Run(mode.name, func(t *testing.T) {
			res := bootInit(t, strings.TrimSpace(mode.append+" kbd=user init=/bin/irqtest"))
			wantCode(t, res, 0)
			wantLines(t, res.Output, `(?m)^irqtest: ok$`)
			wantNoFailures(t, res.Output)
		})
	}
	runProgram(t, "irqtest -- busy", `(?m)^irqtest: busy ok$`)
}
