/* badptr: system calls given bad pointers must fail with EFAULT and the
   program must carry on. Exits 0 when every case does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char *what, long r) {
	if (r == -1 && errno == EFAULT) {
		printf("badptr: %-40s EFAULT\n", what);
	} else {
		printf("badptr: %-40s FAILED: returned %ld, errno %d (%s)\n", what, r, errno, strerror(errno));
		failures++;
	}
}

int main(void) {
	void *kernel = (void *)0xffffffff80200000ul; /* the kernel image */
	void *unmapped = (void *)0x10ul;
	void *window = (void *)0xfee00000ul;         /* the APIC window slot */
	int p[2];
	pipe(p);
	write(p[1], "x", 1);
	check("write(1, NULL+16)", syscall(SYS_write, 1, unmapped, 8));
	check("write(1, kernel image)", syscall(SYS_write, 1, kernel, 8));
	check("read(pipe, kernel image)", syscall(SYS_read, p[0], kernel, 1));
	check("read(pipe, APIC window)", syscall(SYS_read, p[0], window, 1));
	check("clock_gettime(MONOTONIC, kernel)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, kernel));
	check("uname(NULL)", syscall(SYS_uname, 0));
	check("open(bad path)", syscall(SYS_open, kernel, O_RDONLY));
	check("execve(bad path)", syscall(SYS_execve, unmapped, 0, 0));
	check("pipe(kernel)", syscall(SYS_pipe, kernel));
	check("nanosleep(bad)", syscall(SYS_nanosleep, kernel, 0));
	check("rt_sigaction(SIGUSR1, bad)", syscall(SYS_rt_sigaction, 10, kernel, 0, 8));
	check("writev(1, bad iov)", syscall(SYS_writev, 1, kernel, 1));
	check("getcwd(bad)", syscall(SYS_getcwd, kernel, 100));
	check("wait4(-1, bad status)", (fork() == 0 ? (_exit(0), 0L) : syscall(SYS_wait4, -1, kernel, 0, 0)));
	/* A read-only page: the program's own text. */
	check("read(pipe, own text)", (write(p[1], "y", 1), syscall(SYS_read, p[0], (void *)main, 1)));
	printf("badptr: %s\n", failures ? "FAILED" : "all EFAULT, still running");
	return failures ? 1 : 0;
}
