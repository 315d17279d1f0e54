/*
 * baremetal.c - platform backend for bare metal: volatile MMIO, a fixed DMA
 * pool with an identity virtual-to-physical mapping, a fixed host heap.
 * Freestanding: uses nothing but <stdint.h>, <stddef.h>, <stdbool.h>.
 */
#include "iommu_platform.h"

#if defined(__riscv)
/* Memory stores before later memory stores and device writes. */
#define BM_WMB() __asm__ volatile("fence ow, ow" ::: "memory")
#define BM_MB()  __asm__ volatile("fence iorw, iorw" ::: "memory")
#else
#define BM_WMB() __asm__ volatile("" ::: "memory")
#define BM_MB()  __asm__ volatile("" ::: "memory")
#endif

static iommu_bm_t *bm_of(void *ctx) { return (iommu_bm_t *)ctx; }

static int bm_read32(void *ctx, uint32_t off, uint32_t *val) {
    *val = *(volatile uint32_t *)(bm_of(ctx)->mmio_base + off);
    return IOMMU_OK;
}
static int bm_read64(void *ctx, uint32_t off, uint64_t *val) {
    *val = *(volatile uint64_t *)(bm_of(ctx)->mmio_base + off);
    return IOMMU_OK;
}
static int bm_write32(void *ctx, uint32_t off, uint32_t val) {
    *(volatile uint32_t *)(bm_of(ctx)->mmio_base + off) = val;
    return IOMMU_OK;
}
static int bm_write64(void *ctx, uint32_t off, uint64_t val) {
    *(volatile uint64_t *)(bm_of(ctx)->mmio_base + off) = val;
    return IOMMU_OK;
}

static int bm_dma_alloc(void *ctx, size_t size, size_t align, void **virt, uint64_t *phys) {
    iommu_bm_t *bm = bm_of(ctx);
    int rc = iommu_pagepool_alloc(&bm->pool, size, align, phys);
    if (rc) return rc;
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)*phys;
    for (size_t i = 0; i < size / 8u; i++)
        p[i] = 0;
    if (virt) *virt = (void *)(uintptr_t)*phys;
    return IOMMU_OK;
}
static void bm_dma_free(void *ctx, void *virt, uint64_t phys, size_t size) {
    (void)virt;
    int rc = iommu_pagepool_free(&bm_of(ctx)->pool, phys, size);
    (void)rc; /* a bad free is ignored: nothing sensible to do here */
}

static uint64_t bm_mem_read64(void *ctx, uint64_t phys) {
    (void)ctx;
    return *(volatile uint64_t *)(uintptr_t)phys;
}
static void bm_mem_write64(void *ctx, uint64_t phys, uint64_t val) {
    (void)ctx;
    *(volatile uint64_t *)(uintptr_t)phys = val;
}
static int bm_virt_to_phys(void *ctx, const void *virt, uint64_t *phys) {
    (void)ctx;
    *phys = (uint64_t)(uintptr_t)virt;
    return IOMMU_OK;
}

static void *bm_host_alloc(void *ctx, size_t size) {
    return iommu_heap_alloc(&bm_of(ctx)->heap, size);
}
static void bm_host_free(void *ctx, void *p, size_t size) {
    (void)size;
    iommu_heap_free(&bm_of(ctx)->heap, p);
}

static void bm_wmb(void *ctx) {
    (void)ctx;
    BM_WMB();
}
static void bm_mb(void *ctx) {
    (void)ctx;
    BM_MB();
}
static void bm_delay(void *ctx, uint32_t us) {
    iommu_bm_t *bm = bm_of(ctx);
    if (bm->delay) {
        bm->delay(us);
        return;
    }
    for (volatile uint64_t i = 0; i < (uint64_t)us * bm->loops_per_us; i++) {
    }
}

static const iommu_platform_ops_t bm_ops = {
    .read32 = bm_read32,
    .read64 = bm_read64,
    .write32 = bm_write32,
    .write64 = bm_write64,
    .dma_alloc = bm_dma_alloc,
    .dma_free = bm_dma_free,
    .mem_read64 = bm_mem_read64,
    .mem_write64 = bm_mem_write64,
    .virt_to_phys = bm_virt_to_phys,
    .host_alloc = bm_host_alloc,
    .host_free = bm_host_free,
    .wmb = bm_wmb,
    .mb = bm_mb,
    .delay_us = bm_delay,
};

int iommu_bm_init(iommu_bm_t *bm, uintptr_t mmio_base, void *dma_mem, size_t dma_size,
                  void *heap_mem, size_t heap_size, void (*delay)(uint32_t us),
                  uint32_t loops_per_us, iommu_platform_t *plat) {
    int rc;
    if (!bm || !plat || !mmio_base || (mmio_base & 0xfffu) || !dma_mem || !heap_mem ||
        ((uintptr_t)dma_mem & 0xfffu) || !dma_size || (dma_size & 0xfffu))
        return IOMMU_EINVAL;
    if (!delay && !loops_per_us) return IOMMU_EINVAL;
    if ((rc = iommu_heap_init(&bm->heap, heap_mem, heap_size))) return rc;
    uint64_t *bitmap =
        iommu_heap_alloc(&bm->heap, IOMMU_PAGEPOOL_WORDS(dma_size) * sizeof(uint64_t));
    if (!bitmap) return IOMMU_ENOMEM;
    if ((rc = iommu_pagepool_init(&bm->pool, (uint64_t)(uintptr_t)dma_mem, dma_size, bitmap))) {
        iommu_heap_free(&bm->heap, bitmap);
        return rc;
    }
    bm->mmio_base = mmio_base;
    bm->delay = delay;
    bm->loops_per_us = loops_per_us;
    plat->ops = &bm_ops;
    plat->ctx = bm;
    return IOMMU_OK;
}
