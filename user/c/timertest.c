/* timertest: POSIX timers (timer_create and friends) as real-time signal
   queue semantics: a SIGEV_THREAD_ID timer's signal runs its handler on
   the chosen thread; a periodic timer whose signal waits counts the
   periods it missed in si_overrun and timer_getoverrun; SIGEV_NONE and
   ignored signals keep the timer running; errno values; fork does not
   inherit timers. Prints "timertest: ok" or why not. Every expectation
   here was checked on Linux 6.1 in the same QEMU. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_NAME "timertest"
#include "check.h"

/* The kernel's struct sigevent, with the thread of SIGEV_THREAD_ID. */
struct ksigevent {
	union sigval value;
	int signo, notify, tid, pad[11];
};

static long tcreate(clockid_t clk, struct ksigevent *ev, int *id) { return syscall(SYS_timer_create, clk, ev, id); }
static long tset(int id, int flags, long vs, long vns, long is, long ins, struct itimerspec *old) {
	struct itimerspec s = {{is, ins}, {vs, vns}};
	return syscall(SYS_timer_settime, id, flags, &s, old);
}
static long tget(int id, struct itimerspec *s) { return syscall(SYS_timer_gettime, id, s); }

static volatile pid_t handled_on;
static volatile int handled_overrun = -1, handled_code;
static void on_timer(int sig, siginfo_t *si, void *uc) {
	handled_on = syscall(SYS_gettid);
	handled_code = si->si_code;
	handled_overrun = si->si_overrun;
}

static volatile pid_t worker_tid;
static void *worker(void *arg) {
	worker_tid = syscall(SYS_gettid);
	for (int i = 0; i < 50 && !handled_on; i++)
		usleep(10000);
	return NULL;
}

static void errnos(void) {
	int id;
	struct ksigevent ev = {.notify = SIGEV_SIGNAL, .signo = SIGRTMIN};
	ERRNO(tcreate(99, &ev, &id), EINVAL);
	ev.signo = 65;
	ERRNO(tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.signo = SIGRTMIN, ev.notify = 3;
	ERRNO(tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.notify = SIGEV_THREAD_ID, ev.tid = 1; /* init is another process */
	if (getpid() != 1)
		ERRNO(tcreate(CLOCK_MONOTONIC, &ev, &id), EINVAL);
	ev.notify = SIGEV_SIGNAL;
	ERRNO(tcreate(CLOCK_MONOTONIC, &ev, (int *)8), EFAULT);
	ERRNO(tset(12345, 0, 1, 0, 0, 0, NULL), EINVAL);
	CHECK(tcreate(CLOCK_MONOTONIC, &ev, &id) == 0, "create: %s", strerror(errno));
	ERRNO(tset(id, 0, 0, 1000000000, 0, 0, NULL), EINVAL);
	ERRNO(tset(id, 0, -1, 0, 0, 0, NULL), EINVAL);
	ERRNO(syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
	ERRNO(syscall(SYS_timer_getoverrun, 12345), EINVAL);
	ERRNO(tget(12345, &(struct itimerspec){0}), EINVAL);
	CHECK(syscall(SYS_timer_delete, id) == 0, "delete");
	ERRNO(syscall(SYS_timer_delete, id), EINVAL);
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	errnos();

	/* A NULL sigevent: SIGALRM, the timer's ID as its value. IDs count
	   from 0, and a timer refused for its sigevent or its ID pointer
	   used one up (posix_timer_add comes first): errnos() made 4 such
	   IDs, 5 when not init. */
	int first;
	CHECK(tcreate(CLOCK_REALTIME, NULL, &first) == 0 && first == (getpid() == 1 ? 4 : 5), "first timer id %d: %s", first, strerror(errno));
	struct itimerspec s;
	CHECK(tset(first, 0, 10, 0, 0, 0, NULL) == 0 && tget(first, &s) == 0, "arm");
	CHECK(s.it_value.tv_sec == 9 && s.it_interval.tv_sec == 0, "gettime: %ld.%09ld", s.it_value.tv_sec, s.it_value.tv_nsec);
	struct itimerspec old;
	CHECK(tset(first, 0, 0, 0, 0, 0, &old) == 0 && old.it_value.tv_sec == 9, "disarm: old %ld", old.it_value.tv_sec);
	CHECK(tget(first, &s) == 0 && s.it_value.tv_sec == 0 && s.it_value.tv_nsec == 0, "disarmed gettime");
	/* Blocked before the timer can fire: init drops a SIGALRM it does
	   not block (SIG_DFL), and the expiry may come on another CPU before
	   this thread's next instruction. */
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	CHECK(tset(first, TIMER_ABSTIME, 1, 0, 0, 0, NULL) == 0, "absolute time in the past");
	siginfo_t si;
	struct timespec wait = {2, 0};
	CHECK(sigtimedwait(&alrm, &si, &wait) == SIGALRM && si.si_code == SI_TIMER && si.si_timerid == first &&
	      si.si_value.sival_int == first, "NULL sigevent: code %d timerid %d value %d", si.si_code, si.si_timerid, si.si_value.sival_int);

	/* SIGEV_THREAD_ID: the handler runs on the chosen thread, not on the
	   main one (which would be the first choice for a process signal). */
	struct sigaction sa = {.sa_sigaction = on_timer, .sa_flags = SA_SIGINFO};
	sigaction(SIGRTMIN, &sa, NULL);
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		usleep(1000);
	int tid_timer;
	struct ksigevent ev = {.notify = SIGEV_THREAD_ID, .signo = SIGRTMIN, .tid = worker_tid, .value.sival_int = 42};
	CHECK(tcreate(CLOCK_MONOTONIC, &ev, &tid_timer) == 0, "SIGEV_THREAD_ID: %s", strerror(errno));
	CHECK(tset(tid_timer, 0, 0, 20000000, 0, 0, NULL) == 0, "arm thread timer");
	pthread_join(th, NULL);
	CHECK(handled_on == worker_tid && handled_code == SI_TIMER && handled_overrun == 0,
	      "thread timer: handled on %d (worker %d, main %d), code %d, overrun %d", handled_on, worker_tid, getpid(),
	      handled_code, handled_overrun);

	/* A periodic timer whose signal waits blocked: each period missed is
	   an overrun, reported with the signal and by timer_getoverrun. */
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	int per;
	struct ksigevent pev = {.notify = SIGEV_SIGNAL, .signo = SIGRTMIN + 1, .value.sival_ptr = (void *)0x1234};
	CHECK(tcreate(CLOCK_MONOTONIC, &pev, &per) == 0, "periodic create");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(tset(per, 0, 0, 10000000, 0, 10000000, NULL) == 0, "periodic arm");
	usleep(105000);
	CHECK(tget(per, &s) == 0 && s.it_interval.tv_nsec == 10000000 && s.it_value.tv_sec == 0 &&
	      s.it_value.tv_nsec > 0 && s.it_value.tv_nsec <= 10000000, "periodic gettime: %ld.%09ld", s.it_value.tv_sec, s.it_value.tv_nsec);
	CHECK(sigwaitinfo(&rt, &si) == SIGRTMIN + 1, "sigwaitinfo");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long periods = ((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec) / 10000000;
	long got = syscall(SYS_timer_getoverrun, per);
	CHECK(si.si_code == SI_TIMER && si.si_timerid == per && si.si_value.sival_ptr == (void *)0x1234,
	      "periodic siginfo: code %d id %d", si.si_code, si.si_timerid);
	CHECK(si.si_overrun >= 9 && si.si_overrun <= periods && got == si.si_overrun,
	      "overrun %d (getoverrun %ld) for %ld periods", si.si_overrun, got, periods);
	/* Re-armed by the delivery: the next one comes within a period. */
	CHECK(sigtimedwait(&rt, &si, &wait) == SIGRTMIN + 1 && si.si_overrun >= 0 && si.si_overrun <= 3,
	      "next periodic signal: overrun %d", si.si_overrun);
	syscall(SYS_timer_delete, per);

	/* SIGEV_NONE counts down with nothing sent; an ignored signal keeps
	   a periodic timer running. */
	int none;
	struct ksigevent nev = {.notify = SIGEV_NONE};
	CHECK(tcreate(CLOCK_MONOTONIC, &nev, &none) == 0 && tset(none, 0, 0, 30000000, 0, 0, NULL) == 0, "SIGEV_NONE");
	CHECK(tget(none, &s) == 0 && s.it_value.tv_nsec > 0, "SIGEV_NONE armed");
	usleep(50000);
	CHECK(tget(none, &s) == 0 && s.it_value.tv_sec == 0 && s.it_value.tv_nsec == 0, "SIGEV_NONE expired: %ld", s.it_value.tv_nsec);
	signal(SIGUSR1, SIG_IGN);
	int ign;
	struct ksigevent iev = {.notify = SIGEV_SIGNAL, .signo = SIGUSR1};
	CHECK(tcreate(CLOCK_MONOTONIC, &iev, &ign) == 0 && tset(ign, 0, 0, 5000000, 0, 5000000, NULL) == 0, "ignored");
	usleep(30000);
	CHECK(tget(ign, &s) == 0 && s.it_value.tv_nsec > 0 && s.it_value.tv_nsec <= 5000000, "ignored timer stopped: %ld", s.it_value.tv_nsec);

	/* Timers are not inherited by fork. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(tget(ign, &s) == -1 && errno == EINVAL ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child has the parent's timer");
	if (!failed)
		printf("timertest: ok\n");
	return failed;
}
