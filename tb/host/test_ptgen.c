/*
 * test_ptgen.c - host tests of the table generator (tb/ptgen.c), cross-checked
 * against the reference translator (tb/ref_xlate.c) over many seeds: every
 * recorded mapping translates to its PA with exactly its permissions, every
 * injected fault and every unmapped record faults with the predicted cause,
 * IOVAs no record covers fault, and every successful translation lands on
 * bytes the isolation map (tb/isolation.c, fed from the records) allows.
 * Also directed cases for ptgen's errors, ptgen_find and ptgen_unmap.
 * Ends with `N passed, M failed`; exits non-zero on any failure.
 *
 *   gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Itb tb/ptgen.c tb/ref_xlate.c \
 *       tb/isolation.c tb/host/test_ptgen.c -o build/test_ptgen
 *   build/test_ptgen [first_seed [nseeds]]
 */
#include "hcase.h"
#include "isolation.h"
#include "mem.h"
#include "ptgen.h"
#include "ref_xlate.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fake memory: sparse 8-byte words -------------------------------------------- */

/* The fake memory is the test bench's sparse memory (tb/mem.c). */
static uint64_t g_win_lo, g_win_hi;              /* writes must land in [lo, hi) */
static unsigned g_bad_writes;
static uint64_t g_write_hash;

static void mem_clear(void)
{
    mem_reset_all();
    g_bad_writes = 0;
    g_write_hash = 0;
}

static void fake_wr(void *ctx, uint64_t pa, uint64_t val)
{
    (void)ctx;
    if ((pa & 7u) != 0u || pa < g_win_lo || pa >= g_win_hi)
        g_bad_writes++;
    g_write_hash = (g_write_hash ^ pa ^ (val * 31u)) * 0x100000001b3ull;
    mem_store(pa, 8, val);
}

static bool fake_rd(void *ctx, uint64_t pa, uint64_t *val)
{
    (void)ctx;
    *val = mem_load(pa, 8);
    return true;
}

/* ---- rng ---------------------------------------------------------------------------------- */

static uint64_t g_state;
static void seed(uint64_t s)
{
    g_state = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
    if (g_state == 0u)
        g_state = 1;
}
static uint64_t rnd(void *ctx)
{
    (void)ctx;
    g_state ^= g_state >> 12;
    g_state ^= g_state << 25;
    g_state ^= g_state >> 27;
    return g_state * 0x2545f4914f6cdd1dull;
}
static uint64_t below(uint64_t n) { return rnd(NULL) % n; }

/* ---- harness ---------------------------------------------------------------------------- */

static char g_case_buf[80];

/* ---- cross-check ------------------------------------------------------------------------ */

static const ref_cfg_t *g_rcfg;
static unsigned long g_accesses, g_ok, g_faults;
static unsigned long g_fault_kind[PTGEN_F_COUNT];

static void report(const ptgen_map_t *m, uint64_t iova, int kind, const ref_out_t *o, const char *what)
{
    static unsigned shown;   /* the first 10 of the run are enough */
    if (shown++ >= 10u)
        return;
    printf("  %s: did 0x%x iova 0x%" PRIx64 " kind %c; record iova 0x%" PRIx64 " size 0x%" PRIx64
           " pa 0x%" PRIx64 " perms %u fault '%s' dc %u level %d mapped %d\n"
           "    ref: fault %d cause %u record %d pa 0x%" PRIx64 " shift %u rule %s\n",
           what, m->did, iova, "RWX"[kind], m->iova, m->size, m->pa, m->perms,
           ptgen_fault_name(m->fault), m->dc_cause, m->level, m->mapped, o->fault, o->cause,
           o->record, o->pa, o->page_shift, o->rule != NULL ? o->rule : "-");
}

static void translate(uint32_t did, uint64_t iova, int kind, ref_out_t *o)
{
    ref_req_t r;
    memset(&r, 0, sizeof r);
    r.did = did;
    r.iova = iova;
    r.write = kind == 1;
    r.exec = kind == 2;
    r.size = 0;
    r.len = 0;
    r.burst = REF_BURST_INCR;
    ref_translate(g_rcfg, &r, fake_rd, NULL, o);
    g_accesses++;
}

static unsigned log2u(uint64_t v)
{
    unsigned n = 0;
    while (v > 1u) {
        v >>= 1;
        n++;
    }
    return n;
}

/* Check one record at a few offsets, every access kind. */
static void check_record(const ptgen_map_t *m, bool dtf)
{
    uint64_t offs[4] = { 0, m->size - 1u, below(m->size), below(m->size) };
    for (unsigned i = 0; i < 4u; i++)
        for (int kind = 0; kind < 3; kind++) {
            uint64_t iova = m->iova + offs[i];
            unsigned need = kind == 0 ? ISO_R : kind == 1 ? ISO_W : ISO_X;
            ref_out_t o;
            translate(m->did, iova, kind, &o);
            if (m->dc_cause != 0u) {
                if (!o.fault || o.cause != m->dc_cause || !o.record) {
                    report(m, iova, kind, &o, "want the DDT cause");
                    CHECK(false);
                }
            } else if (m->perms & need) {
                bool leaf = m->level >= 0;
                bool good = !o.fault && o.pa == m->pa + offs[i] &&
                            o.page_shift == (leaf ? log2u(m->size) : 0u) &&
                            o.pscid == (leaf ? m->pscid : 0u) && o.global == (leaf && m->global);
                if (!good) {
                    report(m, iova, kind, &o, "want success");
                    CHECK(false);
                } else {
                    g_ok++;
                    if (!iso_check(m->did, o.pa, 1, need)) {
                        report(m, iova, kind, &o, "isolation map disagrees");
                        CHECK(false);
                    }
                }
            } else {
                unsigned want = kind == 0 ? 13u : kind == 1 ? 15u : 12u;
                if (!o.fault || o.cause != want || o.record != !dtf) {
                    report(m, iova, kind, &o, "want a page fault");
                    CHECK(false);
                } else {
                    g_faults++;
                }
            }
        }
}

typedef struct { ptgen_dev_t devs[8]; unsigned ndevs; } devset_t;

static bool dev_dtf(const devset_t *s, uint32_t did)
{
    for (unsigned i = 0; i < s->ndevs; i++)
        if (s->devs[i].did == did)
            return s->devs[i].dtf;
    return false;
}

static void run_seed(uint64_t sd)
{
    snprintf(g_case_buf, sizeof g_case_buf, "seed %" PRIu64, sd);
    hc_begin(g_case_buf);
    seed(sd);
    mem_clear();
    iso_reset();

    devset_t s;
    memset(&s, 0, sizeof s);
    ptgen_cfg_t c;
    memset(&c, 0, sizeof c);
    c.wr = fake_wr;
    c.rng = rnd;
    c.ddt_mode = 2u + (unsigned)below(3);
    c.table_base = 0x10000000u;
    c.table_size = 64u << 20;
    static const uint64_t data[][2] = {
        { 0x80000000ull, 16u << 20 },             /* no 1 GiB page fits */
        { 0x80000000ull, 4ull << 30 },
        { 0x8000000000ull, 1ull << 40 },          /* 512 GiB pages fit */
        { 0x80001000ull, 3u << 20 },              /* unaligned start: only 4K/64K/2M */
    };
    unsigned dw = (unsigned)below(4);
    c.data_base = data[dw][0];
    c.data_size = data[dw][1];
    g_win_lo = c.table_base;
    g_win_hi = c.table_base + c.table_size;
    bool faults_on = below(4) != 0u;
    for (unsigned f = 1; f < PTGEN_F_COUNT; f++)
        c.fault_pct[f] = faults_on ? (unsigned)below(6) : 0u;
    c.global_pct = 25;   /* the reference walk reports G per device: no sharing here */

    uint32_t limit = c.ddt_mode == 2u ? 1u << 7 : c.ddt_mode == 3u ? 1u << 16 : 1u << 24;
    s.ndevs = 1u + (unsigned)below(8);
    for (unsigned i = 0; i < s.ndevs; i++) {
        ptgen_dev_t *d = &s.devs[i];
        bool dup;
        do {
            d->did = (uint32_t)below(limit);
            if (below(4) == 0u)
                d->did = (uint32_t)(i * 3u) % limit;   /* neighbours in one leaf page */
            dup = false;
            for (unsigned j = 0; j < i; j++)
                dup = dup || s.devs[j].did == d->did;
        } while (dup);
        static const ptgen_fs_t fs[] = { PTGEN_FS_BARE, PTGEN_FS_PDT_BARE, PTGEN_FS_SV39,
                                         PTGEN_FS_SV39, PTGEN_FS_SV48, PTGEN_FS_SV48, PTGEN_FS_SV57 };
        d->fs = fs[below(7)];
        d->pscid = (uint32_t)below(1u << 20);
        d->dtf = below(2) != 0u;
        unsigned dcr = (unsigned)below(10);
        d->dc = dcr == 0u ? PTGEN_DC_INVALID : dcr == 1u ? PTGEN_DC_MISCONFIG : PTGEN_DC_VALID;
        d->nmaps = (unsigned)below(30);
        d->page_mask = (unsigned)below(32);
    }
    c.devs = s.devs;
    c.ndevs = s.ndevs;

    ptgen_t *g = ptgen_build(&c);
    CHECK(g != NULL);
    if (g == NULL) {
        printf("  %s\n", ptgen_error());
        hc_end();
        return;
    }
    CHECK(g_bad_writes == 0u);
    ref_cfg_t rc = { g->ddtp, REF_CAPS_THIS_IOMMU, 0 };
    g_rcfg = &rc;

    for (size_t i = 0; i < g->nmaps; i++) {
        const ptgen_map_t *m = &g->maps[i];
        if (m->perms != 0u)
            iso_allow(m->did, m->pa, m->size, m->perms);
        g_fault_kind[m->fault]++;
        CHECK(m->valid == (m->fault == PTGEN_F_NONE && m->dc_cause == 0u && m->mapped));
        if (m->level >= 0 && m->fault != PTGEN_F_NONLEAF_RSVD && m->fault != PTGEN_F_NONLEAF_INVALID &&
            m->fault != PTGEN_F_NAPOT && m->fault != PTGEN_F_NONLEAF_L0)
            CHECK(m->pa >= c.data_base && m->pa - c.data_base + m->size <= c.data_size &&
                  (m->pa & (m->size - 1u)) == 0u);
    }
    for (size_t i = 0; i < g->nmaps; i++)
        check_record(&g->maps[i], dev_dtf(&s, g->maps[i].did));

    /* IOVAs no record covers fault (valid Sv devices); non-canonical ones too */
    for (unsigned i = 0; i < s.ndevs; i++) {
        const ptgen_dev_t *d = &s.devs[i];
        if (d->dc != PTGEN_DC_VALID || d->fs < PTGEN_FS_SV39)
            continue;
        unsigned vabits = d->fs == PTGEN_FS_SV39 ? 39u : d->fs == PTGEN_FS_SV48 ? 48u : 57u;
        for (unsigned k = 0; k < 40u; k++) {
            uint64_t v = rnd(NULL);
            if (k % 2u == 0u && g->nmaps > 0u) {          /* just past some record */
                const ptgen_map_t *m = &g->maps[below(g->nmaps)];
                if (m->did == d->did)
                    v = m->iova + m->size + below(0x10000);
            }
            uint64_t canon = (uint64_t)((int64_t)(v << (64u - vabits)) >> (64u - vabits));
            int kind = (int)below(3);
            ref_out_t o;
            unsigned want = kind == 0 ? 13u : kind == 1 ? 15u : 12u;
            if (ptgen_find(g, d->did, canon) < 0) {
                translate(d->did, canon, kind, &o);
                CHECK(o.fault && o.cause == want && o.record == !d->dtf);
            }
            if (canon != v) {
                translate(d->did, v, kind, &o);
                CHECK(o.fault && o.cause == want);
            }
        }
    }

    /* unmap about a third of the leaf records, then check everything again */
    for (size_t i = 0; i < g->nmaps; i++) {
        if (g->maps[i].level < 0) {
            CHECK(ptgen_unmap(g, i) == -1);
            continue;
        }
        if (below(3) == 0u) {
            ptgen_map_t before = g->maps[i];
            if (before.perms != 0u)
                iso_revoke(before.did, before.pa, before.size);
            CHECK(ptgen_unmap(g, i) == 0);
            CHECK(ptgen_unmap(g, i) == -1);
            CHECK(!g->maps[i].mapped && !g->maps[i].valid && g->maps[i].perms == 0u);
        }
    }
    /* data pages are shared: re-allow what the remaining records grant */
    for (size_t i = 0; i < g->nmaps; i++)
        if (g->maps[i].perms != 0u)
            iso_allow(g->maps[i].did, g->maps[i].pa, g->maps[i].size, g->maps[i].perms);
    for (size_t i = 0; i < g->nmaps; i++)
        check_record(&g->maps[i], dev_dtf(&s, g->maps[i].did));
    CHECK(g_bad_writes == 0u);

    ptgen_free(g);
    hc_end();
}

/* ---- directed -------------------------------------------------------------------------------- */

static void test_directed(void)
{
    ptgen_dev_t devs[2];
    ptgen_cfg_t c;
    memset(devs, 0, sizeof devs);
    memset(&c, 0, sizeof c);
    c.wr = fake_wr;
    c.rng = rnd;
    c.table_base = 0x10000000u;
    c.table_size = 1u << 20;
    c.data_base = 0x80000000u;
    c.data_size = 1u << 30;
    c.devs = devs;
    g_win_lo = c.table_base;
    g_win_hi = c.table_base + c.table_size;

    hc_begin("ptgen_build refuses a device_id too wide for the mode, or repeated");
    mem_clear();
    c.ddt_mode = 2;
    devs[0].did = 0x80;
    c.ndevs = 1;
    CHECK(ptgen_build(&c) == NULL && strstr(ptgen_error(), "does not fit") != NULL);
    c.ddt_mode = 3;
    devs[0].did = 0x10000;
    CHECK(ptgen_build(&c) == NULL);
    c.ddt_mode = 4;
    devs[0].did = 0xffffff;
    devs[1].did = 0xffffff;
    c.ndevs = 2;
    CHECK(ptgen_build(&c) == NULL && strstr(ptgen_error(), "twice") != NULL);
    c.ddt_mode = 5;
    c.ndevs = 1;
    CHECK(ptgen_build(&c) == NULL);
    hc_end();

    hc_begin("ptgen_build reports a full table window");
    mem_clear();
    c.ddt_mode = 4;
    c.table_size = 8u * 4096u;
    devs[0].did = 0x123456;
    devs[0].fs = PTGEN_FS_SV57;
    devs[0].nmaps = 50;
    devs[0].page_mask = PTGEN_PG_4K;
    c.ndevs = 1;
    seed(1);
    CHECK(ptgen_build(&c) == NULL && strstr(ptgen_error(), "full") != NULL);
    c.table_size = 1u << 20;
    hc_end();

    hc_begin("same seed, same tables; 3LVL DC location; ptgen_find; Bare record");
    {
        uint64_t h[2];
        devs[0].did = 0xab1234;
        devs[0].fs = PTGEN_FS_SV48;
        devs[0].nmaps = 20;
        devs[0].page_mask = PTGEN_PG_ALL;
        devs[1].did = 0x000001;
        devs[1].fs = PTGEN_FS_PDT_BARE;
        devs[1].dc = PTGEN_DC_VALID;
        c.ndevs = 2;
        c.ddt_mode = 4;
        ptgen_t *g = NULL;
        for (unsigned k = 0; k < 2; k++) {
            mem_clear();
            seed(42);
            ptgen_free(g);
            g = ptgen_build(&c);
            CHECK(g != NULL);
            h[k] = g_write_hash;
        }
        CHECK(h[0] == h[1]);
        if (g != NULL) {
            /* root, DDI[2]=0xab and DDI[1]=0x24 tables: the DC sits at DDI[0]=0x34 */
            CHECK((ptgen_dc_addr(g, 0xab1234) & 0xfffu) == 0x34u * 32u);
            CHECK(ptgen_dc_addr(g, 0x999) == 0 && ptgen_fs_root(g, 0xab1234) != 0);
            CHECK((g->ddtp & 0xfu) == 4u);
            long b = ptgen_find(g, 1, c.data_base + 5u);
            CHECK(b >= 0 && g->maps[b].level == -1 && g->maps[b].perms == ISO_RWX);
            CHECK(ptgen_find(g, 1, c.data_base - 1u) == -1);
            for (size_t i = 0; i < g->nmaps; i++)
                if (g->maps[i].did == 0xab1234)
                    CHECK(ptgen_find(g, 0xab1234, g->maps[i].iova + g->maps[i].size / 2u) == (long)i);
            CHECK(ptgen_unmap(g, (size_t)b) == -1 && ptgen_unmap(g, g->nmaps) == -1);
            ref_cfg_t rc = { g->ddtp, REF_CAPS_THIS_IOMMU, 0 };
            ref_req_t r;
            memset(&r, 0, sizeof r);
            r.did = 1;
            r.pv = true;
            r.pid = 77;
            r.iova = 0x1234;
            ref_out_t o;
            ref_translate(&rc, &r, fake_rd, NULL, &o);
            CHECK(!o.fault && o.pa == 0x1234);
        }
        ptgen_free(g);
    }
    hc_end();
}

int main(int argc, char **argv)
{
    uint64_t first = argc > 1 ? strtoull(argv[1], NULL, 0) : 1u;
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 300u;
    test_directed();
    for (uint64_t s = first; s < first + n; s++)
        run_seed(s);
    printf("  %lu accesses: %lu translated, %lu page faults as predicted\n", g_accesses, g_ok, g_faults);
    printf("  records by injected fault:");
    for (unsigned f = 0; f < PTGEN_F_COUNT; f++)
        printf(" %s %lu;", ptgen_fault_name((ptgen_fault_t)f), g_fault_kind[f]);
    printf("\n");
    mem_reset_all();
    iso_reset();
    return hc_summary();
}
