/* many: lots of processes or threads at once. "many procs N" forks N
   CPU-bound children, each spinning until all N have started, and reaps
   them; "many threads N" runs N threads of one process the same way.
   Prints "many: N procs ok" or "many: N threads ok", exits 0.
   "many churn N": one child creates and joins N short threads, eight at
   a time, another forks and reaps N short children, and the parent lists
   /proc and reads every process's stat all the while; "many: churn ok"
   when all are done and every listing parsed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

static void *nothing(void *arg) { return arg; }

/* list reads /proc: it returns the processes listed, or -1 when an entry
   could not be read or parsed (a process may go between the listing and
   the read: ENOENT is fine). */
static int list(void) {
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		char path[64], buf[256];
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		int fd = open(path, O_RDONLY);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			closedir(d);
			return -1;
		}
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r <= 0 || atoi(buf) != pid) {
			closedir(d);
			return -1;
		}
		count++;
	}
	closedir(d);
	return count;
}

static int churn(int n) {
	pid_t threads = fork();
	if (threads == 0) {
		pthread_t t[8];
		for (int i = 0; i < n; i += 8) {
			for (int j = 0; j < 8; j++)
				if (pthread_create(&t[j], NULL, nothing, NULL))
					_exit(1);
			for (int j = 0; j < 8; j++)
				pthread_join(t[j], NULL);
		}
		_exit(0);
	}
	pid_t procs = fork();
	if (procs == 0) {
		for (int i = 0; i < n; i++) {
			pid_t c = fork();
			if (c == 0)
				_exit(0);
			if (c < 0 || waitpid(c, NULL, 0) != c)
				_exit(1);
		}
		_exit(0);
	}
	int lists = 0, bad = 0, st, left = 2, failed = 0;
	while (left > 0) {
		if (list() < 0)
			bad++;
		lists++;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			left--;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
		}
	}
	printf("many: churn %s: %d threads and %d processes came and went over %d listings of /proc (%d bad)\n",
	       bad || failed ? "FAIL" : "ok", n, n, lists, bad);
	return bad || failed;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: many procs|threads|churn N\n");
		return 2;
	}
	n = atoi(argv[2]);
	if (!strcmp(argv[1], "churn"))
		return churn(n);
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
