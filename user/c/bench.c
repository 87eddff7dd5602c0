/* bench: median cycles (TSC) of a getpid round trip and of
   fork + _exit + wait4. Prints; does not judge. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static inline unsigned long long rdtsc(void) {
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static int cmp(const void *a, const void *b) {
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, unsigned long long *v, int n) {
	qsort(v, n, sizeof *v, cmp);
	printf("bench: %-22s median %llu cycles, p99 %llu cycles (%d runs)\n", what, v[n / 2], v[n * 99 / 100], n);
}

int main(void) {
	enum { N = 2000, F = 200 };
	static unsigned long long v[N];
	for (int i = 0; i < N; i++) {
		unsigned long long t = rdtsc();
		syscall(SYS_getpid);
		v[i] = rdtsc() - t;
	}
	report("getpid round trip", v, N);
	for (int i = 0; i < F; i++) {
		unsigned long long t = rdtsc();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		v[i] = rdtsc() - t;
	}
	report("fork+_exit+wait4", v, F);
	return 0;
}
