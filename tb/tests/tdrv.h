/*
 * tdrv.h - set-up through the driver library (sw/, simulator backend) for the
 * built-in tests and benchmarks that need a normally working IOMMU rather than
 * exact register or in-memory bits: bring-up (command queue, fault queue,
 * directory mode), one paging domain per device, mappings with a chosen page
 * size, and teardown.  The library places its directory, tables and queues in
 * a window of bench memory the caller names; iommu_info_t tells where.
 *
 * Every helper reports a library error through CHECK (with the call and the
 * status string) and returns false or NULL, so a test can stop at once.
 */
#ifndef TDRV_H
#define TDRV_H

#include <stdbool.h>
#include <stdint.h>

#include "iommu_drv.h"
#include "sim.h"

/* A library call that must succeed; otherwise CHECK and return 1. */
#define TRY(call)                                                                       \
    do {                                                                                \
        int rc_ = (call);                                                               \
        CHECK(rc_ == IOMMU_OK, "%s: %s", #call, iommu_strerror(rc_));                   \
        if (rc_ != IOMMU_OK) return 1;                                                  \
    } while (0)
/* A library call with an expected status. */
#define CHECK_RC(call, want)                                                            \
    do {                                                                                \
        int rc_ = (call), w_ = (want);                                                  \
        CHECK(rc_ == w_, "%s: %s, expected %s", #call, iommu_strerror(rc_),             \
              iommu_strerror(w_));                                                      \
    } while (0)

#define TDRV_MAX_DOMAINS 8u

typedef struct {
    iommu_sim_t sim;
    iommu_platform_t plat;
    iommu_t *h;                           /* NULL while down */
    iommu_info_t info;                    /* what bring-up chose (queues, ddt_root, ...) */
    unsigned ndom;
    iommu_domain_t *dom[TDRV_MAX_DOMAINS];
    uint32_t did[TDRV_MAX_DOMAINS];       /* the device attached to dom[i] */
} tdrv_t;

/* iommu_init on the simulator backend over [base, base + size) with the
 * library's defaults (both queues, interrupts off), except: the directory in
 * ddtp mode `ddt_mode` exactly (1 Bare, 2 1LVL, 3 2LVL, 4 3LVL; checked after
 * bring-up), and with no_cq the command queue left to the caller (the library
 * then issues no command; see iommu_config_t.no_cq). */
bool tdrv_up(tdrv_t *t, uint64_t base, uint64_t size, unsigned ddt_mode, bool no_cq);

/* A paging domain with a first-stage table of `levels` levels (3 Sv39, 4 Sv48,
 * 5 Sv57) and device `did` attached to it. */
iommu_domain_t *tdrv_paging(tdrv_t *t, unsigned levels, uint32_t did);

/* Map [iova, iova + len) to [pa, pa + len) with pages of exactly `pgsize`
 * (IOMMU_PGSIZE_*; iova, pa and len aligned to it), read/write: one
 * iommu_map per page, and a call whose size is one page maps exactly that
 * page (iommu_map picks the largest page that fits the size). */
bool tdrv_map(iommu_domain_t *dom, uint64_t iova, uint64_t pa, uint64_t len, uint64_t pgsize);

/* PSCID of a paging domain. */
uint32_t tdrv_pscid(const iommu_domain_t *dom);

/* Detach every device, free every domain, iommu_fini, free the backend.
 * Nothing when down.  Call it before tb_reset() (iommu_fini talks to the
 * IOMMU the handle brought up). */
void tdrv_down(tdrv_t *t);

#endif
