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

/* ---- command queue ------------------------------------------------------------ */
static uint64_t cq_base;
static uint32_t cq_mask, cq_t;

void cq_enable(uint64_t base, unsigned log2szm1, bool cie) {
    cq_base = base;
    cq_mask = (2u << log2szm1) - 1;
    cq_t = 0;
    wr64(IOMMU_REG_CQB, IOMMU_FIELD_PREP(IOMMU_CQB_PPN, base >> 12) |
                            IOMMU_FIELD_PREP(IOMMU_CQB_LOG2SZM1, log2szm1));
    wr32(IOMMU_REG_CQT, 0);
    wr32(IOMMU_REG_CQCSR, (uint32_t)(IOMMU_CQCSR_CQEN_MASK | (cie ? IOMMU_CQCSR_CIE_MASK : 0)));
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQON_MASK,
                   IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK, 1000),
          "cqcsr: cqon did not come up");
}

uint64_t cq_entry_addr(uint32_t idx) { return cq_base + 16ull * (idx & cq_mask); }

uint32_t cq_put(cq_cmd_t c) {
    uint32_t i = cq_t;
    tb_mem_store(cq_entry_addr(i), 8, c.dw0);
    tb_mem_store(cq_entry_addr(i) + 8, 8, c.dw1);
    cq_t = (cq_t + 1) & cq_mask;
    return i;
}

void cq_ring(void) { wr32(IOMMU_REG_CQT, cq_t); }

uint32_t cq_submit(cq_cmd_t c) {
    uint32_t i = cq_put(c);
    cq_ring();
    return i;
}

uint32_t cq_tail(void) { return cq_t; }
void cq_set_tail(uint32_t t) { cq_t = t & cq_mask; }

bool cq_wait_idle(uint64_t timeout) { return poll_reg(IOMMU_REG_CQH, 4, cq_t, ~0ull, timeout); }

cq_cmd_t cmd_iotinval(unsigned func3, bool av, uint64_t addr, bool pscv, uint32_t pscid, bool gv,
                      uint32_t gscid) {
    cq_cmd_t c;
    c.dw0 = CQ_OP_IOTINVAL | (uint64_t)(func3 & 7) << 7 | (uint64_t)av << 10 |
            (uint64_t)(pscid & 0xfffff) << 12 | (uint64_t)pscv << 32 | (uint64_t)gv << 33 |
            (uint64_t)(gscid & 0xffff) << 44;
    c.dw1 = ((addr >> 12) & ((1ull << 52) - 1)) << 10;
    return c;
}

cq_cmd_t cmd_iofence(bool av, bool wsi, bool pr, bool pw, uint64_t addr, uint32_t data) {
    cq_cmd_t c;
    c.dw0 = CQ_OP_IOFENCE | (uint64_t)av << 10 | (uint64_t)wsi << 11 | (uint64_t)pr << 12 |
            (uint64_t)pw << 13 | (uint64_t)data << 32;
    c.dw1 = addr >> 2;
    return c;
}

cq_cmd_t cmd_iodir(unsigned func3, bool dv, uint32_t did, uint32_t pid) {
    cq_cmd_t c;
    c.dw0 = CQ_OP_IODIR | (uint64_t)(func3 & 7) << 7 | (uint64_t)(pid & 0xfffff) << 12 |
            (uint64_t)dv << 33 | (uint64_t)(did & 0xffffff) << 40;
    c.dw1 = 0;
    return c;
}
