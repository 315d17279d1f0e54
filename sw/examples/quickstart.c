/*
 * quickstart.c - the driver library from bring-up to teardown, top to bottom.
 *
 * Build: `make sw-test` compiles this file with sw/tests/example_mock.c, which
 * provides the three example_* functions below on the host's mock IOMMU.  On
 * a board, provide them yourself: example_platform() calls iommu_bm_init()
 * (bare metal), iommu_linux_open() (Linux user space) or iommu_sim_init()
 * (the Verilator bench), and example_device_dma() programs a real device.
 */
#include <stdio.h>
#include <string.h>

#include "iommu_drv.h"

/* ---- supplied by the platform glue --------------------------------------- */
int example_platform(iommu_platform_t *plat); /* fill *plat */
void example_platform_done(void);             /* after iommu_fini */
/* The device issues DMA: a read of `len` bytes at `iova` (on the mock, any
 * access outside the mapped buffer ends in a fault record). */
void example_device_dma(uint32_t device_id, uint64_t iova, size_t len);

/* Pin callbacks: nothing to do for memory from the platform's DMA pool;
 * Linux user space would mlock() here, a kernel get_user_pages(). */
static int pin(void *arg, void *cpu, size_t len) {
    (void)cpu, (void)len;
    ++*(int *)arg;
    return IOMMU_OK;
}
static void unpin(void *arg, void *cpu, size_t len) {
    (void)cpu, (void)len;
    --*(int *)arg;
}

#define TRY(what, call)                                                                            \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != IOMMU_OK) {                                                                     \
            printf("quickstart: %s: %s\n", what, iommu_strerror(rc_));                             \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    const uint32_t dev = 0x42; /* the device_id our device puts on the bus */

    /* 1. The platform: register access, DMA memory, barriers, delays. */
    iommu_platform_t plat;
    if (example_platform(&plat) != IOMMU_OK) return 1;

    /* 2. Bring-up: probe capabilities and WARL fields, enable the command
     *    and fault queues, pick the deepest directory mode, turn it on. */
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    cfg.irq_enable = true; /* wired interrupts; this example polls anyway */
    iommu_t *iommu;
    TRY("init", iommu_init(&plat, &cfg, &iommu));
    iommu_info_t info;
    TRY("info", iommu_get_info(iommu, &info));
    printf("IOMMU version %u.%u, PAS %u bits, ddtp mode %u (%u-bit device_id), "
           "%u commands, %u fault records\n",
           info.version >> 4, info.version & 15, info.pas, info.ddt_mode, info.did_width,
           1u << info.cq_log2_entries, 1u << info.fq_log2_entries);

    /* 3. A paging domain (its own page table and PSCID), and our device in it. */
    iommu_domain_t *dom;
    TRY("domain", iommu_domain_alloc(iommu, IOMMU_DOMAIN_PAGING, 0, &dom));
    TRY("attach", iommu_attach_device(dom, dev));

    /* 4. A DMA context: IOVAs from [1 GiB, 2 GiB), buffers pinned while mapped. */
    int pinned = 0;
    iommu_dma_pin_ops_t pins = {.pin = pin, .unpin = unpin, .arg = &pinned};
    iommu_dma_t *dma;
    TRY("dma context", iommu_dma_create(dom, 1ULL << 30, 1ULL << 30, &pins, &dma));

    /* 5. A buffer for the device and its mapping.  Memory from the platform's
     *    DMA pool has a physical address; without a CPU mapping (simulator)
     *    map it by physical address instead. */
    const size_t len = 3 * 4096 + 100;
    void *buf;
    uint64_t buf_phys, iova;
    TRY("buffer", plat.ops->dma_alloc(plat.ctx, 4 * 4096, 4096, &buf, &buf_phys));
    if (buf) {
        memset(buf, 0x5a, len); /* the data the device will read */
        TRY("dma_map", iommu_dma_map(dma, buf, len, IOMMU_PROT_READ, &iova));
    } else {
        TRY("dma_map_phys", iommu_dma_map_phys(dma, buf_phys, len, IOMMU_PROT_READ, &iova));
    }
    uint64_t back;
    TRY("iova_to_phys", iommu_iova_to_phys(dom, iova + 4096, &back));
    printf("buffer phys 0x%llx mapped at iova 0x%llx (iova+4K -> 0x%llx), %d pinned\n",
           (unsigned long long)buf_phys, (unsigned long long)iova, (unsigned long long)back,
           pinned);

    /* 6. The device does DMA: program its DMA engine with `iova`, start it,
     *    wait for it to finish.  Here it reads the buffer and, by mistake,
     *    one page past its end. */
    example_device_dma(dev, iova, len);
    example_device_dma(dev, (iova + len + 4095) & ~4095ULL, 8);

    /* 7. Faults the IOMMU recorded (normally from the fault interrupt). */
    iommu_fault_t faults[8];
    size_t n;
    uint32_t errs;
    TRY("drain", iommu_fq_drain(iommu, faults, 8, &n, &errs));
    for (size_t i = 0; i < n; i++)
        printf("fault: device 0x%x %s at iova 0x%llx: %s (cause %u)\n", faults[i].did,
               faults[i].ttyp_name, (unsigned long long)faults[i].iotval, faults[i].cause_name,
               faults[i].cause);
    if (errs) printf("fault queue: %s\n", errs & IOMMU_FQ_ERR_OF ? "overflowed" : "memory fault");

    /* 8. Unmap.  The device must be quiet first (stop its DMA engine); then
     *    dma_unmap removes the mapping, invalidates the IOTLB, waits for
     *    IOFENCE.C, and only then unpins the buffer. */
    TRY("dma_unmap", iommu_dma_unmap(dma, iova));
    printf("unmapped, %d pinned\n", pinned);
    plat.ops->dma_free(plat.ctx, buf, buf_phys, 4 * 4096);

    /* 9. Teardown, in the reverse order. */
    TRY("dma destroy", iommu_dma_destroy(dma));
    TRY("detach", iommu_detach_device(dom, dev));
    TRY("domain free", iommu_domain_free(dom));
    TRY("fini", iommu_fini(iommu));
    example_platform_done();
    printf("quickstart: done\n");
    return n == 1 && pinned == 0 ? 0 : 1;
}
