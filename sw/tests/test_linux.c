/*
 * test_linux.c - the Linux user-space backend, pointed at an ordinary
 * temporary file in place of /dev/mem: registers and DMA memory land in the
 * file at the offsets given.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static void linux_backend(void) {
    char path[] = "/tmp/iommu-sw-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const uint64_t regs_off = 0x3000, dma_off = 0x10000;
    const size_t dma_size = 0x20000;
    CHECK_EQ(ftruncate(fd, (off_t)(dma_off + dma_size)), 0);

    iommu_linux_t lx;
    iommu_platform_t p;
    CHECK_RC(iommu_linux_open(&lx, path, 0x123, path, dma_off, dma_size, &p), IOMMU_EINVAL);
    CHECK_RC(iommu_linux_open(&lx, "/nonexistent/x", regs_off, path, dma_off, dma_size, &p),
             IOMMU_EIO);
    CHECK_OK(iommu_linux_open(&lx, path, regs_off, path, dma_off, dma_size, &p));
    CHECK(iommu_platform_valid(&p));

    /* registers: at regs_off + offset in the file */
    CHECK_OK(p.ops->write32(p.ctx, 0x24, 0xa5a5));
    CHECK_OK(p.ops->write64(p.ctx, 0x10, 0x0123456789abcdefULL));
    uint32_t v32 = 0;
    uint64_t v64 = 0;
    CHECK_OK(p.ops->read32(p.ctx, 0x24, &v32));
    CHECK_EQ(v32, 0xa5a5);
    CHECK_OK(p.ops->read64(p.ctx, 0x10, &v64));
    CHECK_EQ(v64, 0x0123456789abcdefULL);
    CHECK_EQ(pread(fd, &v64, 8, (off_t)(regs_off + 0x10)), 8);
    CHECK_EQ(v64, 0x0123456789abcdefULL);

    /* DMA memory: zeroed, aligned, physical = file offset */
    void *virt;
    uint64_t phys, ph2;
    uint64_t junk[512];
    memset(junk, 0xcc, sizeof junk);
    CHECK_EQ(pwrite(fd, junk, sizeof junk, (off_t)(dma_off + 0x4000)), (ssize_t)sizeof junk);
    CHECK_OK(p.ops->dma_alloc(p.ctx, 0x1000, 0x1000, &virt, &phys));
    CHECK_EQ(phys, dma_off);
    uint64_t phys2;
    CHECK_OK(p.ops->dma_alloc(p.ctx, 0x2000, 0x4000, &virt, &phys2));
    CHECK_EQ(phys2, dma_off + 0x4000);
    CHECK_EQ(((uint8_t *)virt)[0], 0);
    p.ops->mem_write64(p.ctx, phys2 + 0x18, 0x55aa55aa55aa55aaULL);
    CHECK_EQ(p.ops->mem_read64(p.ctx, phys2 + 0x18), 0x55aa55aa55aa55aaULL);
    CHECK_EQ(pread(fd, &v64, 8, (off_t)(phys2 + 0x18)), 8);
    CHECK_EQ(v64, 0x55aa55aa55aa55aaULL);
    CHECK_OK(p.ops->virt_to_phys(p.ctx, (uint8_t *)virt + 0x123, &ph2));
    CHECK_EQ(ph2, phys2 + 0x123);
    CHECK_RC(p.ops->virt_to_phys(p.ctx, junk, &ph2), IOMMU_ENOTSUP);
    void *q = p.ops->host_alloc(p.ctx, 100);
    CHECK(q != NULL);
    p.ops->host_free(p.ctx, q, 100);
    p.ops->wmb(p.ctx);
    p.ops->mb(p.ctx);
    p.ops->delay_us(p.ctx, 1);
    p.ops->dma_free(p.ctx, virt, phys2, 0x2000);
    p.ops->dma_free(p.ctx, NULL, phys, 0x1000);
    CHECK_EQ(lx.pool.used, 0);
    iommu_linux_close(&lx);
    close(fd);
    unlink(path);
}

void test_linux(void) { RUN(linux_backend); }
