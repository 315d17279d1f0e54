/* tutil.c - helpers of the built-in tests (see tutil.h). */
#include "tutil.h"

#include <string.h>

uint64_t rd64(uint32_t off) {
    uint64_t v = 0;
    unsigned resp;
    CHECK(tb_reg_read(off, 8, &v, &resp) == 0, "read64 %#x: no response", off);
    CHECK_EQ(resp, AXI_OKAY, "read64 response");
    return v;
}

uint32_t rd32(uint32_t off) {
    uint64_t v = 0;
    unsigned resp;
    CHECK(tb_reg_read(off, 4, &v, &resp) == 0, "read32 %#x: no response", off);
    CHECK_EQ(resp, AXI_OKAY, "read32 response");
    return (uint32_t)v;
}

void wr64(uint32_t off, uint64_t v) {
    unsigned resp;
    CHECK(tb_reg_write(off, 8, v, &resp) == 0, "write64 %#x: no response", off);
    CHECK_EQ(resp, AXI_OKAY, "write64 response");
}

void wr32(uint32_t off, uint32_t v) {
    unsigned resp;
    CHECK(tb_reg_write(off, 4, v, &resp) == 0, "write32 %#x: no response", off);
    CHECK_EQ(resp, AXI_OKAY, "write32 response");
}

bool poll_reg(uint32_t off, unsigned size, uint64_t want, uint64_t mask, uint64_t timeout) {
    uint64_t start = tb_now(), v = 0;
    while (tb_now() - start <= timeout) {
        unsigned resp;
        if (tb_reg_read(off, size, &v, &resp) == 0 && resp == AXI_OKAY && (v & mask) == (want & mask))
            return true;
    }
    return false;
}

void set_mode(unsigned mode) {
    wr64(IOMMU_REG_DDTP, IOMMU_FIELD_PREP(IOMMU_DDTP_IOMMU_MODE, mode));
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 10000), "ddtp.busy stays 1");
}

void fq_enable(uint64_t base, unsigned log2szm1, bool fie) {
    wr64(IOMMU_REG_FQB, IOMMU_FIELD_PREP(IOMMU_FQB_PPN, base >> 12) |
                            IOMMU_FIELD_PREP(IOMMU_FQB_LOG2SZM1, log2szm1));
    wr32(IOMMU_REG_FQH, 0);
    wr32(IOMMU_REG_FQCSR, (uint32_t)(IOMMU_FQCSR_FQEN_MASK | (fie ? IOMMU_FQCSR_FIE_MASK : 0)));
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQON_MASK,
                   IOMMU_FQCSR_FQON_MASK | IOMMU_FQCSR_BUSY_MASK, 1000),
          "fqcsr: fqon did not come up");
}

/* Field positions of the fault record: spec, fault-queue section. */
fault_rec_t fq_record(uint64_t base, uint32_t idx) {
    uint64_t a = base + 32ull * idx;
    uint64_t d0 = tb_mem_load(a, 8);
    fault_rec_t r;
    r.cause = (unsigned)(d0 & 0xfff);
    r.pid = (uint32_t)((d0 >> 12) & 0xfffff);
    r.pv = (d0 >> 32) & 1;
    r.priv = (d0 >> 33) & 1;
    r.ttyp = (unsigned)((d0 >> 34) & 0x3f);
    r.did = (uint32_t)(d0 >> 40);
    r.dw1 = tb_mem_load(a + 8, 8);
    r.iotval = tb_mem_load(a + 16, 8);
    r.iotval2 = tb_mem_load(a + 24, 8);
    return r;
}

static int dma_one(uint32_t dev, uint64_t iova, unsigned size, bool write, uint64_t *data) {
    tb_dma_t r;
    tb_dma_result_t res;
    memset(&r, 0, sizeof r);
    r.dev = dev;
    r.iova = iova;
    r.size = size;
    r.beats = 1;
    r.write = write;
    r.data = *data;
    if (tb_dma(&r, &res, 100000)) return -1;
    if (!write) *data = res.rdata;
    return (int)res.resp;
}

int dma_rd(uint32_t dev, uint64_t iova, unsigned size, uint64_t *data) {
    uint64_t d = 0;
    int rc = dma_one(dev, iova, size, false, &d);
    if (data) *data = d;
    return rc;
}

int dma_wr(uint32_t dev, uint64_t iova, unsigned size, uint64_t data) {
    return dma_one(dev, iova, size, true, &data);
}

/* ---- raw translation structures ---------------------------------------------- */
static uint64_t next_page;

void pt_alloc_init(uint64_t base) { next_page = base; }

uint64_t pt_alloc(void) {
    uint64_t p = next_page;
    next_page += 4096;
    tb_mem_fill(p, 4096, 0);
    return p;
}

static uint64_t pte_table(uint64_t v) { return ((v >> 10) & ((1ull << 44) - 1)) << 12; }

uint64_t ddt_dc_addr(ddt_t *d, uint32_t did) {
    unsigned idx[3] = {did & 0x7f, (did >> 7) & 0x1ff, (did >> 16) & 0xff};
    uint64_t a = d->root;
    for (int lvl = (int)d->mode - 2; lvl >= 1; lvl--) {
        uint64_t e = a + idx[lvl] * 8ull;
        uint64_t v = tb_mem_load(e, 8);
        if (!(v & 1)) {
            v = ((pt_alloc() >> 12) << 10) | 1;
            tb_mem_store(e, 8, v);
        }
        a = pte_table(v);
    }
    return a + idx[0] * 32ull;
}

void dc_write(ddt_t *d, uint32_t did, uint64_t tc, uint64_t gatp, uint64_t ta, uint64_t fsc) {
    uint64_t a = ddt_dc_addr(d, did);
    tb_mem_store(a, 8, tc);
    tb_mem_store(a + 8, 8, gatp);
    tb_mem_store(a + 16, 8, ta);
    tb_mem_store(a + 24, 8, fsc);
}

uint64_t pt_map(uint64_t root, unsigned levels, uint64_t iova, unsigned level, uint64_t pte) {
    uint64_t a = root;
    for (int l = (int)levels - 1; l > (int)level; l--) {
        uint64_t e = a + ((iova >> (12 + 9 * l)) & 0x1ff) * 8;
        uint64_t v = tb_mem_load(e, 8);
        if (!(v & PTE_V)) {
            v = ((pt_alloc() >> 12) << 10) | PTE_V;
            tb_mem_store(e, 8, v);
        }
        a = pte_table(v);
    }
    uint64_t e = a + ((iova >> (12 + 9 * level)) & 0x1ff) * 8;
    tb_mem_store(e, 8, pte);
    return e;
}

uint64_t pt_leaf(uint64_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags; }

uint64_t pt_satp(unsigned levels, uint64_t root) { return ((uint64_t)(levels + 5) << 60) | (root >> 12); }

void set_ddtp(unsigned mode, uint64_t root) {
    wr64(IOMMU_REG_DDTP, IOMMU_FIELD_PREP(IOMMU_DDTP_IOMMU_MODE, mode) |
                             IOMMU_FIELD_PREP(IOMMU_DDTP_PPN, root >> 12));
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 10000), "ddtp.busy stays 1");
}
