/* tsc.h: timing helpers shared by the benchmark programs. */
#include <stdio.h>
#include <stdlib.h>

static inline unsigned long long rdtsc(void) {
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static int tsc_cmp(const void *a, const void *b) {
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

/* report prints the median and 99th percentile of n cycle counts. */
static void report(const char *prog, const char *what, unsigned long long *v, int n) {
	qsort(v, n, sizeof *v, tsc_cmp);
	printf("%s: %-32s median %llu cycles, p99 %llu cycles (%d runs)\n", prog, what, v[n / 2], v[n * 99 / 100], n);
}
