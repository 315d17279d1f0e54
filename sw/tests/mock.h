/*
 * mock.h - a mock IOMMU behind the platform operations, for host unit tests.
 *
 * It models the register semantics the driver relies on (WARL read-back of
 * fctl, ddtp modes, queue sizes and icvec; busy and cqon/fqon handshakes; W1C
 * bits; cqh advancing as the mock executes commands; faults a test injects),
 * records every register access in order, executes commands by decoding
 * them against the spec's layouts (illegal encodings set cmd_ill), and
 * counts violations of the spec's software rules (e.g. writing ddtp while
 * busy, changing cqb while the queue is on).  Memory is a host arena standing
 * for physical memory at MOCK_MEM_BASE; allocations can be made to fail.
 */
#ifndef MOCK_H
#define MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_drv.h"

#define MOCK_MEM_BASE 0x80000000ULL
#define MOCK_MEM_SIZE (32u << 20)

typedef enum {
    MOCK_EXEC_ON_CQH_READ, /* pending commands run when the driver reads cqh (default) */
    MOCK_EXEC_ON_DELAY,    /* ... when the driver waits (delay_us) */
    MOCK_EXEC_NEVER,       /* never: a stuck command queue */
} mock_exec_t;

typedef struct {
    char op;      /* 'R' or 'W' */
    uint8_t size; /* 4 or 8 */
    uint32_t off;
    uint64_t val; /* value written, or value returned */
} mock_access_t;

typedef struct {
    uint64_t dw[2];
    uint64_t event; /* event number when it executed */
} mock_cmd_t;

typedef struct {
    uint64_t pa, val, event;
} mock_memw_t;

typedef struct mock {
    /* ---- configuration (set before iommu_init) ---- */
    uint64_t caps;
    uint32_t ddt_modes;   /* bit m: ddtp.iommu_mode m sticks (Off/Bare always) */
    uint32_t cq_max_log2; /* WARL clamp of cqb.LOG2SZ-1 + 1 */
    uint32_t fq_max_log2;
    uint64_t icvec_mask; /* writable icvec bits */
    uint32_t busy_reads; /* reads that still show busy / not on after a change */
    mock_exec_t exec;
    uint32_t fctl;      /* current fctl */
    long fail_alloc_at; /* 1-based: that host/dma allocation fails (0: none) */
    long fail_mmio_at;  /* 1-based: that register access returns IOMMU_EIO */
    /* optional virt_to_phys override (tests of scattered buffers) */
    int (*v2p)(struct mock *m, const void *virt, uint64_t *phys);
    /* hook called after each executed command */
    void (*on_cmd)(struct mock *m, const mock_cmd_t *c);
    void *user;

    /* ---- register state ---- */
    uint64_t ddtp, cqb, fqb, icvec;
    uint32_t cqh, cqt, cqcsr, fqh, fqt, fqcsr, ipsr;
    uint32_t ddtp_busy, cq_busy, fq_busy; /* reads left showing busy */
    bool cqon, fqon;

    /* ---- memory ---- */
    uint8_t *mem;
    iommu_pagepool_t pool;
    uint64_t *bitmap;

    /* ---- records ---- */
    mock_access_t *log;
    size_t nlog, caplog;
    mock_cmd_t *cmds;
    size_t ncmds, capcmds;
    uint64_t event; /* increments on every access, command, barrier */
    uint64_t last_fence_event;
    long allocs; /* allocation calls so far */
    long host_live, dma_live_pages;
    long mmio_count;
    uint32_t violations;
    char last_violation[160];
    uint32_t delays;
    uint32_t wmbs, mbs;
    uint64_t last_wmb_event;
    mock_memw_t *memw; /* every mem_write64, in order */
    size_t nmemw, capmemw;
} mock_t;

/* A mock with this RTL's capabilities (0x3810000e10), all three directory
 * modes supported, cq up to 2^13, fq up to 2^12, 2-bit icvec fields. */
mock_t *mock_new(void);
void mock_free(mock_t *m);
iommu_platform_t mock_platform(mock_t *m);

void mock_log_clear(mock_t *m);
/* Index of the first access at or after `from` matching op/off, or -1. */
long mock_log_find(const mock_t *m, size_t from, char op, uint32_t off);
void mock_log_dump(const mock_t *m, size_t from);

/* Run pending commands now (regardless of the exec mode). */
void mock_exec_commands(mock_t *m);
/* Append a fault record to the fault queue as the hardware would.
 * Returns false when it was dropped (queue off, full -> fqof, or error set). */
bool mock_inject_fault(mock_t *m, const uint64_t rec[4]);

/* Index of the last mem_write64 to pa, or -1. */
long mock_memw_last(const mock_t *m, uint64_t pa);

/* Memory helpers (physical addresses inside the arena). */
uint64_t mock_rd64(const mock_t *m, uint64_t pa);
void mock_wr64(mock_t *m, uint64_t pa, uint64_t v);
void *mock_va(const mock_t *m, uint64_t pa);

#endif
