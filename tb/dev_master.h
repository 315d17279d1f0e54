/*
 * dev_master.h - device DMA master on the IOMMU's device port.
 *
 * Transactions are queued with dev_master_submit() and go out in submission
 * order per channel (reads on AR, writes on AW and W).  Several may be
 * outstanding (up to max_outstanding per direction) with any mix of IDs.
 * Options: random bubbles on AR/AW/W VALID, random back-pressure on R/B
 * READY, and W beats sent before their AW (w_first).  Each response is
 * charged to the oldest outstanding transaction of its ID; a finished
 * transaction moves to the done list, where its owner takes it.
 * Data on the 64-bit bus sits in the byte lanes of each beat's address.
 */
#ifndef DEV_MASTER_H
#define DEV_MASTER_H

#include <stdbool.h>
#include <stdint.h>

#include "dut.h"

typedef struct dma_txn {
    /* request */
    bool write;
    uint32_t id;
    uint64_t addr;
    unsigned len;            /* AxLEN: beats - 1 */
    unsigned size;           /* AxSIZE: log2 bytes per beat */
    unsigned burst;          /* 0 FIXED, 1 INCR, 2 WRAP */
    uint64_t user;           /* {PV, process_id, device_id} */
    unsigned prot;
    bool w_first;            /* offer W beats before the AW */
    uint64_t *data;          /* len+1 beat values (low 2^size bytes); writes: input, reads: output */
    /* result */
    bool done;
    bool b_early;            /* B arrived before the last W beat was sent */
    unsigned resp;           /* first non-OKAY response, else OKAY */
    unsigned *beat_resp;     /* reads: response of each beat */
    unsigned beats;          /* reads: R beats received */
    uint64_t t_submit, t_addr, t_first, t_done;   /* cycles: queued, A handshake, first R/B, last */
    uint64_t tag;            /* caller's */
    struct dma_txn *next;
} dma_txn_t;

typedef struct {
    unsigned bubble_pct;     /* % of cycles with AR/AW/W VALID withheld (before it is shown) */
    unsigned stall_pct;      /* % of cycles with RREADY/BREADY low */
    unsigned max_outstanding;/* per direction; 0 = unlimited */
} dev_master_cfg_t;

typedef struct dev_master dev_master_t;

dev_master_t *dev_master_new(const dev_master_cfg_t *cfg);
void dev_master_free(dev_master_t *d);
void dev_master_set_cfg(dev_master_t *d, const dev_master_cfg_t *cfg);
void dev_master_get_cfg(const dev_master_t *d, dev_master_cfg_t *cfg);
/* Allocates a transaction with room for its beats (data zeroed). */
dma_txn_t *dma_txn_new(bool write, uint64_t addr, unsigned len, unsigned size);
void dma_txn_free(dma_txn_t *t);
void dev_master_submit(dev_master_t *d, dma_txn_t *t, uint64_t now);
dma_txn_t *dev_master_take_done(dev_master_t *d);   /* NULL when none */
unsigned dev_master_busy(const dev_master_t *d);      /* submitted and not done */
void dev_master_reset(dev_master_t *d);              /* abandon everything (frees it) */
void dev_master_drive(dev_master_t *d, axi_port_t *p, uint64_t now);
void dev_master_update(dev_master_t *d, const axi_port_t *p, uint64_t now);

#endif
