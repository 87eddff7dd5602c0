/* bench: median cycles (TSC) of a getpid round trip and of
   fork + _exit + wait4. Prints; does not judge. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsc.h"

int main(void) {
	enum { N = 2000, F = 200 };
	static unsigned long long v[N];
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		syscall(SYS_getpid);
		v[i] = rdtsc() - t;
	}
	report("bench", "getpid round trip", v, N);
	for (int i = 0; i < F; i++) {
		unsigned long long t = rdtsc();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		v[i] = rdtsc() - t;
	}
	report("bench", "fork+_exit+wait4", v, F);
	return 0;
}
