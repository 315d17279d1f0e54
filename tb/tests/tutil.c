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
