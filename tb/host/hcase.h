/*
 * hcase.h - the small case harness of the host unit tests (tb/host/test_*.c):
 * cases with a name, CHECK inside them, a summary line "N passed, M failed".
 * A failing case prints "FAIL name" once, then file:line and the failed
 * expression (at most 10 per case), then whatever hc_detail prints.
 */
#ifndef HCASE_H
#define HCASE_H

#include <stdbool.h>

void hc_begin(const char *name);   /* name must live until hc_end */
void hc_end(void);
bool hc_failed(void);              /* the current case has failed */
void hc_check(bool ok, const char *file, int line, const char *what);
/* Prints the summary line; returns the exit status (1 when a case failed). */
int hc_summary(void);
/* Called after each printed failure, for test-specific context; NULL = none. */
extern void (*hc_detail)(void);

#define CHECK(c) hc_check((c), __FILE__, __LINE__, #c)

#endif
