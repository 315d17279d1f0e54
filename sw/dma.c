/*
 * dma.c - DMA mapping API over one paging domain.
 *
 * dma_map:   pin the buffer, look up each page's physical address, allocate
 *            an IOVA range (aligned so that physically contiguous runs can use
 *            large pages), map the runs.
 * dma_unmap: (the caller has quiesced the device) unmap the range, invalidate
 *            and fence (iommu_unmap does both, strictly), and only after the
 *            fence completed unpin the buffer and free the IOVA range.
 */
#include "internal.h"

struct dma_rec {
    struct dma_rec *next;
    uint64_t iova; /* page-aligned start of the mapping */
    uint64_t size; /* bytes mapped (whole pages) */
    uint64_t off;  /* offset of the buffer in its first page */
    void *cpu;     /* pinned buffer, or NULL (map_phys) */
    size_t len;
};

struct iommu_dma {
    iommu_domain_t *dom;
    iommu_iova_t *ia;
    iommu_dma_pin_ops_t pin;
    struct dma_rec *recs;
};

static bool prot_ok(unsigned prot) {
    return prot && !(prot & ~(IOMMU_PROT_READ | IOMMU_PROT_WRITE | IOMMU_PROT_EXEC));
}

int iommu_dma_create(iommu_domain_t *dom, uint64_t iova_base, uint64_t iova_size,
                     const iommu_dma_pin_ops_t *pin, iommu_dma_t **out) {
    iommu_dma_t *dma;
    int rc;
    if (!dom || !out || dom->type != IOMMU_DOMAIN_PAGING) return IOMMU_EINVAL;
    *out = 0;
    if (!iova_size || !IS_ALIGNED(iova_base, IOMMU_PAGE_SIZE) ||
        !IS_ALIGNED(iova_size, IOMMU_PAGE_SIZE))
        return IOMMU_EINVAL;
    uint64_t last = iova_base + iova_size - 1u;
    uint32_t vb = 12u + 9u * dom->pgt.levels;
    if (last < iova_base || (last >> (vb - 1u))) return IOMMU_ERANGE; /* lower half only */
    iommu_t *h = dom->h;
    dma = host_zalloc(h, sizeof *dma);
    if (!dma) return IOMMU_ENOMEM;
    if ((rc = iommu_iova_create(h, iova_base, iova_size, &dma->ia))) {
        host_free(h, dma, sizeof *dma);
        return rc;
    }
    dma->dom = dom;
    if (pin) dma->pin = *pin;
    dom->ndma++;
    *out = dma;
    return IOMMU_OK;
}

int iommu_dma_destroy(iommu_dma_t *dma) {
    if (!dma) return IOMMU_EINVAL;
    if (dma->recs) return IOMMU_EBUSY;
    iommu_t *h = dma->dom->h;
    iommu_iova_destroy(dma->ia);
    dma->dom->ndma--;
    host_free(h, dma, sizeof *dma);
    return IOMMU_OK;
}

/* The IOVA alignment that lets the largest page fit a buffer at phys. */
static uint64_t pick_align(const iommu_domain_t *dom, uint64_t phys, uint64_t size) {
    static const uint64_t cand[3] = {IOMMU_PGSIZE_1G, IOMMU_PGSIZE_2M, IOMMU_PGSIZE_64K};
    uint64_t sizes = iommu_pgt_pgsizes(dom->pgt.mode);
    for (unsigned i = 0; i < 3; i++)
        if ((sizes & cand[i]) && size >= cand[i] && IS_ALIGNED(phys, cand[i])) return cand[i];
    return IOMMU_PAGE_SIZE;
}

static int v2p(const iommu_t *h, const uint8_t *va, uint64_t *pa) {
    int rc = h->plat.ops->virt_to_phys(h->plat.ctx, va, pa);
    return rc ? (rc < 0 ? rc : IOMMU_EIO) : IOMMU_OK;
}

static void rec_link(iommu_dma_t *dma, struct dma_rec *r) {
    r->next = dma->recs;
    dma->recs = r;
}

int iommu_dma_map(iommu_dma_t *dma, void *cpu_addr, size_t len, unsigned prot, uint64_t *iova) {
    struct dma_rec *r;
    uint64_t phys0, base = 0, done = 0;
    int rc;
    if (!dma || !cpu_addr || !len || !iova || !prot_ok(prot)) return IOMMU_EINVAL;
    iommu_t *h = dma->dom->h;
    if (!h->plat.ops->virt_to_phys) return IOMMU_ENOTSUP;
    uint64_t off = (uintptr_t)cpu_addr & (IOMMU_PAGE_SIZE - 1u);
    if ((uint64_t)len > ~0ULL - 2u * IOMMU_PAGE_SIZE) return IOMMU_EINVAL;
    uint64_t size = (off + len + IOMMU_PAGE_SIZE - 1u) & ~(uint64_t)(IOMMU_PAGE_SIZE - 1u);
    uint8_t *page0 = (uint8_t *)cpu_addr - off;

    r = host_zalloc(h, sizeof *r);
    if (!r) return IOMMU_ENOMEM;
    if (dma->pin.pin && (rc = dma->pin.pin(dma->pin.arg, cpu_addr, len))) {
        host_free(h, r, sizeof *r);
        return rc < 0 ? rc : IOMMU_EIO;
    }
    if ((rc = v2p(h, page0, &phys0))) goto unpin;
    if ((rc = iommu_iova_alloc(dma->ia, size, pick_align(dma->dom, phys0, size), &base)))
        goto unpin;
    while (done < size) { /* map physically contiguous runs */
        uint64_t run_pa, pa, run = IOMMU_PAGE_SIZE;
        if ((rc = v2p(h, page0 + done, &run_pa))) goto unmap;
        while (done + run < size) {
            if ((rc = v2p(h, page0 + done + run, &pa))) goto unmap;
            if (pa != run_pa + run) break;
            run += IOMMU_PAGE_SIZE;
        }
        if ((rc = iommu_map(dma->dom, base + done, run_pa, run, prot))) goto unmap;
        done += run;
    }
    r->iova = base;
    r->size = size;
    r->off = off;
    r->cpu = cpu_addr;
    r->len = len;
    rec_link(dma, r);
    *iova = base + off;
    return IOMMU_OK;

unmap:
    /* Never handed out: no device can be using it. */
    if (done) IGNORE_STATUS(iommu_unmap(dma->dom, base, done));
    IGNORE_STATUS(iommu_iova_free(dma->ia, base));
unpin:
    if (dma->pin.unpin) dma->pin.unpin(dma->pin.arg, cpu_addr, len);
    host_free(h, r, sizeof *r);
    return rc;
}

int iommu_dma_map_phys(iommu_dma_t *dma, uint64_t phys, size_t len, unsigned prot, uint64_t *iova) {
    struct dma_rec *r;
    uint64_t base;
    int rc;
    if (!dma || !len || !iova || !prot_ok(prot)) return IOMMU_EINVAL;
    iommu_t *h = dma->dom->h;
    uint64_t off = phys & (IOMMU_PAGE_SIZE - 1u);
    if (phys + len < phys || phys + len > ~0ULL - IOMMU_PAGE_SIZE) return IOMMU_EINVAL;
    uint64_t size = (off + len + IOMMU_PAGE_SIZE - 1u) & ~(uint64_t)(IOMMU_PAGE_SIZE - 1u);
    uint64_t pa = phys - off;
    r = host_zalloc(h, sizeof *r);
    if (!r) return IOMMU_ENOMEM;
    if ((rc = iommu_iova_alloc(dma->ia, size, pick_align(dma->dom, pa, size), &base))) goto out;
    if ((rc = iommu_map(dma->dom, base, pa, size, prot))) {
        IGNORE_STATUS(iommu_iova_free(dma->ia, base));
        goto out;
    }
    r->iova = base;
    r->size = size;
    r->off = off;
    r->len = len;
    rec_link(dma, r);
    *iova = base + off;
    return IOMMU_OK;
out:
    host_free(h, r, sizeof *r);
    return rc;
}

int iommu_dma_unmap(iommu_dma_t *dma, uint64_t iova) {
    struct dma_rec **pp, *r = 0;
    int rc;
    if (!dma) return IOMMU_EINVAL;
    for (pp = &dma->recs; *pp; pp = &(*pp)->next)
        if ((*pp)->iova + (*pp)->off == iova) {
            r = *pp;
            break;
        }
    if (!r) return IOMMU_ENOENT;
    iommu_t *h = dma->dom->h;
    /* unmap + invalidate + IOFENCE.C; a failure keeps the buffer pinned */
    if ((rc = iommu_unmap(dma->dom, r->iova, r->size))) return rc;
    if (r->cpu && dma->pin.unpin) dma->pin.unpin(dma->pin.arg, r->cpu, r->len);
    IGNORE_STATUS(iommu_iova_free(dma->ia, r->iova));
    *pp = r->next;
    host_free(h, r, sizeof *r);
    return IOMMU_OK;
}
