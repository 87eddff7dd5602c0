/* ttytest: the terminal's signal keys come from c_cc and ISIG. Typed on
   its controlling terminal, in order:

     Ctrl+C  with c_cc[VINTR] remapped to Ctrl+A: read as the byte 0x03
     Ctrl+A  raises SIGINT (the read fails with EINTR)
     Ctrl+C  with ISIG off and VINTR back to Ctrl+C: read as 0x03
     q       ends; the terminal's settings are restored, exit 0

   Each event is printed as it happens; anything else is a failure (exit
   1). The echo is off, so the output is the program's alone. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupts;

static void on_int(int sig) { interrupts++; }

/* next reads one byte: the byte, or -1 when a signal interrupted the
   read, or -2 at end of input or on error. */
static int next(void) {
	unsigned char c;
	ssize_t n = read(0, &c, 1);
	if (n == 1)
		return c;
	if (n < 0 && errno == EINTR)
		return -1;
	return -2;
}

static int expect(int want, const char *what) {
	int got = next();
	if (got == -1)
		printf("ttytest: SIGINT (%d so far)\n", (int)interrupts);
	else if (got >= 0)
		printf("ttytest: byte 0x%02x\n", got);
	if (got != want) {
		printf("ttytest: FAIL: wanted %s\n", what);
		return 1;
	}
	return 0;
}

int main(void) {
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_int; /* no SA_RESTART: the read returns EINTR */
	sigaction(SIGINT, &sa, NULL);

	struct termios saved, t;
	if (tcgetattr(0, &saved) < 0) {
		perror("ttytest: tcgetattr");
		return 1;
	}
	t = saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	t.c_cc[VINTR] = 1; /* Ctrl+A */
	tcsetattr(0, TCSAFLUSH, &t);
	printf("ttytest: ready: VINTR is Ctrl+A\n");
	int bad = expect(0x03, "Ctrl+C as the byte 0x03");
	bad |= expect(-1, "SIGINT from Ctrl+A");
	bad |= interrupts != 1;

	t.c_lflag &= ~ISIG;
	t.c_cc[VINTR] = 3;
	tcsetattr(0, TCSANOW, &t);
	printf("ttytest: ISIG off\n");
	bad |= expect(0x03, "Ctrl+C as the byte 0x03");
	bad |= expect('q', "q");
	tcsetattr(0, TCSANOW, &saved);
	printf("ttytest: %s, %d SIGINT\n", bad ? "FAIL" : "PASS", (int)interrupts);
	return bad;
}
