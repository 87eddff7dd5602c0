/* credtest: credentials as Linux keeps them: the set*id calls, groups,
   capabilities across uid changes (and SECBIT_KEEP_CAPS), capget's
   version dance, prctl's credential options, permission checks for a
   process that is not root (files, signals), /proc/PID/status, and a
   set-user-ID exec. Prints "credtest: ok" or why not. Every expectation
   here was checked on Linux 6.1 in the same QEMU. With the argument
   "ids" it prints its IDs and AT_SECURE instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "credtest"
#include "check.h"

struct caphdr { uint32_t version; int pid; };
struct capdata { uint32_t eff, prm, inh; };

static uint64_t caps(int which) { /* 0 effective, 1 permitted */
	struct caphdr h = {0x20080522, 0};
	struct capdata d[2];
	if (syscall(SYS_capget, &h, d))
		return ~0ull;
	return which ? d[0].prm | (uint64_t)d[1].prm << 32 : d[0].eff | (uint64_t)d[1].eff << 32;
}

static const uint64_t all = (1ull << 41) - 1;

static int status_line(const char *key, char *out, size_t n) {
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	char *p = strstr(buf, key);
	if (!p)
		return -1;
	char *e = strchr(p, '\n');
	snprintf(out, n, "%.*s", (int)(e - p), p);
	return 0;
}

/* as_user runs in a child that became uid 1000, gid 100. */
static void as_user(void) {
	uid_t r, e, s;
	CHECK(getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1000 && s == 1000, "ids %d %d %d", r, e, s);
	CHECK(caps(0) == 0 && caps(1) == 0, "caps after dropping root: %llx %llx", (unsigned long long)caps(0), (unsigned long long)caps(1));
	char line[128];
	CHECK(status_line("Uid:", line, sizeof line) == 0 && !strcmp(line, "Uid:\t1000\t1000\t1000\t1000"), "status %s", line);
	CHECK(status_line("Gid:", line, sizeof line) == 0 && !strcmp(line, "Gid:\t100\t100\t100\t100"), "status %s", line);
	CHECK(status_line("CapEff:", line, sizeof line) == 0 && !strcmp(line, "CapEff:\t0000000000000000"), "status %s", line);
	ERRNO(setuid(0), EPERM);
	ERRNO(setgroups(0, NULL), EPERM);
	ERRNO(open("/tmp/cred/secret", O_RDONLY), EACCES);
	ERRNO(open("/tmp/cred/new", O_CREAT | O_WRONLY, 0644), EACCES);
	ERRNO(access("/tmp/cred/secret", R_OK), EACCES);
	ERRNO(unlink("/tmp/sticky/roots"), EPERM);
	ERRNO(chmod("/tmp/sticky/roots", 0777), EPERM);
	int fd = open("/tmp/sticky/mine", O_CREAT | O_WRONLY, 0640);
	CHECK(fd >= 0, "create in sticky /tmp: %s", strerror(errno));
	struct stat st;
	CHECK(fstat(fd, &st) == 0 && st.st_uid == 1000 && st.st_gid == 100, "new file owned by %u:%u", st.st_uid, st.st_gid);
	ERRNO(fchown(fd, 0, -1), EPERM);
	ERRNO(fchown(fd, -1, 0), EPERM);
	OK(fchown(fd, -1, 100));
	close(fd);
	OK(unlink("/tmp/sticky/mine"));
	ERRNO(kill(1, 0), EPERM);
	ERRNO(kill(getppid(), SIGTERM), EPERM);
	OK(kill(getpid(), 0));
	/* A set-user-ID root program makes this user's exec root. */
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/tmp/cred/suid", "suid", "ids", NULL);
		_exit(127);
	}
	close(p[1]);
	char out[128] = {0};
	read(p[0], out, sizeof out - 1);
	close(p[0]);
	int stt;
	waitpid(pid, &stt, 0);
	CHECK(!strcmp(out, "ids 1000 0 0 100 100 100 secure 1 caps 1ffffffffff\n"), "set-user-ID exec: %s", out);
}

static void root_part(void) {
	uid_t r, e, s;
	CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0, "root ids");
	CHECK(caps(0) == all && caps(1) == all, "root caps %llx", (unsigned long long)caps(0));
	CHECK(getauxval(AT_SECURE) == 0, "AT_SECURE");
	/* Groups: sorted, sized. */
	gid_t g[4] = {30, 10, 20}, got[8];
	OK(setgroups(3, g));
	CHECK(getgroups(0, NULL) == 3, "getgroups count");
	CHECK(getgroups(8, got) == 3 && got[0] == 10 && got[1] == 20 && got[2] == 30, "groups %u %u %u", got[0], got[1], got[2]);
	ERRNO(getgroups(1, got), EINVAL);
	ERRNO(syscall(SYS_setgroups, 65537, g), EINVAL);
	OK(setgroups(0, NULL));
	/* capget: a wrong version is EINVAL and learns the right one. */
	struct caphdr h = {0x1234, 0};
	struct capdata d[2];
	ERRNO(syscall(SYS_capget, &h, d), EINVAL);
	CHECK(h.version == 0x20080522, "version written back: %#x", h.version);
	h.version = 0;
	CHECK(syscall(SYS_capget, &h, NULL) == 0 && h.version == 0x20080522, "version probe: %#x", h.version);
	ERRNO(syscall(SYS_capget, NULL, NULL), EFAULT);
	h.pid = -5;
	ERRNO(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 1;
	CHECK(syscall(SYS_capget, &h, d) == 0, "capget of init: %s", strerror(errno));
	h.pid = 0;
	CHECK(syscall(SYS_capget, &h, NULL) == 0, "capget probe");
	CHECK(prctl(PR_CAPBSET_READ, 5) == 1, "bounding CAP_KILL");
	ERRNO(prctl(PR_CAPBSET_READ, 99), EINVAL);
	CHECK(prctl(PR_GET_KEEPCAPS) == 0, "keepcaps 0");
	ERRNO(prctl(PR_SET_KEEPCAPS, 2), EINVAL);
	/* seteuid away from 0 clears the effective set; back restores it. */
	OK(seteuid(1000));
	CHECK(caps(0) == 0 && caps(1) == all, "euid 1000: eff %llx prm %llx", (unsigned long long)caps(0), (unsigned long long)caps(1));
	CHECK(geteuid() == 1000 && getuid() == 0, "seteuid ids");
	OK(seteuid(0));
	CHECK(caps(0) == all, "euid 0 again: %llx", (unsigned long long)caps(0));
	/* setfsuid returns the old fsuid; leaving 0 drops the fs caps. */
	CHECK(setfsuid(1000) == 0, "setfsuid");
	CHECK((caps(0) & 0x1f) == 0 && (caps(0) & (1 << 5)), "fsuid 1000 caps %llx", (unsigned long long)caps(0));
	CHECK(setfsuid(0) == 1000, "setfsuid back");
	CHECK(caps(0) == all, "fsuid 0 caps");
	/* Files the user part tries. */
	mkdir("/tmp", 01777);
	mkdir("/tmp/cred", 0755);
	int fd = open("/tmp/cred/secret", O_CREAT | O_WRONLY, 0600);
	close(fd);
	mkdir("/tmp/sticky", 01777);
	chmod("/tmp/sticky", 01777);
	fd = open("/tmp/sticky/roots", O_CREAT | O_WRONLY, 0666);
	close(fchmod(fd, 0666) == 0 ? fd : fd);
	/* A set-user-ID copy of this program. */
	int in = open("/proc/self/exe", O_RDONLY), out = open("/tmp/cred/suid", O_CREAT | O_WRONLY | O_TRUNC, 0755);
	static char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, n);
	close(in), close(out);
	OK(chmod("/tmp/cred/suid", 04755));
	/* KEEPCAPS keeps the permitted set across dropping root. */
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_KEEPCAPS, 1) || setresuid(1000, 1000, 1000))
			_exit(1);
		_exit(caps(1) == all && caps(0) == 0 && prctl(PR_GET_KEEPCAPS) == 1 ? 0 : 2);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "keepcaps child: %#x", st);
	/* no_new_privs. */
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0) != -1 || errno != EINVAL)
			_exit(1);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "no_new_privs child: %#x", st);
	/* The user part. */
	pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(100, 100, 100) || setresuid(1000, 1000, 1000))
			_exit(3);
		as_user();
		_exit(failed);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "user child: %#x", st);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "ids")) {
		uid_t r, e, s;
		gid_t gr, ge, gs;
		getresuid(&r, &e, &s);
		getresgid(&gr, &ge, &gs);
		printf("ids %d %d %d %d %d %d secure %lu caps %llx\n", r, e, s, gr, ge, gs, getauxval(AT_SECURE),
		       (unsigned long long)caps(0));
		return 0;
	}
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	root_part();
	if (!failed)
		printf("credtest: ok\n");
	return failed;
}
