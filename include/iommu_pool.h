/*
 * iommu_pool.h - two small allocators for platform backends (sw/pool.c).
 *
 * The library itself allocates only through iommu_platform_ops_t; these are
 * helpers a backend can build those operations on, with no malloc:
 *
 *   iommu_pagepool_t  pages of a physical window, first fit, naturally aligned
 *                     to any power of two >= 4 KiB; one bit per page in a
 *                     bitmap the caller provides.  It hands out addresses
 *                     only; zeroing is the backend's job.
 *   iommu_heap_t      first-fit heap with coalescing over a caller-provided
 *                     block of CPU memory; returns zeroed, 16-byte aligned
 *                     blocks.
 *
 * Neither is thread safe; the caller serializes.
 */
#ifndef IOMMU_POOL_H
#define IOMMU_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "iommu_status.h"

#define IOMMU_PAGE_SIZE 4096u

typedef struct iommu_pagepool {
    uint64_t base;      /* physical address of page 0 */
    uint64_t npages;
    uint64_t *bitmap;   /* bit i set: page i in use */
    uint64_t used;      /* pages in use */
} iommu_pagepool_t;

/* Number of uint64_t bitmap words a pool of `size` bytes needs. */
#define IOMMU_PAGEPOOL_WORDS(size) ((((uint64_t)(size) / IOMMU_PAGE_SIZE) + 63u) / 64u)

/* base 4-KiB aligned, size a non-zero multiple of 4 KiB; bitmap holds
 * IOMMU_PAGEPOOL_WORDS(size) words (cleared here). */
IOMMU_MUST_CHECK int iommu_pagepool_init(iommu_pagepool_t *p, uint64_t base, uint64_t size,
                                         uint64_t *bitmap);
/* size: multiple of 4 KiB; align: power of two (values below 4 KiB mean 4 KiB).
 * Alignment is of the physical address.  IOMMU_ENOMEM when no run fits. */
IOMMU_MUST_CHECK int iommu_pagepool_alloc(iommu_pagepool_t *p, uint64_t size, uint64_t align,
                                          uint64_t *phys);
/* Free a run; IOMMU_EINVAL if it is outside the pool or not wholly allocated
 * (nothing changes then). */
IOMMU_MUST_CHECK int iommu_pagepool_free(iommu_pagepool_t *p, uint64_t phys, uint64_t size);

typedef struct iommu_heap {
    void *first;        /* first block header */
    size_t size;
    size_t used;        /* bytes in allocated blocks, headers included */
} iommu_heap_t;

/* mem: at least 64 bytes; it is aligned up to 16 bytes internally. */
IOMMU_MUST_CHECK int iommu_heap_init(iommu_heap_t *h, void *mem, size_t size);
/* Zeroed block of at least `size` bytes, 16-byte aligned; NULL if none fits. */
void *iommu_heap_alloc(iommu_heap_t *h, size_t size);
/* Free a block (NULL is ignored). */
void iommu_heap_free(iommu_heap_t *h, void *p);

#endif /* IOMMU_POOL_H */
