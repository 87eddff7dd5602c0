/* preempt: two CPU-bound children that never block must both make
   progress during the same second (the tick preempts them). Exits 0 when
   their busy windows overlapped and both counted. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
	int fds[2][2];
	pid_t pid[2];
	for (int i = 0; i < 2; i++) {
		pipe(fds[i]);
		if ((pid[i] = fork()) == 0) {
			/* Spin for one second of wall time, counting, sampling the
			   clock only every 4096 rounds. */
			double start = now(), end = start;
			unsigned long n = 0;
			while (end - start < 1.0) {
				for (int k = 0; k < 4096; k++)
					n++;
				end = now();
			}
			double rep[3] = {start, end, (double)n};
			write(fds[i][1], rep, sizeof rep);
			_exit(0);
		}
	}
	double rep[2][3];
	for (int i = 0; i < 2; i++) {
		read(fds[i][0], rep[i], sizeof rep[i]);
		waitpid(pid[i], NULL, 0);
	}
	double overlap = (rep[0][1] < rep[1][1] ? rep[0][1] : rep[1][1]) - (rep[0][0] > rep[1][0] ? rep[0][0] : rep[1][0]);
	printf("preempt: child 1 counted %.0f, child 2 counted %.0f, windows overlapped %.2f s\n", rep[0][2], rep[1][2], overlap);
	return rep[0][2] > 0 && rep[1][2] > 0 && overlap > 0.5 ? 0 : 1;
}
