/* locktest: advisory file locks as Linux 6.1 has them (fs/locks.c).
   flock(2): shared and exclusive locks of an open file description,
   shared by dup and fork, converted (not atomically), released by the
   last close, LOCK_NB's EWOULDBLOCK, waits woken by the unlock and
   interrupted by signals (EINTR, or restarted with SA_RESTART). fcntl
   POSIX record locks: F_GETLK reports the first conflicting lock with
   its owner's pid, ranges split and merge, SEEK_CUR/SEEK_END and
   negative lengths, EAGAIN, EBADF for the wrong access mode, EINVAL and
   EOVERFLOW, the close-any-descriptor rule, release at exit, F_SETLKW
   woken by the unlock, EDEADLK between two processes. OFD locks: owned
   by the description, l_pid 0 required, reported as -1. /proc/locks'
   lines. Prints "locktest: NAME ok" per case and "locktest: ok", or why
   not. Every expectation here was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "locktest"
#define FAIL_RETURN return 1
#include "check.h"

static const char *path = "/tmp/locktest.file";

static int lk(int fd, int cmd, short type, short whence, off_t start, off_t len) {
	struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

/* getlk asks F_GETLK (or F_OFD_GETLK) about [start, start+len). */
static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len) {
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len, .l_pid = 0};
	if (fcntl(fd, cmd, &fl) != 0)
		fl.l_type = -1;
	return fl;
}

#define WANTLK(fl, type, start, len, pid) CHECK((fl).l_type == (type) && ((type) == F_UNLCK || \
	((fl).l_start == (start) && (fl).l_len == (len) && (fl).l_pid == (pid) && (fl).l_whence == SEEK_SET)), \
	"lock reported: type %d start %ld len %ld pid %d whence %d; want type %d start %ld len %ld pid %d", \
	(fl).l_type, (long)(fl).l_start, (long)(fl).l_len, (fl).l_pid, (fl).l_whence, type, (long)(start), (long)(len), (int)(pid))

/* child runs fn in a child process and returns its exit status. */
static int child(int (*fn)(void)) {
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return 99;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int openf(int flags) { return open(path, flags | O_CREAT, 0644); }

static pid_t parent;
static int fd, sync_pipe[2];

static void on_alarm(int sig) { (void)sig; }
static void alarm_in(int ms, int restart) {
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {ms / 1000, ms % 1000 * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

/* readable says whether the pipe has a byte within ms. */
static int readable(int rfd, int ms) {
	struct pollfd p = {.fd = rfd, .events = POLLIN};
	return poll(&p, 1, ms) == 1;
}

/* woken runs waiter in a child that blocks for a lock the caller holds
   and then writes a byte to sync_pipe: it must not get the lock within
   200ms, and must once unlock has released it. */
static int woken(int (*waiter)(void), int (*unlock)(void)) {
	fflush(stdout);
	pid_t w = fork();
	if (w == 0)
		_exit(waiter());
	CHECK(!readable(sync_pipe[0], 200), "the waiter did not wait");
	CHECK(unlock() == 0, "unlock: %s", strerror(errno));
	CHECK(readable(sync_pipe[0], 5000), "the waiter was not woken");
	char c;
	read(sync_pipe[0], &c, 1);
	int st = -1;
	CHECK(waitpid(w, &st, 0) == w && WIFEXITED(st) && WEXITSTATUS(st) == 0, "waiter status %x", st);
	return 0;
}

static int flock_unlock(void) { return flock(fd, LOCK_UN); }
static int posix_unlock(void) { return lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0); }
static int ofd_unlock(void) { return lk(fd, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0); }

/* ---- flock ---- */

static int flock_other_busy(void) {
	int o = openf(O_RDONLY);
	ERRNO(flock(o, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	ERRNO(flock(o, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* The inherited description is the lock's owner: unlocking it
	   unlocks the parent's lock. */
	OK(flock(fd, LOCK_UN));
	OK(flock(o, LOCK_EX | LOCK_NB));
	return 0;
}

static int flock_waiter(void) {
	int o = openf(O_RDONLY);
	OK(flock(o, LOCK_EX));
	write(sync_pipe[1], "x", 1);
	return 0;
}

static int flock_interrupted(void) {
	int o = openf(O_RDONLY);
	alarm_in(100, 0);
	ERRNO(flock(o, LOCK_EX), EINTR);
	/* With SA_RESTART the wait goes on after the handler. */
	alarm_in(50, 1);
	write(sync_pipe[1], "r", 1);
	OK(flock(o, LOCK_EX));
	return 0;
}

static int test_flock(void) {
	int a = openf(O_RDWR), b = openf(O_RDWR);
	ERRNO(flock(a, 0), EINVAL);
	ERRNO(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	ERRNO(flock(a, LOCK_NB), EINVAL);
	ERRNO(flock(999, 16), EINVAL);
	CHECK(flock(999, 32 | LOCK_EX) == 0, "LOCK_MAND is ignored (Linux 5.18 on)");
	ERRNO(flock(999, LOCK_EX), EBADF);
	int p = open(path, O_PATH);
	ERRNO(flock(p, LOCK_EX), EBADF);
	close(p);
	OK(flock(a, LOCK_EX));
	OK(flock(a, LOCK_EX)); /* again: nothing changes */
	ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	int d = dup(a);
	OK(flock(d, LOCK_SH)); /* a conversion, on the same description */
	OK(flock(b, LOCK_SH | LOCK_NB));
	/* A failed conversion has dropped the old lock. */
	ERRNO(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	OK(flock(b, LOCK_EX | LOCK_NB));
	OK(flock(b, LOCK_UN));
	OK(flock(b, LOCK_UN));
	/* Held until the description's last descriptor closes. */
	OK(flock(a, LOCK_EX));
	close(a);
	ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(d);
	OK(flock(b, LOCK_EX | LOCK_NB));
	OK(flock(b, LOCK_UN));
	/* POSIX locks and flock locks do not see each other. */
	fd = openf(O_RDWR);
	OK(flock(fd, LOCK_EX));
	OK(lk(b, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	OK(lk(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	/* Shared across fork. */
	CHECK(child(flock_other_busy) == 0, "flock in a child");
	OK(flock(b, LOCK_EX | LOCK_NB));
	OK(flock(b, LOCK_UN));
	/* A blocked flock is woken by the unlock. */
	OK(flock(fd, LOCK_SH));
	if (woken(flock_waiter, flock_unlock))
		return 1;
	/* Signals: EINTR, or a restart with SA_RESTART. */
	OK(flock(fd, LOCK_EX));
	fflush(stdout);
	pid_t w = fork();
	if (w == 0)
		_exit(flock_interrupted());
	CHECK(readable(sync_pipe[0], 5000), "interrupted flock did not return");
	usleep(300000); /* the restarted flock waits past its handler */
	OK(flock(fd, LOCK_UN));
	int st;
	waitpid(w, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "interrupted flock child status %x", st);
	char c;
	read(sync_pipe[0], &c, 1);
	close(fd);
	close(b);
	return 0;
}

/* ---- POSIX record locks ---- */

static int posix_child_view(void) {
	int o = openf(O_RDWR);
	struct flock fl = getlk(o, F_GETLK, F_WRLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 10, 10, parent);
	fl = getlk(o, F_GETLK, F_RDLCK, 15, 1);
	WANTLK(fl, F_WRLCK, 10, 10, parent);
	fl = getlk(o, F_GETLK, F_RDLCK, 30, 20);
	WANTLK(fl, F_UNLCK, 0, 0, 0);
	fl = getlk(o, F_GETLK, F_WRLCK, 31, 0);
	WANTLK(fl, F_RDLCK, 30, 10, parent);
	fl = getlk(o, F_GETLK, F_WRLCK, 40, 0);
	WANTLK(fl, F_RDLCK, 45, 5, parent);
	/* Untouched fields when nothing conflicts. */
	struct flock u = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 60, .l_len = 3, .l_pid = 1234};
	OK(fcntl(o, F_GETLK, &u));
	CHECK(u.l_type == F_UNLCK && u.l_whence == SEEK_CUR && u.l_start == 60 && u.l_len == 3 && u.l_pid == 1234,
	      "F_GETLK over no lock changed more than l_type");
	OK(lk(o, F_SETLK, F_WRLCK, SEEK_SET, 0, 5));
	ERRNO(lk(o, F_SETLK, F_WRLCK, SEEK_SET, 35, 1), EAGAIN);
	ERRNO(lk(o, F_SETLK, F_RDLCK, SEEK_SET, 19, 1), EAGAIN);
	OK(lk(o, F_SETLK, F_RDLCK, SEEK_SET, 35, 1));
	/* The child's own close does not drop the parent's locks. */
	close(fd);
	close(o);
	o = openf(O_RDWR);
	fl = getlk(o, F_GETLK, F_WRLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 10, 10, parent);
	return 0;
}

static int posix_child_getlk(void) {
	/* Report what the parent holds over [0, EOF) as "type start len". */
	int o = openf(O_RDWR);
	struct flock fl = getlk(o, F_GETLK, F_WRLCK, 0, 0);
	struct flock fr = getlk(o, F_GETLK, F_RDLCK, 0, 0);
	printf("%d %ld %ld %d %ld %ld\n", fl.l_type, (long)fl.l_start, (long)fl.l_len,
	       fr.l_type, (long)fr.l_start, (long)fr.l_len);
	return 0;
}

/* seen runs posix_child_getlk and checks its line. */
static char seen_buf[128];
static const char *seen(void) {
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		_exit(posix_child_getlk());
	}
	close(p[1]);
	/* To the end: with another CPU the child may still be writing when
	   the first read returns. */
	int n = 0, r;
	while (n < (int)sizeof seen_buf - 1 && (r = read(p[0], seen_buf + n, sizeof seen_buf - 1 - n)) > 0)
		n += r;
	seen_buf[n > 0 ? n - 1 : 0] = 0;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return seen_buf;
}
#define SEEN(want) do { const char *s_ = seen(); CHECK(strcmp(s_, want) == 0, "child sees \"%s\", want \"%s\"", s_, want); } while (0)

static int posix_blocker(void) {
	int o = openf(O_RDWR);
	OK(lk(o, F_SETLKW, F_WRLCK, SEEK_SET, 0, 0));
	write(sync_pipe[1], "x", 1);
	return 0;
}

static int posix_deadlock_child(void) {
	int o = openf(O_RDWR);
	OK(lk(o, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
	write(sync_pipe[1], "1", 1);
	OK(lk(o, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1)); /* waits for the parent */
	return 0;
}

static int posix_interrupted(void) {
	int o = openf(O_RDWR);
	alarm_in(100, 0);
	ERRNO(lk(o, F_SETLKW, F_WRLCK, SEEK_SET, 0, 0), EINTR);
	ERRNO(lk(o, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), EAGAIN);
	return 0;
}

static int posix_take_and_exit(void) {
	int o = openf(O_RDWR);
	OK(lk(o, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	return 0;
}

static int test_posix(void) {
	parent = getpid();
	fd = openf(O_RDWR | O_TRUNC);
	char buf[100] = {0};
	write(fd, buf, sizeof buf);
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
	/* Bad values. */
	ERRNO(lk(fd, F_SETLK, F_WRLCK, 3, 0, 0), EINVAL);
	ERRNO(lk(fd, F_SETLK, 7, SEEK_SET, 0, 0), EINVAL);
	ERRNO(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 1), EINVAL);
	ERRNO(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6), EINVAL);
	ERRNO(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 0), EINVAL);
	ERRNO(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2, LLONG_MAX), EOVERFLOW);
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, LLONG_MAX)); /* ends at OFFSET_MAX */
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	ERRNO(lk(fd, F_SETLK, F_WRLCK, SEEK_END, LLONG_MAX, 1), EOVERFLOW);
	ERRNO(lk(fd, F_SETLK, F_WRLCK, 3, -1, 0), EINVAL); /* whence first */
	ERRNO(lk(999, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), EBADF);
	ERRNO(fcntl(fd, F_SETLK, (void *)8), EFAULT);
	/* The access mode must allow the type; F_UNLCK and F_GETLK always. */
	ERRNO(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 0), EBADF);
	ERRNO(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 0), EBADF);
	OK(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	OK(lk(ro, F_GETLK, F_WRLCK, SEEK_SET, 0, 0));
	OK(lk(ro, F_SETLK, F_RDLCK, SEEK_SET, 200, 1));
	OK(lk(wo, F_SETLK, F_UNLCK, SEEK_SET, 200, 1));
	int p = open(path, O_PATH);
	ERRNO(lk(p, F_GETLK, F_WRLCK, SEEK_SET, 0, 0), EBADF);
	close(p);

	/* The child sees the parent's locks with its pid. */
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
	OK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 10));
	OK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 50, -5)); /* [45, 49] */
	struct flock own = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
	WANTLK(own, F_UNLCK, 0, 0, 0);
	CHECK(child(posix_child_view) == 0, "the child's view");
	/* Splits and merges. */
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	SEEN("2 0 0 2 0 0");
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10));
	SEEN("1 10 0 1 10 0");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 20, 10));
	SEEN("1 10 10 1 10 10");
	OK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 15, 2)); /* W[10,14] R[15,16] W[17,19] W[30,EOF] */
	SEEN("1 10 5 1 10 5");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 10, 5));
	SEEN("0 15 2 1 17 3");
	OK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 17, 13)); /* R[15,29] merged, W[30,EOF] */
	SEEN("0 15 15 1 30 0");
	OK(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 30, 0)); /* R[15,EOF] */
	SEEN("0 15 0 2 0 0");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	/* SEEK_CUR and SEEK_END. */
	lseek(fd, 20, SEEK_SET);
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, -5, 5));
	SEEN("1 15 5 1 15 5");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_CUR, -5, 5));
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 3));
	SEEN("1 90 3 1 90 3");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* Closing any descriptor of the file drops all the process's locks. */
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	int other = openf(O_RDONLY);
	SEEN("1 0 0 1 0 0");
	close(other);
	SEEN("2 0 0 2 0 0");
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	close(ro); /* opened before the lock: the same */
	SEEN("2 0 0 2 0 0");
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	int d = dup(fd);
	close(d);
	SEEN("2 0 0 2 0 0");

	/* Released at exit. */
	CHECK(child(posix_take_and_exit) == 0, "lock and exit");
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));

	/* F_SETLKW waits, and the unlock wakes it. */
	if (woken(posix_blocker, posix_unlock))
		return 1;

	/* EDEADLK: the child holds 1 and waits for 0; the parent holds 0
	   and asks for 1. */
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	fflush(stdout);
	pid_t w = fork();
	if (w == 0)
		_exit(posix_deadlock_child());
	CHECK(readable(sync_pipe[0], 5000), "deadlock child did not lock");
	char c;
	read(sync_pipe[0], &c, 1);
	usleep(200000); /* until the child waits */
	ERRNO(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1), EDEADLK);
	ERRNO(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1), EAGAIN);
	struct flock fl = getlk(fd, F_GETLK, F_WRLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 1, 1, w);
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	int st;
	waitpid(w, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "deadlock child status %x", st);

	/* A signal interrupts F_SETLKW (no SA_RESTART: EINTR). */
	OK(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	CHECK(child(posix_interrupted) == 0, "interrupted F_SETLKW");
	OK(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	close(wo);
	close(fd);
	return 0;
}

/* ---- OFD locks ---- */

static int ofd_child(void) {
	/* The inherited description owns the lock: no conflict, and an
	   unlock through it unlocks the parent's. */
	OK(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	int o = openf(O_RDWR);
	ERRNO(lk(o, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	ERRNO(lk(o, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	struct flock fl = getlk(o, F_GETLK, F_RDLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 0, 10, -1);
	OK(lk(fd, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	OK(lk(o, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	return 0;
}

static int ofd_waiter(void) {
	int o = openf(O_RDWR);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	OK(fcntl(o, F_OFD_SETLKW, &fl));
	write(sync_pipe[1], "x", 1);
	return 0;
}

static int test_ofd(void) {
	int a = openf(O_RDWR), b = openf(O_RDWR);
	struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
	ERRNO(fcntl(a, F_OFD_SETLK, &bad), EINVAL);
	ERRNO(fcntl(a, F_OFD_SETLKW, &bad), EINVAL);
	ERRNO(fcntl(a, F_OFD_GETLK, &bad), EINVAL);
	OK(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	/* Two descriptions of one process conflict. */
	ERRNO(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
	struct flock fl = getlk(b, F_OFD_GETLK, F_RDLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 0, 10, -1);
	fl = getlk(a, F_OFD_GETLK, F_WRLCK, 0, 0);
	WANTLK(fl, F_UNLCK, 0, 0, 0);
	/* With the process's POSIX locks too, both ways. */
	ERRNO(lk(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
	fl = getlk(b, F_GETLK, F_RDLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 0, 10, -1);
	OK(lk(b, F_SETLK, F_WRLCK, SEEK_SET, 20, 1));
	ERRNO(lk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 20, 1), EAGAIN);
	fl = getlk(a, F_OFD_GETLK, F_RDLCK, 0, 0);
	WANTLK(fl, F_WRLCK, 20, 1, getpid());
	OK(lk(b, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	/* Closing another descriptor keeps OFD locks; the last close of the
	   description drops them. */
	int d = dup(a);
	close(b);
	close(a);
	b = openf(O_RDWR);
	ERRNO(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
	close(d);
	OK(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1));
	close(b);
	/* Across fork. */
	fd = openf(O_RDWR);
	OK(lk(fd, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 10));
	CHECK(child(ofd_child) == 0, "OFD child");
	/* F_OFD_SETLKW waits and is woken. */
	OK(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	if (woken(ofd_waiter, ofd_unlock))
		return 1;
	close(fd);
	return 0;
}

/* ---- /proc/locks ---- */

static int test_proclocks(void) {
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL); /* Linux's rdinit has no /proc yet */
	int a = openf(O_RDWR), b = openf(O_RDWR);
	struct stat st;
	fstat(a, &st);
	OK(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 10, 5));
	OK(lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 100, 0));
	OK(flock(a, LOCK_SH));
	char want[3][128], got[1024] = {0};
	snprintf(want[0], sizeof want[0], "1: FLOCK  ADVISORY  READ %d %02x:%02x:%lu 0 EOF\n", getpid(),
	         major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	snprintf(want[1], sizeof want[1], "2: OFDLCK ADVISORY  READ -1 %02x:%02x:%lu 100 EOF\n",
	         major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	snprintf(want[2], sizeof want[2], "3: POSIX  ADVISORY  WRITE %d %02x:%02x:%lu 10 14\n", getpid(),
	         major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	int p = open("/proc/locks", O_RDONLY);
	CHECK(p >= 0, "open /proc/locks: %s", strerror(errno));
	int n = 0, r;
	while ((r = read(p, got + n, sizeof got - 1 - n)) > 0)
		n += r;
	close(p);
	char all[512];
	snprintf(all, sizeof all, "%s%s%s", want[0], want[1], want[2]);
	CHECK(strcmp(got, all) == 0, "/proc/locks:\n%swant:\n%s", got, all);
	close(a);
	close(b);
	return 0;
}

int main(void) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	pipe(sync_pipe);
	struct { const char *name; int (*fn)(void); } cases[] = {
		{"flock", test_flock}, {"posix", test_posix}, {"ofd", test_ofd}, {"proclocks", test_proclocks},
	};
	int passed = 0;
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		failed = 0;
		unlink(path);
		if (cases[i].fn() == 0 && !failed) {
			printf("locktest: %s ok\n", cases[i].name);
			passed++;
		}
	}
	unlink(path);
	printf("locktest: %d of %d passed\n", passed, (int)(sizeof cases / sizeof cases[0]));
	if (passed == (int)(sizeof cases / sizeof cases[0]))
		printf("locktest: ok\n");
	return passed == (int)(sizeof cases / sizeof cases[0]) ? 0 : 1;
}
