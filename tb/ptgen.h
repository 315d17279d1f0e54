/*
 * ptgen.h - random device-directory and first-stage page-table generator for
 * tests of the translation engine.
 *
 * ptgen_build() lays out, in the test bench's memory (through a write-8-bytes
 * callback), a device directory (1LVL, 2LVL or 3LVL, base-format 32-byte DCs)
 * for a list of devices, and for each device with an Sv39/Sv48/Sv57 first
 * stage a page table with a number of random mappings: page sizes from a mask
 * (4 KiB, 64 KiB Svnapot, 2 MiB, 1 GiB, 512 GiB), random R/W/X and G bits, and
 * faults injected with given probabilities.  Table pages come from a bump
 * allocator over a table window (each page is zeroed when allocated); mapped
 * data pages are chosen at random, naturally aligned, inside a data window and
 * may be shared between mappings and devices.  Every mapping is recorded so a
 * test can pick IOVAs, predict the outcome and tell the isolation checker what
 * each device may touch.
 *
 * What a record promises (requests are untranslated, PV=0, so every access is
 * a user access - see ref_xlate.h I10):
 *   - an access of kind R/W/X to any byte of [iova, iova + size) succeeds, at
 *     pa + (address - iova), iff `perms` has that kind (ISO_R/ISO_W/ISO_X of
 *     isolation.h), else it is a page fault (12/13/15), or, when dc_cause is
 *     not 0, that DDT cause (258/259) whatever the access;
 *   - an IOVA of a device with a valid Sv* DC that no record covers faults
 *     (page fault);
 *   - a device with a Bare first stage (iosatp Bare, or PDTV=1 with pdtp
 *     Bare) gets one record: iova = pa = data_base, size = data_size, RWX
 *     (it may in fact touch any address below 2^PAS).
 * Faults never make a leaf valid by accident (e.g. an injected N=1 never forms
 * a valid 64 KiB NAPOT encoding).
 *
 * Not generated: faults in non-leaf DDT entries, PTE read errors (use
 * mem_set_error on a record's pte_addr), non-leaf G bits.  The misconfigured
 * DCs assume this IOMMU's capabilities (ref_xlate.h F1, F2).
 */
#ifndef PTGEN_H
#define PTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*ptgen_write64_fn)(void *ctx, uint64_t pa, uint64_t val);
typedef uint64_t (*ptgen_rng_fn)(void *ctx);        /* 64 random bits */

/* Page sizes (mask bits). */
enum { PTGEN_PG_4K = 1u, PTGEN_PG_64K = 2u, PTGEN_PG_2M = 4u, PTGEN_PG_1G = 8u,
       PTGEN_PG_512G = 16u, PTGEN_PG_ALL = 31u };

typedef enum {
    PTGEN_FS_BARE,        /* PDTV=0, iosatp Bare */
    PTGEN_FS_PDT_BARE,    /* PDTV=1 (DPE random), pdtp Bare: PV requests allowed */
    PTGEN_FS_SV39,
    PTGEN_FS_SV48,
    PTGEN_FS_SV57
} ptgen_fs_t;

typedef enum {
    PTGEN_DC_VALID,
    PTGEN_DC_INVALID,     /* tc.V=0, other bits random: 258 */
    PTGEN_DC_MISCONFIG    /* valid but one random DC_MISCONFIG rule broken: 259 */
} ptgen_dc_t;

/* Injected faults, one per mapping at most. */
typedef enum {
    PTGEN_F_NONE,
    PTGEN_F_INVALID,          /* leaf V=0 */
    PTGEN_F_RSVD,             /* leaf with a bit of 62:54 set */
    PTGEN_F_XWR,              /* leaf xwr = 010 or 110 */
    PTGEN_F_NAPOT,            /* N=1 with a reserved encoding (64 KiB: ppn[3:0] != 1000;
                                 other sizes: N=1 where not allowed) */
    PTGEN_F_MISALIGNED,       /* superpage PPN not aligned (2 MiB and larger) */
    PTGEN_F_A0,               /* A=0: every access faults */
    PTGEN_F_D0,               /* W=1, D=0: writes fault, reads/execs per perms */
    PTGEN_F_U0,               /* U=0: every access faults */
    PTGEN_F_NONLEAF_L0,       /* level-0 PTE is a pointer (4 KiB only) */
    PTGEN_F_NONLEAF_RSVD,     /* the leaf's parent has A, D, U, N or a reserved bit set;
                                 the record covers the parent's whole span */
    PTGEN_F_NONLEAF_INVALID,  /* the leaf's parent has V=0; record covers its span */
    PTGEN_F_COUNT
} ptgen_fault_t;

typedef struct {
    uint32_t did;             /* must fit the DDT mode (1LVL < 2^7, 2LVL < 2^16) */
    ptgen_fs_t fs;
    uint32_t pscid;           /* DC.ta.PSCID, 20 bits */
    bool dtf;
    ptgen_dc_t dc;
    unsigned nmaps;           /* mappings wanted (Sv* only; fewer if no room) */
    unsigned page_mask;       /* PTGEN_PG_*; 0 means 4 KiB */
} ptgen_dev_t;

typedef struct {
    ptgen_write64_fn wr;
    void *wr_ctx;
    ptgen_rng_fn rng;
    void *rng_ctx;
    unsigned ddt_mode;                 /* 2 = 1LVL, 3 = 2LVL, 4 = 3LVL (ddtp encoding) */
    uint64_t table_base, table_size;   /* 4 KiB aligned window for every table page */
    uint64_t data_base, data_size;     /* window for mapped data pages */
    const ptgen_dev_t *devs;
    unsigned ndevs;
    unsigned fault_pct[PTGEN_F_COUNT]; /* percent chance per mapping of each fault
                                          (tried in enum order; [PTGEN_F_NONE] unused) */
    unsigned global_pct;               /* percent of leaves with G set.  A global
                                          mapping is shared by every PSCID, so tests
                                          that compare devices whose IOVAs overlap
                                          keep this 0 (spec: G must be consistent) */
} ptgen_cfg_t;

typedef struct {
    uint32_t did;
    uint64_t iova, size;      /* the covered IOVA range */
    uint64_t pa;              /* PA of iova (0 when nothing can be reached) */
    unsigned perms;           /* ISO_R/W/X the device really gets (0 when faulting) */
    unsigned pte_perms;       /* R/W/X as written in the leaf (ISO_* encoding) */
    bool valid;               /* intended valid: no fault injected, DC valid, mapped */
    bool global;              /* leaf G */
    bool mapped;              /* false after ptgen_unmap */
    ptgen_fault_t fault;
    unsigned dc_cause;        /* 0, or 258/259 when the device's DC is bad */
    int level;                /* level of the PTE at pte_addr; -1 for a Bare record */
    uint64_t pte_addr;        /* first leaf PTE, or the faulty non-leaf PTE */
    unsigned npte;            /* PTEs written at pte_addr: 16 for 64 KiB, else 1 */
    uint32_t pscid;           /* the device's PSCID */
} ptgen_map_t;

typedef struct ptgen_priv ptgen_priv_t;

typedef struct {
    uint64_t ddtp;            /* value for the ddtp register (mode + root PPN) */
    ptgen_map_t *maps;        /* every mapping, read-only for the caller */
    size_t nmaps;
    uint64_t table_bytes;     /* table window used */
    ptgen_priv_t *priv;
} ptgen_t;

/* Build everything; NULL on an error (message from ptgen_error()): a device_id
 * that does not fit or repeats, a bad window, the table window full. */
ptgen_t *ptgen_build(const ptgen_cfg_t *cfg);
const char *ptgen_error(void);

/* Address of a device's DC, or 0 if the device is not in the configuration. */
uint64_t ptgen_dc_addr(const ptgen_t *g, uint32_t did);
/* Root of a device's first-stage page table, or 0. */
uint64_t ptgen_fs_root(const ptgen_t *g, uint32_t did);

/* Clear mapping i's leaf PTE(s) (or the faulty non-leaf PTE) through the write
 * callback.  Returns 0, or -1 for a Bare record or one already unmapped. */
int ptgen_unmap(ptgen_t *g, size_t i);

/* Index of the record of `did` covering iova, or -1. */
long ptgen_find(const ptgen_t *g, uint32_t did, uint64_t iova);

void ptgen_free(ptgen_t *g);

const char *ptgen_fault_name(ptgen_fault_t f);

#endif
