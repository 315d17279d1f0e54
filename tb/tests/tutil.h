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

/* ---- command queue (spec: "Command-Queue (CQ)", cqb/cqh/cqt/cqcsr) ---------------- */
/* A 16-byte command: two little-endian doublewords. */
typedef struct {
    uint64_t dw0, dw1;
} cq_cmd_t;

/* Program cqb (base, 2^(log2szm1+1) entries), cqt = 0, cqcsr.cqen (+ cie),
 * then wait for cqon = 1 with busy = 0.  The helpers below keep a shadow of
 * cqt from here on. */
void cq_enable(uint64_t base, unsigned log2szm1, bool cie);
/* Address of queue entry idx (cqb.PPN * 4096 + idx * 16). */
uint64_t cq_entry_addr(uint32_t idx);
/* Write c at the shadow tail in memory and advance the shadow tail (mod the
 * size) without writing cqt; returns the index written.  cq_ring() then
 * publishes every command put so far with one cqt write. */
uint32_t cq_put(cq_cmd_t c);
void cq_ring(void);
/* cq_put + cq_ring: one command, returns its index. */
uint32_t cq_submit(cq_cmd_t c);
uint32_t cq_tail(void);               /* the shadow tail (what cqt holds after cq_ring) */
void cq_set_tail(uint32_t t);         /* the shadow tail after software wrote cqt itself */
/* Wait until cqh == the shadow tail; false after `timeout` cycles. */
bool cq_wait_idle(uint64_t timeout);

/* Command encoders (spec: command formats; dw0 bits 6:0 opcode, 9:7 func3). */
#define CQ_OP_IOTINVAL 1u
#define CQ_OP_IOFENCE  2u
#define CQ_OP_IODIR    3u
#define CQ_OP_ATS      4u
/* IOTINVAL.VMA (func3 0) / .GVMA (func3 1): AV 10, PSCID 31:12, PSCV 32, GV 33,
 * GSCID 59:44; dw1 61:10 = ADDR[63:12]. */
cq_cmd_t cmd_iotinval(unsigned func3, bool av, uint64_t addr, bool pscv, uint32_t pscid, bool gv,
                      uint32_t gscid);
/* IOFENCE.C: AV 10, WSI 11, PR 12, PW 13, DATA 63:32; dw1 61:0 = ADDR[63:2]. */
cq_cmd_t cmd_iofence(bool av, bool wsi, bool pr, bool pw, uint64_t addr, uint32_t data);
/* IODIR.INVAL_DDT (func3 0) / INVAL_PDT (func3 1): PID 31:12, DV 33, DID 63:40. */
cq_cmd_t cmd_iodir(unsigned func3, bool dv, uint32_t did, uint32_t pid);

#endif
