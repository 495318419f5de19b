/* callgrind client requests for `run --counts` (crates/host/src/counts.rs). Compiled by
 * build.rs with the system C compiler. Without valgrind's headers the requests are absent
 * and interop_cg_available() says so; outside valgrind they are a few no-op instructions. */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define INTEROP_HAVE_CALLGRIND 1
#endif
#endif

int interop_cg_available(void) {
#ifdef INTEROP_HAVE_CALLGRIND
    return 1;
#else
    return 0;
#endif
}

unsigned interop_cg_running(void) {
#ifdef INTEROP_HAVE_CALLGRIND
    return RUNNING_ON_VALGRIND;
#else
    return 0;
#endif
}

/* Instrument from here on, counting from zero. */
void interop_cg_begin(void) {
#ifdef INTEROP_HAVE_CALLGRIND
    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_ZERO_STATS;
#endif
}

/* Write the counts since interop_cg_begin to the next dump file, stop instrumenting. */
void interop_cg_end(const char *label) {
#ifdef INTEROP_HAVE_CALLGRIND
    CALLGRIND_DUMP_STATS_AT(label);
    CALLGRIND_STOP_INSTRUMENTATION;
#else
    (void)label;
#endif
}
