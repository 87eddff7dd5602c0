/* sigtest: Linux signal semantics, one test per argument, or "all" (each
   in its own child). Prints "sigtest: NAME ok" or why not; exits 0 when
   every test passed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "procstatus.h"

#define FAIL(...) do { printf("sigtest: %s FAILED: ", current); printf(__VA_ARGS__); printf("\n"); exit(1); } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)

static const char *current;
static volatile int hits;
static volatile siginfo_t got;
static volatile long skip; /* bytes the handler skips */
static volatile int clear_tf, clear_fp;

static void on(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction: %s", strerror(errno));
}

/* The fault handler: records the siginfo and edits the saved registers. */
static void fault_handler(int sig, siginfo_t *si, void *ctx) {
	ucontext_t *uc = ctx;
	got = *si;
	hits++;
	uc->uc_mcontext.gregs[REG_RIP] += skip;
	if (clear_tf)
		uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
	if (clear_fp) {
		uc->uc_mcontext.fpregs->swd = 0;      /* x87 exception flags */
		uc->uc_mcontext.fpregs->mxcsr &= ~0x3f; /* SSE exception flags */
	}
}

/* Faulting instructions, each at a global label so its address is known. */
__attribute__((noinline)) static void do_de(void) {
	__asm__ volatile("xor %%ecx,%%ecx\n mov $1,%%eax\n xor %%edx,%%edx\n"
	                 ".globl de_insn\n de_insn: div %%ecx" ::: "eax", "ecx", "edx");
}
__attribute__((noinline)) static void do_ud(void) { __asm__ volatile(".globl ud_insn\n ud_insn: ud2"); }
__attribute__((noinline)) static void do_int3(void) { __asm__ volatile(".globl bp_insn\n bp_insn: int3"); }
__attribute__((noinline)) static void do_hlt(void) { __asm__ volatile("hlt"); }
__attribute__((noinline)) static void do_step(void) {
	__asm__ volatile("pushf\n orq $0x100,(%%rsp)\n popf\n nop\n .globl step_after\n step_after: nop" ::: "memory");
}
__attribute__((noinline)) static void do_ss(void) {
	__asm__ volatile("movabs $0x8000000000000000,%%rax\n mov (%%rsp,%%rax,1),%%rbx" ::: "rax", "rbx");
}
__attribute__((noinline)) static void do_read(void *p) {
	__asm__ volatile("mov %0,%%rax\n mov (%%rax),%%rbx" :: "r"(p) : "rax", "rbx");
}
__attribute__((noinline)) static void do_write(void *p) {
	__asm__ volatile("mov %0,%%rax\n movb $1,(%%rax)" :: "r"(p) : "rax", "memory");
}
__attribute__((noinline)) static void do_ac(void *p) {
	__asm__ volatile("pushf\n orq $0x40000,(%%rsp)\n popf\n mov %0,%%rax\n mov (%%rax),%%ebx\n"
	                 "pushf\n andq $~0x40000,(%%rsp)\n popf" :: "r"(p) : "rax", "rbx", "memory");
}
__attribute__((noinline)) static void do_mf(void) {
	unsigned short cw = 0x037b; /* the default 0x037f with zero-divide unmasked */
	__asm__ volatile("fldcw %0\n fldz\n fld1\n fdivp\n .globl mf_insn\n mf_insn: fwait\n fstp %%st(0)\n fninit" :: "m"(cw));
}
__attribute__((noinline)) static void do_xm(void) {
	unsigned mx = 0x1f80 & ~0x200; /* zero-divide unmasked */
	unsigned def = 0x1f80;
	__asm__ volatile("ldmxcsr %0\n xorps %%xmm1,%%xmm1\n mov $1,%%eax\n cvtsi2ss %%eax,%%xmm0\n"
	                 ".globl xm_insn\n xm_insn: divss %%xmm1,%%xmm0\n ldmxcsr %1" :: "m"(mx), "m"(def) : "eax", "xmm0", "xmm1");
}
extern char de_insn[], ud_insn[], bp_insn[], step_after[], mf_insn[], xm_insn[];

struct fault {
	const char *name;
	int sig, code;
	void (*run)(void *);
	long skip;
	int tf, fp;
};

static void *arg;
static void r_de(void *p) { do_de(); }
static void r_ud(void *p) { do_ud(); }
static void r_int3(void *p) { do_int3(); }
static void r_hlt(void *p) { do_hlt(); }
static void r_step(void *p) { do_step(); }
static void r_ss(void *p) { do_ss(); }
static void r_map(void *p) { do_read((void *)0x1000); }
static void r_acc(void *p) { do_write(p); }
static void r_ac(void *p) { do_ac((char *)p + 1); }
static void r_mf(void *p) { do_mf(); }
static void r_xm(void *p) { do_xm(); }

static struct fault faults[] = {
	{"de", SIGFPE, FPE_INTDIV, r_de, 2},
	{"ud", SIGILL, ILL_ILLOPN, r_ud, 2},
	{"int3", SIGTRAP, SI_KERNEL, r_int3, 0},
	{"step", SIGTRAP, TRAP_TRACE, r_step, 0, 1},
	{"gp", SIGSEGV, SI_KERNEL, r_hlt, 1},
	{"ss", SIGBUS, SI_KERNEL, r_ss, 4},
	{"pf-maperr", SIGSEGV, SEGV_MAPERR, r_map, 3},
	{"pf-accerr", SIGSEGV, SEGV_ACCERR, r_acc, 3},
	{"ac", SIGBUS, BUS_ADRALN, r_ac, 2},
	{"mf", SIGFPE, FPE_FLTDIV, r_mf, 1, 0, 1},
	{"xm", SIGFPE, FPE_FLTDIV, r_xm, 4, 0, 1},
};

static void *expected_addr(struct fault *f) {
	if (!strcmp(f->name, "de")) return de_insn;
	if (!strcmp(f->name, "ud")) return ud_insn;
	if (!strcmp(f->name, "step")) return step_after;
	if (!strcmp(f->name, "pf-maperr")) return (void *)0x1000;
	if (!strcmp(f->name, "pf-accerr")) return arg;
	if (!strcmp(f->name, "mf")) return mf_insn;
	if (!strcmp(f->name, "xm")) return xm_insn;
	return (void *)-1; /* not checked */
}

static struct fault *find_fault(const char *name) {
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		if (!strcmp(faults[i].name, name))
			return &faults[i];
	return NULL;
}

static void fault_test(struct fault *f) {
	arg = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	skip = f->skip, clear_tf = f->tf, clear_fp = f->fp;
	on(f->sig, fault_handler, 0);
	f->run(arg);
	CHECK(hits == 1, "handler ran %d times", hits);
	CHECK(got.si_signo == f->sig && got.si_code == f->code, "signal %d code %d, want %d code %d",
	      got.si_signo, got.si_code, f->sig, f->code);
	void *want = expected_addr(f);
	if (want != (void *)-1)
		CHECK(got.si_addr == want, "si_addr %p, want %p", got.si_addr, want);
}

/* Without a handler the fault kills with its signal. */
static void die_test(struct fault *f) {
	arg = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid = fork();
	if (pid == 0) {
		f->run(arg);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == f->sig, "status %#x, want death by %d", st, f->sig);
}

static void count_handler(int sig, siginfo_t *si, void *ctx) { hits++; got = *si; }

static void t_blocked_fault(void) {
	pid_t pid = fork();
	if (pid == 0) {
		on(SIGSEGV, count_handler, 0);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
		do_read((void *)0x1000);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "blocked SIGSEGV fault: status %#x", st);
}

static void nested_fault_handler(int sig, siginfo_t *si, void *ctx) { do_read((void *)0x2000); }

static void t_fault_in_handler(void) {
	pid_t pid = fork();
	if (pid == 0) {
		on(SIGSEGV, nested_fault_handler, 0);
		do_read((void *)0x1000);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "fault in SIGSEGV handler: status %#x", st);
}

/* Real-time: 1000 sigqueues over three signals while blocked arrive lowest
   number first, FIFO within each, with their values. RLIMIT_SIGPENDING
   defaults to half of threads-max, which depends on the machine's memory
   (992 at -m 256M once the kernel keeps 16 CPUs' rows): the case raises it
   first (root may, CAP_SYS_RESOURCE), so it tests ordering, not memory. */
static int rt_sig[1100], rt_val[1100];
static volatile int rt_n;
static void rt_handler(int sig, siginfo_t *si, void *ctx) {
	rt_sig[rt_n] = sig;
	rt_val[rt_n] = si->si_value.sival_int;
	rt_n++;
}

static void t_rt(void) {
	/* Each handler blocks all three signals (sa_mask), so one frame is set
	   up per return to user mode and handlers run in dequeue order. */
	struct rlimit rl = {1100, 1100};
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "setrlimit: %s", strerror(errno));
	sigset_t s;
	sigemptyset(&s);
	for (int i = 0; i < 3; i++)
		sigaddset(&s, SIGRTMIN + i);
	for (int i = 0; i < 3; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = rt_handler;
		sa.sa_flags = SA_SIGINFO;
		sa.sa_mask = s;
		sigaction(SIGRTMIN + i, &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &s, NULL);
	int count[3] = {0};
	for (int i = 0; i < 1000; i++) {
		int k = (i * 7) % 3;
		union sigval v = {.sival_int = count[k]++};
		CHECK(sigqueue(getpid(), SIGRTMIN + k, v) == 0, "sigqueue %d: %s", i, strerror(errno));
	}
	CHECK(rt_n == 0, "delivered while blocked");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK(rt_n == 1000, "delivered %d of 1000", rt_n);
	int idx = 0;
	for (int k = 0; k < 3; k++)
		for (int v = 0; v < count[k]; v++, idx++)
			CHECK(rt_sig[idx] == SIGRTMIN + k && rt_val[idx] == v, "entry %d: signal %d value %d, want %d value %d",
			      idx, rt_sig[idx], rt_val[idx], SIGRTMIN + k, v);
}

static void t_rt_limit(void) {
	struct rlimit rl = {10, 10};
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "setrlimit");
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	on(SIGRTMIN, rt_handler, 0);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 0; i < 10; i++) {
		union sigval v = {.sival_int = i};
		CHECK(sigqueue(getpid(), SIGRTMIN, v) == 0, "sigqueue %d below the limit: %s", i, strerror(errno));
	}
	union sigval v = {.sival_int = 99};
	CHECK(sigqueue(getpid(), SIGRTMIN, v) == -1 && errno == EAGAIN, "11th sigqueue: errno %d, want EAGAIN", errno);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK(rt_n == 10, "delivered %d, want 10 (nothing lost)", rt_n);
	for (int i = 0; i < 10; i++)
		CHECK(rt_val[i] == i, "value %d at %d", rt_val[i], i);
}

/* sigq is /proc/self/status' SigQ: the user's queued entries. */
static int sigq(void) { return status_int("SigQ"); }

/* waitone takes sig, blocked and pending, into *si. */
static int waitone(int sig, siginfo_t *si) {
	sigset_t s;
	struct timespec zero = {0, 0};
	sigemptyset(&s);
	sigaddset(&s, sig);
	return sigtimedwait(&s, si, &zero);
}

/* RLIMIT_SIGPENDING as __send_signal_locked applies it: every pending
   signal with its siginfo counts for the user, standard ones too, and so
   does each POSIX timer; past the limit the kernel's and kill()'s standard
   signals still get their siginfo, a real-time kill() and a sigqueue()d
   standard signal are pending without it (SI_USER from pid 0), and a
   sigqueue()d or tgkill()ed real-time signal is EAGAIN. */
static void t_sigpending_limit(void) {
	int r0 = SIGRTMIN, r1 = SIGRTMIN + 1, r2 = SIGRTMIN + 2;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	struct rlimit rl = {2, 2};
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "setrlimit");
	CHECK(sigq() == 0, "SigQ %d at the start", sigq());
	union sigval v = {.sival_int = 1};
	CHECK(sigqueue(getpid(), SIGUSR1, v) == 0, "sigqueue SIGUSR1: %s", strerror(errno));
	CHECK(sigq() == 1, "SigQ %d after a standard signal, want 1", sigq());
	v.sival_int = 2;
	CHECK(sigqueue(getpid(), r0, v) == 0, "sigqueue SIGRTMIN: %s", strerror(errno));
	CHECK(sigqueue(getpid(), r1, v) == -1 && errno == EAGAIN, "sigqueue past the limit: errno %d", errno);
	CHECK(syscall(SYS_tgkill, getpid(), getpid(), r2) == -1 && errno == EAGAIN, "tgkill past the limit: errno %d", errno);
	CHECK(sigqueue(getpid(), SIGUSR2, v) == 0, "sigqueue SIGUSR2 past the limit: %s", strerror(errno));
	CHECK(kill(getpid(), SIGHUP) == 0 && kill(getpid(), r1) == 0, "kill past the limit: %s", strerror(errno));
	CHECK(sigq() == 3, "SigQ %d, want 3 (kill()'s SIGHUP past the limit)", sigq());
	timer_t tm;
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = r2};
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &tm) == -1 && errno == EAGAIN, "timer_create past the limit: errno %d", errno);

	siginfo_t si;
	pid_t me = getpid();
	CHECK(waitone(SIGHUP, &si) == SIGHUP && si.si_code == SI_USER && si.si_pid == me, "SIGHUP code %d pid %d", si.si_code, si.si_pid);
	CHECK(waitone(SIGUSR1, &si) == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 1, "SIGUSR1 code %d", si.si_code);
	CHECK(waitone(SIGUSR2, &si) == SIGUSR2 && si.si_code == SI_USER && si.si_pid == 0, "lost SIGUSR2 code %d pid %d", si.si_code, si.si_pid);
	CHECK(waitone(r0, &si) == r0 && si.si_code == SI_QUEUE && si.si_value.sival_int == 2, "SIGRTMIN code %d", si.si_code);
	CHECK(waitone(r1, &si) == r1 && si.si_code == SI_USER && si.si_pid == 0, "lost SIGRTMIN+1 code %d pid %d", si.si_code, si.si_pid);
	CHECK(waitone(r1, &si) == -1 && waitone(r2, &si) == -1, "more pending");
	CHECK(sigq() == 0, "SigQ %d after taking everything", sigq());

	/* Each timer holds an entry; its signal uses that one, at the limit. */
	timer_t tm2;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &tm) == 0 && timer_create(CLOCK_MONOTONIC, &ev, &tm2) == 0,
	      "timer_create within the limit: %s", strerror(errno));
	CHECK(sigq() == 2, "SigQ %d with two timers, want 2", sigq());
	struct itimerspec its = {.it_value = {0, 1000000}};
	CHECK(timer_settime(tm, 0, &its, NULL) == 0, "timer_settime");
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, r2);
	CHECK(sigwaitinfo(&s, &si) == r2 && si.si_code == SI_TIMER, "timer signal at the limit: code %d", si.si_code);
	CHECK(sigqueue(getpid(), r0, v) == -1 && errno == EAGAIN, "sigqueue at the timers' limit: errno %d", errno);
	timer_delete(tm2);
	CHECK(sigq() == 1, "SigQ %d after timer_delete, want 1", sigq());
	timer_delete(tm);
}

static void t_coalesce(void) {
	on(SIGUSR1, count_handler, 0);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	for (int i = 0; i < 5; i++)
		kill(getpid(), SIGUSR1);
	sigset_t p;
	sigpending(&p);
	CHECK(sigismember(&p, SIGUSR1), "SIGUSR1 not pending");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK(hits == 1, "standard signal delivered %d times, want 1", hits);
	CHECK(got.si_code == SI_USER && got.si_pid == getpid(), "si_code %d si_pid %d", got.si_code, got.si_pid);
}

static char altstack[65536];
static volatile uintptr_t handler_sp;
static volatile int alt_flags;
static void alt_handler(int sig, siginfo_t *si, void *ctx) {
	int local;
	handler_sp = (uintptr_t)&local;
	stack_t cur;
	sigaltstack(NULL, &cur);
	alt_flags = cur.ss_flags;
}

static void t_altstack(void) {
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack: %s", strerror(errno));
	on(SIGUSR1, alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK(handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack,
	      "handler stack %#lx outside the alternate stack", (unsigned long)handler_sp);
	CHECK(alt_flags == SS_ONSTACK, "ss_flags in handler %d, want SS_ONSTACK", alt_flags);
	stack_t after;
	sigaltstack(NULL, &after);
	CHECK(after.ss_flags == 0, "ss_flags after return %d", after.ss_flags);
}

static void t_resethand(void) {
	pid_t pid = fork();
	if (pid == 0) {
		on(SIGUSR1, count_handler, SA_RESETHAND);
		raise(SIGUSR1);
		if (hits != 1)
			_exit(2);
		raise(SIGUSR1); /* default now: terminates */
		_exit(3);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1, "status %#x, want death by SIGUSR1", st);
}

static volatile int depth, maxdepth, raised;
static void nodefer_handler(int sig, siginfo_t *si, void *ctx) {
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (!raised) { /* once per phase: without SA_NODEFER it comes back after return */
		raised = 1;
		raise(sig);
	}
	depth--;
}

static void t_nodefer(void) {
	on(SIGUSR1, nodefer_handler, SA_NODEFER);
	raise(SIGUSR1);
	CHECK(maxdepth == 2, "nesting %d with SA_NODEFER, want 2", maxdepth);
	maxdepth = 0, raised = 0;
	on(SIGUSR1, nodefer_handler, 0);
	raise(SIGUSR1);
	CHECK(maxdepth == 1, "nesting %d without SA_NODEFER, want 1", maxdepth);
}

static volatile int order[4], norder;
static void mask_handler1(int sig, siginfo_t *si, void *ctx) {
	order[norder++] = 1;
	raise(SIGUSR2); /* in sa_mask: waits for this handler to return */
	order[norder++] = 2;
}
static void mask_handler2(int sig, siginfo_t *si, void *ctx) { order[norder++] = 3; }

static void t_samask(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = mask_handler1;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	on(SIGUSR2, mask_handler2, 0);
	raise(SIGUSR1);
	CHECK(norder == 3 && order[0] == 1 && order[1] == 2 && order[2] == 3, "order %d %d %d", order[0], order[1], order[2]);
}

static void t_sigsuspend(void) {
	on(SIGUSR1, count_handler, 0);
	sigset_t block, empty, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid_t parent = getpid();
	if (fork() == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	sigemptyset(&empty);
	int r = sigsuspend(&empty);
	CHECK(r == -1 && errno == EINTR && hits == 1, "sigsuspend %d errno %d hits %d", r, errno, hits);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK(sigismember(&now, SIGUSR1), "mask not restored after sigsuspend");
	wait(NULL);
}

static void t_sigtimedwait(void) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &s, NULL);
	struct timespec ts = {0, 50000000}, t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = sigtimedwait(&s, NULL, &ts);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(r == -1 && errno == EAGAIN && el >= 0.045, "timeout: %d errno %d after %.3f s", r, errno, el);
	union sigval v = {.sival_int = 77};
	sigqueue(getpid(), SIGRTMIN + 3, v);
	siginfo_t si;
	r = sigtimedwait(&s, &si, &ts);
	CHECK(r == SIGRTMIN + 3 && si.si_value.sival_int == 77 && si.si_code == SI_QUEUE, "got %d value %d code %d", r,
	      si.si_value.sival_int, si.si_code);
}

static void t_signalfd(void) {
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	int fd = signalfd(-1, &s, SFD_CLOEXEC);
	CHECK(fd >= 0, "signalfd: %s", strerror(errno));
	kill(getpid(), SIGUSR2);
	struct signalfd_siginfo ssi;
	CHECK(read(fd, &ssi, sizeof ssi) == sizeof ssi, "read: %s", strerror(errno));
	CHECK(ssi.ssi_signo == SIGUSR2 && ssi.ssi_pid == (uint32_t)getpid(), "ssi_signo %u ssi_pid %u", ssi.ssi_signo, ssi.ssi_pid);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK(read(fd, &ssi, sizeof ssi) == -1 && errno == EAGAIN, "second read: errno %d", errno);
}

static void restart_case(int flags, int want_restart) {
	int p[2];
	pipe(p);
	on(SIGALRM, count_handler, flags);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	if (fork() == 0) {
		usleep(200000);
		write(p[1], "z", 1);
		_exit(0);
	}
	char c;
	int r = read(p[0], &c, 1);
	if (want_restart)
		CHECK(r == 1 && c == 'z' && hits == 1, "SA_RESTART: read %d errno %d hits %d", r, errno, hits);
	else
		CHECK(r == -1 && errno == EINTR && hits == 1, "no SA_RESTART: read %d errno %d hits %d", r, errno, hits);
	wait(NULL);
}
static void t_restart(void) { restart_case(SA_RESTART, 1); }
static void t_eintr(void) { restart_case(0, 0); }

static void t_sigchld(void) {
	on(SIGCHLD, count_handler, 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3, "wait status %#x", st);
	CHECK(hits == 1 && got.si_signo == SIGCHLD && got.si_code == CLD_EXITED && got.si_pid == pid && got.si_status == 3,
	      "SIGCHLD hits %d code %d pid %d status %d", hits, got.si_code, got.si_pid, got.si_status);
}

static void t_stopcont(void) {
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			;
	int st;
	kill(pid, SIGSTOP);
	CHECK(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "stop status %#x", st);
	kill(pid, SIGCONT);
	CHECK(waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st), "continue status %#x", st);
	kill(pid, SIGKILL);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill status %#x", st);
}

static void t_killpg(void) {
	pid_t a = fork();
	if (a == 0) {
		setpgid(0, 0);
		pause();
		_exit(0);
	}
	setpgid(a, a);
	pid_t b = fork();
	if (b == 0) {
		setpgid(0, a);
		pause();
		_exit(0);
	}
	setpgid(b, a);
	usleep(20000);
	CHECK(kill(-a, SIGTERM) == 0, "kill(-pgrp): %s", strerror(errno));
	int st1, st2;
	waitpid(a, &st1, 0);
	waitpid(b, &st2, 0);
	CHECK(WIFSIGNALED(st1) && WTERMSIG(st1) == SIGTERM && WIFSIGNALED(st2) && WTERMSIG(st2) == SIGTERM,
	      "statuses %#x %#x", st1, st2);
	CHECK(kill(-99999, SIGTERM) == -1 && errno == ESRCH, "kill of an empty group: errno %d", errno);
}

/* rt_sigreturn with a crafted frame: kernel CS and IOPL 3 must not stick. */
static unsigned long frame[64] __attribute__((aligned(16)));
static char fpbuf[512] __attribute__((aligned(64)));
static char after_stack[16384] __attribute__((aligned(16)));

static void after_sigreturn(void) {
	unsigned short cs;
	unsigned long fl;
	__asm__ volatile("mov %%cs,%0\n pushf\n pop %1" : "=r"(cs), "=r"(fl));
	current = "sigreturn-privilege";
	CHECK(cs == 0x33, "CS %#x after rt_sigreturn, want 0x33", cs);
	CHECK((fl & 0x3000) == 0, "IOPL %lu after rt_sigreturn", (fl >> 12) & 3);
	CHECK(fl & 0x200, "interrupts disabled after rt_sigreturn");
	printf("sigtest: sigreturn-privilege ok\n");
	fflush(stdout);
	_exit(0);
}

static void t_sigreturn_priv(void) {
	memset(frame, 0, sizeof frame);
	memset(fpbuf, 0, sizeof fpbuf);
	*(unsigned *)(fpbuf + 24) = 0x1f80;               /* MXCSR */
	unsigned char *f = (unsigned char *)frame;
	unsigned long *mc = (unsigned long *)(f + 8 + 40); /* uc_mcontext */
	mc[15] = (unsigned long)(after_stack + sizeof after_stack - 8); /* rsp */
	mc[16] = (unsigned long)after_sigreturn;          /* rip */
	mc[17] = 0x3000 | 0x4000 | 0x202;                 /* IOPL 3, NT, IF */
	*(unsigned short *)(f + 8 + 40 + 144) = 0x10;     /* cs: kernel code */
	*(unsigned short *)(f + 8 + 40 + 150) = 0x18;     /* ss: kernel data */
	mc[23] = (unsigned long)fpbuf;                    /* fpstate */
	__asm__ volatile("mov %0,%%rsp\n add $8,%%rsp\n mov $15,%%eax\n syscall" :: "r"(frame) : "memory");
	FAIL("rt_sigreturn returned");
}

/* A signal whose frame cannot be written (the stack pointer is garbage)
   kills with SIGSEGV. */
static void t_bad_stack(void) {
	pid_t pid = fork();
	if (pid == 0) {
		on(SIGUSR1, count_handler, 0);
		pid_t me = getpid();
		__asm__ volatile("mov %%rsp,%%r12\n mov $0x1000,%%rsp\n mov $62,%%eax\n mov %0,%%edi\n mov $10,%%esi\n"
		                 "syscall\n mov %%r12,%%rsp" :: "r"(me) : "rax", "rdi", "rsi", "rcx", "r11", "r12", "memory");
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "status %#x, want death by SIGSEGV", st);
}

static void t_sigpipe(void) {
	int p[2];
	pipe(p);
	close(p[0]);
	on(SIGPIPE, count_handler, 0);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE, "write to a reader-less pipe: errno %d", errno);
	CHECK(hits == 1 && got.si_signo == SIGPIPE, "SIGPIPE hits %d", hits);
}

static void t_alarm(void) {
	on(SIGALRM, count_handler, 0);
	alarm(1);
	CHECK(alarm(1) == 1, "alarm did not report the time left");
	pause();
	CHECK(hits == 1 && got.si_signo == SIGALRM, "SIGALRM hits %d", hits);
}

struct test {
	const char *name;
	void (*run)(void);
};
static struct test tests[] = {
	{"blocked-fault", t_blocked_fault}, {"fault-in-handler", t_fault_in_handler}, {"rt", t_rt},
	{"rt-limit", t_rt_limit}, {"coalesce", t_coalesce}, {"altstack", t_altstack},
	{"resethand", t_resethand}, {"nodefer", t_nodefer}, {"samask", t_samask},
	{"sigsuspend", t_sigsuspend}, {"sigtimedwait", t_sigtimedwait}, {"signalfd", t_signalfd},
	{"restart", t_restart}, {"eintr", t_eintr}, {"sigchld", t_sigchld}, {"stopcont", t_stopcont},
	{"killpg", t_killpg}, {"sigreturn-privilege", t_sigreturn_priv}, {"bad-stack", t_bad_stack},
	{"sigpipe", t_sigpipe}, {"alarm", t_alarm}, {"sigpending-limit", t_sigpending_limit},
};

static int run_one(const char *name) {
	current = name;
	struct fault *f = find_fault(name);
	if (f) {
		fault_test(f);
	} else if (!strncmp(name, "die-", 4) && (f = find_fault(name + 4))) {
		die_test(f);
	} else {
		size_t i;
		for (i = 0; i < sizeof tests / sizeof tests[0]; i++)
			if (!strcmp(tests[i].name, name)) {
				tests[i].run();
				break;
			}
		if (i == sizeof tests / sizeof tests[0]) {
			printf("sigtest: no test %s\n", name);
			return 1;
		}
	}
	printf("sigtest: %s ok\n", name);
	return 0;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "all")) {
		int rc = 0;
		for (int i = 1; i < argc; i++)
			rc |= run_one(argv[i]);
		return rc;
	}
	const char *names[64];
	int n = 0;
	char die[sizeof faults / sizeof faults[0]][32];
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		/* QEMU's TCG raises #GP for non-canonical stack references and
		   no #AC or #XM at all: those rows run by name on real CPUs. */
		if (!strcmp(faults[i].name, "ss") || !strcmp(faults[i].name, "ac") || !strcmp(faults[i].name, "xm"))
			continue;
		names[n++] = faults[i].name;
		snprintf(die[i], sizeof die[i], "die-%s", faults[i].name);
		names[n++] = die[i];
	}
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		names[n++] = tests[i].name;
	int failed = 0;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(run_one(names[i]));
		int st;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("sigtest: %s FAILED (status %#x)\n", names[i], st);
			failed++;
		}
	}
	printf("sigtest: %d of %d passed\n", n - failed, n);
	return failed ? 1 : 0;
}
