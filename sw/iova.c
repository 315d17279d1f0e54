/*
 * iova.c - IOVA allocator: a sorted list of the busy ranges of one window.
 *
 * First fit, lowest address first, with any power-of-two alignment; ranges
 * never overlap; a freed range is reusable at once.  Nodes come from the
 * platform's host_alloc (no malloc).  O(n) in the number of busy ranges,
 * which is plenty for a driver's mappings.
 */
#include "internal.h"

struct iova_node {
    struct iova_node *next;
    uint64_t start, size;
};

struct iommu_iova {
    iommu_t *h;
    uint64_t base, last; /* window [base, last] */
    struct iova_node *head;
};

int iommu_iova_create(iommu_t *h, uint64_t base, uint64_t size, iommu_iova_t **out) {
    iommu_iova_t *ia;
    if (!h || !out) return IOMMU_EINVAL;
    *out = 0;
    if (!size || !IS_ALIGNED(base, IOMMU_PAGE_SIZE) || !IS_ALIGNED(size, IOMMU_PAGE_SIZE) ||
        base + size - 1u < base)
        return IOMMU_EINVAL;
    ia = host_zalloc(h, sizeof *ia);
    if (!ia) return IOMMU_ENOMEM;
    ia->h = h;
    ia->base = base;
    ia->last = base + size - 1u;
    *out = ia;
    return IOMMU_OK;
}

void iommu_iova_destroy(iommu_iova_t *ia) {
    if (!ia) return;
    while (ia->head) {
        struct iova_node *n = ia->head;
        ia->head = n->next;
        host_free(ia->h, n, sizeof *n);
    }
    host_free(ia->h, ia, sizeof *ia);
}

/* Insert [start, start + size) after prev (NULL: at the head). */
static int insert(iommu_iova_t *ia, struct iova_node *prev, uint64_t start, uint64_t size) {
    struct iova_node *n = host_zalloc(ia->h, sizeof *n);
    if (!n) return IOMMU_ENOMEM;
    n->start = start;
    n->size = size;
    if (prev) {
        n->next = prev->next;
        prev->next = n;
    } else {
        n->next = ia->head;
        ia->head = n;
    }
    return IOMMU_OK;
}

/* Lowest a >= from with a % align == 0; false on overflow. */
static bool align_up(uint64_t from, uint64_t align, uint64_t *a) {
    uint64_t r = (from + align - 1u) & ~(align - 1u);
    if (r < from) return false;
    *a = r;
    return true;
}

int iommu_iova_alloc(iommu_iova_t *ia, uint64_t size, uint64_t align, uint64_t *iova) {
    struct iova_node *prev = 0, *n;
    uint64_t cand;
    if (!ia || !iova || !size) return IOMMU_EINVAL;
    if (align && !IS_POW2(align)) return IOMMU_EINVAL;
    if (align < IOMMU_PAGE_SIZE) align = IOMMU_PAGE_SIZE;
    if (size > ~0ULL - (IOMMU_PAGE_SIZE - 1u)) return IOMMU_ENOSPC;
    size = (size + IOMMU_PAGE_SIZE - 1u) & ~(uint64_t)(IOMMU_PAGE_SIZE - 1u);

    bool ok = align_up(ia->base, align, &cand);
    n = ia->head;
    while (ok) {
        /* Does [cand, cand + size) fit in the gap before n (or the window's end)? */
        uint64_t last = cand + size - 1u;
        uint64_t gap_last = n ? n->start - 1u : ia->last;
        if (last >= cand && (!n || cand < n->start) && last <= gap_last && last <= ia->last) {
            int rc = insert(ia, prev, cand, size);
            if (rc) return rc;
            *iova = cand;
            return IOMMU_OK;
        }
        if (!n) break;
        uint64_t end = n->start + n->size; /* 0: n reaches the top of the space */
        ok = end != 0 && align_up(end, align, &cand);
        prev = n;
        n = n->next;
    }
    return IOMMU_ENOSPC;
}

int iommu_iova_reserve(iommu_iova_t *ia, uint64_t base, uint64_t size) {
    struct iova_node *prev = 0, *n;
    if (!ia || !size || !IS_ALIGNED(base, IOMMU_PAGE_SIZE) || !IS_ALIGNED(size, IOMMU_PAGE_SIZE))
        return IOMMU_EINVAL;
    uint64_t last = base + size - 1u;
    if (last < base || base < ia->base || last > ia->last) return IOMMU_ERANGE;
    for (n = ia->head; n && n->start <= last; prev = n, n = n->next)
        if (n->start + n->size - 1u >= base) return IOMMU_EEXIST;
    return insert(ia, prev, base, size);
}

int iommu_iova_free(iommu_iova_t *ia, uint64_t iova) {
    if (!ia) return IOMMU_EINVAL;
    for (struct iova_node **pp = &ia->head; *pp; pp = &(*pp)->next) {
        struct iova_node *n = *pp;
        if (n->start == iova) {
            *pp = n->next;
            host_free(ia->h, n, sizeof *n);
            return IOMMU_OK;
        }
        if (n->start > iova) break;
    }
    return IOMMU_ENOENT;
}
