/* kmem: a child that reads kernel memory and a child that executes hlt
   are each stopped (killed by SIGSEGV, as Linux does for #PF and #GP),
   while this parent and the kernel keep running. Exits 0 when both are. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int expect_segv(const char *what, void (*f)(void)) {
	pid_t pid = fork();
	if (pid == 0) {
		f();
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	int ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
	printf("kmem: %-28s %s (status %#x)\n", what, ok ? "stopped by SIGSEGV" : "NOT STOPPED", st);
	return ok;
}

static void read_kernel(void) { (void)*(volatile long *)0xffffffff80200000ul; }
static void write_kernel(void) { *(volatile long *)0xffff800000100000ul = 1; }
static void halt(void) { __asm__ volatile("hlt"); }
static void cli(void) { __asm__ volatile("cli"); }
static void jump_kernel(void) { ((void (*)(void))0xffffffff80201000ul)(); }

int main(void) {
	int ok = expect_segv("read kernel image", read_kernel);
	ok &= expect_segv("write direct map", write_kernel);
	ok &= expect_segv("hlt", halt);
	ok &= expect_segv("cli", cli);
	ok &= expect_segv("jump into the kernel", jump_kernel);
	printf("kmem: %s\n", ok ? "all stopped, kernel running" : "FAILED");
	return ok ? 0 : 1;
}
