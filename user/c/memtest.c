/* memtest: Linux memory semantics, one test per argument, or "all" (each
   in its own child). Prints "memtest: NAME ok" or why not; exits 0 when
   every test passed. Every expectation here was checked on Linux 6.1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAIL(...) do { printf("memtest: %s FAILED: ", current); printf(__VA_ARGS__); printf("\n"); exit(1); } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)
#define ERRNO(call, e) do { errno = 0; long r_ = (long)(call); CHECK(r_ == -1 && errno == (e), \
	"%s = %ld errno %d (%s), want %s", #call, r_, errno, strerror(errno), #e); } while (0)

#define PAGE 4096L
/* From <linux/futex.h>, which musl-tools does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | 128)
#define FILE_PATH "/bin/hello"

/* The system calls themselves: musl's wrappers round addresses (mprotect)
   or check arguments (mmap) before the kernel sees them. */
#define sys_mmap(a, l, p, f, fd, o) ((void *)syscall(SYS_mmap, a, l, p, f, fd, o))
#define sys_mprotect(a, l, p) syscall(SYS_mprotect, a, l, p)
#define sys_munmap(a, l) syscall(SYS_munmap, a, l)
#define sys_madvise(a, l, v) syscall(SYS_madvise, a, l, v)
#define sys_mremap(a, o, n, f, t) ((void *)syscall(SYS_mremap, a, o, n, f, t))
#define sys_mincore(a, l, v) syscall(SYS_mincore, a, l, v)
#define sys_msync(a, l, f) syscall(SYS_msync, a, l, f)

static const char *current;
static sigjmp_buf jump;
static volatile siginfo_t got;

static void on_fault(int sig, siginfo_t *si, void *ctx) {
	(void)sig, (void)ctx;
	got = *si;
	siglongjmp(jump, 1);
}

static void catch_faults(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* touch reads (write 0) or writes (write 1) *p and returns 0, or the
   signal it got with si_code and si_addr checked against want_code and p. */
static int touch(volatile char *p, int write) {
	if (sigsetjmp(jump, 1))
		return got.si_signo;
	if (write)
		*p = 1;
	else
		(void)*p;
	return 0;
}

static void want_fault(volatile char *p, int write, int sig, int code) {
	int s = touch(p, write);
	CHECK(s == sig, "%s of %p: signal %d, want %d", write ? "write" : "read", (void *)p, s, sig);
	CHECK(got.si_code == code, "%s of %p: si_code %d, want %d", write ? "write" : "read", (void *)p, got.si_code, code);
	CHECK(got.si_addr == (void *)p, "si_addr %p, want %p", got.si_addr, (void *)p);
}

static char *map(void *addr, long len, int prot, int flags) {
	char *p = mmap(addr, len, prot, flags | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED, "mmap(%p, %ld, %d, %#x): %s", addr, len, prot, flags, strerror(errno));
	return p;
}

/* ---- threads ---------------------------------------------------------- */

static volatile long counter;

static void *worker(void *arg) {
	long n = (long)arg;
	char buf[32 << 10]; /* deep into the thread's stack */
	memset(buf, (int)n, sizeof buf);
	for (int i = 0; i < 1000; i++)
		__atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
	return (void *)(n * 2 + buf[sizeof buf - 1] - (char)n);
}

static void t_threads(void) {
	enum { N = 8 };
	pthread_t th[N];
	for (long i = 0; i < N; i++)
		CHECK(pthread_create(&th[i], NULL, worker, (void *)i) == 0, "pthread_create %ld", i);
	for (long i = 0; i < N; i++) {
		void *r;
		CHECK(pthread_join(th[i], &r) == 0, "pthread_join %ld", i);
		CHECK((long)r == i * 2, "thread %ld returned %ld", i, (long)r);
	}
	CHECK(counter == N * 1000, "counter %ld", counter);
}

/* ---- anonymous memory, munmap, mprotect ------------------------------- */

static void t_anon(void) {
	catch_faults();
	char *p = map(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	CHECK(p[5 * PAGE] == 0, "fresh memory not zero");
	memset(p, 7, 8 * PAGE);
	CHECK(munmap(p + 2 * PAGE, 2 * PAGE) == 0, "munmap middle");
	want_fault(p + 2 * PAGE, 0, SIGSEGV, SEGV_MAPERR);
	CHECK(p[PAGE] == 7 && p[4 * PAGE] == 7, "neighbours of the hole lost");
	CHECK(mprotect(p + 5 * PAGE, PAGE, PROT_READ) == 0, "mprotect read-only");
	want_fault(p + 5 * PAGE + 10, 1, SIGSEGV, SEGV_ACCERR);
	CHECK(p[5 * PAGE + 10] == 7, "read-only page lost its contents");
	/* A range over a hole changes what lies before it, then ENOMEM. */
	ERRNO(sys_mprotect(p, 4 * PAGE, PROT_READ), ENOMEM);
	want_fault(p, 1, SIGSEGV, SEGV_ACCERR);
	ERRNO(sys_mprotect(p + 2 * PAGE, PAGE, PROT_READ), ENOMEM);
	ERRNO(sys_mprotect(p + 1, PAGE, PROT_READ), EINVAL);
	ERRNO(sys_mprotect(p, PAGE, 0x10), EINVAL);
	ERRNO(sys_munmap(p + 1, PAGE), EINVAL);
	ERRNO(sys_munmap(p, 0), EINVAL);
	CHECK(munmap(p + 100 * PAGE, PAGE) == 0, "munmap of nothing");
	/* Fresh PROT_NONE memory: never touched, still ACCERR. */
	char *q = map(NULL, PAGE, PROT_NONE, MAP_PRIVATE);
	want_fault(q, 0, SIGSEGV, SEGV_ACCERR);
}

/* The pthread stack case: reserve PROT_NONE, open all but a guard page;
   contents survive PROT_NONE and back. */
static void t_reserve(void) {
	catch_faults();
	char *p = map(NULL, 64 * PAGE, PROT_NONE, MAP_PRIVATE);
	CHECK(mprotect(p + PAGE, 63 * PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect: %s", strerror(errno));
	memset(p + PAGE, 3, 63 * PAGE);
	want_fault(p + 10, 1, SIGSEGV, SEGV_ACCERR);
	CHECK(mprotect(p + PAGE, 63 * PAGE, PROT_NONE) == 0, "back to PROT_NONE");
	want_fault(p + 5 * PAGE, 0, SIGSEGV, SEGV_ACCERR);
	CHECK(mprotect(p + PAGE, 63 * PAGE, PROT_READ) == 0, "to PROT_READ");
	CHECK(p[40 * PAGE] == 3, "contents lost across PROT_NONE: %d", p[40 * PAGE]);
}

/* ---- placement ----------------------------------------------------------- */

static void t_placement(void) {
	char *hint = (char *)0x200000000L;
	char *p = map(hint, PAGE, PROT_READ, MAP_PRIVATE);
	CHECK(p == hint, "free hint not honoured: %p", (void *)p);
	char *q = map(hint, PAGE, PROT_READ, MAP_PRIVATE);
	CHECK(q != hint, "taken hint given twice");
	errno = 0;
	CHECK(mmap(hint, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED && errno == EEXIST,
	      "MAP_FIXED_NOREPLACE over a mapping: %s", strerror(errno));
	char *r = map(hint, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED);
	CHECK(r == hint && r[0] == 0, "MAP_FIXED did not replace");
	ERRNO(sys_mmap(hint + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
	ERRNO(sys_mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
	ERRNO(sys_mmap(NULL, 1L << 47, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
	ERRNO(sys_mmap((void *)(1L << 47), PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), ENOMEM);
	char *low = map(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_32BIT);
	CHECK((uintptr_t)low >= 0x40000000 && (uintptr_t)low < 0x80000000, "MAP_32BIT at %p", (void *)low);
	/* Top-down: the next mapping goes below the last. */
	char *a = map(NULL, PAGE, PROT_READ, MAP_PRIVATE);
	char *b = map(NULL, PAGE, PROT_READ, MAP_PRIVATE);
	CHECK(b < a, "placement not top-down: %p then %p", (void *)a, (void *)b);
}

/* ---- files ---------------------------------------------------------------- */

static void t_file(void) {
	catch_faults();
	int fd = open(FILE_PATH, O_RDONLY);
	CHECK(fd >= 0, "open %s", FILE_PATH);
	struct stat st;
	fstat(fd, &st);
	long size = st.st_size, len = (size + PAGE - 1) & ~(PAGE - 1);
	char *data = malloc(size);
	CHECK(pread(fd, data, size, 0) == size, "pread");

	char *priv = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(priv != MAP_FAILED, "mmap private: %s", strerror(errno));
	char *shr = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(shr != MAP_FAILED, "mmap shared read-only: %s", strerror(errno));
	CHECK(!memcmp(priv, data, size) && !memcmp(shr, data, size), "mapping differs from the file");
	for (long i = size; i < len; i++)
		CHECK(priv[i] == 0, "byte %ld after the end of the file is %d", i, priv[i]);
	/* Writing the private copy changes neither the file nor other mappings. */
	priv[0] = 'X';
	priv[size - 1] ^= 0xff;
	CHECK(shr[0] == data[0] && shr[size - 1] == data[size - 1], "private write seen by a shared mapping");
	char c;
	CHECK(pread(fd, &c, 1, 0) == 1 && c == data[0], "private write reached the file");
	char *again = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(again[0] == data[0], "private write seen by a new mapping");
	/* An offset maps from there. */
	char *off = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
	CHECK(off != MAP_FAILED && !memcmp(off, data + PAGE, size - PAGE < PAGE ? size - PAGE : PAGE), "offset mapping");
	/* A page wholly beyond the end of the file is SIGBUS. */
	char *past = mmap(NULL, len + PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(past != MAP_FAILED, "mmap past the end: %s", strerror(errno));
	want_fault(past + len, 0, SIGBUS, BUS_ADRERR);
	/* Writable shared needs a writable descriptor; a shared read-only
	   mapping cannot be made writable. */
	ERRNO(sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
	ERRNO(sys_mprotect(shr, PAGE, PROT_READ | PROT_WRITE), EACCES);
	ERRNO(sys_mmap(NULL, size, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	ERRNO(sys_mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
	ERRNO(sys_mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0), EINVAL);
	int pfd[2];
	pipe(pfd);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[1], 0), EACCES);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pfd[0], 0), ENODEV);
	int dfd = open("/bin", O_RDONLY | O_DIRECTORY);
	ERRNO(sys_mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, dfd, 0), ENODEV);
	/* The mapping outlives its descriptor. */
	close(fd);
	CHECK(shr[1] == data[1], "mapping lost with its descriptor");
	/* mincore: a file page in memory counts even where not mapped. */
	unsigned char vec[2];
	CHECK(mincore(again, PAGE, vec) == 0 && vec[0] == 1, "mincore of a mapped file page");
}

/* ---- mremap ------------------------------------------------------------------ */

static void t_mremap(void) {
	catch_faults();
	char *p = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	for (int i = 0; i < 4; i++)
		p[i * PAGE] = 10 + i;
	/* Block growth in place, then grow by moving: contents kept. */
	map(p + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED);
	ERRNO(sys_mremap(p, 4 * PAGE, 8 * PAGE, 0, 0), ENOMEM);
	char *q = mremap(p, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	CHECK(q != MAP_FAILED && q != p, "mremap move: %s", strerror(errno));
	for (int i = 0; i < 4; i++)
		CHECK(q[i * PAGE] == 10 + i, "page %d after the move: %d", i, q[i * PAGE]);
	CHECK(q[50 * PAGE] == 0, "grown part not zero");
	want_fault(p, 0, SIGSEGV, SEGV_MAPERR);
	/* Shrink, then grow back in place. */
	CHECK(mremap(q, 64 * PAGE, 2 * PAGE, 0) == q, "shrink");
	want_fault(q + 2 * PAGE, 0, SIGSEGV, SEGV_MAPERR);
	CHECK(mremap(q, 2 * PAGE, 3 * PAGE, 0) == q && q[2 * PAGE] == 0, "grow in place");
	CHECK(q[PAGE] == 11, "grow in place lost contents");
	/* MREMAP_FIXED replaces what is at the target. */
	char *t = map(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE);
	CHECK(mremap(q, 3 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t) == t, "MREMAP_FIXED: %s", strerror(errno));
	CHECK(t[0] == 10 && t[PAGE] == 11, "MREMAP_FIXED contents");
	ERRNO(sys_mremap(t, PAGE, 2 * PAGE, MREMAP_FIXED, t + 100 * PAGE), EINVAL);
	ERRNO(sys_mremap(t, PAGE, 0, 0, 0), EINVAL);
	ERRNO(sys_mremap(t + 1, PAGE, PAGE, 0, 0), EINVAL);
	munmap(t + 3 * PAGE, PAGE);
	ERRNO(sys_mremap(t, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE, 0), EFAULT);
	ERRNO(sys_mremap(t, PAGE, 2 * PAGE, 0x100, 0), EINVAL);
	ERRNO(sys_mremap(t, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t), EINVAL);
	/* Shared memory grows as the same memory. */
	char *s = map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	s[0] = 42;
	char *s2 = mremap(s, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t + 10 * PAGE);
	CHECK(s2 != MAP_FAILED && s2[0] == 42, "shared mremap");
	char *dup = mremap(s2, 0, PAGE, MREMAP_MAYMOVE);
	CHECK(dup != MAP_FAILED && dup != s2, "duplicating shared memory: %s", strerror(errno));
	dup[1] = 43;
	CHECK(s2[1] == 43, "duplicate is not the same memory");
	ERRNO(sys_mremap(t, 0, PAGE, MREMAP_MAYMOVE, 0), EINVAL);
}

/* ---- fork ------------------------------------------------------------------------ */

static void t_fork(void) {
	char *priv = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *shr = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *nofork = map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *wipe = map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	static char data[PAGE] = {1};
	priv[0] = 1, shr[0] = 1, nofork[0] = 1, wipe[0] = 1;
	CHECK(madvise(nofork, PAGE, MADV_DONTFORK) == 0, "MADV_DONTFORK");
	CHECK(madvise(wipe, PAGE, MADV_WIPEONFORK) == 0, "MADV_WIPEONFORK");
	ERRNO(sys_madvise(shr, PAGE, MADV_WIPEONFORK), EINVAL);
	int pfd[2];
	pipe(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		catch_faults();
		if (priv[0] != 1 || shr[0] != 1 || data[0] != 1)
			_exit(10);
		if (wipe[0] != 0)
			_exit(11);
		if (touch(nofork, 0) != SIGSEGV)
			_exit(12);
		priv[0] = 2, shr[0] = 2, data[0] = 2, priv[PAGE] = 2, shr[PAGE] = 2;
		char c;
		read(pfd[0], &c, 1); /* the parent has written */
		if (priv[2 * PAGE] != 0 || shr[2 * PAGE] != 3 || data[1] != 0)
			_exit(13);
		_exit(0);
	}
	int st;
	/* The child's writes: private ones unseen, shared ones seen. */
	for (int i = 0; i < 200 && shr[PAGE] != 2; i++)
		usleep(10000);
	CHECK(shr[0] == 2 && shr[PAGE] == 2, "child's shared writes not seen");
	CHECK(priv[0] == 1 && priv[PAGE] == 0 && data[0] == 1, "child's private writes seen");
	priv[2 * PAGE] = 3, shr[2 * PAGE] = 3, data[1] = 3;
	write(pfd[1], "x", 1);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
}

/* A futex in shared memory is the memory's, not the address's: a child
   waiting on it at another address is woken by its parent. */
static void t_futex(void) {
	int *f = (int *)map(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	pid_t pid = fork();
	if (pid == 0) {
		/* The child sees the word at a different address too. */
		int *g = (int *)mremap(f, 0, PAGE, MREMAP_MAYMOVE);
		if (g == MAP_FAILED || g == f)
			_exit(10);
		g[1] = 1; /* ready */
		while (g[0] == 0)
			if (syscall(SYS_futex, g, FUTEX_WAIT, 0, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR)
				_exit(11);
		_exit(g[0] == 7 ? 0 : 12);
	}
	while (f[1] == 0)
		usleep(1000);
	usleep(20000); /* let the child sleep in FUTEX_WAIT */
	f[0] = 7;
	long woken = 0;
	for (int i = 0; i < 1000 && woken == 0; i++) {
		woken = syscall(SYS_futex, f, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (woken == 0)
			usleep(1000);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x (woken %ld)", st, woken);
	/* A private futex op on private memory finds its own waiters only. */
	int word = 0;
	CHECK(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0, "wake of nobody");
}

/* ---- madvise, mincore, msync, brk ------------------------------------------------ */

static void t_advice(void) {
	char *p = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *s = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	unsigned char vec[4];
	p[0] = 5, s[0] = 5;
	CHECK(mincore(p, 4 * PAGE, vec) == 0 && vec[0] == 1 && vec[1] == 0, "mincore %d %d", vec[0], vec[1]);
	CHECK(madvise(p, 4 * PAGE, MADV_DONTNEED) == 0 && p[0] == 0, "MADV_DONTNEED did not zero private memory");
	CHECK(madvise(s, 4 * PAGE, MADV_DONTNEED) == 0 && s[0] == 5, "MADV_DONTNEED lost shared memory");
	CHECK(mincore(p, 4 * PAGE, vec) == 0 && vec[0] == 1, "mincore after the read");
	p[PAGE] = 6;
	CHECK(madvise(p, 4 * PAGE, MADV_FREE) == 0, "MADV_FREE");
	ERRNO(sys_madvise(s, PAGE, MADV_FREE), EINVAL);
	CHECK(madvise(s, 4 * PAGE, MADV_REMOVE) == 0 && s[0] == 0, "MADV_REMOVE");
	CHECK(madvise(p, PAGE, MADV_WILLNEED) == 0 && madvise(p, PAGE, MADV_HUGEPAGE) == 0, "hints");
	ERRNO(sys_madvise(p, PAGE, 999), EINVAL);
	ERRNO(sys_madvise(p + 1, PAGE, MADV_NORMAL), EINVAL);
	munmap(p + PAGE, PAGE);
	ERRNO(sys_madvise(p, 4 * PAGE, MADV_NORMAL), ENOMEM);
	ERRNO(sys_mincore(p, 4 * PAGE, vec), ENOMEM);
	ERRNO(sys_mincore(p + 1, PAGE, vec), EINVAL);
	ERRNO(sys_mincore(p, PAGE, (unsigned char *)8), EFAULT);
	CHECK(madvise(p, 0, MADV_NORMAL) == 0, "madvise of nothing");
	CHECK(mlock(p, PAGE) == 0 && munlock(p, PAGE) == 0, "mlock");
	CHECK(msync(s, 4 * PAGE, MS_SYNC) == 0 && msync(s, PAGE, MS_ASYNC | MS_INVALIDATE) == 0, "msync");
	ERRNO(sys_msync(s, PAGE, MS_SYNC | MS_ASYNC), EINVAL);
	ERRNO(sys_msync(s + 1, PAGE, MS_SYNC), EINVAL);
	ERRNO(sys_msync(s, PAGE, 8), EINVAL);
	ERRNO(sys_msync(p, 4 * PAGE, MS_SYNC), ENOMEM);
}

/* brk as the system call (musl's sbrk refuses to move the break). */
static char *brk_(void *to) { return (char *)syscall(SYS_brk, to); }

static void t_brk(void) {
	char *start = brk_(0);
	CHECK(brk_(start + 3 * PAGE) == start + 3 * PAGE, "brk grow");
	memset(start, 9, 3 * PAGE);
	CHECK(brk_(start + PAGE + 5) == start + PAGE + 5, "brk shrink");
	CHECK(start[10] == 9 && start[PAGE + 4] == 9, "heap lost");
	CHECK(brk_(start + PAGE) == start + PAGE && brk_(start + 2 * PAGE) == start + 2 * PAGE, "brk shrink and grow");
	CHECK(start[PAGE + 10] == 0, "regrown heap not zero");
	CHECK(brk_(0) == start + 2 * PAGE, "brk(0)");
	CHECK(brk_((char *)1) == start + 2 * PAGE, "brk below the start moved it");
	CHECK(brk_(start + (1L << 45)) == start + 2 * PAGE, "brk into the stack moved it");
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];
	int heap = 0;
	while (f && fgets(line, sizeof line, f))
		heap |= strstr(line, "[heap]") != NULL;
	CHECK(heap, "no [heap] in /proc/self/maps");
}

/* ---- stacks ------------------------------------------------------------------------- */

static long deep(int n) {
	volatile char buf[4000];
	buf[0] = (char)n;
	return n == 0 ? buf[0] : deep(n - 1) + buf[0];
}

static void t_stack(void) {
	/* 2 MiB of main stack: it grows down, far past the 128 KiB exec gives. */
	volatile long r = deep(500);
	(void)r;
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	CHECK(rl.rlim_cur == 8 << 20, "RLIMIT_STACK %ld", (long)rl.rlim_cur);
	/* A MAP_GROWSDOWN mapping grows when touched below. */
	char *g = map((char *)0x300000000L, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN | MAP_FIXED);
	g[-PAGE] = 1;
	CHECK(g[-PAGE] == 1, "growsdown");
	FILE *f = fopen("/proc/self/maps", "r");
	CHECK(f, "open /proc/self/maps");
	char line[256];
	int stack = 0, file = 0, grown = 0;
	while (fgets(line, sizeof line, f)) {
		stack |= strstr(line, "[stack]") != NULL;
		file |= strstr(line, " /bin/memtest\n") != NULL;
		grown |= !strncmp(line, "2fffff000-300001000 rw-p", 24);
	}
	CHECK(stack && file && grown, "/proc/self/maps: stack %d file %d growsdown %d", stack, file, grown);
}

/* ---- out of memory ------------------------------------------------------------------ */

/* eat touches memory until the kernel says no: ENOMEM from mmap, or the
   OOM killer's SIGKILL. */
static void eat(void) {
	for (long total = 0;; total += 1 << 20) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("memtest: eat: mmap refused after %ld MiB: %s\n", total >> 20, strerror(errno));
			exit(errno == ENOMEM ? 0 : 1);
		}
		for (long i = 0; i < 1 << 20; i += PAGE)
			p[i] = 1;
	}
}

static void t_oom(void) {
	pid_t pid = fork();
	if (pid == 0)
		eat();
	int st;
	waitpid(pid, &st, 0);
	CHECK((WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) || (WIFEXITED(st) && WEXITSTATUS(st) == 0),
	      "memory eater status %#x", st);
	/* A single request larger than memory is refused outright. */
	ERRNO(sys_mmap(NULL, 1L << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
}

/* forkbomb forks until refused; every child waits in pause() until killed. */
static void t_forkbomb(void) {
	static pid_t kids[1 << 16];
	int n = 0;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0) {
			CHECK(errno == EAGAIN || errno == ENOMEM, "fork: %s", strerror(errno));
			printf("memtest: forkbomb: refused after %d children: %s\n", n, strerror(errno));
			break;
		}
		CHECK(n < (int)(sizeof kids / sizeof kids[0]), "fork never refused");
		kids[n++] = pid;
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	CHECK(reaped == n, "reaped %d of %d", reaped, n);
	/* The machine goes on: one more child runs. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork after the bomb: %#x", st);
}

/* Linux's initramfs has no /proc until someone mounts it; Sigil's is
   always there (and has no mount yet). */
static void need_proc(void) {
	mkdir("/proc", 0555);
	syscall(SYS_mount, "proc", "/proc", "proc", 0, NULL);
}

static struct {
	const char *name;
	void (*run)(void);
	int all; /* part of "all" */
} tests[] = {
	{"threads", t_threads, 1}, {"anon", t_anon, 1}, {"reserve", t_reserve, 1},
	{"placement", t_placement, 1}, {"file", t_file, 1}, {"mremap", t_mremap, 1},
	{"fork", t_fork, 1}, {"futex", t_futex, 1}, {"advice", t_advice, 1}, {"brk", t_brk, 1}, {"stack", t_stack, 1},
	{"oom", t_oom, 0}, {"forkbomb", t_forkbomb, 0},
};

static int run_one(const char *name) {
	current = name;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (!strcmp(tests[i].name, name)) {
			tests[i].run();
			printf("memtest: %s ok\n", name);
			return 0;
		}
	printf("memtest: no test %s\n", name);
	return 1;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IONBF, 0);
	need_proc();
	if (argc > 1 && strcmp(argv[1], "all")) {
		int rc = 0;
		for (int i = 1; i < argc; i++)
			rc |= run_one(argv[i]);
		return rc;
	}
	int n = 0, failed = 0;
	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		if (!tests[i].all)
			continue;
		n++;
		pid_t pid = fork();
		if (pid == 0)
			_exit(run_one(tests[i].name));
		int st;
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			printf("memtest: %s FAILED (status %#x)\n", tests[i].name, st);
			failed++;
		}
	}
	printf("memtest: %d of %d passed\n", n - failed, n);
	return failed ? 1 : 0;
}
