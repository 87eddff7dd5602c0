/* gdbstate: a known signal state for the GDB commands' boot test
   (tools/boottest/gdb_test.go). Installs a SIGUSR1 handler (SA_SIGINFO)
   and an alternate stack, blocks SIGRTMIN+1 and SIGUSR2, queues two
   SIGRTMIN+1 with values 111 and 222 and raises SIGUSR2 (all stay
   pending), ignores SIGPIPE, prints a marker, then waits in pause(2). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_usr1(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; }

int main(void) {
	static char alt[16384];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	struct sigaction sa;
	sigset_t set;
	union sigval v;

	if (sigaltstack(&ss, NULL) != 0) { perror("sigaltstack"); return 1; }
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) != 0) { perror("sigaction"); return 1; }
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	v.sival_int = 111;
	if (sigqueue(getpid(), SIGRTMIN + 1, v) != 0) { perror("sigqueue"); return 1; }
	v.sival_int = 222;
	if (sigqueue(getpid(), SIGRTMIN + 1, v) != 0) { perror("sigqueue"); return 1; }
	raise(SIGUSR2);
	printf("gdbstate: ready pid %d handler %p\n", getpid(), (void *)on_usr1);
	fflush(stdout);
	for (;;)
		pause();
}
