/*
 * iommu_hw.h - hardware layer of the RISC-V IOMMU driver library.
 *
 *   sw/hw.c       handle, probe (capabilities and WARL discovery), bring-up, teardown
 *   sw/queue.c    command encoders, command queue (submit, sync), fault queue
 *   sw/ddt.c      device directory (1, 2, 3 levels) and device contexts
 *   sw/pgtable.c  Sv39/Sv48/Sv57 first-stage page tables
 *
 * Functions that WRITE A STRUCTURE (ddt, pgtable) never issue commands, and
 * functions that INVALIDATE (queue) never touch structures: the domain layer
 * (iommu_drv.h) combines them in the spec's order.  So tables can be built,
 * and checked, on hardware whose command queue does not work yet.
 *
 * The caller serializes all calls on one handle (one thread, or a lock).
 */
#ifndef IOMMU_HW_H
#define IOMMU_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_formats.h"
#include "iommu_platform.h"
#include "iommu_regs.h"
#include "iommu_status.h"

typedef struct iommu iommu_t; /* opaque: one per IOMMU instance */

/* ===================================================================== */
/* Configuration, bring-up, teardown (sw/hw.c)                           */
/* ===================================================================== */

/* Directory mode requested at bring-up. */
typedef enum iommu_ddt_cfg {
    IOMMU_DDT_CFG_AUTO = 0,  /* = MAX_3LVL: the deepest supported directory */
    IOMMU_DDT_CFG_OFF,       /* leave ddtp Off (queues still come up) */
    IOMMU_DDT_CFG_BARE,      /* pass-through: no translation, no domains attach */
    IOMMU_DDT_CFG_MAX_1LVL,  /* try 1LVL */
    IOMMU_DDT_CFG_MAX_2LVL,  /* try 2LVL, then 1LVL */
    IOMMU_DDT_CFG_MAX_3LVL,  /* try 3LVL, then 2LVL, then 1LVL */
} iommu_ddt_cfg_t;

typedef struct iommu_config {
    uint32_t cq_log2_entries; /* command queue: 2^n 16-byte commands; 0 = 8 (256) */
    uint32_t fq_log2_entries; /* fault queue: 2^n 32-byte records; 0 = 7 (128) */
    iommu_ddt_cfg_t ddt_mode;
    uint32_t timeout_us;      /* bound of every wait; 0 = 100000 */
    bool irq_enable;          /* set cqcsr.cie and fqcsr.fie (wired interrupts) */
    uint32_t civ, fiv;        /* icvec vectors of the CQ and FQ interrupts (taken
                                 modulo the number of vectors the IOMMU has) */
    uint32_t max_pscid;       /* PSCIDs 1..max_pscid are handed to domains; 0 = 1023 */
    uint32_t inval_threshold; /* unmap: per-page IOTINVAL up to this many commands,
                                 above it one per-PSCID IOTINVAL; 0 = 32 */
    /* No command queue: do not enable it, and let the domain layer skip every
     * invalidation and fence.  Only for bring-up on hardware whose command
     * queue cannot execute commands yet and which caches nothing, or when the
     * caller runs the command queue itself and so owns every invalidation
     * (the simulator's cq_inval_* benchmarks); the structure-level functions
     * are unaffected. */
    bool no_cq;
} iommu_config_t;

/* What probe found and bring-up chose. */
typedef struct iommu_info {
    uint64_t caps;            /* capabilities register */
    uint32_t fctl;            /* fctl after bring-up */
    uint32_t version;         /* capabilities.version (0x10 = 1.0) */
    uint32_t pas;             /* physical address bits */
    uint32_t ddt_modes;       /* bit m set: ddtp.iommu_mode m is supported (probed) */
    uint32_t ddt_mode;        /* ddtp.iommu_mode in use */
    uint32_t did_width;       /* device_id bits the directory covers (0 if none) */
    uint32_t dc_size;         /* 32 (base) or 64 (extended) bytes */
    uint32_t cq_log2_entries; /* accepted by the WARL cqb.LOG2SZ-1 (+1); 0 if no CQ */
    uint32_t fq_log2_entries;
    uint32_t nvec;            /* interrupt vectors (icvec write/read-back) */
    uint32_t atp_modes;       /* bit m set: iosatp.MODE m supported (8 Sv39, 9 Sv48, 10 Sv57) */
    uint64_t ddt_root;        /* physical address of the directory root page */
    uint64_t cq_phys, fq_phys;
} iommu_info_t;

/* Fill *cfg with the defaults (all fields zero). */
void iommu_config_default(iommu_config_t *cfg);

/* Probe and bring up the IOMMU.  Probe (with the IOMMU Off): read
 * capabilities, check version 1.x; take the IOMMU over (ddtp to Off keeping
 * its PPN, disable the queues); fctl little-endian and WSI; discover the
 * queue sizes by writing cqb/fqb.LOG2SZ-1 and reading them back, the vector
 * count through icvec, and the directory mode by writing the wanted mode and
 * reading it back (3LVL -> 2LVL -> 1LVL), returning to Off after each try.
 * Bring-up, in the spec's order: command queue (cqb, cqt = 0, cqen, wait
 * cqon), fault queue (fqb, fqh = 0, fqen/fie, wait fqon), icvec, invalidate
 * every cached directory/translation entry and fence, then ddtp (waiting
 * while ddtp.busy).  *out gets the handle.  On error everything enabled is
 * disabled again and everything allocated freed. */
IOMMU_MUST_CHECK int iommu_init(const iommu_platform_t *plat, const iommu_config_t *cfg,
                                iommu_t **out);

/* Turn the IOMMU off (ddtp Off, invalidate all, fault and command queues
 * disabled) and free the handle and every structure it owns.  IOMMU_EBUSY
 * (nothing touched) while domains exist.  Hardware errors on the way are
 * reported, but the teardown completes and the handle is freed regardless. */
IOMMU_MUST_CHECK int iommu_fini(iommu_t *h);

IOMMU_MUST_CHECK int iommu_get_info(const iommu_t *h, iommu_info_t *info);

/* Raw register access (diagnostics, tests).  off must be aligned to the size
 * and inside the 4-KiB page. */
IOMMU_MUST_CHECK int iommu_reg_read32(iommu_t *h, uint32_t off, uint32_t *val);
IOMMU_MUST_CHECK int iommu_reg_read64(iommu_t *h, uint32_t off, uint64_t *val);
IOMMU_MUST_CHECK int iommu_reg_write32(iommu_t *h, uint32_t off, uint32_t val);
IOMMU_MUST_CHECK int iommu_reg_write64(iommu_t *h, uint32_t off, uint64_t val);

/* ===================================================================== */
/* Commands and the command queue (sw/queue.c)                           */
/* ===================================================================== */

typedef struct iommu_cmd {
    uint64_t dw[2];
} iommu_cmd_t;

/* IOTINVAL operand flags */
#define IOMMU_INVAL_AV   (1u << 0) /* ADDR valid: one page */
#define IOMMU_INVAL_PSCV (1u << 1) /* PSCID valid (VMA only) */
#define IOMMU_INVAL_GV   (1u << 2) /* GSCID valid */
/* IOFENCE.C flags */
#define IOMMU_FENCE_AV  (1u << 0)  /* write DATA to ADDR on completion */
#define IOMMU_FENCE_WSI (1u << 1)  /* set cqcsr.fence_w_ip (needs fctl.WSI = 1) */
#define IOMMU_FENCE_PR  (1u << 2)  /* commit previous device reads */
#define IOMMU_FENCE_PW  (1u << 3)  /* commit previous device writes */

/* Encoders: fill *cmd (both dwords; every other bit zero).  IOMMU_EINVAL for
 * an unknown flag or an operand wider than its field: gscid 16 bits, pscid
 * 20 bits, did 24 bits, pid 20 bits; addr (with AV) 4-KiB aligned for
 * IOTINVAL, 4-byte aligned for IOFENCE.C.  Operands whose valid flag is clear
 * must be 0. */
IOMMU_MUST_CHECK int iommu_cmd_iotinval_vma(iommu_cmd_t *cmd, unsigned flags, uint32_t gscid,
                                            uint32_t pscid, uint64_t addr);
/* IOTINVAL.GVMA: IOMMU_INVAL_PSCV is illegal here (IOMMU_EINVAL). */
IOMMU_MUST_CHECK int iommu_cmd_iotinval_gvma(iommu_cmd_t *cmd, unsigned flags, uint32_t gscid,
                                             uint64_t addr);
/* IODIR.INVAL_DDT: dv = false invalidates every device (did must be 0). */
IOMMU_MUST_CHECK int iommu_cmd_iodir_inval_ddt(iommu_cmd_t *cmd, bool dv, uint32_t did);
/* IODIR.INVAL_PDT: DV is always 1. */
IOMMU_MUST_CHECK int iommu_cmd_iodir_inval_pdt(iommu_cmd_t *cmd, uint32_t did, uint32_t pid);
IOMMU_MUST_CHECK int iommu_cmd_iofence_c(iommu_cmd_t *cmd, unsigned flags, uint64_t addr,
                                         uint32_t data);

/* Queue n commands: for each, reserve a slot (waiting, bounded, while the
 * queue is full), write its two dwords; then wmb and one cqt doorbell.
 * IOMMU_ENODEV without a command queue; IOMMU_ECMDILL/ECQMF/ECMDTO when
 * cqcsr reports an error while waiting for room; IOMMU_ETIMEDOUT. */
IOMMU_MUST_CHECK int iommu_cq_submit(iommu_t *h, const iommu_cmd_t *cmds, size_t n);

/* Wait until every command queued so far has completed: queue IOFENCE.C
 * (AV=1, PR=1, PW=1) that writes a fresh sequence number to a completion word,
 * then wait (bounded) until the word holds it and cqh has reached the tail.
 * cqcsr.cmd_ill, cqmf and cmd_to are returned as IOMMU_ECMDILL, IOMMU_ECQMF,
 * IOMMU_ECMDTO (left set: see iommu_cq_recover). */
IOMMU_MUST_CHECK int iommu_cq_sync(iommu_t *h);

/* After a command-queue error: replace the command at cqh (the illegal one,
 * or the one whose fetch or fence write faulted) by a no-op IOFENCE.C, clear
 * cmd_ill, cqmf, cmd_to and fence_w_ip (W1C), so that processing resumes
 * with the next command; with interrupts enabled, then clear ipsr.cip (W1C),
 * which would otherwise keep the wired interrupt asserted.  Call it from the
 * cip handler too.  *errs (may be NULL) gets the cqcsr error bits seen.
 * The command that was replaced is lost: resubmit it if it still matters. */
IOMMU_MUST_CHECK int iommu_cq_recover(iommu_t *h, uint32_t *errs);

/* Invalidation helpers: queue (no sync) the command(s) the spec's software
 * guidelines name.  Follow with iommu_cq_sync(). */
/* IODIR.INVAL_DDT DV=1 DID=did */
IOMMU_MUST_CHECK int iommu_inval_ddt(iommu_t *h, uint32_t did);
/* IODIR.INVAL_DDT DV=0: every device */
IOMMU_MUST_CHECK int iommu_inval_ddt_all(iommu_t *h);
/* IOTINVAL.VMA GV=0 AV=0 PSCV=1: every entry of the address space pscid */
IOMMU_MUST_CHECK int iommu_inval_vma_pscid(iommu_t *h, uint32_t pscid);
/* IOTINVAL.VMA GV=0 AV=1 PSCV=1: the leaf entries for iova (4-KiB aligned) in pscid */
IOMMU_MUST_CHECK int iommu_inval_vma_page(iommu_t *h, uint32_t pscid, uint64_t iova);
/* IOTINVAL.VMA GV=AV=PSCV=0: everything of every host address space */
IOMMU_MUST_CHECK int iommu_inval_vma_all(iommu_t *h);

/* ===================================================================== */
/* Fault queue (sw/queue.c)                                              */
/* ===================================================================== */

typedef struct iommu_fault {
    uint32_t cause;           /* CAUSE (12 bits) */
    const char *cause_name;   /* e.g. "read page fault"; never NULL */
    uint32_t ttyp;            /* transaction type (6 bits) */
    const char *ttyp_name;    /* e.g. "untranslated read"; never NULL */
    uint32_t did;             /* device_id */
    bool pv;                  /* process_id valid */
    uint32_t pid;             /* process_id (meaningful when pv) */
    bool priv;                /* privileged request */
    uint32_t custom;          /* dword 1 bits 31:0 (implementation defined) */
    uint64_t iotval, iotval2;
} iommu_fault_t;

/* fqcsr errors reported by iommu_fq_drain */
#define IOMMU_FQ_ERR_MF (1u << 0) /* fqmf: a record write got a memory fault */
#define IOMMU_FQ_ERR_OF (1u << 1) /* fqof: records were dropped, queue full */

/* Decode one 32-byte record (four little-endian dwords). */
IOMMU_MUST_CHECK int iommu_fault_decode(const uint64_t rec[4], iommu_fault_t *f);
const char *iommu_fault_cause_name(uint32_t cause);
const char *iommu_fault_ttyp_name(uint32_t ttyp);

/* Drain the fault queue in the order the spec's interrupt guideline gives:
 * read fqcsr; clear fqmf/fqof (W1C) and report them in *errs; clear ipsr.fip;
 * read fqt; decode up to `max` records from fqh on into out[]; advance fqh.
 * *n gets the number decoded (fewer than available when max is reached: call
 * again).  out may be NULL only when max is 0 (then only the errors are
 * handled).  IOMMU_ENODEV when the fault queue is not enabled. */
IOMMU_MUST_CHECK int iommu_fq_drain(iommu_t *h, iommu_fault_t *out, size_t max, size_t *n,
                                    uint32_t *errs);

/* ===================================================================== */
/* Device directory (sw/ddt.c)                                           */
/* ===================================================================== */

/* A device context.  The base format uses tc..fsc; msiptp and the MSI
 * fields are written only with the 64-byte extended format (MSI_FLAT). */
typedef struct iommu_dc {
    uint64_t tc, iohgatp, ta, fsc;
    uint64_t msiptp, msi_addr_mask, msi_addr_pattern, reserved;
} iommu_dc_t;

/* A valid DC translating through a first-stage table: tc.V = 1, iohgatp Bare,
 * ta.PSCID = pscid, fsc = iosatp {atp_mode, root >> 12}.  IOMMU_EINVAL for a
 * bad mode, unaligned root or pscid wider than 20 bits. */
IOMMU_MUST_CHECK int iommu_dc_paging(iommu_dc_t *dc, uint32_t atp_mode, uint64_t root,
                                     uint32_t pscid);
/* A valid DC with iosatp Bare (identity: DMA passes untranslated). */
IOMMU_MUST_CHECK int iommu_dc_identity(iommu_dc_t *dc);

/* Write the DC of device `did`: allocate the missing non-leaf directory pages
 * (zeroed, then the DDTE with V=1), write dwords 1..n, wmb, then dword 0 (tc,
 * with its V bit) last.  No invalidation: if the DC was valid, the caller
 * first clears it (iommu_ddt_clear_valid) and invalidates.  IOMMU_ENODEV when
 * ddtp is not a directory mode, IOMMU_ERANGE when did is wider than the mode
 * covers, IOMMU_ENOMEM (nothing left allocated). */
IOMMU_MUST_CHECK int iommu_ddt_write_dc(iommu_t *h, uint32_t did, const iommu_dc_t *dc);
/* Read the DC of `did`; all zero (not valid) when its directory path is absent. */
IOMMU_MUST_CHECK int iommu_ddt_read_dc(iommu_t *h, uint32_t did, iommu_dc_t *dc);
/* Store tc with V = 0 (the rest of the DC is kept).  No-op if absent. */
IOMMU_MUST_CHECK int iommu_ddt_clear_valid(iommu_t *h, uint32_t did);

/* ===================================================================== */
/* First-stage page tables (sw/pgtable.c)                                */
/* ===================================================================== */

#define IOMMU_PROT_READ  (1u << 0)
#define IOMMU_PROT_WRITE (1u << 1) /* implies READ (xwr = 010 is reserved) */
#define IOMMU_PROT_EXEC  (1u << 2)

#define IOMMU_PGSIZE_4K   (1ULL << 12)
#define IOMMU_PGSIZE_64K  (1ULL << 16) /* Svnapot: 16 level-0 PTEs */
#define IOMMU_PGSIZE_2M   (1ULL << 21)
#define IOMMU_PGSIZE_1G   (1ULL << 30)
#define IOMMU_PGSIZE_512G (1ULL << 39) /* Sv48 and Sv57 only */

typedef struct iommu_pgt {
    iommu_t *h;
    uint32_t mode;   /* IOMMU_ATP_MODE_SV39/SV48/SV57 */
    uint32_t levels; /* 3, 4, 5 */
    uint64_t root;   /* physical address of the root table */
} iommu_pgt_t;

/* Page-table pages emptied by unmaps: released only after the invalidation
 * that makes the IOMMU forget them (iommu_pgt_release). */
#define IOMMU_PGT_FREELIST_MAX 32u
typedef struct iommu_pgt_freelist {
    uint64_t page[IOMMU_PGT_FREELIST_MAX];
    uint32_t n;
} iommu_pgt_freelist_t;

/* Page sizes (OR of IOMMU_PGSIZE_*) a table of `mode` can map. */
uint64_t iommu_pgt_pgsizes(uint32_t mode);

/* Allocate a zeroed root table.  IOMMU_ENOTSUP when capabilities lacks the
 * mode, IOMMU_EINVAL for an unknown one. */
IOMMU_MUST_CHECK int iommu_pgt_init(iommu_t *h, iommu_pgt_t *pgt, uint32_t mode);
/* Free every table page.  The caller guarantees the IOMMU no longer walks
 * them (no DC points at the table, caches invalidated). */
IOMMU_MUST_CHECK int iommu_pgt_destroy(iommu_pgt_t *pgt);

/* Map one page of `pgsize` (one of IOMMU_PGSIZE_*) at iova -> phys, both
 * aligned to pgsize; prot is an OR of IOMMU_PROT_*.  Leaf PTE: V, R/W/X from
 * prot, U = 1 (requests without process_id are U-mode), A = 1, D = W (the
 * IOMMU does not update A/D), G = 0.  64 KiB writes all 16 NAPOT PTEs.
 * Missing tables are allocated.  IOMMU_EEXIST (nothing changed) when any part
 * of the page is mapped; IOMMU_ERANGE for a non-canonical iova or a phys
 * beyond capabilities.PAS. */
IOMMU_MUST_CHECK int iommu_pgt_map(iommu_pgt_t *pgt, uint64_t iova, uint64_t phys,
                                   uint64_t pgsize, unsigned prot);

/* Clear the leaf that maps iova, which must be the leaf's first byte.
 * *pgsize gets its size.  Tables that become empty are unlinked from their
 * parent and added to *fl (never the root); fl must have room for
 * levels - 1 pages (IOMMU_ENOSPC otherwise, nothing changed).
 * IOMMU_ENOENT if nothing is mapped there, IOMMU_EINVAL if iova is inside a
 * larger leaf. */
IOMMU_MUST_CHECK int iommu_pgt_unmap(iommu_pgt_t *pgt, uint64_t iova, uint64_t *pgsize,
                                     iommu_pgt_freelist_t *fl);

/* Walk the table for iova: *phys (with iova's page offset), *pgsize and the
 * leaf *pte (each may be NULL).  IOMMU_ENOENT when unmapped. */
IOMMU_MUST_CHECK int iommu_pgt_lookup(const iommu_pgt_t *pgt, uint64_t iova, uint64_t *phys,
                                      uint64_t *pgsize, uint64_t *pte);

/* Free the pages collected in *fl and empty it. */
void iommu_pgt_release(iommu_t *h, iommu_pgt_freelist_t *fl);

#endif /* IOMMU_HW_H */
