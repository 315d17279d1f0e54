/*
 * test_pool.c - the page pool and heap backends build on, and the bare-metal
 * backend run on the host (MMIO into a plain array).
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

static void pagepool(void) {
    iommu_pagepool_t p;
    uint64_t bm[IOMMU_PAGEPOOL_WORDS(0x100000)], a, b, c;
    CHECK_OK(
        iommu_pagepool_init(&p, 0x80001000, 0x100000, bm)); /* 256 pages, base not 8K-aligned */
    CHECK_OK(iommu_pagepool_alloc(&p, 0x1000, 0, &a));
    CHECK_EQ(a, 0x80001000);
    CHECK_OK(iommu_pagepool_alloc(&p, 0x2000, 0x2000, &b));
    CHECK_EQ(b, 0x80002000);
    CHECK_OK(iommu_pagepool_alloc(&p, 0x10000, 0x10000, &c));
    CHECK_EQ(c, 0x80010000);
    CHECK_EQ(p.used, 1 + 2 + 16);
    CHECK_RC(iommu_pagepool_free(&p, b, 0x4000), IOMMU_EINVAL); /* more than allocated */
    CHECK_RC(iommu_pagepool_free(&p, 0x1000, 0x1000), IOMMU_EINVAL);
    CHECK_OK(iommu_pagepool_free(&p, b, 0x2000));
    CHECK_RC(iommu_pagepool_free(&p, b, 0x2000), IOMMU_EINVAL); /* twice */
    CHECK_OK(iommu_pagepool_alloc(&p, 0x1000, 0, &b));
    CHECK_EQ(b, 0x80002000);
    CHECK_RC(iommu_pagepool_alloc(&p, 0x100000, 0, &a), IOMMU_ENOMEM);
    CHECK_RC(iommu_pagepool_alloc(&p, 0x1000, 0x3000, &a), IOMMU_EINVAL);
    CHECK_RC(iommu_pagepool_alloc(&p, 0x800, 0, &a), IOMMU_EINVAL);
    CHECK_RC(iommu_pagepool_init(&p, 0x800, 0x1000, bm), IOMMU_EINVAL);
}

static void heap(void) {
    static uint8_t mem[4096 + 8];
    iommu_heap_t h;
    CHECK_OK(iommu_heap_init(&h, mem + 3, 4096)); /* misaligned start */
    void *a = iommu_heap_alloc(&h, 100), *b = iommu_heap_alloc(&h, 200),
         *c = iommu_heap_alloc(&h, 1);
    CHECK(a && b && c);
    CHECK_EQ((uintptr_t)a % 16, 0);
    CHECK((uint8_t *)b >= (uint8_t *)a + 100);
    memset(a, 0x11, 100);
    memset(b, 0x22, 200);
    iommu_heap_free(&h, a);
    iommu_heap_free(&h, b);
    void *d = iommu_heap_alloc(&h, 300); /* a and b coalesced */
    CHECK(d == a);
    CHECK(((uint8_t *)d)[0] == 0 && ((uint8_t *)d)[299] == 0); /* zeroed */
    CHECK(iommu_heap_alloc(&h, 8192) == NULL);
    iommu_heap_free(&h, d);
    iommu_heap_free(&h, c);
    CHECK_EQ(h.used, 0);
    void *big = iommu_heap_alloc(&h, 4000);
    CHECK(big != NULL);
    iommu_heap_free(&h, big);
    CHECK_RC(iommu_heap_init(&h, mem, 16), IOMMU_EINVAL);
}

/* The bare-metal backend, with a plain array standing in for the register page. */
static void baremetal(void) {
    static _Alignas(4096) uint64_t regs[512];
    uint8_t *dma = aligned_alloc(4096, 0x10000);
    static uint64_t heapmem[512];
    iommu_bm_t bm;
    iommu_platform_t p;
    CHECK(dma != NULL);
    CHECK_RC(
        iommu_bm_init(&bm, (uintptr_t)regs, dma + 1, 0x10000, heapmem, sizeof heapmem, NULL, 1, &p),
        IOMMU_EINVAL);
    CHECK_RC(
        iommu_bm_init(&bm, (uintptr_t)regs, dma, 0x10000, heapmem, sizeof heapmem, NULL, 0, &p),
        IOMMU_EINVAL);
    CHECK_OK(
        iommu_bm_init(&bm, (uintptr_t)regs, dma, 0x10000, heapmem, sizeof heapmem, NULL, 1, &p));
    CHECK(iommu_platform_valid(&p));
    CHECK_OK(p.ops->write64(p.ctx, 0x18, 0x1122334455667788ULL));
    CHECK_EQ(regs[3], 0x1122334455667788ULL);
    uint32_t v32;
    CHECK_OK(p.ops->read32(p.ctx, 0x1c, &v32));
    CHECK_EQ(v32, 0x11223344);
    void *virt;
    uint64_t phys, ph2;
    memset(dma, 0xee, 0x10000);
    CHECK_OK(p.ops->dma_alloc(p.ctx, 0x2000, 0x2000, &virt, &phys));
    CHECK(virt == (void *)(uintptr_t)phys);
    CHECK_EQ(phys % 0x2000, 0);
    CHECK_EQ(((uint8_t *)virt)[0x1fff], 0);
    p.ops->mem_write64(p.ctx, phys + 8, 42);
    CHECK_EQ(p.ops->mem_read64(p.ctx, phys + 8), 42);
    CHECK_OK(p.ops->virt_to_phys(p.ctx, (uint8_t *)virt + 5, &ph2));
    CHECK_EQ(ph2, phys + 5);
    void *q = p.ops->host_alloc(p.ctx, 64);
    CHECK(q != NULL);
    p.ops->host_free(p.ctx, q, 64);
    p.ops->wmb(p.ctx);
    p.ops->mb(p.ctx);
    p.ops->delay_us(p.ctx, 3);
    p.ops->dma_free(p.ctx, virt, phys, 0x2000);
    CHECK_EQ(bm.pool.used, 0);
    free(dma);
}

void test_pool(void) {
    RUN(pagepool);
    RUN(heap);
    RUN(baremetal);
}
