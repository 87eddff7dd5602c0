/* ptytest: pseudo-terminals and job control on a terminal that is not
   the console. /dev/ptmx and /dev/pts/N (grantpt, unlockpt, ptsname,
   the lock, TIOCGPTN, TIOCGPTPEER), the slave's line discipline between
   the two ends (echo, ICANON, ONLCR), ^C and ^Z to the slave's foreground
   group, window size and SIGWINCH, poll and O_NONBLOCK on both ends,
   controlling terminals (setsid, opening one, TIOCSCTTY, TIOCNOTTY,
   /dev/tty), TIOCGPGRP/TIOCSPGRP/TIOCGSID and their errors, SIGTTIN and
   SIGTTOU, master reads after the slave closed, and the hangup when the
   master closes. Expectations are Linux 6.1's (run as rdinit there).
   Prints "ptytest: NAME ok" per case. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define TEST_NAME "ptytest"
#include "check.h"
/* In a child: report and exit 1. */

/* newpty opens a master, unlocked, and its slave (O_NOCTTY unless ctty). */
static int newpty(int *slave, char *name, int ctty) {
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		return -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, 64) != 0)
		return -1;
	if (slave) {
		*slave = open(name, O_RDWR | (ctty ? 0 : O_NOCTTY));
		if (*slave < 0)
			return -1;
	}
	return m;
}

/* readall reads what is there within ms milliseconds. */
static int readsome(int fd, char *buf, int len, int ms) {
	struct pollfd p = {fd, POLLIN, 0};
	int n = 0;
	while (n < len && poll(&p, 1, ms) == 1 && (p.revents & POLLIN)) {
		int r = read(fd, buf + n, len - n);
		if (r <= 0)
			break;
		n += r;
		ms = 50;
	}
	buf[n] = 0;
	return n;
}

static void t_open(void) {
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(m >= 0, "posix_openpt: %s", strerror(errno));
	unsigned n = 99;
	OK(ioctl(m, TIOCGPTN, &n));
	char name[64], want[64];
	CHECK(ptsname_r(m, name, sizeof name) == 0, "ptsname");
	snprintf(want, sizeof want, "/dev/pts/%u", n);
	CHECK(!strcmp(name, want), "ptsname %s, TIOCGPTN %u", name, n);
	struct stat st;
	OK(stat(name, &st));
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == n, "slave node mode %o rdev %d:%d",
	      st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	int lock = 0;
	OK(ioctl(m, TIOCGPTLCK, &lock));
	CHECK(lock == 1, "a new pty is locked");
	ERRNO(open(name, O_RDWR | O_NOCTTY), EIO);
	OK(grantpt(m));
	OK(unlockpt(m));
	int s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0, "open slave: %s", strerror(errno));
	CHECK(isatty(s) && isatty(m), "isatty");
	int p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	CHECK(p >= 0, "TIOCGPTPEER: %s", strerror(errno));
	OK(fstat(p, &st));
	CHECK(minor(st.st_rdev) == n, "peer is the slave");
	ERRNO(ioctl(s, TIOCGPTN, &n), ENOTTY);
	int m2 = posix_openpt(O_RDWR | O_NOCTTY);
	unsigned n2;
	OK(ioctl(m2, TIOCGPTN, &n2));
	CHECK(n2 != n, "second pty has its own index");
	close(m2);
	close(p), close(s), close(m);
	ERRNO(stat(name, &st), ENOENT); /* the node goes with the master */
}

static void t_ldisc(void) {
	char name[64], buf[256];
	int s, m = newpty(&s, name, 0);
	CHECK(m >= 0, "newpty: %s", strerror(errno));
	/* ICANON: nothing to read until the newline. */
	CHECK(write(m, "hel", 3) == 3, "write master");
	struct pollfd p = {s, POLLIN, 0};
	CHECK(poll(&p, 1, 100) == 0, "slave readable before the line ends");
	CHECK(write(m, "lo\n", 3) == 3, "write master");
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "slave not readable after a line");
	int n = read(s, buf, sizeof buf);
	CHECK(n == 6 && !memcmp(buf, "hello\n", 6), "slave read %d", n);
	n = readsome(m, buf, sizeof buf - 1, 1000);
	CHECK(n == 7 && !strcmp(buf, "hello\r\n"), "echo on master: %d %s", n, buf);
	/* Erase: hx<DEL>i\n reads as hi. */
	CHECK(write(m, "hx\x7fi\n", 5) == 5, "write");
	n = read(s, buf, sizeof buf);
	CHECK(n == 3 && !memcmp(buf, "hi\n", 3), "erase: %d", n);
	readsome(m, buf, sizeof buf - 1, 200);
	/* Output processing: ONLCR. */
	CHECK(write(s, "out\n", 4) == 4, "write slave");
	n = readsome(m, buf, sizeof buf - 1, 1000);
	CHECK(n == 5 && !strcmp(buf, "out\r\n"), "slave output %d %s", n, buf);
	/* Raw mode, no echo. */
	struct termios t;
	OK(tcgetattr(s, &t));
	cfmakeraw(&t);
	OK(tcsetattr(s, TCSANOW, &t));
	CHECK(write(m, "ab\n", 3) == 3, "write");
	n = readsome(s, buf, sizeof buf - 1, 1000);
	CHECK(n == 3 && !strcmp(buf, "ab\n"), "raw read %d", n);
	CHECK(write(s, "x\n", 2) == 2, "write slave");
	n = readsome(m, buf, sizeof buf - 1, 1000);
	CHECK(n == 2 && !strcmp(buf, "x\n"), "raw output %d", n);
	/* O_NONBLOCK on both ends. */
	fcntl(m, F_SETFL, O_NONBLOCK);
	fcntl(s, F_SETFL, O_NONBLOCK);
	ERRNO(read(m, buf, 1), EAGAIN);
	ERRNO(read(s, buf, 1), EAGAIN);
	p.fd = m, p.events = POLLIN | POLLOUT;
	CHECK(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "master poll %x", p.revents);
	/* FIONREAD both ways. */
	write(m, "12345", 5);
	int avail = 0;
	usleep(100000);
	OK(ioctl(s, FIONREAD, &avail));
	CHECK(avail == 5, "slave FIONREAD %d", avail);
	close(s), close(m);
}

/* Window size: TIOCSWINSZ through the master reaches the slave and sends
   SIGWINCH to its foreground group. */
static volatile sig_atomic_t winch, hup, intr;
static void on_sig(int sig) {
	if (sig == SIGWINCH)
		winch++;
	if (sig == SIGHUP)
		hup++;
	if (sig == SIGINT)
		intr++;
}

static void handle(int sig) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(sig, &sa, NULL);
}

/* session forks a child that makes the slave its controlling terminal as
   a new session's leader and runs fn; returns its exit status. */
static int session(const char *name, int (*fn)(int slave, void *), void *arg) {
	pid_t c = fork();
	if (c == 0) {
		if (setsid() < 0)
			CFAIL("setsid: %s", strerror(errno));
		int s = open(name, O_RDWR); /* no O_NOCTTY: becomes the terminal */
		if (s < 0)
			CFAIL("open %s: %s", name, strerror(errno));
		_exit(fn(s, arg));
	}
	int st;
	waitpid(c, &st, 0);
	return st;
}

static int winsize_child(int s, void *arg) {
	int *ready = arg;
	handle(SIGWINCH);
	write(ready[1], "r", 1);
	for (int i = 0; i < 200 && !winch; i++)
		usleep(10000);
	struct winsize ws;
	CCHECK(winch == 1, "SIGWINCH %d", (int)winch);
	CCHECK(ioctl(s, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 33 && ws.ws_col == 101, "winsize %d %d", ws.ws_row, ws.ws_col);
	return 0;
}

static void t_winsize(void) {
	char name[64];
	int m = newpty(NULL, name, 0);
	CHECK(m >= 0, "newpty");
	int ready[2];
	pipe(ready);
	pid_t c = fork();
	if (c == 0)
		_exit(WEXITSTATUS(session(name, winsize_child, ready)));
	char b;
	read(ready[0], &b, 1);
	struct winsize ws = {33, 101, 0, 0};
	OK(ioctl(m, TIOCSWINSZ, &ws));
	int st;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
	close(m), close(ready[0]), close(ready[1]);
}

/* ^C typed on the master interrupts the slave's foreground group's read. */
static int intr_child(int s, void *arg) {
	int *ready = arg;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig; /* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	pid_t sid = 0, pg = 0;
	CCHECK(ioctl(s, TIOCGSID, &sid) == 0 && sid == getpid(), "TIOCGSID %d", sid);
	CCHECK(ioctl(s, TIOCGPGRP, &pg) == 0 && pg == getpid(), "TIOCGPGRP %d", pg);
	CCHECK(tcgetsid(s) == getpid(), "tcgetsid");
	int t = open("/dev/tty", O_RDWR);
	CCHECK(t >= 0, "/dev/tty: %s", strerror(errno));
	struct stat a, b;
	fstat(t, &a), fstat(s, &b);
	close(t);
	write(ready[1], "r", 1);
	char buf[16];
	errno = 0;
	int n = read(s, buf, sizeof buf);
	CCHECK(n == -1 && errno == EINTR && intr == 1, "read %d errno %d intr %d", n, errno, (int)intr);
	return 0;
}

static void t_intr(void) {
	char name[64], buf[64];
	int m = newpty(NULL, name, 0);
	CHECK(m >= 0, "newpty");
	int ready[2];
	pipe(ready);
	pid_t c = fork();
	if (c == 0)
		_exit(WEXITSTATUS(session(name, intr_child, ready)));
	char b;
	read(ready[0], &b, 1);
	usleep(100000); /* into the read */
	write(m, "ab\x03", 3);
	int st;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
	int n = readsome(m, buf, sizeof buf - 1, 500);
	/* isig flushes the unread echo of ab (tty_driver_flush_buffer). */
	CHECK(n == 2 && !strcmp(buf, "^C"), "echo %d %s", n, buf);
	close(m), close(ready[0]), close(ready[1]);
}

/* Job control in a session on the slave: a background group that reads
   gets SIGTTIN (EIO when it ignores it), that sets termios or the
   foreground group gets SIGTTOU, that writes with TOSTOP too; ^Z stops
   the foreground group; TIOCSPGRP's errors. */
static pid_t other_session_pgrp;

static int bg(int s, void (*fn)(int)) {
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		fn(s);
		_exit(0);
	}
	setpgid(c, c);
	return c;
}

static void do_read(int s) { char b; read(s, &b, 1); _exit(5); }
static void do_read_ign(int s) {
	signal(SIGTTIN, SIG_IGN);
	char b;
	errno = 0;
	int n = read(s, &b, 1);
	_exit(n == -1 && errno == EIO ? 7 : 8);
}
static void do_tcsetattr(int s) { struct termios t; tcgetattr(s, &t); tcsetattr(s, TCSANOW, &t); _exit(5); }
static void do_tcsetpgrp(int s) { tcsetpgrp(s, getpgrp()); _exit(5); }
static void do_tcsetpgrp_blocked(int s) {
	sigset_t set;
	sigemptyset(&set), sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	_exit(tcsetpgrp(s, getpgrp()) == 0 && tcgetpgrp(s) == getpgrp() ? 7 : 8);
}
static void do_write(int s) { write(s, "w\n", 2); _exit(7); }
static void do_spin(int s) { for (;;) pause(); }

static int stopped_by(pid_t c, int sig) {
	int st;
	if (waitpid(c, &st, WUNTRACED) != c)
		return 0;
	int ok = WIFSTOPPED(st) && WSTOPSIG(st) == sig;
	if (!ok)
		printf("ptytest: status %x\n", st);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return ok;
}

static int exited_with(pid_t c, int code) {
	int st;
	waitpid(c, &st, WUNTRACED);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == code)) {
		printf("ptytest: status %x, want exit %d\n", st, code);
		if (WIFSTOPPED(st))
			kill(c, SIGKILL), waitpid(c, &st, 0);
		return 0;
	}
	return 1;
}

static int jobs_child(int s, void *arg) {
	int m = *(int *)arg;
	CCHECK(tcgetpgrp(s) == getpid(), "foreground %d", tcgetpgrp(s));
	CCHECK(stopped_by(bg(s, do_read), SIGTTIN), "background read: SIGTTIN");
	CCHECK(exited_with(bg(s, do_read_ign), 7), "background read ignoring SIGTTIN: EIO");
	CCHECK(stopped_by(bg(s, do_tcsetattr), SIGTTOU), "background tcsetattr: SIGTTOU");
	CCHECK(stopped_by(bg(s, do_tcsetpgrp), SIGTTOU), "background tcsetpgrp: SIGTTOU");
	CCHECK(exited_with(bg(s, do_write), 7), "background write without TOSTOP");
	struct termios t;
	tcgetattr(s, &t);
	t.c_lflag |= TOSTOP;
	tcsetattr(s, TCSANOW, &t);
	CCHECK(stopped_by(bg(s, do_write), SIGTTOU), "background write with TOSTOP: SIGTTOU");
	t.c_lflag &= ~TOSTOP;
	tcsetattr(s, TCSANOW, &t);
	/* TIOCSPGRP's errors. */
	CERRNO(tcsetpgrp(s, 0x7ffff0), ESRCH);
	CERRNO(tcsetpgrp(s, -1), EINVAL);
	CERRNO(tcsetpgrp(s, other_session_pgrp), EPERM);
	/* Through the master, the calls act on its slave (tty_pair_get_tty). */
	CCHECK(tcsetpgrp(m, getpgrp()) == 0, "TIOCSPGRP via the master: %s", strerror(errno));
	pid_t pg;
	CCHECK(ioctl(m, TIOCGPGRP, &pg) == 0 && pg == getpgrp(), "TIOCGPGRP via the master %d", pg);
	/* A background group that blocks SIGTTOU may take the terminal. */
	CCHECK(exited_with(bg(s, do_tcsetpgrp_blocked), 7), "tcsetpgrp with SIGTTOU blocked");
	CCHECK(tcgetpgrp(s) != getpgrp(), "the group stays in front after its exit");
	signal(SIGTTOU, SIG_IGN);
	CCHECK(tcsetpgrp(s, getpgrp()) == 0, "back in front: %s", strerror(errno));
	/* ^Z stops the foreground group, ^C kills it. */
	pid_t c = bg(s, do_spin);
	CCHECK(tcsetpgrp(s, c) == 0, "job in front");
	usleep(100000);
	write(m, "\x1a", 1);
	int st;
	CCHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "^Z: %x", st);
	kill(-c, SIGCONT);
	CCHECK(waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st), "continued: %x", st);
	write(m, "\x03", 1);
	CCHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "^C: %x", st);
	CCHECK(tcsetpgrp(s, getpgrp()) == 0, "back in front");
	/* A non-leader may not take a terminal; the leader has one. */
	pid_t k = fork();
	if (k == 0)
		_exit(ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
	CCHECK(exited_with(k, 0), "TIOCSCTTY by a non-leader: EPERM");
	CCHECK(ioctl(s, TIOCSCTTY, 0) == 0, "TIOCSCTTY on one's own terminal");
	/* Another session may not take it... */
	k = fork();
	if (k == 0) {
		setsid();
		int r = open("/dev/tty", O_RDWR);
		if (r >= 0 || errno != ENXIO)
			_exit(2);
		_exit(ioctl(s, TIOCSCTTY, 0) == -1 && errno == EPERM ? 0 : 1);
	}
	CCHECK(exited_with(k, 0), "TIOCSCTTY of another session's terminal: EPERM; /dev/tty ENXIO without one");
	/* ...until the leader gives it up (its foreground group: SIGHUP). */
	signal(SIGHUP, SIG_IGN);
	CCHECK(ioctl(s, TIOCNOTTY) == 0, "TIOCNOTTY: %s", strerror(errno));
	CERRNO(open("/dev/tty", O_RDWR), ENXIO);
	CERRNO(ioctl(s, TIOCGPGRP, &pg), ENOTTY);
	CERRNO(ioctl(s, TIOCNOTTY), ENOTTY);
	k = fork();
	if (k == 0) {
		setsid();
		_exit(ioctl(s, TIOCSCTTY, 0) == 0 && tcgetpgrp(s) == getpid() ? 0 : 1);
	}
	CCHECK(exited_with(k, 0), "TIOCSCTTY of a free terminal");
	return 0;
}

static void t_jobs(void) {
	char name[64];
	int m = newpty(NULL, name, 0);
	CHECK(m >= 0, "newpty");
	pid_t o = fork();
	if (o == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(o, o);
	other_session_pgrp = o;
	int st = session(name, jobs_child, &m);
	kill(o, SIGKILL);
	waitpid(o, NULL, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
	close(m);
}

/* The master reads what was written before the last slave closed, then
   EIO; poll says POLLHUP. */
static void t_slave_close(void) {
	char name[64], buf[16];
	int s, m = newpty(&s, name, 0);
	CHECK(m >= 0, "newpty");
	write(s, "x", 1);
	close(s);
	struct pollfd p = {m, POLLIN, 0};
	CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP), "poll %x", p.revents);
	CHECK(read(m, buf, sizeof buf) == 1 && buf[0] == 'x', "read before EIO");
	ERRNO(read(m, buf, sizeof buf), EIO);
	s = open(name, O_RDWR | O_NOCTTY); /* open again: reads work again */
	CHECK(s >= 0, "reopen slave");
	write(s, "y", 1);
	CHECK(readsome(m, buf, sizeof buf - 1, 1000) == 1 && buf[0] == 'y', "read after reopen");
	close(s), close(m);
}

/* Closing the master hangs the slave up: its session leader gets SIGHUP,
   reads end, writes fail with EIO. */
static int hup_child(int s, void *arg) {
	int *ready = arg;
	handle(SIGHUP);
	write(ready[1], "r", 1);
	for (int i = 0; i < 200 && !hup; i++)
		usleep(10000);
	CCHECK(hup == 1, "SIGHUP %d", (int)hup);
	char b;
	CCHECK(read(s, &b, 1) == 0, "read after hangup");
	CERRNO(write(s, "x", 1), EIO);
	struct pollfd p = {s, POLLIN, 0};
	CCHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLHUP), "poll after hangup %x", p.revents);
	CERRNO(open("/dev/tty", O_RDWR), ENXIO);
	return 0;
}

static void t_hangup(void) {
	char name[64];
	int m = newpty(NULL, name, 0);
	CHECK(m >= 0, "newpty");
	int ready[2];
	pipe(ready);
	pid_t c = fork();
	if (c == 0) {
		close(m);
		_exit(WEXITSTATUS(session(name, hup_child, ready)));
	}
	char b;
	read(ready[0], &b, 1);
	close(m);
	int st;
	waitpid(c, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %x", st);
	close(ready[0]), close(ready[1]);
}

static void t_devpts(void) {
	/* mount -t devpts at /dev/pts: already there. */
	OK(mount("devpts", "/dev/pts", "devpts", 0, NULL));
	struct stat st;
	OK(stat("/dev/ptmx", &st));
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2, "/dev/ptmx");
}

static struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{"open", t_open}, {"ldisc", t_ldisc}, {"winsize", t_winsize}, {"intr", t_intr},
	{"jobs", t_jobs}, {"slaveclose", t_slave_close}, {"hangup", t_hangup}, {"devpts", t_devpts},
};

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Linux's rdinit has no /dev/pts or /proc; here they are there. */
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", 0, NULL);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	int n = 0, bad = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], tests[i].name);
		if (!want)
			continue;
		current = tests[i].name, failed = 0, n++;
		tests[i].fn();
		if (failed)
			bad++;
		else
			printf("ptytest: %s ok\n", current);
	}
	printf("ptytest: %d of %d passed\n", n - bad, n);
	return bad ? 1 : 0;
}
