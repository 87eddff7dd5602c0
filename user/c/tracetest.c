/* tracetest: event tracing through tracefs's files, as on Linux.

     tracetest          switches events on through set_event and the
                        events/ enable files, makes a system call that
                        signals the caller (kill), waits for a Ctrl+C typed
                        on the keyboard, and checks the trace's lines and
                        their order: irq_handler_entry and _exit for IRQ 1,
                        then signal_generate and signal_deliver for SIGINT;
                        sys_enter, signal_generate, signal_deliver and
                        sys_exit for the kill. Then tracing_on 0 stops the
                        recording, and /proc/irq_latency (Sigil's) has its
                        format.
     tracetest cmdline  the events the kernel command line switched on
                        (trace_event=irq:irq_handler_entry,signal:*) are
                        listed by set_event and recorded; on Sigil,
                        irq_latency=1 started /proc/irq_latency.

   -v first prints the lines each case found. It runs as PID 1 (rdinit= on Linux, where it mounts tracefs itself and
   takes tty1 as its terminal, so that Ctrl+C raises SIGINT) and prints
   "tracetest: PASS" at the end. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#define TEST_NAME "tracetest"
#include "check.h"
#include "linuxtty.h"

static const char *tracing = "/sys/kernel/tracing";

/* putpath writes text to a file opened with flags (O_TRUNC, or O_APPEND
   as `>>`), as a shell's echo does: until all is written (Linux takes one
   set_event token a write); it returns how much was written, or -1 with
   errno set. */
static long putpath(const char *path, const char *text, int flags) {
	int fd = open(path, O_WRONLY | flags);
	if (fd < 0)
		return -1;
	long len = strlen(text), n = 0, r = 0;
	while (n < len && (r = write(fd, text + n, len - n)) > 0)
		n += r;
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : n;
}

/* put is putpath for a tracing file. */
static long put(const char *file, const char *text, int flags) {
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tracing, file);
	return putpath(path, text, flags);
}

static char buf[1 << 20];

/* get reads a file whole into buf. */
static char *get(const char *path) {
	int fd = open(path, O_RDONLY), n = 0, r;
	buf[0] = 0;
	if (fd < 0)
		return NULL;
	while (n < (int)sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return buf;
}

static char *tget(const char *file) {
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tracing, file);
	return get(path);
}

/* Lines of the last trace read, for find. */
static char *lines[1 << 14];
static int nlines;

static void read_trace(void) {
	nlines = 0;
	if (!tget("trace"))
		return;
	for (char *l = strtok(buf, "\n"); l && nlines < (int)(sizeof lines / sizeof lines[0]); l = strtok(NULL, "\n"))
		if (l[0] != '#')
			lines[nlines++] = l;
}

/* find returns the first trace line from from on that matches the
   extended regular expression re, or -1. */
static int find(const char *re, int from) {
	regex_t r;
	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0) {
		printf("tracetest: bad regex %s\n", re);
		return -1;
	}
	int at = -1;
	for (int i = from < 0 ? 0 : from; i < nlines && at < 0; i++)
		if (regexec(&r, lines[i], 0, NULL, 0) == 0)
			at = i;
	regfree(&r);
	return at;
}

static int verbose; /* -v: print the lines each case found */

static void dump(void) {
	for (int i = 0; i < nlines; i++)
		printf("tracetest: | %s\n", lines[i]);
}

/* A line's columns before the event, as trace_print_context prints
   them: comm-pid, [cpu], the five latency flags, the timestamp. */
#define CTX(comm) "^ *" comm "-[0-9]+ +\\[[0-9]{3}\\] [^ ]{5} +[0-9]+: "

static volatile int usr1, ints;
static void on_usr1(int sig) { usr1++; }
static void on_int(int sig) { ints++; }

/* linux_setup mounts tracefs where the kernel has not (Linux), in the
   x86-tsc clock, and gives init a terminal there (linux_tty). */
static void linux_setup(void) {
	if (access("/sys/kernel/tracing/tracing_on", F_OK) < 0) {
		mkdir("/sys", 0755);
		mkdir("/sys/kernel", 0755);
		mkdir("/sys/kernel/tracing", 0755);
		if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0)
			perror("tracetest: mount tracefs");
		put("trace_clock", "x86-tsc", O_TRUNC);
	}
	linux_tty("tracetest");
}

static void control(void) {
	current = "control";
	EQ(put("set_event", "irq:* signal:*", O_TRUNC), 14);
	EQ(put("set_event", "raw_syscalls:sys_enter", O_APPEND), 22);
	EQ(put("set_event", "sched:sched_switch", O_APPEND), 18);
	EQ(put("set_event", "!sched:sched_switch", O_APPEND), 19);
	ERRNO(put("set_event", "nosuch:event", O_APPEND), EINVAL);
	CHECK(tget("set_event") && strstr(buf, "irq:irq_handler_entry\n") && strstr(buf, "irq:irq_handler_exit\n") &&
		      strstr(buf, "signal:signal_generate\n") && strstr(buf, "signal:signal_deliver\n") &&
		      strstr(buf, "raw_syscalls:sys_enter\n") && !strstr(buf, "sched_switch") && !strstr(buf, "sys_exit"),
	      "set_event reads:\n%s", buf);
	EQ(put("events/raw_syscalls/sys_exit/enable", "1", O_TRUNC), 1);
	ERRNO(put("events/raw_syscalls/sys_exit/enable", "2", O_TRUNC), EINVAL);
	CHECK(tget("events/raw_syscalls/enable") && strcmp(buf, "1\n") == 0, "events/raw_syscalls/enable reads %s", buf);
	CHECK(tget("events/sched/enable") && strcmp(buf, "0\n") == 0, "events/sched/enable reads %s", buf);
	CHECK(tget("events/sched/sched_switch/enable") && strcmp(buf, "0\n") == 0, "sched_switch/enable reads %s", buf);
	CHECK(tget("tracing_on") && strcmp(buf, "1\n") == 0, "tracing_on reads %s", buf);
}

/* kill_self: kill(2) to itself, caught: the call's events and the
   signal's, in Linux's order: sys_enter, signal_generate, sys_exit (the
   call returns before the handler runs), signal_deliver. */
static void kill_self(void) {
	current = "kill";
	EQ(put("trace", "", O_TRUNC), 0);
	signal(SIGUSR1, on_usr1);
	EQ(kill(getpid(), SIGUSR1), 0);
	CHECK(usr1 == 1, "handler ran %d times", usr1);
	read_trace();
	char re[256];
	int enter = find(CTX("tracetest") "sys_enter: NR 62 \\(1, a(, [0-9a-f]+){4}\\)$", 0);
	int gen = find(CTX("tracetest") "signal_generate: sig=10 errno=0 code=0 comm=tracetest pid=1 grp=1 res=0$", 0);
	snprintf(re, sizeof re, CTX("tracetest") "signal_deliver: sig=10 errno=0 code=0 sa_handler=%lx sa_flags=[0-9a-f]+$",
		 (unsigned long)on_usr1);
	int del = find(re, 0);
	int ex = find(CTX("tracetest") "sys_exit: NR 62 = 0$", 0);
	if (enter < 0 || gen < 0 || del < 0 || ex < 0)
		dump();
	else if (verbose)
		for (int i = enter; i <= del; i++)
			printf("tracetest: | %s\n", lines[i]);
	CHECK(enter >= 0 && gen > enter && ex > gen && del > ex,
	      "sys_enter at %d, signal_generate %d, signal_deliver %d, sys_exit %d", enter, gen, del, ex);
}

/* ctrl_c: the keyboard's interrupt to the SIGINT handler, in order. */
static void ctrl_c(void) {
	current = "ctrl-c";
	EQ(put("trace", "", O_TRUNC), 0);
	signal(SIGINT, on_int);
	/* SIGINT blocked across the check: sigsuspend cannot miss one that
	   comes after it, as pause could. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &old);
	printf("tracetest: ready for Ctrl+C\n");
	fflush(stdout);
	while (!ints)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	read_trace();
	int gen = find(CTX(".*") "signal_generate: sig=2 errno=0 code=128 comm=tracetest pid=1 grp=1 res=0$", 0);
	int del = find(CTX("tracetest") "signal_deliver: sig=2 errno=0 code=128 sa_handler=[0-9a-f]+ sa_flags=[0-9a-f]+$", gen);
	/* The 'c' key's interrupt: the last one handled before the signal
	   (a key makes several, and one may find no byte), and the last
	   entry before the signal, which must come before that exit. */
	int entry = -1, ex = -1;
	for (int i = find(CTX(".*") "irq_handler_exit: irq=1 ret=handled$", 0); i >= 0 && i < gen;
	     i = find(CTX(".*") "irq_handler_exit: irq=1 ret=handled$", i + 1))
		ex = i;
	for (int i = find(CTX(".*") "irq_handler_entry: irq=1 name=i8042$", 0); i >= 0 && i < gen;
	     i = find(CTX(".*") "irq_handler_entry: irq=1 name=i8042$", i + 1))
		entry = i;
	if (entry < 0 || ex < 0 || gen < 0 || del < 0)
		dump();
	else if (verbose)
		for (int i = entry; i <= del; i++)
			printf("tracetest: | %s\n", lines[i]);
	CHECK(entry >= 0 && ex > entry && gen > entry && del > gen,
	      "irq_handler_entry at %d, irq_handler_exit %d, signal_generate %d, signal_deliver %d", entry, ex, gen, del);
}

/* off: tracing_on 0 records nothing, the events stay set. */
static void off(void) {
	current = "tracing_on";
	EQ(put("tracing_on", "0", O_TRUNC), 1);
	EQ(put("trace", "", O_TRUNC), 0);
	EQ(kill(getpid(), SIGUSR1), 0);
	read_trace();
	CHECK(find("signal_generate|sys_enter", 0) < 0, "recorded with tracing_on 0");
	CHECK(tget("set_event") && strstr(buf, "signal:signal_generate\n"), "set_event lost its events: %s", buf);
	EQ(put("tracing_on", "1", O_TRUNC), 1);
	EQ(put("set_event", "", O_TRUNC), 0);
	CHECK(tget("set_event") && buf[0] == 0, "set_event after clearing: %s", buf);
	CHECK(tget("events/enable") && strcmp(buf, "0\n") == 0, "events/enable reads %s", buf);
}

/* sched: a sleep switches the CPU away and back. */
static void sched(void) {
	current = "sched_switch";
	EQ(put("trace", "", O_TRUNC), 0);
	EQ(put("events/sched/enable", "1", O_TRUNC), 1);
	usleep(20000);
	EQ(put("events/sched/enable", "0", O_TRUNC), 1);
	read_trace();
	if (find(CTX(".*") "sched_switch: prev_comm=.+ prev_pid=[0-9]+ prev_prio=[0-9]+ prev_state=[RSDX]\\+? ==> "
			   "next_comm=.+ next_pid=[0-9]+ next_prio=[0-9]+$", 0) < 0) {
		dump();
		FAIL("no sched_switch line");
	}
}

/* latency: Sigil's /proc/irq_latency (no such file on Linux), started
   by a write of 1. */
static void latency(void) {
	current = "irq_latency";
	if (access("/proc/irq_latency", F_OK) < 0)
		return;
	EQ(putpath("/proc/irq_latency", "1\n", O_TRUNC), 2);
	getppid();
	EQ(putpath("/proc/irq_latency", "0\n", O_TRUNC), 2);
	CHECK(get("/proc/irq_latency") && strncmp(buf, "# recording off", 15) == 0, "irq_latency reads %.60s", buf);
	regex_t r;
	regcomp(&r, "^0x[0-9a-f]+ [^ ]+ [0-9]+( [0-9]+:[0-9]+)+$", REG_EXTENDED | REG_NOSUB);
	int n = 0, sys = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		if (l[0] == '#')
			continue;
		CHECK(regexec(&r, l, 0, NULL, 0) == 0, "line %s", l);
		n++;
		sys |= strncmp(l, "0x100 syscall ", 14) == 0;
	}
	CHECK(n > 0 && sys, "%d vectors, syscall's %s", n, sys ? "there" : "missing");
}

/* cmdline: the boot's trace_event= list. */
static void cmdline(void) {
	current = "cmdline";
	CHECK(tget("set_event") &&
		      strcmp(buf, "irq:irq_handler_entry\nsignal:signal_generate\nsignal:signal_deliver\n") == 0,
	      "set_event reads:\n%s", buf);
	EQ(put("trace", "", O_TRUNC), 0);
	signal(SIGUSR1, on_usr1);
	EQ(kill(getpid(), SIGUSR1), 0);
	read_trace();
	int gen = find(CTX(".*") "signal_generate: sig=10 errno=0 code=0 comm=tracetest pid=1 grp=1 res=0$", 0);
	int del = find(CTX("tracetest") "signal_deliver: sig=10 ", gen);
	if (gen < 0 || del < 0 || find("sys_enter", 0) >= 0)
		dump();
	CHECK(gen >= 0 && del > gen && find("sys_enter", 0) < 0, "signal_generate at %d, signal_deliver %d", gen, del);
	if (access("/proc/irq_latency", F_OK) == 0)
		CHECK(get("/proc/irq_latency") && strncmp(buf, "# recording on\n", 15) == 0 && strstr(buf, "\n0x100 syscall "),
		      "irq_latency=1: /proc/irq_latency reads %s", buf);
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	linux_setup();
	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		verbose = 1, argc--, argv++;
	if (argc > 1 && strcmp(argv[1], "cmdline") == 0) {
		cmdline();
	} else {
		control();
		kill_self();
		ctrl_c();
		off();
		sched();
		latency();
	}
	printf("tracetest: %s\n", failed ? "FAIL" : "PASS");
	return failed;
}
