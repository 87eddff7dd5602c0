/* asynctest: signal-driven I/O on pipes, terminals, pty masters, eventfds and sockets
   (fs/fcntl.c, fs/pipe.c, tty_fasync, sock_fasync): F_SETOWN
   and F_SETOWN_EX owners, F_SETSIG's siginfo (si_code POLL_IN/POLL_OUT,
   si_fd, si_band), SIGIO when the real-time queue is full, O_ASYNC through
   F_SETFL and FIOASYNC, and the fcntl errors. Each expectation was
   measured on Linux 6.1 in the same QEMU. Prints "asynctest: ok". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "asynctest"
#include "check.h"

static volatile int sigios;
static void on_sigio(int sig) { (void)sig; sigios++; }

/* block blocks signal a, and b unless it is 0, and returns the set, for
   the unblock after. */
static sigset_t block(int a, int b) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	sigprocmask(SIG_BLOCK, &s, NULL);
	return s;
}

/* take waits for sig (blocked) and returns its siginfo. */
static int take(int sig, siginfo_t *si) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec ts = {2, 0};
	return sigtimedwait(&s, si, &ts);
}

static void t_owner(void) {
	current = "owner";
	int p[2];
	OK(pipe(p));
	struct f_owner_ex ex = {99, 0};
	uid_t uids[2] = {7, 7};
	OK(fcntl(p[0], F_GETOWN_EX, &ex));
	CHECK(ex.type == F_OWNER_TID && ex.pid == 0, "fresh F_GETOWN_EX: type %d pid %d", ex.type, ex.pid);
	EQ(fcntl(p[0], F_GETOWN), 0);
	EQ(fcntl(p[0], F_GETSIG), 0);
	ERRNO(fcntl(p[0], F_SETOWN, 99999), ESRCH);
	ERRNO(fcntl(p[0], F_SETOWN, -2147483647 - 1), EINVAL);
	OK(fcntl(p[0], F_SETOWN, getpid()));
	EQ(fcntl(p[0], F_GETOWN), getpid());
	OK(fcntl(p[0], F_GETOWN_EX, &ex));
	CHECK(ex.type == F_OWNER_PID && ex.pid == getpid(), "F_GETOWN_EX after F_SETOWN: type %d pid %d", ex.type, ex.pid);
	OK(fcntl(p[0], F_SETOWN, -getpgrp()));
	EQ(fcntl(p[0], F_GETOWN), -getpgrp());
	OK(fcntl(p[0], F_SETOWN, 0));
	OK(fcntl(p[0], F_GETOWN_EX, &ex));
	CHECK(ex.type == F_OWNER_PID && ex.pid == 0, "F_GETOWN_EX after F_SETOWN 0: type %d pid %d", ex.type, ex.pid);
	ex.type = 3;
	ERRNO(fcntl(p[0], F_SETOWN_EX, &ex), EINVAL);
	ex.type = F_OWNER_TID, ex.pid = 99999;
	ERRNO(fcntl(p[0], F_SETOWN_EX, &ex), ESRCH);
	ERRNO(fcntl(p[0], F_SETOWN_EX, (void *)8), EFAULT);
	ex.type = F_OWNER_TID, ex.pid = gettid();
	OK(fcntl(p[0], F_SETOWN_EX, &ex));
	EQ(fcntl(p[0], F_GETOWN), gettid());
	OK(fcntl(p[0], F_GETOWNER_UIDS, uids));
	CHECK(uids[0] == 0 && uids[1] == 0, "F_GETOWNER_UIDS: %d %d", uids[0], uids[1]);
	ERRNO(fcntl(p[0], F_SETSIG, 65), EINVAL);
	ERRNO(fcntl(p[0], F_SETSIG, -1), EINVAL);
	OK(fcntl(p[0], F_SETSIG, 64));
	EQ(fcntl(p[0], F_GETSIG), 64);
	/* O_ASYNC sticks only where the file has fasync. */
	OK(fcntl(p[0], F_SETFL, O_ASYNC));
	CHECK(fcntl(p[0], F_GETFL) & O_ASYNC, "O_ASYNC not set on a pipe");
	mkdir("/tmp", 01777);
	int f = open("/tmp/asynctest", O_CREAT | O_RDWR, 0600);
	OK(f);
	OK(fcntl(f, F_SETFL, O_ASYNC));
	CHECK(!(fcntl(f, F_GETFL) & O_ASYNC), "O_ASYNC set on a regular file");
	int on = 0;
	OK(ioctl(p[0], FIOASYNC, &on));
	CHECK(!(fcntl(p[0], F_GETFL) & O_ASYNC), "FIOASYNC 0 left O_ASYNC set");
	close(f), close(p[0]), close(p[1]);
}

static void t_sigio(void) {
	current = "sigio";
	int p[2];
	OK(pipe(p));
	signal(SIGIO, on_sigio);
	OK(fcntl(p[0], F_SETOWN, getpid()));
	OK(fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	sigios = 0;
	EQ(write(p[1], "x", 1), 1);
	CHECK(sigios == 1, "one write: %d SIGIOs", sigios);
	char c;
	EQ(read(p[0], &c, 1), 1);
	CHECK(sigios == 1, "a read by the reader: %d SIGIOs", sigios);
	/* Every pipe_read ends with POLL_OUT to the writers: none here. */
	ERRNO(read(p[0], &c, 1), EAGAIN);
	CHECK(sigios == 1, "after EAGAIN: %d SIGIOs", sigios);
	int on = 0;
	OK(ioctl(p[0], FIOASYNC, &on));
	EQ(write(p[1], "x", 1), 1);
	CHECK(sigios == 1, "write after FIOASYNC 0: %d SIGIOs", sigios);
	on = 1;
	OK(ioctl(p[0], FIOASYNC, &on));
	EQ(write(p[1], "x", 1), 1);
	CHECK(sigios == 2, "write after FIOASYNC 1: %d SIGIOs", sigios);
	close(p[1]); /* the last writer: POLL_IN to the readers */
	CHECK(sigios == 3, "close of the last writer: %d SIGIOs", sigios);
	close(p[0]);
	signal(SIGIO, SIG_DFL);
}

static void t_setsig(void) {
	current = "setsig";
	int p[2];
	OK(pipe(p));
	sigset_t s = block(SIGRTMIN, SIGIO);
	/* The reader: POLL_IN with the descriptor that set O_ASYNC. */
	int r = dup(p[0]);
	OK(fcntl(r, F_SETOWN, getpid()));
	OK(fcntl(r, F_SETSIG, SIGRTMIN));
	OK(fcntl(r, F_SETFL, O_ASYNC));
	EQ(write(p[1], "ab", 2), 2);
	siginfo_t si;
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_IN && si.si_fd == r && si.si_band == (POLLIN | POLLRDNORM),
		"POLL_IN siginfo: code %d fd %d (want %d) band %#lx", si.si_code, si.si_fd, r, si.si_band);
	/* The writer: POLL_OUT when the reader takes bytes. */
	OK(fcntl(p[1], F_SETOWN, getpid()));
	OK(fcntl(p[1], F_SETSIG, SIGRTMIN));
	OK(fcntl(p[1], F_SETFL, O_ASYNC));
	char buf[4];
	EQ(read(p[0], buf, 2), 2);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_OUT && si.si_fd == p[1] && si.si_band == (POLLOUT | POLLWRNORM | POLLWRBAND),
		"POLL_OUT siginfo: code %d fd %d band %#lx", si.si_code, si.si_fd, si.si_band);
	/* A full real-time queue: SIGIO instead, as the kernel sends it. */
	struct rlimit old, none = {0, 0};
	OK(getrlimit(RLIMIT_SIGPENDING, &old));
	OK(setrlimit(RLIMIT_SIGPENDING, &none));
	EQ(write(p[1], "c", 1), 1);
	OK(setrlimit(RLIMIT_SIGPENDING, &old));
	EQ(take(SIGIO, &si), SIGIO);
	CHECK(si.si_code == SI_KERNEL, "fallback SIGIO si_code %d, want SI_KERNEL", si.si_code);
	struct timespec zero = {0, 0};
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	CHECK(sigtimedwait(&rt, &si, &zero) == -1, "a SIGRTMIN was queued past RLIMIT_SIGPENDING");
	close(r), close(p[0]), close(p[1]);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* openpty_pair opens a pty's master, which it returns, and its slave,
   in *sl, neither as the controlling terminal; -1 if it could not. */
#undef FAIL_RETURN
#define FAIL_RETURN return -1
static int openpty_pair(int *sl) {
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 && errno == ENOENT) { /* Linux booted on this initrd: no devtmpfs */
		mkdir("/dev/pts", 0755);
		mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
		m = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	}
	CHECK(m >= 0, "posix_openpt: %s", strerror(errno));
	char name[64];
	CHECK(grantpt(m) == 0 && unlockpt(m) == 0 && ptsname_r(m, name, sizeof name) == 0, "pty setup");
	*sl = open(name, O_RDWR | O_NOCTTY);
	OK(*sl);
	return m;
}
#undef FAIL_RETURN
#define FAIL_RETURN return

/* A terminal (a pty's slave): O_ASYNC with no owner takes the terminal's
   foreground group, or the caller's process (__tty_fasync); input
   signals POLL_IN when a line completes, and at once in raw mode. */
static void t_tty(void) {
	current = "tty";
	int sl, m = openpty_pair(&sl);
	if (m < 0)
		return;
	sigset_t s = block(SIGRTMIN, SIGIO);
	EQ(fcntl(sl, F_GETOWN), 0);
	OK(fcntl(sl, F_SETFL, O_ASYNC));
	EQ(fcntl(sl, F_GETOWN), getpid()); /* not our terminal: no foreground group */
	OK(fcntl(sl, F_SETSIG, SIGRTMIN));
	EQ(write(m, "ab", 2), 2);
	struct timespec zero = {0, 0}, ms = {0, 200000000};
	siginfo_t si;
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	nanosleep(&ms, 0);
	CHECK(sigtimedwait(&rt, &si, &zero) == -1, "POLL_IN before the line ended");
	EQ(write(m, "c\n", 2), 2);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_IN && si.si_fd == sl && si.si_band == (POLLIN | POLLRDNORM),
		"line siginfo: code %d fd %d (want %d) band %#lx", si.si_code, si.si_fd, sl, si.si_band);
	struct termios t;
	OK(tcgetattr(sl, &t));
	cfmakeraw(&t);
	OK(tcsetattr(sl, TCSANOW, &t));
	EQ(write(m, "d", 1), 1);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_IN && si.si_fd == sl, "raw siginfo: code %d fd %d", si.si_code, si.si_fd);
	close(sl), close(m);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* A pty master (tty_fasync on the master's tty): what the slave writes
   makes the master readable, POLL_IN (n_tty's receive_buf on the
   master). TIOCSTI on the master feeds the master's own input, what the
   master reads, for a caller with CAP_SYS_ADMIN (it is no one's
   controlling terminal); EPERM for one without. */
static void t_master(void) {
	current = "master";
	int sl, m = openpty_pair(&sl);
	if (m < 0)
		return;
	sigset_t s = block(SIGRTMIN + 1, 0);
	OK(fcntl(m, F_SETOWN, getpid()));
	OK(fcntl(m, F_SETSIG, SIGRTMIN + 1));
	OK(fcntl(m, F_SETFL, O_ASYNC | O_NONBLOCK));
	EQ(fcntl(m, F_GETFL) & O_ASYNC, O_ASYNC);
	EQ(write(sl, "hi", 2), 2);
	siginfo_t si;
	EQ(take(SIGRTMIN + 1, &si), SIGRTMIN + 1);
	CHECK(si.si_code == POLL_IN && si.si_fd == m && si.si_band == (POLLIN | POLLRDNORM),
		"slave output siginfo: code %d fd %d (want %d) band %#lx", si.si_code, si.si_fd, m, si.si_band);
	char b[16];
	EQ(read(m, b, sizeof b), 2);
	struct timespec zero = {0, 0};
	CHECK(sigtimedwait(&s, &si, &zero) == -1, "a second signal: code %d fd %d", si.si_code, si.si_fd);
	char c = 'z';
	OK(ioctl(m, TIOCSTI, &c));
	EQ(take(SIGRTMIN + 1, &si), SIGRTMIN + 1);
	CHECK(si.si_code == POLL_IN && si.si_fd == m, "TIOCSTI siginfo: code %d fd %d", si.si_code, si.si_fd);
	b[0] = 0;
	EQ(read(m, b, sizeof b), 1);
	CHECK(b[0] == 'z', "the master read %#x after TIOCSTI", b[0]);
	OK(fcntl(sl, F_SETFL, O_NONBLOCK));
	ERRNO(read(sl, b, sizeof b), EAGAIN);
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(2);
		_exit(ioctl(m, TIOCSTI, &c) == -1 && errno == EPERM ? 0 : 1);
	}
	int st;
	EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "TIOCSTI without CAP_SYS_ADMIN: child status %#x", st);
	close(sl), close(m);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* An eventfd takes O_ASYNC and signals nothing: Linux 6.1's eventfd has
   no fasync. */
static void t_eventfd(void) {
	current = "eventfd";
	int e = eventfd(0, 0);
	OK(e);
	OK(fcntl(e, F_SETOWN, getpid()));
	OK(fcntl(e, F_SETFL, O_ASYNC));
	EQ(fcntl(e, F_GETFL) & O_ASYNC, 0);
	sigios = 0;
	signal(SIGIO, on_sigio);
	uint64_t one = 1;
	EQ(write(e, &one, 8), 8);
	CHECK(sigios == 0, "%d SIGIOs from an eventfd", sigios);
	signal(SIGIO, SIG_DFL);
	close(e);
}

/* A socket pair: POLL_IN to the receiving end's owner when data comes
   (sock_def_readable), and POLL_IN when the peer closes. */
static void t_socket(void) {
	current = "socket";
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	sigset_t s = block(SIGRTMIN, 0);
	OK(fcntl(sv[0], F_SETOWN, getpid()));
	OK(fcntl(sv[0], F_SETSIG, SIGRTMIN));
	OK(fcntl(sv[0], F_SETFL, O_ASYNC));
	EQ(fcntl(sv[0], F_GETFL) & O_ASYNC, O_ASYNC);
	EQ(write(sv[1], "x", 1), 1);
	siginfo_t si;
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_IN && si.si_fd == sv[0] && si.si_band == (POLLIN | POLLRDNORM),
		"data siginfo: code %d fd %d band %#lx", si.si_code, si.si_fd, si.si_band);
	int d[2];
	OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
	OK(fcntl(d[0], F_SETOWN, getpid()));
	OK(fcntl(d[0], F_SETSIG, SIGRTMIN));
	OK(fcntl(d[0], F_SETFL, O_ASYNC));
	EQ(write(d[1], "yy", 2), 2);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_code == POLL_IN && si.si_fd == d[0], "datagram siginfo: code %d fd %d", si.si_code, si.si_fd);
	close(d[0]), close(d[1]);
	close(sv[0]), close(sv[1]);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* A full send buffer that drains: the writer's owner hears POLL_OUT
   once, when a read leaves the buffer writable (unix_write_space, a
   quarter used), only because a send found it full (SOCKWQ_ASYNC_NOSPACE,
   set by sock_alloc_send_pskb, cleared by sock_wake_async). */
static void space_check(int w, int r);

static void t_space(void) {
	current = "space";
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	space_check(sv[0], sv[1]);
	close(sv[0]), close(sv[1]);
}

/* space_check: writer w's owner hears POLL_OUT once after a send found it
   full and reader r drained it; not before. */
static void space_check(int w, int r) {
	int sv[2] = {w, r};
	sigset_t s = block(SIGRTMIN + 1, 0);
	OK(fcntl(sv[0], F_SETOWN, getpid()));
	OK(fcntl(sv[0], F_SETSIG, SIGRTMIN + 1));
	OK(fcntl(sv[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	OK(fcntl(sv[1], F_SETFL, O_NONBLOCK));
	static char buf[4096];
	siginfo_t si;
	struct timespec zero = {0, 0};
	/* Space without a full send first: nothing. */
	EQ(write(sv[0], "x", 1), 1);
	EQ(read(sv[1], buf, sizeof buf), 1);
	CHECK(sigtimedwait(&s, &si, &zero) == -1, "a signal with no full send: code %d", si.si_code);
	int writes = 0;
	while (write(sv[0], buf, sizeof buf) > 0)
		writes++;
	CHECK(errno == EAGAIN && writes > 0, "filling: %d writes, then %s", writes, strerror(errno));
	CHECK(sigtimedwait(&s, &si, &zero) == -1, "a signal while full: code %d", si.si_code);
	long got = 0, n;
	while ((n = read(sv[1], buf, sizeof buf)) > 0)
		got += n;
	CHECK(got > 0, "read nothing back");
	EQ(take(SIGRTMIN + 1, &si), SIGRTMIN + 1);
	CHECK(si.si_code == POLL_OUT && si.si_fd == sv[0] && si.si_band == (POLLOUT | POLLWRNORM | POLLWRBAND),
		"space siginfo: code %d fd %d (want %d) band %#lx", si.si_code, si.si_fd, sv[0], si.si_band);
	CHECK(sigtimedwait(&s, &si, &zero) == -1, "a second signal: code %d", si.si_code);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* TCP on the loopback: POLL_IN to a listener's owner for a connection to
   accept, POLL_IN to a connection's for data and for the peer's FIN
   (tcp_fin), POLL_OUT to a connector when it connects. */
static void t_inet(void) {
	current = "inet";
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(u, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) { /* Linux leaves lo down */
		ifr.ifr_flags |= IFF_UP;
		ioctl(u, SIOCSIFFLAGS, &ifr);
	}
	close(u);
	sigset_t s = block(SIGRTMIN, 0);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	OK(bind(l, (struct sockaddr *)&a, sizeof a));
	OK(getsockname(l, (struct sockaddr *)&a, &al));
	OK(listen(l, 4));
	OK(fcntl(l, F_SETOWN, getpid()));
	OK(fcntl(l, F_SETSIG, SIGRTMIN));
	OK(fcntl(l, F_SETFL, O_ASYNC));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	OK(fcntl(c, F_SETOWN, getpid()));
	OK(fcntl(c, F_SETSIG, SIGRTMIN));
	OK(fcntl(c, F_SETFL, O_ASYNC | O_NONBLOCK));
	errno = 0;
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
	siginfo_t si;
	int got_l = 0, got_c = 0;
	for (int i = 0; i < 2 && take(SIGRTMIN, &si) == SIGRTMIN; i++) {
		if (si.si_fd == l && si.si_code == POLL_IN)
			got_l++;
		else if (si.si_fd == c && si.si_code == POLL_OUT)
			got_c++;
		else
			FAIL("connect siginfo: code %d fd %d band %#lx", si.si_code, si.si_fd, si.si_band);
	}
	CHECK(got_l == 1 && got_c == 1, "listener POLL_IN %d, connector POLL_OUT %d", got_l, got_c);
	int n = accept(l, 0, 0);
	OK(n);
	OK(fcntl(n, F_SETOWN, getpid()));
	OK(fcntl(n, F_SETSIG, SIGRTMIN));
	OK(fcntl(n, F_SETFL, O_ASYNC));
	EQ(write(c, "hi", 2), 2);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_fd == n && si.si_code == POLL_IN && si.si_band == (POLLIN | POLLRDNORM),
		"data siginfo: code %d fd %d band %#lx", si.si_code, si.si_fd, si.si_band);
	OK(fcntl(c, F_SETFL, O_NONBLOCK)); /* the connector hears no more */
	close(c);
	EQ(take(SIGRTMIN, &si), SIGRTMIN);
	CHECK(si.si_fd == n && si.si_code == POLL_IN, "FIN siginfo: code %d fd %d band %#lx", si.si_code, si.si_fd, si.si_band);
	close(n);
	/* A full send queue that drains (sk_stream_write_space). */
	current = "inet space";
	OK(fcntl(l, F_SETFL, 0)); /* the listener hears no more */
	c = socket(AF_INET, SOCK_STREAM, 0);
	OK(connect(c, (struct sockaddr *)&a, sizeof a));
	n = accept(l, 0, 0);
	OK(n);
	space_check(c, n);
	close(c), close(n), close(l);
	struct timespec zero = {0, 0};
	while (sigtimedwait(&s, &si, &zero) == SIGRTMIN) /* the closed ends' last POLL_INs */
		;
	sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* Init drops a default-action signal it had blocked when it unblocks it
   (get_signal's SIGNAL_UNKILLABLE check), as it drops one at generation. */
static void t_init(void) {
	current = "init";
	if (getpid() != 1)
		return;
	sigset_t s = block(SIGTERM, 0);
	OK(kill(1, SIGTERM));
	sigset_t pend;
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGTERM), "a blocked SIGTERM to init is not pending");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGTERM), "SIGTERM still pending after the unblock");
}

int main(void) {
	t_init();
	t_owner();
	t_sigio();
	t_setsig();
	t_tty();
	t_master();
	t_eventfd();
	t_socket();
	t_space();
	t_inet();
	if (failed)
		return 1;
	printf("asynctest: ok\n");
	return 0;
}
