/* fq.c - built-in tests of the fault queue (spec: fault/event queue, fqcsr,
 * ipsr, icvec): records for cause 256 with exact fields, overflow (fqof),
 * memory faults while writing a record (fqmf), a disabled queue, and the
 * interrupt wire each icvec.fiv value selects. */
#include <string.h>

#include "tutil.h"

#define FQ_BASE 0x90000000ull

static int dma(uint32_t dev, uint64_t iova, bool write, bool pv, uint32_t pid, bool priv, bool exec) {
    tb_dma_t r;
    tb_dma_result_t res;
    memset(&r, 0, sizeof r);
    r.dev = dev; r.iova = iova; r.size = 8; r.beats = 1; r.write = write;
    r.pv = pv; r.pid = pid; r.priv = priv; r.exec = exec; r.data = 0x55;
    if (tb_dma(&r, &res, 100000)) return -1;
    return (int)res.resp;
}

/* Off: every refusal writes a record with cause 256 and the request's identity. */
static int t_records(void) {
    static const struct {
        uint32_t dev; uint64_t iova; bool write, pv; uint32_t pid; bool priv, exec; unsigned ttyp;
    } c[] = {
        {0x123456, 0x0000123456789ab8ull, false, true, 0xabcde, true, false, 2},
        {0xffffff, 0xfffffffffffff000ull, true, true, 0x00001, false, false, 3},
        {0x000001, 0x0000000000001000ull, false, true, 0xfffff, true, true, 1},
        {0x000077, 0x0000000080000000ull, false, false, 0x12345, true, false, 2},  /* PV=0: PID, PRIV 0 */
        {0x000077, 0x0000000080000040ull, true, false, 0, true, false, 3},
    };
    const unsigned n = sizeof c / sizeof *c;
    tb_mem_fill(FQ_BASE, 32 * 8, 0xee);
    fq_enable(FQ_BASE, 2, false);   /* 8 entries */
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ(dma(c[i].dev, c[i].iova, c[i].write, c[i].pv, c[i].pid, c[i].priv, c[i].exec),
                 AXI_SLVERR, "refused in Off");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, n, ~0ull, 2000), "fqt did not reach %u", n);
    for (unsigned i = 0; i < n; i++) {
        fault_rec_t r = fq_record(FQ_BASE, i);
        CHECK_EQ(r.cause, 256, "CAUSE");
        CHECK_EQ(r.ttyp, c[i].ttyp, "TTYP");
        CHECK_EQ(r.did, c[i].dev, "DID");
        CHECK_EQ(r.pv, c[i].pv, "PV");
        CHECK_EQ(r.pid, c[i].pv ? c[i].pid : 0, "PID");
        CHECK_EQ(r.priv, c[i].pv && c[i].priv, "PRIV");
        CHECK_EQ(r.dw1, 0, "dword1 (custom, reserved)");
        CHECK_EQ(r.iotval, c[i].iova, "iotval");
        CHECK_EQ(r.iotval2, 0, "iotval2");
    }
    CHECK_EQ(tb_mem_load(FQ_BASE + 32 * n, 8), 0xeeeeeeeeeeeeeeeeull, "nothing written past the tail");
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & (IOMMU_FQCSR_FQOF_MASK | IOMMU_FQCSR_FQMF_MASK), 0, "no error bits");
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "no fip without fie");
    /* a burst refused: one record for the whole burst */
    tb_dma_t r = {3, 0x4000, 8, 16, false, 0, false, 0, false, false, 1};
    tb_dma_result_t res;
    CHECK(tb_dma(&r, &res, 10000) == 0 && res.resp == AXI_SLVERR && res.beats == 16, "burst refusal");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, n + 1, ~0ull, 2000), "one record per burst");
    return 0;
}

/* Full queue: fqof, the record dropped, later ones too until cleared. */
static int t_overflow(void) {
    fq_enable(FQ_BASE, 1, true);   /* 4 entries: holds 3 records */
    for (unsigned i = 0; i < 3; i++) CHECK_EQ(dma(1, 0x1000 * (i + 1), false, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, 3, ~0ull, 2000), "three records");
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & IOMMU_FQCSR_FQOF_MASK, 0, "fqof before the queue overflows");
    CHECK_EQ(dma(1, 0x9000, false, false, 0, false, false), AXI_SLVERR, "refused when full");
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQOF_MASK, IOMMU_FQCSR_FQOF_MASK, 2000), "fqof not set");
    CHECK_EQ(rd32(IOMMU_REG_FQT), 3, "fqt does not move on overflow");
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 2, 2, "ipsr.fip");
    /* software consumes two records: still no records while fqof */
    wr32(IOMMU_REG_FQH, 2);
    CHECK_EQ(dma(1, 0xa000, false, false, 0, false, false), AXI_SLVERR, "refused");
    tb_cycles(50);
    CHECK_EQ(rd32(IOMMU_REG_FQT), 3, "records dropped while fqof is set");
    CHECK_EQ(tb_mem_load(FQ_BASE + 3 * 32 + 16, 8), 0, "the dropped record was not written");
    /* clear fqof (RW1C): records flow again, and the index wraps */
    wr32(IOMMU_REG_FQCSR, IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FIE_MASK | IOMMU_FQCSR_FQOF_MASK);
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & IOMMU_FQCSR_FQOF_MASK, 0, "fqof cleared by writing 1");
    CHECK_EQ(dma(1, 0xb000, false, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK_EQ(dma(1, 0xc000, false, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, 1, ~0ull, 2000), "fqt wraps to 1");
    CHECK_EQ(fq_record(FQ_BASE, 3).iotval, 0xb000, "record at index 3");
    CHECK_EQ(fq_record(FQ_BASE, 0).iotval, 0xc000, "record at index 0 after the wrap");
    return 0;
}

/* Refusals back to back (their fault requests wait together for the writer)
 * into a queue with room for three: the writer must see each record's tail
 * advance before it decides the next one fits, so exactly three records,
 * then fqof with the rest dropped, and the fourth slot never written. */
static int t_overflow_burst(void) {
    enum { N = 6 };
    tb_mem_fill(FQ_BASE, 32 * 4, 0xee);
    fq_enable(FQ_BASE, 1, false);   /* 4 entries: holds 3 records */
    dma_txn_t *t[N];
    for (unsigned i = 0; i < N; i++) {
        t[i] = dma_txn_new(false, 0x1000ull * (i + 1), 0, 3);
        t[i]->user = sim_user(1, false, 0);
        t[i]->id = i;
        dev_master_submit(sim_dev(), t[i], tb_now());
    }
    uint64_t start = tb_now();
    while (dev_master_busy(sim_dev()) && tb_now() - start < 20000) tb_cycles(1);
    for (unsigned i = 0; i < N; i++) CHECK(t[i]->done && t[i]->resp == AXI_SLVERR, "read %u refused", i);
    dma_txn_t *x;
    while ((x = dev_master_take_done(sim_dev()))) dma_txn_free(x);
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQOF_MASK, IOMMU_FQCSR_FQOF_MASK, 2000), "fqof not set");
    tb_cycles(100);
    CHECK_EQ(rd32(IOMMU_REG_FQT), 3, "fqt: three records, then full");
    /* refusals of different IDs may leave in any order: three distinct requests' records */
    unsigned seen = 0;
    for (unsigned i = 0; i < 3; i++) {
        fault_rec_t r = fq_record(FQ_BASE, i);
        uint64_t k = r.iotval >> 12;
        CHECK(r.cause == 256 && (r.iotval & 0xfff) == 0 && k >= 1 && k <= N && !(seen & (1u << k)),
              "record %u: cause %u iotval 0x%llx", i, r.cause, (unsigned long long)r.iotval);
        seen |= 1u << k;
    }
    for (unsigned k = 0; k < 4; k++)
        CHECK(tb_mem_load(FQ_BASE + 3 * 32 + 8 * k, 8) == 0xeeeeeeeeeeeeeeeeull, "slot 3 dword %u written", k);
    return 0;
}

/* A record write that gets an AXI error: fqmf, record lost, queue stops. */
static int t_memfault(void) {
    fq_enable(FQ_BASE, 2, true);
    tb_mem_error(FQ_BASE, 32, true);
    CHECK_EQ(dma(2, 0x5000, true, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQMF_MASK, IOMMU_FQCSR_FQMF_MASK, 2000), "fqmf not set");
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "fqt after a failed record write");
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 2, 2, "ipsr.fip on fqmf");
    tb_mem_error(FQ_BASE, 32, false);
    CHECK_EQ(dma(2, 0x6000, true, false, 0, false, false), AXI_SLVERR, "refused");
    tb_cycles(50);
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "records dropped while fqmf is set");
    wr32(IOMMU_REG_FQCSR, IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FIE_MASK | IOMMU_FQCSR_FQMF_MASK);
    CHECK_EQ(dma(2, 0x7000, true, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, 1, ~0ull, 2000), "records flow after fqmf is cleared");
    CHECK_EQ(fq_record(FQ_BASE, 0).iotval, 0x7000, "the record after the clear");
    /* re-enabling clears the error bits and fqt */
    tb_mem_error(FQ_BASE + 32, 32, true);
    CHECK_EQ(dma(2, 0x8000, true, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQMF_MASK, IOMMU_FQCSR_FQMF_MASK, 2000), "fqmf");
    tb_mem_error(FQ_BASE + 32, 32, false);
    wr32(IOMMU_REG_FQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, 0, IOMMU_FQCSR_FQON_MASK | IOMMU_FQCSR_BUSY_MASK, 1000), "fqon off");
    wr32(IOMMU_REG_FQCSR, IOMMU_FQCSR_FQEN_MASK);
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQON_MASK | IOMMU_FQCSR_FQEN_MASK, ~0ull, 1000),
          "fqen 0->1 clears fqmf and comes back on");
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "fqen 0->1 sets fqt to 0");
    return 0;
}

/* Queue off: refusals still answer SLVERR, nothing is written. */
static int t_disabled(void) {
    uint64_t w0 = axi_slave_writes(sim_ds_slave());
    wr64(IOMMU_REG_FQB, (FQ_BASE >> 12) << 10 | 2);
    for (unsigned i = 0; i < 5; i++) CHECK_EQ(dma(4, 0x1000, false, false, 0, false, false), AXI_SLVERR, "refused");
    tb_cycles(50);
    CHECK_EQ(axi_slave_writes(sim_ds_slave()) - w0, 0, "writes on the data-structure port");
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "fqt");
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "ipsr");
    return 0;
}

/* The interrupt line: fip drives wsi_o[icvec.fiv]; RW1C; re-asserts while fqof holds. */
static int t_irq(void) {
    fq_enable(FQ_BASE, 3, true);
    for (unsigned k = 0; k < 4; k++) {
        wr64(IOMMU_REG_ICVEC, (uint64_t)k << IOMMU_ICVEC_FIV_SHIFT | (uint64_t)(3 - k) << IOMMU_ICVEC_CIV_SHIFT);
        CHECK_EQ(tb_wsi(), 0, "no wire before a fault");
        CHECK_EQ(dma(6, 0x2000 + k, false, false, 0, false, false) , AXI_SLVERR, "refused");
        CHECK(poll_reg(IOMMU_REG_IPSR, 4, 2, 2, 2000), "ipsr.fip");
        tb_cycles(2);
        CHECK_EQ(tb_wsi(), 1u << k, "wire selected by icvec.fiv");
        wr32(IOMMU_REG_IPSR, 2);
        tb_cycles(2);
        CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "ipsr.fip cleared by writing 1");
        CHECK_EQ(tb_wsi(), 0, "wire drops with fip");
    }
    /* fie = 0: a new record sets no fip */
    wr32(IOMMU_REG_FQCSR, IOMMU_FQCSR_FQEN_MASK);
    CHECK_EQ(dma(6, 0x3000, false, false, 0, false, false), AXI_SLVERR, "refused");
    tb_cycles(50);
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "no fip with fie = 0");
    CHECK_EQ(tb_wsi(), 0, "no wire with fie = 0");
    /* while fqof holds, clearing fip does not stick */
    wr32(IOMMU_REG_FQCSR, IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FIE_MASK);
    wr32(IOMMU_REG_FQH, (rd32(IOMMU_REG_FQT) + 1) & 15);   /* full */
    CHECK_EQ(dma(6, 0x4000, false, false, 0, false, false), AXI_SLVERR, "refused");
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_FQOF_MASK, IOMMU_FQCSR_FQOF_MASK, 2000), "fqof");
    wr32(IOMMU_REG_IPSR, 2);
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 2, 2, "fip comes back while fqof is set");
    CHECK_EQ(tb_wsi(), 1u << 3, "wire stays up");
    return 0;
}

const test_def_t tests_fq[] = {
    {"fq_records", "Off refusals write cause-256 records with exact fields", t_records, false},
    {"fq_overflow", "full queue: fqof, records dropped until cleared, index wrap", t_overflow, false},
    {"fq_overflow_burst", "back-to-back refusals into a nearly full queue: exactly the records that fit", t_overflow_burst, false},
    {"fq_memfault", "AXI error on a record write: fqmf, record lost, recovery", t_memfault, false},
    {"fq_disabled", "fault queue off: refusals write nothing", t_disabled, false},
    {"irq_wsi", "ipsr.fip drives the icvec.fiv wire; RW1C; level re-assertion", t_irq, false},
    {0},
};
