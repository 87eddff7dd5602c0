/* klogtest: the kernel log as Linux 6.1 gives it: syslog(2)'s actions,
   errors and text format, /dev/kmsg's records, seeks, poll, prefixes,
   escaping, rate limit and lost records, and who may read. Prints a PASS
   or FAIL line per case and "klogtest: ok" at the end, or exits 1. Every
   expectation here was checked on Linux 6.1 in the same QEMU (booted with
   quiet: console_loglevel 4). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int failed, casefail;
#define FAIL(...) do { printf("klogtest: FAIL line %d: ", __LINE__); printf(__VA_ARGS__); printf("\n"); casefail = 1; return; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)
#define OK(call) do { errno = 0; long r_ = (long)(call); CHECK(r_ >= 0, "%s = %ld: %s", #call, r_, strerror(errno)); } while (0)
#define ERRNO(call, e) do { errno = 0; long r_ = (long)(call); CHECK(r_ == -1 && errno == (e), \
	"%s = %ld errno %d (%s), want %s", #call, r_, errno, strerror(errno), #e); } while (0)

static char big[1 << 18];

static int kmsg(int flags) { return open("/dev/kmsg", flags | O_CLOEXEC); }

static void kwrite(const char *s) {
	int fd = kmsg(O_WRONLY);
	if (fd >= 0) {
		write(fd, s, strlen(s));
		close(fd);
	}
}

/* next reads one /dev/kmsg record into buf (terminated); its sequence
   number in *seq. */
static long next(int fd, char *buf, size_t n, unsigned long long *seq) {
	long r = read(fd, buf, n - 1);
	if (r >= 0) {
		buf[r] = 0;
		if (seq)
			sscanf(buf, "%*u,%llu,", seq);
	}
	return r;
}

static void test_syslog_errors(void) {
	char b[64];
	CHECK(klogctl(10, 0, 0) == 131072, "SIZE_BUFFER = %d", klogctl(10, 0, 0));
	ERRNO(klogctl(99, 0, 0), EINVAL);
	ERRNO(klogctl(-1, 0, 0), EINVAL);
	ERRNO(klogctl(3, 0, 10), EINVAL);
	ERRNO(klogctl(2, 0, 10), EINVAL);
	ERRNO(klogctl(3, b, -1), EINVAL);
	CHECK(klogctl(3, b, 0) == 0, "READ_ALL len 0");
	CHECK(klogctl(4, b, 0) == 0, "READ_CLEAR len 0");
	ERRNO(klogctl(3, (char *)8, 64), EFAULT);
	ERRNO(klogctl(3, (char *)0xffff800000000000ul, 64), EFAULT);
	ERRNO(klogctl(8, 0, 0), EINVAL);
	ERRNO(klogctl(8, 0, 9), EINVAL);
	CHECK(klogctl(0, 0, 0) == 0 && klogctl(1, 0, 0) == 0, "CLOSE/OPEN");
	CHECK(klogctl(6, 0, 0) == 0 && klogctl(7, 0, 0) == 0, "CONSOLE_OFF/ON");
	CHECK(klogctl(8, 0, 4) == 0, "CONSOLE_LEVEL 4");
}

static void test_syslog_format(void) {
	kwrite("<5>klogtest: format check\n");
	int n = klogctl(3, big, sizeof big);
	CHECK(n > 0, "READ_ALL = %d", n);
	big[n] = 0;
	char *p = strstr(big, "klogtest: format check\n");
	CHECK(p, "READ_ALL lacks the line");
	char *l = p;
	while (l > big && l[-1] != '\n')
		l--;
	unsigned pri, s, us;
	int len = 0;
	CHECK(sscanf(l, "<%u>[%5u.%6u] %n", &pri, &s, &us, &len) == 3 && len > 0 && l + len == p,
		"line %.60s", l);
	CHECK(pri == 13, "pri %u", pri);
	CHECK(l[4] == '[' && l[10] == '.' && l[17] == ']', "width: %.20s", l);
	/* a small READ_ALL gives the newest whole records */
	n = klogctl(3, big, 200);
	CHECK(n > 0 && n <= 200, "READ_ALL 200 = %d", n);
	big[n] = 0;
	CHECK(big[0] == '<' && big[n - 1] == '\n' && strstr(big, "format check"), "READ_ALL 200: %s", big);
}

static void test_clear(void) {
	kwrite("<6>klogtest: before clear\n");
	int n = klogctl(4, big, sizeof big);
	CHECK(n > 0, "READ_CLEAR %d", n);
	big[n] = 0;
	CHECK(strstr(big, "before clear"), "READ_CLEAR lacks the line");
	n = klogctl(3, big, sizeof big);
	big[n > 0 ? n : 0] = 0;
	CHECK(!strstr(big, "before clear"), "cleared line still read: %s", big);
	kwrite("<6>klogtest: after clear\n");
	n = klogctl(3, big, sizeof big);
	big[n > 0 ? n : 0] = 0;
	CHECK(strstr(big, "after clear"), "READ_ALL after clear: %s", big);
	/* SEEK_DATA: the first record after the clear */
	int fd = kmsg(O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK(lseek(fd, 0, SEEK_DATA) == 0, "SEEK_DATA");
	char b[2048];
	long r;
	int seen = 0;
	while ((r = next(fd, b, sizeof b, 0)) > 0) {
		CHECK(!strstr(b, "before clear"), "SEEK_DATA read %s", b);
		seen |= strstr(b, "after clear") != 0;
	}
	CHECK(seen, "SEEK_DATA missed the line");
	klogctl(5, 0, 0);
	n = klogctl(3, big, sizeof big);
	CHECK(n == 0, "READ_ALL after CLEAR = %d", n);
	close(fd);
}

static void test_kmsg(void) {
	char b[2048];
	unsigned long long s1 = 0, s2 = 0, s0;
	int fd = kmsg(O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0, "open: %s", strerror(errno));
	CHECK(next(fd, b, sizeof b, &s0) > 0, "first record");
	CHECK(lseek(fd, 0, SEEK_END) == 0, "SEEK_END");
	ERRNO(read(fd, b, sizeof b), EAGAIN);
	struct pollfd pf = {fd, POLLIN, 0};
	CHECK(poll(&pf, 1, 0) == 0, "poll with nothing: %#x", pf.revents);
	int w = kmsg(O_WRONLY);
	CHECK(w >= 0, "open O_WRONLY: %s", strerror(errno));
	CHECK(write(w, "klogtest: hello\n", 16) == 16, "write");
	CHECK(write(w, "<3>klogtest: err", 16) == 16, "write <3>");
	CHECK(write(w, "<27>klogtest: daemon", 20) == 20, "write <27>");
	CHECK(write(w, "<x>klogtest: a\\b\001c", 18) == 18, "write escapes");
	CHECK(write(w, "klogtest: two\nlines\n", 20) == 20, "write two lines");
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "poll: %#x", pf.revents);
	CHECK(next(fd, b, sizeof b, &s1) > 0, "read: %s", strerror(errno));
	CHECK(!strncmp(b, "12,", 3) && strstr(b, ",-;klogtest: hello\n"), "record %s", b);
	CHECK(next(fd, b, sizeof b, &s2) > 0 && s2 == s1 + 1, "seq %llu then %llu", s1, s2);
	CHECK(!strncmp(b, "11,", 3) && strstr(b, ";klogtest: err\n"), "record %s", b);
	CHECK(next(fd, b, sizeof b, 0) > 0 && !strncmp(b, "27,", 3) && strstr(b, ";klogtest: daemon\n"), "record %s", b);
	CHECK(next(fd, b, sizeof b, 0) > 0 && !strncmp(b, "12,", 3) && strstr(b, ";<x>klogtest: a\\x5cb\\x01c\n"), "record %s", b);
	CHECK(next(fd, b, sizeof b, 0) > 0 && strstr(b, ";klogtest: two\\x0alines\n"), "record %s", b);
	unsigned long long ts;
	CHECK(sscanf(b, "%*u,%*u,%llu,", &ts) == 1 && ts > 0, "timestamp %s", b);
	ERRNO(read(fd, b, sizeof b), EAGAIN);
	/* a buffer too small for the record */
	/* (a line without a newline is read only once another record
	   follows on Linux: it could still be continued) */
	CHECK(write(w, "klogtest: small\n", 16) == 16, "write");
	ERRNO(read(fd, b, 8), EINVAL);
	ERRNO(read(fd, b, sizeof b), EAGAIN); /* the record was consumed */
	/* seeks */
	ERRNO(lseek(fd, 1, SEEK_SET), ESPIPE);
	ERRNO(lseek(fd, 0, SEEK_CUR), EINVAL);
	CHECK(lseek(fd, 0, SEEK_SET) == 0, "SEEK_SET");
	CHECK(next(fd, b, sizeof b, &s1) > 0 && s1 == s0, "SEEK_SET gives seq %llu, first %llu", s1, s0);
	/* too long */
	memset(b, 'a', sizeof b);
	ERRNO(write(w, b, 993), EINVAL);
	CHECK(write(w, b, 992) == 992, "write 992");
	close(w);
	close(fd);
}

static void test_ratelimit(void) {
	char line[64];
	klogctl(5, 0, 0);
	int w = kmsg(O_WRONLY);
	CHECK(w >= 0, "open");
	for (int i = 0; i < 15; i++) {
		int n = snprintf(line, sizeof line, "<6>klogtest: rl %d", i);
		CHECK(write(w, line, n) == n, "write %d", i);
	}
	close(w);
	int n = klogctl(3, big, sizeof big);
	CHECK(n > 0, "READ_ALL");
	big[n] = 0;
	int count = 0;
	for (char *p = big; (p = strstr(p, "klogtest: rl ")); p++)
		count++;
	CHECK(count == 10, "%d lines logged, want 10", count);
	CHECK(strstr(big, "<4>[") && strstr(big, "] printk: klogtest: 5 output lines suppressed due to ratelimiting\n"),
		"no suppressed line: %s", big);
}

static void test_lost(void) {
	char b[2048];
	int fd = kmsg(O_RDONLY | O_NONBLOCK);
	CHECK(fd >= 0, "open");
	memset(b, 'x', 900);
	memcpy(b, "<7>klogtest: fill ", 18);
	for (int i = 0; i < 20; i++) {
		int w = kmsg(O_WRONLY);
		for (int j = 0; j < 10; j++)
			write(w, b, 900);
		write(w, "\n", 1); /* ends the last record (see above) */
		close(w);
	}
	struct pollfd pf = {fd, POLLIN | POLLRDNORM | POLLPRI, 0};
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == (POLLIN | POLLRDNORM | POLLERR | POLLPRI), "poll: %#x", pf.revents);
	ERRNO(read(fd, b, sizeof b), EPIPE);
	CHECK(read(fd, b, sizeof b) > 0, "read after EPIPE: %s", strerror(errno));
	close(fd);
}

static void test_syslog_read(void) {
	char b[64];
	kwrite("<6>klogtest: unread line\n");
	int n1 = klogctl(9, 0, 0);
	CHECK(n1 > 10, "SIZE_UNREAD %d", n1);
	CHECK(klogctl(2, b, 10) == 10, "READ 10");
	int n2 = klogctl(9, 0, 0);
	CHECK(n2 == n1 - 10, "SIZE_UNREAD %d after %d", n2, n1);
	while (klogctl(9, 0, 0) > 0)
		if (klogctl(2, big, sizeof big) <= 0)
			FAIL("READ: %s", strerror(errno));
	kwrite("<6>klogtest: new line\n");
	int n = klogctl(2, big, sizeof big);
	CHECK(n > 0, "READ %d", n);
	big[n] = 0;
	CHECK(big[0] == '<' && strstr(big, "] klogtest: new line\n"), "READ: %s", big);
}

static void onalarm(int s) { (void)s; }

static void test_blocking(void) {
	struct sigaction sa = {.sa_handler = onalarm};
	sigaction(SIGALRM, &sa, 0);
	/* READ waits for a record; a signal ends the wait with EINTR (the
	   kernel's own lines, such as Linux's TSC refinement, may end it
	   first: then wait again) */
	int n = 0;
	for (int try = 0; try < 5; try++) {
		while (klogctl(9, 0, 0) > 0)
			klogctl(2, big, sizeof big);
		alarm(1);
		errno = 0;
		n = klogctl(2, big, sizeof big);
		alarm(0);
		if (n < 0)
			break;
	}
	CHECK(n == -1 && errno == EINTR, "blocking READ = %d errno %d", n, errno);
	int fd = kmsg(O_RDONLY);
	CHECK(fd >= 0, "open");
	lseek(fd, 0, SEEK_END);
	alarm(1);
	ERRNO(read(fd, big, 4096), EINTR);
	/* a record written meanwhile ends the wait */
	if (fork() == 0) {
		usleep(200000);
		kwrite("<6>klogtest: wake\n");
		_exit(0);
	}
	long r = read(fd, big, 4096);
	CHECK(r > 0 && strstr(big, "klogtest: wake"), "read %ld", r);
	wait(0);
	close(fd);
}

static void test_unprivileged(void) {
	pid_t p = fork();
	if (p == 0) {
		if (setuid(1000))
			_exit(2);
		if (klogctl(3, big, 100) != -1 || errno != EPERM)
			_exit(3);
		if (klogctl(10, 0, 0) != -1 || errno != EPERM)
			_exit(4);
		if (klogctl(99, 0, 0) != -1 || errno != EPERM)
			_exit(5);
		if (klogctl(0, 0, 0) != -1 || errno != EPERM)
			_exit(6);
		if (kmsg(O_RDONLY) != -1 || errno != EPERM)
			_exit(7);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

#define RUN(f) do { casefail = 0; f(); printf("klogtest: %s %s\n", casefail ? "FAIL" : "PASS", #f); failed |= casefail; } while (0)

int main(void) {
	mkdir("/dev", 0755);
	mkdir("/proc", 0555);
	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	mount("proc", "/proc", "proc", 0, 0);
	mknod("/dev/kmsg", S_IFCHR | 0644, makedev(1, 11));
	setvbuf(stdout, 0, _IONBF, 0);
	RUN(test_syslog_errors);
	RUN(test_syslog_format);
	RUN(test_clear);
	RUN(test_kmsg);
	RUN(test_ratelimit);
	RUN(test_lost);
	RUN(test_syslog_read);
	RUN(test_blocking);
	RUN(test_unprivileged);
	printf("klogtest: %s\n", failed ? "FAILED" : "ok");
	return failed;
}
