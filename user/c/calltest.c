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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
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
	/* The soft limit bounds new descriptors: EBADF for dup2 past it,
	   EINVAL for F_DUPFD from it, EMFILE when every one below is taken. */
	ERRNO(dup2(0, 10), EBADF);
	ERRNO(fcntl(0, F_DUPFD, 10), EINVAL);
	ERRNO(fcntl(0, F_DUPFD, -1), EINVAL);
	int opened[16], n = 0, fd;
	while (n < 16 && (fd = dup(0)) >= 0)
		opened[n++] = fd;
	CHECK(n < 16 && errno == EMFILE && opened[n - 1] == 9, "dup stopped at %d with %s, want EMFILE after fd 9", n ? opened[n - 1] : -1, strerror(errno));
	while (n > 0)
		close(opened[--n]);
	r.rlim_cur = 1024;
	CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0, "restore RLIMIT_NOFILE");
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

/* run_exec runs an exec call in a child (dirfd, path, argv, flags as
   execveat's; dirfd -1 means execve) and returns the program's exit code,
   or -errno when the call failed (reported through a pipe). */
static int run_exec(int dirfd, const char *path, char **argv, int flags) {
	int p[2];
	pipe2(p, O_CLOEXEC);
	pid_t pid = fork();
	if (pid == 0) {
		if (dirfd == -1)
			syscall(SYS_execve, path, argv, environ);
		else
			syscall(SYS_execveat, dirfd, path, argv, environ, flags);
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

static int run_script(const char *path) {
	char *argv[] = {(char *)path, "x", NULL};
	return run_exec(-1, path, argv, 0);
}

/* execve with a NULL argv (one empty string added, as Linux 6.1), and
   execveat: from a directory descriptor, AT_EMPTY_PATH (fexecve), and its
   refusals. /bin/hello exits with its first argument, or 7 without one. */
static void t_exec(void) {
	char *five[] = {"hello", "5", NULL};
	int r;
	CHECK((r = run_exec(-1, "/bin/hello", NULL, 0)) == 7, "execve NULL argv: %d, want 7", r);
	CHECK((r = run_exec(AT_FDCWD, "/bin/hello", five, 0)) == 5, "execveat AT_FDCWD: %d", r);
	int dir = open("/bin", O_RDONLY | O_DIRECTORY);
	CHECK((r = run_exec(dir, "hello", five, 0)) == 5, "execveat from a directory fd: %d", r);
	int fd = open("/bin/hello", O_RDONLY);
	CHECK((r = run_exec(fd, "", five, AT_EMPTY_PATH)) == 5, "execveat AT_EMPTY_PATH: %d", r);
	CHECK((r = run_exec(fd, "", five, 0)) == -ENOENT, "execveat empty path: %d, want -ENOENT", r);
	CHECK((r = run_exec(dir, "hello", five, 1)) == -EINVAL, "execveat bad flag: %d, want -EINVAL", r);
	CHECK((r = run_exec(AT_FDCWD, "/init", five, AT_SYMLINK_NOFOLLOW)) == -ELOOP, "execveat NOFOLLOW symlink: %d, want -ELOOP", r);
	int p[2];
	pipe(p);
	CHECK((r = run_exec(p[0], "", five, AT_EMPTY_PATH)) == -EACCES, "execveat of a pipe: %d, want -EACCES", r);
	close(p[0]), close(p[1]), close(fd), close(dir);
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

/* close_range, faccessat2, sync, syncfs, membarrier and reboot's refusals. */
static void t_calls(void) {
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	int hi = dup2(p[0], 40);
	CHECK(hi == 40, "dup2");
	ERRNO(syscall(SYS_close_range, 10, 5, 0), EINVAL);
	ERRNO(syscall(SYS_close_range, 0, ~0U, 1), EINVAL);
	CHECK(syscall(SYS_close_range, 40, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) == 0, "close_range cloexec: %s", strerror(errno));
	CHECK(fcntl(40, F_GETFD) == FD_CLOEXEC, "fd 40 not close-on-exec");
	CHECK(syscall(SYS_close_range, p[0], p[1], 0) == 0, "close_range: %s", strerror(errno));
	ERRNO(fcntl(p[0], F_GETFD), EBADF);
	ERRNO(fcntl(p[1], F_GETFD), EBADF);
	CHECK(syscall(SYS_close_range, 40, 40, 2 /* CLOSE_RANGE_UNSHARE */) == 0, "close_range unshare");
	ERRNO(fcntl(40, F_GETFD), EBADF);
	CHECK(syscall(SYS_close_range, 1000000, ~0U, 0) == 0, "close_range above every descriptor");

	ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "/bin/hello", 8, 0), EINVAL);
	ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "/bin/hello", X_OK, 1), EINVAL);
	CHECK(syscall(SYS_faccessat2, AT_FDCWD, "/bin/hello", X_OK | R_OK, AT_EACCESS) == 0, "faccessat2 X_OK: %s", strerror(errno));
	ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "/etc/motd", X_OK, 0), EACCES);
	CHECK(syscall(SYS_faccessat2, AT_FDCWD, "/etc", X_OK, 0) == 0, "faccessat2 on a directory");
	ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "/nonexistent", F_OK, 0), ENOENT);
	ERRNO(syscall(SYS_faccessat2, AT_FDCWD, "", F_OK, 0), ENOENT);
	int fd = open("/bin/hello", O_RDONLY);
	CHECK(syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH) == 0, "faccessat2 AT_EMPTY_PATH: %s", strerror(errno));
	close(fd);
	int pp[2];
	pipe(pp);
	ERRNO(syscall(SYS_faccessat2, pp[0], "", X_OK, AT_EMPTY_PATH), EACCES);
	CHECK(syscall(SYS_faccessat2, pp[0], "", R_OK | W_OK, AT_EMPTY_PATH) == 0, "faccessat2 of a pipe: %s", strerror(errno));
	close(pp[0]), close(pp[1]);

	sync();
	CHECK(syscall(SYS_syncfs, 0) == 0, "syncfs: %s", strerror(errno));
	ERRNO(syscall(SYS_syncfs, 77), EBADF);

	long q = syscall(SYS_membarrier, 0, 0);
	CHECK(q > 0 && (q & 0x7f) == 0x7f, "membarrier query %#lx lacks the non-rseq commands", q);
	ERRNO(syscall(SYS_membarrier, 0, 1), EINVAL);
	ERRNO(syscall(SYS_membarrier, 3, 0), EINVAL);
	ERRNO(syscall(SYS_membarrier, 1 << 12, 0), EINVAL);
	CHECK(syscall(SYS_membarrier, 1, 0) == 0, "membarrier global: %s", strerror(errno));
	CHECK(syscall(SYS_membarrier, 2, 0) == 0, "membarrier global expedited: %s", strerror(errno));
	ERRNO(syscall(SYS_membarrier, 8, 0), EPERM);
	CHECK(syscall(SYS_membarrier, 16, 0) == 0, "register private expedited: %s", strerror(errno));
	CHECK(syscall(SYS_membarrier, 8, 0) == 0, "private expedited after registering: %s", strerror(errno));
	ERRNO(syscall(SYS_membarrier, 32, 0), EPERM);
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_membarrier, 8, 0) == 0 ? 0 : 1); /* the registration is the memory's, copied by fork */
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child lost the membarrier registration");

	struct sysinfo si;
	CHECK(sysinfo(&si) == 0, "sysinfo: %s", strerror(errno));
	CHECK(si.uptime > 0 && si.mem_unit == 1 && si.totalram > 0 && si.freeram <= si.totalram && si.procs >= 1,
		"sysinfo: uptime %ld, mem_unit %u, totalram %lu, freeram %lu, procs %u", si.uptime, si.mem_unit,
		si.totalram, si.freeram, si.procs);
	ERRNO(syscall(SYS_sysinfo, (void *)8), EFAULT);

	ERRNO(syscall(SYS_reboot, 0xfee1deadU, 1, 0x4321FEDC, 0), EINVAL);
	ERRNO(syscall(SYS_reboot, 0x1234, 672274793, 0x4321FEDC, 0), EINVAL);
	ERRNO(syscall(SYS_reboot, 0xfee1deadU, 672274793, 0x1111, 0), EINVAL);
}

/* /proc's links: exe names the program and execs it again, cwd and root.
   Mounts /proc first, as Linux's initramfs has it unmounted: run only when
   named. */
static void t_proc(void) {
	mkdir("/proc", 0555);
	syscall(SYS_mount, "proc", "/proc", "proc", 0, NULL);
	char buf[256];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	CHECK(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	buf[n] = 0;
	CHECK(!strcmp(buf, "/bin/calltest"), "/proc/self/exe -> %s", buf);
	n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
	CHECK(n == 1 && buf[0] == '/', "/proc/self/cwd");
	n = readlink("/proc/self/fd/0", buf, sizeof buf - 1);
	CHECK(n > 0 && (buf[n] = 0, !strcmp(buf, "/dev/console")), "/proc/self/fd/0 -> %s", n > 0 ? buf : strerror(errno));
	int p[2];
	pipe(p);
	char name[64];
	snprintf(name, sizeof name, "/proc/self/fd/%d", p[1]);
	n = readlink(name, buf, sizeof buf - 1);
	CHECK(n > 6 && !strncmp(buf, "pipe:[", 6), "%s -> %.*s", name, (int)(n > 0 ? n : 0), buf);
	close(p[0]), close(p[1]);
	ERRNO(readlink(name, buf, sizeof buf), ENOENT);
	char *again[] = {"calltest", "no-such-case", NULL};
	int r = run_exec(-1, "/proc/self/exe", again, 0);
	CHECK(r == 0, "exec of /proc/self/exe: %d, want 0", r);
}

#include "calltest_pidfd.h"

/* The machine goes away: run only when named. */
static void t_poweroff(void) { syscall(SYS_reboot, 0xfee1deadU, 672274793, 0x4321FEDC, 0); FAIL("still running"); }
static void t_restart(void) { syscall(SYS_reboot, 0xfee1deadU, 85072278, 0x01234567, 0); FAIL("still running"); }

static const struct { const char *name; void (*fn)(void); int named; } tests[] = {
	{"eventfd", t_eventfd},
	{"rlimit", t_rlimit},
	{"unknown", t_unknown},
	{"script", t_script},
	{"calls", t_calls},
	{"exec", t_exec},
	{"pidfd", t_pidfd, 1},
	{"proc", t_proc, 1},
	{"poweroff", t_poweroff, 1},
	{"restart", t_restart, 1},
};

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	int n = 0, bad = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		int want = argc < 2 && !tests[i].named;
		for (int a = 1; a < argc; a++)
			want |= !strcmp(argv[a], tests[i].name) || (!strcmp(argv[a], "all") && !tests[i].named);
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
