/* nstest: namespaces as Linux 6.1 has them: user namespaces (unshare
   and clone, IDs before and after uid_map and gid_map, the map writing
   rules and errors, setgroups allow/deny, capabilities in the new
   namespace, nesting), mount namespaces (a mount in one is not seen in
   the other; propagation flags accepted; mount from a user namespace),
   UTS namespaces (hostname per namespace, who may set it), time
   namespaces (unshare and clone3, timens_offsets, clock offsets), the
   /proc/PID/ns links, and the flag rules clone, clone3 and unshare
   share. Each case runs in a child of its own. Prints "nstest: ok" or
   why not. Every expectation was checked on Linux 6.1 in the same QEMU;
   "nstest NAME" runs one case. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define TEST_NAME "nstest"
#include "check.h"

/* writes s to path; returns 0 or -1 with errno. */
static int put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t r = write(fd, s, strlen(s));
	int e = errno;
	close(fd);
	errno = e;
	return r == (ssize_t)strlen(s) ? 0 : -1;
}

static int get(const char *path, char *buf, size_t n) {
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return 0;
}

static uint64_t effcaps(void) {
	struct { uint32_t v; int pid; } h = {0x20080522, 0};
	struct { uint32_t eff, prm, inh; } d[2];
	if (syscall(SYS_capget, &h, d))
		return 0;
	return d[0].eff | (uint64_t)d[1].eff << 32;
}

static const uint64_t all = (1ull << 41) - 1;

/* runs f in a child and folds its result into failed. */
static void run(const char *name, void (*f)(void)) {
	pid_t pid = fork();
	if (pid == 0) {
		failed = 0;
		f();
		_exit(failed);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("nstest: case %s failed (status %#x)\n", name, st);
		failed = 1;
	}
}

static void userns_self(void) {
	char buf[256];
	OK(unshare(CLONE_NEWUSER));
	CHECK(getuid() == 65534 && geteuid() == 65534 && getgid() == 65534, "ids %d %d %d", getuid(), geteuid(), getgid());
	CHECK(effcaps() == all, "caps %llx", (unsigned long long)effcaps());
	struct stat st;
	OK(stat("/", &st));
	CHECK(st.st_uid == 65534 && st.st_gid == 65534, "stat / owner %d %d", st.st_uid, st.st_gid);
	OK(get("/proc/self/uid_map", buf, sizeof buf));
	CHECK(buf[0] == 0, "uid_map before %s", buf);
	OK(get("/proc/self/setgroups", buf, sizeof buf));
	CHECK(!strcmp(buf, "allow\n"), "setgroups %s", buf);
	ERRNO(setuid(0), EINVAL);
	ERRNO(setgroups(0, NULL), EPERM);
	OK(put("/proc/self/uid_map", "0 0 1"));
	CHECK(getuid() == 0 && geteuid() == 0, "uid after map %d", getuid());
	OK(get("/proc/self/uid_map", buf, sizeof buf));
	CHECK(!strcmp(buf, "         0          0          1\n"), "uid_map reads %s", buf);
	ERRNO(put("/proc/self/uid_map", "0 0 1"), EPERM);
	/* gid: one's own gid only once setgroups is denied */
	ERRNO(put("/proc/self/gid_map", "0 0 1"), EPERM);
	ERRNO(put("/proc/self/setgroups", "maybe"), EINVAL);
	OK(put("/proc/self/setgroups", "deny"));
	ERRNO(put("/proc/self/setgroups", "allow"), EPERM);
	OK(put("/proc/self/setgroups", "deny\n"));
	OK(put("/proc/self/gid_map", "0 0 1\n"));
	CHECK(getgid() == 0, "gid after map %d", getgid());
	ERRNO(put("/proc/self/setgroups", "deny"), EPERM);
	ERRNO(setgroups(0, NULL), EPERM);
	OK(setuid(0));
	OK(setresgid(0, 0, 0));
	ERRNO(setresuid(5, -1, -1), EINVAL);
	CHECK(effcaps() == all, "caps after setuid(0) %llx", (unsigned long long)effcaps());
}

/* the parent side: a child in a new user namespace waits while the
   parent writes its maps. */
static void userns_parent(void) {
	int go[2], done[2];
	char path[64], buf[256];
	pipe(go);
	pipe(done);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (unshare(CLONE_NEWUSER))
			_exit(1);
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		/* maps written: 0..9 are host 0..9, 10..19 host 1000..1009 */
		_exit(getuid() == 0 && getgid() == 0 && setgroups(0, NULL) == 0 && setuid(12) == 0 && geteuid() == 12 ? 0 : 2);
	}
	char c;
	read(done[0], &c, 1);
	snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
	ERRNO(put(path, "0 0"), EINVAL);
	ERRNO(put(path, "0 0 0"), EINVAL);
	ERRNO(put(path, "4294967295 0 1"), EINVAL);
	ERRNO(put(path, "0 4294967295 1"), EINVAL);
	ERRNO(put(path, "4294967290 0 10"), EINVAL);
	ERRNO(put(path, "0 0 10\n5 100 10"), EINVAL);
	ERRNO(put(path, "0 0 10\n20 5 10"), EINVAL);
	ERRNO(put(path, "0 0 1 x"), EINVAL);
	ERRNO(put(path, "0 0 1\n\n"), EINVAL);
	ERRNO(put(path, "-1 0 1"), EINVAL);
	ERRNO(put(path, "0x1 0 1"), EINVAL);
	int fd = open(path, O_WRONLY);
	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	ERRNO(pwrite(fd, "0 0 1", 5, 0), ESPIPE);
	ERRNO(write(fd, (void *)8, 5), EFAULT);
	close(fd);
	OK(put(path, "  0   0  10 \n10 1000 10\n"));
	OK(get(path, buf, sizeof buf));
	CHECK(!strcmp(buf, "         0          0         10\n        10       1000         10\n"), "uid_map reads %s", buf);
	ERRNO(put(path, "0 0 1"), EPERM);
	snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
	OK(put(path, "0 0 10\n10 1000 10"));
	write(go[1], "x", 1);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child in namespace: status %#x", st);
	/* the initial namespace's maps */
	OK(get("/proc/self/uid_map", buf, sizeof buf));
	CHECK(!strcmp(buf, "         0          0 4294967295\n"), "initial uid_map %s", buf);
	ERRNO(put("/proc/self/uid_map", "0 0 1"), EPERM);
	ERRNO(put("/proc/1/gid_map", "0 0 1"), EPERM);
}

/* a user who is not root makes a namespace and maps itself */
static void userns_unprivileged(void) {
	char buf[64];
	OK(setgroups(0, NULL));
	OK(setresgid(1000, 1000, 1000));
	OK(setresuid(1000, 1000, 1000));
	ERRNO(unshare(CLONE_NEWUTS), EPERM);
	OK(unshare(CLONE_NEWUSER));
	CHECK(effcaps() == all, "caps %llx", (unsigned long long)effcaps());
	/* the uid change made it undumpable: its /proc files are root's */
	ERRNO(put("/proc/self/uid_map", "0 1000 1"), EACCES);
	OK(prctl(PR_SET_DUMPABLE, 1));
	ERRNO(put("/proc/self/uid_map", "0 0 1"), EPERM);
	ERRNO(put("/proc/self/uid_map", "0 1000 2"), EPERM);
	OK(put("/proc/self/uid_map", "0 1000 1"));
	ERRNO(put("/proc/self/gid_map", "0 1000 1"), EPERM);
	OK(put("/proc/self/setgroups", "deny"));
	OK(put("/proc/self/gid_map", "0 1000 1"));
	CHECK(getuid() == 0 && getgid() == 0, "ids %d %d", getuid(), getgid());
	/* its namespace owns no mount namespace yet */
	ERRNO(mount("none", "/tmp", "tmpfs", 0, NULL), EPERM);
	ERRNO(sethostname("x", 1), EPERM);
	OK(unshare(CLONE_NEWUTS | CLONE_NEWNS));
	OK(sethostname("inner", 5));
	struct utsname u;
	uname(&u);
	CHECK(!strcmp(u.nodename, "inner"), "nodename %s", u.nodename);
	OK(get("/proc/self/setgroups", buf, sizeof buf));
	CHECK(!strcmp(buf, "deny\n"), "setgroups %s", buf);
	/* a namespace below inherits deny */
	OK(unshare(CLONE_NEWUSER));
	OK(get("/proc/self/setgroups", buf, sizeof buf));
	CHECK(!strcmp(buf, "deny\n"), "nested setgroups %s", buf);
}

static void userns_nesting(void) {
	int n = 0;
	while (n < 100 && unshare(CLONE_NEWUSER) == 0) {
		n++;
		if (put("/proc/self/uid_map", "0 0 1") || put("/proc/self/setgroups", "deny") || put("/proc/self/gid_map", "0 0 1"))
			FAIL("maps at level %d: %s", n, strerror(errno));
	}
	CHECK(n == 33 && errno == ENOSPC, "%d namespaces deep, then %s", n, strerror(errno));
}

/* the creator needs a mapping in its namespace: unmapped, it makes none */
static void userns_unmapped(void) {
	OK(unshare(CLONE_NEWUSER));
	ERRNO(unshare(CLONE_NEWUSER), EPERM);
}

static void *sleeper(void *a) {
	pause();
	return a;
}

static void unshare_flags(void) {
	pthread_t th;
	ERRNO(unshare(0x1), EINVAL);
	ERRNO(unshare(CLONE_PARENT), EINVAL);
	pthread_create(&th, NULL, sleeper, NULL);
	ERRNO(unshare(CLONE_NEWUSER), EINVAL);
	OK(unshare(CLONE_NEWNS)); /* a thread's own file-system context */
	ERRNO(unshare(CLONE_VM), EINVAL);
	OK(unshare(CLONE_NEWUTS));
	OK(unshare(CLONE_NEWTIME));
}

static void clone_flags(void) {
	ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EINVAL);
	ERRNO(syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EINVAL);
	ERRNO(syscall(SYS_clone, CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, 0, 0, 0, 0), EINVAL);
	ERRNO(syscall(SYS_clone, CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0), EINVAL);
	/* clone(CLONE_NEWUSER): the child is in a namespace of its own */
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(getuid() == 65534 && effcaps() == all ? 0 : 1);
	CHECK(pid > 0, "clone(CLONE_NEWUSER): %s", strerror(errno));
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone(CLONE_NEWUSER) child status %#x", st);
	/* not root: no new namespace but a user one */
	OK(setresuid(1000, 1000, 1000));
	ERRNO(syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0), EPERM);
	ERRNO(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0), EPERM);
	pid = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWCGROUP | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(sethostname("c", 1) == 0 ? 0 : 1);
	CHECK(pid > 0, "clone(NEWUSER|NEWUTS|...): %s", strerror(errno));
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

static int nslink(const char *kind, char *buf, size_t n) {
	char path[64];
	snprintf(path, sizeof path, "/proc/self/ns/%s", kind);
	ssize_t r = readlink(path, buf, n - 1);
	if (r < 0)
		return -1;
	buf[r] = 0;
	return 0;
}

static void ns_links(void) {
	static const char *want[][2] = {
		{"user", "user:[4026531837]"}, {"uts", "uts:[4026531838]"}, {"ipc", "ipc:[4026531839]"},
		{"pid", "pid:[4026531836]"}, {"cgroup", "cgroup:[4026531835]"}, {"time", "time:[4026531834]"},
		{"pid_for_children", "pid:[4026531836]"}, {"time_for_children", "time:[4026531834]"},
	};
	char buf[64], buf2[64];
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		OK(nslink(want[i][0], buf, sizeof buf));
		CHECK(!strcmp(buf, want[i][1]), "ns/%s is %s, want %s", want[i][0], buf, want[i][1]);
	}
	OK(nslink("mnt", buf, sizeof buf));
	CHECK(!strncmp(buf, "mnt:[", 5), "ns/mnt is %s", buf);
	OK(nslink("net", buf, sizeof buf));
	CHECK(!strncmp(buf, "net:[", 5), "ns/net is %s", buf);
	struct stat st;
	OK(stat("/proc/self/ns/uts", &st));
	CHECK(st.st_ino == 4026531838u && S_ISREG(st.st_mode), "stat ns/uts: ino %lu mode %o", (unsigned long)st.st_ino, st.st_mode);
	const char *kinds[] = {"uts", "ipc", "mnt", "cgroup"};
	char before[4][64];
	for (int i = 0; i < 4; i++)
		OK(nslink(kinds[i], before[i], sizeof before[i]));
	OK(unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWCGROUP));
	for (int i = 0; i < 4; i++) {
		char prefix[16];
		snprintf(prefix, sizeof prefix, "%s:[", kinds[i]);
		OK(nslink(kinds[i], buf2, sizeof buf2));
		CHECK(!strncmp(buf2, prefix, strlen(prefix)) && strcmp(buf2, before[i]), "ns/%s after unshare: %s (was %s)", kinds[i], buf2, before[i]);
	}
}

static void uts(void) {
	struct utsname u, v;
	uname(&u);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUTS) || sethostname("elsewhere", 9) || setdomainname("dom", 3))
			_exit(1);
		uname(&v);
		_exit(strcmp(v.nodename, "elsewhere") || strcmp(v.domainname, "dom") ? 2 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	uname(&v);
	CHECK(!strcmp(u.nodename, v.nodename), "hostname changed: %s", v.nodename);
	/* a new UTS namespace starts with its parent's names */
	OK(sethostname("outer", 5));
	OK(unshare(CLONE_NEWUTS));
	uname(&v);
	CHECK(!strcmp(v.nodename, "outer"), "copied hostname %s", v.nodename);
}

static void mnt(void) {
	char buf[4096];
	mkdir("/tmp", 01777);
	mkdir("/tmp/nsmnt", 0755);
	int go[2], done[2];
	pipe(go);
	pipe(done);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount(NULL, "/", NULL, MS_SLAVE, NULL) || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) ||
		    mount("nsfs-test", "/tmp/nsmnt", "tmpfs", 0, NULL))
			_exit(1);
		int fd = open("/tmp/nsmnt/inside", O_CREAT | O_WRONLY, 0644);
		close(fd);
		if (get("/proc/self/mounts", buf, sizeof buf) || !strstr(buf, "nsfs-test /tmp/nsmnt tmpfs"))
			_exit(2);
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	char c;
	CHECK(read(done[0], &c, 1) == 1, "child failed");
	struct stat st;
	ERRNO(stat("/tmp/nsmnt/inside", &st), ENOENT);
	OK(get("/proc/self/mounts", buf, sizeof buf));
	CHECK(!strstr(buf, "nsfs-test"), "the other namespace's mount is seen:\n%s", buf);
	OK(rmdir("/tmp/nsmnt")); /* not a mount point here */
	write(go[1], "x", 1);
	int s;
	waitpid(pid, &s, 0);
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0, "child status %#x", s);
	/* a mount after unshare in this process; umount too */
	mkdir("/tmp/nsmnt2", 0755);
	OK(unshare(CLONE_NEWNS));
	OK(mount("none", "/tmp/nsmnt2", "tmpfs", 0, NULL));
	ERRNO(rmdir("/tmp/nsmnt2"), EBUSY);
	OK(umount("/tmp/nsmnt2"));
	OK(rmdir("/tmp/nsmnt2"));
	ERRNO(mount(NULL, "/nonexistent", NULL, MS_PRIVATE, NULL), ENOENT);
}

static int64_t mono(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void timens(void) {
	char a[64], b[64], buf[256];
	OK(unshare(CLONE_NEWTIME));
	OK(nslink("time", a, sizeof a));
	OK(nslink("time_for_children", b, sizeof b));
	CHECK(!strcmp(a, "time:[4026531834]") && strcmp(a, b), "time %s, for children %s", a, b);
	OK(get("/proc/self/timens_offsets", buf, sizeof buf));
	CHECK(!strcmp(buf, "monotonic           0         0\nboottime            0         0\n"), "offsets read\n%s", buf);
	ERRNO(put("/proc/self/timens_offsets", "monotonic 1 1000000000"), EINVAL);
	ERRNO(put("/proc/self/timens_offsets", "realtime 1 0"), EINVAL);
	ERRNO(put("/proc/self/timens_offsets", "monotonic 1"), EINVAL);
	ERRNO(put("/proc/self/timens_offsets", "monotonic -100000000 0"), ERANGE);
	OK(put("/proc/self/timens_offsets", "monotonic 100000 0\n7 5 0\n"));
	OK(get("/proc/self/timens_offsets", buf, sizeof buf));
	CHECK(!strcmp(buf, "monotonic      100000         0\nboottime            5         0\n"), "offsets read\n%s", buf);
	int64_t before = mono();
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		int64_t m = mono();
		write(p[1], &m, sizeof m);
		_exit(0);
	}
	int64_t child;
	read(p[0], &child, sizeof child);
	waitpid(pid, NULL, 0);
	CHECK(child - before >= 100000 && child - before < 100010, "child's monotonic %lld, parent's %lld", (long long)child, (long long)before);
	CHECK(mono() - before < 10, "the parent's clock moved");
	ERRNO(put("/proc/self/timens_offsets", "monotonic 1 0"), EACCES);
	/* a pending time namespace forbids sharing memory */
	ERRNO(syscall(SYS_clone, CLONE_VM | SIGCHLD, 0, 0, 0, 0), EINVAL);
}

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static void timens_clone3(void) {
	char a[64], b[64];
	struct clone_args ca = {.flags = CLONE_NEWTIME, .exit_signal = SIGCHLD};
	int p[2];
	pipe(p);
	OK(nslink("time", a, sizeof a));
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0) {
		nslink("time", b, sizeof b);
		write(p[1], b, sizeof b);
		_exit(0);
	}
	CHECK(pid > 0, "clone3(CLONE_NEWTIME): %s", strerror(errno));
	read(p[0], b, sizeof b);
	waitpid(pid, NULL, 0);
	CHECK(strcmp(a, b) && !strncmp(b, "time:[", 6), "child's time namespace %s, parent's %s", b, a);
	/* single-threaded, unsharing memory is nothing to do */
	OK(unshare(CLONE_NEWTIME | CLONE_VM));
	/* now a time namespace is pending: no task may share memory */
	ca.flags = CLONE_VM;
	ERRNO(syscall(SYS_clone3, &ca, sizeof ca), EINVAL);
}

static const struct {
	const char *name;
	void (*f)(void);
} cases[] = {
	{"userns_self", userns_self}, {"userns_parent", userns_parent}, {"userns_unprivileged", userns_unprivileged},
	{"userns_nesting", userns_nesting}, {"userns_unmapped", userns_unmapped}, {"unshare_flags", unshare_flags}, {"clone_flags", clone_flags},
	{"ns_links", ns_links}, {"uts", uts}, {"mnt", mnt}, {"timens", timens}, {"timens_clone3", timens_clone3},
};

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (argc < 2 || !strcmp(argv[1], cases[i].name))
			run(cases[i].name, cases[i].f);
	if (!failed)
		printf("nstest: ok\n");
	return failed;
}
