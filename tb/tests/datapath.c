/* datapath.c - built-in tests of the device path in Off and Bare mode under
 * random traffic from several devices and IDs with random back-pressure on
 * every port.  The reference is the spec's rule for each mode: Off refuses
 * everything (SLVERR, every beat, nothing reaches memory), Bare passes
 * everything through untranslated.
 *
 * off_refuses tests the state after reset and mode_switch writes ddtp itself
 * under traffic: both are about the register, so they stay raw.  The Bare
 * tests only need an IOMMU in Bare mode (with a fault queue): they get it from
 * the driver library (iommu_init with the directory mode Bare). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"
#include "tdrv.h"
#include "tutil.h"

#define DRV_BASE 0x80000000ull          /* the library's DMA pool (queues) */
#define DRV_SIZE (1ull << 20)

#define RD_BASE 0x0000001000000000ull   /* reads come from here (pre-filled) */
#define WR_BASE 0x0000002000000000ull   /* writes go here */
#define REGION  0x100000ull

/* Expected content of the read region: a function of the address. */
static uint64_t pattern(uint64_t dw_addr) { return dw_addr * 0x9e3779b97f4a7c15ull ^ 0x5a5a; }

static void fill_read_region(void) {
    for (uint64_t a = 0; a < REGION; a += 8) tb_mem_store(RD_BASE + a, 8, pattern(RD_BASE + a));
}

static void random_back_pressure(void) {
    axi_slave_cfg_t c = {.latency = 3, .jitter = 20, .stall_pct = 30, .gap_pct = 30, .reorder = true,
                         .max_outstanding = 16};
    axi_slave_cfg_t cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    axi_slave_get_cfg(sim_ds_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_ds_slave(), &c);
    dev_master_cfg_t d = {30, 30, 8};
    dev_master_set_cfg(sim_dev(), &d);
}

/* A random transaction inside [base, base+REGION) that stays in one 4 KiB page. */
static dma_txn_t *random_txn(bool write, uint64_t base) {
    unsigned size = (unsigned)rng_below(4);
    unsigned nbytes = 1u << size;
    unsigned len = (unsigned)rng_below(16);
    uint64_t span = (uint64_t)(len + 1) * nbytes;
    uint64_t page = base + (rng_below(REGION / 4096) * 4096);
    uint64_t off = rng_below((4096 - span) / nbytes + 1) * nbytes;
    dma_txn_t *t = dma_txn_new(write, page + off, len, size);
    t->id = (uint32_t)rng_below(4);
    t->user = sim_user((uint32_t)rng_below(1u << 24), rng_below(2), (uint32_t)rng_below(1u << 20));
    t->prot = (unsigned)rng_below(8) & 5;
    t->w_first = write && rng_below(4) == 0;
    for (unsigned i = 0; i <= len; i++) t->data[i] = rng_next();
    return t;
}

static uint64_t lane_mask(unsigned size) { return size == 3 ? ~0ull : (1ull << (8u << size)) - 1; }

/* Off: every request refused, nothing reaches memory. */
static int t_off(void) {
    random_back_pressure();
    fill_read_region();
    uint64_t mem_rd0 = axi_slave_reads(sim_mem_slave()), mem_wr0 = axi_slave_writes(sim_mem_slave());
    const unsigned n = 400;
    for (unsigned i = 0; i < n; i++)
        dev_master_submit(sim_dev(), random_txn(rng_below(2), rng_below(2) ? RD_BASE : WR_BASE), tb_now());
    CHECK(sim_drain(200000) == 0, "Off: %u transactions never completed", dev_master_busy(sim_dev()));
    unsigned got = 0;
    dma_txn_t *t;
    while ((t = dev_master_take_done(sim_dev()))) {
        got++;
        CHECK(t->resp == AXI_SLVERR, "Off: %s %#llx answered %u", t->write ? "write" : "read",
              (unsigned long long)t->addr, t->resp);
        if (!t->write) {
            CHECK_EQ(t->beats, t->len + 1, "Off: R beats of a refused read");
            for (unsigned b = 0; b <= t->len && b < t->beats; b++)
                CHECK(t->beat_resp[b] == AXI_SLVERR, "Off: beat %u of a read not SLVERR", b);
        }
        dma_txn_free(t);
    }
    CHECK_EQ(got, n, "Off: responses");
    CHECK_EQ(axi_slave_reads(sim_mem_slave()) - mem_rd0, 0, "Off: reads that reached memory");
    CHECK_EQ(axi_slave_writes(sim_mem_slave()) - mem_wr0, 0, "Off: writes that reached memory");
    for (uint64_t a = 0; a < REGION; a += 4096)
        CHECK(tb_mem_load(WR_BASE + a, 8) == 0, "Off: memory at %#llx written",
              (unsigned long long)(WR_BASE + a));
    return 0;
}

/* Bare: everything passes, data exact, IDs and beats intact. */
static int t_bare(void) {
    random_back_pressure();
    fill_read_region();
    tdrv_t drv;
    if (!tdrv_up(&drv, DRV_BASE, DRV_SIZE, 1, false)) return 1;
    const unsigned n = 600;
    /* writes go to disjoint 256-byte slots so the final memory is exact */
    uint8_t *expect = calloc(REGION, 1);
    uint8_t *written = calloc(REGION, 1);
    unsigned writes = 0, reads = 0;
    uint64_t mem_rd0 = axi_slave_reads(sim_mem_slave()), mem_wr0 = axi_slave_writes(sim_mem_slave());
    for (unsigned i = 0; i < n; i++) {
        bool w = rng_below(2);
        dma_txn_t *t = random_txn(w, w ? WR_BASE : RD_BASE);
        if (w) {
            uint64_t slot = WR_BASE + (uint64_t)writes * 256 % REGION;
            unsigned nbytes = 1u << t->size;
            t->addr = slot;
            if ((t->len + 1) * nbytes > 256) t->len = 256 / nbytes - 1;
            for (unsigned b = 0; b <= t->len; b++)
                for (unsigned k = 0; k < nbytes; k++) {
                    uint64_t off = slot - WR_BASE + (uint64_t)b * nbytes + k;
                    expect[off] = (uint8_t)(t->data[b] >> (8 * k));
                    written[off] = 1;
                }
            writes++;
        } else {
            reads++;
        }
        dev_master_submit(sim_dev(), t, tb_now());
    }
    CHECK(sim_drain(400000) == 0, "Bare: %u transactions never completed", dev_master_busy(sim_dev()));
    dma_txn_t *t;
    unsigned got = 0;
    while ((t = dev_master_take_done(sim_dev()))) {
        got++;
        CHECK(t->resp == AXI_OKAY, "Bare: %s %#llx answered %u", t->write ? "write" : "read",
              (unsigned long long)t->addr, t->resp);
        if (!t->write) {
            CHECK_EQ(t->beats, t->len + 1, "Bare: R beats");
            for (unsigned b = 0; b <= t->len; b++) {
                uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, b);
                uint64_t want = (pattern(a & ~7ull) >> (8 * (a & 7))) & lane_mask(t->size);
                CHECK(t->data[b] == want, "Bare: read %#llx beat %u: %#llx, expected %#llx",
                      (unsigned long long)t->addr, b, (unsigned long long)t->data[b],
                      (unsigned long long)want);
            }
        }
        dma_txn_free(t);
    }
    CHECK_EQ(got, n, "Bare: responses");
    CHECK_EQ(axi_slave_reads(sim_mem_slave()) - mem_rd0, reads, "Bare: reads at memory");
    CHECK_EQ(axi_slave_writes(sim_mem_slave()) - mem_wr0, writes, "Bare: writes at memory");
    for (uint64_t off = 0; off < REGION; off++) {
        uint8_t b;
        tb_mem_read(WR_BASE + off, &b, 1);
        if (written[off] && b != expect[off]) {
            CHECK(0, "Bare: memory byte %#llx is %#x, expected %#x",
                  (unsigned long long)(WR_BASE + off), b, expect[off]);
            break;
        }
    }
    free(expect);
    free(written);
    tdrv_down(&drv);
    return 0;
}

/* Bare: an AXI error from memory reaches the device unchanged; no fault record. */
static int t_bare_mem_error(void) {
    tdrv_t drv;
    if (!tdrv_up(&drv, DRV_BASE, DRV_SIZE, 1, false)) return 1;
    mem_set_error(MEM_PORT_MEM, 0x40000000ull, 0x1000, true);
    uint64_t d;
    CHECK_EQ(dma_rd(5, 0x40000008ull, 8, &d), AXI_SLVERR, "Bare read of an erroring address");
    CHECK_EQ(dma_wr(5, 0x40000010ull, 4, 0x1234), AXI_SLVERR, "Bare write to an erroring address");
    CHECK_EQ(dma_rd(5, 0x40001000ull, 8, &d), AXI_OKAY, "Bare read next to the erroring page");
    tb_dma_t r = {5, 0x40000000ull, 8, 8, false, 0, false, 0, false, false, 2};
    tb_dma_result_t res;
    CHECK(tb_dma(&r, &res, 10000) == 0, "no response to the burst");
    CHECK_EQ(res.resp, AXI_SLVERR, "burst response");
    CHECK_EQ(res.beats, 8, "burst beats");
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "memory errors in Bare are not IOMMU faults");
    mem_set_error(MEM_PORT_MEM, 0x40000000ull, 0x1000, false);
    tdrv_down(&drv);
    return 0;
}

/* Bare: an address the memory port cannot carry (above PAS) is refused as an
 * access fault and reported. */
static int t_bare_wide_addr(void) {
    tdrv_t drv;
    if (!tdrv_up(&drv, DRV_BASE, DRV_SIZE, 1, false)) return 1;
    uint64_t d;
    CHECK_EQ(dma_rd(9, 1ull << 56, 8, &d), AXI_SLVERR, "read above PAS");
    CHECK_EQ(dma_wr(9, 0xff00000000001000ull, 8, 1), AXI_SLVERR, "write above PAS");
    CHECK_EQ(dma_rd(9, (1ull << 56) - 8, 8, &d), AXI_OKAY, "read at the top of PAS");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, 2, ~0ull, 1000), "two fault records expected");
    fault_rec_t a = fq_record(drv.info.fq_phys, 0), b = fq_record(drv.info.fq_phys, 1);
    CHECK_EQ(a.cause, 5, "read above PAS: cause (read access fault)");
    CHECK_EQ(a.iotval, 1ull << 56, "read above PAS: iotval");
    CHECK_EQ(b.cause, 7, "write above PAS: cause (write access fault)");
    CHECK_EQ(b.ttyp, 3, "write above PAS: TTYP");
    tdrv_down(&drv);
    return 0;
}

/* Switching between Off and Bare while traffic flows: each transaction is
 * either passed (OKAY, reached memory) or refused (SLVERR, did not). */
static int t_mode_switch(void) {
    random_back_pressure();
    fill_read_region();
    uint64_t mem_rd0 = axi_slave_reads(sim_mem_slave()), mem_wr0 = axi_slave_writes(sim_mem_slave());
    unsigned ok_r = 0, ok_w = 0, refused = 0, total = 0;
    for (unsigned round = 0; round < 12; round++) {
        for (unsigned i = 0; i < 40; i++) {
            bool w = rng_below(2);
            dev_master_submit(sim_dev(), random_txn(w, w ? WR_BASE : RD_BASE), tb_now());
            total++;
        }
        tb_cycles(rng_below(200));
        wr64(IOMMU_REG_DDTP, round & 1 ? 0 : 1);   /* toggle without waiting for busy */
        tb_cycles(rng_below(100));
        CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 100000), "ddtp.busy stuck");
    }
    CHECK(sim_drain(400000) == 0, "%u transactions never completed", dev_master_busy(sim_dev()));
    dma_txn_t *t;
    while ((t = dev_master_take_done(sim_dev()))) {
        if (t->resp == AXI_OKAY) {
            if (t->write) ok_w++;
            else ok_r++;
            if (!t->write)
                for (unsigned b = 0; b <= t->len; b++) {
                    uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, b);
                    uint64_t want = (pattern(a & ~7ull) >> (8 * (a & 7))) & lane_mask(t->size);
                    CHECK(t->data[b] == want, "read data wrong after a mode switch");
                }
        } else {
            CHECK_EQ(t->resp, AXI_SLVERR, "refusal response");
            refused++;
        }
        dma_txn_free(t);
    }
    CHECK_EQ(ok_r + ok_w + refused, total, "responses");
    CHECK_EQ(axi_slave_reads(sim_mem_slave()) - mem_rd0, ok_r, "reads at memory = reads answered OKAY");
    CHECK_EQ(axi_slave_writes(sim_mem_slave()) - mem_wr0, ok_w, "writes at memory = writes answered OKAY");
    CHECK(ok_r + ok_w > 0 && refused > 0, "both modes saw traffic (passed %u, refused %u)",
          ok_r + ok_w, refused);
    return 0;
}

const test_def_t tests_datapath[] = {
    {"off_refuses", "Off: random reads/writes/bursts all SLVERR, none reach memory", t_off, false},
    {"bare_passes", "Bare: random traffic passes with exact data, IDs and beats", t_bare, false},
    {"bare_mem_error", "Bare: memory AXI errors go back to the device, no fault", t_bare_mem_error, false},
    {"bare_wide_addr", "Bare: an IOVA above PAS is an access fault", t_bare_wide_addr, false},
    {"mode_switch", "Off/Bare switches under traffic: pass or refuse, never half", t_mode_switch, false},
    {0},
};
