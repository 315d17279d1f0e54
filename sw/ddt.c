/*
 * ddt.c - the device directory: 1, 2 or 3 levels, base (32-byte) or
 * extended (64-byte) device contexts.
 *
 * device_id is split into DDI[2..0] by the DC format (base: 23:16, 15:7, 6:0;
 * extended: 23:15, 14:6, 5:0).  The table at level k is indexed by DDI[k];
 * the root is at level (levels - 1) and level 0 holds the DCs.  Non-leaf
 * pages are allocated on demand; a new branch is built completely (zeroed
 * pages, inner links) before the one store that links it into the live
 * directory, so an allocation failure changes nothing.  The IOMMU does not
 * cache invalid entries, so linking needs no invalidation.
 */
#include "internal.h"

static uint32_t ddi(const iommu_t *h, uint32_t did, uint32_t level) {
    bool ext = h->info.dc_size == IOMMU_DC_EXT_SIZE;
    uint32_t lo0 = ext ? 6u : 7u; /* bits of DDI[0] */
    switch (level) {
    case 0: return did & ((1u << lo0) - 1u);
    case 1: return (did >> lo0) & 0x1ffu;
    default: return (did >> (lo0 + 9u)) & (ext ? 0x1ffu : 0xffu);
    }
}

static uint64_t ddte_make(uint64_t table) {
    return IOMMU_DDTE_V_MASK | IOMMU_FIELD_PREP(IOMMU_DDTE_PPN, table >> IOMMU_PAGE_SHIFT);
}

static uint64_t ddte_table(uint64_t e) {
    return IOMMU_FIELD_GET(e, IOMMU_DDTE_PPN) << IOMMU_PAGE_SHIFT;
}

static int did_check(const iommu_t *h, uint32_t did) {
    if (!h->ddt_levels) return IOMMU_ENODEV;
    if (h->info.did_width < 32u && (did >> h->info.did_width)) return IOMMU_ERANGE;
    return IOMMU_OK;
}

/* Physical address of did's DC; 0 when the path is absent and !alloc. */
static int dc_locate(iommu_t *h, uint32_t did, bool alloc, uint64_t *dc_pa) {
    uint64_t table = h->ddt_root;
    *dc_pa = 0;
    for (uint32_t lvl = h->ddt_levels - 1u; lvl >= 1u; lvl--) {
        uint64_t e_pa = table + 8u * ddi(h, did, lvl);
        uint64_t e = mem_rd(h, e_pa);
        if (e & IOMMU_DDTE_V_MASK) {
            table = ddte_table(e);
            continue;
        }
        if (!alloc) return IOMMU_OK;
        /* Build the missing branch: tables for levels lvl-1 .. 0. */
        uint64_t page[2] = {0, 0};
        for (uint32_t i = 0; i < lvl; i++) {
            int rc = iommu_i_dma_page_alloc(h, IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE, &page[i]);
            if (rc) {
                while (i--)
                    iommu_i_dma_page_free(h, page[i], IOMMU_PAGE_SIZE);
                return rc;
            }
        }
        for (uint32_t i = 0; i + 1u < lvl; i++) /* page[i] is at level lvl-1-i */
            mem_wr(h, page[i] + 8u * ddi(h, did, lvl - 1u - i), ddte_make(page[i + 1]));
        plat_wmb(h); /* zeroed pages and inner links before the live link */
        mem_wr(h, e_pa, ddte_make(page[0]));
        table = page[lvl - 1u];
        break;
    }
    *dc_pa = table + (uint64_t)h->info.dc_size * ddi(h, did, 0);
    return IOMMU_OK;
}

static uint64_t dc_dw(const iommu_dc_t *dc, unsigned i) {
    switch (i) {
    case 0: return dc->tc;
    case 1: return dc->iohgatp;
    case 2: return dc->ta;
    case 3: return dc->fsc;
    case 4: return dc->msiptp;
    case 5: return dc->msi_addr_mask;
    case 6: return dc->msi_addr_pattern;
    default: return dc->reserved;
    }
}

static void dc_set_dw(iommu_dc_t *dc, unsigned i, uint64_t v) {
    switch (i) {
    case 0: dc->tc = v; break;
    case 1: dc->iohgatp = v; break;
    case 2: dc->ta = v; break;
    case 3: dc->fsc = v; break;
    case 4: dc->msiptp = v; break;
    case 5: dc->msi_addr_mask = v; break;
    case 6: dc->msi_addr_pattern = v; break;
    default: dc->reserved = v; break;
    }
}

int iommu_dc_paging(iommu_dc_t *dc, uint32_t atp_mode, uint64_t root, uint32_t pscid) {
    if (!dc) return IOMMU_EINVAL;
    if (atp_mode != IOMMU_ATP_MODE_SV39 && atp_mode != IOMMU_ATP_MODE_SV48 &&
        atp_mode != IOMMU_ATP_MODE_SV57)
        return IOMMU_EINVAL;
    if (!IS_ALIGNED(root, IOMMU_PAGE_SIZE) || (root >> 56) || pscid > 0xfffffu) return IOMMU_EINVAL;
    iommu_zero(dc, sizeof *dc);
    dc->tc = IOMMU_DC_TC_V_MASK;
    dc->ta = IOMMU_FIELD_PREP(IOMMU_DC_TA_PSCID, pscid);
    dc->fsc = IOMMU_FIELD_PREP(IOMMU_DC_FSC_MODE, atp_mode) |
              IOMMU_FIELD_PREP(IOMMU_DC_FSC_PPN, root >> IOMMU_PAGE_SHIFT);
    return IOMMU_OK;
}

int iommu_dc_identity(iommu_dc_t *dc) {
    if (!dc) return IOMMU_EINVAL;
    iommu_zero(dc, sizeof *dc);
    dc->tc = IOMMU_DC_TC_V_MASK; /* iosatp.MODE = Bare */
    return IOMMU_OK;
}

int iommu_ddt_write_dc(iommu_t *h, uint32_t did, const iommu_dc_t *dc) {
    uint64_t pa;
    int rc;
    if (!h || !dc) return IOMMU_EINVAL;
    if ((rc = did_check(h, did))) return rc;
    if ((rc = dc_locate(h, did, true, &pa))) return rc;
    unsigned n = h->info.dc_size / 8u;
    for (unsigned i = 1; i < n; i++)
        mem_wr(h, pa + 8u * i, dc_dw(dc, i));
    plat_wmb(h); /* the body before the word holding V */
    mem_wr(h, pa, dc->tc);
    return IOMMU_OK;
}

int iommu_ddt_read_dc(iommu_t *h, uint32_t did, iommu_dc_t *dc) {
    uint64_t pa;
    int rc;
    if (!h || !dc) return IOMMU_EINVAL;
    if ((rc = did_check(h, did))) return rc;
    iommu_zero(dc, sizeof *dc);
    if ((rc = dc_locate(h, did, false, &pa))) return rc;
    if (!pa) return IOMMU_OK;
    for (unsigned i = 0; i < h->info.dc_size / 8u; i++)
        dc_set_dw(dc, i, mem_rd(h, pa + 8u * i));
    return IOMMU_OK;
}

int iommu_ddt_clear_valid(iommu_t *h, uint32_t did) {
    uint64_t pa;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = did_check(h, did))) return rc;
    if ((rc = dc_locate(h, did, false, &pa))) return rc;
    if (pa) mem_wr(h, pa, mem_rd(h, pa) & ~IOMMU_DC_TC_V_MASK);
    return IOMMU_OK;
}

static void free_level(iommu_t *h, uint64_t table, uint32_t level) {
    for (uint32_t i = 0; i < 512u; i++) {
        uint64_t e = mem_rd(h, table + 8u * i);
        if (!(e & IOMMU_DDTE_V_MASK)) continue;
        if (level > 1u) free_level(h, ddte_table(e), level - 1u);
        iommu_i_dma_page_free(h, ddte_table(e), IOMMU_PAGE_SIZE);
    }
}

void iommu_i_ddt_free_tree(iommu_t *h) {
    if (h->ddt_levels > 1u) free_level(h, h->ddt_root, h->ddt_levels - 1u);
}
