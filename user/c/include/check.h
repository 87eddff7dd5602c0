/* check.h: the checks the test programs share.

   A program defines TEST_NAME (the first word of each of its lines)
   before including this, and sets current to the name of the case
   running, if it runs cases by name. A failed check prints
   "TEST_NAME: CASE FAILED line N: what happened", marks the run failed
   and leaves the case with FAIL_RETURN: `return` (a void case) unless
   the program defines it first (`return 1` for cases that return int,
   nothing where every failure in a case is to be reported). In a forked
   child, the C* forms report and _exit(1). */
#ifndef SIGIL_CHECK_H
#define SIGIL_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef TEST_NAME
#error "check.h: define TEST_NAME first"
#endif
#ifndef FAIL_RETURN
#define FAIL_RETURN return
#endif

static const char *current; /* the case running, or NULL */
static int failed;          /* a check failed */

#define FAIL_AT(where) printf("%s: %s%s" where " line %d: ", TEST_NAME, current ? current : "", current ? " " : "", __LINE__)
#define FAIL(...) do { FAIL_AT("FAILED"); printf(__VA_ARGS__); printf("\n"); fflush(stdout); failed = 1; FAIL_RETURN; } while (0)
#define CHECK(c, ...) do { if (!(c)) FAIL(__VA_ARGS__); } while (0)
/* OK: the call succeeded (did not return -1). */
#define OK(call) do { errno = 0; long r_ = (long)(call); CHECK(r_ != -1, "%s = %ld: %s", #call, r_, strerror(errno)); } while (0)
/* ERRNO: the call failed with errno e. */
#define ERRNO(call, e) do { errno = 0; long r_ = (long)(call); CHECK(r_ == -1 && errno == (e), \
	"%s = %ld errno %d (%s), want %s", #call, r_, errno, strerror(errno), #e); } while (0)
/* EQ: the call returned want. */
#define EQ(call, want) do { errno = 0; long r_ = (long)(call); CHECK(r_ == (long)(want), "%s = %ld (%s), want %ld", \
	#call, r_, strerror(errno), (long)(want)); } while (0)

#define CFAIL(...) do { FAIL_AT("FAILED (child)"); printf(__VA_ARGS__); printf("\n"); fflush(stdout); _exit(1); } while (0)
#define CCHECK(c, ...) do { if (!(c)) CFAIL(__VA_ARGS__); } while (0)
#define CERRNO(call, e) do { errno = 0; long r_ = (long)(call); CCHECK(r_ == -1 && errno == (e), \
	"%s = %ld errno %d (%s), want %s", #call, r_, errno, strerror(errno), #e); } while (0)

#endif
