/* irqaff: interrupt affinity through /proc/irq (kernel/irq/proc.c), run
   the same on Linux 6.1 (rdinit=/bin/irqaff) and on Sigil.

   Prints /proc/irq/default_smp_affinity and, for the keyboard's IRQ 1,
   every affinity file with its mode. Then writes to IRQ 1's
   smp_affinity and smp_affinity_list and prints what each write
   returned ("ok" or the errno's name): text each parser rejects
   (EINVAL, ERANGE, EOVERFLOW), a mask with no online CPU (EINVAL), a
   zero-length write, and as a user other than root (EACCES at open).

   "irqaff apic" also checks the answers that hold where the IOAPIC
   delivers the line: each write's errno; with two CPUs or more, "2"
   moves the line to CPU 1 (effective_affinity "2") and "3" leaves it
   there (no move when the current CPU is still allowed); "0-1" in the
   list file reads back as smp_affinity "3". Leaves the line on CPU 0.
   "irqaff pic" checks that every write fails with EIO (the 8259 reaches
   the boot CPU alone: Linux's XT-PIC cannot set an affinity) and that
   effective_affinity is the empty mask, as Linux shows it. Both check
   the sixteen legacy lines' directories, that an unrouted line (3)
   keeps an affinity written for it (EIO under irq=pic), and that the
   timer's (0) and the cascade's (2) cannot be set (EIO). Prints
   "irqaff: ok" when every check holds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TEST_NAME "irqaff"
#define FAIL_RETURN /* every failure is reported, and the run goes on */
#include "check.h"

static const char *dir = "/proc/irq/1";

static const char *errname(int e) {
	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ERANGE: return "ERANGE";
	case EOVERFLOW: return "EOVERFLOW";
	case EIO: return "EIO";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	}
	return "other";
}

/* readfile returns the file's text, its newline shown as "\n". */
static const char *readfile(const char *name) {
	static char buf[256];
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (name[0] == '/')
		snprintf(path, sizeof path, "%s", name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return strerror(errno);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void show(const char *name) {
	char path[128];
	struct stat st;
	snprintf(path, sizeof path, name[0] == '/' ? "%.0s%s" : "%s/%s", dir, name);
	const char *mode = "missing";
	char m[8];
	if (stat(path, &st) == 0) {
		snprintf(m, sizeof m, "%04o", st.st_mode & 07777);
		mode = m;
	}
	const char *s = readfile(name);
	printf("irqaff: %s %s: ", name, mode);
	for (; *s; s++)
		printf(*s == '\n' ? "\\n" : "%c", *s);
	printf("\n");
}

/* try writes len bytes of text to the file and returns 0 or the errno. */
static int try(const char *name, const char *text, size_t len) {
	char path[128];
	snprintf(path, sizeof path, name[0] == '/' ? "%.0s%s" : "%s/%s", dir, name);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	errno = 0;
	ssize_t n = write(fd, text, len);
	int e = n < 0 ? errno : 0;
	close(fd);
	return e;
}

static int mode_apic, mode_pic, ncpu;

/* w writes text (its length) and prints the answer; want < 0 is not checked. */
static void w(const char *name, const char *text, int want) {
	int e = try(name, text, strlen(text));
	printf("irqaff: write %s \"", name);
	for (const char *s = text; *s; s++)
		printf(*s == '\n' ? "\\n" : "%c", *s);
	printf("\": %s\n", errname(e));
	if (mode_pic && name[0] != '/')
		want = EIO; /* checked before the text is read; the default's file has no line */
	if (want >= 0 && (mode_apic || mode_pic))
		CHECK(e == want, "write %s \"%s\": %s, want %s", name, text, errname(e), errname(want));
}

static void expect(const char *name, const char *want) {
	const char *got = readfile(name);
	if (mode_apic || mode_pic)
		CHECK(!strcmp(got, want), "%s reads \"%s\", want \"%s\"", name, got, want);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	mode_apic = argc > 1 && !strcmp(argv[1], "apic");
	mode_pic = argc > 1 && !strcmp(argv[1], "pic");
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL); /* Linux's initramfs has none; Sigil's is there */
	cpu_set_t set;
	sched_getaffinity(0, sizeof set, &set);
	ncpu = CPU_COUNT(&set);
	printf("irqaff: cpus %d\n", ncpu);

	show("/proc/irq/default_smp_affinity");
	const char *files[] = {"smp_affinity", "smp_affinity_list", "effective_affinity", "effective_affinity_list",
			       "affinity_hint", "node", "i8042"};
	for (unsigned i = 0; i < sizeof files / sizeof *files; i++)
		show(files[i]);

	current = "parse";
	int big = ncpu == 1 ? EOVERFLOW : ncpu == 2 ? EOVERFLOW : -1;
	w("smp_affinity", "zz", EINVAL);
	w("smp_affinity", "x1", EINVAL);
	w("smp_affinity", "-1", EINVAL);
	w("smp_affinity", "0", EINVAL);      /* no online CPU */
	w("smp_affinity", "\n", EINVAL);     /* the empty mask */
	w("smp_affinity", "1,0", EOVERFLOW); /* a second 32-bit group */
	w("smp_affinity", "3 1", EOVERFLOW);
	w("smp_affinity", "000000001", EOVERFLOW);
	w("smp_affinity", "4", big); /* CPU 2, past nr_cpu_ids at 1 or 2 CPUs */
	w("smp_affinity_list", "a", EINVAL);
	w("smp_affinity_list", "1-0", EINVAL);
	w("smp_affinity_list", "0:1", EINVAL);
	w("smp_affinity_list", "99", ERANGE);
	w("smp_affinity_list", "99999999999", EOVERFLOW);
	w("smp_affinity_list", "", EINVAL);
	w("/proc/irq/default_smp_affinity", "0", EINVAL);
	w("/proc/irq/default_smp_affinity", "zz", EINVAL);
	{
		int e = try("smp_affinity", "", 0);
		printf("irqaff: write smp_affinity, 0 bytes: %s\n", errname(e));
		if (mode_apic || mode_pic)
			CHECK(e == (mode_pic ? EIO : EINVAL), "0-byte write: %s", errname(e));
	}

	current = "move";
	w("smp_affinity", "1\n", 0);
	show("effective_affinity");
	if (!mode_pic)
		expect("effective_affinity", "1\n");
	if (ncpu >= 2) {
		w("smp_affinity", "2", 0);
		show("smp_affinity");
		show("smp_affinity_list");
		show("effective_affinity");
		show("effective_affinity_list");
		if (!mode_pic) {
			expect("effective_affinity", "2\n");
			expect("effective_affinity_list", "1\n");
		}
		w("smp_affinity", "3", 0);
		show("effective_affinity");
		if (!mode_pic)
			expect("effective_affinity", "2\n"); /* CPU 1 is still allowed: no move */
		w("smp_affinity_list", "0-1", 0);
		show("smp_affinity");
		if (!mode_pic)
			expect("smp_affinity", "3\n");
		w("smp_affinity_list", "0", 0);
		show("effective_affinity_list");
		if (!mode_pic)
			expect("effective_affinity_list", "0\n");
		w("smp_affinity_list", "all", 0);
	}
	if (mode_pic)
		expect("effective_affinity", "0\n");

	/* The sixteen legacy lines each have a directory, routed or not
	   (Linux allocates their descriptors at boot). An unrouted line's
	   affinity is kept for when a driver routes it; the timer's (0) and
	   the cascade's (2) cannot be set. */
	current = "legacy";
	int dirs = 0;
	for (int n = 0; n < 16; n++) {
		char p[32];
		struct stat st;
		snprintf(p, sizeof p, "/proc/irq/%d", n);
		dirs += stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	}
	printf("irqaff: legacy directories %d\n", dirs);
	if (mode_apic || mode_pic)
		CHECK(dirs == 16, "%d of the 16 legacy directories", dirs);
	w("/proc/irq/3/smp_affinity", "1", mode_pic ? EIO : 0);
	show("/proc/irq/3/smp_affinity");
	if (mode_apic)
		expect("/proc/irq/3/smp_affinity", "1\n");
	w("/proc/irq/3/smp_affinity_list", "all", mode_pic ? EIO : 0);
	w("/proc/irq/0/smp_affinity", "1", EIO);
	w("/proc/irq/2/smp_affinity", "1", EIO);

	current = "user";
	pid_t pid = fork();
	if (pid == 0) {
		CCHECK(setuid(1000) == 0, "setuid: %s", strerror(errno));
		int e = try("smp_affinity", "1", 1);
		printf("irqaff: write smp_affinity as uid 1000: %s\n", errname(e));
		CCHECK(e == EACCES, "as uid 1000: %s, want EACCES", errname(e));
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);

	current = NULL;
	if (!failed)
		printf("irqaff: ok\n");
	return failed;
}
