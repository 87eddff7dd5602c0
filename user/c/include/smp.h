/* smp.h: helpers shared by smptest and smpbench. The program defines
   _GNU_SOURCE first (cpu_set_t). */
#include <sched.h>
#include <time.h>

/* pin binds the calling thread to cpu. */
static inline int pin(int cpu) {
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set);
}

/* relax is a spin-wait's hint (PAUSE, SDM Vol. 2B; Linux's cpu_relax).
   Under QEMU's -icount every vCPU runs in turn on one host thread, and a
   turn lasts to the next timer deadline: PAUSE ends it (target/i386's
   do_pause), so the CPU waited for runs meanwhile. */
static inline void relax(void) { __builtin_ia32_pause(); }

/* now is CLOCK_MONOTONIC in seconds. */
static inline double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* cmpd orders doubles, for qsort. */
static inline int cmpd(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
