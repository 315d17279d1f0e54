/*
 * test_dma.c - the DMA layer: map/unmap of CPU buffers with pin/unpin, the
 * strict unmap order (unpin only after the fence completed), scattered
 * pages, large pages, error paths.
 */
#include <string.h>

#include "test.h"

typedef struct {
    mock_t *m;
    iommu_domain_t *dom;
    int pins, unpins;
    void *last_cpu;
    size_t last_len;
    uint64_t check_iova;     /* at unpin: this IOVA must be unmapped ... */
    uint64_t fence_at_unpin; /* ... and the last fence event then */
    uint64_t fences_before;  /* fence event when unmap started */
    bool pte_gone_at_unpin;
    int fail_pin;
} pinctx_t;

static int pin(void *arg, void *cpu, size_t len) {
    pinctx_t *p = arg;
    if (p->fail_pin) return IOMMU_ENOMEM;
    p->pins++;
    p->last_cpu = cpu;
    p->last_len = len;
    return IOMMU_OK;
}

static void unpin(void *arg, void *cpu, size_t len) {
    pinctx_t *p = arg;
    uint64_t phys;
    p->unpins++;
    p->last_cpu = cpu;
    p->last_len = len;
    p->fence_at_unpin = p->m->last_fence_event;
    p->pte_gone_at_unpin = iommu_iova_to_phys(p->dom, p->check_iova, &phys) == IOMMU_ENOENT;
}

/* A DMA buffer from the platform allocator, as a caller would get one. */
static void *buffer(mock_t *m, size_t size, size_t align, uint64_t *phys) {
    iommu_platform_t p = mock_platform(m);
    void *virt = NULL;
    CHECK_OK(p.ops->dma_alloc(p.ctx, size, align, &virt, phys));
    return virt;
}
static void buffer_free(mock_t *m, void *virt, uint64_t phys, size_t size) {
    iommu_platform_t p = mock_platform(m);
    p.ops->dma_free(p.ctx, virt, phys, size);
}

static void dma_map_unmap(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d;
    iommu_dma_t *dma;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d));
    CHECK_OK(iommu_attach_device(d, 2));
    pinctx_t pc = {.m = m, .dom = d};
    iommu_dma_pin_ops_t ops = {.pin = pin, .unpin = unpin, .arg = &pc};
    CHECK_OK(iommu_dma_create(d, 0x10000000, 0x10000000, &ops, &dma));

    uint64_t phys, iova, got, keep;
    uint8_t *buf = buffer(m, 0x3000, 0x1000, &phys);
    /* a mapping that keeps the page tables from emptying (see below) */
    CHECK_OK(iommu_dma_map_phys(dma, 0x90000000, 0x1000, IOMMU_PROT_READ, &keep));
    /* a buffer that starts 0x234 into a page and spans three pages */
    CHECK_OK(iommu_dma_map(dma, buf + 0x234, 0x2000, IOMMU_PROT_READ | IOMMU_PROT_WRITE, &iova));
    CHECK_EQ(pc.pins, 1);
    CHECK(pc.last_cpu == buf + 0x234);
    CHECK_EQ(pc.last_len, 0x2000);
    CHECK_EQ(iova & 0xfff, 0x234);
    CHECK(iova >= 0x10000000 && iova < 0x20000000);
    for (uint64_t o = 0; o < 0x2000; o += 0x800) {
        CHECK_OK(iommu_iova_to_phys(d, iova + o, &got));
        CHECK_EQ(got, phys + 0x234 + o);
    }

    /* unmap: IOTINVAL per page + IOFENCE.C, and the unpin only after the
     * fence completed and the PTEs were gone */
    pc.check_iova = iova;
    pc.fences_before = m->last_fence_event;
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_dma_unmap(dma, iova));
    CHECK_EQ(pc.unpins, 1);
    CHECK(pc.last_cpu == buf + 0x234);
    CHECK(pc.fence_at_unpin > pc.fences_before);
    CHECK(pc.pte_gone_at_unpin);
    CHECK_EQ(t_ncmds(m, c0), 4);
    CHECK_EQ(m->cmds[c0].dw[0] & 0x7ff, 0x401); /* IOTINVAL.VMA AV=1 */
    CHECK_EQ(m->cmds[c0 + 3].dw[0] & 0x3fff, 0x3402);
    CHECK_RC(iommu_dma_unmap(dma, iova), IOMMU_ENOENT);

    /* the IOVA range is reused */
    uint64_t iova2;
    CHECK_OK(iommu_dma_map(dma, buf, 0x1000, IOMMU_PROT_READ, &iova2));
    CHECK_EQ(iova2, iova & ~0xfffULL);
    CHECK_RC(iommu_dma_destroy(dma), IOMMU_EBUSY);
    CHECK_OK(iommu_dma_unmap(dma, iova2));

    /* the invalidation fails: the buffer stays pinned, the IOVA held */
    CHECK_OK(iommu_dma_map(dma, buf, 0x1000, IOMMU_PROT_READ, &iova2));
    m->exec = MOCK_EXEC_NEVER;
    int unp = pc.unpins;
    CHECK(iommu_dma_unmap(dma, iova2) == IOMMU_ETIMEDOUT);
    CHECK_EQ(pc.unpins, unp);
    m->exec = MOCK_EXEC_ON_CQH_READ;
    pc.check_iova = iova2;
    pc.fences_before = m->last_fence_event;
    CHECK_OK(iommu_dma_unmap(dma, iova2)); /* the retry invalidates the whole PSCID */
    CHECK_EQ(pc.unpins, unp + 1);
    CHECK(pc.fence_at_unpin > pc.fences_before);

    /* the last mapping in a table: the table is freed, so the whole PSCID */
    c0 = m->ncmds;
    CHECK_OK(iommu_dma_unmap(dma, keep));
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0] & 0x7ff, 0x001);

    /* map_phys: no pinning */
    int pins = pc.pins;
    CHECK_OK(iommu_dma_map_phys(dma, phys + 0x10, 0x20, IOMMU_PROT_READ, &iova));
    CHECK_EQ(pc.pins, pins);
    CHECK_OK(iommu_iova_to_phys(d, iova, &got));
    CHECK_EQ(got, phys + 0x10);
    CHECK_OK(iommu_dma_unmap(dma, iova));
    CHECK_EQ(pc.unpins, unp + 1);

    /* bad arguments */
    size_t n = m->nlog;
    CHECK_RC(iommu_dma_map(dma, NULL, 1, IOMMU_PROT_READ, &iova), IOMMU_EINVAL);
    CHECK_RC(iommu_dma_map(dma, buf, 0, IOMMU_PROT_READ, &iova), IOMMU_EINVAL);
    CHECK_RC(iommu_dma_map(dma, buf, 1, 0, &iova), IOMMU_EINVAL);
    CHECK_RC(iommu_dma_map_phys(dma, phys, 1, 0, &iova), IOMMU_EINVAL);
    CHECK_RC(iommu_dma_unmap(NULL, 0), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, n);
    static uint8_t not_dma[64];
    CHECK_RC(iommu_dma_map(dma, not_dma, 64, IOMMU_PROT_READ, &iova), IOMMU_ENOTSUP);
    CHECK_EQ(pc.pins, pc.unpins); /* pinned, then unpinned on the error path */
    pc.fail_pin = 1;
    CHECK_RC(iommu_dma_map(dma, buf, 64, IOMMU_PROT_READ, &iova), IOMMU_ENOMEM);
    pc.fail_pin = 0;

    CHECK_OK(iommu_dma_destroy(dma));
    iommu_dma_t *x;
    CHECK_RC(iommu_dma_create(d, 0x4000000000ULL, 0x1000, NULL, &x), IOMMU_ERANGE); /* upper half */
    CHECK_RC(iommu_dma_create(d, 0x1000, 0, NULL, &x), IOMMU_EINVAL);
    buffer_free(m, buf, phys, 0x3000);
    CHECK_OK(iommu_detach_device(d, 2));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* Pages that are not physically contiguous: each run mapped on its own. */
static uint64_t scatter_phys;
static int scatter_v2p(mock_t *m, const void *virt, uint64_t *phys) {
    const uint8_t *v = virt;
    uint64_t off = (uint64_t)(v - m->mem), page = off / 4096;
    (void)m;
    /* pages 2k and 2k+1 swapped */
    *phys = MOCK_MEM_BASE + ((page ^ 1) * 4096) + (off % 4096);
    scatter_phys = *phys;
    return IOMMU_OK;
}

static void dma_scatter_and_large(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d;
    iommu_dma_t *dma;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d));
    CHECK_OK(iommu_dma_create(d, 0x40000000, 0x40000000, NULL, &dma));
    uint64_t phys, iova, got;
    uint8_t *buf = buffer(m, 0x4000, 0x4000, &phys);
    m->v2p = scatter_v2p;
    CHECK_OK(iommu_dma_map(dma, buf, 0x4000, IOMMU_PROT_READ, &iova));
    for (unsigned i = 0; i < 4; i++) {
        CHECK_OK(iommu_iova_to_phys(d, iova + 0x1000 * i + 8, &got));
        CHECK_EQ(got, phys + 0x1000 * (i ^ 1) + 8);
    }
    CHECK_OK(iommu_dma_unmap(dma, iova));
    m->v2p = NULL;
    buffer_free(m, buf, phys, 0x4000);

    /* a 2 MiB-aligned buffer gets an IOVA that lets a 2 MiB page map it */
    buf = buffer(m, 0x400000, 0x200000, &phys);
    CHECK_OK(iommu_dma_map(dma, buf, 0x400000, IOMMU_PROT_READ, &iova));
    CHECK_EQ(iova % 0x200000, 0);
    iommu_domain_info_t di;
    CHECK_OK(iommu_domain_get_info(d, &di));
    iommu_pgt_t pgt = {.h = h, .mode = di.atp_mode, .levels = 3, .root = di.root};
    uint64_t sz;
    CHECK_OK(iommu_pgt_lookup(&pgt, iova + 0x300000, &got, &sz, NULL));
    CHECK_EQ(sz, IOMMU_PGSIZE_2M);
    CHECK_EQ(got, phys + 0x300000);
    CHECK_OK(iommu_dma_unmap(dma, iova));
    buffer_free(m, buf, phys, 0x400000);
    CHECK_OK(iommu_dma_destroy(dma));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* Every allocation of dma_create + dma_map failing in turn. */
static void dma_alloc_failures(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d));
    CHECK_OK(iommu_attach_device(d, 4));
    uint64_t phys;
    uint8_t *buf = buffer(m, 0x3000, 0x1000, &phys);
    long host0 = m->host_live, dma0 = m->dma_live_pages;
    for (long k = 1; k < 40; k++) {
        pinctx_t pc = {.m = m, .dom = d};
        iommu_dma_pin_ops_t ops = {.pin = pin, .unpin = unpin, .arg = &pc};
        iommu_dma_t *dma = NULL;
        uint64_t iova;
        long base = m->allocs;
        m->fail_alloc_at = base + k;
        int rc = iommu_dma_create(d, 0x1000000, 0x1000000, &ops, &dma);
        if (!rc) rc = iommu_dma_map(dma, buf + 0x100, 0x2000, IOMMU_PROT_READ, &iova);
        bool injected = m->allocs >= base + k;
        m->fail_alloc_at = 0;
        if (injected) {
            CHECK_RC(rc, IOMMU_ENOMEM);
        } else {
            CHECK_OK(rc);
            CHECK_OK(iommu_dma_unmap(dma, iova));
        }
        CHECK_EQ(pc.pins, pc.unpins);
        if (dma) CHECK_OK(iommu_dma_destroy(dma));
        CHECK_EQ(m->host_live, host0);
        CHECK_EQ(m->dma_live_pages, dma0);
        if (!injected) break;
    }
    buffer_free(m, buf, phys, 0x3000);
    CHECK_OK(iommu_detach_device(d, 4));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

void test_dma(void) {
    RUN(dma_map_unmap);
    RUN(dma_scatter_and_large);
    RUN(dma_alloc_failures);
}
