/* hello: a static musl C program that exits with the code it chooses
   (argv[1], default 7), so the exit status is visible end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
	int code = argc > 1 ? atoi(argv[1]) : 7;
	printf("hello from musl: pid %d, exiting with %d\n", getpid(), code);
	return code;
}
