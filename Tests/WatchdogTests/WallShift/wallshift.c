// A wall clock that steps while a process runs, for the tests of SPEC §12 (*Time*):
// loaded with LD_PRELOAD, it adds the seconds written in the file WALLSHIFT_FILE names
// (a decimal number, negative for a step back) to every reading of the wall clock
// (CLOCK_REALTIME, gettimeofday, time). The monotonic clocks are left alone, so the
// process sees exactly what an NTP step or `date -s` does to it. The file is read again
// at most every 20 ms of monotonic time; no allocation, only open/read/close.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static long long cached_offset_ns;
static long long cached_at_ns = -1;

static long long monotonic_ns(void) {
    struct timespec now;
    real_clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static long long offset_ns(void) {
    long long now = monotonic_ns();
    long long at = __atomic_load_n(&cached_at_ns, __ATOMIC_ACQUIRE);
    if (at >= 0 && now - at < 20000000LL) return __atomic_load_n(&cached_offset_ns, __ATOMIC_RELAXED);
    long long offset = 0;
    const char *path = getenv("WALLSHIFT_FILE");
    int descriptor = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (descriptor >= 0) {
        char text[64];
        ssize_t length = read(descriptor, text, sizeof text - 1);
        close(descriptor);
        if (length > 0) {
            text[length] = 0;
            offset = (long long)(strtod(text, NULL) * 1e9);
        }
    }
    __atomic_store_n(&cached_offset_ns, offset, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_at_ns, now, __ATOMIC_RELEASE);
    return offset;
}

static void shift(struct timespec *time) {
    long long total = (long long)time->tv_sec * 1000000000LL + time->tv_nsec + offset_ns();
    time->tv_sec = (time_t)(total / 1000000000LL);
    time->tv_nsec = (long)(total % 1000000000LL);
    if (time->tv_nsec < 0) {
        time->tv_nsec += 1000000000L;
        time->tv_sec -= 1;
    }
}

int clock_gettime(clockid_t clock, struct timespec *time) {
    if (!real_clock_gettime) real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
    int result = real_clock_gettime(clock, time);
    if (result == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) shift(time);
    return result;
}

int gettimeofday(struct timeval *restrict value, void *restrict zone) {
    (void)zone;
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) return -1;
    if (value) {
        value->tv_sec = now.tv_sec;
        value->tv_usec = now.tv_nsec / 1000;
    }
    return 0;
}

time_t time(time_t *result) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (result) *result = now.tv_sec;
    return now.tv_sec;
}
