/* many: lots of processes or threads at once. "many procs N" forks N
   CPU-bound children, each spinning until all N have started, and reaps
   them; "many threads N" runs N threads of one process the same way.
   Prints "many: N procs ok" or "many: N threads ok", exits 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int *started; /* shared with the children */
static int n;

static void spin(void) {
	__atomic_add_fetch(started, 1, __ATOMIC_SEQ_CST);
	/* Everyone runs until all have started: they are all alive, and all
	   CPU-bound, at once. */
	while (__atomic_load_n(started, __ATOMIC_SEQ_CST) < n)
		;
}

static void *thread(void *arg) {
	(void)arg;
	spin();
	return NULL;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: many procs|threads N\n");
		return 2;
	}
	n = atoi(argv[2]);
	started = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!strcmp(argv[1], "procs")) {
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();
			if (pid < 0) {
				printf("many: fork %d: %s\n", i, strerror(errno));
				return 1;
			}
			if (pid == 0) {
				spin();
				_exit(0);
			}
		}
		int reaped = 0, st;
		while (wait(&st) > 0)
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				reaped++;
		printf("many: %d procs ok (%d reaped)\n", n, reaped);
		return reaped == n ? 0 : 1;
	}
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	pthread_t *t = calloc(n, sizeof *t);
	for (int i = 0; i < n; i++)
		if ((errno = pthread_create(&t[i], &a, thread, NULL))) {
			printf("many: pthread_create %d: %s\n", i, strerror(errno));
			return 1;
		}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("many: %d threads ok\n", n);
	return 0;
}
