/* pipetest: a pipe's capacity as Linux 6.1 counts it, in page slots,
   F_GETPIPE_SZ / F_SETPIPE_SZ's rounding and errors (fs/pipe.c,
   pipe_set_size and pipe_write), and the ioctls every file answers
   (do_vfs_ioctl: FIOCLEX, FIONCLEX, FIONBIO, FIOQSIZE, FIONREAD). Each expectation was measured on Linux
   6.1 in the same QEMU. Prints "pipetest: ok" when every check holds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEST_NAME "pipetest"
#include "check.h"

static char buf[70000];

static void run(void) {
	int p[2];
	OK(pipe(p));
	mkdir("/tmp", 01777);
	int f = open("/tmp/pipetest", O_CREAT | O_RDWR, 0600);
	OK(f);
	ERRNO(fcntl(f, F_GETPIPE_SZ), EBADF);
	ERRNO(fcntl(f, F_SETPIPE_SZ, 4096), EBADF);
	EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
	EQ(fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
	EQ(fcntl(p[0], F_GETPIPE_SZ), 4096);
	EQ(fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
	ERRNO(fcntl(p[1], F_SETPIPE_SZ, (1UL << 31) + 1), EINVAL);
	ERRNO(fcntl(p[1], F_SETPIPE_SZ, 1UL << 31), ENOMEM);
	EQ(fcntl(p[1], F_SETPIPE_SZ, 2 << 20), 2 << 20);
	EQ(fcntl(p[1], F_SETPIPE_SZ, 65536), 65536);
	OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	EQ(write(p[1], buf, 8192), 8192);
	ERRNO(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	EQ(fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	ERRNO(write(p[1], buf, 1), EAGAIN);
	EQ(read(p[0], buf, 8192), 8192);
	EQ(write(p[1], buf, 1), 1);
	EQ(write(p[1], buf, 1), 1);    /* merged into the first slot */
	EQ(write(p[1], buf, 8192), 4096); /* whole pages are not: one slot left */
	EQ(read(p[0], buf, sizeof buf), 4098);
	/* The ioctls every file answers (do_vfs_ioctl), and FIONREAD. */
	int n = -1, on = 1, off = 0;
	long long q = -1;
	EQ(write(p[1], "abc", 3), 3);
	OK(ioctl(p[0], FIONREAD, &n));
	CHECK(n == 3, "FIONREAD on a pipe holding 3: %d", n);
	ERRNO(ioctl(p[0], FIOQSIZE, &q), ENOTTY);
	OK(ioctl(p[0], FIONBIO, &on));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK, "FIONBIO 1 left O_NONBLOCK clear");
	OK(ioctl(p[0], FIONBIO, &off));
	CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK), "FIONBIO 0 left O_NONBLOCK set");
	OK(ioctl(p[0], FIOCLEX));
	EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	OK(ioctl(p[0], FIONCLEX));
	EQ(fcntl(p[0], F_GETFD), 0);
	EQ(write(f, "0123456789", 10), 10);
	EQ(lseek(f, 4, SEEK_SET), 4);
	OK(ioctl(f, FIONREAD, &n));
	CHECK(n == 6, "FIONREAD on a 10-byte file at 4: %d", n);
	EQ(lseek(f, 20, SEEK_SET), 20);
	OK(ioctl(f, FIONREAD, &n));
	CHECK(n == -10, "FIONREAD past the end: %d", n);
	OK(ioctl(f, FIOQSIZE, &q));
	CHECK(q == 4096, "FIOQSIZE of a 10-byte file: %lld, want the page it occupies", q);
	OK(setresuid(1000, 1000, 1000));
	ERRNO(fcntl(p[1], F_SETPIPE_SZ, 2 << 20), EPERM); /* past pipe-max-size */
	EQ(fcntl(p[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
}

int main(void) {
	current = "pipe";
	run();
	if (failed)
		return 1;
	printf("pipetest: ok\n");
	return 0;
}
