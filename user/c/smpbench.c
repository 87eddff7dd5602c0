/* smpbench: Sigil's SMP benchmark (issue 13). Runs unchanged on Sigil and
   on Linux with two CPUs online (tools/bench boots both at -smp 2 with the
   same initrd) and prints figures; it judges nothing.

     parallel speed-up  a pure ALU loop (registers only: no memory
                        traffic, no system call) run by one thread, then
                        the same work by each of two threads pinned to
                        CPU 0 and CPU 1 at once; speed-up = 2*T1/T2 by
                        CLOCK_MONOTONIC, the median over rounds.
     futex ping-pong    two threads pinned to different CPUs hand a turn
                        back and forth with FUTEX_WAKE/FUTEX_WAIT
                        (private): each hop wakes a thread asleep on the
                        other CPU, so a reschedule IPI each way. The round
                        trip in TSC cycles: user space's proxy for an IPI
                        round trip, the same on both kernels.
     tgkill -> handler  a thread pinned to CPU 1 spins in ring 3 (no
                        system call); the main thread on CPU 0 reads the
                        TSC and tgkill()s it with SIGUSR1; the handler
                        reads the TSC. QEMU's TSC is one clock for all
                        vCPUs, so the difference is the kick's latency.

   The lines are bench.c's format (tsc.h's report), prefixed "smpbench:";
   "smpbench: done" ends the run. "smpbench pingpong" runs the futex
   ping-pong alone (to profile it); "smpbench pairs" one ping-pong, then
   two, four... at once, each pair on two CPUs of its own (-smp 4 and
   up: whether the kernel scales past one pair); "smpbench speedup" the
   speed-up alone; "smpbench kick" the kick alone (to
   profile it), "smpbench kick trace" ten kicks with the scheduler and
   signal trace events on, then prints /proc/interrupts and the trace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tsc.h"
#include "smp.h"

/* linux/futex.h: musl-gcc sees no kernel headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

enum { ROUNDS = 5, N = 1000, K = 200 };
static unsigned long long v[N];

/* --- parallel speed-up --- */

/* Iterations of alu's loop per thread: about 0.1-0.3 s of plain TCG on
   the development host, long enough that a tick or two of either kernel
   is noise, short enough for five rounds in a boot. */
static unsigned long work = 60000000;

/* alu is four instructions an iteration on registers alone: what it
   measures is CPU time each thread gets, not the memory system. */
static unsigned long alu(unsigned long n) {
	unsigned long x = 1;
	__asm__ volatile("1:\n\t"
	                 "add %1, %0\n\t"
	                 "rol $3, %0\n\t"
	                 "dec %1\n\t"
	                 "jnz 1b"
	                 : "+r"(x), "+r"(n));
	return x;
}

static volatile unsigned long sink;

static void *worker(void *arg) {
	pin((int)(long)arg);
	sink = alu(work);
	return NULL;
}

static void speedup(void) {
	double up[ROUNDS], t1s[ROUNDS], t2s[ROUNDS];
	unsigned long long c1s[ROUNDS], c2s[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		pin(0);
		double t = now();
		unsigned long long c = rdtsc();
		sink = alu(work);
		c1s[r] = rdtsc() - c;
		double t1 = now() - t;
		pthread_t th[2];
		t = now();
		c = rdtsc();
		for (long i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, worker, (void *)i);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		c2s[r] = rdtsc() - c;
		double t2 = now() - t;
		up[r] = 2 * t1 / t2;
		t1s[r] = t1;
		t2s[r] = t2;
	}
	qsort(up, ROUNDS, sizeof up[0], cmpd);
	qsort(t1s, ROUNDS, sizeof t1s[0], cmpd);
	qsort(t2s, ROUNDS, sizeof t2s[0], cmpd);
	qsort(c1s, ROUNDS, sizeof c1s[0], tsc_cmp);
	qsort(c2s, ROUNDS, sizeof c2s[0], tsc_cmp);
	/* The TSC figures too: under plain TCG QEMU's TSC is the host's, a
	   clock neither kernel calibrates, so T1 compares across kernels. */
	printf("smpbench: parallel speed-up %.3f median of %d rounds (1 thread %.0f ms %llu Mcycles, 2 threads %.0f ms %llu Mcycles, medians)\n",
	       up[ROUNDS / 2], ROUNDS, t1s[ROUNDS / 2] * 1e3, c1s[ROUNDS / 2] / 1000000, t2s[ROUNDS / 2] * 1e3,
	       c2s[ROUNDS / 2] / 1000000);
}

/* --- futex ping-pong --- */

/* A pair hands a turn back and forth: 0 is the first thread's, 1 its
   partner's. Each pair has its own line, so pairs share nothing but the
   kernel. */
struct pair {
	int turn;
	int cpu; /* the first thread's; the partner's is the next */
	unsigned long long *v;
	char pad[64 - sizeof(int) * 2 - sizeof(void *)];
};

static long futex(int *uaddr, int op, int val) {
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* await sleeps until p's turn is want (FUTEX_WAIT returns at once when
   the turn already changed, EAGAIN). */
static void await(struct pair *p, int want) {
	int t;
	while ((t = __atomic_load_n(&p->turn, __ATOMIC_ACQUIRE)) != want)
		futex(&p->turn, FUTEX_WAIT, t);
}

static void pass(struct pair *p, int to) {
	__atomic_store_n(&p->turn, to, __ATOMIC_RELEASE);
	futex(&p->turn, FUTEX_WAKE, 1);
}

static void *partner(void *arg) {
	struct pair *p = arg;
	pin(p->cpu + 1);
	for (int i = 0; i < N + 1; i++) {
		await(p, 1);
		pass(p, 0);
	}
	return NULL;
}

/* rally runs pair p's N timed round trips from the first thread's side. */
static void *rally(void *arg) {
	struct pair *p = arg;
	pin(p->cpu);
	p->turn = 0;
	pthread_t th;
	pthread_create(&th, NULL, partner, p);
	/* One untimed round trip: the partner is pinned and asleep. */
	pass(p, 1);
	await(p, 0);
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		pass(p, 1);
		await(p, 0);
		p->v[i] = rdtsc() - t;
	}
	pthread_join(th, NULL);
	return NULL;
}

static void pingpong(void) {
	struct pair p = {.cpu = 0, .v = v};
	rally(&p);
	report("smpbench", "futex ping-pong across CPUs", v, N);
}

/* pairs runs n ping-pongs at once, pair i on CPUs 2i and 2i+1, and
   reports the round trips of all of them: beside one pair's, what the
   kernel's shared structures (one run queue and its lock, on Sigil)
   cost when several CPUs schedule at once. */
static void pairs(int n) {
	static struct pair ps[8];
	static unsigned long long all[8 * N];
	pthread_t th[8];
	for (int i = 0; i < n; i++) {
		ps[i] = (struct pair){.cpu = 2 * i, .v = all + i * N};
		pthread_create(&th[i], NULL, rally, &ps[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	char what[64];
	snprintf(what, sizeof what, "futex ping-pong, %d pairs at once", n);
	report("smpbench", what, all, n * N);
}

/* --- remote signal kick --- */

static volatile unsigned long long handled;
static volatile unsigned long spins;
static volatile int spinning, stop;
static volatile pid_t spinner_tid;

static void on_usr1(int sig) {
	(void)sig;
	handled = rdtsc();
}

static void *spinner(void *arg) {
	(void)arg;
	pin(1);
	spinner_tid = syscall(SYS_gettid);
	spinning = 1;
	while (!stop)
		spins++; /* ring 3, no system call */
	return NULL;
}

static void kick(int kicks) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pin(0);
	pthread_t th;
	pthread_create(&th, NULL, spinner, NULL);
	/* Each wait relaxes (smp.h): under -icount that is what lets the
	   spinner's CPU run while this one waits (a sched_yield with nothing
	   else to run does not). */
	while (!spinning) {
		sched_yield();
		relax();
	}
	int n = 0;
	for (int i = 0; i < kicks; i++) {
		/* The spinner back in its loop after the last handler's
		   sigreturn, then a little more in ring 3. */
		unsigned long s = spins;
		unsigned long long t0 = rdtsc();
		while (spins == s && rdtsc() - t0 < 10000000000ULL)
			relax();
		for (t0 = rdtsc(); rdtsc() - t0 < 100000;)
			relax();
		handled = 0;
		unsigned long long t = rdtsc();
		syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1);
		/* No system call while waiting: bounded by the TSC alone. */
		while (!handled && rdtsc() - t < 10000000000ULL)
			relax();
		if (!handled) {
			printf("smpbench: kick %d: no handler within 10^10 cycles\n", i);
			break;
		}
		v[n++] = handled - t;
	}
	stop = 1;
	pthread_join(th, NULL);
	if (n > 0)
		report("smpbench", "tgkill -> handler on other CPU", v, n);
}

/* put writes s to the file at path. */
static void put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		printf("smpbench: %s: %s\n", path, strerror(errno));
	close(fd);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	cpu_set_t set;
	sched_getaffinity(0, sizeof set, &set);
	int ncpu = CPU_COUNT(&set);
	printf("smpbench: cpus %d\n", ncpu);
	if (argc > 1 && !strcmp(argv[1], "pingpong")) {
		for (int i = 0; i < 30; i++)
			pingpong(); /* alone, long enough to profile */
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "pairs")) {
		/* "pairs": one pair, then as many as the CPUs hold (at most
		   8), each pair on two CPUs of its own. */
		for (int n = 1; n <= ncpu / 2 && n <= 8; n *= 2)
			pairs(n);
		printf("smpbench: done\n");
		tcdrain(STDOUT_FILENO); /* see the end of main */
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "speedup")) {
		speedup();
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "kick")) {
		/* The kick alone, to profile it; "kick trace" records the
		   scheduler, signal and interrupt events meanwhile and prints
		   the trace. */
		int trace = argc > 2 && !strcmp(argv[2], "trace");
		if (trace) {
			put("/sys/kernel/tracing/set_event", "sched:sched_switch signal:*\n");
			put("/sys/kernel/tracing/tracing_on", "1\n");
		}
		kick(trace ? 10 : K);
		if (trace) {
			put("/sys/kernel/tracing/tracing_on", "0\n");
			char b[4096];
			const char *files[] = {"/proc/interrupts", "/sys/kernel/tracing/trace"};
			for (int f = 0; f < 2; f++) {
				int fd = open(files[f], O_RDONLY);
				for (ssize_t n; (n = read(fd, b, sizeof b)) > 0;)
					write(1, b, n);
				close(fd);
			}
		}
		return 0;
	}
	if (ncpu < 2 || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set)) {
		/* The speed-up alone, as a baseline: pinning to CPU 1 fails
		   and both threads share CPU 0 (about 1). */
		printf("smpbench: needs CPUs 0 and 1 online for the latencies\n");
		speedup();
	} else {
		pingpong();
		kick(K);
		speedup();
	}
	printf("smpbench: done\n");
	/* Linux's init exit panics (panic=-1 ends the machine) while the
	   serial driver may still hold the last lines: wait for them. */
	tcdrain(STDOUT_FILENO);
	return 0;
}
