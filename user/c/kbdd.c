/* kbdd: a PS/2 keyboard driver that is an ordinary process. Booted with
   kbd=user, the kernel's i8042 driver yields IRQ 1; kbdd claims it by
   opening /dev/irq/1, reads the controller's ports 0x60 and 0x64 with
   ioperm, decodes scan code set 1 (the i8042 translates) and types each
   key into the console with TIOCSTI, so the terminal's line discipline
   sees it as the kernel driver's keys: Ctrl+C is still SIGINT for the
   foreground job.

     kbdd        each interrupt arrives as a queued real-time signal
                 (F_SETOWN, F_SETSIG SIGRTMIN, O_ASYNC) while the main
                 loop sits in a blocking read of a pipe no one writes
                 (SA_RESTART resumes it); SIGIO if the queue is full.
     kbdd -r     the main loop reads the IRQ file instead: each read
                 returns the interrupt count and blocks for the next.

   Each interrupt is acknowledged by writing 1 to the IRQ file (which
   unmasks a level-triggered line; the i8042's is edge-triggered). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum { DATA = 0x60, STATUS = 0x64, OUT_FULL = 1, AUX = 0x20 };

static int irqfd, ttyfd;
static volatile sig_atomic_t rtsigs, sigios, badinfo;

/* Scan code set 1, as ps2/decoder.go: the byte each key types. */
static const char normal[] = "\0\0331234567890-=\177\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[] = "\0\033!@#$%^&*()_+\177\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
static int lshift, rshift, ctrl, caps, extended;

static void type(char c) {
	if (ioctl(ttyfd, TIOCSTI, &c) < 0)
		dprintf(2, "kbdd: TIOCSTI: %s\n", strerror(errno));
}

static void feed(unsigned char b) {
	if (b == 0xe0) {
		extended = 1;
		return;
	}
	int ext = extended, code = b & 0x7f, pressed = !(b & 0x80);
	extended = 0;
	if (ext && (code == 0x2a || code == 0x36))
		return; /* fake shifts */
	switch (code) {
	case 0x2a: lshift = pressed; return;
	case 0x36: rshift = pressed; return;
	case 0x1d: ctrl = pressed; return;
	case 0x38: return; /* alt */
	case 0x3a: if (pressed) caps = !caps; return;
	}
	if (!pressed || code >= (int)sizeof normal - 1)
		return;
	if (ext && code == 0x1c) {
		type('\r');
		return;
	}
	char c = normal[code];
	int shift = lshift || rshift;
	if (c >= 'a' && c <= 'z' && caps)
		shift = !shift;
	if (shift)
		c = shifted[code];
	if (!c)
		return;
	if (ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c &= 0x1f;
	else if (ctrl && (c == '\\' || c == '|'))
		c = 0x1c;
	type(c);
}

/* service empties the controller's output buffer and acknowledges the
   interrupt. */
static void service(void) {
	unsigned char st;
	while ((st = inb(STATUS)) & OUT_FULL) {
		unsigned char b = inb(DATA);
		if (!(st & AUX))
			feed(b);
	}
	int32_t one = 1;
	if (write(irqfd, &one, sizeof one) != sizeof one)
		dprintf(2, "kbdd: unmask: %s\n", strerror(errno));
}

static void on_rt(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	if (si->si_fd != irqfd || si->si_code != POLL_IN || !(si->si_band & POLLIN))
		badinfo++;
	rtsigs++;
	service();
}

static void on_sigio(int sig) {
	(void)sig;
	sigios++;
	service();
}

int main(int argc, char **argv) {
	int readloop = argc > 1 && !strcmp(argv[1], "-r");
	if (ioperm(DATA, STATUS - DATA + 1, 1) < 0) {
		printf("kbdd: ioperm: %s\n", strerror(errno));
		return 1;
	}
	irqfd = open("/dev/irq/1", O_RDWR | O_CLOEXEC);
	if (irqfd < 0) {
		printf("kbdd: /dev/irq/1: %s\n", strerror(errno));
		return 1;
	}
	ttyfd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (ttyfd < 0) {
		printf("kbdd: /dev/console: %s\n", strerror(errno));
		return 1;
	}
	if (readloop) {
		printf("kbdd: IRQ 1 claimed, reading /dev/irq/1\n");
		fflush(stdout);
		for (;;) {
			uint32_t n;
			if (read(irqfd, &n, sizeof n) != sizeof n) {
				printf("kbdd: read: %s\n", strerror(errno));
				return 1;
			}
			service();
		}
	}
	struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigaction(SIGRTMIN, &sa, 0);
	struct sigaction sio = {.sa_handler = on_sigio, .sa_flags = SA_RESTART};
	sigaction(SIGIO, &sio, 0);
	if (fcntl(irqfd, F_SETOWN, getpid()) < 0 || fcntl(irqfd, F_SETSIG, SIGRTMIN) < 0 ||
	    fcntl(irqfd, F_SETFL, O_ASYNC) < 0) {
		printf("kbdd: fcntl: %s\n", strerror(errno));
		return 1;
	}
	int p[2];
	if (pipe(p) < 0)
		return 1;
	printf("kbdd: IRQ 1 claimed, signals SIGRTMIN\n");
	fflush(stdout);
	char c;
	ssize_t r = read(p[0], &c, 1); /* the closed receive: only signals come */
	printf("kbdd: read returned %zd (%s)\n", r, strerror(errno));
	return 1;
}
