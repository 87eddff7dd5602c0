/* procstatus.h: a number from /proc/self/status, on Sigil and on Linux
   booted with rdinit (where the program, as PID 1, mounts /proc itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* status_int returns the number that starts the value of key ("Threads",
   "SigQ": the figure before the slash) in /proc/self/status, or -1. */
static inline int status_int(const char *key) {
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL); /* EBUSY where mounted */
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t k = strlen(key);
	int n = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, k) && line[k] == ':')
			n = atoi(line + k + 1);
	if (f)
		fclose(f);
	return n;
}
