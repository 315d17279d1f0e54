/*
 * monitor.h - AXI4 / AXI4-Lite protocol monitor for one port.  Watches every
 * cycle and reports (stderr) and counts each violation of:
 *   - VALID held until READY, payload stable while VALID && !READY (all channels);
 *   - no R without an outstanding AR of that ID, no B without an outstanding
 *     AW of that ID whose W beats have all been sent;
 *   - the R beats of a read: exactly AxLEN+1 with RLAST on the last one;
 *   - the W beats of a write: WLAST exactly on beat AWLEN+1 (W may lead AW);
 *   - responses of one ID in request order (follows from the above: each R/B
 *     is charged to the oldest outstanding request of its ID).
 */
#ifndef MONITOR_H
#define MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "dut.h"

typedef struct monitor monitor_t;

monitor_t *monitor_new(const char *name, bool lite);
void monitor_free(monitor_t *m);
void monitor_reset(monitor_t *m);               /* forget outstanding state (bus reset) */
void monitor_sample(monitor_t *m, const axi_port_t *p, uint64_t now);
unsigned monitor_violations(const monitor_t *m);
unsigned monitor_outstanding(const monitor_t *m);  /* requests without their response */

#endif
