/*
 * cq.c - directed tests of the command queue, written from the specification
 * (RISC-V IOMMU 1.0: "Command-Queue (CQ)" and its command tables in
 * iommu_in_memory_queues.adoc; cqb/cqh/cqt/cqcsr/ipsr/icvec in
 * iommu_registers.adoc; "Guidelines for invalidations").
 *
 * What the spec requires and these tests check: commands are fetched in order
 * at cqb.PPN*4096 + cqh*16; IOFENCE.C completes only after every previous
 * command (so an invalidation followed by a fence is visible to the next
 * DMA), writes its 4-byte DATA when AV=1, sets fence_w_ip when WSI=1, and with
 * PR/PW waits for device reads/writes already processed; IOTINVAL.VMA with
 * GV=0 drops what the (AV, PSCV) table says (globals kept when PSCV=1);
 * IODIR.INVAL_DDT drops the DC of DID (DV=1) or every DC (DV=0); an illegal
 * command sets cmd_ill and stops the queue with cqh on it, a memory fault
 * sets cqmf likewise; error bits and fence_w_ip set ipsr.cip when cie=1, and
 * cip drives the wire icvec.civ selects; cqen 0->1 sets cqh to 0 and clears
 * the error bits.
 *
 * What is this implementation's, not the spec's: the spec lets the IOMMU use
 * the old or the new value of a changed PTE or DC until the invalidation that
 * covers it (and lets caches drop entries at any time).  The checks that a
 * stale entry is still used ("old") rely on this IOMMU keeping a cached entry
 * until it is invalidated or evicted for capacity (IOTLB 32, DC cache 8, walk
 * cache 32 entries; these tests use far fewer), which is what makes an
 * invalidation observable at all.  They are marked "(cached)" below.
 */
#include <stdio.h>
#include <string.h>

#include "tutil.h"

/* Memory map of these tests. */
#define DDT_BASE  0x80000000ull     /* directory pages and page tables (pt_alloc) */
#define DATA_BASE 0x90000000ull     /* 4 KiB data pages */
#define BIG_BASE  0xa0000000ull     /* 2 MiB data pages */
#define FQ_BASE   0x7f000000ull     /* fault queue, 64 records */
#define CQ_BASE   0x7e000000ull     /* command queue */
#define FLAG_BASE 0x7d000000ull     /* IOFENCE.C completion words */

#define CQ_TIMEOUT 100000           /* cycles a drain may take (slow memory options) */

#define CQCSR_ERR (IOMMU_CQCSR_CQMF_MASK | IOMMU_CQCSR_CMD_TO_MASK | IOMMU_CQCSR_CMD_ILL_MASK)

static uint64_t pattern(uint64_t pa) { return pa * 0x9e3779b97f4a7c15ull ^ 0xc0ffee; }

static uint32_t cqcsr(void) { return rd32(IOMMU_REG_CQCSR); }

/* A cqcsr write, then wait for busy = 0 (spec: software checks busy before
 * writing cqcsr again). */
static void cqcsr_write(uint32_t v) {
    wr32(IOMMU_REG_CQCSR, v);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, IOMMU_CQCSR_BUSY_MASK, 1000), "cqcsr.busy stays 1");
}

static unsigned fq_count(void) { return (rd32(IOMMU_REG_FQT) - rd32(IOMMU_REG_FQH)) & 63; }

/* Publish every command put so far followed by an IOFENCE.C (AV=1) that
 * writes a fresh value at FLAG_BASE, and wait for cqh to reach cqt.  The
 * fence's completion means every earlier command completed (spec, IOFENCE.C).
 * False (after reporting) when the queue did not drain. */
static uint32_t sync_seq;
static bool cq_sync(const char *what) {
    uint32_t v = 0x5e900000u + ++sync_seq;
    cq_put(cmd_iofence(true, false, false, false, FLAG_BASE, v));
    cq_ring();
    bool idle = cq_wait_idle(CQ_TIMEOUT);
    CHECK(idle, "%s: the command queue did not drain (cqh %u, cqt %u, cqcsr %#x)", what,
          rd32(IOMMU_REG_CQH), cq_tail(), cqcsr());
    if (!idle) return false;
    uint32_t got = (uint32_t)tb_mem_load(FLAG_BASE, 4);
    CHECK(got == v, "%s: IOFENCE.C completed without writing its DATA (%#x, expected %#x)", what, got, v);
    uint32_t err = cqcsr() & CQCSR_ERR;
    CHECK(err == 0, "%s: cqcsr error bits %#x", what, err);
    return got == v && err == 0;
}

/* Reset (memory kept), fault queue on, 1LVL directory at a fresh root,
 * command queue of 64 entries on. */
static void setup(ddt_t *d, bool cie) {
    tb_reset();
    pt_alloc_init(DDT_BASE);
    d->mode = 2;
    d->root = pt_alloc();
    fq_enable(FQ_BASE, 5, false);
    set_ddtp(2, d->root);
    tb_mem_fill(FLAG_BASE, 4096, 0);
    cq_enable(CQ_BASE, 5, cie);
}

/* A device with its own Sv39 table and PSCID; returns the table's root. */
static uint64_t add_device(ddt_t *d, uint32_t did, uint32_t pscid) {
    uint64_t root = pt_alloc();
    dc_write(d, did, 1, 0, (uint64_t)pscid << 12, pt_satp(3, root));
    return root;
}

static uint64_t rd_dev(uint32_t did, uint64_t iova) {
    uint64_t v = 0;
    int rc = dma_rd(did, iova, 8, &v);
    CHECK(rc == AXI_OKAY, "read by device %#x at %#llx: response %d", did, (unsigned long long)iova, rc);
    return v;
}

/* Wait until every t[i] (NULL: none) has finished; then take them off the
 * done list, check their responses (OKAY, or SLVERR when the caller set
 * tag = 1: a refused access) and free them.  False after `timeout`. */
static bool txns_finish(dma_txn_t *t[], unsigned n, uint64_t timeout, const char *what) {
    uint64_t start = tb_now();
    for (unsigned i = 0; i < n; i++)
        while (t[i] && !t[i]->done && tb_now() - start < timeout) tb_cycles(1);
    for (unsigned i = 0; i < n; i++) {
        CHECK(!t[i] || t[i]->done, "%s: the DMA never completed", what);
        if (t[i] && !t[i]->done) return false;
    }
    dma_txn_t *x;
    while ((x = dev_master_take_done(sim_dev()))) {
        bool mine = false;
        for (unsigned i = 0; i < n; i++) mine |= x == t[i];
        if (!mine) dma_txn_free(x);    /* left over by an earlier case */
    }
    for (unsigned i = 0; i < n; i++) {
        if (!t[i]) continue;
        CHECK(t[i]->resp == (t[i]->tag ? AXI_SLVERR : AXI_OKAY), "%s: DMA at %#llx: response %u", what,
              (unsigned long long)t[i]->addr, t[i]->resp);
        dma_txn_free(t[i]);
    }
    return true;
}

/* ---- IOTINVAL.VMA, GV=0: the (AV, PSCV) table on leaf entries -------------------------------- */
/* Six cached translations, two address spaces:
 *   0 D1 X  4 KiB       3 D1 S  2 MiB superpage (accessed in its second 4 KiB)
 *   1 D1 Y  4 KiB       4 D2 X  4 KiB
 *   2 D1 G  4 KiB, G=1  5 D2 Y  4 KiB
 * Each maps pa_old; after the warm-up reads every leaf PTE is rewritten in
 * memory to pa_new (valid to valid, same permissions), without invalidation. */
#define D1 0x11u
#define D2 0x22u
#define P1 0x101u
#define P2 0x202u
#define P3 0x303u       /* a PSCID no device uses */
#define IOVA_X 0x11000ull   /* X, Y, G: distinct IOTLB sets (VPN 17, 34, 51) even with 16 sets */
#define IOVA_Y 0x22000ull
#define IOVA_G 0x33000ull
#define IOVA_S 0x40000000ull
#define NMAP 6

typedef struct {
    const char *name;
    uint32_t did;
    uint64_t iova, off;     /* page, and the offset read in it */
    unsigned level;         /* 0: 4 KiB, 1: 2 MiB */
    uint64_t flags, pa_old, pa_new, pte;
} map_t;

static void vma_fixture(ddt_t *d, map_t m[NMAP]) {
    static const struct { const char *name; uint32_t did; uint64_t iova; unsigned level; bool g; } spec[NMAP] = {
        {"D1 X", D1, IOVA_X, 0, false}, {"D1 Y", D1, IOVA_Y, 0, false}, {"D1 G (global)", D1, IOVA_G, 0, true},
        {"D1 S (2 MiB)", D1, IOVA_S, 1, false}, {"D2 X", D2, IOVA_X, 0, false}, {"D2 Y", D2, IOVA_Y, 0, false},
    };
    setup(d, false);
    uint64_t r1 = add_device(d, D1, P1), r2 = add_device(d, D2, P2);
    for (unsigned i = 0; i < NMAP; i++) {
        m[i].name = spec[i].name;
        m[i].did = spec[i].did;
        m[i].iova = spec[i].iova;
        m[i].level = spec[i].level;
        m[i].flags = PTE_RWUAD | (spec[i].g ? PTE_G : 0);
        if (spec[i].level) {
            m[i].off = 0x1008;
            m[i].pa_old = BIG_BASE;
            m[i].pa_new = BIG_BASE + 0x200000;
        } else {
            m[i].off = 0x8;
            m[i].pa_old = DATA_BASE + 0x1000ull * i;
            m[i].pa_new = DATA_BASE + 0x100000 + 0x1000ull * i;
        }
        tb_mem_store(m[i].pa_old + m[i].off, 8, pattern(m[i].pa_old + m[i].off));
        tb_mem_store(m[i].pa_new + m[i].off, 8, pattern(m[i].pa_new + m[i].off));
        m[i].pte = pt_map(spec[i].did == D1 ? r1 : r2, 3, m[i].iova, m[i].level,
                          pt_leaf(m[i].pa_old, m[i].flags));
    }
    for (unsigned i = 0; i < NMAP; i++)
        CHECK_EQ(rd_dev(m[i].did, m[i].iova + m[i].off), pattern(m[i].pa_old + m[i].off), "warm-up read");
    for (unsigned i = 0; i < NMAP; i++) tb_mem_store(m[i].pte, 8, pt_leaf(m[i].pa_new, m[i].flags));
}

/* Read every mapping; bit i of want_new: mapping i must use pa_new, else pa_old. */
static void check_maps(const char *step, const map_t m[NMAP], unsigned want_new) {
    for (unsigned i = 0; i < NMAP; i++) {
        uint64_t v = rd_dev(m[i].did, m[i].iova + m[i].off);
        uint64_t o = pattern(m[i].pa_old + m[i].off), n = pattern(m[i].pa_new + m[i].off);
        bool want = (want_new >> i) & 1;
        CHECK(v == (want ? n : o), "%s: %s: expected the %s translation, got %s", step, m[i].name,
              want ? "new" : "old (cached)", v == o ? "the old one" : v == n ? "the new one" : "other data");
    }
}

typedef struct {
    const char *what;
    bool av;
    uint64_t addr;
    bool pscv;
    uint32_t pscid;
    unsigned flips;     /* mappings this command must invalidate */
} vma_step_t;

static int run_vma_steps(const char *group, const vma_step_t *s, unsigned n) {
    ddt_t d;
    map_t m[NMAP];
    vma_fixture(&d, m);
    unsigned want = 0;
    check_maps("before any invalidation", m, want);   /* (cached) */
    for (unsigned k = 0; k < n; k++) {
        cq_put(cmd_iotinval(0, s[k].av, s[k].addr, s[k].pscv, s[k].pscid, false, 0));
        if (!cq_sync(s[k].what)) return 1;
        want |= s[k].flips;
        check_maps(s[k].what, m, want);
    }
    CHECK_EQ(fq_count(), 0, "no fault record");
    (void)group;
    return 0;
}

#define M(i) (1u << (i))

/* GV=0, AV=0, PSCV=0: every host entry, globals included. */
static int t_vma_all(void) {
    static const vma_step_t s[] = {
        {"AV=0 PSCV=0", false, 0, false, 0, 0x3f},
    };
    return run_vma_steps("AV=0 PSCV=0", s, 1);
}

/* GV=0, AV=0, PSCV=1: the address space of PSCID, except global mappings;
 * other PSCIDs untouched. */
static int t_vma_pscid(void) {
    static const vma_step_t s[] = {
        {"AV=0 PSCV=1 PSCID unused", false, 0, true, P3, 0},
        {"AV=0 PSCV=1 PSCID=P2", false, 0, true, P2, M(4) | M(5)},
        {"AV=0 PSCV=1 PSCID=P1 (global kept)", false, 0, true, P1, M(0) | M(1) | M(3)},
        {"AV=0 PSCV=0 after", false, 0, false, 0, M(2)},
    };
    return run_vma_steps("AV=0 PSCV=1", s, sizeof s / sizeof *s);
}

/* GV=0, AV=1, PSCV=0: leaf entries covering ADDR in every address space,
 * globals included; a superpage is covered by any address inside it; ADDR's
 * page offset is not part of the match (ADDR[63:12]). */
static int t_vma_addr(void) {
    static const vma_step_t s[] = {
        {"AV=1 PSCV=0 ADDR unmapped", true, 0x50000, false, 0, 0},
        {"AV=1 PSCV=0 ADDR=X+0xabc", true, IOVA_X + 0xabc, false, 0, M(0) | M(4)},
        {"AV=1 PSCV=0 ADDR just past the superpage", true, IOVA_S + 0x200000, false, 0, 0},
        {"AV=1 PSCV=0 ADDR just below the superpage", true, IOVA_S - 0x1000, false, 0, 0},
        {"AV=1 PSCV=0 ADDR in the superpage's last 4 KiB", true, IOVA_S + 0x1ff000, false, 0, M(3)},
        {"AV=1 PSCV=0 ADDR=G (global dropped)", true, IOVA_G, false, 0, M(2)},
        {"AV=1 PSCV=0 ADDR=Y", true, IOVA_Y, false, 0, M(1) | M(5)},
    };
    return run_vma_steps("AV=1 PSCV=0", s, sizeof s / sizeof *s);
}

/* GV=0, AV=1, PSCV=1: leaf entries covering ADDR in PSCID's address space,
 * except global mappings. */
static int t_vma_addr_pscid(void) {
    static const vma_step_t s[] = {
        {"AV=1 PSCV=1 ADDR=X PSCID=P1", true, IOVA_X, true, P1, M(0)},
        {"AV=1 PSCV=1 ADDR=G PSCID=P1 (global kept)", true, IOVA_G, true, P1, 0},
        {"AV=1 PSCV=1 ADDR in superpage, PSCID=P2", true, IOVA_S + 0x123000, true, P2, 0},
        {"AV=1 PSCV=1 ADDR in superpage, PSCID=P1", true, IOVA_S + 0x123000, true, P1, M(3)},
        {"AV=1 PSCV=1 ADDR=Y PSCID=P2", true, IOVA_Y, true, P2, M(5)},
        {"AV=1 PSCV=1 ADDR=Y PSCID=P3", true, IOVA_Y, true, P3, 0},
        {"AV=0 PSCV=0 after", false, 0, false, 0, M(1) | M(2) | M(4)},
    };
    return run_vma_steps("AV=1 PSCV=1", s, sizeof s / sizeof *s);
}

/* ---- IOTLB capacity of one set and replacement ------------------------------------------ */
/* Pages of one size whose VPNs agree in their set bits (a stride of `sets`
 * pages) all compete for the `ways` ways of one set of that size's block-RAM
 * array (with no array for the size: for the tlb_fa fully associative
 * entries).  C = that capacity.  C such pages stay cached: after their PTEs
 * change, with no invalidation, all C still read the old data and no walk
 * reads memory.  A C+1-th page must replace one of them: reading the C again,
 * at least one walks (data-structure reads) and gets the new data, every one
 * gets the old or the new data, and a page that got the new data keeps it.
 * Then an IOTINVAL.VMA AV=1 of one page (an address inside it, not its base)
 * makes exactly that page new.  Reads go to an offset inside the page beyond
 * 4 KiB, so a superpage's translation must take those bits from the IOVA. */
#define TLB_IOVA 0x40000000ull
/* Pages 0..n-1 of one set (IOVA TLB_IOVA + stride * k), whose PTEs the
 * caller changed without invalidating, must still read their old data at
 * off, the cached translation, with no walk reading memory. */
static void expect_still_cached(unsigned n, uint64_t stride, uint64_t off, const uint64_t pa_old[], const char *what) {
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    for (unsigned k = 0; k < n; k++)
        CHECK(rd_dev(D1, TLB_IOVA + stride * k + off) == pattern(pa_old[k] + off),
              "page %u of %u %s: expected the cached (old) translation", k, n, what);
    CHECK(axi_slave_reads(sim_ds_slave()) == ds0, "%llu walk reads, %u pages %s",
          (unsigned long long)(axi_slave_reads(sim_ds_slave()) - ds0), n, what);
}

static int tlb_ways_case(unsigned level) {
    const dut_cfg_t *c = sim_cfg();
    const unsigned sets = level ? c->tlb_sets2m : c->tlb_sets, ways = level ? c->tlb_ways2m : c->tlb_ways;
    const unsigned cap = sets ? ways : c->tlb_fa;
    const uint64_t pg = 4096ull << (9 * level), stride = (sets ? sets : 1) * pg;
    const uint64_t base = level ? BIG_BASE : DATA_BASE, off = level ? 0x5018 : 0x18;
    enum { MAXP = 65 };
    CHECK(cap + 1 <= MAXP, "capacity %u: the test keeps at most %u pages", cap, MAXP - 1);
    if (cap + 1 > MAXP) return 1;
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    uint64_t pte[MAXP], pa_old[MAXP], pa_new[MAXP];
    for (unsigned k = 0; k <= cap; k++) {
        pa_old[k] = base + pg * (2 * k);
        pa_new[k] = base + pg * (2 * k + 1);
        tb_mem_store(pa_old[k] + off, 8, pattern(pa_old[k] + off));
        tb_mem_store(pa_new[k] + off, 8, pattern(pa_new[k] + off));
        pte[k] = pt_map(root, 3, TLB_IOVA + stride * k, level, pt_leaf(pa_old[k], PTE_RWUAD));
    }
    for (unsigned k = 0; k < cap; k++)
        CHECK_EQ(rd_dev(D1, TLB_IOVA + stride * k + off), pattern(pa_old[k] + off), "warm-up read");
    for (unsigned k = 0; k <= cap; k++) tb_mem_store(pte[k], 8, pt_leaf(pa_new[k], PTE_RWUAD));
    expect_still_cached(cap, stride, off, pa_old, "cached in one set");
    CHECK_EQ(rd_dev(D1, TLB_IOVA + stride * cap + off), pattern(pa_new[cap] + off), "the page more (walks)");
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    unsigned n_new = 0;
    bool got_new[MAXP] = {false};
    for (unsigned k = 0; k < cap; k++) {
        uint64_t v = rd_dev(D1, TLB_IOVA + stride * k + off);
        got_new[k] = v == pattern(pa_new[k] + off);
        CHECK(got_new[k] || v == pattern(pa_old[k] + off), "page %u: neither the old nor the new data", k);
        n_new += got_new[k];
    }
    CHECK(n_new >= 1, "page %u did not replace any of the %u cached pages of its set", cap, cap);
    CHECK(axi_slave_reads(sim_ds_slave()) - ds0 >= n_new, "%u new translations with %llu walk reads", n_new,
          (unsigned long long)(axi_slave_reads(sim_ds_slave()) - ds0));
    for (unsigned k = 0; k < cap; k++)
        if (got_new[k])
            CHECK(rd_dev(D1, TLB_IOVA + stride * k + off) == pattern(pa_new[k] + off), "page %u again", k);
    /* one page by an address inside it: it alone changes among those still old */
    unsigned victim = cap;
    for (unsigned k = 0; k < cap && victim == cap; k++)
        if (!got_new[k]) victim = k;
    if (victim < cap) {
        cq_put(cmd_iotinval(0, true, TLB_IOVA + stride * victim + (pg - 4096), true, P1, false, 0));
        if (!cq_sync("AV=1 one page of a full set")) return 1;
        for (unsigned k = 0; k < cap; k++)
            if (!got_new[k])
                CHECK(rd_dev(D1, TLB_IOVA + stride * k + off) == pattern((k == victim ? pa_new : pa_old)[k] + off),
                      "page %u after an IOTINVAL.VMA AV=1 of page %u", k, victim);
    }
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}
/* The fully associative IOTLB keeps an invalidated entry's tag (only its
 * valid bit drops), so a refill of the same page into another entry leaves
 * two entries with that tag, one invalid: the hit must take the valid one's
 * PPN.  1 GiB pages A, B, C fill entries 0, 1, 2; IOTINVAL.VMA of A and C
 * frees 0 and 2; C is remapped and read again: its refill goes to entry 0
 * (the first invalid one) while entry 2 still holds C's tag and old PPN.
 * Every read of C from then on returns the new page. */
static int t_tlb_fa_stale_tag(void) {
    const uint64_t gib = 1ull << 30, off = 0x3018;
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    uint64_t iova[3], pa[3], pte_c = 0;
    for (unsigned k = 0; k < 3; k++) {
        iova[k] = (uint64_t)(k + 1) * gib;
        pa[k] = 0x40000000000ull + (uint64_t)(2 * k) * gib;
        tb_mem_store(pa[k] + off, 8, pattern(pa[k] + off));
        uint64_t e = pt_map(root, 3, iova[k], 2, pt_leaf(pa[k], PTE_RWUAD));
        if (k == 2) pte_c = e;
        CHECK_EQ(rd_dev(D1, iova[k] + off), pattern(pa[k] + off), "first read of a 1 GiB page");
    }
    cq_put(cmd_iotinval(0, true, iova[0], true, P1, false, 0));
    cq_put(cmd_iotinval(0, true, iova[2], true, P1, false, 0));
    if (!cq_sync("IOTINVAL.VMA of pages A and C")) return 1;
    uint64_t pa_c2 = 0x40000000000ull + 5 * gib;
    tb_mem_store(pa_c2 + off, 8, pattern(pa_c2 + off));
    tb_mem_store(pte_c, 8, pt_leaf(pa_c2, PTE_RWUAD));
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    CHECK_EQ(rd_dev(D1, iova[2] + off), pattern(pa_c2 + off), "page C after its invalidation and remap (walks)");
    CHECK(axi_slave_reads(sim_ds_slave()) > ds0, "the read of C after its invalidation did not walk");
    uint64_t ds1 = axi_slave_reads(sim_ds_slave());
    for (unsigned r = 0; r < 4; r++)
        CHECK_EQ(rd_dev(D1, iova[2] + off + 8 * r), tb_mem_load(pa_c2 + off + 8 * r, 8), "page C again (hits)");
    CHECK(axi_slave_reads(sim_ds_slave()) == ds1, "the reads of C after its refill walked: not cached");
    CHECK_EQ(rd_dev(D1, iova[1] + off), pattern(pa[1] + off), "page B, never invalidated");
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}
/* A DC entry reused by another device with another PSCID: the fully
 * associative IOTLB's entries are matched against the PSCID of the DC entry
 * that answers, so that entry's new PSCID must be the one compared.  D1
 * (PSCID P1) and D2 (P2) map the same 1 GiB IOVA to different pages.  D1
 * reads it (its DC in the first entry of each channel's DC cache, the page
 * in an FA entry of P1); IODIR.INVAL_DDT DV=0 empties the DC caches; D2
 * reads and writes another IOVA (its DC now in the same DC entries), then
 * the shared one: with its DC cached, both accesses are looked up in the
 * IOTLB and must miss P1's entry, walk and reach D2's page.  Then D3, a third device in P1
 * with D1's table, and D1 again: each reaches D1's page, and its second read
 * hits (no walk): the P1 entry matches through their DC entries too. */
static int t_tlb_fa_dc_pscid(void) {
    const uint64_t gib = 1ull << 30, iova = 3 * gib, off = 0x4028;
    const uint32_t d3 = 0x33u;
    ddt_t d;
    setup(&d, false);
    uint64_t root1 = add_device(&d, D1, P1), root2 = add_device(&d, D2, P2);
    dc_write(&d, d3, 1, 0, (uint64_t)P1 << 12, pt_satp(3, root1));
    const uint64_t pa1 = 0x40000000000ull, pa2 = pa1 + 4 * gib, iova_b = 7 * gib, pa2b = pa1 + 6 * gib;
    tb_mem_store(pa1 + off, 8, pattern(pa1 + off));
    tb_mem_store(pa2 + off, 8, pattern(pa2 + off));
    tb_mem_store(pa2b + off, 8, pattern(pa2b + off));
    pt_map(root1, 3, iova, 2, pt_leaf(pa1, PTE_RWUAD));
    pt_map(root2, 3, iova, 2, pt_leaf(pa2, PTE_RWUAD));
    pt_map(root2, 3, iova_b, 2, pt_leaf(pa2b, PTE_RWUAD));
    CHECK_EQ(rd_dev(D1, iova + off), pattern(pa1 + off), "D1 (P1): first read");
    CHECK_EQ(dma_wr(D1, iova + off + 8, 8, 0x1111), AXI_OKAY, "D1 (P1): first write");
    cq_put(cmd_iodir(0, false, 0, 0));
    if (!cq_sync("IODIR.INVAL_DDT DV=0")) return 1;
    /* D2's DCs cached by an access elsewhere first, so its accesses of the
     * shared IOVA are looked up in the IOTLB with a DC hit */
    CHECK_EQ(rd_dev(D2, iova_b + off), pattern(pa2b + off), "D2 (P2) in D1's old DC entry: read elsewhere");
    CHECK_EQ(dma_wr(D2, iova_b + off, 8, 0x2b2b), AXI_OKAY, "D2 (P2): write elsewhere");
    uint64_t ds0 = axi_slave_reads(sim_ds_slave());
    CHECK_EQ(rd_dev(D2, iova + off), pattern(pa2 + off), "D2 (P2): read of the IOVA P1 has cached");
    CHECK(axi_slave_reads(sim_ds_slave()) > ds0, "D2's first read of it did not walk");
    CHECK_EQ(dma_wr(D2, iova + off + 16, 8, 0x2222), AXI_OKAY, "D2 (P2): write");
    CHECK_EQ(tb_mem_load(pa2 + off + 16, 8), 0x2222, "D2's write reached D2's page");
    CHECK_EQ(tb_mem_load(pa1 + off + 16, 8), 0, "D2's write did not reach D1's page");
    CHECK_EQ(rd_dev(D2, iova + off), pattern(pa2 + off), "D2 (P2): read again");
    const uint32_t dev[2] = {d3, D1};
    for (unsigned k = 0; k < 2; k++) {
        CHECK(rd_dev(dev[k], iova + off) == pattern(pa1 + off), "device %#x (P1): first read", dev[k]);
        uint64_t ds1 = axi_slave_reads(sim_ds_slave());
        CHECK(rd_dev(dev[k], iova + off) == pattern(pa1 + off), "device %#x (P1): second read", dev[k]);
        CHECK(axi_slave_reads(sim_ds_slave()) == ds1, "device %#x: the second read walked (P1's entry missed)",
              dev[k]);
        CHECK(dma_wr(dev[k], iova + off + 24, 8, 0x3333 + k) == AXI_OKAY, "device %#x (P1): write", dev[k]);
        CHECK(tb_mem_load(pa1 + off + 24, 8) == 0x3333 + k, "device %#x: the write reached D1's page", dev[k]);
    }
    CHECK_EQ(rd_dev(D2, iova + off), pattern(pa2 + off), "D2 (P2): read last");
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}
/* A lookup right behind a fully associative fill: each round maps a new
 * 1 GiB page (so after the first entries every fill evicts another page's
 * entry, whose PPN RAM word is another page's), reads it once (a miss: a
 * walk and a fill), and reads it again d cycles after the first read was
 * submitted, d = 0, 1, 2, ... up to the first read's latency, so some round's
 * second read is compared in each cycle around the fill: whatever it hits
 * must read the new page's PPN (a PPN written later than its tag can be
 * read would return the evicted page's data). */
static int t_tlb_fa_fill_race(void) {
    const uint64_t gib = 1ull << 30, off = 0x2040;
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    uint64_t lat = 0;
    for (unsigned r = 0; r < 600; r++) {
        uint64_t iova = (uint64_t)(r + 1) * gib, pa = 0x40000000000ull + (uint64_t)r * gib;
        tb_mem_store(pa + off, 8, pattern(pa + off));
        tb_mem_store(pa + off + 8, 8, pattern(pa + off + 8));
        pt_map(root, 3, iova, 2, pt_leaf(pa, PTE_RWUAD));
        dma_txn_t *t[2];
        for (unsigned k = 0; k < 2; k++) {
            t[k] = dma_txn_new(false, iova + off + 8 * k, 0, 3);
            t[k]->user = sim_user(D1, false, 0);
            t[k]->id = 1 + k;
        }
        uint64_t t0 = tb_now();
        dev_master_submit(sim_dev(), t[0], t0);
        if (r > 0) {
            while (tb_now() - t0 < r - 1) tb_cycles(1);
            dev_master_submit(sim_dev(), t[1], tb_now());
        }
        while (!t[0]->done && tb_now() - t0 < CQ_TIMEOUT) tb_cycles(1);
        if (r == 0) {
            lat = tb_now() - t0;   /* the sweep covers the first read's latency */
            dev_master_submit(sim_dev(), t[1], tb_now());
        }
        while (!t[1]->done && tb_now() - t0 < CQ_TIMEOUT) tb_cycles(1);
        uint64_t got0 = t[0]->data[0], got1 = t[1]->data[0];
        if (!txns_finish(t, 2, CQ_TIMEOUT, "a gigapage's two reads")) return 1;
        CHECK(got0 == pattern(pa + off), "round %u: the first read of its page: %#llx", r,
              (unsigned long long)got0);
        CHECK(got1 == pattern(pa + off + 8), "round %u: the read %u cycles behind it: %#llx, expected %#llx",
              r, r ? r - 1 : 0, (unsigned long long)got1, (unsigned long long)pattern(pa + off + 8));
        if (tb_check_failures || (r > 0 && r > lat + 8)) break;
    }
    CHECK(lat > 0, "the first read never completed");
    CHECK_EQ(fq_count(), 0, "no fault record");
    printf("tlb_fa_fill_race: a cold read takes %llu cycles; second reads swept from 0 to %llu cycles behind\n",
           (unsigned long long)lat, (unsigned long long)lat + 8);
    return 0;
}
static int t_tlb_ways(void) { return tlb_ways_case(0); }
static int t_tlb_ways_2m(void) { return tlb_ways_case(1); }

/* Fills racing lookups of the same set (the block RAM's read-during-write):
 * page A is read back to back, 256 single-beat reads on 8 IDs, while the
 * write channel writes 6 other pages of A's set (each a miss: a walk and a
 * fill into that set, which holds only tlb_ways of the 7 pages, so A may be
 * replaced too).  Every read of A returns A's data, every write lands in its
 * own page, and afterwards every page reads back what it should.  With
 * stall_pct, both memories withhold READY and responses that % of cycles:
 * the slots fill and the lookups stall in the request stage, where the RAMs
 * read the held request's set again each cycle (a word read in a fill's
 * cycle must not be used, nor a set other than the held request's). */
static int fill_collide_case(unsigned stall_pct) {
    const dut_cfg_t *c = sim_cfg();
    const uint64_t stride = (c->tlb_sets ? c->tlb_sets : 1) * 4096ull;
    enum { NB = 6, NR = 256 };
    ddt_t d;
    setup(&d, false);
    if (stall_pct) {
        axi_slave_cfg_t m;
        axi_slave_get_cfg(sim_mem_slave(), &m);
        m.stall_pct = m.gap_pct = stall_pct;
        axi_slave_set_cfg(sim_mem_slave(), &m);
        axi_slave_get_cfg(sim_ds_slave(), &m);
        m.stall_pct = m.gap_pct = stall_pct;
        axi_slave_set_cfg(sim_ds_slave(), &m);
    }
    uint64_t root = add_device(&d, D1, P1);
    uint64_t pa[NB + 1];
    for (unsigned k = 0; k <= NB; k++) {
        pa[k] = DATA_BASE + 0x1000ull * k;
        tb_mem_store(pa[k] + 0x20, 8, pattern(pa[k] + 0x20));
        tb_mem_store(pa[k] + 0x40, 8, 0);
        pt_map(root, 3, TLB_IOVA + stride * k, 0, pt_leaf(pa[k], PTE_RWUAD));
    }
    CHECK_EQ(rd_dev(D1, TLB_IOVA + 0x20), pattern(pa[0] + 0x20), "page A warm-up");
    dma_txn_t *t[NR + NB];
    unsigned nt = 0;
    for (unsigned k = 0; k < NR; k++) {
        if (k % 40 == 8 && k / 40 < NB) {
            unsigned b = 1 + k / 40;
            dma_txn_t *w = dma_txn_new(true, TLB_IOVA + stride * b + 0x40, 0, 3);
            w->user = sim_user(D1, false, 0);
            w->id = 9;
            w->data[0] = 0xb0000 + b;
            dev_master_submit(sim_dev(), w, tb_now());
            t[nt++] = w;
        }
        dma_txn_t *x = dma_txn_new(false, TLB_IOVA + 0x20, 0, 3);
        x->user = sim_user(D1, false, 0);
        x->id = k & 7;
        dev_master_submit(sim_dev(), x, tb_now());
        t[nt++] = x;
    }
    uint64_t start = tb_now();
    while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
    unsigned bad = 0;
    for (unsigned i = 0; i < nt; i++)
        if (!t[i]->write && t[i]->done && t[i]->data[0] != pattern(pa[0] + 0x20)) bad++;
    CHECK(bad == 0, "%u of %u reads of page A returned other data", bad, NR);
    if (!txns_finish(t, nt, CQ_TIMEOUT, "reads of A under fills of its set")) return 1;
    for (unsigned b = 1; b <= NB; b++) {
        CHECK(tb_mem_load(pa[b] + 0x40, 8) == 0xb0000 + b, "page %u: the write did not land in its page", b);
        CHECK(rd_dev(D1, TLB_IOVA + stride * b + 0x20) == pattern(pa[b] + 0x20), "page %u read back", b);
    }
    CHECK_EQ(tb_mem_load(pa[0] + 0x40, 8), 0, "page A written");
    CHECK_EQ(rd_dev(D1, TLB_IOVA + 0x20), pattern(pa[0] + 0x20), "page A read back");
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}
static int t_tlb_fill_collide(void) { return fill_collide_case(0); }
/* Rounds with the memories stalling: each round's stalls and fills meet at
 * other cycles. */
static int t_tlb_fill_collide_stall(void) {
    for (unsigned r = 0; r < 16; r++)
        if (fill_collide_case(40 + 5 * (r % 5))) {
            printf("tlb_fill_collide_stall: round %u failed\n", r);
            return 1;
        }
    return 0;
}

/* More devices than the DC cache has entries (24; the default has 8), each
 * with its own table and PSCID mapping the same IOVA to a page of its own,
 * read in an interleaved stream on 8 IDs while both memories stall, so the
 * DC cache replaces entries all the time while lookups stall in the request
 * stage with the match they found: every read must return its own device's
 * page (an entry rewritten for another device during the stall must not be
 * used), with OKAY.  In odd rounds the data-structure memory interleaves its
 * R beats, so two walks' device-context reads end, and fill, in consecutive
 * cycles: the second fill of a device must find the entry the first one is
 * writing (two entries of one device_id would be a miss, and then an
 * assertion). */
static int t_dc_evict_stall(void) {
    enum { ND = 24, NR = 384, OFF = 0x18 };
    for (unsigned r = 0; r < 8; r++) {
        ddt_t d;
        setup(&d, false);
        axi_slave_cfg_t m;
        axi_slave_get_cfg(sim_mem_slave(), &m);
        m.stall_pct = m.gap_pct = 40 + 5 * (r % 5);
        axi_slave_set_cfg(sim_mem_slave(), &m);
        axi_slave_get_cfg(sim_ds_slave(), &m);
        m.stall_pct = m.gap_pct = 40 + 5 * (r % 5);
        m.interleave = r & 1;
        axi_slave_set_cfg(sim_ds_slave(), &m);
        for (unsigned k = 0; k < ND; k++) {
            uint64_t root = add_device(&d, 0x40 + k, 0x200 + k);
            uint64_t pa = DATA_BASE + 0x1000ull * k;
            tb_mem_store(pa + OFF, 8, pattern(pa + OFF));
            pt_map(root, 3, TLB_IOVA, 0, pt_leaf(pa, PTE_RWUAD));
        }
        dma_txn_t *t[NR];
        unsigned dev[NR];
        for (unsigned i = 0; i < NR; i++) {
            dev[i] = (i * 7 + i / 5 + r) % ND;
            t[i] = dma_txn_new(false, TLB_IOVA + OFF, 0, 3);
            t[i]->user = sim_user(0x40 + dev[i], false, 0);
            t[i]->id = i & 7;
            dev_master_submit(sim_dev(), t[i], tb_now());
        }
        uint64_t start = tb_now();
        while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
        unsigned bad = 0;
        for (unsigned i = 0; i < NR; i++) {
            uint64_t want = pattern(DATA_BASE + 0x1000ull * dev[i] + OFF);
            if (t[i]->done && t[i]->data[0] != want) {
                if (!bad)
                    printf("dc_evict_stall: round %u: read %u of device %#x returned %#llx, not %#llx\n", r, i,
                           0x40 + dev[i], (unsigned long long)t[i]->data[0], (unsigned long long)want);
                bad++;
            }
        }
        CHECK(bad == 0, "round %u: %u of %u reads returned another page", r, bad, NR);
        if (!txns_finish(t, NR, CQ_TIMEOUT, "interleaved reads of 24 devices")) return 1;
        CHECK_EQ(fq_count(), 0, "no fault record");
    }
    return 0;
}

/* One page read by 32 reads in flight on distinct IDs, continuously (each
 * one that completes is replaced), 1000 reads in all: the cold burst walks,
 * and all its walks fill the same entry; after that every read must hit.  The
 * second 500 reads may make no data-structure read at all: a lookup that
 * keeps meeting the refills of its own entry misses, walks and refills it
 * again, and a slot reused at the wrong cycle can keep that going for ever
 * (1 walk read per read).  4 KiB and 2 MiB pages go to the RAM arrays (with
 * TlbSets = 0 to the fully associative entries), 1 GiB pages to the fully
 * associative entries. */
static int hot_page_case(unsigned level) {
    enum { INFL = 32, NR = 1000, HALF = 500, LINES = 64 };
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    const uint64_t pa = level == 2 ? 0xc0000000ull : level ? BIG_BASE : DATA_BASE;   /* 1 GiB aligned */
    pt_map(root, 3, TLB_IOVA, level, pt_leaf(pa, PTE_RWUAD));
    for (unsigned i = 0; i < LINES; i++) tb_mem_store(pa + 64ull * i, 8, pattern(pa + 64ull * i));
    dma_txn_t *t[INFL] = {NULL};
    unsigned sent = 0, done = 0, bad = 0;
    uint64_t ds_half = 0, start = tb_now();
    while (done < NR && tb_now() - start < CQ_TIMEOUT) {
        for (unsigned i = 0; i < INFL && sent < NR; i++) {
            if (t[i]) continue;
            t[i] = dma_txn_new(false, TLB_IOVA + 64ull * (sent % LINES), 0, 3);
            t[i]->user = sim_user(D1, false, 0);
            t[i]->id = i;
            dev_master_submit(sim_dev(), t[i], tb_now());
            sent++;
        }
        tb_cycles(1);
        dma_txn_t *x;
        while ((x = dev_master_take_done(sim_dev()))) {
            for (unsigned i = 0; i < INFL; i++)
                if (t[i] == x) t[i] = NULL;
            if (x->resp != AXI_OKAY || x->data[0] != pattern(pa + (x->addr - TLB_IOVA))) {
                if (!bad)
                    printf("hot page: read at %#llx: response %u, data %#llx\n", (unsigned long long)x->addr,
                           x->resp, (unsigned long long)x->data[0]);
                bad++;
            }
            dma_txn_free(x);
            if (++done == HALF) ds_half = axi_slave_reads(sim_ds_slave());
        }
    }
    CHECK(done == NR, "%u of %u reads completed", done, NR);
    CHECK(bad == 0, "%u reads returned a wrong response or data", bad);
    uint64_t ds = axi_slave_reads(sim_ds_slave()) - ds_half;
    CHECK(ds == 0, "%llu data-structure reads during the last %u reads of one cached page",
          (unsigned long long)ds, NR - HALF);
    return done == NR && bad == 0 && ds == 0 ? 0 : 1;
}
static int t_tlb_hot_page(void) { return hot_page_case(0); }
static int t_tlb_hot_page_2m(void) { return hot_page_case(1); }
static int t_tlb_hot_page_1g(void) { return hot_page_case(2); }

/* Reads and instruction fetches of one cached page, interleaved on distinct
 * IDs so that they reach the IOTLB back to back, through each IOTLB array
 * (4 KiB, 2 MiB; 1 GiB: the fully associative entries), with the memory port
 * stalling so that lookups are held: a page mapped R without X serves every
 * read and refuses every fetch (instruction page fault, 12), a page mapped X
 * only serves every fetch and refuses every read (load page fault, 13).
 * Every entry checks the access of the request its lookup takes, in the
 * cycle it takes it, and keeps the answer with its tag match: an answer
 * taken for a neighbouring request lets a fetch hit the R page or a read
 * the X page. */
static int acc_mix_case(unsigned level) {
    enum { NR = 16 };
    const uint64_t pa = level == 2 ? 0xc0000000ull : level ? BIG_BASE : DATA_BASE;
    axi_slave_cfg_t c0;
    axi_slave_get_cfg(sim_mem_slave(), &c0);
    for (unsigned x = 0; x < 2; x++) {   /* 0: R page, 1: X page */
        ddt_t d;
        setup(&d, false);
        uint64_t root = add_device(&d, D1, P1);
        pt_map(root, 3, TLB_IOVA, level,
               pt_leaf(pa, x ? PTE_V | PTE_X | PTE_U | PTE_A : PTE_V | PTE_R | PTE_U | PTE_A | PTE_D));
        for (unsigned i = 0; i < NR; i++) tb_mem_store(pa + 64ull * i, 8, pattern(pa + 64ull * i));
        dma_txn_t *w = dma_txn_new(false, TLB_IOVA, 0, 3);   /* the allowed kind fills the entry */
        w->user = sim_user(D1, false, 0);
        w->prot = x ? 4 : 0;
        dev_master_submit(sim_dev(), w, tb_now());
        if (!txns_finish(&w, 1, CQ_TIMEOUT, "the first access")) return 1;
        axi_slave_cfg_t m = c0;
        m.stall_pct = 50;
        axi_slave_set_cfg(sim_mem_slave(), &m);
        dma_txn_t *t[NR];
        for (unsigned i = 0; i < NR; i++) {
            bool fetch = (i & 1) ^ x;   /* even i: the allowed kind */
            t[i] = dma_txn_new(false, TLB_IOVA + 64ull * i, 0, 3);
            t[i]->user = sim_user(D1, false, 0);
            t[i]->prot = fetch ? 4 : 0;
            t[i]->id = i;
            t[i]->tag = i & 1;   /* refused */
            dev_master_submit(sim_dev(), t[i], tb_now());
        }
        uint64_t start = tb_now();
        while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
        for (unsigned i = 0; i < NR; i += 2)
            CHECK(!t[i]->done || t[i]->data[0] == pattern(pa + 64ull * i),
                  "%s page, level %u: %s %u returned %#llx", x ? "X" : "R", level, x ? "fetch" : "read", i,
                  (unsigned long long)t[i]->data[0]);
        bool ok = txns_finish(t, NR, CQ_TIMEOUT, x ? "reads and fetches of an X page" : "reads and fetches of an R page");
        axi_slave_set_cfg(sim_mem_slave(), &c0);
        if (!ok) return 1;
        CHECK(poll_reg(IOMMU_REG_FQT, 4, NR / 2, ~0ull, 5000), "fault records: fqt %u, expected %u",
              rd32(IOMMU_REG_FQT), NR / 2);
        for (unsigned i = 0; i < NR / 2; i++) {
            fault_rec_t r = fq_record(FQ_BASE, i);
            CHECK(r.cause == (x ? 13u : 12u) && r.did == D1 && r.ttyp == (x ? 2u : 1u) &&
                      (r.iotval - TLB_IOVA) % 128 == 64 && r.iotval - TLB_IOVA < 64ull * NR,
                  "record %u: cause %u did %#x ttyp %u iotval %#llx", i, r.cause, r.did, r.ttyp,
                  (unsigned long long)r.iotval);
        }
    }
    return 0;
}
static int t_tlb_acc_mix(void) { return acc_mix_case(0); }
static int t_tlb_acc_mix_2m(void) { return acc_mix_case(1); }
static int t_tlb_acc_mix_1g(void) { return acc_mix_case(2); }

/* Walks of one device whose device-context reads end, and fill the DC cache,
 * in consecutive cycles: the data-structure memory interleaves the R beats of
 * its reads, and NR reads of one device on distinct IDs miss the DC and the
 * IOTLB together.  The device must then be cached once: with its DC made
 * invalid in memory and the IOTLB emptied (IOTINVAL.VMA; no IODIR), every
 * page still reads its data through the cached DC.  A second fill that does
 * not find the entry the first is writing leaves two entries of one
 * device_id: a miss, a DC read, and fault 258. */
static int t_dc_fill_pair(void) {
    enum { NR = 4, ROUNDS = 32, OFF = 0x10 };
    ddt_t d;
    setup(&d, false);
    axi_slave_cfg_t m;
    axi_slave_get_cfg(sim_ds_slave(), &m);
    m.interleave = true;
    axi_slave_set_cfg(sim_ds_slave(), &m);
    uint64_t root = add_device(&d, D1, P1);
    for (unsigned k = 0; k < NR; k++) {
        uint64_t pa = DATA_BASE + 0x1000ull * k;
        tb_mem_store(pa + OFF, 8, pattern(pa + OFF));
        pt_map(root, 3, TLB_IOVA + 0x1000ull * k, 0, pt_leaf(pa, PTE_RWUAD));
    }
    for (unsigned r = 0; r < ROUNDS; r++) {
        dc_write(&d, D1, 1, 0, (uint64_t)P1 << 12, pt_satp(3, root));
        cq_put(cmd_iodir(0, false, 0, 0));
        cq_put(cmd_iotinval(0, false, 0, false, 0, false, 0));
        if (!cq_sync("INVAL_DDT DV=0, IOTINVAL.VMA")) return 1;
        dma_txn_t *t[NR];
        for (unsigned k = 0; k < NR; k++) {
            t[k] = dma_txn_new(false, TLB_IOVA + 0x1000ull * k + OFF, 0, 3);
            t[k]->user = sim_user(D1, false, 0);
            t[k]->id = k;
            dev_master_submit(sim_dev(), t[k], tb_now());
        }
        uint64_t start = tb_now();
        while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
        for (unsigned k = 0; k < NR; k++)
            CHECK(t[k]->done && t[k]->data[0] == pattern(DATA_BASE + 0x1000ull * k + OFF),
                  "round %u: read %u of the burst", r, k);
        if (!txns_finish(t, NR, CQ_TIMEOUT, "reads of one device on distinct IDs")) return 1;
        tb_mem_store(ddt_dc_addr(&d, D1), 8, 0);   /* tc.V = 0, not invalidated */
        cq_put(cmd_iotinval(0, false, 0, false, 0, false, 0));
        if (!cq_sync("IOTINVAL.VMA")) return 1;
        for (unsigned k = 0; k < NR; k++) {
            uint64_t v = 0;
            int rc = dma_rd(D1, TLB_IOVA + 0x1000ull * k + OFF, 8, &v);
            CHECK(rc == AXI_OKAY && v == pattern(DATA_BASE + 0x1000ull * k + OFF),
                  "round %u: page %u through the cached DC: response %d", r, k, rc);
            if (rc != AXI_OKAY) return 1;
        }
        CHECK_EQ(fq_count(), 0, "no fault record");
    }
    return 0;
}

/* Fills of one set in consecutive cycles (a fill reads the set's tags two
 * cycles before it writes, so it must see the ways the fills just ahead of it
 * chose): the C pages of one set (C its capacity; FA only: the entries but
 * one) are read at once on distinct IDs, with the leaf table in the walk
 * cache, so their walks of one read each end, and fill, a cycle apart;
 * tlb_fill_burst2 reads two pages of a set so that a page's fill comes one
 * and two cycles after its own.  Every page must then be cached exactly once:
 * after the PTEs change, with no invalidation, all still read the old data
 * and no walk reads memory.  A fill that took a way another fill had just
 * written loses a page (it walks again and reads the new data); two fills of
 * one page into two ways leave two matches, a miss. */
static int tlb_fill_burst_case(bool dup) {
    const dut_cfg_t *c = sim_cfg();
    const unsigned cap = c->tlb_sets ? c->tlb_ways : c->tlb_fa - 1;
    const uint64_t stride = (c->tlb_sets ? c->tlb_sets : 1) * 4096ull;
    const uint64_t warm = TLB_IOVA + 0x101000;    /* same leaf table, another set */
    enum { MAXP = 32, OFF = 0x28 };
    CHECK(cap >= 2 && cap <= MAXP, "capacity %u: the test needs 2 to %u pages", cap, MAXP);
    if (cap < 2 || cap > MAXP) return 1;
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    uint64_t pte[MAXP], pa_old[MAXP], pa_new[MAXP];
    for (unsigned k = 0; k < cap; k++) {
        pa_old[k] = DATA_BASE + 0x2000ull * k;
        pa_new[k] = pa_old[k] + 0x1000;
        tb_mem_store(pa_old[k] + OFF, 8, pattern(pa_old[k] + OFF));
        tb_mem_store(pa_new[k] + OFF, 8, pattern(pa_new[k] + OFF));
        pte[k] = pt_map(root, 3, TLB_IOVA + stride * k, 0, pt_leaf(pa_old[k], PTE_RWUAD));
    }
    /* the walk cache learns the leaf table: each walk of the burst is one read */
    pt_map(root, 3, warm, 0, pt_leaf(DATA_BASE + 0x2000ull * MAXP, PTE_RWUAD));
    rd_dev(D1, warm);
    /* dup: pages 0 and 1 only, as 0 0 1 0 1, so that a page's fill follows
     * its own fill of the cycle before and of two cycles before (with room
     * left in the set for the duplicates a missed forward would make) */
    static const unsigned dup_seq[5] = {0, 0, 1, 0, 1};
    const unsigned pages = dup ? 2 : cap;
    unsigned seq[MAXP], n = 0;
    if (dup)
        for (unsigned j = 0; j < 5; j++) seq[n++] = dup_seq[j];
    else
        for (unsigned k = 0; k < cap; k++) seq[n++] = k;
    dma_txn_t *t[MAXP];
    for (unsigned i = 0; i < n; i++) {
        t[i] = dma_txn_new(false, TLB_IOVA + stride * seq[i] + OFF, 0, 3);
        t[i]->user = sim_user(D1, false, 0);
        t[i]->id = i;
        dev_master_submit(sim_dev(), t[i], tb_now());
    }
    uint64_t start = tb_now();
    while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
    for (unsigned i = 0; i < n; i++)
        CHECK(t[i]->done && t[i]->data[0] == pattern(pa_old[seq[i]] + OFF), "read %u (page %u) of the burst", i, seq[i]);
    if (!txns_finish(t, n, CQ_TIMEOUT, "the burst of misses into one set")) return 1;
    for (unsigned k = 0; k < pages; k++) tb_mem_store(pte[k], 8, pt_leaf(pa_new[k], PTE_RWUAD));
    expect_still_cached(pages, stride, OFF, pa_old, "of one set filled together");
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}
static int t_tlb_fill_burst(void) { return tlb_fill_burst_case(false); }
static int t_tlb_fill_burst2(void) { return tlb_fill_burst_case(true); }

/* ---- IOTINVAL.VMA on non-leaf entries (walk cache) --------------------------------------- */
/* The level-1 PTE over the 2 MiB region R is changed from leaf table LA to
 * LB (valid to valid).  Page k of R maps DATA_BASE + k pages in LA and
 * DATA_BASE + 0x100000 + k pages in LB.  AV=0 invalidation "invalidates all
 * address-translation cache entries" of the address space, non-leaf ones
 * included, so pages never read before take the new path afterwards. */
#define IOVA_R 0x00600000ull
static uint64_t r_pa(bool newtab, unsigned k) { return DATA_BASE + (newtab ? 0x100000 : 0) + 0x1000ull * k; }

static void expect_page(const char *what, unsigned k, bool newtab) {
    uint64_t v = rd_dev(D1, IOVA_R + 0x1000ull * k + 0x10);
    uint64_t o = pattern(r_pa(false, k) + 0x10), n = pattern(r_pa(true, k) + 0x10);
    CHECK(v == (newtab ? n : o), "%s: page %u: expected the %s path, got %s", what, k,
          newtab ? "new" : "old (cached)", v == o ? "the old one" : v == n ? "the new one" : "other data");
}

static int walk_case(bool pscv) {
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    add_device(&d, D2, P2);
    uint64_t la = pt_alloc(), lb = pt_alloc();
    for (unsigned k = 0; k < 8; k++) {
        tb_mem_store(la + 8 * k, 8, pt_leaf(r_pa(false, k), PTE_RWUAD));
        tb_mem_store(lb + 8 * k, 8, pt_leaf(r_pa(true, k), PTE_RWUAD));
        tb_mem_store(r_pa(false, k) + 0x10, 8, pattern(r_pa(false, k) + 0x10));
        tb_mem_store(r_pa(true, k) + 0x10, 8, pattern(r_pa(true, k) + 0x10));
    }
    /* root[0] -> level-1 table; its entry 3 (IOVA 0x600000) -> LA */
    uint64_t l1 = pt_alloc();
    tb_mem_store(root, 8, ((l1 >> 12) << 10) | PTE_V);
    uint64_t nl = l1 + ((IOVA_R >> 21) & 0x1ff) * 8;
    tb_mem_store(nl, 8, ((la >> 12) << 10) | PTE_V);
    expect_page("warm-up", 0, false);
    tb_mem_store(nl, 8, ((lb >> 12) << 10) | PTE_V);
    expect_page("non-leaf changed, no invalidation (cached leaf)", 0, false);
    expect_page("non-leaf changed, no invalidation (cached non-leaf)", 1, false);
    cq_put(cmd_iotinval(0, false, 0, true, P2, false, 0));
    if (!cq_sync("AV=0 PSCV=1 of another PSCID")) return 1;
    expect_page("after AV=0 PSCV=1 of another PSCID (cached non-leaf)", 2, false);
    cq_put(cmd_iotinval(0, false, 0, pscv, pscv ? P1 : 0, false, 0));
    if (!cq_sync(pscv ? "AV=0 PSCV=1 PSCID=P1" : "AV=0 PSCV=0")) return 1;
    const char *what = pscv ? "after AV=0 PSCV=1 PSCID=P1" : "after AV=0 PSCV=0";
    expect_page(what, 4, true);
    expect_page(what, 0, true);
    expect_page(what, 1, true);
    expect_page(what, 2, true);
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}

static int t_vma_nonleaf(void) {
    int rc = walk_case(true);
    return rc ? rc : walk_case(false);
}

/* A walk-cache invalidation racing walks.  Region R's level-1 PTE points to
 * leaf table LA (page k -> DATA_BASE + k pages) and is changed to LB (page k
 * -> DATA_BASE + 2 MiB + k pages) while the walk cache holds R -> LA.  The
 * device reads pages 1..NP-1 of R (IOTLB misses: each walks, and starts from
 * the walk cache) while IOTINVAL.VMA AV=0 PSCV=1 and IOFENCE.C PR=PW=1 go
 * through the command queue.  Reads before the fence completes may use
 * either table; once it has completed, every page must read LB's data: a
 * walk that started after the invalidation from a walk-cache entry it had not
 * yet removed (the block-RAM walk cache clears a PSCID one set a cycle) must
 * not have left an IOTLB entry of LA.  R is the 64th 2 MiB region, so its
 * walk-cache set (with 64 sets) is the last one the scan clears. */
#define IOVA_W 0x07e00000ull
static int t_wc_scan_race(void) {
    enum { NP = 256 };
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    uint64_t la = pt_alloc(), lb = pt_alloc(), l1 = pt_alloc();
    for (unsigned k = 0; k < NP; k++) {
        uint64_t po = DATA_BASE + 0x1000ull * k, pn = DATA_BASE + 0x200000 + 0x1000ull * k;
        tb_mem_store(la + 8 * k, 8, pt_leaf(po, PTE_RWUAD));
        tb_mem_store(lb + 8 * k, 8, pt_leaf(pn, PTE_RWUAD));
        tb_mem_store(po + 0x10, 8, pattern(po + 0x10));
        tb_mem_store(pn + 0x10, 8, pattern(pn + 0x10));
    }
    tb_mem_store(root, 8, ((l1 >> 12) << 10) | PTE_V);
    uint64_t nl = l1 + ((IOVA_W >> 21) & 0x1ff) * 8;
    tb_mem_store(nl, 8, ((la >> 12) << 10) | PTE_V);
    CHECK_EQ(rd_dev(D1, IOVA_W + 0x10), pattern(DATA_BASE + 0x10), "warm-up (walk cache: R -> LA)");
    tb_mem_store(nl, 8, ((lb >> 12) << 10) | PTE_V);
    /* one read every 3 cycles, from before the commands until the fence's
     * DATA is in memory; then the pages again, newest first (an FA IOTLB
     * keeps only the latest fills) */
    dma_txn_t *t[NP];
    uint32_t v = 0x5e900000u + ++sync_seq;
    unsigned n = 1;
    t[0] = NULL;
    cq_put(cmd_iotinval(0, false, 0, true, P1, false, 0));
    cq_put(cmd_iofence(true, false, true, true, FLAG_BASE, v));
    for (bool rung = false; n < NP && (uint32_t)tb_mem_load(FLAG_BASE, 4) != v; n++) {
        t[n] = dma_txn_new(false, IOVA_W + 0x1000ull * n + 0x10, 0, 3);
        t[n]->user = sim_user(D1, false, 0);
        t[n]->id = n & 7;
        dev_master_submit(sim_dev(), t[n], tb_now());
        tb_cycles(3);
        if (n == 8 && !rung) {
            cq_ring();
            rung = true;
        }
    }
    CHECK(n < NP, "the fence did not complete while %u reads were submitted", NP - 1);
    CHECK(cq_wait_idle(CQ_TIMEOUT), "the command queue did not drain");
    CHECK_EQ((uint32_t)tb_mem_load(FLAG_BASE, 4), v, "IOFENCE.C wrote its DATA");
    if (!txns_finish(t, n, CQ_TIMEOUT, "reads of R during the invalidation")) return 1;
    unsigned old = 0;
    for (unsigned k = n; k-- > 0;) {
        uint64_t pn = DATA_BASE + 0x200000 + 0x1000ull * k;
        uint64_t got = rd_dev(D1, IOVA_W + 0x1000ull * k + 0x10);
        old += got == pattern(DATA_BASE + 0x1000ull * k + 0x10);
        CHECK(got == pattern(pn + 0x10), "page %u after the fence: %s", k,
              got == pattern(DATA_BASE + 0x1000ull * k + 0x10) ? "the old table's data" : "other data");
    }
    CHECK_EQ(old, 0, "pages that kept the old table after the fence");
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}

/* A ddtp write under DMA.  Directory A maps device D1's X (a 4 KiB page) and
 * Z (a 2 MiB page) to old data, directory B (same PSCID, so the IOTLB tags
 * are the same) to new data.  With X and Z cached, the device reads them
 * every 2 cycles while software writes ddtp = B without waiting.  Every read
 * submitted after the register write completed must get B's data
 * (README: a mode change takes effect for requests that arrive after the
 * write), though the block-RAM arrays are still being wiped then. */
#define IOVA_Z 0x00c00000ull
static int t_ddtp_flush_race(void) {
    enum { NR = 240, AT = 40 };
    ddt_t a, b;
    setup(&a, false);
    uint64_t ra = add_device(&a, D1, P1);
    b.mode = 2;
    b.root = pt_alloc();
    uint64_t rb = add_device(&b, D1, P1);
    const uint64_t xo = DATA_BASE, xn = DATA_BASE + 0x1000, zo = BIG_BASE, zn = BIG_BASE + 0x200000;
    pt_map(ra, 3, IOVA_X, 0, pt_leaf(xo, PTE_RWUAD));
    pt_map(rb, 3, IOVA_X, 0, pt_leaf(xn, PTE_RWUAD));
    pt_map(ra, 3, IOVA_Z, 1, pt_leaf(zo, PTE_RWUAD));
    pt_map(rb, 3, IOVA_Z, 1, pt_leaf(zn, PTE_RWUAD));
    for (unsigned k = 0; k < 2; k++) {
        uint64_t pa[2] = {k ? xn : xo, (k ? zn : zo) + 0x3000};
        for (unsigned j = 0; j < 2; j++) tb_mem_store(pa[j] + 0x10, 8, pattern(pa[j] + 0x10));
    }
    CHECK_EQ(rd_dev(D1, IOVA_X + 0x10), pattern(xo + 0x10), "X under A (cached)");
    CHECK_EQ(rd_dev(D1, IOVA_Z + 0x3010), pattern(zo + 0x3010), "Z under A (cached)");
    dma_txn_t *t[NR];
    bool post[NR];
    uint64_t after = 0;
    unsigned first_after = NR;
    for (unsigned k = 0; k < NR; k++) {
        t[k] = dma_txn_new(false, (k & 1) ? IOVA_Z + 0x3010 : IOVA_X + 0x10, 0, 3);
        t[k]->user = sim_user(D1, false, 0);
        t[k]->id = k & 7;
        post[k] = after && tb_now() >= after;   /* submitted after the write completed */
        if (post[k] && first_after == NR) first_after = k;
        dev_master_submit(sim_dev(), t[k], tb_now());
        tb_cycles(2);
        if (k == AT) {
            wr64(IOMMU_REG_DDTP, IOMMU_FIELD_PREP(IOMMU_DDTP_IOMMU_MODE, 2) |
                                     IOMMU_FIELD_PREP(IOMMU_DDTP_PPN, b.root >> 12));
            after = tb_now();
        }
    }
    uint64_t start = tb_now();
    for (unsigned k = 0; k < NR; k++)
        while (!t[k]->done && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
    unsigned bad = 0, n_after = 0;
    for (unsigned k = 0; k < NR; k++) {
        bool z = k & 1;
        uint64_t o = z ? pattern(zo + 0x3010) : pattern(xo + 0x10), n = z ? pattern(zn + 0x3010) : pattern(xn + 0x10);
        CHECK(t[k]->done && t[k]->resp == AXI_OKAY, "read %u: not done or not OKAY", k);
        CHECK(t[k]->data[0] == o || t[k]->data[0] == n, "read %u of %s: neither A's nor B's data", k, z ? "Z" : "X");
        if (post[k]) {
            n_after++;
            if (t[k]->data[0] != n) bad++;
        }
    }
    CHECK(first_after > AT && n_after > 100, "%u reads submitted after the ddtp write", n_after);
    CHECK(bad == 0, "%u of %u reads submitted after the ddtp write used directory A", bad, n_after);
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 10000), "ddtp.busy stays 1");
    dma_txn_t *x;
    while ((x = dev_master_take_done(sim_dev()))) dma_txn_free(x);
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}

/* ---- GV=1 and IOTINVAL.GVMA: legal, complete (nothing here belongs to a VM) -------------- */
static int t_gv(void) {
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    pt_map(root, 3, IOVA_X, 0, pt_leaf(DATA_BASE, PTE_RWUAD));
    tb_mem_store(DATA_BASE + 8, 8, pattern(1));
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(1), "read before");
    static const struct { const char *what; unsigned f3; bool av, pscv, gv; } c[] = {
        {"VMA GV=1 AV=0 PSCV=0", 0, false, false, true}, {"VMA GV=1 AV=0 PSCV=1", 0, false, true, true},
        {"VMA GV=1 AV=1 PSCV=0", 0, true, false, true},  {"VMA GV=1 AV=1 PSCV=1", 0, true, true, true},
        {"GVMA GV=0 AV=0", 1, false, false, false},      {"GVMA GV=0 AV=1 (AV ignored)", 1, true, false, false},
        {"GVMA GV=1 AV=0", 1, false, false, true},       {"GVMA GV=1 AV=1", 1, true, false, true},
    };
    for (unsigned i = 0; i < sizeof c / sizeof *c; i++) {
        uint32_t idx = cq_put(cmd_iotinval(c[i].f3, c[i].av, IOVA_X, c[i].pscv, P1, c[i].gv, 0xbeef));
        if (!cq_sync(c[i].what)) return 1;
        CHECK(((rd32(IOMMU_REG_CQH) - idx) & 63) == 2, "%s: cqh did not move past the command", c[i].what);
        CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(1), "translation unchanged");
    }
    return 0;
}

/* Operands the spec says are ignored do not make a command illegal:
 * GSCID with GV=0, PSCID with PSCV=0, ADDR with AV=0, DID with DV=0 in
 * IODIR.INVAL_DDT, ADDR and DATA with AV=0 in IOFENCE.C. */
static int t_ignored_operands(void) {
    ddt_t d;
    setup(&d, false);
    static const struct { const char *what; cq_cmd_t c; } c[] = {
        {"IOTINVAL.VMA GV=0 with GSCID", {0x0ffff00000000001ull, 0}},
        {"IOTINVAL.VMA PSCV=0 with PSCID", {0x00000000fffff001ull, 0}},
        {"IOTINVAL.VMA AV=0 with ADDR", {0x1, 0x3ffffffffffffc00ull}},
        {"IODIR.INVAL_DDT DV=0 with DID", {0xffffff0000000003ull, 0}},
        {"IOFENCE.C AV=0 with DATA and ADDR", {0xffffffff00000002ull, 0x3fffffffffffffffull}},
    };
    uint64_t w0 = axi_slave_writes(sim_ds_slave());
    for (unsigned i = 0; i < sizeof c / sizeof *c; i++) {
        cq_put(c[i].c);
        if (!cq_sync(c[i].what)) return 1;
    }
    CHECK_EQ(axi_slave_writes(sim_ds_slave()) - w0, sizeof c / sizeof *c,
             "one write per syncing fence, none for IOFENCE.C with AV=0");
    return 0;
}

/* ---- IODIR ----------------------------------------------------------------------------- */
/* DCs of D1 and D2 change in memory (new PSCID, new first-stage table mapping
 * IOVA X elsewhere); the DC of D3 becomes invalid (V=0).  INVAL_DDT DV=1
 * makes D1's new DC used, not D2's; IOTINVAL touches no directory cache (spec
 * note); DV=0 makes every new DC used: D2 translates with its new table, D3
 * faults 258. */
static int t_iodir_ddt(void) {
    ddt_t d;
    setup(&d, false);
    const uint32_t did[3] = {D1, D2, 0x33};
    uint64_t pa_old[3], pa_new[3], root_new[3];
    for (unsigned i = 0; i < 3; i++) {
        uint64_t root = add_device(&d, did[i], 0x10 + i);
        root_new[i] = pt_alloc();
        pa_old[i] = DATA_BASE + 0x1000ull * i;
        pa_new[i] = DATA_BASE + 0x100000 + 0x1000ull * i;
        pt_map(root, 3, IOVA_X, 0, pt_leaf(pa_old[i], PTE_RWUAD));
        pt_map(root_new[i], 3, IOVA_X, 0, pt_leaf(pa_new[i], PTE_RWUAD));
        tb_mem_store(pa_old[i] + 8, 8, pattern(pa_old[i]));
        tb_mem_store(pa_new[i] + 8, 8, pattern(pa_new[i]));
        CHECK_EQ(rd_dev(did[i], IOVA_X + 8), pattern(pa_old[i]), "warm-up read");
    }
    /* new DCs in memory, no invalidation yet */
    dc_write(&d, did[0], 1, 0, 0x20ull << 12, pt_satp(3, root_new[0]));
    dc_write(&d, did[1], 1, 0, 0x21ull << 12, pt_satp(3, root_new[1]));
    tb_mem_store(ddt_dc_addr(&d, did[2]), 8, 0);   /* tc.V = 0 */
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(rd_dev(did[i], IOVA_X + 8), pattern(pa_old[i]), "DC changed, no invalidation: old DC (cached)");

    cq_put(cmd_iodir(0, true, 0x44, 0));   /* a device that has no DC */
    if (!cq_sync("INVAL_DDT DV=1 DID=0x44")) return 1;
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(rd_dev(did[i], IOVA_X + 8), pattern(pa_old[i]), "INVAL_DDT of another DID: old DC (cached)");

    cq_put(cmd_iodir(0, true, D1, 0));
    if (!cq_sync("INVAL_DDT DV=1 DID=D1")) return 1;
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(pa_new[0]), "INVAL_DDT DV=1 DID=D1: D1 uses its new DC");
    CHECK_EQ(rd_dev(D2, IOVA_X + 8), pattern(pa_old[1]), "INVAL_DDT DV=1 DID=D1: D2 keeps its old DC (cached)");
    CHECK_EQ(rd_dev(0x33, IOVA_X + 8), pattern(pa_old[2]), "INVAL_DDT DV=1 DID=D1: D3 keeps its old DC (cached)");

    /* IOTINVAL has no effect on directory caches: D2's old DC (old PSCID, old
     * table, still in memory) keeps translating X to its old page. */
    cq_put(cmd_iotinval(0, false, 0, false, 0, false, 0));
    if (!cq_sync("IOTINVAL.VMA AV=0 PSCV=0")) return 1;
    CHECK_EQ(rd_dev(D2, IOVA_X + 8), pattern(pa_old[1]), "IOTINVAL leaves D2's DC cached");
    CHECK_EQ(fq_count(), 0, "no fault record yet");

    cq_put(cmd_iodir(0, false, 0, 0));
    if (!cq_sync("INVAL_DDT DV=0")) return 1;
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(pa_new[0]), "INVAL_DDT DV=0: D1 new DC");
    CHECK_EQ(rd_dev(D2, IOVA_X + 8), pattern(pa_new[1]), "INVAL_DDT DV=0: D2 new DC");
    uint64_t v = 0;
    CHECK_EQ(dma_rd(0x33, IOVA_X + 8, 8, &v), AXI_SLVERR, "INVAL_DDT DV=0: D3's DC is now invalid");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, 1, ~0ull, 2000), "no fault record for D3");
    fault_rec_t r = fq_record(FQ_BASE, 0);
    CHECK_EQ(r.cause, 258, "D3: cause 258 (DDT entry not valid)");
    CHECK_EQ(r.did, 0x33, "D3: record DID");
    return 0;
}

/* A read by D1 whose DC and walk-cache entries are cached waits for a walk
 * (every walk context busy behind slow memory, filled by misses of D2 on both
 * channels) while, without tables:
 *   DC:  D1's DC changes in memory (a new first-stage table) and IODIR.INVAL_DDT
 *        DV=1 D1 and IOTINVAL.VMA PSCV=1 P1 execute;
 *   PT:  D1's level-1 PTE for the read's 2 MiB changes to a new level-0 table
 *        and IOTINVAL.VMA AV=1 PSCV=1 executes for the read's address.
 * What the read carries (its DC; its walk-cache answer, held from the compare)
 * is dropped wherever it waits (a slot, the channel's walk-request register,
 * the walker's intake), so its walk reads the new structure and the read
 * returns the new page.  The 8 write and 0..7 read fillers come first and fill
 * the walk contexts (8 by default) and the intake (q2, q1, q0), so the read
 * waits in each of those places in one of the runs. */
static int inflight(bool pt) {
    for (unsigned k = 0; k < 8; k++) {
        ddt_t d;
        setup(&d, false);
        uint64_t root1 = add_device(&d, D1, P1), root1_new = pt_alloc();
        uint64_t root2 = add_device(&d, D2, P2);
        const uint64_t pa_old = DATA_BASE, pa_new = DATA_BASE + 0x100000;
        pt_map(root1, 3, IOVA_Y, 0, pt_leaf(DATA_BASE + 0x2000, PTE_RWUAD));
        pt_map(root1, 3, IOVA_X, 0, pt_leaf(pa_old, PTE_RWUAD));
        pt_map(root1_new, 3, IOVA_X, 0, pt_leaf(pa_new, PTE_RWUAD));
        tb_mem_store(pa_old + 8, 8, pattern(pa_old));
        tb_mem_store(pa_new + 8, 8, pattern(pa_new));
        for (unsigned i = 0; i < 16; i++)
            pt_map(root2, 3, 0x40000000ull + i * 4096, 0, pt_leaf(DATA_BASE + 0x200000 + i * 4096, PTE_RWUAD));
        rd_dev(D1, IOVA_Y + 8);                    /* D1's DC and table pointers cached (read channel) */

        axi_slave_cfg_t c, slow;
        axi_slave_get_cfg(sim_ds_slave(), &c);
        slow = c;
        slow.latency = 3000;
        axi_slave_set_cfg(sim_ds_slave(), &slow);
        dma_txn_t *t[17] = {0};
        unsigned n = 0;
        for (unsigned i = 0; i < 8; i++) {        /* write fillers */
            t[n] = dma_txn_new(true, 0x40000000ull + (8 + i) * 4096, 0, 3);
            t[n]->user = sim_user(D2, false, 0);
            dev_master_submit(sim_dev(), t[n++], tb_now());
        }
        for (unsigned i = 0; i < k; i++) {        /* read fillers */
            t[n] = dma_txn_new(false, 0x40000000ull + i * 4096, 0, 3);
            t[n]->id = 1 + i;
            t[n]->user = sim_user(D2, false, 0);
            dev_master_submit(sim_dev(), t[n++], tb_now());
        }
        tb_cycles(60);                            /* 8 walks and the walker's 3 intake registers */
        dma_txn_t *x = dma_txn_new(false, IOVA_X + 8, 0, 3);
        x->id = 12;
        x->user = sim_user(D1, false, 0);
        dev_master_submit(sim_dev(), x, tb_now());
        tb_cycles(30);
        axi_slave_set_cfg(sim_ds_slave(), &c);

        if (pt) {
            /* the level-1 PTE of X's 2 MiB now points to root1_new's level-0 table */
            uint64_t l0_new = pt_map(root1_new, 3, IOVA_X, 0, pt_leaf(pa_new, PTE_RWUAD)) & ~0xfffull;
            pt_map(root1, 3, IOVA_X, 1, ((l0_new >> 12) << 10) | 1);
            cq_put(cmd_iotinval(0, true, IOVA_X, true, P1, false, 0));
        } else {
            /* the spec's guideline for a changed DC: IODIR.INVAL_DDT, then
             * IOTINVAL.VMA PSCV=1 for its PSCID (walk-cache entries of root1) */
            dc_write(&d, D1, 1, 0, (uint64_t)P1 << 12, pt_satp(3, root1_new));
            cq_put(cmd_iodir(0, true, D1, 0));
            cq_put(cmd_iotinval(0, false, 0, true, P1, false, 0));
        }
        cq_ring();
        CHECK(cq_wait_idle(CQ_TIMEOUT), "%u read fillers: the invalidation did not complete", k);
        CHECK(!x->done, "%u read fillers: D1's read did not wait for a walk", k);
        t[n++] = x;
        uint64_t start = tb_now();
        while (!x->done && tb_now() - start < 40000) tb_cycles(1);
        CHECK(x->done && x->resp == AXI_OKAY, "%u read fillers: D1's read did not complete", k);
        CHECK(x->data[0] == pattern(pa_new), "%u read fillers: D1's read returned %#llx, not its new page's %#llx",
              k, (unsigned long long)x->data[0], (unsigned long long)pattern(pa_new));
        if (!txns_finish(t, n, 40000, "fillers")) return 1;
    }
    return 0;
}
static int t_iodir_inflight(void) { return inflight(false); }
static int t_iotinval_inflight(void) { return inflight(true); }

/* IODIR.INVAL_PDT with DV=1: legal (no PDT here, nothing cached), completes. */
static int t_iodir_pdt(void) {
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    pt_map(root, 3, IOVA_X, 0, pt_leaf(DATA_BASE, PTE_RWUAD));
    tb_mem_store(DATA_BASE + 8, 8, pattern(2));
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(2), "read before");
    uint32_t idx = cq_put(cmd_iodir(1, true, D1, 0));
    if (!cq_sync("INVAL_PDT DV=1 DID=D1 PID=0")) return 1;
    CHECK(((rd32(IOMMU_REG_CQH) - idx) & 63) == 2, "cqh did not move past INVAL_PDT");
    cq_put(cmd_iodir(1, true, 0x7f, 0));
    if (!cq_sync("INVAL_PDT DV=1 DID=0x7f")) return 1;
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(2), "translation unchanged");
    return 0;
}

/* ---- IOFENCE.C ------------------------------------------------------------------------- */
/* AV=1: DATA stored as one 4-byte store at ADDR[63:2]*4, nothing around it;
 * AV=0: nothing stored. */
static int t_fence_av(void) {
    ddt_t d;
    setup(&d, false);
    const uint64_t a = FLAG_BASE + 0x100;
    tb_mem_fill(a, 64, 0xee);
    uint32_t idx = cq_submit(cmd_iofence(true, false, false, false, a + 0x14, 0x12345678));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C AV=1 (upper half of a doubleword) did not complete");
    CHECK_EQ(rd32(IOMMU_REG_CQH), idx + 1, "cqh after the fence");
    CHECK_EQ(tb_mem_load(a + 0x14, 4), 0x12345678, "DATA at ADDR");
    CHECK_EQ(tb_mem_load(a + 0x10, 4), 0xeeeeeeee, "the 4 bytes below ADDR untouched");
    CHECK_EQ(tb_mem_load(a + 0x18, 8), 0xeeeeeeeeeeeeeeeeull, "the bytes above ADDR untouched");

    cq_submit(cmd_iofence(true, false, false, false, a + 0x20, 0xcafef00d));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C AV=1 (lower half) did not complete");
    CHECK_EQ(tb_mem_load(a + 0x20, 4), 0xcafef00d, "DATA at ADDR (lower half)");
    CHECK_EQ(tb_mem_load(a + 0x24, 4), 0xeeeeeeee, "the upper half untouched");
    CHECK_EQ(tb_mem_load(a + 0x1c, 4), 0xeeeeeeee, "the word below untouched");

    /* ADDR[63:2] uses every bit up to the 56-bit physical address space */
    const uint64_t hi = 0x00fedcba98765430ull;
    tb_mem_fill(hi - 8, 24, 0xee);
    cq_submit(cmd_iofence(true, false, false, false, hi + 4, 0xa5a5a5a5));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C AV=1 (high address) did not complete");
    CHECK_EQ(tb_mem_load(hi + 4, 4), 0xa5a5a5a5, "DATA at a high ADDR");
    CHECK_EQ(tb_mem_load(hi, 4), 0xeeeeeeee, "below the high ADDR untouched");
    CHECK_EQ(tb_mem_load(hi + 8, 8), 0xeeeeeeeeeeeeeeeeull, "above the high ADDR untouched");

    /* AV=0: ADDR and DATA ignored */
    uint64_t w0 = axi_slave_writes(sim_ds_slave());
    cq_submit(cmd_iofence(false, false, false, false, a + 0x30, 0x11111111));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C AV=0 did not complete");
    CHECK_EQ(tb_mem_load(a + 0x30, 4), 0xeeeeeeee, "AV=0: nothing written at ADDR");
    CHECK_EQ(axi_slave_writes(sim_ds_slave()), w0, "AV=0: no write on the data-structure port");
    CHECK_EQ(cqcsr() & (CQCSR_ERR | IOMMU_CQCSR_FENCE_W_IP_MASK), 0, "no error bit, no fence_w_ip");
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "no interrupt pending");
    return 0;
}

/* IOFENCE.C AV=1 while the data-structure port is busy: page-table walks and
 * fault records (4-beat writes) share it with the fences' writes.  Every
 * fence still writes exactly its 4 bytes, every record is intact.  Run with
 * the port idle-fast and again with random back-pressure and response gaps. */
static int fence_busy_case(bool stall) {
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    const unsigned npages = 48, nfault = 16, nfence = 24;
    for (unsigned k = 0; k < npages; k++) {   /* each page under its own leaf table: 2-3 reads per walk */
        pt_map(root, 3, 0x1000000ull + 0x200000ull * k, 0, pt_leaf(DATA_BASE + 0x1000ull * k, PTE_RWUAD));
        tb_mem_store(DATA_BASE + 0x1000ull * k, 8, pattern(k));
    }
    axi_slave_cfg_t c0, c;
    axi_slave_get_cfg(sim_ds_slave(), &c0);
    c = c0;
    if (stall) {
        c.stall_pct = 30;
        c.gap_pct = 30;
        c.jitter = 8;
    }
    axi_slave_set_cfg(sim_ds_slave(), &c);
    const uint64_t f = FLAG_BASE + 0x400;
    tb_mem_fill(f, 8 * nfence + 8, 0xee);
    dma_txn_t *t[64];
    unsigned nt = 0, fences = 0;
    for (unsigned k = 0; k < npages + nfault; k++) {
        bool fault = k % 4 == 3;   /* every fourth read goes to an unmapped page */
        uint64_t iova = fault ? 0x40000000ull + 0x1000ull * k : 0x1000000ull + 0x200000ull * (k - k / 4);
        dma_txn_t *x = dma_txn_new(false, iova, 0, 3);
        x->user = sim_user(D1, false, 0);
        x->id = k & 3;
        x->tag = fault;
        dev_master_submit(sim_dev(), x, tb_now());
        t[nt++] = x;
        if (k % 8 == 7 && fences < nfence) {
            for (unsigned j = 0; j < 3 && fences < nfence; j++, fences++)
                cq_put(cmd_iofence(true, false, false, false, f + 8 * fences + 4 * (fences & 1), 0xf000 + fences));
            cq_ring();
        }
    }
    CHECK(cq_wait_idle(CQ_TIMEOUT), "%s: the fences did not complete", stall ? "stalls" : "no stalls");
    uint64_t start = tb_now();
    while (dev_master_busy(sim_dev()) && tb_now() - start < CQ_TIMEOUT) tb_cycles(1);
    for (unsigned i = 0; i < nt; i++)
        if (t[i]->done && !t[i]->tag)
            CHECK(t[i]->data[0] == pattern((t[i]->addr - 0x1000000ull) / 0x200000ull),
                  "DMA at %#llx read the wrong data", (unsigned long long)t[i]->addr);
    bool ok = txns_finish(t, nt, CQ_TIMEOUT, stall ? "stalls" : "no stalls");
    axi_slave_set_cfg(sim_ds_slave(), &c0);
    CHECK_EQ(fences, nfence, "fences queued");
    for (unsigned k = 0; k < nfence; k++) {
        uint64_t a = f + 8 * k;
        uint32_t lo = (uint32_t)tb_mem_load(a, 4), hi = (uint32_t)tb_mem_load(a + 4, 4);
        uint32_t want = 0xf000 + k;
        CHECK((k & 1 ? hi : lo) == want && (k & 1 ? lo : hi) == 0xeeeeeeee,
              "%s: fence %u: doubleword %#llx holds %08x_%08x, expected DATA %#x in the %s half only",
              stall ? "stalls" : "no stalls", k, (unsigned long long)a, hi, lo, want, k & 1 ? "upper" : "lower");
    }
    CHECK_EQ(tb_mem_load(f + 8 * nfence, 8), 0xeeeeeeeeeeeeeeeeull, "past the last fence's word");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, nfault, ~0ull, 5000), "fault records: fqt %u, expected %u",
          rd32(IOMMU_REG_FQT), nfault);
    for (unsigned i = 0; i < nfault; i++) {
        fault_rec_t r = fq_record(FQ_BASE, i);
        CHECK(r.cause == 13 && r.did == D1 && r.ttyp == 2 && r.iotval >= 0x40000000ull &&
                  r.iotval < 0x40000000ull + 0x1000ull * (npages + nfault) && r.iotval2 == 0 && r.dw1 == 0,
              "record %u corrupt: cause %u did %#x ttyp %u iotval %#llx", i, r.cause, r.did, r.ttyp,
              (unsigned long long)r.iotval);
    }
    return ok ? 0 : 1;
}

static int t_fence_av_busy(void) {
    int rc = fence_busy_case(false);
    return rc | fence_busy_case(true);
}

/* WSI=1: fence_w_ip on completion; with cie, ipsr.cip and the wire icvec.civ
 * selects.  WSI=0 sets nothing.  Each civ value 0..3 selects its wire. */
static int t_fence_wsi(void) {
    ddt_t d;
    setup(&d, false);
    /* cie = 0: fence_w_ip only */
    cq_submit(cmd_iofence(false, true, false, false, 0, 0));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C WSI=1 did not complete");
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_FENCE_W_IP_MASK, IOMMU_CQCSR_FENCE_W_IP_MASK, 100),
          "fence_w_ip not set by IOFENCE.C WSI=1");
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & IOMMU_IPSR_CIP_MASK, 0, "cie=0: no cip");
    CHECK_EQ(tb_wsi(), 0, "cie=0: no wire");
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK);
    CHECK_EQ(cqcsr() & IOMMU_CQCSR_FENCE_W_IP_MASK, 0, "fence_w_ip cleared by writing 1");

    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK);
    for (unsigned k = 0; k < 4; k++) {
        wr64(IOMMU_REG_ICVEC, IOMMU_FIELD_PREP(IOMMU_ICVEC_CIV, k) | IOMMU_FIELD_PREP(IOMMU_ICVEC_FIV, 3 - k));
        tb_mem_store(FLAG_BASE + 0x40, 4, 0);
        cq_submit(cmd_iofence(false, false, false, false, 0, 0));   /* WSI=0 */
        CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C WSI=0 did not complete");
        tb_cycles(20);
        CHECK_EQ(cqcsr() & IOMMU_CQCSR_FENCE_W_IP_MASK, 0, "WSI=0: no fence_w_ip");
        CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "WSI=0: no cip");
        CHECK_EQ(tb_wsi(), 0, "WSI=0: no wire");
        cq_submit(cmd_iofence(true, true, false, false, FLAG_BASE + 0x40, 0x77 + k));   /* WSI=1, AV=1 */
        CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C WSI=1 AV=1 did not complete");
        CHECK_EQ(tb_mem_load(FLAG_BASE + 0x40, 4), 0x77 + k, "WSI=1 AV=1: DATA written too");
        CHECK(poll_reg(IOMMU_REG_IPSR, 4, IOMMU_IPSR_CIP_MASK, IOMMU_IPSR_CIP_MASK, 100), "civ=%u: no cip", k);
        CHECK_EQ(cqcsr() & IOMMU_CQCSR_FENCE_W_IP_MASK, IOMMU_CQCSR_FENCE_W_IP_MASK, "fence_w_ip");
        tb_cycles(2);
        CHECK_EQ(tb_wsi(), 1u << k, "the wire icvec.civ selects, and only it");
        cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK);
        wr32(IOMMU_REG_IPSR, IOMMU_IPSR_CIP_MASK);
        tb_cycles(2);
        CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "cip cleared (fence_w_ip cleared first)");
        CHECK_EQ(tb_wsi(), 0, "wire drops with cip");
    }
    return 0;
}

/* ipsr.cip follows the spec's condition, not an edge: "set to 1 if cie is 1
 * and fence_w_ip (cmd_ill, cmd_to, cqmf) is 1", and "if the conditions to set
 * that bit are still present" after software clears it, it is set again.
 * So clearing cip while fence_w_ip holds does not stick, and turning cie on
 * while fence_w_ip holds sets cip. */
static int t_cip_level(void) {
    ddt_t d;
    setup(&d, true);
    wr64(IOMMU_REG_ICVEC, IOMMU_FIELD_PREP(IOMMU_ICVEC_CIV, 1));
    cq_submit(cmd_iofence(false, true, false, false, 0, 0));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C WSI=1 did not complete");
    CHECK(poll_reg(IOMMU_REG_IPSR, 4, 1, 1, 100), "no cip");
    wr32(IOMMU_REG_IPSR, IOMMU_IPSR_CIP_MASK);
    tb_cycles(2);
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 1, 1, "cip set again while fence_w_ip is 1");
    CHECK_EQ(tb_wsi(), 2, "wire 1 stays up");
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK);
    wr32(IOMMU_REG_IPSR, IOMMU_IPSR_CIP_MASK);
    tb_cycles(2);
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "cip stays 0 once fence_w_ip is 0");
    CHECK_EQ(tb_wsi(), 0, "wire down");
    /* cie = 0, fence_w_ip = 1, then cie = 1 */
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK);
    cq_submit(cmd_iofence(false, true, false, false, 0, 0));
    CHECK(cq_wait_idle(CQ_TIMEOUT), "IOFENCE.C WSI=1 did not complete");
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_FENCE_W_IP_MASK, IOMMU_CQCSR_FENCE_W_IP_MASK, 100), "fence_w_ip");
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "cie=0: no cip");
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK);
    tb_cycles(2);
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 1, 1, "cie turned on while fence_w_ip is 1: cip");
    CHECK_EQ(tb_wsi(), 2, "wire 1");
    return 0;
}

/* PR/PW: a fence must not complete before the device reads (PR) / writes (PW)
 * the IOMMU already passed on have completed at memory.  The memory port is
 * made slow (its responses come LAT cycles after the request); the DMA is on
 * the memory port before the fence is queued; the fence's completion write
 * (AV=1) must start after the DMA's last R beat / B at the memory port, and
 * cqh must stay on the fence meanwhile. */
#define LAT 1500
#define NONE UINT64_MAX
static struct {
    uint64_t flag;
    uint64_t mem_ar, mem_r, mem_aw, mem_w, mem_b, fence_aw;
} ob;

static void observe(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    const axi_port_t *m = &io->mem, *s = &io->ds;
    if (m->arvalid && m->arready && ob.mem_ar == NONE) ob.mem_ar = now;
    if (m->rvalid && m->rready && m->rlast) ob.mem_r = now;
    if (m->awvalid && m->awready && ob.mem_aw == NONE) ob.mem_aw = now;
    if (m->wvalid && m->wready && m->wlast && ob.mem_w == NONE) ob.mem_w = now;
    if (m->bvalid && m->bready) ob.mem_b = now;
    if (s->awvalid && s->awready && (s->awaddr & ~7ull) == (ob.flag & ~7ull) && ob.fence_aw == NONE)
        ob.fence_aw = now;
}

static void ob_clear(uint64_t flag) {
    ob.flag = flag;
    ob.mem_ar = ob.mem_r = ob.mem_aw = ob.mem_w = ob.mem_b = ob.fence_aw = NONE;
}

static int fence_order_case(bool bare, bool rd, bool wr, bool pr, bool pw) {
    char what[96];
    snprintf(what, sizeof what, "%s, %s%s outstanding, IOFENCE.C PR=%d PW=%d", bare ? "Bare" : "1LVL",
             rd ? "read " : "", wr ? "write " : "", pr, pw);
    ddt_t d;
    setup(&d, false);
    const uint64_t pa = DATA_BASE + 0x5000, iova = bare ? pa : IOVA_X;
    if (bare) {
        set_mode(1);
    } else {
        uint64_t root = add_device(&d, D1, P1);
        pt_map(root, 3, IOVA_X, 0, pt_leaf(pa, PTE_RWUAD));
    }
    tb_mem_store(pa, 8, pattern(pa));
    CHECK_EQ(rd_dev(D1, iova), pattern(pa), "warm-up read");

    axi_slave_cfg_t c0, c;
    axi_slave_get_cfg(sim_mem_slave(), &c0);
    c = c0;
    c.latency = LAT;
    axi_slave_set_cfg(sim_mem_slave(), &c);
    const uint64_t flag = FLAG_BASE + 0x80;
    tb_mem_store(flag, 4, 0);
    ob_clear(flag);
    sim_set_observer(observe, NULL);

    dma_txn_t *tr = NULL, *tw = NULL;
    if (rd) {
        tr = dma_txn_new(false, iova, 0, 3);
        tr->user = sim_user(D1, false, 0);
        dev_master_submit(sim_dev(), tr, tb_now());
    }
    if (wr) {
        tw = dma_txn_new(true, iova + 8, 0, 3);
        tw->user = sim_user(D1, false, 0);
        tw->id = 1;
        tw->data[0] = 0x600d;
        dev_master_submit(sim_dev(), tw, tb_now());
    }
    /* wait until the IOMMU has passed the DMA on to memory */
    uint64_t start = tb_now();
    while (((rd && ob.mem_ar == NONE) || (wr && ob.mem_w == NONE)) && tb_now() - start < 1000) tb_cycles(1);
    CHECK((!rd || ob.mem_ar != NONE) && (!wr || ob.mem_w != NONE), "%s: the DMA did not reach the memory port", what);

    uint32_t idx = cq_submit(cmd_iofence(true, false, pr, pw, flag, 0xf1a9));
    tb_cycles(LAT / 3);
    CHECK((!tr || !tr->done) && (!tw || !tw->done), "%s: DMA done too early: the memory latency did not apply", what);
    CHECK(rd32(IOMMU_REG_CQH) == idx, "%s: cqh moved past the fence while the DMA was outstanding", what);
    CHECK(tb_mem_load(flag, 4) == 0, "%s: the fence wrote its DATA while the DMA was outstanding", what);

    dma_txn_t *both[2] = {tr, tw};
    bool ok = txns_finish(both, 2, 4 * LAT, what);
    CHECK(cq_wait_idle(CQ_TIMEOUT), "%s: the fence did not complete", what);
    CHECK_EQ(tb_mem_load(flag, 4), 0xf1a9, "the fence's DATA");
    CHECK(ob.fence_aw != NONE, "%s: no fence write seen", what);
    if (rd && pr)
        CHECK(ob.fence_aw != NONE && ob.mem_r != NONE && ob.fence_aw > ob.mem_r,
              "%s: fence write at cycle %llu, the read completed at memory at %llu", what,
              (unsigned long long)ob.fence_aw, (unsigned long long)ob.mem_r);
    if (wr && pw)
        CHECK(ob.fence_aw != NONE && ob.mem_b != NONE && ob.fence_aw > ob.mem_b,
              "%s: fence write at cycle %llu, the write completed at memory (B) at %llu", what,
              (unsigned long long)ob.fence_aw, (unsigned long long)ob.mem_b);
    if (wr) CHECK_EQ(tb_mem_load(pa + 8, 8), 0x600d, "the DMA write landed");
    sim_set_observer(NULL, NULL);
    axi_slave_set_cfg(sim_mem_slave(), &c0);
    return ok ? 0 : 1;
}

static int t_fence_pr_pw(void) {
    int rc = 0;
    for (int bare = 0; bare <= 1; bare++) {
        rc |= fence_order_case(bare, true, false, true, false);
        rc |= fence_order_case(bare, false, true, false, true);
        rc |= fence_order_case(bare, true, true, true, true);
    }
    return rc;
}

/* ---- errors ---------------------------------------------------------------------------- */
typedef struct {
    const char *what;
    cq_cmd_t c;
} ill_t;

#define B(n) (1ull << (n))
/* IOTINVAL.VMA, IOFENCE.C, IODIR.INVAL_DDT with nothing else set */
#define VMA    0x001ull
#define GVMA   0x081ull
#define FENCE  0x002ull
#define DDT    0x003ull
#define PDT_DV (0x083ull | B(33))
static const ill_t ill[] = {
    {"opcode 0", {0, 0}},
    {"opcode 4 (ATS.INVAL, capabilities.ATS=0)", {0x004, 0}},
    {"opcode 4 func3 1 (ATS.PRGR, capabilities.ATS=0)", {0x084, 0}},
    {"opcode 5 (reserved)", {0x005, 0}},
    {"opcode 63 (reserved)", {0x03f, 0}},
    {"opcode 64 (custom, none implemented)", {0x040, 0}},
    {"opcode 127 (custom, none implemented)", {0x07f, 0}},
    {"IOTINVAL func3 2", {0x101, 0}},
    {"IOTINVAL func3 7", {0x381, 0}},
    {"IOFENCE func3 1", {0x082, 0}},
    {"IOFENCE func3 7", {0x382, 0}},
    {"IODIR func3 2", {0x103, 0}},
    {"IODIR func3 7", {0x383, 0}},
    {"IOTINVAL.VMA reserved bit 11", {VMA | B(11), 0}},
    {"IOTINVAL.VMA bit 34 (NL, capabilities.NL=0)", {VMA | B(34), 0}},
    {"IOTINVAL.VMA reserved bit 35", {VMA | B(35), 0}},
    {"IOTINVAL.VMA reserved bit 43", {VMA | B(43), 0}},
    {"IOTINVAL.VMA reserved bit 60", {VMA | B(60), 0}},
    {"IOTINVAL.VMA reserved bit 63", {VMA | B(63), 0}},
    {"IOTINVAL.VMA dword1 reserved bit 0", {VMA | B(10), B(0)}},
    {"IOTINVAL.VMA dword1 bit 9 (S, capabilities.S=0)", {VMA | B(10), B(9)}},
    {"IOTINVAL.VMA dword1 reserved bit 62", {VMA | B(10), B(62)}},
    {"IOTINVAL.VMA dword1 reserved bit 63, AV=0", {VMA, B(63)}},
    {"IOTINVAL.GVMA with PSCV=1", {GVMA | B(32), 0}},
    {"IOTINVAL.GVMA reserved bit 11", {GVMA | B(11), 0}},
    {"IOFENCE.C reserved bit 14", {FENCE | B(14), 0}},
    {"IOFENCE.C reserved bit 31", {FENCE | B(31), 0}},
    {"IOFENCE.C dword1 reserved bit 62", {FENCE, B(62)}},
    {"IOFENCE.C dword1 reserved bit 63", {FENCE | B(10), B(63) | (FLAG_BASE >> 2)}},
    {"IODIR.INVAL_DDT reserved bit 10", {DDT | B(10), 0}},
    {"IODIR.INVAL_DDT reserved bit 11", {DDT | B(11), 0}},
    {"IODIR.INVAL_DDT reserved bit 32", {DDT | B(32), 0}},
    {"IODIR.INVAL_DDT reserved bit 34", {DDT | B(34), 0}},
    {"IODIR.INVAL_DDT reserved bit 39", {DDT | B(39), 0}},
    {"IODIR.INVAL_DDT dword1 bit 0", {DDT, B(0)}},
    {"IODIR.INVAL_DDT dword1 bit 63", {DDT | B(33), B(63)}},
    {"IODIR.INVAL_DDT PID=1 (reserved for INVAL_DDT)", {DDT | B(12), 0}},
    {"IODIR.INVAL_DDT PID=0x80000", {DDT | B(33) | B(31), 0}},
    {"IODIR.INVAL_PDT with DV=0", {0x083, 0}},
    {"IODIR.INVAL_PDT reserved bit 10", {PDT_DV | B(10), 0}},
    {"IODIR.INVAL_PDT dword1 bit 5", {PDT_DV, B(5)}},
};

/* Each illegal command, between two good ones: cmd_ill, cqh stays on it, the
 * one before completed, the one after not executed; cip and the civ wire;
 * after software rewrites the entry and clears cmd_ill the queue re-fetches
 * it at cqh and goes on. */
static int t_cmd_ill(void) {
    ddt_t d;
    setup(&d, true);
    const unsigned n = sizeof ill / sizeof *ill;
    const uint64_t f = FLAG_BASE + 0x200;
    tb_mem_fill(f, 0x600, 0);
    for (unsigned i = 0; i < n; i++) {
        unsigned civ = i & 3;
        wr64(IOMMU_REG_ICVEC, IOMMU_FIELD_PREP(IOMMU_ICVEC_CIV, civ));
        uint64_t fa = f + 16ull * i;
        cq_put(cmd_iofence(true, false, false, false, fa, 0xa000 + i));
        uint32_t ib = cq_put(ill[i].c);
        cq_put(cmd_iofence(true, false, false, false, fa + 4, 0xb000 + i));
        cq_ring();
        bool ill_set = poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CMD_ILL_MASK, IOMMU_CQCSR_CMD_ILL_MASK, 20000);
        CHECK(ill_set, "%s: cmd_ill not set (cqh %u, cqcsr %#x)", ill[i].what, rd32(IOMMU_REG_CQH), cqcsr());
        if (!ill_set) {
            if (tb_mem_load(fa, 4) != 0xa000 + i) {
                CHECK(0, "%s: the legal command before it did not run either: the queue does not work", ill[i].what);
                return 1;
            }
            setup(&d, true);   /* taken as legal, or stuck: start again from a known state */
            continue;
        }
        CHECK(rd32(IOMMU_REG_CQH) == ib, "%s: cqh %u, expected %u (the illegal command)", ill[i].what,
              rd32(IOMMU_REG_CQH), ib);
        CHECK(tb_mem_load(fa, 4) == 0xa000 + i, "%s: the command before it did not complete", ill[i].what);
        CHECK((cqcsr() & (IOMMU_CQCSR_CQMF_MASK | IOMMU_CQCSR_CMD_TO_MASK)) == 0, "%s: other error bits", ill[i].what);
        CHECK((rd32(IOMMU_REG_IPSR) & 1) == 1, "%s: no cip with cie=1", ill[i].what);
        tb_cycles(2);
        CHECK(tb_wsi() == 1u << civ, "%s: wires %#x, expected %#x (civ %u)", ill[i].what, tb_wsi(), 1u << civ, civ);
        tb_cycles(100);
        CHECK(rd32(IOMMU_REG_CQH) == ib, "%s: cqh moved while cmd_ill", ill[i].what);
        CHECK(tb_mem_load(fa + 4, 4) == 0, "%s: the command after it was executed", ill[i].what);
        /* software fixes the entry, then clears cmd_ill */
        tb_mem_store(cq_entry_addr(ib), 8, cmd_iofence(true, false, false, false, fa + 8, 0xc000 + i).dw0);
        tb_mem_store(cq_entry_addr(ib) + 8, 8, cmd_iofence(true, false, false, false, fa + 8, 0xc000 + i).dw1);
        cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_CMD_ILL_MASK);
        CHECK(cq_wait_idle(CQ_TIMEOUT), "%s: the queue did not resume after clearing cmd_ill", ill[i].what);
        CHECK(tb_mem_load(fa + 8, 4) == 0xc000 + i, "%s: the rewritten entry was not re-fetched", ill[i].what);
        CHECK(tb_mem_load(fa + 4, 4) == 0xb000 + i, "%s: the command after it did not run", ill[i].what);
        CHECK((cqcsr() & CQCSR_ERR) == 0, "%s: error bits after recovery", ill[i].what);
        wr32(IOMMU_REG_IPSR, IOMMU_IPSR_CIP_MASK);
        tb_cycles(2);
        CHECK(rd32(IOMMU_REG_IPSR) == 0 && tb_wsi() == 0, "%s: cip or wire stays after clearing", ill[i].what);
    }
    return 0;
}

/* After cmd_ill or cqmf the IOMMU fetches again from cqh ("the index into the
 * command-queue from where the next command will be fetched"), so software
 * may rewrite the entry at cqh and every entry after it before clearing the
 * error (the spec's note: resubmit the commands since the last completed
 * IOFENCE.C).  The entries after the bad one were published in the same cqt
 * write, so an IOMMU that reads ahead has already read them once: those
 * copies must not run. */
static int t_refetch(void) {
    ddt_t d;
    setup(&d, false);
    for (unsigned round = 0; round < 2; round++) {
        const bool mf = round == 1;
        const char *what = mf ? "cqmf" : "cmd_ill";
        const uint64_t f = FLAG_BASE + 0xa00 + 0x40 * round;
        tb_mem_fill(f, 0x40, 0);
        cq_put(cmd_iofence(true, false, false, false, f, 0x11));
        uint32_t b = cq_put(mf ? cmd_iofence(true, false, false, false, f + 0x30, 0x99) : (cq_cmd_t){0x005, 0});
        cq_put(cmd_iofence(true, false, false, false, f + 4, 0x22));
        cq_put(cmd_iofence(true, false, false, false, f + 8, 0x33));
        if (mf) tb_mem_error(cq_entry_addr(b), 16, true);
        cq_ring();
        uint32_t bit = mf ? IOMMU_CQCSR_CQMF_MASK : IOMMU_CQCSR_CMD_ILL_MASK;
        bool err = poll_reg(IOMMU_REG_CQCSR, 4, bit, bit, CQ_TIMEOUT);
        CHECK(err, "%s not set", what);
        if (mf) tb_mem_error(cq_entry_addr(b), 16, false);
        if (!err) return 1;
        CHECK_EQ(rd32(IOMMU_REG_CQH), b, "cqh on the bad command");
        CHECK_EQ(tb_mem_load(f, 4), 0x11, "the command before it ran");
        /* software resubmits: new commands at b, b+1, b+2 */
        for (unsigned k = 0; k < 3; k++) {
            cq_cmd_t c = cmd_iofence(true, false, false, false, f + 0xc + 4 * k, 0x44 + 0x11 * k);
            tb_mem_store(cq_entry_addr(b + k), 8, c.dw0);
            tb_mem_store(cq_entry_addr(b + k) + 8, 8, c.dw1);
        }
        cqcsr_write(IOMMU_CQCSR_CQEN_MASK | bit);
        CHECK(cq_wait_idle(CQ_TIMEOUT), "%s: the queue did not resume", what);
        for (unsigned k = 0; k < 3; k++)
            CHECK(tb_mem_load(f + 0xc + 4 * k, 4) == 0x44 + 0x11 * k, "%s: rewritten entry %u did not run", what,
                  b + k);
        CHECK(tb_mem_load(f + 4, 4) == 0 && tb_mem_load(f + 8, 4) == 0 && tb_mem_load(f + 0x30, 4) == 0,
              "%s: an old copy of an entry at or after cqh ran (read ahead, not fetched again)", what);
        CHECK_EQ(cqcsr() & CQCSR_ERR, 0, "no error bit");
    }
    return 0;
}

/* cmd_ill with cie=0: no cip, no wire. */
static int t_cmd_ill_no_cie(void) {
    ddt_t d;
    setup(&d, false);
    uint32_t ib = cq_submit((cq_cmd_t){0x005, 0});
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CMD_ILL_MASK, IOMMU_CQCSR_CMD_ILL_MASK, CQ_TIMEOUT), "cmd_ill");
    CHECK_EQ(rd32(IOMMU_REG_CQH), ib, "cqh on the illegal command");
    tb_cycles(20);
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "cie=0: no cip");
    CHECK_EQ(tb_wsi(), 0, "cie=0: no wire");
    return 0;
}

/* cqmf on a command fetch: an AXI error reading the entry (either half). */
static int t_cqmf_fetch(void) {
    ddt_t d;
    for (unsigned half = 0; half < 2; half++) {
        setup(&d, true);
        wr64(IOMMU_REG_ICVEC, IOMMU_FIELD_PREP(IOMMU_ICVEC_CIV, 3));
        const uint64_t f = FLAG_BASE + 0x100;
        cq_put(cmd_iofence(true, false, false, false, f, 0x1111));
        uint32_t ib = cq_put(cmd_iofence(true, false, false, false, f + 4, 0x2222));
        cq_put(cmd_iofence(true, false, false, false, f + 8, 0x3333));
        tb_mem_error(cq_entry_addr(ib) + 8 * half, 8, true);
        cq_ring();
        bool mf = poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQMF_MASK, IOMMU_CQCSR_CQMF_MASK, CQ_TIMEOUT);
        CHECK(mf, "dword %u of a command unreadable: cqmf not set", half);
        tb_cycles(100);
        CHECK_EQ(rd32(IOMMU_REG_CQH), ib, "cqh stays on the command that could not be fetched");
        CHECK_EQ(tb_mem_load(f, 4), 0x1111, "the command before it completed");
        CHECK_EQ(tb_mem_load(f + 4, 4), 0, "the unreadable command did not run");
        CHECK_EQ(tb_mem_load(f + 8, 4), 0, "the command after it did not run");
        CHECK_EQ(cqcsr() & (IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_CMD_TO_MASK), 0, "only cqmf");
        CHECK_EQ(rd32(IOMMU_REG_IPSR) & 1, 1, "cqmf sets cip with cie=1");
        CHECK_EQ(tb_wsi(), 8, "wire 3 (civ=3)");
        tb_mem_error(cq_entry_addr(ib) + 8 * half, 8, false);
        if (!mf) return 1;
        cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_CQMF_MASK);
        CHECK(cq_wait_idle(CQ_TIMEOUT), "the queue did not resume after clearing cqmf");
        CHECK_EQ(tb_mem_load(f + 4, 4), 0x2222, "the command was fetched again and ran");
        CHECK_EQ(tb_mem_load(f + 8, 4), 0x3333, "the command after it ran");
        CHECK_EQ(cqcsr() & CQCSR_ERR, 0, "no error bits after recovery");
        wr32(IOMMU_REG_IPSR, 1);
        tb_cycles(2);
        CHECK_EQ(tb_wsi(), 0, "wire down after clearing cip");
    }
    return 0;
}

/* cqmf from the memory access a command makes: IOFENCE.C AV=1 whose write
 * gets an AXI error, or whose ADDR is beyond the 56-bit physical address
 * space.  cqh stays on the fence ("did not complete"); after clearing cqmf
 * the fence runs again from cqh. */
static int t_cqmf_fence(void) {
    ddt_t d;
    setup(&d, true);
    const uint64_t f = FLAG_BASE + 0x300;
    tb_mem_fill(f, 16, 0xee);
    uint32_t ib = cq_put(cmd_iofence(true, false, false, false, f + 4, 0x4444));
    cq_put(cmd_iofence(true, false, false, false, f + 8, 0x5555));
    tb_mem_error(f, 16, true);
    cq_ring();
    bool mf = poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQMF_MASK, IOMMU_CQCSR_CQMF_MASK, CQ_TIMEOUT);
    CHECK(mf, "fence write error: cqmf not set");
    tb_cycles(100);
    CHECK_EQ(rd32(IOMMU_REG_CQH), ib, "cqh stays on the fence whose write failed");
    CHECK_EQ(tb_mem_load(f + 8, 4), 0xeeeeeeee, "the command after it did not run");
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & 1, 1, "cip");
    tb_mem_error(f, 16, false);
    if (!mf) return 1;
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_CQMF_MASK);
    CHECK(cq_wait_idle(CQ_TIMEOUT), "the queue did not resume after clearing cqmf");
    CHECK_EQ(tb_mem_load(f + 4, 4), 0x4444, "the fence ran again and wrote");
    CHECK_EQ(tb_mem_load(f + 8, 4), 0x5555, "the next command ran");
    wr32(IOMMU_REG_IPSR, 1);

    /* ADDR beyond the physical address space (bit 56): an access fault; the
     * low bits must not be written either */
    tb_mem_fill(f, 16, 0xee);
    ib = cq_submit(cmd_iofence(true, false, false, false, (1ull << 56) | f, 0x6666));
    mf = poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQMF_MASK, IOMMU_CQCSR_CQMF_MASK, CQ_TIMEOUT);
    CHECK(mf, "fence ADDR beyond PAS: cqmf not set");
    CHECK_EQ(rd32(IOMMU_REG_CQH), ib, "cqh on the fence");
    CHECK_EQ(tb_mem_load(f, 4), 0xeeeeeeee, "nothing written at ADDR truncated to 56 bits");
    if (!mf) return 1;
    /* software fixes the address, clears cqmf */
    tb_mem_store(cq_entry_addr(ib) + 8, 8, f >> 2);
    cqcsr_write(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK | IOMMU_CQCSR_CQMF_MASK);
    CHECK(cq_wait_idle(CQ_TIMEOUT), "the queue did not resume");
    CHECK_EQ(tb_mem_load(f, 4), 0x6666, "the fixed fence wrote");
    return 0;
}

/* ---- queue mechanics ------------------------------------------------------------------- */
/* A 4-entry queue (3 commands at most in flight: full is cqt == cqh - 1):
 * cqt's writable bits are LOG2SZ-1:0; 40 commands in rounds of 1..3 wrap
 * the indices many times; every command runs once, in order. */
static int t_wrap(void) {
    ddt_t d;
    setup(&d, false);
    cqcsr_write(0);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK, 1000), "cqon off");
    wr64(IOMMU_REG_CQB, IOMMU_FIELD_PREP(IOMMU_CQB_PPN, CQ_BASE >> 12) | IOMMU_FIELD_PREP(IOMMU_CQB_LOG2SZM1, 1));
    wr32(IOMMU_REG_CQT, 0x13);
    CHECK_EQ(rd32(IOMMU_REG_CQT), 3, "cqt: only bits 1:0 writable with 4 entries");
    cq_enable(CQ_BASE, 1, false);
    const uint64_t f = FLAG_BASE + 0x400;
    tb_mem_fill(f, 4 * 64, 0);
    unsigned k = 0, round = 0;
    static const unsigned sizes[] = {1, 3, 2, 3, 3, 1, 2, 3, 2, 1, 3};
    while (k < 40) {
        unsigned n = sizes[round++ % (sizeof sizes / sizeof *sizes)];
        for (unsigned j = 0; j < n && k < 40; j++, k++)
            cq_put(cmd_iofence(true, false, false, false, f + 4 * k, 0x100 + k));
        cq_ring();
        if (!cq_wait_idle(CQ_TIMEOUT)) {
            CHECK(0, "round %u: the queue did not drain (cqh %u, cqt %u)", round, rd32(IOMMU_REG_CQH), cq_tail());
            return 1;
        }
        CHECK(rd32(IOMMU_REG_CQH) < 4, "cqh %u out of range", rd32(IOMMU_REG_CQH));
    }
    for (k = 0; k < 40; k++) CHECK(tb_mem_load(f + 4 * k, 4) == 0x100 + k, "command %u did not run", k);
    CHECK_EQ(rd32(IOMMU_REG_CQH), 40 % 4, "cqh after 40 commands");
    CHECK_EQ(cqcsr() & CQCSR_ERR, 0, "no error bits");
    return 0;
}

/* Order within a batch: the fences' writes reach the data-structure port in
 * queue order (a fence completes after every earlier command). */
static struct { uint64_t lo, hi; uint64_t addr[64]; unsigned n; } wseen;
static void watch_writes(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    (void)now;
    if (io->ds.awvalid && io->ds.awready && io->ds.awaddr >= wseen.lo && io->ds.awaddr < wseen.hi && wseen.n < 64)
        wseen.addr[wseen.n++] = io->ds.awaddr;
}

/* Many commands published with one cqt write, every kind mixed, executed in
 * order; cqh ends at cqt. */
static int t_batch(void) {
    ddt_t d;
    setup(&d, false);
    uint64_t root = add_device(&d, D1, P1);
    pt_map(root, 3, IOVA_X, 0, pt_leaf(DATA_BASE, PTE_RWUAD));
    tb_mem_store(DATA_BASE + 8, 8, pattern(3));
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(3), "warm-up read");
    const uint64_t f = FLAG_BASE + 0x800;
    tb_mem_fill(f, 0x100, 0);
    wseen.lo = f;
    wseen.hi = f + 0x100;
    wseen.n = 0;
    sim_set_observer(watch_writes, NULL);
    for (unsigned k = 0; k < 12; k++) {
        switch (k % 4) {
        case 0: cq_put(cmd_iotinval(0, k & 4, IOVA_X, k & 8, P1, false, 0)); break;
        case 1: cq_put(cmd_iodir(0, k & 4, D1, 0)); break;
        case 2: cq_put(cmd_iofence(false, false, true, true, 0, 0)); break;
        default: break;
        }
        cq_put(cmd_iofence(true, false, false, false, f + 8 * k, 0x200 + k));
    }
    uint32_t t = cq_tail();
    CHECK_EQ(rd32(IOMMU_REG_CQH), 0, "nothing runs before cqt is written");
    cq_ring();
    CHECK(cq_wait_idle(CQ_TIMEOUT), "the batch did not drain (cqh %u, cqt %u)", rd32(IOMMU_REG_CQH), t);
    sim_set_observer(NULL, NULL);
    for (unsigned k = 0; k < 12; k++) CHECK(tb_mem_load(f + 8 * k, 4) == 0x200 + k, "fence %u did not write", k);
    CHECK_EQ(wseen.n, 12, "fence writes seen");
    for (unsigned k = 0; k < wseen.n; k++)
        CHECK(wseen.addr[k] == f + 8 * k, "fence write %u went to %#llx, expected %#llx (queue order)", k,
              (unsigned long long)wseen.addr[k], (unsigned long long)(f + 8 * k));
    CHECK_EQ(cqcsr() & CQCSR_ERR, 0, "no error bits");
    CHECK_EQ(rd_dev(D1, IOVA_X + 8), pattern(3), "translation after the batch");
    return 0;
}

/* cqen 1 -> 0 -> 1: cqon follows with busy back to 0; while off, cqt moves
 * and nothing is fetched; cqen 0 -> 1 sets cqh to 0 (so entries from 0 to
 * cqt run again) and clears cmd_ill, cqmf and fence_w_ip. */
static int t_enable(void) {
    ddt_t d;
    setup(&d, false);
    const uint64_t f = FLAG_BASE + 0x900;
    tb_mem_fill(f, 0x40, 0);
    for (unsigned k = 0; k < 3; k++) cq_put(cmd_iofence(true, false, false, false, f + 4 * k, 0x300 + k));
    cq_ring();
    if (!cq_wait_idle(CQ_TIMEOUT)) {
        CHECK(0, "the first commands did not run");
        return 1;
    }
    CHECK_EQ(rd32(IOMMU_REG_CQH), 3, "cqh after 3 commands");

    wr32(IOMMU_REG_CQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK, 1000),
          "cqen=0: cqon and busy did not go to 0");
    /* queue off: a command published is not fetched */
    cq_put(cmd_iofence(true, false, false, false, f + 0x10, 0x3ff));
    uint64_t r0 = axi_slave_reads(sim_ds_slave());
    cq_ring();
    tb_cycles(300);
    CHECK_EQ(axi_slave_reads(sim_ds_slave()), r0, "cqon=0: no read from the queue");
    CHECK_EQ(tb_mem_load(f + 0x10, 4), 0, "cqon=0: the command did not run");
    CHECK_EQ(rd32(IOMMU_REG_CQT), 4, "cqt written while off");

    /* entries 0 and 1 rewritten; cqt = 2; on again: cqh = 0, they run */
    tb_mem_fill(f, 0x10, 0);
    tb_mem_store(cq_entry_addr(0), 8, cmd_iofence(true, false, false, false, f + 0x20, 0x400).dw0);
    tb_mem_store(cq_entry_addr(0) + 8, 8, cmd_iofence(true, false, false, false, f + 0x20, 0x400).dw1);
    tb_mem_store(cq_entry_addr(1), 8, cmd_iofence(true, false, false, false, f + 0x24, 0x401).dw0);
    tb_mem_store(cq_entry_addr(1) + 8, 8, cmd_iofence(true, false, false, false, f + 0x24, 0x401).dw1);
    wr32(IOMMU_REG_CQT, 2);
    cq_set_tail(2);
    wr32(IOMMU_REG_CQCSR, IOMMU_CQCSR_CQEN_MASK);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_CQEN_MASK, ~0ull, 1000),
          "cqen=1: cqon did not come back with busy 0 and no error bit");
    CHECK(cq_wait_idle(CQ_TIMEOUT), "after re-enabling, cqh did not reach cqt = 2");
    CHECK_EQ(tb_mem_load(f + 0x20, 4), 0x400, "entry 0 ran (cqh restarted at 0)");
    CHECK_EQ(tb_mem_load(f + 0x24, 4), 0x401, "entry 1 ran");
    CHECK_EQ(tb_mem_load(f + 0x10, 4), 0, "entry 3 (beyond cqt) did not run");
    CHECK_EQ(tb_mem_load(f + 8, 4), 0, "entry 2 (cqt = 2) did not run again");

    /* fence_w_ip, then cmd_ill; off; on: both cleared, cqh = 0 */
    cq_put(cmd_iofence(false, true, false, false, 0, 0));
    uint32_t ib = cq_put((cq_cmd_t){0x7f, 0});
    cq_ring();
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK,
                   IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK, CQ_TIMEOUT),
          "fence_w_ip and cmd_ill not both set");
    CHECK_EQ(rd32(IOMMU_REG_CQH), ib, "cqh on the illegal command");
    wr32(IOMMU_REG_CQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK, 1000), "cqon off");
    wr32(IOMMU_REG_CQT, 0);
    cq_set_tail(0);
    wr32(IOMMU_REG_CQCSR, IOMMU_CQCSR_CQEN_MASK);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_CQEN_MASK, ~0ull, 1000),
          "cqen 0->1 did not clear cmd_ill and fence_w_ip");
    CHECK_EQ(rd32(IOMMU_REG_CQH), 0, "cqen 0->1 sets cqh to 0");

    /* cqmf, then off and on: cleared */
    tb_mem_error(cq_entry_addr(0), 16, true);
    cq_submit(cmd_iofence(false, false, false, false, 0, 0));
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQMF_MASK, IOMMU_CQCSR_CQMF_MASK, CQ_TIMEOUT), "cqmf");
    tb_mem_error(cq_entry_addr(0), 16, false);
    wr32(IOMMU_REG_CQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK, 1000), "cqon off");
    wr32(IOMMU_REG_CQT, 0);
    cq_set_tail(0);
    wr32(IOMMU_REG_CQCSR, IOMMU_CQCSR_CQEN_MASK);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_CQEN_MASK, ~0ull, 1000),
          "cqen 0->1 did not clear cqmf");
    CHECK_EQ(rd32(IOMMU_REG_CQH), 0, "cqh = 0");
    return cq_sync("after re-enabling") ? 0 : 1;
}

/* Command fetches on the data-structure port stay inside the queue and inside
 * one 4 KiB page (AXI4: no burst crosses 4 KiB), read whole 16-byte commands,
 * and read each command once when nothing goes wrong.  A 512-entry queue
 * spans two pages; starting at cqh = 2 puts a fetch across index 255/256 and
 * another across the wrap at 511/0, so both limits are exercised whatever
 * number of commands one fetch reads. */
static struct { uint64_t beats, bursts, longest; unsigned bad; } fb;
static void watch_fetch(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    if (!(io->ds.arvalid && io->ds.arready)) return;
    uint64_t a = io->ds.araddr, n = (uint64_t)io->ds.arlen + 1;
    if (a < CQ_BASE || a >= CQ_BASE + 512 * 16) return;
    fb.bursts++;
    fb.beats += n;
    if (n > fb.longest) fb.longest = n;
    bool ok = io->ds.arsize == 3 && io->ds.arburst == 1 && n % 2 == 0 && (a & 15) == 0 &&
              (a & 0xfff) + 8 * n <= 4096 && a + 8 * n <= CQ_BASE + 512 * 16;
    if (!ok && fb.bad++ < 5)
        CHECK(false, "cycle %llu: command fetch at %#llx, %llu beats of size %u, burst %u",
              (unsigned long long)now, (unsigned long long)a, (unsigned long long)n, io->ds.arsize,
              io->ds.arburst);
}

static int t_fetch_bounds(void) {
    ddt_t d;
    setup(&d, false);
    cqcsr_write(0);
    cq_enable(CQ_BASE, 8, false);                         /* 512 entries: 8 KiB */
    tb_mem_fill(FLAG_BASE + 0xa00, 0x10, 0);
    cq_put(cmd_iodir(1, true, D1, 0));
    cq_put(cmd_iodir(1, true, D1, 0));
    cq_ring();
    CHECK(cq_wait_idle(CQ_TIMEOUT), "the first two commands did not run");
    memset(&fb, 0, sizeof fb);
    sim_set_observer(watch_fetch, NULL);
    unsigned total = 2;
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned k = 0; k < 299; k++) cq_put(cmd_iodir(1, true, D1, 0));
        cq_put(cmd_iofence(true, false, false, false, FLAG_BASE + 0xa00, 0x600 + round));
        cq_ring();
        total += 300;
        CHECK(cq_wait_idle(CQ_TIMEOUT), "round %u did not drain (cqh %u, cqt %u, cqcsr %#x)", round,
              rd32(IOMMU_REG_CQH), cq_tail(), cqcsr());
        CHECK_EQ(tb_mem_load(FLAG_BASE + 0xa00, 4), 0x600 + round, "the round's last command (a fence) ran");
    }
    sim_set_observer(NULL, NULL);
    CHECK_EQ(rd32(IOMMU_REG_CQH), total & 511, "cqh after wrapping");
    CHECK_EQ(cqcsr() & CQCSR_ERR, 0, "no error bits");
    CHECK_EQ(fb.bad, 0, "fetches outside the queue or across 4 KiB");
    CHECK_EQ(fb.beats, 2 * 600, "each of the 600 commands read once, 2 beats each");
    printf("cq_fetch_bounds: 600 commands in %llu fetches, the longest %llu beats\n",
           (unsigned long long)fb.bursts, (unsigned long long)fb.longest);
    return 0;
}

const test_def_t tests_cq[] = {
    {"cq_vma_all", "IOTINVAL.VMA AV=0 PSCV=0: every cached translation, globals and superpages too", t_vma_all, false},
    {"cq_vma_pscid", "IOTINVAL.VMA AV=0 PSCV=1: one PSCID, globals kept, other PSCIDs kept", t_vma_pscid, false},
    {"cq_vma_addr", "IOTINVAL.VMA AV=1 PSCV=0: one address in every PSCID, superpage by any address in it, globals dropped", t_vma_addr, false},
    {"cq_vma_addr_pscid", "IOTINVAL.VMA AV=1 PSCV=1: one address in one PSCID, globals kept", t_vma_addr_pscid, false},
    {"tlb_ways", "IOTLB: one set of 4 KiB pages holds exactly its ways (FA: its entries); a page more replaces one; AV=1 in a full set", t_tlb_ways, false},
    {"tlb_fa_fill_race", "IOTLB FA: reads of a new 1 GiB page in every cycle around its fill read its PPN, not the evicted entry's", t_tlb_fa_fill_race, false},
    {"tlb_fa_dc_pscid", "IOTLB FA: a DC entry refilled for a device of another PSCID matches that PSCID's entries only; a third device of the first PSCID hits its entries", t_tlb_fa_dc_pscid, false},
    {"tlb_fa_stale_tag", "IOTLB FA: a page refilled into another entry than its invalidated one hits with the new PPN", t_tlb_fa_stale_tag, false},
    {"tlb_ways_2m", "IOTLB: the same for 2 MiB pages (the 2 MiB array, or the FA entries)", t_tlb_ways_2m, false},
    {"tlb_fill_collide", "IOTLB: fills into a set while the other channel looks it up every cycle (RAM read-during-write)", t_tlb_fill_collide, false},
    {"tlb_hot_page", "IOTLB: one 4 KiB page read by 32 reads in flight: after the cold walks every read hits", t_tlb_hot_page, false},
    {"tlb_hot_page_2m", "IOTLB: one 2 MiB page read by 32 reads in flight: after the cold walks every read hits", t_tlb_hot_page_2m, false},
    {"tlb_hot_page_1g", "IOTLB: one 1 GiB page (fully associative entries) read by 32 reads in flight: after the cold walks every read hits", t_tlb_hot_page_1g, false},
    {"tlb_acc_mix", "IOTLB: reads and fetches of a cached 4 KiB page back to back: each checked with its own access", t_tlb_acc_mix, false},
    {"tlb_acc_mix_2m", "IOTLB: the same for a 2 MiB page", t_tlb_acc_mix_2m, false},
    {"tlb_acc_mix_1g", "IOTLB: the same for a 1 GiB page (fully associative entries)", t_tlb_acc_mix_1g, false},
    {"dc_fill_pair", "DC cache: two fills of one device in consecutive cycles (interleaved R beats) leave one entry", t_dc_fill_pair, false},
    {"dc_evict_stall", "DC cache: 24 devices interleaved through 8 entries with stalling memories: every read its own page", t_dc_evict_stall, false},
    {"tlb_fill_collide_stall", "tlb_fill_collide with stalling memories: lookups held in the request stage while fills write their set", t_tlb_fill_collide_stall, false},
    {"tlb_fill_burst", "IOTLB: a set's pages filled in consecutive cycles are all cached, none lost", t_tlb_fill_burst, false},
    {"tlb_fill_burst2", "IOTLB: two pages of a set filled in consecutive cycles, each again 1 and 2 cycles later, are each cached once", t_tlb_fill_burst2, false},
    {"cq_vma_nonleaf", "IOTINVAL.VMA AV=0: a changed non-leaf PTE is used afterwards (walk cache)", t_vma_nonleaf, false},
    {"ddtp_flush_race", "a ddtp write under DMA: every read that arrives after it uses the new directory, RAM arrays still wiping", t_ddtp_flush_race, false},
    {"wc_scan_race", "walk cache: walks racing an AV=0 PSCV=1 scan leave no IOTLB entry of the old table after the fence", t_wc_scan_race, false},
    {"cq_gv", "IOTINVAL.VMA GV=1 and IOTINVAL.GVMA: legal, complete", t_gv, false},
    {"cq_ignored_operands", "operands the spec says are ignored do not make a command illegal", t_ignored_operands, false},
    {"cq_iodir_ddt", "IODIR.INVAL_DDT: DV=1 one DC, DV=0 all; IOTINVAL leaves DCs cached", t_iodir_ddt, false},
    {"cq_iodir_inflight", "IODIR.INVAL_DDT while a request with a cached DC waits for a walk: it reads the new DC", t_iodir_inflight, false},
    {"cq_iotinval_inflight", "IOTINVAL.VMA while a request with a walk-cache answer waits for a walk: it reads the new table", t_iotinval_inflight, false},
    {"cq_iodir_pdt", "IODIR.INVAL_PDT DV=1: legal, completes", t_iodir_pdt, false},
    {"cq_fence_av", "IOFENCE.C AV=1 writes DATA as 4 bytes at ADDR, nothing else; AV=0 writes nothing", t_fence_av, false},
    {"cq_fence_av_busy", "IOFENCE.C AV=1 writes exactly 4 bytes while walks and fault records share the port", t_fence_av_busy, false},
    {"cq_fence_wsi", "IOFENCE.C WSI=1: fence_w_ip, cip with cie, the civ wire; WSI=0 nothing", t_fence_wsi, false},
    {"cq_cip_level", "ipsr.cip re-asserts while fence_w_ip holds; cie 0->1 with fence_w_ip sets cip", t_cip_level, false},
    {"cq_fence_pr_pw", "IOFENCE.C PR/PW completes only after outstanding DMA completed at memory", t_fence_pr_pw, false},
    {"cq_cmd_ill", "every illegal command class: cmd_ill, cqh stays, cip/wire, resume after fix + clear", t_cmd_ill, false},
    {"cq_refetch", "after cmd_ill/cqmf, entries at and after cqh rewritten by software are fetched again", t_refetch, false},
    {"cq_cmd_ill_no_cie", "cmd_ill with cie=0: no cip, no wire", t_cmd_ill_no_cie, false},
    {"cq_cqmf_fetch", "AXI error fetching a command: cqmf, cqh stays, re-fetch after clear", t_cqmf_fetch, false},
    {"cq_cqmf_fence", "IOFENCE.C write error or ADDR beyond PAS: cqmf, cqh on the fence, re-run after clear", t_cqmf_fence, false},
    {"cq_wrap", "4-entry queue: cqt WARL bits, 40 commands wrap the indices, all run in order", t_wrap, false},
    {"cq_batch", "commands published by one cqt write run in queue order", t_batch, false},
    {"cq_fetch_bounds", "command fetches stay in the queue and in one 4 KiB page, each command read once", t_fetch_bounds, false},
    {"cq_enable", "cqen 1->0->1: cqon/busy, nothing fetched while off, cqh reset to 0, error bits cleared", t_enable, false},
    {0},
};
