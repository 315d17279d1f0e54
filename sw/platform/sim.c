/*
 * sim.c - platform backend for the Verilator test bench (tb/tb.h).
 *
 * Registers: tb_reg_read/tb_reg_write (4 or 8 bytes); no response or a
 * non-OKAY response is IOMMU_EIO.  DMA memory: a page pool over a physical
 * window of the test bench's memory, accessed through the backdoor, so the
 * IOMMU model sees every store at once and there is nothing to flush; it has
 * no CPU mapping here (dma_alloc gives virt = NULL, no virt_to_phys: map
 * buffers with iommu_dma_map_phys and fill them with tb_mem_write).  Host
 * memory: calloc/free.  Time: tb_cycles.
 */
#include <stdlib.h>

#include "iommu_platform.h"
#include "tb.h"

static int sim_read32(void *ctx, uint32_t off, uint32_t *val) {
    uint64_t v = 0;
    unsigned resp = AXI_OKAY;
    (void)ctx;
    if (tb_reg_read(off, 4, &v, &resp) != 0 || resp != AXI_OKAY) return IOMMU_EIO;
    *val = (uint32_t)v;
    return IOMMU_OK;
}
static int sim_read64(void *ctx, uint32_t off, uint64_t *val) {
    unsigned resp = AXI_OKAY;
    (void)ctx;
    if (tb_reg_read(off, 8, val, &resp) != 0 || resp != AXI_OKAY) return IOMMU_EIO;
    return IOMMU_OK;
}
static int sim_write32(void *ctx, uint32_t off, uint32_t val) {
    unsigned resp = AXI_OKAY;
    (void)ctx;
    if (tb_reg_write(off, 4, val, &resp) != 0 || resp != AXI_OKAY) return IOMMU_EIO;
    return IOMMU_OK;
}
static int sim_write64(void *ctx, uint32_t off, uint64_t val) {
    unsigned resp = AXI_OKAY;
    (void)ctx;
    if (tb_reg_write(off, 8, val, &resp) != 0 || resp != AXI_OKAY) return IOMMU_EIO;
    return IOMMU_OK;
}

static int sim_dma_alloc(void *ctx, size_t size, size_t align, void **virt, uint64_t *phys) {
    iommu_sim_t *s = ctx;
    int rc = iommu_pagepool_alloc(&s->pool, size, align, phys);
    if (rc) return rc;
    tb_mem_fill(*phys, size, 0);
    if (virt) *virt = NULL;
    return IOMMU_OK;
}
static void sim_dma_free(void *ctx, void *virt, uint64_t phys, size_t size) {
    iommu_sim_t *s = ctx;
    (void)virt;
    int rc = iommu_pagepool_free(&s->pool, phys, size);
    (void)rc;
}
static uint64_t sim_mem_read64(void *ctx, uint64_t phys) {
    (void)ctx;
    return tb_mem_load(phys, 8);
}
static void sim_mem_write64(void *ctx, uint64_t phys, uint64_t val) {
    (void)ctx;
    tb_mem_store(phys, 8, val);
}

static void *sim_host_alloc(void *ctx, size_t size) {
    (void)ctx;
    return calloc(1, size);
}
static void sim_host_free(void *ctx, void *p, size_t size) {
    (void)ctx;
    (void)size;
    free(p);
}

/* The backdoor takes effect at once and the simulation is one thread. */
static void sim_barrier(void *ctx) { (void)ctx; }

static void sim_delay(void *ctx, uint32_t us) {
    iommu_sim_t *s = ctx;
    tb_cycles((uint64_t)us * s->cycles_per_us);
}

static const iommu_platform_ops_t sim_ops = {
    .read32 = sim_read32,
    .read64 = sim_read64,
    .write32 = sim_write32,
    .write64 = sim_write64,
    .dma_alloc = sim_dma_alloc,
    .dma_free = sim_dma_free,
    .mem_read64 = sim_mem_read64,
    .mem_write64 = sim_mem_write64,
    .virt_to_phys = NULL,
    .host_alloc = sim_host_alloc,
    .host_free = sim_host_free,
    .wmb = sim_barrier,
    .mb = sim_barrier,
    .delay_us = sim_delay,
};

int iommu_sim_init(iommu_sim_t *sim, uint64_t win_base, uint64_t win_size, uint32_t cycles_per_us,
                   iommu_platform_t *plat) {
    int rc;
    if (!sim || !plat || !cycles_per_us || !win_size || (win_base & 0xfffu) || (win_size & 0xfffu))
        return IOMMU_EINVAL;
    sim->bitmap = calloc(IOMMU_PAGEPOOL_WORDS(win_size), sizeof(uint64_t));
    if (!sim->bitmap) return IOMMU_ENOMEM;
    if ((rc = iommu_pagepool_init(&sim->pool, win_base, win_size, sim->bitmap))) {
        free(sim->bitmap);
        sim->bitmap = NULL;
        return rc;
    }
    sim->cycles_per_us = cycles_per_us;
    plat->ops = &sim_ops;
    plat->ctx = sim;
    return IOMMU_OK;
}

void iommu_sim_fini(iommu_sim_t *sim) {
    if (!sim) return;
    free(sim->bitmap);
    sim->bitmap = NULL;
}
