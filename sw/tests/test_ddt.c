/*
 * test_ddt.c - the device directory in memory: index split per level and
 * format (spec: base DDI0 = did[6:0], DDI1 = did[15:7], DDI2 = did[23:16];
 * extended 5:0, 14:6, 23:15), non-leaf entry format, DC contents, the order
 * of stores, on-demand allocation and its failure.
 */
#include "test.h"

#define PPN_OF(e) ((((e) >> 10) & ((1ULL << 44) - 1)) << 12)

static uint64_t ent(const mock_t *m, uint64_t table, uint64_t i) {
    return mock_rd64(m, table + 8 * i);
}

/* A non-leaf DDT entry: V (bit 0), PPN (53:10), everything else zero. */
static void check_ddte(uint64_t e) {
    CHECK_EQ(e & 1, 1);
    CHECK_EQ(e & ~(((1ULL << 44) - 1) << 10) & ~1ULL, 0);
}

static void ddt_3lvl(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    uint64_t root = t_info(h).ddt_root;
    iommu_dc_t dc, rd;
    CHECK_OK(iommu_dc_paging(&dc, IOMMU_ATP_MODE_SV39, 0x80123000, 0x345));
    long live = m->dma_live_pages;
    size_t w0 = m->nmemw;

    CHECK_OK(iommu_ddt_write_dc(h, 0xABCDEF, &dc));
    CHECK_EQ(m->dma_live_pages, live + 2);
    uint64_t e2 = ent(m, root, 0xAB); /* DDI2 = did[23:16] */
    check_ddte(e2);
    uint64_t e1 = ent(m, PPN_OF(e2), (0xABCDEF >> 7) & 0x1ff); /* DDI1 = did[15:7] */
    check_ddte(e1);
    uint64_t dcpa = PPN_OF(e1) + 32 * (0xABCDEF & 0x7f);       /* DDI0 = did[6:0] */
    CHECK_EQ(mock_rd64(m, dcpa), 1);                           /* tc.V */
    CHECK_EQ(mock_rd64(m, dcpa + 8), 0);                       /* iohgatp Bare */
    CHECK_EQ(mock_rd64(m, dcpa + 16), 0x345ULL << 12);         /* ta.PSCID */
    CHECK_EQ(mock_rd64(m, dcpa + 24), (8ULL << 60) | 0x80123); /* iosatp Sv39, PPN */
    /* order: the new branch is linked last; the DC body, a wmb, then tc */
    long link = mock_memw_last(m, root + 8 * 0xAB),
         inner = mock_memw_last(m, PPN_OF(e2) + 8 * ((0xABCDEF >> 7) & 0x1ff));
    long body = mock_memw_last(m, dcpa + 24), tc = mock_memw_last(m, dcpa);
    CHECK(link > inner && inner >= (long)w0);
    CHECK(tc > body && body > link);
    CHECK(m->memw[body].event < m->last_wmb_event && m->last_wmb_event < m->memw[tc].event);

    /* same DDI2 and DDI1: no new page; same DDI2 only: one */
    CHECK_OK(iommu_ddt_write_dc(h, 0xABCD80, &dc));
    CHECK_EQ(m->dma_live_pages, live + 2);
    CHECK_OK(iommu_ddt_write_dc(h, 0xAB0000, &dc));
    CHECK_EQ(m->dma_live_pages, live + 3);

    /* read back, clear V, absent path */
    CHECK_OK(iommu_ddt_read_dc(h, 0xABCDEF, &rd));
    CHECK_EQ(rd.tc, dc.tc);
    CHECK_EQ(rd.ta, dc.ta);
    CHECK_EQ(rd.fsc, dc.fsc);
    CHECK_OK(iommu_ddt_clear_valid(h, 0xABCDEF));
    CHECK_EQ(mock_rd64(m, dcpa), 0);
    CHECK_EQ(mock_rd64(m, dcpa + 24), dc.fsc);
    size_t nw = m->nmemw;
    CHECK_OK(iommu_ddt_read_dc(h, 0x120000, &rd));
    CHECK_EQ(rd.tc | rd.fsc | rd.ta, 0);
    CHECK_OK(iommu_ddt_clear_valid(h, 0x120000));
    CHECK_EQ(m->nmemw, nw); /* absent: nothing written, nothing allocated */
    CHECK_EQ(m->dma_live_pages, live + 3);

    /* allocation failures while building a branch: nothing changes */
    for (long k = 1; k <= 2; k++) {
        m->fail_alloc_at = m->allocs + k;
        CHECK_RC(iommu_ddt_write_dc(h, 0x340000, &dc), IOMMU_ENOMEM);
        CHECK_EQ(m->dma_live_pages, live + 3);
        CHECK_EQ(ent(m, root, 0x34), 0);
    }
    m->fail_alloc_at = 0;

    /* bad arguments */
    CHECK_RC(iommu_ddt_write_dc(h, 1u << 24, &dc), IOMMU_ERANGE);
    CHECK_RC(iommu_ddt_write_dc(h, 1, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_ddt_read_dc(NULL, 1, &rd), IOMMU_EINVAL);
    CHECK_RC(iommu_dc_paging(&dc, 0, 0x1000, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_dc_paging(&dc, 8, 0x1001, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_dc_paging(&dc, 8, 0x1000, 1u << 20), IOMMU_EINVAL);
    t_down(h, m);
    mock_free(m);
}

static void ddt_2lvl_1lvl(void) {
    mock_t *m = mock_new();
    m->ddt_modes = 1u << 3; /* 2LVL */
    iommu_t *h = t_up(m, NULL);
    uint64_t root = t_info(h).ddt_root;
    iommu_dc_t dc;
    CHECK_OK(iommu_dc_identity(&dc));
    CHECK_OK(iommu_ddt_write_dc(h, 0xFFFF, &dc));
    uint64_t e = ent(m, root, 0x1ff);
    check_ddte(e);
    CHECK_EQ(mock_rd64(m, PPN_OF(e) + 32 * 0x7f), 1);
    long live = m->dma_live_pages;
    size_t nw = m->nmemw;
    CHECK_RC(iommu_ddt_write_dc(h, 0x10000, &dc), IOMMU_ERANGE);
    CHECK_EQ(m->dma_live_pages, live);
    CHECK_EQ(m->nmemw, nw);
    t_down(h, m);
    mock_free(m);

    m = mock_new();
    m->ddt_modes = 1u << 2; /* 1LVL: the root holds the DCs */
    h = t_up(m, NULL);
    root = t_info(h).ddt_root;
    CHECK_OK(iommu_ddt_write_dc(h, 0x7f, &dc));
    CHECK_EQ(mock_rd64(m, root + 32 * 0x7f), 1);
    CHECK_RC(iommu_ddt_write_dc(h, 0x80, &dc), IOMMU_ERANGE);
    t_down(h, m);
    mock_free(m);

    /* Bare: there is no directory */
    m = mock_new();
    iommu_config_t cfg = {.ddt_mode = IOMMU_DDT_CFG_BARE};
    h = t_up(m, &cfg);
    CHECK_RC(iommu_ddt_write_dc(h, 1, &dc), IOMMU_ENODEV);
    t_down(h, m);
    mock_free(m);
}

/* MSI_FLAT: 64-byte DCs, DDI0 = did[5:0], DDI1 = did[14:6], DDI2 = did[23:15]. */
static void ddt_extended(void) {
    mock_t *m = mock_new();
    m->caps |= IOMMU_CAPABILITIES_MSI_FLAT_MASK;
    iommu_t *h = t_up(m, NULL);
    iommu_info_t i = t_info(h);
    CHECK_EQ(i.dc_size, 64);
    uint64_t root = i.ddt_root;
    iommu_dc_t dc;
    CHECK_OK(iommu_dc_identity(&dc));
    dc.msi_addr_mask = 0x55;
    dc.msi_addr_pattern = 0x66;
    const uint32_t did = 0xABCDEF;
    CHECK_OK(iommu_ddt_write_dc(h, did, &dc));
    uint64_t e2 = ent(m, root, did >> 15);
    check_ddte(e2);
    uint64_t e1 = ent(m, PPN_OF(e2), (did >> 6) & 0x1ff);
    check_ddte(e1);
    uint64_t dcpa = PPN_OF(e1) + 64 * (did & 0x3f);
    CHECK_EQ(mock_rd64(m, dcpa), 1);
    CHECK_EQ(mock_rd64(m, dcpa + 40), 0x55);
    CHECK_EQ(mock_rd64(m, dcpa + 48), 0x66);
    t_down(h, m);
    mock_free(m);
}

void test_ddt(void) {
    RUN(ddt_3lvl);
    RUN(ddt_2lvl_1lvl);
    RUN(ddt_extended);
}
