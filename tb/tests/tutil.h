/*
 * tutil.h - small helpers shared by the built-in tests: register access that
 * checks the AXI response, mode changes that wait for ddtp.busy, fault-queue
 * set-up and record decoding, single DMAs.  Each helper reports failures
 * through CHECK, so a test reads as a list of steps.
 */
#ifndef TUTIL_H
#define TUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu_regs.h"
#include "sim.h"

uint64_t rd64(uint32_t off);
uint32_t rd32(uint32_t off);
void wr64(uint32_t off, uint64_t v);
void wr32(uint32_t off, uint32_t v);
/* Write ddtp.iommu_mode (PPN 0) and wait until ddtp.busy is 0. */
void set_mode(unsigned mode);
/* Wait until (read & mask) == want; false after `timeout` cycles. */
bool poll_reg(uint32_t off, unsigned size, uint64_t want, uint64_t mask, uint64_t timeout);

/* Program fqb (base, log2szm1), fqh = 0, and enable the fault queue with fie. */
void fq_enable(uint64_t base, unsigned log2szm1, bool fie);

typedef struct {
    unsigned cause, ttyp;
    uint32_t pid, did;
    bool pv, priv;
    uint64_t dw1, iotval, iotval2;
} fault_rec_t;
/* Decode the record at index idx of a queue based at `base`, straight from memory. */
fault_rec_t fq_record(uint64_t base, uint32_t idx);

/* One single-beat DMA; returns the AXI response (-1 on a timeout). */
int dma_rd(uint32_t dev, uint64_t iova, unsigned size, uint64_t *data);
int dma_wr(uint32_t dev, uint64_t iova, unsigned size, uint64_t data);

#endif
