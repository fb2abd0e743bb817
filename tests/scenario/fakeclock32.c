/* fakeclock32.c — the wall clock moved, for a 32-bit build (make i386)
 * under tests/scenario/clock.sh.  Debian's libfaketime does not catch the
 * 64-bit time calls a 32-bit program built with _TIME_BITS=64 makes
 * (__clock_gettime64, __time64, __gettimeofday64), so the test preloads
 * this instead.  FAKETIME as faketime(1) takes it, the two forms the test
 * uses: "@YYYY-MM-DD HH:MM:SS" (UTC; the clock starts there and runs on)
 * or "+Nd" / "-Nd" (days from now).  Only the real-time clock moves.
 * Built with _TIME_BITS=64 like the program, where these are the names
 * the program's calls go to. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

typedef int (*clock_fn)(clockid_t, struct timespec *);

static clock_fn real_clock(void)
{
    static clock_fn fn;
    if (!fn) fn = (clock_fn)dlsym(RTLD_NEXT, "__clock_gettime64");
    return fn;
}

/* Seconds to add to the real clock: worked out on the first call. */
static long long offset(void)
{
    static int known;
    static long long off;
    if (known) return off;
    known = 1;
    const char *f = getenv("FAKETIME");
    struct timespec now;
    real_clock()(CLOCK_REALTIME, &now);
    if (!f) return off = 0;
    if (f[0] == '@') {
        struct tm tm = { 0 };
        if (sscanf(f + 1, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec) == 6) {
            tm.tm_year -= 1900;
            tm.tm_mon -= 1;
            off = (long long)timegm(&tm) - (long long)now.tv_sec;
        }
    } else {
        long long days = 0;
        if (sscanf(f, "%lldd", &days) == 1) off = days * 86400;
    }
    return off;
}

int __clock_gettime64(clockid_t id, struct timespec *ts);
int __clock_gettime64(clockid_t id, struct timespec *ts)
{
    int rc = real_clock()(id, ts);
    if (!rc && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset();
    return rc;
}

time_t __time64(time_t *t);
time_t __time64(time_t *t)
{
    struct timespec ts;
    __clock_gettime64(CLOCK_REALTIME, &ts);
    if (t) *t = ts.tv_sec;
    return ts.tv_sec;
}

int __gettimeofday64(struct timeval *tv, void *tz);
int __gettimeofday64(struct timeval *tv, void *tz __attribute__((unused)))
{
    struct timespec ts;
    int rc = __clock_gettime64(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return rc;
}
