/* irqtest: an ISA line as a file (/dev/irq/N, package irqfile), booted
   with kbd=user so that the i8042's IRQ 1 may be claimed. The program
   makes its own interrupts: with ioperm on the controller's ports it
   writes a byte into the controller's output buffer (command 0xd2, "write
   keyboard output buffer"), which raises IRQ 1 as a key would, and reads
   it back (port 0x60) to lower the line again.

   Checks: which lines can be claimed and the errors for the others; UIO's
   read and write sizes; the count a read returns and its blocking and
   O_NONBLOCK; poll; F_SETSIG's errors; each interrupt as a queued SIGRTMIN
   with si_fd, si_code POLL_IN and si_band while the process is blocked
   in read on a pipe, which SA_RESTART resumes and which fails with EINTR
   without it; a full real-time queue falling back to SIGIO with nothing
   lost from the count; closing gives the line back. Prints "irqtest: ok"
   when every check holds. "irqtest busy", booted without kbd=user,
   checks that the kernel's keyboard driver keeps its line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "irqtest"
#include "check.h"
#include "asleep.h"

enum { DATA = 0x60, STATUS = 0x64, OUT_FULL = 1, IN_FULL = 2 };

static int fd;
static volatile sig_atomic_t rts, sigios, badinfo;

static void drain(void) {
	for (int i = 0; i < 64 && (inb(STATUS) & OUT_FULL); i++)
		(void)inb(DATA);
}

/* interrupt makes the i8042 raise IRQ 1 once. */
static void interrupt(void) {
	drain();
	while (inb(STATUS) & IN_FULL)
		;
	outb(0xd2, STATUS);
	while (inb(STATUS) & IN_FULL)
		;
	outb(0xaa, DATA);
}

static void on_rt(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	if (si->si_fd != fd || si->si_code != POLL_IN || si->si_band != (POLLIN | POLLRDNORM))
		badinfo++;
	rts++;
}

static void on_sigio(int sig) {
	(void)sig;
	sigios++;
}

static uint32_t count(void) {
	uint32_t n = 0;
	if (read(fd, &n, 4) != 4)
		printf("irqtest: FAILED read: %s\n", strerror(errno)), failed = 1;
	return n;
}

static void msleep(int ms) {
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, 0);
}

static void claims(void) {
	current = "claims";
	ERRNO(open("/dev/irq/16", O_RDWR), ENOENT);
	ERRNO(open("/dev/irq/0", O_RDWR), EBUSY);  /* the timer's */
	ERRNO(open("/dev/irq/2", O_RDWR), EBUSY);  /* the cascade */
	ERRNO(open("/dev/irq/4", O_RDWR), EBUSY);  /* the serial console's driver does not yield */
	fd = open("/dev/irq/1", O_RDWR);
	OK(fd);
	ERRNO(open("/dev/irq/1", O_RDWR), EBUSY);  /* claimed */
	char b[8];
	ERRNO(read(fd, b, 8), EINVAL);
	ERRNO(write(fd, b, 2), EINVAL);
}

static void counting(void) {
	current = "count";
	uint32_t n;
	OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	ERRNO(read(fd, &n, 4), EAGAIN);
	struct pollfd p = {fd, POLLIN, 0};
	EQ(poll(&p, 1, 0), 0);
	interrupt();
	EQ(poll(&p, 1, 2000), 1);
	CHECK(p.revents == POLLIN, "revents %#x", p.revents);
	OK(fcntl(fd, F_SETFL, 0));
	EQ(count(), 1);
	interrupt();
	EQ(count(), 2); /* blocks until it comes */
	int32_t on = 1;
	EQ(write(fd, &on, 4), 4);
	drain();
}

/* blocked: the process sits in read on a pipe while a child makes an
   interrupt; restart says whether the handler has SA_RESTART. */
static void blocked(int restart) {
	current = restart ? "restart" : "eintr";
	struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0)};
	sigaction(SIGRTMIN, &sa, 0);
	int p[2];
	OK(pipe(p));
	rts = 0;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		if (!wait_asleep(parent, parent))
			_exit(2);
		interrupt(); /* ioperm is inherited */
		msleep(100);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	char c;
	ssize_t r = read(p[0], &c, 1);
	if (restart) {
		CHECK(r == 1 && rts == 1, "read %zd (%s), %d signals: want the byte after one signal", r, strerror(errno), rts);
	} else {
		CHECK(r == -1 && errno == EINTR && rts == 1, "read %zd (%s), %d signals: want EINTR after one", r, strerror(errno), rts);
	}
	CHECK(!badinfo, "siginfo without si_fd %d / POLL_IN / POLLIN|POLLRDNORM", fd);
	int st;
	waitpid(pid, &st, 0);
	close(p[0]);
	close(p[1]);
	drain();
}

static void overflow(void) {
	current = "overflow";
	struct rlimit one = {1, 1};
	OK(setrlimit(RLIMIT_SIGPENDING, &one));
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGIO);
	sigprocmask(SIG_BLOCK, &s, &old);
	rts = sigios = 0;
	for (int i = 0; i < 4; i++) {
		interrupt();
		msleep(20);
	}
	drain();
	sigprocmask(SIG_SETMASK, &old, 0);
	CHECK(rts == 1 && sigios == 1, "%d SIGRTMIN and %d SIGIO: want 1 of each (queue of 1)", rts, sigios);
	EQ(count(), 8); /* 2 + one each from restart and eintr + 4: none lost */
}

/* Without kbd=user the kernel's driver holds the keyboard's line. */
static void busy(void) {
	current = "busy";
	ERRNO(open("/dev/irq/1", O_RDWR), EBUSY);
}

/* The line's readiness as F_SETSIG's signal, with F_SETSIG's errors. */
static void async(void) {
	current = "async";
	ERRNO(fcntl(fd, F_SETSIG, 65), EINVAL);
	ERRNO(fcntl(fd, F_SETSIG, -1), EINVAL);
	OK(fcntl(fd, F_SETOWN, getpid()));
	OK(fcntl(fd, F_SETSIG, SIGRTMIN));
	OK(fcntl(fd, F_SETFL, O_ASYNC));
	struct sigaction sio = {.sa_handler = on_sigio};
	sigaction(SIGIO, &sio, 0);
}

/* Close gives the line back, and it can be claimed again. */
static void release(void) {
	current = "release";
	OK(close(fd));
	fd = open("/dev/irq/1", O_RDWR);
	OK(fd);
	close(fd);
}

int main(int argc, char **argv) {
	if (argc > 1 && !strcmp(argv[1], "busy")) { /* booted without kbd=user */
		busy();
		if (failed)
			return 1;
		printf("irqtest: busy ok\n");
		return 0;
	}
	if (ioperm(DATA, STATUS - DATA + 1, 1) < 0) {
		printf("irqtest: FAILED ioperm: %s\n", strerror(errno));
		return 1;
	}
	claims();
	if (failed)
		return 1;
	counting();
	async();
	if (failed)
		return 1;
	blocked(1);
	blocked(0);
	overflow();
	release();
	if (failed)
		return 1;
	printf("irqtest: ok\n");
	return 0;
}
