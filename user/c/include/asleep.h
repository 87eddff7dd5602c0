/* asleep.h: wait until a task is asleep in a system call, as /proc shows
   it (the state letter after the command in /proc/PID/task/TID/stat:
   'S'), instead of sleeping a guessed while and hoping. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* task_state returns the state letter of thread tid of process pid, or 0
   when it cannot be read. */
static inline char task_state(int pid, int tid) {
	char path[64], b[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return 0;
	b[n] = 0;
	char *p = strrchr(b, ')'); /* the command may hold spaces and ')' */
	return p && p[1] == ' ' ? p[2] : 0;
}

/* wait_asleep waits up to 10 s for thread tid of process pid to be
   asleep ('S') and reports whether it was. */
static inline int wait_asleep(int pid, int tid) {
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 10000; i++) {
		if (task_state(pid, tid) == 'S')
			return 1;
		nanosleep(&ms, 0);
	}
	return 0;
}
