/* bench.c - benchmarks of the Bare data path (run with --bench; they report
 * figures and check only that the traffic completed).
 *   bare_latency: cycles the IOMMU adds to a single read and to a write: the
 *     device's AR->first R (AW->B) time minus the memory port's own.
 *   bare_throughput: R beats per cycle at the device port for back-to-back
 *     16-beat reads, against the memory port in the same run. */
#include <stdio.h>

#include "tutil.h"

static int t_latency(void) {
    axi_slave_cfg_t c = {10, 0, 0, 0, false, 0, NULL, false}, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    set_mode(1);
    uint64_t sum_r = 0, sum_w = 0, m_rd0, m_rn0, m_wr0, m_wn0, m_rd, m_rn, m_wr, m_wn;
    const unsigned n = 100;
    axi_slave_latency(sim_mem_slave(), &m_rd0, &m_rn0, &m_wr0, &m_wn0);
    for (unsigned i = 0; i < n; i++) {
        dma_txn_t *t = dma_txn_new(i & 1, 0x80000000ull + 64 * i, 0, 3);
        dev_master_submit(sim_dev(), t, tb_now());
        CHECK(sim_drain(1000) == 0, "no response");
        dma_txn_t *d = dev_master_take_done(sim_dev());
        CHECK(d == t && t->resp == AXI_OKAY, "DMA failed");
        if (t->write) sum_w += t->t_done - t->t_addr;
        else sum_r += t->t_first - t->t_addr;
        dma_txn_free(t);
    }
    /* reference: the same transactions timed at the memory port in this run */
    axi_slave_latency(sim_mem_slave(), &m_rd, &m_rn, &m_wr, &m_wn);
    CHECK(m_rn - m_rn0 == n / 2 && m_wn - m_wn0 == n / 2, "memory port saw every transaction");
    double mem_r = (double)(m_rd - m_rd0) / (double)(m_rn - m_rn0);
    double mem_w = (double)(m_wr - m_wr0) / (double)(m_wn - m_wn0);
    double dev_r = (double)sum_r / (n / 2), dev_w = (double)sum_w / (n / 2);
    printf("bench bare_latency: read AR->first R %.2f cycles at the device port, %.2f at the "
           "memory port: added %.2f\n", dev_r, mem_r, dev_r - mem_r);
    printf("bench bare_latency: write AW->B %.2f cycles at the device port, %.2f at the "
           "memory port: added %.2f\n", dev_w, mem_w, dev_w - mem_w);
    return 0;
}

static int t_throughput(void) {
    axi_slave_cfg_t c = {20, 0, 0, 0, false, 0, NULL, false}, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    set_mode(1);
    const unsigned n = 200, beats = 16;
    for (unsigned i = 0; i < n; i++) {
        dma_txn_t *t = dma_txn_new(false, 0x80000000ull + 128ull * i, beats - 1, 3);
        t->id = i & 7;
        dev_master_submit(sim_dev(), t, tb_now());
    }
    uint64_t first = 0, last = 0;
    CHECK(sim_drain(100000) == 0, "reads never completed");
    dma_txn_t *d;
    unsigned got = 0;
    while ((d = dev_master_take_done(sim_dev()))) {
        if (!first || d->t_first < first) first = d->t_first;
        if (d->t_done > last) last = d->t_done;
        CHECK(d->resp == AXI_OKAY, "read failed");
        got++;
        dma_txn_free(d);
    }
    CHECK_EQ(got, n, "reads");
    double rate = (double)(n * beats) / (double)(last - first + 1);
    printf("bench bare_throughput: %u R beats in %llu cycles: %.3f beats/cycle at the device "
           "port (the memory model returns at most 1 per cycle)\n", n * beats, (unsigned long long)(last - first + 1), rate);
    /* the same for writes */
    first = last = 0;
    for (unsigned i = 0; i < n; i++) {
        dma_txn_t *t = dma_txn_new(true, 0x90000000ull + 128ull * i, beats - 1, 3);
        t->id = i & 7;
        dev_master_submit(sim_dev(), t, tb_now());
    }
    uint64_t t0 = tb_now();
    CHECK(sim_drain(100000) == 0, "writes never completed");
    while ((d = dev_master_take_done(sim_dev()))) {
        if (d->t_done > last) last = d->t_done;
        dma_txn_free(d);
    }
    printf("bench bare_throughput: %u W beats in %llu cycles: %.3f beats/cycle\n", n * beats,
           (unsigned long long)(last - t0 + 1), (double)(n * beats) / (double)(last - t0 + 1));
    return 0;
}

const test_def_t tests_bench[] = {
    {"bare_latency", "cycles Bare mode adds to a read and a write", t_latency, true},
    {"bare_throughput", "sustained beats per cycle through Bare mode", t_throughput, true},
    {0},
};
