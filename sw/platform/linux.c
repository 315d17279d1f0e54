/*
 * linux.c - platform backend for Linux user space.
 *
 * Registers: mmap of /dev/mem (or a UIO device) at the register page.  DMA
 * memory: mmap of a reserved physical region through /dev/mem, managed as a
 * page pool; physical address = dma_phys + offset into the mapping, so
 * virt_to_phys works for addresses inside the region only (buffers elsewhere
 * would need /proc/self/pagemap and pinning by the kernel: copy them into
 * the region instead).  Host memory: calloc/free.  Delay: nanosleep.
 *
 * The paths can name ordinary files: the host unit tests map a temporary file
 * and check what lands in it.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "iommu_platform.h"

#define LX_REG_PAGE 4096u

static iommu_linux_t *lx_of(void *ctx) { return (iommu_linux_t *)ctx; }

#if defined(__riscv)
#define LX_WMB() __asm__ volatile("fence ow, ow" ::: "memory")
#define LX_MB()  __asm__ volatile("fence iorw, iorw" ::: "memory")
#else
#define LX_WMB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define LX_MB()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static int lx_read32(void *ctx, uint32_t off, uint32_t *val) {
    *val = *(volatile uint32_t *)(lx_of(ctx)->regs + off);
    return IOMMU_OK;
}
static int lx_read64(void *ctx, uint32_t off, uint64_t *val) {
    *val = *(volatile uint64_t *)(lx_of(ctx)->regs + off);
    return IOMMU_OK;
}
static int lx_write32(void *ctx, uint32_t off, uint32_t val) {
    *(volatile uint32_t *)(lx_of(ctx)->regs + off) = val;
    return IOMMU_OK;
}
static int lx_write64(void *ctx, uint32_t off, uint64_t val) {
    *(volatile uint64_t *)(lx_of(ctx)->regs + off) = val;
    return IOMMU_OK;
}

static int lx_dma_alloc(void *ctx, size_t size, size_t align, void **virt, uint64_t *phys) {
    iommu_linux_t *lx = lx_of(ctx);
    int rc = iommu_pagepool_alloc(&lx->pool, size, align, phys);
    if (rc) return rc;
    uint8_t *va = lx->dma_va + (*phys - lx->dma_phys);
    memset(va, 0, size);
    if (virt) *virt = va;
    return IOMMU_OK;
}
static void lx_dma_free(void *ctx, void *virt, uint64_t phys, size_t size) {
    (void)virt;
    int rc = iommu_pagepool_free(&lx_of(ctx)->pool, phys, size);
    (void)rc;
}
static uint64_t lx_mem_read64(void *ctx, uint64_t phys) {
    iommu_linux_t *lx = lx_of(ctx);
    return *(volatile uint64_t *)(lx->dma_va + (phys - lx->dma_phys));
}
static void lx_mem_write64(void *ctx, uint64_t phys, uint64_t val) {
    iommu_linux_t *lx = lx_of(ctx);
    *(volatile uint64_t *)(lx->dma_va + (phys - lx->dma_phys)) = val;
}
static int lx_virt_to_phys(void *ctx, const void *virt, uint64_t *phys) {
    iommu_linux_t *lx = lx_of(ctx);
    const uint8_t *v = virt;
    if (v < lx->dma_va || v >= lx->dma_va + lx->dma_size) return IOMMU_ENOTSUP;
    *phys = lx->dma_phys + (uint64_t)(v - lx->dma_va);
    return IOMMU_OK;
}

static void *lx_host_alloc(void *ctx, size_t size) {
    (void)ctx;
    return calloc(1, size);
}
static void lx_host_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}
static void lx_wmb(void *ctx) {
    (void)ctx;
    LX_WMB();
}
static void lx_mb(void *ctx) {
    (void)ctx;
    LX_MB();
}
static void lx_delay(void *ctx, uint32_t us) {
    struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L};
    (void)ctx;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static const iommu_platform_ops_t lx_ops = {
    .read32 = lx_read32,
    .read64 = lx_read64,
    .write32 = lx_write32,
    .write64 = lx_write64,
    .dma_alloc = lx_dma_alloc,
    .dma_free = lx_dma_free,
    .mem_read64 = lx_mem_read64,
    .mem_write64 = lx_mem_write64,
    .virt_to_phys = lx_virt_to_phys,
    .host_alloc = lx_host_alloc,
    .host_free = lx_host_free,
    .wmb = lx_wmb,
    .mb = lx_mb,
    .delay_us = lx_delay,
};

/* mmap len bytes of fd at off, which need not be aligned to the system page:
 * *base gets the mapping, the return value the address of off. */
static uint8_t *map_at(int fd, uint64_t off, size_t len, void **base, size_t *maplen) {
    long pg = sysconf(_SC_PAGESIZE);
    uint64_t delta = off % (uint64_t)(pg > 0 ? pg : 4096);
    *maplen = len + (size_t)delta;
    *base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(off - delta));
    if (*base == MAP_FAILED) return NULL;
    return (uint8_t *)*base + delta;
}

static void unmap_at(void *p, size_t len) {
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p, d = a % (uintptr_t)(pg > 0 ? pg : 4096);
    munmap((void *)(a - d), len + d);
}

int iommu_linux_open(iommu_linux_t *lx, const char *mmio_path, uint64_t mmio_off,
                     const char *mem_path, uint64_t dma_phys, size_t dma_size,
                     iommu_platform_t *plat) {
    void *b1, *b2;
    size_t l1, l2;
    int rc = IOMMU_EIO;
    if (!lx || !plat || !mmio_path || !mem_path || (mmio_off & 0xfffu) || (dma_phys & 0xfffu) ||
        !dma_size || (dma_size & 0xfffu))
        return IOMMU_EINVAL;
    memset(lx, 0, sizeof *lx);
    lx->mmio_fd = lx->mem_fd = -1;
    lx->mmio_fd = open(mmio_path, O_RDWR | O_SYNC);
    if (lx->mmio_fd < 0) goto fail;
    lx->mem_fd = open(mem_path, O_RDWR | O_SYNC);
    if (lx->mem_fd < 0) goto fail;
    lx->regs = map_at(lx->mmio_fd, mmio_off, LX_REG_PAGE, &b1, &l1);
    if (!lx->regs) goto fail;
    lx->dma_va = map_at(lx->mem_fd, dma_phys, dma_size, &b2, &l2);
    if (!lx->dma_va) goto fail;
    lx->dma_phys = dma_phys;
    lx->dma_size = dma_size;
    rc = IOMMU_ENOMEM;
    lx->bitmap = calloc(IOMMU_PAGEPOOL_WORDS(dma_size), sizeof(uint64_t));
    if (!lx->bitmap) goto fail;
    if ((rc = iommu_pagepool_init(&lx->pool, dma_phys, dma_size, lx->bitmap))) goto fail;
    plat->ops = &lx_ops;
    plat->ctx = lx;
    return IOMMU_OK;
fail:
    iommu_linux_close(lx);
    return rc;
}

void iommu_linux_close(iommu_linux_t *lx) {
    if (!lx) return;
    if (lx->regs) unmap_at((void *)(uintptr_t)lx->regs, LX_REG_PAGE);
    if (lx->dma_va) unmap_at(lx->dma_va, lx->dma_size);
    if (lx->mmio_fd >= 0) close(lx->mmio_fd);
    if (lx->mem_fd >= 0) close(lx->mem_fd);
    free(lx->bitmap);
    memset(lx, 0, sizeof *lx);
    lx->mmio_fd = lx->mem_fd = -1;
}
