/* asynctest: signal-driven I/O on pipes (fs/fcntl.c, fs/pipe.c): F_SETOWN
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_NAME "asynctest"
#include "check.h"

static volatile int sigios;
static void on_sigio(int sig) { (void)sig; sigios++; }

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
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGIO);
	sigprocmask(SIG_BLOCK, &s, NULL);
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

/* Init drops a default-action signal it had blocked when it unblocks it
   (get_signal's SIGNAL_UNKILLABLE check), as it drops one at generation. */
static void t_init(void) {
	current = "init";
	if (getpid() != 1)
		return;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
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
	if (failed)
		return 1;
	printf("asynctest: ok\n");
	return 0;
}
