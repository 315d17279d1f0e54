/*
 * scenario.h - the `.scn` scenario runner.
 *
 * Interprets the stimulus language of the scenario format document
 * (scenario-format.md, a contract shared with everyone who writes
 * scenarios) on top of the blocking test-bench API of tb.h.  The whole file
 * is parsed first; a script with any malformed line is reported line by line
 * and not run at all.
 */
#ifndef SCENARIO_H
#define SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    bool keep_going;    /* run to the end, listing every failure */
    bool quiet;         /* print only failures, print32/print64 and the summary */
} scn_opts_t;

/* Exit statuses of scn_run(), as the format defines them. */
enum { SCN_PASS = 0, SCN_FAIL = 1, SCN_MALFORMED = 2 };

/*
 * Runs the scenario file `path`.  Informational lines, expectation failures and
 * the final summary line (`PATH: N passed, M failed`) go to `out`; malformed-
 * script and unreadable-file messages go to `err`.  `opts`, `out` and `err` may
 * be NULL (defaults, stdout, stderr).
 *
 * Returns SCN_PASS when every expectation held, SCN_FAIL when one failed (or an
 * access got no response), SCN_MALFORMED for a malformed script or a file that
 * cannot be read; in that case nothing was run.
 */
int scn_run(const char *path, const scn_opts_t *opts, FILE *out, FILE *err);

#endif
