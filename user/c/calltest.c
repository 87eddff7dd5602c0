/* calltest: rules of Linux calls the kernel's runtime and user programs
   share (eventfd, resource limits), one test per argument or all of them.
   Prints "calltest: NAME ok" or why not, then "calltest: N of M passed".
   Every expectation here was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
#define TEST_NAME "calltest"
#include "check.h"

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

/* AF_UNIX sockets: socketpair of each type, SCM_RIGHTS passing a pipe,
   SCM_CREDENTIALS, abstract bind/listen/connect/accept4, shutdown,
   EPIPE/SIGPIPE, non-blocking EAGAIN, poll readiness, errno cases. */
static volatile int sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static int send_fd(int s, int fd) {
	char c = 'F';
	struct iovec iov = {&c, 1};
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr m = {0};
	m.msg_iov = &iov, m.msg_iovlen = 1, m.msg_control = u.buf, m.msg_controllen = sizeof u.buf;
	struct cmsghdr *c0 = CMSG_FIRSTHDR(&m);
	c0->cmsg_level = SOL_SOCKET, c0->cmsg_type = SCM_RIGHTS, c0->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c0), &fd, sizeof fd);
	return sendmsg(s, &m, 0);
}

/* Here a failed check does not end the case: each is reported. */
#undef FAIL_RETURN
#define FAIL_RETURN (void)0
static void t_socket(void) {
	int sv[2], p[2], r;
	char buf[64];
	struct stat st;
	signal(SIGPIPE, on_sigpipe);

	ERRNO(socket(AF_INET6 + 100, SOCK_STREAM, 0), EAFNOSUPPORT);
	ERRNO(socket(AF_UNIX, 4, 0), ESOCKTNOSUPPORT);
	ERRNO(socket(AF_UNIX, 11, 0), EINVAL);
	ERRNO(socket(AF_UNIX, SOCK_STREAM | 0x10000000, 0), EINVAL);
	ERRNO(socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
	ERRNO(socketpair(AF_UNIX + 100, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
	ERRNO(getsockname(0, (struct sockaddr *)buf, &(socklen_t){sizeof buf}), ENOTSOCK);

	/* Stream pair: bytes glue, shutdown, EPIPE with SIGPIPE, MSG_NOSIGNAL. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %s", strerror(errno));
	CHECK(fcntl(sv[0], F_GETFD) == FD_CLOEXEC, "SOCK_CLOEXEC not set");
	CHECK(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat mode %o", st.st_mode);
	int v = -1;
	socklen_t vl = sizeof v;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &vl) == 0 && v == SOCK_STREAM && vl == 4, "SO_TYPE %d", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &vl) == 0 && v == AF_UNIX, "SO_DOMAIN %d", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &vl) == 0 && v == 0, "SO_ACCEPTCONN %d", v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl) == 0 && v == 212992, "SO_SNDBUF %d", v);
	v = 1;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &vl) == 0 && v == 4608, "SO_SNDBUF min %d", v);
	v = 10000;
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &vl) == 0 && v == 20000, "SO_RCVBUF doubled %d", v);
	ERRNO(setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, 2), EINVAL);
	ERRNO(getsockopt(sv[0], 6, 1, &v, &vl), EOPNOTSUPP);
	struct ucred uc;
	socklen_t ul = sizeof uc;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0 && uc.pid == getpid() && uc.uid == 0 && ul == sizeof uc,
		"SO_PEERCRED pid %d uid %d", uc.pid, uc.uid);
	struct sockaddr_un sa;
	socklen_t sl = sizeof sa;
	CHECK(getsockname(sv[0], (struct sockaddr *)&sa, &sl) == 0 && sl == sizeof(sa_family_t) && sa.sun_family == AF_UNIX,
		"getsockname unnamed: len %d", sl);
	sl = sizeof sa;
	CHECK(getpeername(sv[0], (struct sockaddr *)&sa, &sl) == 0 && sl == sizeof(sa_family_t), "getpeername len %d", sl);
	CHECK(revents(sv[0]) == POLLOUT, "idle stream revents %#x", revents(sv[0]));
	CHECK(write(sv[0], "abc", 3) == 3 && write(sv[0], "def", 3) == 3, "write");
	CHECK(revents(sv[1]) == (POLLIN | POLLOUT), "readable stream revents %#x", revents(sv[1]));
	CHECK(recv(sv[1], buf, 2, MSG_PEEK) == 2 && !memcmp(buf, "ab", 2), "peek");
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 6 && !memcmp(buf, "abcdef", 6), "stream glues writes");
	ERRNO(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
	CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown");
	CHECK(read(sv[1], buf, sizeof buf) == 0, "EOF after SHUT_WR");
	CHECK(revents(sv[1]) == (POLLIN | POLLOUT), "after peer SHUT_WR revents %#x", revents(sv[1]));
	sigpipes = 0;
	ERRNO(write(sv[0], "x", 1), EPIPE);
	CHECK(sigpipes == 1, "SIGPIPE count %d after write", sigpipes);
	ERRNO(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	CHECK(sigpipes == 1, "SIGPIPE with MSG_NOSIGNAL");
	ERRNO(shutdown(sv[0], 3), EINVAL);
	close(sv[1]);
	CHECK(revents(sv[0]) == (POLLIN | POLLOUT | POLLHUP), "peer closed revents %#x", revents(sv[0]));
	close(sv[0]);

	/* Non-blocking pair, full buffer. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0, "socketpair nonblock");
	ERRNO(read(sv[0], buf, 1), EAGAIN);
	static char big[1 << 16];
	long total = 0;
	while ((r = write(sv[0], big, sizeof big)) > 0)
		total += r;
	CHECK(r == -1 && errno == EAGAIN && total > 0, "fill: %d errno %d total %ld", r, errno, total);
	CHECK(!(revents(sv[0]) & POLLOUT), "full stream still POLLOUT");
	close(sv[1]);
	sigpipes = 0;
	ERRNO(write(sv[0], "x", 1), EPIPE);
	v = -1;
	vl = sizeof v;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &vl) == 0 && v == ECONNRESET, "SO_ERROR %d", v);
	close(sv[0]);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	write(sv[0], "x", 1);
	close(sv[1]);
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &vl) == 0 && v == ECONNRESET, "SO_ERROR after unread close %d", v);
	close(sv[0]);

	/* Datagram pair: boundaries, MSG_TRUNC, empty datagrams. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
	send(sv[0], "hello", 5, 0);
	send(sv[0], "", 0, 0);
	send(sv[0], "xy", 2, 0);
	CHECK(recv(sv[1], buf, 3, 0) == 3, "short dgram read");
	CHECK(recv(sv[1], buf, sizeof buf, 0) == 0, "empty dgram");
	CHECK(recv(sv[1], buf, 1, MSG_TRUNC) == 2, "MSG_TRUNC gives the real length");
	struct iovec iov = {buf, 2};
	struct msghdr m = {0};
	m.msg_iov = &iov, m.msg_iovlen = 1;
	send(sv[0], "long", 4, 0);
	CHECK(recvmsg(sv[1], &m, 0) == 2 && m.msg_flags == MSG_TRUNC, "recvmsg flags %#x", m.msg_flags);
	ERRNO(recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	ERRNO(listen(sv[0], 1), EOPNOTSUPP);
	ERRNO(accept(sv[0], NULL, NULL), EOPNOTSUPP);
	static char huge[300000];
	ERRNO(send(sv[0], huge, sizeof huge, 0), EMSGSIZE);
	close(sv[1]);
	ERRNO(send(sv[0], "x", 1, 0), ECONNREFUSED);
	ERRNO(send(sv[0], "x", 1, 0), ENOTCONN);
	close(sv[0]);

	/* Seqpacket pair: records, EOF after close, EPIPE without SIGPIPE. */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair seqpacket");
	write(sv[0], "one", 3), write(sv[0], "two", 3);
	CHECK(read(sv[1], buf, 2) == 2 && read(sv[1], buf, sizeof buf) == 3 && !memcmp(buf, "two", 3), "records");
	close(sv[0]);
	CHECK(read(sv[1], buf, sizeof buf) == 0, "seqpacket EOF");
	sigpipes = 0;
	ERRNO(write(sv[1], "x", 1), EPIPE);
	CHECK(sigpipes == 0, "seqpacket EPIPE raised SIGPIPE");
	close(sv[1]);

	/* SCM_RIGHTS: a pipe's read end crosses, the data comes through it. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && pipe(p) == 0, "pair and pipe");
	CHECK(send_fd(sv[0], p[0]) == 1, "sendmsg SCM_RIGHTS: %s", strerror(errno));
	close(p[0]);
	write(p[1], "through", 7);
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	iov.iov_base = buf, iov.iov_len = sizeof buf;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov, m.msg_iovlen = 1, m.msg_control = u.buf, m.msg_controllen = sizeof u.buf;
	CHECK(recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC) == 1 && buf[0] == 'F', "recvmsg: %s", strerror(errno));
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK(c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)),
		"control message");
	CHECK(m.msg_controllen == CMSG_SPACE(sizeof(int)) && m.msg_flags == MSG_CMSG_CLOEXEC, "controllen %zu flags %#x",
		(size_t)m.msg_controllen, m.msg_flags);
	int got;
	memcpy(&got, CMSG_DATA(c), sizeof got);
	CHECK(fcntl(got, F_GETFD) == FD_CLOEXEC, "MSG_CMSG_CLOEXEC not honoured");
	CHECK(read(got, buf, sizeof buf) == 7 && !memcmp(buf, "through", 7), "read through the passed pipe");
	CHECK(fstat(got, &st) == 0 && S_ISFIFO(st.st_mode), "passed fd is a pipe");
	close(got);
	/* No room for the descriptor: MSG_CTRUNC and the file is closed. */
	CHECK(send_fd(sv[0], p[1]) == 1, "sendmsg 2");
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov, m.msg_iovlen = 1;
	CHECK(recvmsg(sv[1], &m, 0) == 1 && m.msg_flags == MSG_CTRUNC, "no control buffer: flags %#x", m.msg_flags);
	close(p[1]);
	ERRNO(send_fd(sv[0], 999), EBADF);
	close(sv[0]), close(sv[1]);

	/* SCM_CREDENTIALS on a datagram pair with SO_PASSCRED. */
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
	v = 1;
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, sizeof v) == 0, "SO_PASSCRED");
	union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } cu;
	memset(&m, 0, sizeof m);
	m.msg_control = cu.buf, m.msg_controllen = sizeof cu.buf;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_CREDENTIALS, c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	uc = (struct ucred){getpid(), 0, 0};
	memcpy(CMSG_DATA(c), &uc, sizeof uc);
	CHECK(sendmsg(sv[0], &m, 0) == 0, "sendmsg creds: %s", strerror(errno));
	uc.pid = 99999;
	memcpy(CMSG_DATA(c), &uc, sizeof uc);
	ERRNO(sendmsg(sv[0], &m, 0), ESRCH);
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred)) - 1;
	ERRNO(sendmsg(sv[0], &m, 0), EINVAL);
	memset(&m, 0, sizeof m);
	memset(&cu, 0, sizeof cu);
	iov.iov_base = buf, iov.iov_len = sizeof buf;
	m.msg_iov = &iov, m.msg_iovlen = 1, m.msg_control = cu.buf, m.msg_controllen = sizeof cu.buf;
	CHECK(recvmsg(sv[1], &m, 0) == 0, "recvmsg creds: %s", strerror(errno));
	c = CMSG_FIRSTHDR(&m);
	CHECK(c && c->cmsg_type == SCM_CREDENTIALS && m.msg_flags == 0, "no credentials message");
	memcpy(&uc, CMSG_DATA(c), sizeof uc);
	CHECK(uc.pid == getpid() && uc.uid == 0 && uc.gid == 0, "credentials pid %d", uc.pid);
	/* SO_PASSCRED autobinds on send: the receiver sees a 5-digit abstract name. */
	v = 1;
	setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, sizeof v);
	send(sv[0], "n", 1, 0);
	sl = sizeof sa;
	CHECK(recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl) == 1 && sl == 8 && sa.sun_path[0] == 0,
		"autobound sender: len %d", sl);
	close(sv[0]), close(sv[1]);

	/* Abstract names: bind, listen, connect, accept4. */
	struct sockaddr_un an = {AF_UNIX, "\0calltest"};
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 9;
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(listen(l, 5), EINVAL);
	ERRNO(bind(l, (struct sockaddr *)&an, 1), EINVAL);
	ERRNO(bind(l, (struct sockaddr *)&an, sizeof an + 1), EINVAL);
	CHECK(bind(l, (struct sockaddr *)&an, alen) == 0, "bind: %s", strerror(errno));
	ERRNO(bind(l, (struct sockaddr *)&an, alen), EINVAL);
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(bind(l2, (struct sockaddr *)&an, alen), EADDRINUSE);
	int cl = socket(AF_UNIX, SOCK_STREAM, 0);
	ERRNO(connect(cl, (struct sockaddr *)&an, alen), ECONNREFUSED);
	ERRNO(accept(l, NULL, NULL), EINVAL);
	CHECK(listen(l, 1) == 0, "listen");
	vl = sizeof v;
	CHECK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl) == 0 && v == 1, "SO_ACCEPTCONN %d", v);
	CHECK(revents(l) == 0, "idle listener revents %#x", revents(l));
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	ERRNO(connect(dg, (struct sockaddr *)&an, alen), ECONNREFUSED);
	ERRNO(send(cl, "x", 1, 0), ENOTCONN);
	ERRNO(recv(cl, buf, 1, 0), EINVAL);
	sl = sizeof sa;
	ERRNO(getpeername(cl, (struct sockaddr *)&sa, &sl), ENOTCONN);
	CHECK(connect(cl, (struct sockaddr *)&an, alen) == 0, "connect: %s", strerror(errno));
	ERRNO(connect(cl, (struct sockaddr *)&an, alen), EISCONN);
	CHECK(revents(l) == POLLIN, "listener with a connection revents %#x", revents(l));
	sl = sizeof sa;
	CHECK(getpeername(cl, (struct sockaddr *)&sa, &sl) == 0 && sl == alen && !memcmp(sa.sun_path, "\0calltest", 9),
		"getpeername: len %d", sl);
	ERRNO(syscall(SYS_accept4, l, NULL, NULL, 0x1234), EINVAL); /* musl's accept4 would fall back to accept */
	sl = sizeof sa;
	int ac = accept4(l, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(ac >= 0 && sl == sizeof(sa_family_t), "accept4: %s, len %d", strerror(errno), sl);
	CHECK(fcntl(ac, F_GETFL) & O_NONBLOCK && fcntl(ac, F_GETFD) == FD_CLOEXEC, "accept4 flags");
	sl = sizeof sa;
	CHECK(getsockname(ac, (struct sockaddr *)&sa, &sl) == 0 && sl == alen, "accepted getsockname len %d", sl);
	fcntl(l, F_SETFL, O_NONBLOCK); /* accept4's SOCK_NONBLOCK is the new descriptor's */
	ERRNO(accept4(l, NULL, NULL, 0), EAGAIN);
	CHECK(getsockopt(ac, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0 && uc.pid == getpid(), "accepted SO_PEERCRED");
	CHECK(send(cl, "ping", 4, 0) == 4 && read(ac, buf, sizeof buf) == 4, "ping");
	ERRNO(read(ac, buf, sizeof buf), EAGAIN);
	/* The backlog of 1 takes two connections (unix_recvq_full is "more than"), then EAGAIN. */
	int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0),
	    c4 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK(connect(c2, (struct sockaddr *)&an, alen) == 0 && connect(c3, (struct sockaddr *)&an, alen) == 0,
		"backlog: %s", strerror(errno));
	ERRNO(connect(c4, (struct sockaddr *)&an, alen), EAGAIN);
	int dl = socket(AF_UNIX, SOCK_DGRAM, 0);
	ERRNO(connect(dl, (struct sockaddr *)&an, alen), ECONNREFUSED);
	close(l);
	ERRNO(connect(c4, (struct sockaddr *)&an, alen), ECONNREFUSED);
	vl = sizeof v;
	CHECK(getsockopt(c2, SOL_SOCKET, SO_ERROR, &v, &vl) == 0 && v == ECONNRESET, "unaccepted: SO_ERROR %d", v);
	close(c2), close(c3), close(c4), close(dl), close(dg), close(cl), close(ac), close(l2);

	/* Datagram sockets by name: sendto, EPERM to an associated socket. */
	struct sockaddr_un dn = {AF_UNIX, "\0calltest-dgram"};
	socklen_t dlen = offsetof(struct sockaddr_un, sun_path) + 15;
	int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0), d3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(d1, (struct sockaddr *)&dn, dlen) == 0, "bind dgram");
	CHECK(sendto(d2, "to", 2, 0, (struct sockaddr *)&dn, dlen) == 2, "sendto: %s", strerror(errno));
	sl = sizeof sa;
	CHECK(recvfrom(d1, buf, sizeof buf, 0, (struct sockaddr *)&sa, &sl) == 2 && sl == 0, "recvfrom unnamed: len %d", sl);
	CHECK(connect(d1, (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, "\0calltest-other"}, dlen) == -1, "connect nowhere");
	struct sockaddr_un d3n = {AF_UNIX, "\0calltest-d3"};
	bind(d3, (struct sockaddr *)&d3n, offsetof(struct sockaddr_un, sun_path) + 12);
	CHECK(connect(d1, (struct sockaddr *)&d3n, offsetof(struct sockaddr_un, sun_path) + 12) == 0, "dgram connect");
	ERRNO(sendto(d2, "to", 2, 0, (struct sockaddr *)&dn, dlen), EPERM);
	CHECK(connect(d1, (struct sockaddr *)&(struct sockaddr){AF_UNSPEC}, sizeof(struct sockaddr)) == 0, "AF_UNSPEC");
	CHECK(sendto(d2, "to", 2, 0, (struct sockaddr *)&dn, dlen) == 2, "after dissolving: %s", strerror(errno));
	close(d1), close(d2), close(d3);

	/* A filesystem name: the node is a socket; a second bind is EADDRINUSE. */
	struct sockaddr_un fn = {AF_UNIX, "/tmp/c.sock"};
	unlink(fn.sun_path);
	int f1 = socket(AF_UNIX, SOCK_STREAM, 0), f2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(f1, (struct sockaddr *)&fn, sizeof fn) == 0, "bind path: %s", strerror(errno));
	CHECK(stat(fn.sun_path, &st) == 0 && S_ISSOCK(st.st_mode), "bound path is no socket");
	sl = sizeof sa;
	CHECK(getsockname(f1, (struct sockaddr *)&sa, &sl) == 0 && sl == offsetof(struct sockaddr_un, sun_path) + 12,
		"getsockname path len %d", sl);
	ERRNO(bind(f2, (struct sockaddr *)&fn, sizeof fn), EADDRINUSE);
	ERRNO(connect(f2, (struct sockaddr *)&fn, sizeof fn), ECONNREFUSED);
	listen(f1, 1);
	CHECK(connect(f2, (struct sockaddr *)&fn, sizeof fn) == 0, "connect path: %s", strerror(errno));
	ERRNO(connect(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&fn, sizeof fn), EPROTOTYPE);
	ERRNO(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&(struct sockaddr_un){AF_UNIX, "/nonexistent/s"}, sizeof fn), ENOENT);
	close(f1), close(f2);
	ERRNO(connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&fn, sizeof fn), ECONNREFUSED);
	/* The name goes with unlink; the path can be bound again. */
	CHECK(unlink(fn.sun_path) == 0, "unlink socket: %s", strerror(errno));
	int f3 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(f3, (struct sockaddr *)&fn, sizeof fn) == 0, "bind again: %s", strerror(errno));
	close(f3);
	unlink(fn.sun_path);
	signal(SIGPIPE, SIG_DFL);
}
#undef FAIL_RETURN
#define FAIL_RETURN return
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
	{"socket", t_socket, 1},
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
