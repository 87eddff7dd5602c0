/* spin: counts forever. With -h it handles SIGINT: each Ctrl+C prints the
   counter (which keeps growing: the program's state survives the handler)
   and after two it exits 0. Without -h, Ctrl+C kills it (default action). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned long counter;
static volatile int interrupts;

static void on_int(int sig) { interrupts++; }

int main(int argc, char **argv) {
	int handle = argc > 1 && !strcmp(argv[1], "-h");
	if (handle) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_int;
		sigaction(SIGINT, &sa, NULL);
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("spin: ready (%s)\n", handle ? "handling SIGINT" : "default SIGINT");
	int seen = 0;
	unsigned long last = 0;
	for (;;) {
		counter++;
		if (interrupts != seen) {
			seen = interrupts;
			printf("spin: SIGINT #%d handled, counter %lu (was %lu at the previous one)\n", seen, counter, last);
			if (counter <= last)
				return 1;
			last = counter;
			if (seen == 2)
				return 0;
		}
	}
}
