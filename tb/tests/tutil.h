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

/* ---- raw translation structures (tests that need exact bits) ------------------ */
/* PTE bits (privileged spec). */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_N (1ull << 63)
#define PTE_RWUAD (PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)

/* Zeroed 4 KiB table pages handed out upwards from `base`. */
void pt_alloc_init(uint64_t base);
uint64_t pt_alloc(void);

/* A device directory in ddtp mode 2 (1LVL), 3 (2LVL) or 4 (3LVL), base DCs. */
typedef struct {
    unsigned mode;
    uint64_t root;
} ddt_t;
/* Address of the DC of `did`, creating non-leaf entries on the way. */
uint64_t ddt_dc_addr(ddt_t *d, uint32_t did);
void dc_write(ddt_t *d, uint32_t did, uint64_t tc, uint64_t gatp, uint64_t ta, uint64_t fsc);

/* First-stage tables: levels 3 Sv39, 4 Sv48, 5 Sv57.  Maps iova with the leaf
 * PTE `pte` at `level` (0 = 4 KiB), creating tables; returns the PTE's address. */
uint64_t pt_map(uint64_t root, unsigned levels, uint64_t iova, unsigned level, uint64_t pte);
/* A leaf PTE for physical address pa with flags. */
uint64_t pt_leaf(uint64_t pa, uint64_t flags);
/* iosatp (DC.fsc) of a first-stage table of `levels` levels rooted at root. */
uint64_t pt_satp(unsigned levels, uint64_t root);
/* ddtp = mode + root, then wait for ddtp.busy = 0. */
void set_ddtp(unsigned mode, uint64_t root);

#endif
