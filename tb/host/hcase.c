/* hcase.c - see hcase.h. */
#include "hcase.h"

#include <stdio.h>

void (*hc_detail)(void);

static const char *cur;
static bool cur_failed;
static unsigned msgs, passed, failed;

void hc_begin(const char *name) {
    cur = name;
    cur_failed = false;
    msgs = 0;
}

void hc_end(void) {
    if (cur_failed) failed++;
    else passed++;
}

bool hc_failed(void) { return cur_failed; }

void hc_check(bool ok, const char *file, int line, const char *what) {
    if (ok) return;
    if (!cur_failed) printf("FAIL %s\n", cur);
    cur_failed = true;
    if (msgs++ >= 10u) return;
    printf("  %s:%d: %s\n", file, line, what);
    if (hc_detail) hc_detail();
}

int hc_summary(void) {
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0u;
}
