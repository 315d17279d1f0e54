/* xrand.c - random tests of the translation engine against the reference
 * translator (tb/ref_xlate.c, written from the spec), with a scoreboard and
 * the isolation checker.
 *
 * A random directory and random page tables (tb/ptgen.c: page sizes mixed,
 * random permissions, injected PTE and DC faults, PTE read errors) serve
 * several devices; random DMA (reads, writes, instruction fetches, bursts of
 * every size and type, several IDs, PV requests, unknown devices, stray
 * IOVAs, bursts that cross a page) runs with random back-pressure, latency,
 * reordering and R-beat interleaving on every port.  Checked:
 *   - each request's response (OKAY, or SLVERR on every beat) is the one the
 *     reference predicts from memory;
 *   - every AR/AW on the memory port is the next expected one of its ID
 *     (reads) or of the write channel, with the predicted physical address
 *     and the request's attributes: a refused request never reaches memory,
 *     and AXI order is kept;
 *   - isolation: every memory-port burst touches only bytes the issuing
 *     device (AxUSER) was given, with the permission its access needs;
 *   - the fault queue holds exactly the predicted records (as a multiset:
 *     the two channels may interleave).
 * The seed (--seed) decides everything; a failure prints it.  With the
 * environment variable XRAND_TRACE set, every device AR, memory AR and last
 * R beat is printed with its cycle (for reading a failure next to a wave). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolation.h"
#include "mem.h"
#include "ptgen.h"
#include "ref_xlate.h"
#include "rng.h"
#include "tutil.h"

#define TABLE_BASE 0x0000000080000000ull
#define TABLE_SIZE (64ull << 20)
#define DATA_BASE  0x0000010000000000ull     /* 1 TiB, 512 GiB aligned */
#define DATA_SIZE  (2ull << 40)
#define FQ_BASE    0x0000000070000000ull
#define FQ_LOG2    12                         /* 4096 records */
#define NIDS       8

typedef struct {
    uint64_t pa, user;
    unsigned len, size, burst, prot;
} expect_t;

typedef struct {
    expect_t *v;
    size_t head, n, cap;
} queue_t;

typedef struct {
    unsigned cause, ttyp;
    uint32_t did, pid;
    bool pv, priv;
    uint64_t iotval;
} rec_t;

static struct {
    ptgen_t *g;
    queue_t rd[NIDS], wr;
    rec_t *recs;                 /* expected records not yet seen */
    size_t nrecs, caprecs;
    uint32_t fq_head;
    unsigned mem_checked, iso_checked;
    ref_cfg_t cfg;
} S;

static void q_push(queue_t *q, expect_t e) {
    if (q->head + q->n == q->cap) {
        if (q->head) {
            memmove(q->v, q->v + q->head, q->n * sizeof *q->v);
            q->head = 0;
        } else {
            q->cap = q->cap ? 2 * q->cap : 64;
            q->v = realloc(q->v, q->cap * sizeof *q->v);
            if (!q->v) abort();
        }
    }
    q->v[q->head + q->n++] = e;
}

static bool q_pop(queue_t *q, expect_t *e) {
    if (!q->n) return false;
    *e = q->v[q->head++];
    q->n--;
    return true;
}

static void tb_write64(void *ctx, uint64_t pa, uint64_t val) {
    (void)ctx;
    tb_mem_store(pa, 8, val);
}

static uint64_t rng64(void *ctx) {
    (void)ctx;
    return rng_next();
}

static bool ref_read(void *ctx, uint64_t pa, uint64_t *val) {
    (void)ctx;
    if (mem_is_error(MEM_PORT_DS, pa, 8)) return false;
    *val = mem_load(pa, 8);
    return true;
}

/* Bytes a burst touches (AXI4 A3.4), for the isolation check. */
static void burst_span(uint64_t addr, unsigned len, unsigned size, unsigned burst, uint64_t *lo,
                       uint64_t *n) {
    uint64_t nb = 1ull << size, total = (uint64_t)(len + 1) << size;
    if (burst == REF_BURST_FIXED) {
        *lo = addr;
        *n = (addr & ~(nb - 1)) + nb - addr;
    } else if (burst == REF_BURST_WRAP) {
        *lo = addr & ~(total - 1);
        *n = total;
    } else {
        *lo = addr;
        *n = (addr & ~(nb - 1)) + total - addr;
    }
}

/* Memory-port handshakes: the next expected request of that ID / channel. */
static void check_mem(const char *ch, queue_t *q, uint64_t addr, unsigned len, unsigned size,
                      unsigned burst, unsigned prot, uint64_t user, unsigned need, uint64_t now) {
    expect_t e;
    if (!q_pop(q, &e)) {
        tb_fail(__FILE__, __LINE__, "cycle %llu: %s %#llx reached memory, none expected (a refused or "
                "duplicated request?)", (unsigned long long)now, ch, (unsigned long long)addr);
        return;
    }
    if (e.pa != addr || e.len != len || e.size != size || e.burst != burst || e.prot != prot ||
        e.user != user)
        tb_fail(__FILE__, __LINE__, "cycle %llu: %s at memory: addr %#llx len %u size %u burst %u "
                "prot %u user %#llx; expected addr %#llx len %u size %u burst %u prot %u user %#llx",
                (unsigned long long)now, ch, (unsigned long long)addr, len, size, burst, prot,
                (unsigned long long)user, (unsigned long long)e.pa, e.len, e.size, e.burst, e.prot,
                (unsigned long long)e.user);
    uint64_t lo, n;
    burst_span(addr, len, size, burst, &lo, &n);
    uint32_t did = (uint32_t)(user & 0xffffff);
    if (!iso_check(did, lo, n, need))
        tb_fail(__FILE__, __LINE__, "cycle %llu: isolation: device %#x %s [%#llx, +%llu) without "
                "permission %u", (unsigned long long)now, did, ch, (unsigned long long)lo,
                (unsigned long long)n, need);
    S.mem_checked++;
    S.iso_checked++;
}

static void observe(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    const axi_port_t *m = &io->mem;
    if (getenv("XRAND_TRACE")) {
        const axi_port_t *v = &io->dev;
        if (v->arvalid && v->arready)
            printf("%llu dev AR id %llu addr %#llx len %u user %#llx\n", (unsigned long long)now,
                   (unsigned long long)v->arid, (unsigned long long)v->araddr, v->arlen,
                   (unsigned long long)v->aruser);
        if (m->arvalid && m->arready)
            printf("%llu mem AR id %llu addr %#llx len %u user %#llx\n", (unsigned long long)now,
                   (unsigned long long)m->arid, (unsigned long long)m->araddr, m->arlen,
                   (unsigned long long)m->aruser);
        if (v->rvalid && v->rready && v->rlast)
            printf("%llu dev R last id %llu resp %u\n", (unsigned long long)now,
                   (unsigned long long)v->rid, v->rresp);
    }
    if (m->arvalid && m->arready)
        check_mem("read", &S.rd[m->arid % NIDS], m->araddr, m->arlen, m->arsize, m->arburst,
                  m->arprot, m->aruser, (m->arprot & 4) ? ISO_X : ISO_R, now);
    if (m->awvalid && m->awready)
        check_mem("write", &S.wr, m->awaddr, m->awlen, m->awsize, m->awburst, m->awprot,
                  m->awuser, ISO_W, now);
}

/* Read the records written since the last call and match each. */
static void drain_records(void) {
    uint32_t tail = rd32(IOMMU_REG_FQT), mask = (1u << FQ_LOG2) - 1;
    while (S.fq_head != tail) {
        fault_rec_t r = fq_record(FQ_BASE, S.fq_head);
        size_t i;
        for (i = 0; i < S.nrecs; i++) {
            rec_t *e = &S.recs[i];
            if (e->cause == r.cause && e->ttyp == r.ttyp && e->did == r.did && e->pid == r.pid &&
                e->pv == r.pv && e->priv == r.priv && e->iotval == r.iotval)
                break;
        }
        if (i == S.nrecs)
            tb_fail(__FILE__, __LINE__, "unexpected fault record: cause %u (%s) ttyp %u did %#x pv %d "
                    "pid %#x priv %d iotval %#llx", r.cause, ref_cause_name(r.cause), r.ttyp, r.did,
                    r.pv, r.pid, r.priv, (unsigned long long)r.iotval);
        else
            S.recs[i] = S.recs[--S.nrecs];
        CHECK_EQ(r.iotval2, 0, "record iotval2");
        S.fq_head = (S.fq_head + 1) & mask;
    }
    wr32(IOMMU_REG_FQH, S.fq_head);
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & (IOMMU_FQCSR_FQOF_MASK | IOMMU_FQCSR_FQMF_MASK), 0,
             "fault queue overflow or memory fault");
}

/* ---- traffic ----------------------------------------------------------------------- */
typedef struct {
    bool fault;
    unsigned len;
    const char *rule;
    uint64_t iova;
} pred_t;

static uint32_t pick_did(const ptgen_dev_t *devs, unsigned ndevs) {
    if (rng_below(100) < 4) return (uint32_t)rng_below(1u << 24);   /* any device at all */
    return devs[rng_below(ndevs)].did;
}

/* A random request; fills the transaction and the reference request. */
static dma_txn_t *random_request(const ptgen_dev_t *devs, unsigned ndevs, ref_req_t *rq) {
    memset(rq, 0, sizeof *rq);
    rq->did = pick_did(devs, ndevs);
    unsigned kind = (unsigned)rng_below(10);
    rq->write = kind < 4;
    rq->exec = !rq->write && kind == 9;
    unsigned size = (unsigned)rng_below(4), nb = 1u << size;
    unsigned len = rng_below(4) ? (unsigned)rng_below(8) : (unsigned)rng_below(32);
    unsigned burst = REF_BURST_INCR;
    unsigned r = (unsigned)rng_below(20);
    if (r == 0) burst = REF_BURST_FIXED;
    if (r == 1) {
        static const unsigned wl[] = {1, 3, 7, 15};
        burst = REF_BURST_WRAP;
        len = wl[rng_below(4)];
    }
    uint64_t bytes = (uint64_t)(len + 1) * nb;
    /* the page offset: inside the page, sometimes crossing its end */
    uint64_t off = rng_below(4096 / nb) * nb;
    if (burst == REF_BURST_INCR && off + bytes > 4096 && rng_below(4)) off = (4096 - bytes) & ~(uint64_t)(nb - 1);
    if (burst == REF_BURST_WRAP) off &= ~(uint64_t)(nb - 1);
    /* the page: one of the device's mappings, or a stray IOVA */
    uint64_t page;
    long cands[64];
    unsigned nc = 0;
    for (size_t i = 0; i < S.g->nmaps && nc < 64; i++) {
        size_t k = (size_t)rng_below(S.g->nmaps);
        if (S.g->maps[k].did == rq->did) cands[nc++] = (long)k;
    }
    if (nc && rng_below(10)) {
        const ptgen_map_t *m = &S.g->maps[cands[rng_below(nc)]];
        page = m->iova + (rng_below(m->size / 4096) * 4096);
    } else {
        page = (rng_below(2) ? rng_next() : rng_below(1ull << 39)) & ~0xfffull;
    }
    rq->iova = page + off;
    rq->len = len;
    rq->size = size;
    rq->burst = burst;
    rq->pv = rng_below(25) == 0;
    rq->pid = rq->pv ? (uint32_t)rng_below(1u << 20) : 0;
    rq->priv = rng_below(4) == 0;

    dma_txn_t *t = dma_txn_new(rq->write, rq->iova, len, size);
    t->burst = burst;
    t->id = (uint32_t)rng_below(NIDS);
    t->user = sim_user(rq->did, rq->pv, rq->pid);
    t->prot = (rq->priv ? 1u : 0u) | (rq->exec ? 4u : 0u);
    t->w_first = rq->write && rng_below(4) == 0;
    for (unsigned b = 0; b <= len; b++) t->data[b] = rng_next();
    return t;
}

static void random_ports(void) {
    axi_slave_cfg_t c, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c = cur;
    c.latency = 1 + (unsigned)rng_below(20);
    c.jitter = (unsigned)rng_below(20);
    c.stall_pct = (unsigned)rng_below(40);
    c.gap_pct = (unsigned)rng_below(40);
    c.reorder = rng_below(2);
    c.interleave = rng_below(2);
    c.max_outstanding = 1 + (unsigned)rng_below(32);
    axi_slave_set_cfg(sim_mem_slave(), &c);
    axi_slave_get_cfg(sim_ds_slave(), &cur);
    c.is_error = cur.is_error;
    c.latency = 1 + (unsigned)rng_below(40);
    c.jitter = (unsigned)rng_below(20);
    c.stall_pct = (unsigned)rng_below(40);
    c.gap_pct = (unsigned)rng_below(40);
    c.reorder = rng_below(2);
    c.interleave = rng_below(2);
    c.max_outstanding = 1 + (unsigned)rng_below(16);
    axi_slave_set_cfg(sim_ds_slave(), &c);
    dev_master_cfg_t d = {(unsigned)rng_below(40), (unsigned)rng_below(40), 1 + (unsigned)rng_below(24)};
    dev_master_set_cfg(sim_dev(), &d);
}

static int run(unsigned ntxn) {
    memset(&S, 0, sizeof S);
    iso_reset();
    /* devices */
    unsigned mode = 2 + (unsigned)rng_below(3);
    uint32_t limit = mode == 2 ? 1u << 7 : mode == 3 ? 1u << 16 : 1u << 24;
    ptgen_dev_t devs[12];
    unsigned ndevs = 3 + (unsigned)rng_below(10);
    for (unsigned i = 0; i < ndevs; i++) {
        ptgen_dev_t *d = &devs[i];
        memset(d, 0, sizeof *d);
        bool dup;
        do {
            d->did = (uint32_t)rng_below(limit);
            dup = false;
            for (unsigned j = 0; j < i; j++) dup |= devs[j].did == d->did;
        } while (dup);
        unsigned f = (unsigned)rng_below(20);
        d->fs = f == 0 ? PTGEN_FS_BARE : f == 1 ? PTGEN_FS_PDT_BARE :
                f < 10 ? PTGEN_FS_SV39 : f < 16 ? PTGEN_FS_SV48 : PTGEN_FS_SV57;
        d->pscid = i + 1;
        d->dtf = rng_below(5) == 0;
        unsigned dc = (unsigned)rng_below(20);
        d->dc = dc == 0 ? PTGEN_DC_INVALID : dc == 1 ? PTGEN_DC_MISCONFIG : PTGEN_DC_VALID;
        d->nmaps = 8 + (unsigned)rng_below(40);
        d->page_mask = (unsigned)rng_below(32);
        if (!d->page_mask) d->page_mask = PTGEN_PG_4K;
    }
    ptgen_cfg_t gc;
    memset(&gc, 0, sizeof gc);
    gc.wr = tb_write64;
    gc.rng = rng64;
    gc.ddt_mode = mode;
    gc.table_base = TABLE_BASE;
    gc.table_size = TABLE_SIZE;
    gc.data_base = DATA_BASE;
    gc.data_size = DATA_SIZE;
    gc.devs = devs;
    gc.ndevs = ndevs;
    for (unsigned f = 1; f < PTGEN_F_COUNT; f++) gc.fault_pct[f] = (unsigned)rng_below(4);
    S.g = ptgen_build(&gc);
    CHECK(S.g != NULL, "ptgen: %s", ptgen_error());
    if (!S.g) return 1;
    /* what each device may touch, and some PTEs that cannot be read */
    for (size_t i = 0; i < S.g->nmaps; i++) {
        const ptgen_map_t *m = &S.g->maps[i];
        /* a Bare first stage lets its device reach every physical address */
        if (m->level < 0 && m->perms) iso_allow(m->did, 0, 1ull << 56, ISO_RWX);
        else if (m->perms) iso_allow(m->did, m->pa, m->size, m->perms);
        /* all 16 PTEs of a 64 KiB page: a walk through any of them may cache the whole page */
        if (m->level >= 0 && rng_below(40) == 0)
            mem_set_error(MEM_PORT_DS, m->pte_addr, 8ull * (m->npte ? m->npte : 1), true);
    }

    random_ports();
    fq_enable(FQ_BASE, FQ_LOG2 - 1, false);
    wr64(IOMMU_REG_DDTP, S.g->ddtp);
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 10000), "ddtp.busy stays 1");
    S.cfg.ddtp = S.g->ddtp;
    S.cfg.caps = rd64(IOMMU_REG_CAPABILITIES);
    S.cfg.fctl = rd32(IOMMU_REG_FCTL);
    sim_set_observer(observe, NULL);

    pred_t *pred = calloc(ntxn, sizeof *pred);
    unsigned faults = 0, recorded = 0;
    for (unsigned i = 0; i < ntxn; i++) {
        ref_req_t rq;
        ref_out_t out;
        dma_txn_t *t = random_request(devs, ndevs, &rq);
        ref_translate(&S.cfg, &rq, ref_read, NULL, &out);
        CHECK(out.cause != REF_CAUSE_UNMODELLED, "the reference does not model this configuration");
        pred[i] = (pred_t){out.fault, t->len, out.rule, rq.iova};
        t->tag = i;
        if (!out.fault) {
            expect_t e = {out.pa, t->user, t->len, t->size, t->burst, t->prot};
            q_push(t->write ? &S.wr : &S.rd[t->id % NIDS], e);
        } else {
            faults++;
            if (out.record) {
                recorded++;
                if (S.nrecs == S.caprecs) {
                    S.caprecs = S.caprecs ? 2 * S.caprecs : 256;
                    S.recs = realloc(S.recs, S.caprecs * sizeof *S.recs);
                    if (!S.recs) abort();
                }
                S.recs[S.nrecs++] = (rec_t){out.cause, out.ttyp, out.rec_did, out.rec_pid, out.rec_pv,
                                            out.rec_priv, out.iotval};
            }
        }
        dev_master_submit(sim_dev(), t, tb_now());
        /* keep the device busy but bounded; collect results as they come */
        while (dev_master_busy(sim_dev()) > 48) sim_step();
        dma_txn_t *d;
        while ((d = dev_master_take_done(sim_dev()))) {
            const pred_t *p = &pred[d->tag];
            unsigned want = p->fault ? AXI_SLVERR : AXI_OKAY;
            CHECK(d->resp == want, "txn %llu: %s iova %#llx answered %u, the reference says %s (%s)",
                  (unsigned long long)d->tag, d->write ? "write" : "read",
                  (unsigned long long)p->iova, d->resp, p->fault ? "fault" : "OK", p->rule);
            if (!d->write) {
                CHECK_EQ(d->beats, p->len + 1, "R beats");
                if (p->fault)
                    for (unsigned b = 0; b < d->beats; b++)
                        CHECK(d->beat_resp[b] == AXI_SLVERR, "refused read: beat %u not SLVERR", b);
            }
            dma_txn_free(d);
        }
        if (i % 500 == 499) drain_records();
        if (tb_check_failures > 20) break;
    }
    CHECK(sim_drain(2000000) == 0, "%u transactions never completed", dev_master_busy(sim_dev()));
    dma_txn_t *d;
    while ((d = dev_master_take_done(sim_dev()))) {
        const pred_t *p = &pred[d->tag];
        CHECK(d->resp == (p->fault ? AXI_SLVERR : AXI_OKAY), "txn %llu answered %u (%s)",
              (unsigned long long)d->tag, d->resp, p->rule);
        dma_txn_free(d);
    }
    tb_cycles(2000);   /* the last records */
    drain_records();
    CHECK(S.nrecs == 0, "%zu predicted fault records never written (first: cause %u did %#x iotval %#llx)",
          S.nrecs, S.nrecs ? S.recs[0].cause : 0, S.nrecs ? S.recs[0].did : 0,
          S.nrecs ? (unsigned long long)S.recs[0].iotval : 0ull);
    for (unsigned k = 0; k < NIDS; k++)
        CHECK(S.rd[k].n == 0, "ID %u: %zu predicted reads never reached memory", k, S.rd[k].n);
    CHECK(S.wr.n == 0, "%zu predicted writes never reached memory", S.wr.n);
    CHECK_EQ(tb_violations(), 0, "AXI protocol violations");
    printf("xlate_random: %u transactions (%u faults, %u recorded) on %u devices, ddtp mode %u; "
           "%u memory-port requests checked\n", ntxn, faults, recorded, ndevs, mode, S.mem_checked);

    sim_set_observer(NULL, NULL);
    free(pred);
    for (unsigned k = 0; k < NIDS; k++) free(S.rd[k].v);
    free(S.wr.v);
    free(S.recs);
    ptgen_free(S.g);
    iso_reset();
    return 0;
}

static int t_random(void) { return run(3000); }

const test_def_t tests_xrand[] = {
    {"xlate_random", "random tables, faults and DMA against the reference translator and isolation",
     t_random, false},
    {0},
};
