/* bench: Sigil's event-path benchmark. Runs unchanged on Sigil and on
   Linux (tools/bench boots both with the same initrd), measures with the
   TSC and prints, per operation, the median and p99 cycles. It judges
   nothing.

     bench          boot and memory figures (when PID 1), then getpid,
                    kill-self -> SIGUSR1 handler -> return, #DE -> SIGFPE
                    handler that skips the instruction -> resume,
                    sigqueue + sigwaitinfo, fork + _exit + wait4, a
                    pipe ping-pong between two processes, and a 100 us
                    nanosleep.
     bench kbd N    keyboard interrupt -> SIGINT handler's first
                    instruction, over N Ctrl+C typed on the PS/2 keyboard.
     bench irqsig N (Sigil, kbd=user) keyboard interrupt -> a user-space
                    driver's SIGRTMIN handler (/dev/irq/1, O_ASYNC), over
                    the interrupts of N Ctrl+C.

   Keyboard timestamps come from each kernel's trace buffer, read as
   tracefs's trace file with the x86-tsc clock: the irq_handler_entry
   event for IRQ 1, the TSC when the kernel's handler for the i8042
   starts. Linux records it after its IDT entry and common_interrupt;
   Sigil records it in its ISA dispatch (intr), after its entry stub.
   The event is switched on through the same tracefs files on both. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "linuxtty.h"
#include "tsc.h"

enum { N = 2000, F = 200, KMAX = 64 };
static unsigned long long v[N];

static void on_usr1(int sig) {}
static void on_fpe(int sig, siginfo_t *si, void *ctx) { ((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP] += 2; }

static void set(int sig, void (*h)(int, siginfo_t *, void *)) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

/* boot prints, as PID 1, the TSC at init's first steps (the TSC counts
   from the machine's reset in QEMU, so this is boot-to-init in cycles)
   and the memory in use according to /proc/meminfo. */
static void boot(unsigned long long t0) {
	if (getpid() != 1)
		return;
	printf("bench: boot to init %llu cycles\n", t0);
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f) { /* Linux's initramfs has no /proc mounted */
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", 0, NULL);
		f = fopen("/proc/meminfo", "r");
	}
	if (!f) {
		printf("bench: no /proc/meminfo\n");
		return;
	}
	char line[128];
	unsigned long long total = 0, free = 0, x;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "MemTotal: %llu kB", &x) == 1)
			total = x;
		if (sscanf(line, "MemFree: %llu kB", &x) == 1)
			free = x;
	}
	fclose(f);
	printf("bench: memory in use at init %llu kB of %llu kB\n", total - free, total);
}

static void run_all(void) {
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		syscall(SYS_getpid);
		v[i] = rdtsc() - t;
	}
	report("bench", "getpid round trip", v, N);

	signal(SIGUSR1, on_usr1);
	pid_t me = getpid();
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		kill(me, SIGUSR1);
		v[i] = rdtsc() - t;
	}
	report("bench", "kill-self -> handler -> return", v, N);

	set(SIGFPE, on_fpe);
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		__asm__ volatile("xor %%ecx,%%ecx\n mov $1,%%eax\n xor %%edx,%%edx\n div %%ecx" ::: "eax", "ecx", "edx");
		v[i] = rdtsc() - t;
	}
	report("bench", "#DE -> SIGFPE -> resume", v, N);

	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	union sigval val = {.sival_int = 1};
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		sigqueue(me, SIGRTMIN, val);
		siginfo_t si;
		sigwaitinfo(&s, &si);
		v[i] = rdtsc() - t;
	}
	report("bench", "sigqueue + sigwaitinfo", v, N);

	for (int i = 0; i < F; i++) {
		unsigned long long t = rdtsc();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		v[i] = rdtsc() - t;
	}
	report("bench", "fork + _exit + wait4", v, F);

	/* One round trip is two context switches: a byte to the child and
	   back. */
	int there[2], back[2];
	if (pipe(there) || pipe(back)) {
		perror("bench: pipe");
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(there[1]);
		close(back[0]);
		while (read(there[0], &c, 1) == 1)
			write(back[1], &c, 1);
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	char c = 'x';
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		write(there[1], &c, 1);
		read(back[0], &c, 1);
		v[i] = rdtsc() - t;
	}
	close(there[1]);
	waitpid(child, NULL, 0);
	report("bench", "pipe ping-pong round trip", v, N);

	/* A short timed sleep: how close to its time the sleeper wakes
	   (Linux: an hrtimer, plus the 50 us timer slack). */
	for (int i = 0; i < F; i++) {
		struct timespec ts = {0, 100000};
		unsigned long long t = rdtsc();
		nanosleep(&ts, NULL);
		v[i] = rdtsc() - t;
	}
	report("bench", "nanosleep 100 us", v, F);
}

/* Keyboard mode. */
static volatile unsigned long long kbd_tsc[KMAX];
static volatile int kbd_n;
static void on_int(int sig, siginfo_t *si, void *ctx) {
	unsigned long long now = rdtsc();
	if (kbd_n >= KMAX)
		return;
	kbd_tsc[kbd_n] = now;
	kbd_n++;
}

/* tracing is where the trace files are: Linux's tracefs as mounted by
   linux_setup, or Sigil's. */
static const char *tracing = "/sys/kernel/tracing";

static int put(const char *file, const char *text) {
	char path[96];
	snprintf(path, sizeof path, "%s/%s", tracing, file);
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	int n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

/* trace_setup turns the IRQ 1 event on through the tracefs files, on both
   kernels: Linux's tracefs is mounted first where the kernel has not
   (rdinit), and the filter is Linux's (Sigil has no filters: its trace
   keeps every line's entries, read and emptied after each Ctrl+C). */
static void trace_setup(void) {
	if (access("/sys/kernel/tracing/tracing_on", F_OK) < 0) {
		tracing = "/tracing";
		mkdir(tracing, 0755);
		if (mount("tracefs", tracing, "tracefs", 0, NULL) < 0)
			perror("bench: mount tracefs");
	}
	put("events/irq/irq_handler_entry/filter", "irq==1");
	if (put("trace_clock", "x86-tsc") < 0 || put("events/irq/irq_handler_entry/enable", "1") < 0 ||
	    put("tracing_on", "1") < 0 || put("trace", "") < 0)
		perror("bench: tracefs");
}

/* match_irq1 sets delta[i], for each sample i in [from, to), to tsc[i]
   less the latest IRQ 1 entry stamp before it in the trace (0 when there
   is none), then empties the trace where it can be emptied. */
static void match_irq1(volatile unsigned long long *tsc, unsigned long long *delta, int from, int to) {
	static char buf[1 << 16];
	char path[96];
	snprintf(path, sizeof path, "%s/trace", tracing);
	int fd = open(path, O_RDONLY), n = 0, r;
	if (fd >= 0) {
		while (n < (int)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
			n += r;
		close(fd);
	}
	buf[n] = 0;
	for (int i = from; i < to; i++)
		delta[i] = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		char *ev = strstr(l, ": irq_handler_entry: irq=1 ");
		if (!ev || l[0] == '#')
			continue;
		char *p = ev;
		while (p > l && p[-1] >= '0' && p[-1] <= '9')
			p--;
		unsigned long long t = strtoull(p, NULL, 10);
		for (int i = from; i < to; i++)
			if (t < tsc[i] && (delta[i] == 0 || tsc[i] - t < delta[i]))
				delta[i] = tsc[i] - t;
	}
	put("trace", "");
}

/* collect matches each stamped handler to its interrupt as the stamps
   come, until done says the keys were all typed, and reports the
   deltas. */
static int collect(int (*done)(int got), const char *what) {
	static unsigned long long delta[KMAX];
	int got = 0;
	/* The signals are blocked only across the check and the wait, so a
	   stamp is never held back while the trace is read; sigsuspend
	   cannot miss a signal that came after the check, as pause could. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGRTMIN);
	while (!done(got)) {
		sigprocmask(SIG_BLOCK, &set, &old);
		while (kbd_n == got && !done(got))
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		int now = kbd_n;
		match_irq1(kbd_tsc, delta, got, now);
		got = now;
	}
	unsigned long long d[KMAX];
	int n = 0;
	for (int i = 0; i < got; i++)
		if (delta[i])
			d[n++] = delta[i];
	if (n == 0) {
		printf("bench: kbd: no timestamps\n");
		return 1;
	}
	report("bench", what, d, n);
	return 0;
}

static int kbd_want;
static int kbd_done(int got) { return got >= kbd_want; }

static int run_kbd(int want) {
	kbd_want = want > KMAX ? KMAX : want;
	linux_tty("bench");
	trace_setup();
	/* No echo: the terminal's ^C would precede the report. */
	struct termios t;
	if (tcgetattr(0, &t) == 0) {
		t.c_lflag &= ~ECHO;
		tcsetattr(0, TCSANOW, &t);
	}
	set(SIGINT, on_int);
	printf("bench: kbd ready for %d Ctrl+C\n", kbd_want);
	return collect(kbd_done, "kbd IRQ 1 handler -> SIGINT handler");
}

/* User-driver mode (Sigil booted with kbd=user): IRQ 1 as a user-space
   driver gets it, kbdd's way (user/c/kbdd.c): /dev/irq/1 with F_SETSIG
   SIGRTMIN and O_ASYNC, the i8042 drained in the handler through ioperm.
   Each handler's first instruction is stamped against the kernel's
   irq_handler_entry for IRQ 1, as in keyboard mode; a Ctrl+C is about four
   interrupts (presses and releases), counted done at Ctrl's release
   (scan code 0x9d). Linux has no such file: the row is Sigil's alone. */
static volatile int chords;
static void on_irq(int sig, siginfo_t *si, void *ctx) {
	on_int(sig, si, ctx);
	while (inb(0x64) & 1)
		if (inb(0x60) == 0x9d)
			chords++;
}
static int irq_done(int got) { (void)got; return chords >= kbd_want; }

static int run_irqsig(int want) {
	kbd_want = want;
	trace_setup();
	int fd = -1;
	if (ioperm(0x60, 5, 1) < 0 || (fd = open("/dev/irq/1", O_RDWR)) < 0) {
		printf("bench: kbd: no user driver: %s (boot with kbd=user)\n", strerror(errno));
		return 1;
	}
	struct sigaction sa = {.sa_sigaction = on_irq, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigaction(SIGRTMIN, &sa, 0);
	if (fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETSIG, SIGRTMIN) < 0 || fcntl(fd, F_SETFL, O_ASYNC) < 0) {
		printf("bench: kbd: fcntl: %s\n", strerror(errno));
		return 1;
	}
	printf("bench: kbd ready for %d Ctrl+C (user driver)\n", want);
	return collect(irq_done, "kbd IRQ 1 -> user driver SIGRTMIN handler");
}

/* show_ipis prints /proc/interrupts' IPI rows (RES, CAL, TLB), for the
   profiling modes: what a loop costs the other CPUs. */
static void show_ipis(const char *when) {
	char line[512];
	FILE *f = fopen("/proc/interrupts", "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ')
			p++;
		if (!strncmp(p, "RES:", 4) || !strncmp(p, "CAL:", 4) || !strncmp(p, "TLB:", 4))
			printf("bench: %s: %s", when, line);
	}
	fclose(f);
}

int main(int argc, char **argv) {
	unsigned long long t0 = rdtsc();
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "kbd"))
		return run_kbd(argc > 2 ? atoi(argv[2]) : 10);
	if (argc > 1 && !strcmp(argv[1], "irqsig"))
		return run_irqsig(argc > 2 ? atoi(argv[2]) : 10);
	if (argc > 1 && !strcmp(argv[1], "fork")) {
		/* A fork loop alone, for profiling (tools/kprof). */
		show_ipis("before");
		for (int i = argc > 2 ? atoi(argv[2]) : 1000; i > 0; i--) {
			pid_t pid = fork();
			if (pid == 0)
				_exit(0);
			waitpid(pid, NULL, 0);
		}
		show_ipis("after");
		printf("bench: fork loop done\n");
		return 0;
	}
	boot(t0);
	run_all();
	printf("bench: done\n");
	return 0;
}
