/* linuxtty.h: a terminal for a test program that is PID 1 on Linux.

   Linux starts rdinit= without a controlling terminal; Sigil makes the
   console init's. linux_tty makes the first virtual console the
   controlling terminal and standard input there, so that Ctrl+C on the
   PS/2 keyboard raises SIGINT, and does nothing where init already has a
   terminal. who prefixes its error message. */
#ifndef SIGIL_LINUXTTY_H
#define SIGIL_LINUXTTY_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void linux_tty(const char *who) {
	int fd = open("/dev/tty", O_RDWR);
	if (fd >= 0) {
		close(fd);
		return;
	}
	setsid();
	mknod("/dev/tty1", S_IFCHR | 0600, makedev(4, 1));
	fd = open("/dev/tty1", O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, 0) < 0) {
		fprintf(stderr, "%s: /dev/tty1: ", who);
		perror("");
	}
}

#endif
