/* misctest: select and pselect6 (with the mask they install while
   waiting), CPU time (getrusage, times, the CPU-time clocks), nice values
   and scheduling policies, getcpu, personality, sethostname and uname,
   memfd_create, futex requeue and futex waits ended by wakes, signals and
   timeouts, sched_yield to a woken thread, epoll_ctl's EPERM for files
   that cannot be polled. Prints "misctest: ok" or why not. Every expectation here
   was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* stat_user returns the user column of /proc/stat's cpu line. */
static long long stat_user(void) {
	char b[256];
	int fd = open("/proc/stat", O_RDONLY);
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	long long u = -1;
	if (n > 0) {
		b[n] = 0;
		sscanf(b, "cpu %lld", &u);
	}
	return u;
}

/* musl-gcc has no kernel headers: futex(2)'s operations. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#define FUTEX_REQUEUE_PRIVATE 131
#define FUTEX_CMP_REQUEUE_PRIVATE 132
#define FUTEX_WAIT_BITSET_PRIVATE 137

#define TEST_NAME "misctest"
#include "check.h"
#include "asleep.h"

static volatile int got_usr1;
static void on_usr1(int s) { got_usr1 = 1; }

static void selects(void) {
	int p[2];
	pipe(p);
	fd_set r, w;
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r); FD_SET(p[1], &w);
	struct timeval tv = {0, 0};
	CHECK(select(p[1] + 1, &r, &w, NULL, &tv) == 1 && !FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w), "select empty pipe");
	write(p[1], "x", 1);
	FD_ZERO(&r); FD_SET(p[0], &r);
	tv = (struct timeval){1, 0};
	/* musl's select passes a copy of the timeout: the raw call shows
	   the time left written back. */
	CHECK(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(p[0], &r), "select readable");
	CHECK(tv.tv_sec == 0 && tv.tv_usec > 900000, "time left %ld.%06ld", tv.tv_sec, tv.tv_usec);
	FD_ZERO(&r); FD_SET(40, &r);
	ERRNO(select(41, &r, NULL, NULL, &tv), EBADF);
	ERRNO(select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){-1, 0};
	ERRNO(select(0, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){0, 1000000}; /* normalized to a second, not EINVAL */
	CHECK(select(0, NULL, NULL, NULL, &tv) == 0, "select with usec 1000000: %s", strerror(errno));
	tv = (struct timeval){0, 20000};
	CHECK(syscall(SYS_select, 0, NULL, NULL, NULL, &tv) == 0 && tv.tv_sec == 0 && tv.tv_usec == 0, "select timeout: %ld.%06ld", tv.tv_sec, tv.tv_usec);
	close(p[1]);
	read(p[0], &(char){0}, 1);
	FD_ZERO(&r); FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL) == 1, "hangup is readable");
	close(p[0]);
	/* pselect6's mask: a blocked SIGUSR1 pending is let in by the mask
	   for the wait, its handler runs, the call fails EINTR, and the old
	   mask is back. */
	signal(SIGUSR1, on_usr1);
	sigset_t block, empty, now;
	sigemptyset(&block), sigaddset(&block, SIGUSR1), sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	struct timespec ts = {5, 0};
	ERRNO(pselect(0, NULL, NULL, NULL, &ts, &empty), EINTR);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(got_usr1 && sigismember(&now, SIGUSR1), "pselect mask: handled %d, blocked after %d", got_usr1, sigismember(&now, SIGUSR1));
	got_usr1 = 0;
	raise(SIGUSR1);
	struct pollfd none;
	ERRNO(ppoll(&none, 0, &ts, &empty), EINTR);
	CHECK(got_usr1, "ppoll mask");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void cputime(void) {
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	for (unsigned long i = 0; i < 30000000; i++)
		x += i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	long used = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	CHECK(used > 1000000, "CPU time of a busy loop: %ld ns", used);
	struct timespec sl0, sl1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &sl0);
	usleep(200000);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &sl1);
	long slept = (sl1.tv_sec - sl0.tv_sec) * 1000000000L + sl1.tv_nsec - sl0.tv_nsec;
	CHECK(slept < 100000000, "sleeping used %ld ns of CPU", slept);
	struct rusage ru;
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec > 1000 && ru.ru_maxrss > 0,
	      "getrusage: utime %ld.%06ld maxrss %ld", ru.ru_utime.tv_sec, ru.ru_utime.tv_usec, ru.ru_maxrss);
	ERRNO(getrusage(5, &ru), EINVAL);
	pid_t pid = fork();
	if (pid == 0) {
		for (unsigned long i = 0; i < 30000000; i++)
			x += i;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0 && ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec > 1000, "children's utime");
	struct tms tm;
	clock_t ticks = times(&tm);
	CHECK(ticks != (clock_t)-1 && tm.tms_cutime > 0, "times: cutime %ld", (long)tm.tms_cutime);
}

static void sched(void) {
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0) == 0 && errno == 0, "nice 0");
	CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0 && getpriority(PRIO_PROCESS, 0) == 5, "nice 5");
	CHECK(syscall(SYS_getpriority, PRIO_PROCESS, 0) == 15, "raw getpriority is 20-nice");
	CHECK(setpriority(PRIO_PROCESS, 0, 100) == 0 && getpriority(PRIO_PROCESS, 0) == 19, "clamped to 19");
	CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0, "root lowers nice");
	ERRNO(setpriority(7, 0, 0), EINVAL);
	ERRNO(getpriority(PRIO_PROCESS, 99999), ESRCH);
	CHECK(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_RR) == 1 && sched_get_priority_max(SCHED_OTHER) == 0, "priority range");
	ERRNO(sched_get_priority_max(4), EINVAL);
	CHECK(syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER, "policy"); /* musl's wrapper is ENOSYS */
	struct sched_param sp = {10};
	ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp), EINVAL);
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp) == 0 && syscall(SYS_sched_getscheduler, 0) == SCHED_FIFO, "SCHED_FIFO");
	sp.sched_priority = 0;
	CHECK(syscall(SYS_sched_getparam, 0, &sp) == 0 && sp.sched_priority == 10, "getparam");
	sp.sched_priority = 0;
	CHECK(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp) == 0, "back to SCHED_OTHER");
	ERRNO(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp), EINVAL);
	ERRNO(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	ERRNO(syscall(SYS_sched_getscheduler, 99999), ESRCH);
	unsigned cpu = 7, node = 7;
	CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu < (unsigned)sysconf(_SC_NPROCESSORS_ONLN) && node == 0,
		"getcpu %u %u", cpu, node);
	CHECK(personality(0xffffffff) == 0 && personality(ADDR_NO_RANDOMIZE) == 0 && personality(0xffffffff) == ADDR_NO_RANDOMIZE, "personality");
	personality(0);
}

static void names(void) {
	CHECK(sethostname("sigil-box", 9) == 0, "sethostname: %s", strerror(errno));
	struct utsname u;
	uname(&u);
	CHECK(!strcmp(u.nodename, "sigil-box"), "nodename %s", u.nodename);
	ERRNO(sethostname("x", 65), EINVAL);
	CHECK(setdomainname("example", 7) == 0 && uname(&u) == 0 && !strcmp(u.domainname, "example"), "domainname %s", u.domainname);
	int fd = memfd_create("scratch", MFD_CLOEXEC);
	CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
	CHECK(write(fd, "hello", 5) == 5 && pread(fd, (char[8]){0}, 5, 0) == 5, "memfd write/read");
	char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && !memcmp(m, "hello", 5), "memfd mapping");
	char link[64], target[128];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	CHECK(n > 0 && (target[n] = 0, !strcmp(target, "/memfd:scratch (deleted)")), "memfd link %s", n > 0 ? target : "");
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "MFD_CLOEXEC");
	char long_name[300];
	memset(long_name, 'a', 299), long_name[299] = 0;
	ERRNO(memfd_create(long_name, 0), EINVAL);
	ERRNO(memfd_create("x", 0x100), EINVAL);
}

/* Futex requeue: waiters of one word moved to another and woken there;
   a condition variable's broadcast wakes every waiter (musl requeues
   them to the mutex). */
static int f1, f2, woke;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go_on, waiting;
static int waiter_tid[3];
static void *futex_waiter(void *arg) {
	waiter_tid[(long)arg] = syscall(SYS_gettid);
	syscall(SYS_futex, &f1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	__atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
	return NULL;
}
static void *cond_waiter(void *arg) {
	pthread_mutex_lock(&mu);
	waiting++;
	while (!go_on)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	return NULL;
}
static void futexes(void) {
	pthread_t th[4];
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, futex_waiter, (void *)(long)i);
	for (int i = 0; i < 3; i++) { /* all three wait on f1 */
		while (!__atomic_load_n(&waiter_tid[i], __ATOMIC_SEQ_CST))
			sched_yield();
		CHECK(wait_asleep(getpid(), waiter_tid[i]), "waiter %d never asleep on f1", i);
	}
	ERRNO(syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 5, &f2, 1), EAGAIN);
	ERRNO(syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, -1, 5, &f2, 0), EINVAL);
	ERRNO(syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 5, (char *)&f2 + 1, 0), EINVAL);
	long n = syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 5, &f2, 0);
	CHECK(n == 3, "cmp_requeue woke and moved %ld, want 3", n);
	usleep(50000);
	CHECK(woke == 1, "woken by the requeue: %d", woke);
	CHECK(syscall(SYS_futex, &f1, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) == 0, "nobody left on f1");
	n = syscall(SYS_futex, &f2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	CHECK(n == 2, "woken on f2: %ld", n);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK(syscall(SYS_futex, &f1, FUTEX_REQUEUE_PRIVATE, 1, 1, &f2, 0) == 0, "requeue of nobody");
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, cond_waiter, NULL);
	for (;;) {
		pthread_mutex_lock(&mu);
		int w = waiting;
		pthread_mutex_unlock(&mu);
		if (w == 4)
			break;
		usleep(10000);
	}
	usleep(50000);
	pthread_mutex_lock(&mu);
	go_on = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
}

/* /proc/thread-self names the calling thread's task directory, and a
   path through it reaches the thread's files. */
static void *thread_self(void *arg) {
	char want[64], got[64], status[2048];
	long tid = syscall(SYS_gettid);
	snprintf(want, sizeof want, "%d/task/%ld", getpid(), tid);
	ssize_t n = readlink("/proc/thread-self", got, sizeof got - 1);
	int ok = n > 0 && (got[n] = 0, !strcmp(got, want));
	int fd = open("/proc/thread-self/status", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, status, sizeof status - 1);
	close(fd);
	snprintf(want, sizeof want, "\nPid:\t%ld\n", tid);
	return (void *)(long)(ok && n > 0 && (status[n] = 0, strstr(status, want) != NULL));
}

/* prctl's process options: a parent-death signal, a child subreaper
   adopting an orphaned grandchild, dumpable; /proc/stat and cpuinfo. */
static void process_options(void) {
	CHECK(prctl(PR_GET_DUMPABLE) == 1, "dumpable %d", prctl(PR_GET_DUMPABLE));
	ERRNO(prctl(PR_SET_DUMPABLE, 2), EINVAL);
	ERRNO(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	int v = -1;
	CHECK(prctl(PR_GET_PDEATHSIG, &v) == 0 && v == 0, "pdeathsig %d", v);
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "subreaper");
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1, "subreaper %d", v);
	int p[2];
	pipe(p);
	pid_t a = fork();
	if (a == 0) {
		pid_t b = fork();
		if (b == 0) {
			/* The grandchild: told when its parent dies, then adopted. */
			sigset_t s;
			sigemptyset(&s), sigaddset(&s, SIGUSR2);
			sigprocmask(SIG_BLOCK, &s, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR2);
			write(p[1], "r", 1);
			struct timespec ts = {5, 0};
			char r = sigtimedwait(&s, NULL, &ts) == SIGUSR2 ? 'd' : 'x';
			write(p[1], &r, 1);
			pid_t pp = getppid();
			write(p[1], &pp, sizeof pp);
			_exit(0);
		}
		char c;
		read(p[0], &c, 1); /* the grandchild is ready */
		_exit(0);
	}
	waitpid(a, NULL, 0);
	char d = 0; /* the middle process took the grandchild's "r" */
	read(p[0], &d, 1);
	pid_t pp = 0;
	read(p[0], &pp, sizeof pp);
	CHECK(d == 'd', "parent-death signal: %c", d);
	CHECK(pp == getpid(), "orphan adopted by %d, the subreaper is %d", pp, getpid());
	CHECK(wait(NULL) > 0, "the subreaper reaps its grandchild");
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	pthread_t th;
	void *ok = NULL;
	pthread_create(&th, NULL, thread_self, NULL);
	pthread_join(th, &ok);
	CHECK(ok && thread_self(NULL), "/proc/thread-self");
	CHECK(syscall(SYS_unshare, CLONE_FILES) == 0, "unshare(CLONE_FILES): %s", strerror(errno));
	ERRNO(syscall(SYS_unshare, 1), EINVAL);
	char buf[4096];
	int fd = open("/proc/stat", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	CHECK(n > 0 && !strncmp(buf, "cpu ", 4) && (buf[n] = 0, strstr(buf, "\nintr ") && strstr(buf, "\nbtime ") && strstr(buf, "\nprocesses ")), "/proc/stat: %.80s", buf);
	/* One cpuN line per online CPU (for_each_online_cpu in show_stat), and
	   user time charged while this process spins in user mode. */
	int lines = 0;
	for (char *l = buf; (l = strstr(l, "\ncpu")) != NULL; l++)
		lines++;
	CHECK(lines == sysconf(_SC_NPROCESSORS_ONLN), "/proc/stat: %d cpuN lines for %ld CPUs", lines, sysconf(_SC_NPROCESSORS_ONLN));
	long long user0 = stat_user(), user1 = user0;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (volatile int i = 0; i < 1000000; i++)
			;
		user1 = stat_user();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (user1 < user0 + 2 && t.tv_sec - t0.tv_sec < 5);
	CHECK(user1 >= user0 + 2, "/proc/stat: user time %lld -> %lld after 5 s spinning", user0, user1);
	fd = open("/proc/cpuinfo", O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	CHECK(n > 0 && !strncmp(buf, "processor\t: 0\n", 14) && (buf[n] = 0, strstr(buf, "\nflags\t\t: fpu ")), "/proc/cpuinfo: %.80s", buf);
}

/* Futex waits that end every way: woken (more waiters than Sigil parks
   kernel threads for), by a
   signal whose handler has no SA_RESTART (EINTR), by a timeout, relative
   and absolute (ETIMEDOUT), and not at all (EAGAIN, EINVAL). */
#define NWAITERS 12
#define NSIGNALLED 9
static int fw_word, fw_woken, fw_intr, fw_tid[NWAITERS];
static void *fw_waiter(void *arg) {
	long i = (long)arg;
	__atomic_store_n(&fw_tid[i], syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	long r = syscall(SYS_futex, &fw_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	if (r == 0)
		__atomic_add_fetch(&fw_woken, 1, __ATOMIC_SEQ_CST);
	else if (errno == EINTR)
		__atomic_add_fetch(&fw_intr, 1, __ATOMIC_SEQ_CST);
	return NULL;
}
static long long mono_ns(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}
static void futex_waits(void) {
	struct sigaction sa = {.sa_handler = on_usr1}; /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t th[NWAITERS];
	for (long i = 0; i < NWAITERS; i++)
		pthread_create(&th[i], NULL, fw_waiter, (void *)i);
	for (int i = 0; i < NWAITERS; i++) {
		while (!__atomic_load_n(&fw_tid[i], __ATOMIC_SEQ_CST))
			sched_yield();
		CHECK(wait_asleep(getpid(), fw_tid[i]), "futex waiter %d never asleep", i);
	}
	/* Sigil parks at most 8 waiters' kernel threads, for at most 4 ms
	   each: some of the nine may still be parked, the rest asleep as
	   goroutines. */
	got_usr1 = 0;
	for (int i = 0; i < NSIGNALLED; i++)
		syscall(SYS_tgkill, getpid(), fw_tid[i], SIGUSR1);
	for (int i = 0; i < 10000 && __atomic_load_n(&fw_intr, __ATOMIC_SEQ_CST) < NSIGNALLED; i++)
		usleep(1000);
	CHECK(fw_intr == NSIGNALLED && got_usr1, "futex waits interrupted by a signal: %d of %d", fw_intr, NSIGNALLED);
	long n = syscall(SYS_futex, &fw_word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
	CHECK(n == 2, "FUTEX_WAKE of 2 woke %ld", n);
	n = syscall(SYS_futex, &fw_word, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0);
	CHECK(n == NWAITERS - NSIGNALLED - 2, "FUTEX_WAKE of the rest woke %ld", n);
	for (int i = 0; i < NWAITERS; i++)
		pthread_join(th[i], NULL);
	CHECK(fw_woken == NWAITERS - NSIGNALLED, "futex waiters woken: %d", fw_woken);
	signal(SIGUSR1, on_usr1);

	/* Shorter than Sigil keeps a waiter parked, then longer. */
	struct timespec rel = {0, 2000000};
	long long t0 = mono_ns();
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0), ETIMEDOUT);
	long long took = mono_ns() - t0;
	CHECK(took >= 2000000 && took < 2000000000LL, "FUTEX_WAIT of 2 ms took %lld ns", took);
	rel.tv_nsec = 30000000;
	t0 = mono_ns();
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0), ETIMEDOUT);
	took = mono_ns() - t0;
	CHECK(took >= 30000000 && took < 2000000000LL, "FUTEX_WAIT of 30 ms took %lld ns", took);
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0), EAGAIN);
	struct timespec zero = {0, 0};
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &zero, NULL, ~0), ETIMEDOUT);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, NULL, ~0), ETIMEDOUT);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	CHECK(now.tv_sec > abs.tv_sec || now.tv_sec == abs.tv_sec && now.tv_nsec >= abs.tv_nsec,
	      "FUTEX_WAIT_BITSET returned before its deadline");
	struct timespec bad = {0, 1000000000};
	ERRNO(syscall(SYS_futex, &fw_word, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0), EINVAL);
}

/* sched_yield gives the CPU to a thread it woke: a reader woken by a pipe
   write on the writer's CPU (both pinned to CPU 0: on another, how soon it
   runs is that CPU's wake-up latency, not the yield's) runs before the
   writer has yielded a hundred times. */
static int yield_pipe[2], yield_tid;
static volatile int yield_read;
static void *yield_reader(void *arg) {
	__atomic_store_n(&yield_tid, syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	char c;
	read(yield_pipe[0], &c, 1);
	yield_read = 1;
	return NULL;
}
static void yields(void) {
	cpu_set_t all, cpu0;
	sched_getaffinity(0, sizeof all, &all);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	sched_setaffinity(0, sizeof cpu0, &cpu0); /* the reader inherits it */
	pipe(yield_pipe);
	pthread_t th;
	pthread_create(&th, NULL, yield_reader, NULL);
	while (!__atomic_load_n(&yield_tid, __ATOMIC_SEQ_CST))
		sched_yield();
	CHECK(wait_asleep(getpid(), yield_tid), "pipe reader never asleep");
	write(yield_pipe[1], "x", 1);
	int n = 0;
	while (!yield_read && n < 100000) {
		sched_yield();
		n++;
	}
	CHECK(yield_read && n < 100, "the woken reader ran after %d sched_yield calls", n);
	pthread_join(th, NULL);
	close(yield_pipe[0]);
	close(yield_pipe[1]);
	sched_setaffinity(0, sizeof all, &all);
}

/* epoll watches only files whose driver can say when they are ready
   (file_can_poll): a regular file, a directory and a /proc file are
   EPERM, for every op and before the epoll descriptor is looked at. */
static void epolls(void) {
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN};
	int f = open("/proc/self/status", O_RDONLY);
	int d = open("/", O_RDONLY | O_DIRECTORY);
	int r = open("/bin/misctest", O_RDONLY);
	int p[2];
	pipe(p);
	ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
	ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, f, NULL), EPERM);
	ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev), EPERM);
	ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev), EPERM);
	ERRNO(epoll_ctl(f, EPOLL_CTL_ADD, r, &ev), EPERM);
	ERRNO(epoll_ctl(f, EPOLL_CTL_ADD, p[0], &ev), EINVAL);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "epoll_ctl ADD of a pipe: %s", strerror(errno));
	close(ep), close(f), close(d), close(r), close(p[0]), close(p[1]);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	selects();
	cputime();
	sched();
	names();
	futexes();
	futex_waits();
	yields();
	epolls();
	process_options();
	if (!failed)
		printf("misctest: ok\n");
	return failed;
}
