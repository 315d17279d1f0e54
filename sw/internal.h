/*
 * internal.h - private definitions shared by the library's source files.
 * Not installed; nothing here is API.
 */
#ifndef IOMMU_INTERNAL_H
#define IOMMU_INTERNAL_H

#include "iommu_drv.h"

/* ---- the handle ---------------------------------------------------------- */
struct iommu_devnode; /* domain.c: one per attached device */

struct iommu {
    iommu_platform_t plat;
    iommu_config_t cfg; /* with defaults filled in */
    iommu_info_t info;

    /* command queue */
    bool cq_on;
    uint64_t cq_phys;
    uint32_t cq_mask;   /* entries - 1 */
    uint32_t cq_tail;   /* shadow of cqt */
    uint32_t cq_head;   /* last cqh read */
    uint64_t sync_phys; /* IOFENCE.C completion word (own 4-KiB page) */
    uint32_t sync_seq;

    /* fault queue */
    bool fq_on;
    uint64_t fq_phys;
    uint32_t fq_mask;
    uint32_t fq_head; /* shadow of fqh */

    /* directory */
    uint64_t ddt_root;
    uint32_t ddt_levels; /* 1, 2, 3 for 1LVL..3LVL; 0 when ddtp is Off or Bare */

    /* PSCIDs: bit i of pscid_map = PSCID i in use (0 is never handed out) */
    uint64_t *pscid_map;
    uint32_t pscid_words;

    /* domain layer */
    uint32_t ndomains;
    struct iommu_devnode *devs;
};

/* ---- domains (domain.c) ------------------------------------------------- */
#define IOMMU_GATHER_MAX 256u /* upper bound of cfg.inval_threshold */

struct iommu_devnode {
    struct iommu_devnode *next;
    uint32_t did;
    struct iommu_domain *dom;
};

struct iommu_domain {
    iommu_t *h;
    iommu_domain_type_t type;
    uint32_t pscid;               /* paging */
    iommu_pgt_t pgt;              /* paging */
    uint32_t ndev;                /* devices attached */
    uint32_t ndma;                /* DMA contexts over this domain */
    bool stale;                   /* an invalidation failed: the next is PSCID-wide */
    iommu_pgt_freelist_t pending; /* unlinked tables, freed after the next invalidation */
    bool gather_all;              /* too many pages: invalidate the whole PSCID */
    uint32_t ngather;
    uint64_t gather[IOMMU_GATHER_MAX]; /* 4-KiB pages to invalidate one by one */
};

/* ---- platform shorthands ----------------------------------------------- */
static inline uint64_t mem_rd(const iommu_t *h, uint64_t pa) {
    return h->plat.ops->mem_read64(h->plat.ctx, pa);
}
static inline void mem_wr(const iommu_t *h, uint64_t pa, uint64_t v) {
    h->plat.ops->mem_write64(h->plat.ctx, pa, v);
}
static inline void plat_wmb(const iommu_t *h) { h->plat.ops->wmb(h->plat.ctx); }
static inline void plat_mb(const iommu_t *h) { h->plat.ops->mb(h->plat.ctx); }
static inline void plat_delay(const iommu_t *h, uint32_t us) {
    h->plat.ops->delay_us(h->plat.ctx, us);
}
static inline void *host_zalloc(const iommu_t *h, size_t size) {
    return h->plat.ops->host_alloc(h->plat.ctx, size);
}
static inline void host_free(const iommu_t *h, void *p, size_t size) {
    if (p) h->plat.ops->host_free(h->plat.ctx, p, size);
}
/* A zeroed 4-KiB DMA page (or size/align); IOMMU_ENOMEM on failure. */
int iommu_i_dma_page_alloc(const iommu_t *h, size_t size, size_t align, uint64_t *phys);
void iommu_i_dma_page_free(const iommu_t *h, uint64_t phys, size_t size);

/* register access (hw.c) */
int iommu_i_rd32(iommu_t *h, uint32_t off, uint32_t *v);
int iommu_i_rd64(iommu_t *h, uint32_t off, uint64_t *v);
int iommu_i_wr32(iommu_t *h, uint32_t off, uint32_t v);
int iommu_i_wr64(iommu_t *h, uint32_t off, uint64_t v);

/* Wait until (read32(off) & mask) == want; bounded by cfg.timeout_us.
 * *last (may be NULL) gets the last value read. */
int iommu_i_poll32(iommu_t *h, uint32_t off, uint32_t mask, uint32_t want, uint32_t *last);
/* Same for 64-bit registers. */
int iommu_i_poll64(iommu_t *h, uint32_t off, uint64_t mask, uint64_t want, uint64_t *last);

/* PSCID allocator (hw.c) */
int iommu_i_pscid_alloc(iommu_t *h, uint32_t *pscid);
void iommu_i_pscid_free(iommu_t *h, uint32_t pscid);

/* pgtable.c: what covers iova.  *mapped: a leaf [*base, *base + *size);
 * else an unmapped aligned span of *size bytes starting at *base. */
int iommu_i_pgt_probe(const iommu_pgt_t *pgt, uint64_t iova, uint64_t *base, uint64_t *size,
                      bool *mapped);

/* ddt.c: free every directory page under the root (not the root itself). */
void iommu_i_ddt_free_tree(iommu_t *h);

/* queue.c: reset the software state of the queues after (re)enabling them */
void iommu_i_cq_reset_shadow(iommu_t *h);

/* ---- misc ------------------------------------------------------------- */
/* Discard a status on purpose (a cast to void does not silence
 * warn_unused_result in GCC). */
#define IGNORE_STATUS(x)                                                                           \
    do {                                                                                           \
        int ignored_ = (x);                                                                        \
        (void)ignored_;                                                                            \
    } while (0)
#define IOMMU_PAGE_SHIFT 12u
#define IS_POW2(x)       ((x) != 0 && (((x) & ((x)-1)) == 0))
#define IS_ALIGNED(x, a) ((((uint64_t)(x)) & ((uint64_t)(a)-1u)) == 0)

/* Zero n bytes through a volatile pointer (no memset in freestanding builds). */
static inline void iommu_zero(void *p, size_t n) {
    volatile unsigned char *b = (volatile unsigned char *)p;
    while (n--)
        *b++ = 0;
}

#endif /* IOMMU_INTERNAL_H */
