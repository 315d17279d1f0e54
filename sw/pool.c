/*
 * pool.c - page pool and heap for platform backends (see iommu_pool.h).
 */
#include "internal.h"

/* ---- page pool ------------------------------------------------------------- */
static bool pg_used(const iommu_pagepool_t *p, uint64_t i) {
    return (p->bitmap[i / 64u] >> (i % 64u)) & 1u;
}
static void pg_set(iommu_pagepool_t *p, uint64_t i, bool used) {
    if (used)
        p->bitmap[i / 64u] |= 1ULL << (i % 64u);
    else
        p->bitmap[i / 64u] &= ~(1ULL << (i % 64u));
}

int iommu_pagepool_init(iommu_pagepool_t *p, uint64_t base, uint64_t size, uint64_t *bitmap) {
    if (!p || !bitmap || !size || !IS_ALIGNED(base, IOMMU_PAGE_SIZE) ||
        !IS_ALIGNED(size, IOMMU_PAGE_SIZE) || base + size - 1u < base)
        return IOMMU_EINVAL;
    p->base = base;
    p->npages = size / IOMMU_PAGE_SIZE;
    p->bitmap = bitmap;
    p->used = 0;
    for (uint64_t w = 0; w < IOMMU_PAGEPOOL_WORDS(size); w++)
        bitmap[w] = 0;
    return IOMMU_OK;
}

int iommu_pagepool_alloc(iommu_pagepool_t *p, uint64_t size, uint64_t align, uint64_t *phys) {
    if (!p || !phys || !size || !IS_ALIGNED(size, IOMMU_PAGE_SIZE)) return IOMMU_EINVAL;
    if (align < IOMMU_PAGE_SIZE) align = IOMMU_PAGE_SIZE;
    if (!IS_POW2(align)) return IOMMU_EINVAL;
    uint64_t n = size / IOMMU_PAGE_SIZE, step = align / IOMMU_PAGE_SIZE;
    uint64_t first = ((p->base + align - 1u) & ~(align - 1u));
    if (first < p->base) return IOMMU_ENOMEM;
    for (uint64_t i = (first - p->base) / IOMMU_PAGE_SIZE; i < p->npages && n <= p->npages - i;
         i += step) {
        uint64_t k = 0;
        while (k < n && !pg_used(p, i + k))
            k++;
        if (k < n) continue;
        for (k = 0; k < n; k++)
            pg_set(p, i + k, true);
        p->used += n;
        *phys = p->base + i * IOMMU_PAGE_SIZE;
        return IOMMU_OK;
    }
    return IOMMU_ENOMEM;
}

int iommu_pagepool_free(iommu_pagepool_t *p, uint64_t phys, uint64_t size) {
    if (!p || !size || !IS_ALIGNED(phys, IOMMU_PAGE_SIZE) || !IS_ALIGNED(size, IOMMU_PAGE_SIZE) ||
        phys < p->base)
        return IOMMU_EINVAL;
    uint64_t i = (phys - p->base) / IOMMU_PAGE_SIZE, n = size / IOMMU_PAGE_SIZE;
    if (i >= p->npages || n > p->npages - i) return IOMMU_EINVAL;
    for (uint64_t k = 0; k < n; k++)
        if (!pg_used(p, i + k)) return IOMMU_EINVAL;
    for (uint64_t k = 0; k < n; k++)
        pg_set(p, i + k, false);
    p->used -= n;
    return IOMMU_OK;
}

/* ---- heap ---------------------------------------------------------------------- */
/* Blocks lie back to back; each starts with this 16-byte header. */
typedef struct blk {
    size_t size; /* whole block, header included; multiple of 16 */
    size_t used;
} blk_t;

#define HDR       ((size_t)sizeof(blk_t))
#define MIN_SPLIT (2u * HDR)

static blk_t *blk_next(const iommu_heap_t *h, blk_t *b) {
    uint8_t *n = (uint8_t *)b + b->size;
    return n < (uint8_t *)h->first + h->size ? (blk_t *)n : 0;
}

int iommu_heap_init(iommu_heap_t *h, void *mem, size_t size) {
    if (!h || !mem) return IOMMU_EINVAL;
    uintptr_t a = ((uintptr_t)mem + 15u) & ~(uintptr_t)15u;
    size_t lost = (size_t)(a - (uintptr_t)mem);
    if (size < lost + 4u * HDR) return IOMMU_EINVAL;
    size = (size - lost) & ~(size_t)15u;
    h->first = (void *)a;
    h->size = size;
    h->used = 0;
    blk_t *b = (blk_t *)a;
    b->size = size;
    b->used = 0;
    return IOMMU_OK;
}

void *iommu_heap_alloc(iommu_heap_t *h, size_t size) {
    if (!h || !h->first || !size || size > h->size) return 0;
    size_t need = ((size + 15u) & ~(size_t)15u) + HDR;
    for (blk_t *b = h->first; b; b = blk_next(h, b)) {
        if (b->used) continue;
        blk_t *n; /* merge following free blocks */
        while ((n = blk_next(h, b)) && !n->used)
            b->size += n->size;
        if (b->size < need) continue;
        if (b->size - need >= MIN_SPLIT) {
            blk_t *rest = (blk_t *)((uint8_t *)b + need);
            rest->size = b->size - need;
            rest->used = 0;
            b->size = need;
        }
        b->used = 1;
        h->used += b->size;
        iommu_zero(b + 1, b->size - HDR);
        return b + 1;
    }
    return 0;
}

void iommu_heap_free(iommu_heap_t *h, void *p) {
    if (!h || !p) return;
    blk_t *b = (blk_t *)p - 1;
    if ((uint8_t *)b < (uint8_t *)h->first || (uint8_t *)b >= (uint8_t *)h->first + h->size ||
        !b->used)
        return;
    b->used = 0;
    h->used -= b->size;
}
