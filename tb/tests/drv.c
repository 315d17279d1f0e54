/* drv.c - the driver library (sw/, through its simulator backend) driving the
 * RTL the way software would: bring-up, two devices in separate paging
 * domains, map, DMA, the second device refused where its domain does not
 * allow the access, the fault read back and decoded by the library.
 * The command queue does not run yet (issue 4), so the library is brought
 * up with no_cq and every mapping is made before the first DMA. */
#include <string.h>

#include "iommu_drv.h"
#include "tutil.h"

#define POOL_BASE 0x00000000a0000000ull   /* the driver's DMA pool (tables, queues) */
#define POOL_SIZE (16ull << 20)
#define BUF_A     0x00000000b0000000ull   /* device A's buffers */
#define BUF_B     0x00000000b1000000ull   /* device B's buffers */
#define BUF_2M    0x00000000c0000000ull   /* a 2 MiB page */

#define TRY(call)                                                                       \
    do {                                                                                \
        int rc_ = (call);                                                               \
        CHECK(rc_ == IOMMU_OK, "%s: %s", #call, iommu_strerror(rc_));                   \
        if (rc_ != IOMMU_OK) return 1;                                                  \
    } while (0)

static uint64_t pat(uint64_t pa) { return pa * 0x9e3779b97f4a7c15ull + 1; }

static int t_driver(void) {
    iommu_sim_t sim;
    iommu_platform_t plat;
    TRY(iommu_sim_init(&sim, POOL_BASE, POOL_SIZE, 100, &plat));
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    cfg.no_cq = true;
    iommu_t *mmu;
    TRY(iommu_init(&plat, &cfg, &mmu));
    iommu_info_t info;
    TRY(iommu_get_info(mmu, &info));
    CHECK(info.ddt_mode >= 2 && info.ddt_mode <= 4, "the driver chose a translating mode (%u)",
          info.ddt_mode);
    CHECK_EQ(rd64(IOMMU_REG_DDTP) & 0xf, info.ddt_mode, "ddtp mode as the driver says");

    const uint32_t dev_a = 0x10, dev_b = 0x4321;
    iommu_domain_t *da, *db;
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &da));
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &db));
    TRY(iommu_attach_device(da, dev_a));
    TRY(iommu_attach_device(db, dev_b));
    /* the same IOVAs in both domains, different pages behind them */
    TRY(iommu_map(da, 0x10000, BUF_A, 0x4000, IOMMU_PROT_READ | IOMMU_PROT_WRITE));
    TRY(iommu_map(db, 0x10000, BUF_B, 0x4000, IOMMU_PROT_READ));
    TRY(iommu_map(da, 0x40000000, BUF_2M, 2ull << 20, IOMMU_PROT_READ));
    uint64_t phys = 0;
    TRY(iommu_iova_to_phys(da, 0x40000000 + 0x12345, &phys));
    CHECK_EQ(phys, BUF_2M + 0x12345, "iova_to_phys in the 2 MiB page");
    for (uint64_t o = 0; o < 0x4000; o += 8) {
        tb_mem_store(BUF_A + o, 8, pat(BUF_A + o));
        tb_mem_store(BUF_B + o, 8, pat(BUF_B + o));
    }
    tb_mem_store(BUF_2M + 0x1ffff8, 8, pat(BUF_2M));

    uint64_t v = 0;
    CHECK_EQ(dma_rd(dev_a, 0x10008, 8, &v), AXI_OKAY, "A reads its buffer");
    CHECK_EQ(v, pat(BUF_A + 8), "A's data");
    CHECK_EQ(dma_rd(dev_b, 0x10008, 8, &v), AXI_OKAY, "B reads the same IOVA");
    CHECK_EQ(v, pat(BUF_B + 8), "B's data comes from B's page");
    CHECK_EQ(dma_wr(dev_a, 0x13ff8, 8, 0xa11ce), AXI_OKAY, "A writes");
    CHECK_EQ(tb_mem_load(BUF_A + 0x3ff8, 8), 0xa11ce, "A's write in A's page");
    CHECK_EQ(dma_rd(dev_a, 0x40000000 + 0x1ffff8, 8, &v), AXI_OKAY, "A reads the 2 MiB page");
    CHECK_EQ(v, pat(BUF_2M), "data at the end of the 2 MiB page");
    /* refused: B may not write; B has no 2 MiB mapping; an unknown device */
    CHECK_EQ(dma_wr(dev_b, 0x10000, 8, 0xbad), AXI_SLVERR, "B's write refused");
    CHECK_EQ(tb_mem_load(BUF_B, 8), pat(BUF_B), "B's page unchanged");
    CHECK_EQ(dma_rd(dev_b, 0x40000000, 8, &v), AXI_SLVERR, "B cannot reach A's 2 MiB mapping");
    CHECK_EQ(dma_rd(0x77, 0x10000, 8, &v), AXI_SLVERR, "a device never attached");

    iommu_fault_t f[8];
    size_t n = 0;
    uint32_t errs = 1;
    for (int i = 0; i < 100 && n < 3; i++) {
        size_t got = 0;
        TRY(iommu_fq_drain(mmu, f + n, 8 - n, &got, &errs));
        n += got;
        tb_cycles(10);
    }
    CHECK_EQ(n, 3, "fault records");
    CHECK_EQ(errs, 0, "fault queue errors");
    if (n == 3) {
        CHECK(f[0].cause == 15 && f[0].did == dev_b && f[0].iotval == 0x10000 && f[0].ttyp == 3,
              "record 0: write page fault by B at 0x10000 (cause %u did %#x)", f[0].cause, f[0].did);
        CHECK(!strcmp(f[0].cause_name, "write/AMO page fault") || strstr(f[0].cause_name, "page fault"),
              "cause name '%s'", f[0].cause_name);
        CHECK(f[1].cause == 13 && f[1].did == dev_b && f[1].iotval == 0x40000000,
              "record 1: read page fault by B (cause %u)", f[1].cause);
        CHECK(f[2].cause == 258 && f[2].did == 0x77, "record 2: DDT entry not valid (cause %u)",
              f[2].cause);
    }
    /* no command queue: leave the mappings and tear down by turning the IOMMU off */
    TRY(iommu_detach_device(da, dev_a));
    TRY(iommu_detach_device(db, dev_b));
    TRY(iommu_domain_free(da));
    TRY(iommu_domain_free(db));
    TRY(iommu_fini(mmu));
    CHECK_EQ(rd64(IOMMU_REG_DDTP) & 0xf, 0, "Off after fini");
    CHECK_EQ(dma_rd(dev_a, 0x10008, 8, &v), AXI_SLVERR, "Off refuses A");
    iommu_sim_fini(&sim);
    return 0;
}

const test_def_t tests_drv[] = {
    {"drv_two_domains", "driver library: bring-up, two domains, map, DMA, refusals, decoded faults",
     t_driver, false},
    {0},
};
