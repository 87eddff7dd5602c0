/* execthreads: execve with other threads running (Linux's de_thread).
   "execthreads": the leader starts three spinning threads and execs;
   "execthreads sub": a non-leader thread execs while the leader and two
   others spin. After the exec the program is alone: getpid() == gettid(),
   one thread in /proc/self/status, the PID unchanged. Prints
   "execthreads: MODE ok" and exits 0. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procstatus.h"

static volatile unsigned long x;
static char *mode, pidarg[16];

static void *spin(void *a) {
	for (;;)
		x++;
}

static void run_exec(void) {
	char *av[] = {"/bin/execthreads", "after", mode, pidarg, NULL};
	execv(av[0], av);
	perror("execthreads: execv");
	exit(1);
}

static void *exec_thread(void *a) {
	run_exec();
	return NULL;
}

static int threads_now(void) { return status_int("Threads"); }

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 3 && !strcmp(argv[1], "after")) {
		long pid = getpid(), tid = syscall(SYS_gettid);
		int n = threads_now();
		int ok = pid == tid && pid == atol(argv[3]) && n == 1;
		printf("execthreads: %s %s: pid %ld (was %s) tid %ld threads %d\n", argv[2], ok ? "ok" : "FAIL", pid,
		       argv[3], tid, n);
		return !ok;
	}
	mode = argc > 1 ? argv[1] : "leader";
	snprintf(pidarg, sizeof pidarg, "%d", getpid());
	pthread_t t;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, spin, NULL);
	if (!strcmp(mode, "sub"))
		pthread_create(&t, NULL, exec_thread, NULL);
	else
		run_exec();
	for (;;)
		x++;
}
