/* calltest's pidfd case: clone3's argument rules, CLONE_PIDFD,
   CLONE_CLEAR_SIGHAND, set_tid, pidfd_open, pidfd_send_signal,
   pidfd_getfd, waitid(P_PIDFD), and a pidfd's poll readiness. Included by
   calltest.c after its CHECK and ERRNO macros; every expectation was
   checked on Linux 6.1 in the same QEMU, run as init. */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mount.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define CT_CLONE_CLEAR_SIGHAND 0x100000000ULL
#define CT_CLONE_INTO_CGROUP 0x200000000ULL
#define CT_P_PIDFD 3
#define CT_PIDFD_NONBLOCK O_NONBLOCK

/* struct clone_args, version 2 (88 bytes). */
struct ct_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
		cgroup;
};

static long ct_clone3(struct ct_clone_args *a, size_t size) { return syscall(SYS_clone3, a, size); }
static int ct_pidfd_open(int pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int ct_send(int fd, int sig, siginfo_t *info, unsigned flags) {
	return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}
static int ct_getfd(int fd, int target, unsigned flags) { return syscall(SYS_pidfd_getfd, fd, target, flags); }
static int ct_waitid(int fd, siginfo_t *si, int options) {
	memset(si, 0, sizeof *si);
	return syscall(SYS_waitid, CT_P_PIDFD, fd, si, options, NULL);
}

/* clone3 that must fail: if it made a child, the child leaves at once. */
static long ct_clone3_err(struct ct_clone_args *a, size_t size) {
	long r = ct_clone3(a, size);
	if (r == 0)
		_exit(99);
	if (r > 0) {
		waitpid(r, NULL, 0);
		errno = 0;
	}
	return r;
}

/* clone3 onto its own stack: the child exits 0 when its stack pointer is
   exactly stack + stack_size, 1 otherwise, without touching memory. */
static long ct_clone3_stack(struct ct_clone_args *a, uint64_t top) {
	long r;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%edi, %%edi\n\t"
			 "cmp %[top], %%rsp\n\t"
			 "setne %%dil\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n\t"
			 "1:"
			 : "=a"(r)
			 : "0"((long)SYS_clone3), "D"(a), "S"(sizeof *a), [top] "r"(top)
			 : "rcx", "r11", "memory");
	return r;
}

/* ct_fdinfo reads /proc/self/fdinfo/FD into buf. */
static void ct_fdinfo(int fd, char *buf, size_t size) {
	char name[64];
	snprintf(name, sizeof name, "/proc/self/fdinfo/%d", fd);
	int f = open(name, O_RDONLY);
	ssize_t n = f < 0 ? 0 : read(f, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	close(f);
}

static int ct_status(pid_t pid) {
	int st = -1;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* A second thread: its own TID is no thread-group leader's (pidfd_open:
   EINVAL), and a code only the kernel may send, sent to its own process
   through a pidfd, is EPERM: the sender must be the leader itself. */
static int ct_open_errno, ct_send_errno;
static void *ct_thread(void *arg) {
	int fd = ct_pidfd_open(syscall(SYS_gettid), 0);
	ct_open_errno = fd == -1 ? errno : 0;
	siginfo_t si = {.si_signo = SIGUSR2, .si_code = SI_USER};
	ct_send_errno = ct_send(*(int *)arg, SIGUSR2, &si, 0) == -1 ? errno : 0;
	return NULL;
}

static void ct_handler(int sig) { (void)sig; }

static void t_pidfd(void) {
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	struct ct_clone_args a;
	siginfo_t si;
	char buf[256];
	int st = 0;

	/* clone3's size and argument rules. */
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	ERRNO(ct_clone3_err(&a, 63), EINVAL);
	ERRNO(ct_clone3_err(&a, 4097), E2BIG);
	ERRNO(ct_clone3_err((void *)8, 64), EFAULT);
	struct {
		struct ct_clone_args a;
		uint64_t tail;
	} big = {a, 1};
	ERRNO(ct_clone3_err(&big.a, sizeof big), E2BIG);
	big.tail = 0;
	long r = ct_clone3(&big.a, sizeof big);
	if (r == 0)
		_exit(3);
	CHECK(r > 0 && (st = ct_status(r), WIFEXITED(st) && WEXITSTATUS(st) == 3),
		"clone3 with a zero tail: %ld %s, status %#x", r, strerror(errno), st);
	r = ct_clone3(&a, 64);
	if (r == 0)
		_exit(4);
	CHECK(r > 0 && (st = ct_status(r), WIFEXITED(st) && WEXITSTATUS(st) == 4),
		"clone3 of version 0: %ld %s", r, strerror(errno));
	a.exit_signal = 65;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.exit_signal = (1ULL << 32) | SIGCHLD;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.exit_signal = SIGCHLD;
	a.flags = 0x400000; /* CLONE_DETACHED */
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = 1; /* a CSIGNAL bit */
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = 1ULL << 34;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = CT_CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = 0;
	a.stack_size = 4096;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.stack = (uintptr_t)buf, a.stack_size = 0;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.stack = -8192ULL, a.stack_size = 4096;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.stack = 0;

	/* The child's stack pointer is stack + stack_size. */
	static char stack[8192] __attribute__((aligned(16)));
	a.stack = (uintptr_t)stack, a.stack_size = sizeof stack;
	r = ct_clone3_stack(&a, (uintptr_t)stack + sizeof stack);
	CHECK(r > 0, "clone3 with a stack: %s", strerror(-r));
	st = ct_status(r);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone3 child's stack pointer is not stack+stack_size: status %#x", st);
	a.stack = a.stack_size = 0;

	/* set_tid: one level, in range, free. */
	int tids[2] = {1, 2};
	a.set_tid_size = 1;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.set_tid = (uintptr_t)tids, a.set_tid_size = 0;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.set_tid_size = 33;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.set_tid_size = 2;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.set_tid_size = 1;
	ERRNO(ct_clone3_err(&a, sizeof a), EEXIST);
	tids[0] = 0;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.set_tid = 8;
	ERRNO(ct_clone3_err(&a, sizeof a), EFAULT);
	a.set_tid = (uintptr_t)tids;
	tids[0] = 5000;
	r = ct_clone3(&a, sizeof a);
	if (r == 0)
		_exit(getpid() == 5000 ? 0 : 1);
	CHECK(r == 5000, "clone3 set_tid 5000: %ld %s", r, strerror(errno));
	st = ct_status(r);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "set_tid child: status %#x", st);
	a.set_tid = a.set_tid_size = 0;

	/* CLONE_INTO_CGROUP: no cgroup2 is mounted, so no descriptor names one. */
	int dir = open("/", O_RDONLY | O_DIRECTORY);
	a.flags = CT_CLONE_INTO_CGROUP, a.cgroup = dir;
	ERRNO(ct_clone3_err(&a, 80), EINVAL);
	ERRNO(ct_clone3_err(&a, sizeof a), EBADF);
	a.cgroup = 1ULL << 31;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	close(dir);
	a.flags = a.cgroup = 0;

	/* CLONE_CLEAR_SIGHAND: handlers to SIG_DFL, SIG_IGN stays. */
	signal(SIGUSR1, ct_handler);
	signal(SIGUSR2, SIG_IGN);
	a.flags = CT_CLONE_CLEAR_SIGHAND;
	r = ct_clone3(&a, sizeof a);
	if (r == 0) {
		struct sigaction s1, s2;
		sigaction(SIGUSR1, NULL, &s1);
		sigaction(SIGUSR2, NULL, &s2);
		_exit(s1.sa_handler == SIG_DFL && s2.sa_handler == SIG_IGN ? 0 : 1);
	}
	CHECK(r > 0, "clone3 CLONE_CLEAR_SIGHAND: %s", strerror(errno));
	st = ct_status(r);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "CLONE_CLEAR_SIGHAND child saw its handlers: status %#x", st);
	a.flags = 0;

	/* CLONE_PIDFD's rules, clone and clone3. */
	int pidfd = -1;
	ERRNO(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd, 0, 0), EINVAL);
	ERRNO(syscall(SYS_clone, CLONE_PIDFD | 0x400000 | SIGCHLD, 0, &pidfd, 0, 0), EINVAL);
	a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID, a.pidfd = a.parent_tid = (uintptr_t)&pidfd;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = CLONE_PIDFD | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, a.exit_signal = 0;
	ERRNO(ct_clone3_err(&a, sizeof a), EINVAL);
	a.flags = CLONE_PIDFD, a.exit_signal = SIGCHLD, a.pidfd = 8;
	ERRNO(ct_clone3_err(&a, sizeof a), EFAULT);
	ERRNO(waitpid(-1, NULL, WNOHANG), ECHILD);

	/* pidfd_open. */
	ERRNO(ct_pidfd_open(getpid(), 1), EINVAL);
	ERRNO(ct_pidfd_open(0, 0), EINVAL);
	ERRNO(ct_pidfd_open(-1, 0), EINVAL);
	ERRNO(ct_pidfd_open(4000000, 0), ESRCH);
	int self = ct_pidfd_open(getpid(), 0);
	CHECK(self >= 0, "pidfd_open(self): %s", strerror(errno));
	CHECK(fcntl(self, F_GETFD) == FD_CLOEXEC, "pidfd_open: F_GETFD %d, want FD_CLOEXEC", fcntl(self, F_GETFD));
	CHECK((fcntl(self, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == O_RDWR, "pidfd_open: F_GETFL %#x", fcntl(self, F_GETFL));
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", self);
	char link[64] = "";
	readlink(buf, link, sizeof link - 1);
	CHECK(!strcmp(link, "anon_inode:[pidfd]"), "%s -> %s", buf, link);
	ERRNO(read(self, buf, 8), EINVAL);
	ERRNO(ct_waitid(self, &si, WEXITED | WNOHANG), ECHILD);
	ERRNO(ct_waitid(self, &si, WEXITED), ECHILD);
	ERRNO(ct_waitid(-1, &si, WEXITED), EINVAL);
	ERRNO(ct_waitid(0, &si, WEXITED), EBADF);
	ERRNO(ct_waitid(self, &si, WEXITED | 0x100), EINVAL);
	CHECK(ct_send(self, 0, NULL, 0) == 0, "pidfd_send_signal(self, 0): %s", strerror(errno));
	ERRNO(ct_send(self, 0, NULL, 1), EINVAL);
	ERRNO(ct_send(0, 0, NULL, 0), EBADF);
	ERRNO(ct_send(-1, 0, NULL, 0), EBADF);
	ERRNO(ct_send(self, 65, NULL, 0), EINVAL);
	int nb = ct_pidfd_open(getpid(), CT_PIDFD_NONBLOCK);
	CHECK(nb >= 0 && (fcntl(nb, F_GETFL) & O_NONBLOCK), "pidfd_open PIDFD_NONBLOCK: %d %#x", nb, fcntl(nb, F_GETFL));
	close(nb);

	/* A thread is no thread-group leader; and sending a forged code to
	   one's own process from another thread is EPERM. */
	pthread_t th;
	pthread_create(&th, NULL, ct_thread, &self);
	pthread_join(th, NULL);
	CHECK(ct_open_errno == EINVAL, "pidfd_open(a thread's TID): errno %d, want EINVAL", ct_open_errno);
	CHECK(ct_send_errno == EPERM, "pidfd_send_signal(SI_USER) from a thread to its process: errno %d, want EPERM",
		ct_send_errno);
	siginfo_t mine = {.si_signo = SIGUSR2, .si_code = SI_USER};
	CHECK(ct_send(self, SIGUSR2, &mine, 0) == 0, "pidfd_send_signal(SI_USER) to oneself: %s", strerror(errno));

	/* A child made with CLONE_PIDFD by clone(2). */
	int p[2];
	pipe(p);
	pidfd = -1;
	pid_t child = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (child == 0) {
		for (;;)
			pause();
	}
	CHECK(child > 0 && pidfd >= 0, "clone(CLONE_PIDFD): %d, pidfd %d: %s", child, pidfd, strerror(errno));
	CHECK(fcntl(pidfd, F_GETFD) == FD_CLOEXEC, "CLONE_PIDFD: not close-on-exec");
	struct pollfd pf = {pidfd, POLLIN, 0};
	CHECK(poll(&pf, 1, 0) == 0, "poll of a live child's pidfd: revents %#x", pf.revents);
	CHECK(ct_waitid(pidfd, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0, "waitid WNOHANG: pid %d %s",
		si.si_pid, strerror(errno));
	nb = ct_pidfd_open(child, CT_PIDFD_NONBLOCK);
	ERRNO(ct_waitid(nb, &si, WEXITED), EAGAIN);
	CHECK(ct_waitid(nb, &si, WEXITED | WNOHANG) == 0, "waitid WNOHANG on a non-blocking pidfd: %s", strerror(errno));

	char want[64];
	ct_fdinfo(pidfd, buf, sizeof buf);
	snprintf(want, sizeof want, "Pid:\t%d\nNSpid:\t%d\n", child, child);
	CHECK(!strncmp(buf, "pos:\t0\nflags:\t02000002\n", 23) && strstr(buf, want), "fdinfo of a pidfd: %s", buf);

	int got = ct_getfd(pidfd, p[0], 0);
	struct stat s1, s2;
	CHECK(got >= 0, "pidfd_getfd: %s", strerror(errno));
	CHECK(fcntl(got, F_GETFD) == FD_CLOEXEC, "pidfd_getfd: not close-on-exec");
	fstat(got, &s1), fstat(p[0], &s2);
	CHECK(s1.st_ino == s2.st_ino, "pidfd_getfd: another file");
	close(got);
	ERRNO(ct_getfd(pidfd, 999, 0), EBADF);
	ERRNO(ct_getfd(pidfd, -1, 0), EBADF);
	ERRNO(ct_getfd(pidfd, p[0], 1), EINVAL);
	ERRNO(ct_getfd(p[0], 0, 0), EBADF);

	siginfo_t q = {.si_signo = SIGUSR1, .si_code = SI_QUEUE};
	ERRNO(ct_send(pidfd, SIGUSR2, &q, 0), EINVAL);
	q.si_code = SI_USER;
	ERRNO(ct_send(pidfd, SIGUSR1, &q, 0), EPERM);
	q.si_code = SI_TKILL;
	ERRNO(ct_send(pidfd, SIGUSR1, &q, 0), EPERM);
	ERRNO(ct_send(pidfd, SIGUSR1, (void *)8, 0), EFAULT);
	q.si_signo = SIGUSR2, q.si_code = SI_QUEUE; /* ignored by the child */
	CHECK(ct_send(pidfd, SIGUSR2, &q, 0) == 0, "pidfd_send_signal(SI_QUEUE): %s", strerror(errno));

	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev);
	CHECK(epoll_wait(ep, &out, 1, 0) == 0, "epoll: a live child's pidfd is ready");
	CHECK(ct_send(pidfd, SIGKILL, NULL, 0) == 0, "pidfd_send_signal(SIGKILL): %s", strerror(errno));
	CHECK(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN, "poll after SIGKILL: revents %#x", pf.revents);
	CHECK(epoll_wait(ep, &out, 1, 5000) == 1 && out.events == EPOLLIN, "epoll after SIGKILL: %#x", out.events);
	close(ep);
	CHECK(ct_send(pidfd, 0, NULL, 0) == 0, "pidfd_send_signal to a zombie: %s", strerror(errno));
	ERRNO(ct_getfd(pidfd, p[0], 0), ESRCH);
	CHECK(ct_waitid(nb, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == child, "waitid WNOWAIT: %d", si.si_pid);
	CHECK(ct_waitid(pidfd, &si, WEXITED) == 0, "waitid(P_PIDFD): %s", strerror(errno));
	CHECK(si.si_signo == SIGCHLD && si.si_pid == child && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
		"waitid(P_PIDFD): signo %d pid %d code %d status %d", si.si_signo, si.si_pid, si.si_code, si.si_status);
	ERRNO(ct_send(pidfd, 0, NULL, 0), ESRCH);
	ERRNO(ct_send(pidfd, SIGKILL, NULL, 0), ESRCH);
	ERRNO(ct_waitid(pidfd, &si, WEXITED), ECHILD);
	ERRNO(ct_waitid(nb, &si, WEXITED), ECHILD);
	ERRNO(ct_getfd(pidfd, p[0], 0), ESRCH);
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "poll of a reaped child's pidfd: %#x", pf.revents);
	ct_fdinfo(pidfd, buf, sizeof buf);
	CHECK(strstr(buf, "Pid:\t-1\nNSpid:\t-1\n"), "fdinfo of a reaped child's pidfd: %s", buf);
	close(pidfd), close(nb), close(p[0]), close(p[1]);

	/* A child made with CLONE_PIDFD by clone3. */
	memset(&a, 0, sizeof a);
	a.flags = CLONE_PIDFD, a.pidfd = (uintptr_t)&pidfd, a.exit_signal = SIGCHLD;
	pidfd = -1;
	r = ct_clone3(&a, sizeof a);
	if (r == 0)
		_exit(7);
	CHECK(r > 0 && pidfd >= 0, "clone3(CLONE_PIDFD): %ld pidfd %d %s", r, pidfd, strerror(errno));
	CHECK(fcntl(pidfd, F_GETFD) == FD_CLOEXEC, "clone3 CLONE_PIDFD: not close-on-exec");
	CHECK(ct_waitid(pidfd, &si, WEXITED) == 0 && si.si_pid == r && si.si_code == CLD_EXITED && si.si_status == 7,
		"waitid(P_PIDFD) of a clone3 child: pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	close(pidfd);
	close(self);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}
