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
