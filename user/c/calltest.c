/* calltest: rules of Linux calls the kernel's runtime and user programs
   share (eventfd, resource limits), one test per argument or all of them.
   Prints "calltest: NAME ok" or why not, then "calltest: N of M passed".
   Every expectation here was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *current;
static int failed;
#define FAIL(...) do { printf("calltest: %s FAILED: ", current); printf(__VA_ARGS__); printf("\n"); failed = 1; return; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)
#define ERRNO(call, e) do { errno = 0; long r_ = (long)(call); CHECK(r_ == -1 && errno == (e), \
	"%s = %ld errno %d (%s), want %s", #call, r_, errno, strerror(errno), #e); } while (0)

static short revents(int fd) {
	struct pollfd p = {fd, POLLIN | POLLOUT, 0};
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static void *take_later(void *arg) {
	int fd = *(int *)arg;
	uint64_t v;
	usleep(20000);
	read(fd, &v, 8);
	return NULL;
}

static void t_eventfd(void) {
	uint64_t v;
	ERRNO(syscall(SYS_eventfd2, 0, 2), EINVAL);
	int fd = syscall(SYS_eventfd2, (1ULL << 32) + 3, EFD_NONBLOCK);
	CHECK(fd >= 0, "eventfd2: %s", strerror(errno));
	CHECK(read(fd, &v, 8) == 8 && v == 3, "read: initial value is an unsigned int, got %llu", (unsigned long long)v);
	ERRNO(read(fd, &v, 8), EAGAIN);
	ERRNO(read(fd, &v, 7), EINVAL);
	CHECK(revents(fd) == POLLOUT, "empty: revents %#x, want POLLOUT", revents(fd));
	v = UINT64_MAX;
	ERRNO(write(fd, &v, 8), EINVAL);
	ERRNO(write(fd, &v, 4), EINVAL);
	v = UINT64_MAX - 1;
	CHECK(write(fd, &v, 8) == 8, "write max: %s", strerror(errno));
	CHECK(revents(fd) == POLLIN, "full: revents %#x, want POLLIN only", revents(fd));
	v = 1;
	ERRNO(write(fd, &v, 8), EAGAIN);
	CHECK(read(fd, &v, 8) == 8 && v == UINT64_MAX - 1, "read max");
	close(fd);

	fd = eventfd(2, EFD_SEMAPHORE);
	CHECK(read(fd, &v, 8) == 8 && v == 1 && read(fd, &v, 8) == 8 && v == 1, "semaphore reads 1 each");
	/* A blocking write past the ceiling waits for a reader. */
	v = UINT64_MAX - 1;
	CHECK(write(fd, &v, 8) == 8, "fill");
	pthread_t th;
	pthread_create(&th, NULL, take_later, &fd);
	v = 1; /* fits once the reader has taken 1 */
	CHECK(write(fd, &v, 8) == 8, "blocking write: %s", strerror(errno));
	pthread_join(th, NULL);
	CHECK(read(fd, &v, 8) == 8 && v == 1, "semaphore after blocking write");
	close(fd);
}

static void t_rlimit(void) {
	struct rlimit r, old;
	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 1024 && r.rlim_max == 4096,
		"RLIMIT_NOFILE %llu/%llu, want 1024/4096", (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
	CHECK(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur == 8 << 20 && r.rlim_max == RLIM_INFINITY, "RLIMIT_STACK");
	CHECK(getrlimit(RLIMIT_CORE, &r) == 0 && r.rlim_cur == 0 && r.rlim_max == RLIM_INFINITY, "RLIMIT_CORE");
	CHECK(getrlimit(RLIMIT_NPROC, &r) == 0 && r.rlim_cur == r.rlim_max && r.rlim_cur > 0, "RLIMIT_NPROC");
	struct rlimit sp;
	CHECK(getrlimit(RLIMIT_SIGPENDING, &sp) == 0 && sp.rlim_cur == r.rlim_cur, "RLIMIT_SIGPENDING is RLIMIT_NPROC");
	ERRNO(syscall(SYS_prlimit64, 0, 16, NULL, &r), EINVAL);
	ERRNO(syscall(SYS_getrlimit, 16, &r), EINVAL);
	r.rlim_cur = 10, r.rlim_max = 5;
	ERRNO(setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	r.rlim_cur = 10, r.rlim_max = (1 << 20) + 1;
	ERRNO(setrlimit(RLIMIT_NOFILE, &r), EPERM);
	r.rlim_cur = 10, r.rlim_max = 1 << 20;
	CHECK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, &old) == 0 && old.rlim_cur == 1024, "prlimit64 swap");
	CHECK(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur == 10 && r.rlim_max == 1 << 20, "new limit kept");
	ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, (void *)8, NULL), EFAULT);
	ERRNO(syscall(SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, NULL, &r), ESRCH);
	/* The new limit is read before the process is looked up. */
	ERRNO(syscall(SYS_prlimit64, 0x7ffffff0, RLIMIT_NOFILE, (void *)8, NULL), EFAULT);
	ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, (void *)8), EFAULT);
}

/* Ten thousand numbers no kernel has: each is ENOSYS, and the kernel
   neither slows down nor floods its console (the boot test counts the
   lines). The time is printed, not judged. */
static void t_unknown(void) {
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long nr = 1000; nr < 11000; nr++)
		ERRNO(syscall(nr), ENOSYS);
	/* rseq: Linux checks the arguments (EINVAL for these), Sigil has no
	   restartable sequences (ENOSYS, and no log line). */
	errno = 0;
	CHECK(syscall(SYS_rseq, NULL, 0, 0, 0) == -1 && (errno == ENOSYS || errno == EINVAL), "rseq: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("calltest: 10000 unknown system calls took %ld ms\n",
		(long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000));
}

/* run_script execs path in a child with argv {path, "x", NULL} and returns
   its exit code, or -errno when execve failed (reported through a pipe). */
static int run_script(const char *path) {
	int p[2];
	pipe2(p, O_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)path, "x", NULL};
		execve(path, argv, environ);
		int e = errno;
		write(p[1], &e, sizeof e);
		_exit(99);
	}
	close(p[1]);
	int e = 0, st;
	ssize_t n = read(p[0], &e, sizeof e);
	close(p[0]);
	waitpid(pid, &st, 0);
	if (n == sizeof e)
		return -e;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000;
}

/* "#!" scripts, as binfmt_script: an interpreter with one argument, a
   script whose interpreter is a script, and each refusal's errno. */
static void t_script(void) {
	int r;
	CHECK((r = run_script("/etc/scripts/hello3")) == 3, "#!/bin/hello 3: %d, want exit 3", r);
	CHECK((r = run_script("/etc/scripts/nested")) == 3, "script as interpreter: %d, want exit 3", r);
	CHECK((r = run_script("/etc/scripts/loop")) == -ELOOP, "self-interpreting script: %d, want -ELOOP", r);
	CHECK((r = run_script("/etc/scripts/noexec")) == -EACCES, "no execute bit: %d, want -EACCES", r);
	CHECK((r = run_script("/etc/scripts/empty")) == -ENOEXEC, "#! alone: %d, want -ENOEXEC", r);
	CHECK((r = run_script("/etc/scripts/missing")) == -ENOENT, "missing interpreter: %d, want -ENOENT", r);
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
	{"eventfd", t_eventfd},
	{"rlimit", t_rlimit},
	{"unknown", t_unknown},
	{"script", t_script},
};

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	int n = 0, bad = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int want = argc < 2;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], tests[i].name) || !strcmp(argv[a], "all");
		if (!want)
			continue;
		current = tests[i].name, failed = 0, n++;
		tests[i].fn();
		if (failed)
			bad++;
		else
			printf("calltest: %s ok\n", current);
	}
	printf("calltest: %d of %d passed\n", n - bad, n);
	return bad ? 1 : 0;
}
