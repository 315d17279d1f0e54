/*
 * axi_slave.h - AXI4 slave model in front of the sparse memory (mem.h), for
 * the IOMMU's memory port and its data-structure port.
 *
 * Per instance: response latency (fixed + random extra), random back-pressure
 * on AW/W/AR and random gaps on R/B, responses reordered across IDs (never
 * within one ID), read bursts of different IDs interleaved beat by beat, an error predicate that turns a burst into SLVERR on every
 * beat (reads) or one SLVERR B (writes, nothing stored), and a cap on
 * outstanding transactions.  Bursts INCR, FIXED and WRAP; the data bus is
 * 64 bits, so each beat carries the 8-byte-aligned doubleword of its address.
 */
#ifndef AXI_SLAVE_H
#define AXI_SLAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "dut.h"

typedef struct {
    unsigned latency;        /* cycles from the request to its first response */
    unsigned jitter;         /* extra random cycles, 0..jitter */
    unsigned stall_pct;      /* % of cycles with AWREADY/WREADY/ARREADY low */
    unsigned gap_pct;        /* % of cycles with no R/B offered */
    bool reorder;            /* answer other IDs out of order */
    bool interleave;         /* R beats of different IDs interleaved (AXI4 allows it; a
                                burst's own beats stay in order) */
    unsigned max_outstanding;/* per direction; 0 = unlimited */
    /* true when the access [addr, addr+len) must fail; NULL = never */
    bool (*is_error)(uint64_t addr, uint64_t len);
    /* Share one data beat per cycle with every other slave that sets this
     * (one memory behind both master ports): an R beat offered or a W beat
     * accepted takes the cycle's beat.  An R beat already offered stays
     * offered (AXI) even when another slave took the beat first. */
    bool shared_bw;
} axi_slave_cfg_t;

typedef struct axi_slave axi_slave_t;

axi_slave_t *axi_slave_new(const char *name, const axi_slave_cfg_t *cfg);
void axi_slave_free(axi_slave_t *s);
void axi_slave_set_cfg(axi_slave_t *s, const axi_slave_cfg_t *cfg);
void axi_slave_get_cfg(const axi_slave_t *s, axi_slave_cfg_t *cfg);
void axi_slave_reset(axi_slave_t *s);          /* drop everything in flight */
/* Start of a cycle: the shared memory has one data beat to give again. */
void axi_slave_new_cycle(void);
void axi_slave_drive(axi_slave_t *s, axi_port_t *p, uint64_t now);
void axi_slave_update(axi_slave_t *s, const axi_port_t *p, uint64_t now);
unsigned axi_slave_inflight(const axi_slave_t *s);
/* Counters since creation. */
uint64_t axi_slave_reads(const axi_slave_t *s);
uint64_t axi_slave_writes(const axi_slave_t *s);
/* Latency seen at this port, summed over completed transactions: reads from
 * the AR handshake to the first R beat, writes from the AW handshake to B. */
void axi_slave_latency(const axi_slave_t *s, uint64_t *rd_sum, uint64_t *rd_n, uint64_t *wr_sum,
                       uint64_t *wr_n);

/* The address of beat i of a burst (AXI4 A3.4). */
uint64_t axi_beat_addr(uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned i);

#endif
