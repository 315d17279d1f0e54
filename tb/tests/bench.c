/* bench.c - benchmarks (run with --bench; they report figures and fail only
 * when the traffic does not complete or comes back wrong: a missed target is
 * printed as "below target", not a failure).  doc/bench.md explains each one.
 *   bare_latency: cycles the IOMMU adds to a single read and to a write: the
 *     device's AR->first R (AW->B) time minus the memory port's own.
 *   bare_throughput: R beats per cycle at the device port for back-to-back
 *     16-beat reads, against the memory port in the same run.
 * The xlate_* benches compare translation (1LVL directory, Sv39/Sv48 tables)
 * with Bare mode in the same process, over one memory model: both
 * memory-side ports share one data beat per cycle (shared_bw), 100 cycles of
 * latency, 32 reads outstanding per port, no back-pressure or jitter.  Data
 * pages are mapped so that both modes touch the same physical addresses.
 *   xlate_hit_latency: the latency an IOTLB hit adds, against Bare.
 *   xlate_lookup_rate: single-beat reads that all hit: AR handshakes per cycle.
 *   xlate_stream: 2 KiB read bursts through consecutive fresh 4 KiB pages.
 *   xlate_random_reads: random 64-byte reads over working sets of 64 KiB..64 MiB,
 *     4 KiB and 2 MiB pages, 32 reads outstanding.
 *   xlate_miss_latency: one read that misses, by walk depth and cache state.
 * The cq_inval_* benches run the command queue beside that traffic (software
 * driven cycle by cycle, so the devices never wait for it; see bq_tick):
 *   cq_inval_latency: cycles from the cqt write to cqh passing an IOTINVAL.VMA
 *     + IOFENCE.C pair and an IOFENCE.C alone: no DMA, then under random or
 *     streaming reads at full rate, translated and Bare (20 samples each).
 *   cq_inval_bandwidth: random 64-byte reads and 2 KiB streaming bursts over
 *     64 KiB of 4 KiB pages with an IOTINVAL.VMA of one of them + IOFENCE.C
 *     every 1000 reads, against the same reads without, and Bare.
 * Every bench gets its IOMMU from the driver library (tdrv.h: iommu_init with
 * both queues, Bare or a directory, a paging domain for the benches' device,
 * iommu_map with the page size the bench is about), torn down with iommu_fini
 * before each reset; the cq_inval_* benches bring it up without the library's
 * command queue (iommu_config_t.no_cq), because they run the queue themselves.
 * Every figure is in cycles of the test bench's clock (tb_now and the
 * transactions' timestamps).  Each bench writes CSV rows to
 * $BENCH_DIR/<bench>.csv (default build/bench; xlate_random_reads: one file per
 * Walks value, xlate_random_reads_w<N>.csv). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "axil_master.h"
#include "tdrv.h"
#include "tutil.h"

/* The walker and slot counts of this build: make bench's variants
 * (build/iommu-sim-w4, -w16) pass them; the default build passes the RTL
 * defaults (Makefile, RTL_WALKS).  Without them: iommu_top's defaults. */
#ifndef TB_WALKS
#define TB_WALKS 8
#endif
#ifndef TB_SLOTS
#define TB_SLOTS 8
#endif

/* ---- CSV output ---------------------------------------------------------------------------- */
static const char *bench_dir(void) {
    const char *d = getenv("BENCH_DIR");
    return d && *d ? d : "build/bench";
}

/* mkdir -p */
static int mkdirs(const char *path) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* A fresh CSV file <dir>/<name>.csv with its header line; NULL (and a
 * message) when it cannot be written: the bench still prints its figures. */
static FILE *csv_open(const char *name, const char *header) {
    char path[600];
    if (mkdirs(bench_dir())) {
        fprintf(stderr, "bench: cannot create %s: %s\n", bench_dir(), strerror(errno));
        return NULL;
    }
    snprintf(path, sizeof path, "%s/%s.csv", bench_dir(), name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s: %s\n", path, strerror(errno));
        return NULL;
    }
    fprintf(f, "%s\n", header);
    return f;
}

static void csv_close(FILE *f) {
    if (f) fclose(f);
}

/* ---- the driver library's handle ----------------------------------------------------------------- */
#define DRV_BASE  0xE0000000ull      /* the library's DMA pool: directory, page tables, queues
                                      * (away from the bare_* benches' DMA at 0x8000_0000) */
#define DRV_SIZE  (16ull << 20)

static tdrv_t bdrv;                  /* the current set-up (bdrv.h NULL: none) */

/* iommu_fini and free the handle (nothing when there is none): before every
 * reset, and at the end of every bench (BENCH_FN). */
static void bench_down(void) { tdrv_down(&bdrv); }

/* A bench's test function: its body, then the library's handle torn down
 * whether the body passed or not. */
#define BENCH_FN(name, body)                                                                 \
    static int name(void) {                                                                  \
        int rc_ = body();                                                                    \
        bench_down();                                                                        \
        return rc_;                                                                          \
    }

/* ---- the Bare benches ------------------------------------------------------------------------ */
static int t_latency(void) {
    axi_slave_cfg_t c = {.latency = 10}, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    if (!tdrv_up(&bdrv, DRV_BASE, DRV_SIZE, 1, false)) return 1;   /* Bare */
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
    FILE *f = csv_open("bare_latency", "access,dev_cycles,mem_cycles,added");
    if (f) {
        fprintf(f, "read,%.2f,%.2f,%.2f\nwrite,%.2f,%.2f,%.2f\n", dev_r, mem_r, dev_r - mem_r,
                dev_w, mem_w, dev_w - mem_w);
        csv_close(f);
    }
    return 0;
}

static int t_throughput(void) {
    axi_slave_cfg_t c = {.latency = 20}, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c.is_error = cur.is_error;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    if (!tdrv_up(&bdrv, DRV_BASE, DRV_SIZE, 1, false)) return 1;   /* Bare */
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
    double wrate = (double)(n * beats) / (double)(last - t0 + 1);
    printf("bench bare_throughput: %u W beats in %llu cycles: %.3f beats/cycle\n", n * beats,
           (unsigned long long)(last - t0 + 1), wrate);
    FILE *f = csv_open("bare_throughput", "direction,beats,beats_per_cycle");
    if (f) {
        fprintf(f, "read,%u,%.4f\nwrite,%u,%.4f\n", n * beats, rate, n * beats, wrate);
        csv_close(f);
    }
    return 0;
}

/* ---- set-up shared by the xlate_* benches -------------------------------------------------------- */
#define DATA_BASE 0x100000000ull     /* data pages (physical), 2 MiB aligned */
#define IOVA_BASE 0x2000000000ull    /* the same data as the device sees it when translating */
#define BENCH_DID 7u
#define MEM_LATENCY 100u
#define MEM_MAX_OUT 32u
#define KiB 1024ull
#define MiB (1024ull * 1024ull)

static unsigned model_max_out = MEM_MAX_OUT;

/* The memory model of the xlate_* benches: both ports share one beat per
 * cycle (axi_slave_cfg_t.shared_bw), MEM_LATENCY cycles, model_max_out reads
 * outstanding per port (0 = no cap); the device is always ready. */
static void apply_model(void) {
    axi_slave_t *s[2] = {sim_mem_slave(), sim_ds_slave()};
    for (int i = 0; i < 2; i++) {
        axi_slave_cfg_t cur;
        axi_slave_get_cfg(s[i], &cur);
        axi_slave_cfg_t c = {.latency = MEM_LATENCY, .max_outstanding = model_max_out,
                             .is_error = cur.is_error, .shared_bw = true};
        axi_slave_set_cfg(s[i], &c);
    }
    dev_master_cfg_t dc = {0, 0, 0};   /* always ready; the benches count what is outstanding */
    dev_master_set_cfg(sim_dev(), &dc);
}

/* The library's handle down, then tb_reset() with the memory model. */
static void bench_reset(void) {
    bench_down();
    apply_model();
    tb_reset();
}

/* Takes effect at the next bench_reset(). */
static void mem_model(unsigned max_out) { model_max_out = max_out; }

/* The PSCID of device BENCH_DID's domain (0 in Bare), for the cq_inval_*
 * benches' IOTINVAL.VMA. */
static uint32_t bench_pscid;

/* Reset the IOMMU (memory is kept) and bring it up in Bare through the
 * library.  own_cq: the bench runs the command queue itself (no_cq). */
static bool setup_bare(bool own_cq) {
    bench_reset();
    bench_pscid = 0;
    return tdrv_up(&bdrv, DRV_BASE, DRV_SIZE, 1, own_cq);
}

/* Reset the IOMMU and bring it up through the library in ddtp mode ddt_mode
 * (2 1LVL, 3 2LVL, 4 3LVL) with device BENCH_DID attached to a paging domain
 * of `levels` levels (3 Sv39, 4 Sv48), nothing mapped yet.  NULL (after a
 * CHECK) on an error. */
static iommu_domain_t *setup_xlate(unsigned ddt_mode, unsigned levels, bool own_cq) {
    bench_reset();
    if (!tdrv_up(&bdrv, DRV_BASE, DRV_SIZE, ddt_mode, own_cq)) return NULL;
    iommu_domain_t *dom = tdrv_paging(&bdrv, levels, BENCH_DID);
    if (dom) bench_pscid = tdrv_pscid(dom);
    return dom;
}

/* Map [iova, iova+len) to [pa, ...) with pages of 4 KiB << 9 * level (0 4 KiB,
 * 1 2 MiB). */
static bool map_range(iommu_domain_t *dom, uint64_t iova, uint64_t pa, uint64_t len,
                      unsigned level) {
    return tdrv_map(dom, iova, pa, len, 4096ull << (9 * level));
}

/* The value every doubleword of the data pages holds (stored before a read). */
static uint64_t pattern(uint64_t pa) { return (pa * 0x9e3779b97f4a7c15ull) ^ 0x5a5a0000ull; }

static void fill_pattern(uint64_t pa, unsigned beats) {
    for (unsigned i = 0; i < beats; i++) tb_mem_store(pa + 8ull * i, 8, pattern(pa + 8ull * i));
}

/* splitmix64: the benches' own random numbers, the same in both modes. */
static uint64_t rnd_state;
static uint64_t rnd(void) {
    uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t iova_of(bool xlate, uint64_t pa) { return xlate ? pa - DATA_BASE + IOVA_BASE : pa; }

/* Bare, or translated (1LVL, Sv39) with [pa, pa + len) mapped at
 * iova_of(true, pa) in pages of 4 KiB << 9 * level. */
static bool setup_mode(bool xlate, uint64_t pa, uint64_t len, unsigned level, bool own_cq) {
    if (!xlate) return setup_bare(own_cq);
    iommu_domain_t *dom = setup_xlate(2, 3, own_cq);
    return dom && map_range(dom, iova_of(true, pa), pa, len, level);
}

/* One read, alone in the system: device-port latency (AR handshake to first
 * R), the memory port's latency for it, and the data-structure reads it
 * caused.  Returns 0, or -1 (after a CHECK) when it failed. */
typedef struct {
    uint64_t dev, mem, ds;
} one_t;

static int one_read(bool xlate, uint64_t pa, unsigned len, one_t *o) {
    uint64_t m_rd0, m_rn0, m_rd, m_rn, w0, w1;
    fill_pattern(pa, len + 1);
    axi_slave_latency(sim_mem_slave(), &m_rd0, &m_rn0, &w0, &w1);
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    dma_txn_t *t = dma_txn_new(false, iova_of(xlate, pa), len, 3);
    t->user = sim_user(BENCH_DID, false, 0);
    dev_master_submit(sim_dev(), t, tb_now());
    if (sim_drain(100000)) {
        CHECK(0, "read of %#llx: no response", (unsigned long long)pa);
        return -1;
    }
    dma_txn_t *d = dev_master_take_done(sim_dev());
    int rc = 0;
    if (d != t || t->resp != AXI_OKAY || t->beats != len + 1) {
        CHECK(0, "read of %#llx: response %u, %u beats", (unsigned long long)pa, t->resp, t->beats);
        rc = -1;
    }
    for (unsigned i = 0; !rc && i <= len; i++)
        if (t->data[i] != pattern(pa + 8ull * i)) {
            CHECK(0, "read of %#llx: beat %u data %#llx, expected %#llx", (unsigned long long)pa, i,
                  (unsigned long long)t->data[i], (unsigned long long)pattern(pa + 8ull * i));
            rc = -1;
        }
    axi_slave_latency(sim_mem_slave(), &m_rd, &m_rn, &w0, &w1);
    o->dev = t->t_first - t->t_addr;
    o->mem = m_rn > m_rn0 ? (m_rd - m_rd0) / (m_rn - m_rn0) : 0;
    o->ds = axi_slave_reads(sim_ds_slave()) - ds0;
    dma_txn_free(t);
    return rc;
}

/* ---- closed-loop traffic ----------------------------------------------------------------------- */
/* Reads of len+1 beats at the physical addresses next_pa() gives, keeping
 * max_out of them in flight, each with its own AXI ID (reads of different IDs
 * may complete in any order; same-ID reads would wait for each other).  The
 * first n_warm completions warm up; the figures cover the next n_meas
 * completions; n_tail more keep the traffic going to the end of the window. */
typedef struct {
    bool xlate;
    unsigned len;                     /* AxLEN */
    unsigned max_out;
    unsigned n_warm, n_meas, n_tail;
    uint64_t (*next_pa)(unsigned k);  /* physical address of read k */
    bool one_id;                      /* every read on ID 0 instead (to show what that costs) */
    /* Called after every cycle (software running beside the traffic, e.g. the
     * cq_inval_* benches' command queue driver); true: issue no more reads,
     * finish the ones in flight and return.  NULL: none. */
    bool (*tick)(void);
} loop_cfg_t;

/* Progress of the running loop, for tick(): reads completed and submitted. */
static unsigned loop_done, loop_submitted;

typedef struct {
    double beats_per_cycle;           /* R beats at the device port per cycle, in the window */
    double ar_per_cycle;              /* device-port AR handshakes per cycle, in the window */
    uint64_t cycles;                  /* the window */
    uint64_t ds_reads;                /* data-structure reads over the whole run */
    unsigned max_ds_inflight;         /* most data-structure reads seen in flight at once */
} loop_res_t;

static int run_loop(const loop_cfg_t *c, loop_res_t *r) {
    const unsigned total = c->n_warm + c->n_meas + c->n_tail;
    unsigned ids[256], nfree = 0;
    for (unsigned i = 0; i < c->max_out && i < 256; i++) ids[nfree++] = c->max_out - 1 - i;
    memset(r, 0, sizeof *r);
    uint64_t *pa = calloc(total, sizeof *pa);
    if (!pa) exit(3);
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    unsigned submitted = 0, done = 0, inflight = 0;
    uint64_t t0 = 0, t1 = 0, a0 = 0, a1 = 0, last_progress = tb_now();
    int rc = 0;
    bool stop = false;
    loop_done = loop_submitted = 0;
    while (done < (stop ? submitted : total)) {
        while (!stop && inflight < c->max_out && (nfree || c->one_id) && submitted < total) {
            uint64_t p = c->next_pa(submitted);
            pa[submitted] = p;
            fill_pattern(p, c->len + 1);
            dma_txn_t *t = dma_txn_new(false, iova_of(c->xlate, p), c->len, 3);
            t->id = c->one_id ? 0 : ids[--nfree];
            t->user = sim_user(BENCH_DID, false, 0);
            t->tag = submitted++;
            dev_master_submit(sim_dev(), t, tb_now());
            inflight++;
        }
        sim_step();
        unsigned ds_now = axi_slave_inflight(sim_ds_slave());
        if (ds_now > r->max_ds_inflight) r->max_ds_inflight = ds_now;
        dma_txn_t *d;
        while ((d = dev_master_take_done(sim_dev()))) {
            uint64_t p = pa[d->tag];
            if (!rc && (d->resp != AXI_OKAY || d->beats != c->len + 1)) {
                CHECK(0, "read %llu of %#llx: response %u, %u beats", (unsigned long long)d->tag,
                      (unsigned long long)p, d->resp, d->beats);
                rc = -1;
            }
            for (unsigned i = 0; !rc && i <= c->len; i++)
                if (d->data[i] != pattern(p + 8ull * i)) {
                    CHECK(0, "read %llu of %#llx: beat %u data %#llx, expected %#llx",
                          (unsigned long long)d->tag, (unsigned long long)p, i,
                          (unsigned long long)d->data[i], (unsigned long long)pattern(p + 8ull * i));
                    rc = -1;
                }
            done++;
            if (done == c->n_warm) t0 = d->t_done;
            if (done == c->n_warm + c->n_meas) t1 = d->t_done;
            /* AR handshakes go in submission order (one AR queue) */
            if (d->tag == c->n_warm) a0 = d->t_addr;
            if (d->tag == c->n_warm + c->n_meas) a1 = d->t_addr;
            if (!c->one_id) ids[nfree++] = (unsigned)d->id;
            inflight--;
            last_progress = tb_now();
            dma_txn_free(d);
        }
        loop_done = done;
        loop_submitted = submitted;
        if (c->tick && c->tick()) stop = true;
        if (tb_now() - last_progress > 200000) {
            CHECK(0, "no read completed for 200000 cycles (%u of %u done, %u in flight)", done, total,
                  inflight);
            free(pa);
            return -1;
        }
    }
    free(pa);
    if (t1 > t0 && a1 > a0) {   /* the window was reached (tick() may stop the traffic early) */
        r->cycles = t1 - t0;
        r->beats_per_cycle = (double)c->n_meas * (c->len + 1) / (double)(t1 - t0);
        r->ar_per_cycle = (double)c->n_meas / (double)(a1 - a0);
    }
    r->ds_reads = axi_slave_reads(sim_ds_slave()) - ds0;
    return rc;
}

static const char *verdict(bool met) { return met ? "met" : "below target"; }

/* ---- xlate_hit_latency ----------------------------------------------------------------------- */
static int t_hit_latency(void) {
    mem_model(MEM_MAX_OUT);
    const unsigned n = 100;
    const uint64_t page = DATA_BASE + 0x5000;
    FILE *f = csv_open("xlate_hit_latency", "mode,reads,dev_cycles,mem_cycles,added,ds_reads");
    double added[2] = {0, 0};
    for (int xlate = 0; xlate <= 1; xlate++) {
        if (!setup_mode(xlate, page, 4096, 0, false)) return 1;
        one_t o;
        if (one_read(xlate, page, 0, &o)) return 1;   /* warm-up: the walk */
        uint64_t sd = 0, sm = 0, ds = 0;
        for (unsigned i = 0; i < n; i++) {
            if (one_read(xlate, page + 8ull * ((i * 37) % 512), 0, &o)) return 1;
            sd += o.dev;
            sm += o.mem;
            ds += o.ds;
        }
        double dev = (double)sd / n, mem = (double)sm / n;
        added[xlate] = dev - mem;
        printf("bench xlate_hit_latency: %-22s single-beat read AR->first R %.2f cycles at the "
               "device port, %.2f at the memory port: added %.2f (%llu walk reads)\n",
               xlate ? "translated, IOTLB hit:" : "Bare:", dev, mem, dev - mem,
               (unsigned long long)ds);
        if (f) fprintf(f, "%s,%u,%.2f,%.2f,%.2f,%llu\n", xlate ? "sv39_hit" : "bare", n, dev, mem,
                       dev - mem, (unsigned long long)ds);
        if (xlate) CHECK_EQ(ds, 0, "IOTLB hits read no data structure");
    }
    csv_close(f);
    printf("bench xlate_hit_latency: a hit adds %.2f cycles (Bare adds %.2f); target <= 2: %s\n",
           added[1], added[0], verdict(added[1] <= 2.0 + 1e-9));
    return 0;
}

/* ---- xlate_lookup_rate ----------------------------------------------------------------------- */
#define LR_PAGES 4u
static uint64_t lr_pa(unsigned k) {
    (void)k;
    uint64_t r = rnd();
    return DATA_BASE + (r % LR_PAGES) * 4096 + ((r >> 32) % 512) * 8;
}

static int t_lookup_rate(void) {
    FILE *f = csv_open("xlate_lookup_rate",
                       "mode,mem_max_outstanding,reads_in_flight,reads,cycles,ar_per_cycle,"
                       "beats_per_cycle,ratio");
    /* The common memory model (32 outstanding, 100 cycles) caps single-beat
     * reads at 32/101 per cycle in either mode; without the cap the lookup
     * is the limit, with the shared memory's 1 beat per cycle. */
    static const unsigned caps[2] = {MEM_MAX_OUT, 0};
    const unsigned in_flight = 128;
    for (int ci = 0; ci < 2; ci++) {
        double rate[2] = {0, 0};
        for (int xlate = 0; xlate <= 1; xlate++) {
            mem_model(caps[ci]);
            if (!setup_mode(xlate, DATA_BASE, LR_PAGES * 4096, 0, false)) return 1;
            one_t o;
            for (unsigned p = 0; p < LR_PAGES; p++)   /* warm the IOTLB */
                if (one_read(xlate, DATA_BASE + p * 4096ull, 0, &o)) return 1;
            rnd_state = 42;
            loop_cfg_t c = {(bool)xlate, 0, in_flight, 1000, 20000, in_flight, lr_pa, false, NULL};
            loop_res_t r;
            if (run_loop(&c, &r)) return 1;
            rate[xlate] = r.ar_per_cycle;
            printf("bench xlate_lookup_rate: %-11s memory %s, %u reads in flight: %.3f AR "
                   "handshakes/cycle at the device port, %.3f R beats/cycle\n",
                   xlate ? "translated:" : "Bare:",
                   caps[ci] ? "32 outstanding" : "no outstanding cap", in_flight, r.ar_per_cycle,
                   r.beats_per_cycle);
            if (xlate) CHECK_EQ(r.ds_reads, 0, "every lookup hit");
            if (f) fprintf(f, "%s,%u,%u,%u,%llu,%.4f,%.4f,%.4f\n", xlate ? "sv39_hit" : "bare",
                           caps[ci], in_flight, c.n_meas, (unsigned long long)r.cycles,
                           r.ar_per_cycle, r.beats_per_cycle, xlate ? rate[1] / rate[0] : 1.0);
        }
        if (caps[ci])
            printf("bench xlate_lookup_rate: memory-bound (%u outstanding x %u cycles caps both "
                   "at %.3f/cycle): translated/Bare %.3f\n", caps[ci], MEM_LATENCY + 1,
                   (double)caps[ci] / (MEM_LATENCY + 1), rate[1] / rate[0]);
        else
            printf("bench xlate_lookup_rate: lookup-bound: %.3f lookups/cycle, translated/Bare "
                   "%.3f; target 1 lookup/cycle: %s\n", rate[1], rate[1] / rate[0],
                   verdict(rate[1] >= 0.99));
    }
    csv_close(f);
    return 0;
}

/* ---- xlate_stream ---------------------------------------------------------------------------- */
#define ST_PAGES 512u    /* 2 MiB of consecutive 4 KiB pages, two 2 KiB bursts each */
static uint64_t st_pa(unsigned k) { return DATA_BASE + (uint64_t)(k / 2) * 4096 + (k % 2) * 2048; }

static int t_stream(void) {
    mem_model(MEM_MAX_OUT);
    FILE *f = csv_open("xlate_stream", "mode,pages,bursts,beats_per_burst,bursts_in_flight,"
                                       "window_cycles,beats_per_cycle,ratio,ds_reads");
    const unsigned in_flight = 4, bursts = 2 * ST_PAGES;
    double rate[2] = {0, 0};
    for (int xlate = 0; xlate <= 1; xlate++) {
        if (!setup_mode(xlate, DATA_BASE, ST_PAGES * 4096ull, 0, false)) return 1;
        loop_cfg_t c = {(bool)xlate, 255, in_flight, 8, bursts - 16, 8, st_pa, false, NULL};
        loop_res_t r;
        if (run_loop(&c, &r)) return 1;
        rate[xlate] = r.beats_per_cycle;
        printf("bench xlate_stream: %-11s %u pages x two 2 KiB bursts (256 beats; AXI bursts stop "
               "at 256 beats, so a 4 KiB page is two), %u in flight: %.4f R beats/cycle, %llu walk "
               "reads (%.2f per page)\n", xlate ? "translated:" : "Bare:", ST_PAGES, in_flight,
               r.beats_per_cycle, (unsigned long long)r.ds_reads, (double)r.ds_reads / ST_PAGES);
        if (f) fprintf(f, "%s,%u,%u,256,%u,%llu,%.4f,%.4f,%llu\n", xlate ? "sv39_4k" : "bare",
                       ST_PAGES, bursts, in_flight, (unsigned long long)r.cycles, r.beats_per_cycle,
                       xlate ? rate[1] / rate[0] : 1.0, (unsigned long long)r.ds_reads);
    }
    csv_close(f);
    printf("bench xlate_stream: translated/Bare %.2f%%; target >= 98%%: %s\n",
           100 * rate[1] / rate[0], verdict(rate[1] >= 0.98 * rate[0]));
    return 0;
}

/* ---- xlate_random_reads ---------------------------------------------------------------------------- */
static uint64_t rr_ws;   /* working set of the current point */
static uint64_t rr_pa(unsigned k) {
    (void)k;
    return DATA_BASE + (rnd() % (rr_ws / 64)) * 64;
}

static int t_random(void) {
    static const uint64_t ws[] = {64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB};
    const unsigned nws = sizeof ws / sizeof *ws, n_warm = 2000, n_meas = 20000, out = 32;
    char name[64];
    snprintf(name, sizeof name, "xlate_random_reads_w%u", TB_WALKS);
    FILE *f = csv_open(name, "walks,slots,page_size,working_set,ids,reads,bare_beats_per_cycle,"
                             "beats_per_cycle,ratio,ds_reads_per_read,max_ds_in_flight");
    mem_model(MEM_MAX_OUT);
    printf("bench xlate_random_reads: Walks = %u, Slots = %u (this build), 64-byte reads (8 beats), %u "
           "in flight with distinct IDs, %u measured after %u warm-up reads\n", TB_WALKS,
           TB_SLOTS, out, n_meas, n_warm);
    unsigned max_ds = 0;
    double r4k64m = 0, r2m64m = 0, r4k[8] = {0}, bare_bpc[8] = {0};
    for (unsigned wi = 0; wi < nws; wi++) {
        rr_ws = ws[wi];
        loop_cfg_t c = {false, 7, out, n_warm, n_meas, out, rr_pa, false, NULL};
        loop_res_t bare, x;
        if (!setup_bare(false)) return 1;
        rnd_state = 1000 + wi;
        if (run_loop(&c, &bare)) return 1;
        for (unsigned level = 0; level <= 1; level++) {
            uint64_t psz = 4096ull << (9 * level);
            uint64_t len = (ws[wi] + psz - 1) / psz * psz;
            if (!setup_mode(true, DATA_BASE, len, level, false)) return 1;
            c.xlate = true;
            rnd_state = 1000 + wi;   /* the same addresses as Bare */
            if (run_loop(&c, &x)) return 1;
            if (x.max_ds_inflight > max_ds) max_ds = x.max_ds_inflight;
            double ratio = x.beats_per_cycle / bare.beats_per_cycle;
            double dpr = (double)x.ds_reads / (n_warm + n_meas + out);
            if (ws[wi] == 64 * MiB) *(level ? &r2m64m : &r4k64m) = ratio;
            if (!level) r4k[wi] = ratio, bare_bpc[wi] = bare.beats_per_cycle;
            printf("bench xlate_random_reads: walks %2u, %s pages, working set %5llu KiB: %.3f beats/cycle, "
                   "Bare %.3f: %5.1f%% (%.2f walk reads per read)\n", TB_WALKS,
                   level ? "2 MiB" : "4 KiB", (unsigned long long)(ws[wi] / KiB),
                   x.beats_per_cycle, bare.beats_per_cycle, 100 * ratio, dpr);
            if (f) fprintf(f, "%u,%u,%llu,%llu,%u,%u,%.4f,%.4f,%.4f,%.3f,%u\n", TB_WALKS, TB_SLOTS,
                           (unsigned long long)psz, (unsigned long long)ws[wi], out, n_meas,
                           bare.beats_per_cycle, x.beats_per_cycle, ratio, dpr, x.max_ds_inflight);
        }
    }
    /* Why the device uses distinct IDs: two points again with every read on
     * ID 0 (AXI keeps same-ID reads in order, so a hit waits for every older
     * miss, in a slot). */
    static const unsigned one_id_ws[] = {1, 3};   /* 256 KiB (half hits), 4 MiB (nearly all miss) */
    for (unsigned k = 0; k < 2; k++) {
        unsigned wi = one_id_ws[k];
        rr_ws = ws[wi];
        loop_cfg_t c = {true, 7, out, n_warm, n_meas, out, rr_pa, true, NULL};
        loop_res_t x;
        if (!setup_mode(true, DATA_BASE, rr_ws, 0, false)) return 1;
        rnd_state = 1000 + wi;
        if (run_loop(&c, &x)) return 1;
        double dpr = (double)x.ds_reads / (n_warm + n_meas + out);
        printf("bench xlate_random_reads: walks %2u, 4 KiB pages, working set %5llu KiB, every read "
               "on ID 0: %.3f beats/cycle: %5.1f%% (distinct IDs: %.1f%%)\n", TB_WALKS,
               (unsigned long long)(rr_ws / KiB), x.beats_per_cycle,
               100 * x.beats_per_cycle / bare_bpc[wi], 100 * r4k[wi]);
        if (f) fprintf(f, "%u,%u,4096,%llu,1,%u,%.4f,%.4f,%.4f,%.3f,%u\n", TB_WALKS, TB_SLOTS,
                       (unsigned long long)rr_ws, n_meas, bare_bpc[wi], x.beats_per_cycle,
                       x.beats_per_cycle / bare_bpc[wi], dpr, x.max_ds_inflight);
    }
    csv_close(f);
    printf("bench xlate_random_reads: walks %u: most walk reads in flight at once: %u\n", TB_WALKS, max_ds);
    printf("bench xlate_random_reads: walks %u: 2 MiB pages at 64 MiB: %.1f%% of Bare; target >= 98%%: %s\n",
           TB_WALKS, 100 * r2m64m, verdict(r2m64m >= 0.98));
    if (TB_WALKS == 8 || TB_WALKS == 16) {
        double want = TB_WALKS == 8 ? 0.50 : 0.80;
        printf("bench xlate_random_reads: walks %u: 4 KiB pages at 64 MiB: %.1f%% of Bare; target >= %.0f%%: "
               "%s\n", TB_WALKS, 100 * r4k64m, 100 * want, verdict(r4k64m >= want));
    } else {
        printf("bench xlate_random_reads: walks %u: 4 KiB pages at 64 MiB: %.1f%% of Bare (no target)\n",
               TB_WALKS, 100 * r4k64m);
    }
    return 0;
}

/* ---- xlate_miss_latency ---------------------------------------------------------------------- */
static int t_miss_latency(void) {
    mem_model(MEM_MAX_OUT);
    FILE *f = csv_open("xlate_miss_latency", "case,levels,ddt_mode,dc,walk_cache,dev_cycles,"
                                             "mem_cycles,added,ds_reads,expected_ds_reads");
    const uint64_t pa = DATA_BASE + 0x3000;
    one_t o;
    if (!setup_bare(false)) return 1;
    if (one_read(false, pa, 0, &o)) return 1;
    printf("bench xlate_miss_latency: Bare reference: AR->first R %llu cycles at the device port, "
           "%llu at the memory port\n", (unsigned long long)o.dev, (unsigned long long)o.mem);
    if (f) fprintf(f, "bare,0,1,-,-,%llu,%llu,%llu,0,0\n", (unsigned long long)o.dev,
                   (unsigned long long)o.mem, (unsigned long long)(o.dev - o.mem));
    static const char *const ddt_name[] = {"", "", "1LVL", "2LVL", "3LVL"};
    static const struct {
        unsigned ddt_mode;
        bool dc_warm, wc_warm;
    } cs[] = {
        {2, false, false}, {3, false, false}, {4, false, false}, {2, true, false}, {2, true, true},
    };
    for (unsigned levels = 3; levels <= 4; levels++) {
        for (unsigned i = 0; i < sizeof cs / sizeof *cs; i++) {
            iommu_domain_t *dom = setup_xlate(cs[i].ddt_mode, levels, false);
            uint64_t iova = iova_of(true, pa);
            /* another root entry (cold walk cache), a neighbour page (warm) */
            uint64_t far = iova + (1ull << (12 + 9 * (levels - 1)));
            uint64_t near = iova + 4096;
            if (!dom || !map_range(dom, iova, pa, 4096, 0) ||
                !map_range(dom, far, pa + 4096, 4096, 0) || !map_range(dom, near, pa + 4096, 4096, 0))
                return 1;
            if (cs[i].wc_warm) {
                if (one_read(true, pa + 4096, 0, &o)) return 1;   /* via `near` */
            } else if (cs[i].dc_warm) {
                /* DC cached through a walk that shares no table with `iova` */
                fill_pattern(pa + 4096, 1);
                dma_txn_t *t = dma_txn_new(false, far, 0, 3);
                t->user = sim_user(BENCH_DID, false, 0);
                dev_master_submit(sim_dev(), t, tb_now());
                CHECK(sim_drain(100000) == 0, "warm-up read: no response");
                dma_txn_t *d = dev_master_take_done(sim_dev());
                CHECK(d == t && t->resp == AXI_OKAY && t->data[0] == pattern(pa + 4096),
                      "warm-up read failed");
                dma_txn_free(t);
            }
            if (one_read(true, pa, 0, &o)) return 1;
            unsigned dir = cs[i].dc_warm ? 0 : cs[i].ddt_mode - 1;   /* DDT entries + the DC */
            unsigned want = dir + (cs[i].wc_warm ? 1 : levels);
            char what[96];
            snprintf(what, sizeof what, "Sv%u, DC %s%s%s, walk cache %s", 39 + 9 * (levels - 3),
                     cs[i].dc_warm ? "hit" : "miss (", cs[i].dc_warm ? "" : ddt_name[cs[i].ddt_mode],
                     cs[i].dc_warm ? "" : ")", cs[i].wc_warm ? "warm" : "cold");
            printf("bench xlate_miss_latency: %-40s %4llu cycles at the device port (memory port "
                   "%llu, added %llu), %llu data-structure read%s%s\n", what,
                   (unsigned long long)o.dev, (unsigned long long)o.mem,
                   (unsigned long long)(o.dev - o.mem), (unsigned long long)o.ds,
                   o.ds == 1 ? "" : "s", o.ds == want ? "" : " (UNEXPECTED count)");
            if (o.ds != want)
                printf("bench xlate_miss_latency: expected %u data-structure reads\n", want);
            if (f) fprintf(f, "sv%u_%s_%s,%u,%s,%s,%s,%llu,%llu,%llu,%llu,%u\n", 39 + 9 * (levels - 3),
                           cs[i].dc_warm ? "dchit" : "dcmiss", cs[i].wc_warm ? "wcwarm" : "wccold",
                           levels, ddt_name[cs[i].ddt_mode], cs[i].dc_warm ? "hit" : "miss",
                           cs[i].wc_warm ? "warm" : "cold", (unsigned long long)o.dev,
                           (unsigned long long)o.mem, (unsigned long long)(o.dev - o.mem),
                           (unsigned long long)o.ds, want);
        }
    }
    csv_close(f);
    return 0;
}

/* ---- cq_inval_latency, cq_inval_bandwidth -------------------------------------------------- */
/* Software's side of the command queue, run one cycle at a time beside the
 * device traffic (loop_cfg_t.tick), so that the devices never wait for it:
 * the commands go into the queue's memory through the backdoor (no simulated
 * time), the cqt write goes out on the register port without blocking, and
 * then cqh is read back to back until it equals the new tail.  The register
 * port takes a read's AR, answers the next cycle and takes the next AR the
 * cycle after, so cqh is sampled every 2 cycles; a read returns cqh as it was
 * in the cycle of its AR.  An observer on the register port records the cycle
 * the cqt write was accepted (its AW/W handshake) and each read's AR cycle.
 * A latency is (AR cycle of the first read that shows cqh = the new tail) -
 * (cycle the cqt write was accepted); cqt itself holds the new value one
 * cycle after its write, so 1 is the floor.  Sampled every 2 cycles, a figure
 * is the exact one or 1 more; the first read goes out 2 or 3 cycles after the
 * write (alternating), so over several samples both phases are seen. */
#define BQ_BASE     0xF0000000ull   /* the queue: 64 entries of 16 bytes */
#define BQ_LOG2SZM1 5u
#define BQ_PAGES    16u             /* the traffic's 4 KiB pages: 64 KiB, within the IOTLB (32
                                     * entries) and the walk cache */
#define BQ_SAMPLES  20u             /* latency samples per case and command */
#define BQ_MAXS     64u

enum { BQ_IDLE, BQ_WRITE, BQ_DELAY, BQ_POLL };
static struct {
    uint32_t mask;                  /* queue size - 1 (the tail is tutil's cq_tail) */
    int st;
    unsigned phase;                 /* first cqh read 0 or 1 cycle later */
    uint64_t t_aw, t_ar, t_poll;    /* observer: cqt write accepted, last register AR */
    uint64_t lat;                   /* the last submission's latency (cycles) */
    bool have;                      /* lat is new */
    /* observer, data-structure port: the command fetches of this submission */
    uint64_t f_id, t_far, t_fr, f_sum;   /* ARID, last AR, last fetch's last R, sum AR->last R */
    unsigned nf;
    uint64_t nf_total;              /* command fetches since bq_enable */
    uint64_t fetch;                 /* the last submission: mean fetch AR -> last R beat */
    uint64_t exec;                  /* ... and its last fetch's last R beat -> cqh read back */
    unsigned polls;
    bool err;
} bq;

static void bq_observe(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    const axi_port_t *p = &io->reg;
    if (p->awvalid && p->awready && p->awaddr == IOMMU_REG_CQT) bq.t_aw = now;
    if (p->arvalid && p->arready) bq.t_ar = now;
    const axi_port_t *d = &io->ds;
    if (d->arvalid && d->arready && d->araddr >= BQ_BASE &&
        d->araddr < BQ_BASE + 16ull * (bq.mask + 1)) {
        bq.f_id = d->arid;
        bq.t_far = now;
        bq.nf++;
        bq.nf_total++;
    }
    if (d->rvalid && d->rready && d->rlast && bq.nf && d->rid == bq.f_id) {
        bq.t_fr = now;
        bq.f_sum += now - bq.t_far;
    }
}

/* cqb (BQ_BASE, 64 entries), cqt = 0, cqen, and wait for cqon: blocking, so
 * only before the traffic starts.  Installs the observer. */
static void bq_enable(void) {
    memset(&bq, 0, sizeof bq);
    bq.mask = (2u << BQ_LOG2SZM1) - 1;
    cq_enable(BQ_BASE, BQ_LOG2SZM1, false);
    sim_set_observer(bq_observe, NULL);
}

/* The queue ran every command: no cqmf, cmd_to or cmd_ill.  Blocking. */
static int bq_check(const char *what) {
    uint32_t v = rd32(IOMMU_REG_CQCSR);
    uint32_t bad = (uint32_t)(IOMMU_CQCSR_CQMF_MASK | IOMMU_CQCSR_CMD_TO_MASK |
                              IOMMU_CQCSR_CMD_ILL_MASK);
    if (bq.err || (v & bad)) {
        CHECK(0, "%s: command queue error (cqcsr %#x)", what, v);
        return -1;
    }
    return 0;
}

/* IOTINVAL.VMA of one page of the benches' domain: AV = 1, PSCV = 1. */
static void bq_put_inval(uint64_t iova) { cq_put(cmd_iotinval(0, true, iova, true, bench_pscid, false, 0)); }

/* IOFENCE.C with PR = PW = 1, AV = WSI = 0. */
static void bq_put_fence(void) { cq_put(cmd_iofence(false, false, true, true, 0, 0)); }

/* Publish what cq_put stored without waiting: the cqt write starts here and
 * completes in bq_tick (tutil's cq_ring would block the traffic). */
static void bq_ring(unsigned phase) {
    axil_master_write(IOMMU_REG_CQT, 4, cq_tail());
    bq.st = BQ_WRITE;
    bq.phase = phase;
    bq.have = false;
    bq.polls = 0;
    bq.nf = 0;
    bq.f_sum = 0;
}

/* After every cycle: completes the cqt write, then polls cqh. */
static void bq_tick(void) {
    const axil_status_t *s = axil_master_status();
    switch (bq.st) {
    case BQ_WRITE:
        if (!s->done) return;
        if (s->resp != AXI_OKAY && !bq.err) {
            CHECK(0, "cqt write: response %u", s->resp);
            bq.err = true;
        }
        bq.t_poll = tb_now() + bq.phase;
        bq.st = BQ_DELAY;
        /* fall through */
    case BQ_DELAY:
        if (tb_now() < bq.t_poll) return;
        break;
    case BQ_POLL:
        if (!s->done) return;
        if (s->resp == AXI_OKAY && (uint32_t)s->rdata == cq_tail()) {
            bq.lat = bq.t_ar - bq.t_aw;
            bq.fetch = bq.nf ? bq.f_sum / bq.nf : 0;
            bq.exec = bq.t_ar - bq.t_fr;
            bq.have = true;
            bq.st = BQ_IDLE;
            return;
        }
        if (++bq.polls > 200000) {
            if (!bq.err) CHECK(0, "cqh stays at %u, cqt %u", (unsigned)s->rdata, cq_tail());
            bq.err = true;
            bq.st = BQ_IDLE;
            return;
        }
        break;
    default:
        return;
    }
    axil_master_read(IOMMU_REG_CQH, 4);
    bq.st = BQ_POLL;
}

/* Step the simulator (no traffic) until the queue's software is idle. */
static int bq_finish(void) {
    for (uint64_t t = tb_now() + 1000000; bq.st != BQ_IDLE; ) {
        sim_step();
        bq_tick();
        if (tb_now() > t) {
            CHECK(0, "the command queue never finished");
            return -1;
        }
    }
    bq.have = false;
    return 0;
}

typedef struct {
    unsigned n;
    uint64_t v[BQ_MAXS];
} bq_samples_t;

static void bq_add(bq_samples_t *s, uint64_t v) {
    if (s->n < BQ_MAXS) s->v[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    uint64_t min, max;
    double median, mean;
} bq_stats_t;

static bq_stats_t bq_stats(const bq_samples_t *s) {
    bq_stats_t r = {0, 0, 0, 0};
    if (!s->n) return r;
    uint64_t v[BQ_MAXS], sum = 0;
    memcpy(v, s->v, s->n * sizeof *v);
    qsort(v, s->n, sizeof *v, cmp_u64);
    for (unsigned i = 0; i < s->n; i++) sum += v[i];
    r.min = v[0];
    r.max = v[s->n - 1];
    r.median = s->n & 1 ? (double)v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2.0;
    r.mean = (double)sum / s->n;
    return r;
}

/* The workloads: 64-byte reads at random over the BQ_PAGES pages (rr_pa with
 * rr_ws = 64 KiB, 32 in flight), or 2 KiB bursts streaming through the same
 * pages round and round (4 in flight). */
static uint64_t bq_stream_pa(unsigned k) {
    return DATA_BASE + (uint64_t)((k / 2) % BQ_PAGES) * 4096 + (k % 2) * 2048;
}

/* Software's own random numbers (the traffic's stay those of rnd()). */
static uint32_t bq_lcg;
static uint32_t bq_rand(void) {
    bq_lcg = bq_lcg * 1664525u + 1013904223u;
    return bq_lcg >> 8;
}

/* The page an IOTINVAL.VMA names: streaming, the page the stream enters next
 * (it will miss soon after the fence); random, any page of the set. */
static bool bq_streaming;
static uint64_t bq_victim(void) {
    unsigned page = bq_streaming ? ((loop_submitted + 2) / 2) % BQ_PAGES : bq_rand() % BQ_PAGES;
    return IOVA_BASE + 4096ull * page;
}

/* cq_inval_latency's software: after `warm` reads, in turn an IOTINVAL.VMA
 * (AV=1, PSCV=1: one page) + IOFENCE.C pair, an IOFENCE.C alone and an
 * IOTINVAL.VMA (AV=0, PSCV=1: the address space, a scan of the IOTLB's
 * block-RAM sets) + IOFENCE.C pair, each after the previous one passed and a
 * random 100..999 cycles more (so the submissions fall at random points of
 * the traffic), BQ_SAMPLES of each. */
#define LP_KINDS 3
static struct {
    bq_samples_t s[LP_KINDS];       /* 0: page + fence, 1: the fence alone, 2: PSCID + fence */
    bq_samples_t fetch[LP_KINDS], exec[LP_KINDS]; /* their fetch latency, and last fetch -> cqh */
    unsigned warm, kind;
    uint64_t next_at;
} lp;

static bool lat_tick(void) {
    bq_tick();
    if (bq.have) {
        bq.have = false;
        bq_add(&lp.s[lp.kind], bq.lat);
        bq_add(&lp.fetch[lp.kind], bq.fetch);
        bq_add(&lp.exec[lp.kind], bq.exec);
        lp.next_at = tb_now() + 100 + bq_rand() % 900;
    }
    bool all = true;
    for (unsigned k = 0; k < LP_KINDS; k++) all &= lp.s[k].n >= BQ_SAMPLES;
    if (!all && !bq.err && bq.st == BQ_IDLE && loop_done >= lp.warm && tb_now() >= lp.next_at) {
        lp.kind = 0;
        for (unsigned k = 1; k < LP_KINDS; k++)
            if (lp.s[k].n < lp.s[lp.kind].n) lp.kind = k;
        if (lp.kind == 0) bq_put_inval(bq_victim());
        if (lp.kind == 2) cq_put(cmd_iotinval(0, false, 0, true, bench_pscid, false, 0));
        bq_put_fence();
        bq_ring(lp.s[lp.kind].n & 1);
    }
    return all || bq.err;
}

static int cq_latency_body(void) {
    static const struct {
        const char *name, *what;
        bool xlate;
        unsigned traffic;   /* 0 none, 1 random 64-byte reads, 2 streaming 2 KiB bursts */
    } cs[] = {
        {"idle", "translated, no DMA", true, 0},
        {"random", "translated, random 64 B reads, 32 in flight", true, 1},
        {"stream", "translated, streaming 2 KiB bursts, 4 in flight", true, 2},
        {"bare_random", "Bare, random 64 B reads, 32 in flight", false, 1},
        {"bare_stream", "Bare, streaming 2 KiB bursts, 4 in flight", false, 2},
    };
    static const char *const cmd_name[LP_KINDS] = {"IOTINVAL.VMA+IOFENCE.C", "IOFENCE.C alone",
                                                    "IOTINVAL PSCID+IOFENCE.C"};
    static const char *const cmd_csv[LP_KINDS] = {"iotinval_iofence", "iofence", "iotinval_pscid_iofence"};
    mem_model(MEM_MAX_OUT);
    FILE *f = csv_open("cq_inval_latency", "case,mode,traffic,command,samples,min,median,max,mean,"
                                          "fetch_median,fence_exec_median,fence_exec_max");
    FILE *fs = csv_open("cq_inval_latency_samples", "case,command,sample,cycles");
    printf("bench cq_inval_latency: cycles from the cqt write (accepted) to cqh passing the "
           "commands; cqh sampled every 2 cycles through the register port (a figure is exact "
           "or 1 late; floor 1); %u samples each; data pages %u x 4 KiB\n", BQ_SAMPLES, BQ_PAGES);
    for (unsigned i = 0; i < sizeof cs / sizeof *cs; i++) {
        if (!setup_mode(cs[i].xlate, DATA_BASE, BQ_PAGES * 4096ull, 0, true)) return 1;
        bq_enable();
        memset(&lp, 0, sizeof lp);
        bq_lcg = 12345 + i;
        bq_streaming = cs[i].traffic == 2;
        rnd_state = 500 + i;
        if (cs[i].traffic == 0) {
            loop_done = loop_submitted = 0;
            uint64_t t_end = tb_now() + 2000000;
            do {
                sim_step();
                if (tb_now() > t_end) {
                    CHECK(0, "idle: the commands never completed");
                    return 1;
                }
            } while (!lat_tick());
        } else {
            /* n_meas is only a ceiling: lat_tick stops the traffic once it has its samples */
            rr_ws = BQ_PAGES * 4096ull;
            loop_cfg_t c = {cs[i].xlate, 7, 32, 1000, 200000, 32, rr_pa, false, lat_tick};
            if (cs[i].traffic == 2) {
                loop_cfg_t s = {cs[i].xlate, 255, 4, 2 * BQ_PAGES, 20000, 4, bq_stream_pa, false,
                                lat_tick};
                c = s;
            }
            lp.warm = c.n_warm;
            loop_res_t r;
            if (run_loop(&c, &r)) return 1;
        }
        if (bq_finish() || bq_check(cs[i].name)) return 1;
        for (unsigned k = 0; k < LP_KINDS; k++) {
            CHECK_EQ(lp.s[k].n, BQ_SAMPLES, "latency samples");
            bq_stats_t st = bq_stats(&lp.s[k]), fe = bq_stats(&lp.fetch[k]),
                       ex = bq_stats(&lp.exec[k]);
            printf("bench cq_inval_latency: %-49s %-22s min %4llu median %6.1f max %4llu cycles "
                   "(fetch AR->last beat median %.1f; fence: last fetch beat->cqh median %.1f, "
                   "max %llu)\n", cs[i].what, cmd_name[k], (unsigned long long)st.min, st.median,
                   (unsigned long long)st.max, fe.median, ex.median, (unsigned long long)ex.max);
            if (f) fprintf(f, "%s,%s,%s,%s,%u,%llu,%.1f,%llu,%.1f,%.1f,%.1f,%llu\n", cs[i].name,
                           cs[i].xlate ? "sv39" : "bare",
                           cs[i].traffic == 0 ? "none" : cs[i].traffic == 1 ? "random64" : "stream2k",
                           cmd_csv[k], lp.s[k].n,
                           (unsigned long long)st.min, st.median, (unsigned long long)st.max,
                           st.mean, fe.median, ex.median, (unsigned long long)ex.max);
            for (unsigned j = 0; fs && j < lp.s[k].n; j++)
                fprintf(fs, "%s,%s,%u,%llu\n", cs[i].name, cmd_csv[k], j,
                        (unsigned long long)lp.s[k].v[j]);
        }
        sim_set_observer(NULL, NULL);
    }
    csv_close(f);
    csv_close(fs);
    return 0;
}

static int t_cq_latency(void) {
    int rc = cq_latency_body();
    sim_set_observer(NULL, NULL);
    return rc;
}

/* cq_inval_bandwidth's software: an IOTINVAL.VMA of a page the traffic uses +
 * IOFENCE.C every `every` completed reads; when the previous pair has not
 * passed yet at a mark, the next goes out as soon as it has (counted late). */
static struct {
    unsigned every, next_mark, issued, in_window, late, win_lo, win_hi;
    bool late_flag;
    bq_samples_t lat;
} bp;

static bool bw_tick(void) {
    bq_tick();
    if (bq.have) {
        bq.have = false;
        bq_add(&bp.lat, bq.lat);
    }
    if (bp.every && !bq.err && loop_done >= bp.next_mark) {
        if (bq.st != BQ_IDLE) {
            if (!bp.late_flag) bp.late++;
            bp.late_flag = true;
        } else {
            bq_put_inval(bq_victim());
            bq_put_fence();
            bq_ring(bp.issued & 1);
            if (bp.next_mark >= bp.win_lo && bp.next_mark < bp.win_hi) bp.in_window++;
            bp.issued++;
            bp.next_mark += bp.every;
            bp.late_flag = false;
        }
    }
    return bq.err;
}

static int cq_bandwidth_body(void) {
    const unsigned every = 1000;
    static const struct {
        const char *name, *what;
        unsigned len, in_flight, n_warm, n_meas;
        bool stream;
    } wl[] = {
        {"random64", "random 64 B reads over 64 KiB", 7, 32, 2000, 20000, false},
        {"stream2k", "2 KiB bursts streaming over 64 KiB", 255, 4, 100, 3000, true},
    };
    mem_model(MEM_MAX_OUT);
    FILE *f = csv_open("cq_inval_bandwidth",
                       "workload,mode,inval_every,invalidations,invalidations_run,late,reads,"
                       "window_cycles,beats_per_cycle,ratio_bare,ratio_no_inval,"
                       "cost_cycles_per_inval,walk_reads,extra_walk_reads_per_inval,"
                       "pair_lat_min,pair_lat_median,pair_lat_max");
    printf("bench cq_inval_bandwidth: IOTINVAL.VMA (AV, PSCV: one page of the workload) + "
           "IOFENCE.C (PR, PW) every %u reads, submitted without stopping the traffic\n", every);
    for (unsigned w = 0; w < sizeof wl / sizeof *wl; w++) {
        double bpc[2][2] = {{0, 0}, {0, 0}};        /* [xlate][inval] */
        uint64_t cyc[2][2] = {{0, 0}, {0, 0}}, walks[2][2] = {{0, 0}, {0, 0}};
        for (int xlate = 0; xlate <= 1; xlate++) {
            for (int inval = 0; inval <= 1; inval++) {
                if (!setup_mode(xlate, DATA_BASE, BQ_PAGES * 4096ull, 0, true)) return 1;
                bq_enable();
                memset(&bp, 0, sizeof bp);
                bp.every = inval ? every : 0;
                bp.next_mark = every;
                bp.win_lo = wl[w].n_warm;
                bp.win_hi = wl[w].n_warm + wl[w].n_meas;
                bq_lcg = 777 + w;
                bq_streaming = wl[w].stream;
                rr_ws = BQ_PAGES * 4096ull;
                rnd_state = 900 + w;   /* the same reads in all four runs */
                loop_cfg_t c = {(bool)xlate, wl[w].len, wl[w].in_flight, wl[w].n_warm,
                                wl[w].n_meas, wl[w].in_flight,
                                wl[w].stream ? bq_stream_pa : rr_pa, false, bw_tick};
                uint64_t ds0 = axi_slave_reads(sim_ds_slave());
                loop_res_t r;
                if (run_loop(&c, &r)) return 1;
                if (bq_finish() || bq_check(wl[w].name)) return 1;
                if (!r.cycles) {
                    CHECK(0, "%s: the measurement window was not reached", wl[w].name);
                    return 1;
                }
                uint64_t walk = axi_slave_reads(sim_ds_slave()) - ds0 - bq.nf_total;
                bpc[xlate][inval] = r.beats_per_cycle;
                cyc[xlate][inval] = r.cycles;
                walks[xlate][inval] = walk;
                double ratio_bare = r.beats_per_cycle / bpc[0][0];
                double ratio_noinv = r.beats_per_cycle / bpc[xlate][0];
                double cost = 0, extra_walk = 0;
                if (inval) {
                    CHECK(bp.in_window > 0 && bp.issued > 0, "invalidations in the window");
                    if (!bp.in_window || !bp.issued) return 1;
                    cost = ((double)r.cycles - (double)cyc[xlate][0]) / bp.in_window;
                    extra_walk = ((double)walk - (double)walks[xlate][0]) / bp.issued;
                }
                bq_stats_t st = bq_stats(&bp.lat);
                const char *mode = xlate ? "translated" : "Bare";
                if (!inval)
                    printf("bench cq_inval_bandwidth: %-34s %-10s no invalidation:  %.4f "
                           "beats/cycle (%5.1f%% of Bare), %llu walk reads\n", wl[w].what, mode,
                           r.beats_per_cycle, 100 * ratio_bare, (unsigned long long)walk);
                else
                    printf("bench cq_inval_bandwidth: %-34s %-10s inval every %u: %.4f "
                           "beats/cycle (%5.1f%% of Bare, %6.2f%% of no invalidation), %u in the "
                           "window (%u late): %.1f cycles lost each; %llu walk reads (%.1f more "
                           "per invalidation); pair latency min %llu median %.1f max %llu\n",
                           wl[w].what, mode, every, r.beats_per_cycle, 100 * ratio_bare,
                           100 * ratio_noinv, bp.in_window, bp.late, cost,
                           (unsigned long long)walk, extra_walk, (unsigned long long)st.min,
                           st.median, (unsigned long long)st.max);
                if (f)
                    fprintf(f, "%s,%s,%u,%u,%u,%u,%u,%llu,%.4f,%.4f,%.4f,%.1f,%llu,%.2f,%llu,%.1f,"
                               "%llu\n", wl[w].name, xlate ? "sv39" : "bare", inval ? every : 0,
                            bp.in_window, bp.issued, bp.late, wl[w].n_meas,
                            (unsigned long long)r.cycles, r.beats_per_cycle, ratio_bare,
                            ratio_noinv, cost, (unsigned long long)walk, extra_walk,
                            (unsigned long long)st.min, st.median, (unsigned long long)st.max);
                sim_set_observer(NULL, NULL);
            }
        }
    }
    csv_close(f);
    return 0;
}

static int t_cq_bandwidth(void) {
    int rc = cq_bandwidth_body();
    sim_set_observer(NULL, NULL);
    return rc;
}

BENCH_FN(b_latency, t_latency)
BENCH_FN(b_throughput, t_throughput)
BENCH_FN(b_hit_latency, t_hit_latency)
BENCH_FN(b_lookup_rate, t_lookup_rate)
BENCH_FN(b_stream, t_stream)
BENCH_FN(b_random, t_random)
BENCH_FN(b_miss_latency, t_miss_latency)
BENCH_FN(b_cq_latency, t_cq_latency)
BENCH_FN(b_cq_bandwidth, t_cq_bandwidth)

const test_def_t tests_bench[] = {
    {"bare_latency", "cycles Bare mode adds to a read and a write", b_latency, true},
    {"bare_throughput", "sustained beats per cycle through Bare mode", b_throughput, true},
    {"xlate_hit_latency", "cycles an IOTLB hit adds to a read, against Bare", b_hit_latency, true},
    {"xlate_lookup_rate", "single-beat reads that all hit: AR handshakes per cycle vs Bare", b_lookup_rate, true},
    {"xlate_stream", "2 KiB read bursts over fresh 4 KiB pages: beats per cycle vs Bare", b_stream, true},
    {"xlate_random_reads", "random 64-byte reads, 64 KiB..64 MiB, 4 KiB and 2 MiB pages, vs Bare", b_random, true},
    {"xlate_miss_latency", "latency of one miss by walk depth, DC and walk-cache state", b_miss_latency, true},
    {"cq_inval_latency", "cqt write -> cqh past IOTINVAL.VMA+IOFENCE.C, idle and under DMA",
     b_cq_latency, true},
    {"cq_inval_bandwidth", "DMA bandwidth with IOTINVAL.VMA+IOFENCE.C every 1000 reads vs none",
     b_cq_bandwidth, true},
    {0},
};
