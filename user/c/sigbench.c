/* sigbench: median and p99 cycles (TSC) of signal round trips. Prints;
   judges nothing.
     sigbench       kill-self -> handler -> return; #DE -> SIGFPE handler
                    that skips the instruction -> resume; sigqueue +
                    sigwaitinfo on a real-time signal.
     sigbench kbd N keyboard interrupt entry -> SIGINT handler's first
                    instruction, over N Ctrl+C (the interrupt's TSC comes in
                    si_value; see task.SignalGroup). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "tsc.h"

static void on_usr1(int sig) {}
static void on_fpe(int sig, siginfo_t *si, void *ctx) { ((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP] += 2; }

static volatile unsigned long long kbd_delta[64];
static volatile int kbd_n;
static void on_int(int sig, siginfo_t *si, void *ctx) {
	unsigned long long now = rdtsc();
	unsigned long long stamp = (unsigned long long)si->si_value.sival_ptr;
	if (stamp && kbd_n < 64)
		kbd_delta[kbd_n++] = now - stamp;
}

static void set(int sig, void (*h)(int, siginfo_t *, void *)) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
	enum { N = 2000 };
	static unsigned long long v[N];
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "kbd")) {
		int want = argc > 2 ? atoi(argv[2]) : 10;
		set(SIGINT, on_int);
		printf("sigbench: kbd ready for %d Ctrl+C\n", want);
		while (kbd_n < want)
			pause();
		unsigned long long d[64];
		for (int i = 0; i < kbd_n; i++)
			d[i] = kbd_delta[i];
		report("sigbench", "kbd IRQ -> SIGINT handler", d, kbd_n);
		return 0;
	}
	signal(SIGUSR1, on_usr1);
	pid_t me = getpid();
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		kill(me, SIGUSR1);
		v[i] = rdtsc() - t;
	}
	report("sigbench", "kill-self -> handler -> return", v, N);

	set(SIGFPE, on_fpe);
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		__asm__ volatile("xor %%ecx,%%ecx\n mov $1,%%eax\n xor %%edx,%%edx\n div %%ecx" ::: "eax", "ecx", "edx");
		v[i] = rdtsc() - t;
	}
	report("sigbench", "#DE -> SIGFPE -> resume", v, N);

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
	report("sigbench", "sigqueue + sigwaitinfo", v, N);
	return 0;
}
