/* iotest: port access from user mode, as Linux 6.1 gives it
   (arch/x86/kernel/ioport.c, CONFIG_X86_IOPL_IOPERM): ioperm's bit map
   and its errors, iopl(3) as every port with CLI and STI made no-ops,
   both refused without CAP_SYS_RAWIO but for dropping, both inherited by
   fork and kept across execve, and a port outside the map a SIGSEGV
   (si_code SI_KERNEL). Each expectation was measured on Linux 6.1 in the
   same QEMU. Prints "iotest: ok" when every check holds. Port 0x80 (the
   POST port) and 0x61 (system control port B) are read or written only in
   ways that change nothing. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_NAME "iotest"
#include "check.h"

static sigjmp_buf back;
static volatile int faults, lastcode;

static void on_segv(int sig, siginfo_t *si, void *uc) {
	(void)sig, (void)uc;
	faults++;
	lastcode = si->si_code;
	siglongjmp(back, 1);
}

/* port_ok reports whether IN from port p runs (1) or faults (0). */
static int port_ok(unsigned short p) {
	if (sigsetjmp(back, 1))
		return 0;
	(void)inb(p);
	return 1;
}

static int cli_ok(void) {
	if (sigsetjmp(back, 1))
		return 0;
	__asm__ volatile("cli; sti");
	return 1;
}

static void bad(void) {
	current = "bad";
	ERRNO(ioperm(0x10000, 1, 1), EINVAL);
	ERRNO(ioperm(0xffff, 2, 1), EINVAL);
	ERRNO(ioperm(0x80, 0, 1), EINVAL);
	ERRNO(syscall(SYS_ioperm, ~0UL, 2UL, 1), EINVAL);
	ERRNO(iopl(4), EINVAL);
	ERRNO(syscall(SYS_iopl, -1), EINVAL);
	CHECK(!port_ok(0x80), "port 0x80 before ioperm");
	CHECK(lastcode == SI_KERNEL, "si_code %d, want SI_KERNEL", lastcode);
}

static void bitmap(void) {
	current = "ioperm";
	OK(ioperm(0x80, 1, 1));
	CHECK(port_ok(0x80), "port 0x80 after ioperm");
	CHECK(!port_ok(0x61), "port 0x61 without ioperm");
	OK(ioperm(0x60, 5, 1));
	CHECK(port_ok(0x61) && port_ok(0x64) && !port_ok(0x65), "ports 0x60-0x64");
	OK(ioperm(0x61, 1, 0));
	CHECK(!port_ok(0x61) && port_ok(0x60), "0x61 dropped alone");
	OK(ioperm(0xfffe, 2, 1));
	CHECK(port_ok(0xffff), "port 0xffff");
	OK(ioperm(0x400, 1, 1)); /* beyond 0x3ff since Linux 2.6.8 */
	CHECK(!cli_ok(), "cli without iopl");
}

static void inherit(void) {
	current = "inherit";
	pid_t pid = fork();
	if (pid == 0)
		_exit(port_ok(0x80) && !port_ok(0x61) ? 0 : 1);
	int st;
	EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork's child lost the map (status %#x)", st);
	pid = fork();
	if (pid == 0) {
		execl("/bin/iotest", "iotest", "exec-child", (char *)0);
		_exit(2);
	}
	EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "execve lost the map (status %#x)", st);
}

static void level(void) {
	current = "iopl";
	OK(iopl(3));
	CHECK(port_ok(0x61) && port_ok(0x3fd) && port_ok(0x1234), "iopl(3) ports");
	faults = 0;
	CHECK(cli_ok() && faults == 0, "cli/sti under iopl(3) fault");
	OK(iopl(3));
	OK(iopl(1));
	CHECK(!port_ok(0x61) && port_ok(0x80), "iopl(1) is ioperm's map");
	OK(iopl(0));
	CHECK(!cli_ok(), "cli after iopl(0)");
	OK(ioperm(0, 0x10000, 0));
	CHECK(!port_ok(0x80), "port 0x80 after dropping all");
}

static void unprivileged(void) {
	current = "unprivileged";
	OK(ioperm(0x80, 1, 1));
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			CFAIL("setuid");
		CCHECK(port_ok(0x80), "setuid dropped the map");
		CERRNO(ioperm(0x81, 1, 1), EPERM);
		CERRNO(iopl(3), EPERM);
		CCHECK(ioperm(0x80, 1, 0) == 0 && !port_ok(0x80), "dropping a port");
		CCHECK(ioperm(0x90, 1, 0) == 0, "dropping with no map");
		CCHECK(iopl(0) == 0, "iopl(0)");
		_exit(0);
	}
	int st;
	EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unprivileged child (status %#x)", st);
	OK(ioperm(0x80, 1, 0));
}

int main(int argc, char **argv) {
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigaction(SIGSEGV, &sa, 0);
	if (argc > 1)
		return port_ok(0x80) && !port_ok(0x61) ? 0 : 1; /* exec-child */
	bad();
	bitmap();
	inherit();
	level();
	unprivileged();
	if (failed)
		return 1;
	printf("iotest: ok\n");
	return 0;
}
