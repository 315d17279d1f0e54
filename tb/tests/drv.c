/* drv.c - the driver library (sw/, through its simulator backend) driving the
 * RTL the way software would.
 *
 *   drv_two_domains  bring-up (command queue, fault queue, ddtp), two devices in
 *                    separate paging domains, map, DMA, refusals, decoded
 *                    faults; then unmaps through the library (IOTINVAL.VMA +
 *                    IOFENCE.C) of pages the IOTLB holds, which are refused
 *                    afterwards.
 *   drv_dma_api      the DMA layer: dma_map of a CPU buffer with pin/unpin,
 *                    DMA through the IOVA, dma_unmap in the strict order
 *                    (unmap, invalidate, fence, then unpin), the old IOVA
 *                    refused, IOVA reuse; a device moved between domains,
 *                    detached and re-attached (IODIR.INVAL_DDT).
 *   drv_errors       command-queue errors through the library: illegal
 *                    commands (cmd_ill), memory faults (cqmf), recovery, the
 *                    interrupt they raise; a sync that cannot complete times
 *                    out instead of hanging, and the DMA layer keeps the buffer
 *                    pinned until a retry succeeds.
 *
 * Expected commands are written from the spec's bit positions, not with the
 * library's encoders. */
#include <string.h>

#include "iommu_drv.h"
#include "tdrv.h"   /* TRY, CHECK_RC */
#include "tutil.h"

#define POOL_BASE 0x00000000a0000000ull   /* the driver's DMA pool (tables, queues) */
#define POOL_SIZE (16ull << 20)
#define BUF_A     0x00000000b0000000ull   /* device A's buffers */
#define BUF_B     0x00000000b1000000ull   /* device B's buffers */
#define BUF_2M    0x00000000c0000000ull   /* a 2 MiB page */
#define CPU_PHYS  0x00000000d0000000ull   /* physical pages behind the test's "CPU" buffers */
#define BUF_X     0x00000000d1000000ull   /* plain pages for the attach tests */

static uint64_t pat(uint64_t pa) { return pa * 0x9e3779b97f4a7c15ull + 1; }

static void fill_pat(uint64_t pa, uint64_t len) {
    for (uint64_t o = 0; o < len; o += 8) tb_mem_store(pa + o, 8, pat(pa + o));
}

static unsigned atp_levels(uint32_t mode) {
    return mode == IOMMU_ATP_MODE_SV57 ? 5 : mode == IOMMU_ATP_MODE_SV48 ? 4 : 3;
}

/* ---- looking at what the library built, straight from memory ---------------- */
/* Address of the PTE that decides iova: the leaf, or the first invalid entry. */
static uint64_t d_pte_addr(uint64_t root, unsigned levels, uint64_t iova) {
    uint64_t t = root;
    for (int l = (int)levels - 1; l >= 0; l--) {
        uint64_t a = t + 8 * ((iova >> (12 + 9 * l)) & 511);
        uint64_t pte = tb_mem_load(a, 8);
        if (!(pte & IOMMU_PTE_V) || (pte & (IOMMU_PTE_R | IOMMU_PTE_W | IOMMU_PTE_X)) || l == 0)
            return a;
        t = IOMMU_FIELD_GET(pte, IOMMU_PTE_PPN) << 12;
    }
    return 0;
}

/* Address of the base-format DC of did (0 when its directory path is absent). */
static uint64_t d_dc_addr(uint64_t root, unsigned mode, uint32_t did) {
    unsigned idx[3] = {did & 0x7f, (did >> 7) & 0x1ff, (did >> 16) & 0xff};
    uint64_t a = root;
    for (int lvl = (int)mode - 2; lvl >= 1; lvl--) {
        uint64_t e = tb_mem_load(a + idx[lvl] * 8ull, 8);
        if (!(e & IOMMU_DDTE_V_MASK)) return 0;
        a = IOMMU_FIELD_GET(e, IOMMU_DDTE_PPN) << 12;
    }
    return a + idx[0] * 32ull;
}

/* ---- the command queue as the library filled it ------------------------------ */
typedef struct {
    uint64_t dw0, dw1;
} d_cmd_t;

static uint64_t d_cq_base;
static uint32_t d_cq_mask;

static void d_cq_learn(const iommu_info_t *info) {
    d_cq_base = info->cq_phys;
    d_cq_mask = (1u << info->cq_log2_entries) - 1u;
}

static d_cmd_t d_cmd_at(uint32_t idx) {
    uint64_t a = d_cq_base + 16ull * (idx & d_cq_mask);
    d_cmd_t c = {tb_mem_load(a, 8), tb_mem_load(a + 8, 8)};
    return c;
}

/* Spec layouts (iommu_in_memory_queues.adoc). */
static d_cmd_t x_vma(bool av, bool pscv, uint32_t pscid, uint64_t addr) {
    d_cmd_t c = {1u | (uint64_t)av << 10 | (uint64_t)pscid << 12 | (uint64_t)pscv << 32,
                 av ? (addr >> 12) << 10 : 0};
    return c;
}
static d_cmd_t x_ddt(bool dv, uint32_t did) {
    d_cmd_t c = {3u | (uint64_t)dv << 33 | (uint64_t)did << 40, 0};
    return c;
}
/* Marker: "the library's sync": IOFENCE.C with AV, PR, PW (dw0 low bits 0x3402)
 * whose DATA is in memory at ADDR. */
static const d_cmd_t X_SYNC = {~0ull, ~0ull};

static bool d_is_sync(d_cmd_t c) { return (c.dw0 & 0xffffffffu) == 0x3402u; }
static uint64_t d_fence_addr(d_cmd_t c) { return (c.dw1 & ((1ull << 62) - 1)) << 2; }
static bool d_fence_done(d_cmd_t c) {
    return d_is_sync(c) && tb_mem_load(d_fence_addr(c), 4) == (c.dw0 >> 32);
}

/* The commands queued since cqt was `from` are exactly want[0..n) (X_SYNC: a
 * completed sync), and the IOMMU has executed all of them (cqh == cqt). */
static void d_expect_cmds(uint32_t from, const d_cmd_t *want, unsigned n, const char *what) {
    uint32_t cqt = rd32(IOMMU_REG_CQT), cqh = rd32(IOMMU_REG_CQH);
    CHECK_EQ(cqh, cqt, "cqh reached cqt");
    CHECK((rd32(IOMMU_REG_CQCSR) & 0xf00u) == 0, "%s: no command-queue error", what);
    uint32_t got = (cqt - from) & d_cq_mask;
    CHECK(got == n, "%s: %u commands queued, expected %u", what, got, n);
    for (unsigned i = 0; i < n && i < got; i++) {
        d_cmd_t c = d_cmd_at(from + i);
        if (want[i].dw0 == X_SYNC.dw0) /* the last one's word is not overwritten yet */
            CHECK(i + 1 < n ? d_is_sync(c) : d_fence_done(c),
                  "%s: command %u is a%s IOFENCE.C AV PR PW (%#llx %#llx)", what, i,
                  i + 1 < n ? "" : " completed", (unsigned long long)c.dw0,
                  (unsigned long long)c.dw1);
        else
            CHECK(c.dw0 == want[i].dw0 && c.dw1 == want[i].dw1,
                  "%s: command %u is %#llx %#llx, expected %#llx %#llx", what, i,
                  (unsigned long long)c.dw0, (unsigned long long)c.dw1,
                  (unsigned long long)want[i].dw0, (unsigned long long)want[i].dw1);
    }
}

/* ---- faults -------------------------------------------------------------------- */
/* Drain through the library until `want` records came (or time passed), then
 * make sure no more follow.  Returns how many were read. */
static size_t d_faults(iommu_t *h, iommu_fault_t *f, size_t max, size_t want) {
    size_t n = 0;
    uint32_t errs = 0;
    for (int i = 0; i < 200 && n < want; i++) {
        size_t got = 0;
        CHECK_RC(iommu_fq_drain(h, f + n, max - n, &got, &errs), IOMMU_OK);
        CHECK_EQ(errs, 0, "fault queue errors");
        n += got;
        if (n < want) tb_cycles(10);
    }
    tb_cycles(50);
    if (n < max) {
        size_t got = 0;
        CHECK_RC(iommu_fq_drain(h, f + n, max - n, &got, &errs), IOMMU_OK);
        n += got;
    }
    CHECK(n == want, "%zu fault records, expected %zu", n, want);
    return n;
}

static void d_fault_is(const iommu_fault_t *f, uint32_t cause, uint32_t ttyp, uint32_t did,
                       uint64_t iotval, const char *what) {
    CHECK(f->cause == cause && f->ttyp == ttyp && f->did == did && f->iotval == iotval && !f->pv,
          "%s: record cause %u ttyp %u did %#x iotval %#llx, expected %u %u %#x %#llx", what,
          f->cause, f->ttyp, f->did, (unsigned long long)f->iotval, cause, ttyp, did,
          (unsigned long long)iotval);
    CHECK(!strcmp(f->cause_name, iommu_fault_cause_name(cause)) &&
              strcmp(f->cause_name, "reserved cause"),
          "%s: cause name '%s'", what, f->cause_name);
}

static void d_watch_fence(void);
static uint64_t d_fence_after(uint64_t t);

/* ===================================================================== */
/* drv_two_domains                                                        */
/* ===================================================================== */
static int t_driver(void) {
    iommu_sim_t sim;
    iommu_platform_t plat;
    TRY(iommu_sim_init(&sim, POOL_BASE, POOL_SIZE, 100, &plat));
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    iommu_t *mmu;
    TRY(iommu_init(&plat, &cfg, &mmu));
    iommu_info_t info;
    TRY(iommu_get_info(mmu, &info));
    CHECK(info.ddt_mode >= 2 && info.ddt_mode <= 4, "the driver chose a translating mode (%u)",
          info.ddt_mode);
    CHECK_EQ(rd64(IOMMU_REG_DDTP) & 0xf, info.ddt_mode, "ddtp mode as the driver says");

    /* bring-up as the library does it: both queues on where it put them, and
     * the invalidation of whatever a previous owner left cached executed */
    d_cq_learn(&info);
    CHECK(info.cq_log2_entries == 8, "command queue of 256 entries (%u)", info.cq_log2_entries);
    CHECK_EQ(rd64(IOMMU_REG_CQB), IOMMU_FIELD_PREP(IOMMU_CQB_PPN, info.cq_phys >> 12) |
                                      IOMMU_FIELD_PREP(IOMMU_CQB_LOG2SZM1, info.cq_log2_entries - 1),
             "cqb");
    CHECK_EQ(rd64(IOMMU_REG_FQB), IOMMU_FIELD_PREP(IOMMU_FQB_PPN, info.fq_phys >> 12) |
                                      IOMMU_FIELD_PREP(IOMMU_FQB_LOG2SZM1, info.fq_log2_entries - 1),
             "fqb");
    CHECK_EQ(rd32(IOMMU_REG_CQCSR),
             IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CQON_MASK, "cqcsr: on, idle, no error");
    CHECK_EQ(rd32(IOMMU_REG_FQCSR), IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FQON_MASK, "fqcsr");
    {
        bool gstage = info.caps & (IOMMU_CAPABILITIES_SV32X4_MASK | IOMMU_CAPABILITIES_SV39X4_MASK |
                                   IOMMU_CAPABILITIES_SV48X4_MASK | IOMMU_CAPABILITIES_SV57X4_MASK);
        d_cmd_t want[4] = {x_ddt(false, 0), x_vma(false, false, 0, 0)};
        unsigned n = 2;
        if (gstage) want[n++] = (d_cmd_t){0x81, 0}; /* IOTINVAL.GVMA, everything */
        want[n++] = X_SYNC;
        d_expect_cmds(0, want, n, "bring-up");
    }
    d_watch_fence();

    const uint32_t dev_a = 0x10, dev_b = 0x4321;
    iommu_domain_t *da, *db;
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &da));
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &db));
    TRY(iommu_attach_device(da, dev_a));
    TRY(iommu_attach_device(db, dev_b));
    /* the same IOVAs in both domains, different pages behind them */
    TRY(iommu_map(da, 0x10000, BUF_A, 0x4000, IOMMU_PROT_READ | IOMMU_PROT_WRITE));
    TRY(iommu_map(db, 0x10000, BUF_B, 0x4000, IOMMU_PROT_READ));
    TRY(iommu_map(da, 0x40000000, BUF_2M, 2ull << 20, IOMMU_PROT_READ));
    uint64_t phys = 0;
    TRY(iommu_iova_to_phys(da, 0x40000000 + 0x12345, &phys));
    CHECK_EQ(phys, BUF_2M + 0x12345, "iova_to_phys in the 2 MiB page");
    fill_pat(BUF_A, 0x4000);
    fill_pat(BUF_B, 0x4000);
    tb_mem_store(BUF_2M + 0x1ffff8, 8, pat(BUF_2M));

    uint64_t v = 0;
    CHECK_EQ(dma_rd(dev_a, 0x10008, 8, &v), AXI_OKAY, "A reads its buffer");
    CHECK_EQ(v, pat(BUF_A + 8), "A's data");
    CHECK_EQ(dma_rd(dev_b, 0x10008, 8, &v), AXI_OKAY, "B reads the same IOVA");
    CHECK_EQ(v, pat(BUF_B + 8), "B's data comes from B's page");
    CHECK_EQ(dma_wr(dev_a, 0x13ff8, 8, 0xa11ce), AXI_OKAY, "A writes");
    CHECK_EQ(tb_mem_load(BUF_A + 0x3ff8, 8), 0xa11ce, "A's write in A's page");
    CHECK_EQ(dma_rd(dev_a, 0x40000000 + 0x1ffff8, 8, &v), AXI_OKAY, "A reads the 2 MiB page");
    CHECK_EQ(v, pat(BUF_2M), "data at the end of the 2 MiB page");
    /* refused: B may not write; B has no 2 MiB mapping; an unknown device */
    CHECK_EQ(dma_wr(dev_b, 0x10000, 8, 0xbad), AXI_SLVERR, "B's write refused");
    CHECK_EQ(tb_mem_load(BUF_B, 8), pat(BUF_B), "B's page unchanged");
    CHECK_EQ(dma_rd(dev_b, 0x40000000, 8, &v), AXI_SLVERR, "B cannot reach A's 2 MiB mapping");
    CHECK_EQ(dma_rd(0x77, 0x10000, 8, &v), AXI_SLVERR, "a device never attached");

    iommu_fault_t f[8];
    if (d_faults(mmu, f, 8, 3) == 3) {
        d_fault_is(&f[0], 15, 3, dev_b, 0x10000, "B's write");
        CHECK(!strcmp(f[0].cause_name, "write/AMO page fault"), "cause name '%s'", f[0].cause_name);
        d_fault_is(&f[1], 13, 2, dev_b, 0x40000000, "B's read of the 2 MiB IOVA");
        d_fault_is(&f[2], 258, 2, 0x77, 0x10000, "unattached device");
        CHECK(!strcmp(f[2].cause_name, "DDT entry not valid"), "cause name '%s'", f[2].cause_name);
    }

    /* ---- unmap of a page the IOTLB holds: IOTINVAL.VMA + IOFENCE.C ---- */
    iommu_domain_info_t dia;
    TRY(iommu_domain_get_info(da, &dia));
    const unsigned lv = atp_levels(dia.atp_mode);
    const uint64_t gone = 0x12000;
    CHECK_EQ(dma_rd(dev_a, gone + 8, 8, &v), AXI_OKAY, "A reads the page it will lose");
    CHECK_EQ(v, pat(BUF_A + 0x2008), "A's data there");
    CHECK_EQ(dma_rd(dev_b, gone + 8, 8, &v), AXI_OKAY, "B reads the same IOVA");
    CHECK_EQ(v, pat(BUF_B + 0x2008), "B's data there");
    uint64_t pte_pa = d_pte_addr(dia.root, lv, gone), pte = tb_mem_load(pte_pa, 8);
    CHECK(pte_pa && (pte & (IOMMU_PTE_V | IOMMU_PTE_R)) == (IOMMU_PTE_V | IOMMU_PTE_R) &&
              (IOMMU_FIELD_GET(pte, IOMMU_PTE_PPN) << 12) == BUF_A + 0x2000,
          "the leaf PTE of A's page (%#llx)", (unsigned long long)pte);
    /* Control: the translation really is cached.  With the PTE cleared in
     * memory behind the IOMMU's back and nothing invalidated, this IOMMU still
     * serves the page from its IOTLB; so the refusal after the library's unmap
     * below shows that its invalidation reached the IOTLB. */
    tb_mem_store(pte_pa, 8, 0);
    CHECK_EQ(dma_rd(dev_a, gone + 0x10, 8, &v), AXI_OKAY,
             "control: with the PTE cleared but not invalidated, the IOTLB still translates");
    CHECK_EQ(v, pat(BUF_A + 0x2010), "control: data");
    tb_mem_store(pte_pa, 8, pte);

    uint32_t from = rd32(IOMMU_REG_CQT);
    uint64_t t0 = tb_now();
    TRY(iommu_unmap(da, gone, 0x1000));
    CHECK(d_fence_after(t0) != 0, "unmap returned after the fence wrote its completion word");
    {
        d_cmd_t want[] = {x_vma(true, true, dia.pscid, gone), X_SYNC};
        d_expect_cmds(from, want, 2, "unmap of a 4 KiB page");
    }
    CHECK_EQ(tb_mem_load(pte_pa, 8), 0, "the leaf is cleared");
    CHECK_RC(iommu_iova_to_phys(da, gone, &phys), IOMMU_ENOENT);
    CHECK_EQ(dma_rd(dev_a, gone + 8, 8, &v), AXI_SLVERR, "A's read of the unmapped page refused");
    CHECK_EQ(dma_wr(dev_a, gone + 0xff0, 8, 0xdead), AXI_SLVERR, "A's write there refused");
    CHECK_EQ(tb_mem_load(BUF_A + 0x2ff0, 8), pat(BUF_A + 0x2ff0), "the page behind it unchanged");
    CHECK_EQ(dma_rd(dev_a, 0x11ff8, 8, &v), AXI_OKAY, "A's page below still mapped");
    CHECK_EQ(v, pat(BUF_A + 0x1ff8), "its data");
    CHECK_EQ(dma_rd(dev_a, 0x13000, 8, &v), AXI_OKAY, "A's page above still mapped");
    CHECK_EQ(v, pat(BUF_A + 0x3000), "its data");
    CHECK_EQ(dma_rd(dev_b, gone + 8, 8, &v), AXI_OKAY, "B keeps the same IOVA in its domain");
    CHECK_EQ(v, pat(BUF_B + 0x2008), "B's data");
    if (d_faults(mmu, f, 8, 2) == 2) {
        d_fault_is(&f[0], 13, 2, dev_a, gone + 8, "A's read after the unmap");
        d_fault_is(&f[1], 15, 3, dev_a, gone + 0xff0, "A's write after the unmap");
    }

    /* ---- the 2 MiB page: its table empties, so the PSCID is invalidated ---- */
    CHECK_EQ(dma_rd(dev_a, 0x40000000 + 0x1ffff8, 8, &v), AXI_OKAY, "A reads the 2 MiB page again");
    from = rd32(IOMMU_REG_CQT);
    t0 = tb_now();
    TRY(iommu_unmap(da, 0x40000000, 2ull << 20));
    CHECK(d_fence_after(t0) != 0, "unmap returned after the fence wrote its completion word");
    {
        d_cmd_t want[] = {x_vma(false, true, dia.pscid, 0), X_SYNC};
        d_expect_cmds(from, want, 2, "unmap of a 2 MiB page whose table empties");
    }
    CHECK_EQ(dma_rd(dev_a, 0x40000000 + 0x1ffff8, 8, &v), AXI_SLVERR, "the 2 MiB page is gone");
    CHECK_EQ(dma_rd(dev_a, 0x10008, 8, &v), AXI_OKAY, "A's 4 KiB pages still mapped");
    CHECK_EQ(v, pat(BUF_A + 8), "A's data");
    if (d_faults(mmu, f, 8, 1) == 1)
        d_fault_is(&f[0], 13, 2, dev_a, 0x40000000 + 0x1ffff8, "A's read of the 2 MiB IOVA");

    TRY(iommu_detach_device(da, dev_a));
    TRY(iommu_detach_device(db, dev_b));
    CHECK_EQ(dma_rd(dev_b, 0x10008, 8, &v), AXI_SLVERR, "B detached");
    TRY(iommu_domain_free(da));
    TRY(iommu_domain_free(db));
    TRY(iommu_fini(mmu));
    CHECK_EQ(rd64(IOMMU_REG_DDTP) & 0xf, 0, "Off after fini");
    CHECK_EQ(rd32(IOMMU_REG_CQCSR) & (IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CQON_MASK), 0,
             "command queue off after fini");
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & (IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FQON_MASK), 0,
             "fault queue off after fini");
    CHECK_EQ(dma_rd(dev_a, 0x10008, 8, &v), AXI_SLVERR, "Off refuses A");
    sim_set_observer(NULL, NULL);
    iommu_sim_fini(&sim);
    return 0;
}

/* ===================================================================== */
/* A platform for the DMA layer: the simulator backend plus virt_to_phys   */
/* for a "CPU" buffer, and a log of the library's stores and doorbells.    */
/* ===================================================================== */
#define CPU_PAGES 16
static _Alignas(4096) uint8_t d_cpu[CPU_PAGES * 4096];
/* physical page (from CPU_PHYS) behind CPU page i: some runs contiguous, some not */
static const uint8_t d_perm[CPU_PAGES] = {12, 7, 8, 3, 0, 1, 2, 4, 10, 5, 6, 9, 11, 13, 14, 15};

static uint64_t d_cpu_pa(const void *virt) {
    uintptr_t o = (uintptr_t)virt - (uintptr_t)d_cpu;
    return CPU_PHYS + (uint64_t)d_perm[o / 4096] * 4096 + o % 4096;
}

static int d_v2p(void *ctx, const void *virt, uint64_t *phys) {
    (void)ctx;
    uintptr_t v = (uintptr_t)virt, b = (uintptr_t)d_cpu;
    if (v < b || v >= b + sizeof d_cpu) return IOMMU_ENOTSUP;
    *phys = d_cpu_pa(virt);
    return IOMMU_OK;
}

enum { EV_MEMW = 1, EV_CQT, EV_PIN, EV_UNPIN };
typedef struct {
    int kind;
    uint64_t a, v, cycle;
} d_ev_t;
#define EV_MAX 8192
static d_ev_t d_ev[EV_MAX];
static size_t d_nev;
static bool d_ev_over;
static const iommu_platform_ops_t *d_inner;
static iommu_platform_ops_t d_ops;

static void d_log(int kind, uint64_t a, uint64_t v) {
    if (d_nev < EV_MAX) {
        d_ev_t e = {kind, a, v, tb_now()};
        d_ev[d_nev++] = e;
    } else {
        d_ev_over = true;
    }
}
static void d_log_clear(void) {
    d_nev = 0;
    d_ev_over = false;
}
static void d_memw(void *ctx, uint64_t pa, uint64_t v) {
    d_inner->mem_write64(ctx, pa, v);
    d_log(EV_MEMW, pa, v);
}
static int d_w32(void *ctx, uint32_t off, uint32_t v) {
    int rc = d_inner->write32(ctx, off, v);
    if (off == IOMMU_REG_CQT) d_log(EV_CQT, off, v);
    return rc;
}

static void d_plat_wrap(iommu_platform_t *plat) {
    d_inner = plat->ops;
    d_ops = *plat->ops;
    d_ops.virt_to_phys = d_v2p;
    d_ops.mem_write64 = d_memw;
    d_ops.write32 = d_w32;
    plat->ops = &d_ops;
    d_log_clear();
}

/* First event at or after `from` of `kind` whose address is in [lo, hi) and
 * (value & vmask) == vwant; -1 if none.  Last such event: d_ev_last. */
static long d_ev_first(size_t from, int kind, uint64_t lo, uint64_t hi, uint64_t vmask,
                       uint64_t vwant) {
    for (size_t i = from; i < d_nev; i++)
        if (d_ev[i].kind == kind && d_ev[i].a >= lo && d_ev[i].a < hi &&
            (d_ev[i].v & vmask) == vwant)
            return (long)i;
    return -1;
}
static long d_ev_last(int kind, uint64_t lo, uint64_t hi, uint64_t vmask, uint64_t vwant) {
    for (size_t i = d_nev; i-- > 0;)
        if (d_ev[i].kind == kind && d_ev[i].a >= lo && d_ev[i].a < hi &&
            (d_ev[i].v & vmask) == vwant)
            return (long)i;
    return -1;
}

/* ---- when the fence completion word was written (data-structure port) --------- */
typedef struct {
    uint64_t watch;     /* the completion word's address */
    bool pend;
    uint64_t id;
    uint64_t b[512];    /* cycles of the B handshakes of writes to it */
    unsigned nb;
} d_fobs_t;
static d_fobs_t d_fobs;

static void d_fence_observer(void *ctx, const dut_io_t *io, uint64_t now) {
    d_fobs_t *o = ctx;
    const axi_port_t *p = &io->ds;
    if (p->awvalid && p->awready && (p->awaddr & ~7ull) == (o->watch & ~7ull)) {
        o->pend = true;
        o->id = p->awid;
    }
    if (p->bvalid && p->bready && o->pend && p->bid == o->id) {
        o->pend = false;
        if (o->nb < 512) o->b[o->nb++] = now;
    }
}
/* Cycle of the first completion-word write answered at or after cycle t (0: none). */
static uint64_t d_fence_after(uint64_t t) {
    for (unsigned i = 0; i < d_fobs.nb; i++)
        if (d_fobs.b[i] >= t) return d_fobs.b[i];
    return 0;
}

/* ---- pin/unpin callbacks that record their order and what they saw ------------ */
typedef struct {
    iommu_platform_t plat; /* registers are read through the platform */
    int pins, unpins;
    void *cpu;
    size_t len;
    uint64_t pin_cycle, unpin_cycle;
    /* checked at unpin */
    uint64_t pte[8];
    unsigned npte;
    bool drained, fence_done, ptes_clear;
    uint32_t cqh, cqt, cqcsr;
    uint32_t from; /* cqt when the unmap started */
} d_pin_t;

static int d_pin(void *arg, void *cpu, size_t len) {
    d_pin_t *p = arg;
    p->pins++;
    p->cpu = cpu;
    p->len = len;
    p->pin_cycle = tb_now();
    d_log(EV_PIN, (uintptr_t)cpu, len);
    return IOMMU_OK;
}

static void d_unpin(void *arg, void *cpu, size_t len) {
    d_pin_t *p = arg;
    p->unpins++;
    p->cpu = cpu;
    p->len = len;
    p->unpin_cycle = tb_now();
    d_log(EV_UNPIN, (uintptr_t)cpu, len);
    /* The queue has executed everything the unmap queued, the last command is
     * the fence and its completion word is written, and the PTEs are gone. */
    p->cqh = p->cqt = ~0u;
    p->cqcsr = ~0u;
    int rc = p->plat.ops->read32(p->plat.ctx, IOMMU_REG_CQH, &p->cqh);
    rc |= p->plat.ops->read32(p->plat.ctx, IOMMU_REG_CQT, &p->cqt);
    rc |= p->plat.ops->read32(p->plat.ctx, IOMMU_REG_CQCSR, &p->cqcsr);
    p->drained = rc == 0 && p->cqh == p->cqt && !(p->cqcsr & 0xf00u) &&
                 (p->cqcsr & IOMMU_CQCSR_CQON_MASK);
    p->fence_done = p->drained && d_fence_done(d_cmd_at(p->cqt - 1));
    p->ptes_clear = true;
    for (unsigned i = 0; i < p->npte; i++)
        if (tb_mem_load(p->pte[i], 8) & IOMMU_PTE_V) p->ptes_clear = false;
}

/* Sets the expected state up and checks what unpin saw.  `t0` is the cycle
 * the unmap started at. */
static void d_check_unpin(const d_pin_t *p, int unpins, void *cpu, size_t len, uint64_t t0,
                          const char *what) {
    CHECK(p->unpins == unpins, "%s: %d unpins, expected %d", what, p->unpins, unpins);
    CHECK(p->cpu == cpu && p->len == len, "%s: unpin of the buffer that was pinned", what);
    CHECK(p->drained, "%s: at unpin cqh (%u) == cqt (%u), cqon, no error (cqcsr %#x)", what, p->cqh,
          p->cqt, p->cqcsr);
    CHECK(p->fence_done, "%s: at unpin the IOFENCE.C before cqt has completed", what);
    CHECK(((p->cqt - p->from) & d_cq_mask) >= 2,
          "%s: at unpin the unmap's invalidation and fence are queued (cqt %u, was %u)", what,
          p->cqt, p->from);
    CHECK(p->ptes_clear, "%s: at unpin the PTEs are cleared", what);
    uint64_t fb = d_fence_after(t0);
    CHECK(fb != 0 && fb < p->unpin_cycle,
          "%s: the fence's completion write was answered (cycle %llu) before unpin (cycle %llu)",
          what, (unsigned long long)fb, (unsigned long long)p->unpin_cycle);
}

/* Strict order in the log: every PTE store of 0 < the first IOTINVAL store in
 * the queue < a doorbell after it < the fence write < unpin.  `t0` as above. */
static void d_check_order(const d_pin_t *p, const uint64_t *ptes, unsigned npte, uint64_t t0,
                          const char *what) {
    CHECK(!d_ev_over, "%s: event log overflow", what);
    uint64_t cq_lo = d_cq_base, cq_hi = d_cq_base + 16ull * (d_cq_mask + 1);
    long last_pte = -1;
    for (unsigned i = 0; i < npte; i++) {
        long e = d_ev_last(EV_MEMW, ptes[i], ptes[i] + 8, ~0ull, 0);
        CHECK(e >= 0, "%s: PTE %u cleared by one 64-bit store", what, i);
        if (e > last_pte) last_pte = e;
    }
    long inval = d_ev_first(0, EV_MEMW, cq_lo, cq_hi, 0x7f, 1); /* IOTINVAL's first dword */
    CHECK(inval >= 0 && last_pte >= 0 && last_pte < inval,
          "%s: PTEs cleared (event %ld) before the IOTINVAL is queued (event %ld)", what, last_pte,
          inval);
    long bell = inval >= 0 ? d_ev_first((size_t)inval, EV_CQT, 0, ~0ull, 0, 0) : -1;
    CHECK(bell >= 0, "%s: a cqt doorbell after the IOTINVAL", what);
    long unpin = d_ev_first(0, EV_UNPIN, 0, ~0ull, 0, 0);
    CHECK(unpin >= 0 && bell >= 0 && bell < unpin, "%s: doorbell (event %ld) before unpin (%ld)",
          what, bell, unpin);
    uint64_t fb = d_fence_after(t0);
    CHECK(bell >= 0 && fb > d_ev[bell].cycle && fb < p->unpin_cycle,
          "%s: doorbell (cycle %llu) < fence completion (cycle %llu) < unpin (cycle %llu)", what,
          bell >= 0 ? (unsigned long long)d_ev[bell].cycle : 0ull, (unsigned long long)fb,
          (unsigned long long)p->unpin_cycle);
    CHECK(d_ev_last(EV_MEMW, 0, ~0ull, 0, 0) < unpin, "%s: no store after unpin", what);
}

/* Learn the library's completion word from the fence that ended bring-up,
 * and start watching it. */
static void d_watch_fence(void) {
    uint32_t cqt = rd32(IOMMU_REG_CQT);
    d_cmd_t c = d_cmd_at(cqt - 1);
    CHECK(d_is_sync(c), "the last command is the library's sync");
    memset(&d_fobs, 0, sizeof d_fobs);
    d_fobs.watch = d_fence_addr(c);
    sim_set_observer(d_fence_observer, &d_fobs);
}

/* ===================================================================== */
/* drv_dma_api                                                            */
/* ===================================================================== */
static int dma_api_body(iommu_platform_t *plat) {
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    iommu_t *mmu;
    TRY(iommu_init(plat, &cfg, &mmu));
    iommu_info_t info;
    TRY(iommu_get_info(mmu, &info));
    d_cq_learn(&info);
    d_watch_fence();

    const uint32_t dev = 0x21;
    iommu_domain_t *da;
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &da));
    TRY(iommu_attach_device(da, dev));
    iommu_domain_info_t dia;
    TRY(iommu_domain_get_info(da, &dia));
    const unsigned lv = atp_levels(dia.atp_mode);

    d_pin_t pc;
    memset(&pc, 0, sizeof pc);
    pc.plat = *plat;
    iommu_dma_pin_ops_t pops = {d_pin, d_unpin, &pc};
    iommu_dma_t *dma;
    const uint64_t win = 0x10000000, win_size = 0x10000000;
    TRY(iommu_dma_create(da, win, win_size, &pops, &dma));
    /* a mapping that keeps the window's last-level table from emptying, so
     * that the unmaps below invalidate page by page */
    uint64_t keep = 0;
    TRY(iommu_dma_map_phys(dma, BUF_X + 0x8000, 0x1000, IOMMU_PROT_READ, &keep));
    CHECK_EQ(keep, win, "map_phys at the bottom of the window");
    CHECK_EQ(pc.pins, 0, "map_phys pins nothing");

    /* buffer 1: 0x2000 bytes from 0x238 into CPU page 1 (pages 1, 2, 3:
     * physical pages 7, 8 contiguous, then 3) */
    uint8_t *buf1 = d_cpu + 1 * 4096 + 0x238;
    const size_t len = 0x2000;
    for (unsigned pg = 1; pg <= 3; pg++) fill_pat(d_cpu_pa(d_cpu + pg * 4096), 4096);
    uint64_t iova1 = 0;
    d_log_clear();
    TRY(iommu_dma_map(dma, buf1, len, IOMMU_PROT_READ | IOMMU_PROT_WRITE, &iova1));
    CHECK(pc.pins == 1 && pc.cpu == buf1 && pc.len == len, "dma_map pinned the buffer once");
    CHECK(d_nev > 0 && d_ev[0].kind == EV_PIN, "pinned before anything was mapped");
    CHECK_EQ(pc.unpins, 0, "nothing unpinned");
    CHECK_EQ(iova1 & 0xfff, 0x238, "the IOVA keeps the buffer's offset in its page");
    CHECK(iova1 >= win && iova1 + len <= win + win_size, "the IOVA is in the window (%#llx)",
          (unsigned long long)iova1);
    for (uint64_t o = 0; o < len; o += 0x400) {
        uint64_t pa = 0;
        TRY(iommu_iova_to_phys(da, iova1 + o, &pa));
        CHECK_EQ(pa, d_cpu_pa(buf1 + o), "iova_to_phys follows the scattered pages");
    }
    /* DMA through the IOVA: every doubleword of the buffer, exact data */
    unsigned bad = 0;
    for (uint64_t o = 0; o < len; o += 8) {
        uint64_t v = 0;
        int r = dma_rd(dev, iova1 + o, 8, &v);
        if (r != AXI_OKAY || v != pat(d_cpu_pa(buf1 + o))) {
            if (bad++ < 4)
                CHECK(0, "DMA read at buffer offset %#llx: resp %d data %#llx, expected %#llx",
                      (unsigned long long)o, r, (unsigned long long)v,
                      (unsigned long long)pat(d_cpu_pa(buf1 + o)));
        }
    }
    CHECK_EQ(bad, 0, "DMA reads of the whole buffer");
    /* writes at both sides of each page boundary and at both ends */
    static const uint64_t wo[] = {0, 0xdc0, 0xdc8, 0x1dc0, 0x1dc8, 0x1ff8};
    for (unsigned i = 0; i < sizeof wo / sizeof *wo; i++) {
        uint64_t val = 0x5100000000ull + i;
        CHECK_EQ(dma_wr(dev, iova1 + wo[i], 8, val), AXI_OKAY, "DMA write into the buffer");
        CHECK_EQ(tb_mem_load(d_cpu_pa(buf1 + wo[i]), 8), val, "the write landed in the right page");
    }
    bad = 0;
    for (uint64_t o = 0; o < len; o += 8) { /* nothing else of the buffer changed */
        uint64_t want = pat(d_cpu_pa(buf1 + o));
        for (unsigned i = 0; i < sizeof wo / sizeof *wo; i++)
            if (wo[i] == o) want = 0x5100000000ull + i;
        if (tb_mem_load(d_cpu_pa(buf1 + o), 8) != want) bad++;
    }
    CHECK_EQ(bad, 0, "the buffer holds exactly the data written");
    uint64_t v = 0;
    const uint64_t page1 = iova1 & ~0xfffull;
    CHECK_EQ(dma_rd(dev, page1 + 0x3000, 8, &v), AXI_SLVERR, "the page after the buffer is not mapped");

    /* dma_unmap: unmap, invalidate, fence, and only then unpin */
    uint64_t ptes[3];
    for (unsigned i = 0; i < 3; i++) {
        ptes[i] = d_pte_addr(dia.root, lv, page1 + 0x1000 * i);
        pc.pte[i] = ptes[i];
        CHECK(tb_mem_load(ptes[i], 8) & IOMMU_PTE_V, "PTE %u valid before dma_unmap", i);
    }
    pc.npte = 3;
    uint32_t from = rd32(IOMMU_REG_CQT);
    uint64_t t0 = tb_now();
    pc.from = from;
    d_log_clear();
    TRY(iommu_dma_unmap(dma, iova1));
    d_check_unpin(&pc, 1, buf1, len, t0, "dma_unmap");
    d_check_order(&pc, ptes, 3, t0, "dma_unmap");
    {
        d_cmd_t want[] = {x_vma(true, true, dia.pscid, page1),
                          x_vma(true, true, dia.pscid, page1 + 0x1000),
                          x_vma(true, true, dia.pscid, page1 + 0x2000), X_SYNC};
        d_expect_cmds(from, want, 4, "dma_unmap of three pages");
    }
    /* the old IOVA is refused (the pages were in the IOTLB) */
    CHECK_EQ(dma_rd(dev, iova1 + 8, 8, &v), AXI_SLVERR, "read of the old IOVA refused");
    CHECK_EQ(dma_wr(dev, iova1 + 0x1dc0, 8, 0xbad), AXI_SLVERR, "write to the old IOVA refused");
    CHECK_EQ(tb_mem_load(d_cpu_pa(buf1 + 0x1dc0), 8), 0x5100000003ull, "the buffer is untouched");
    CHECK_RC(iommu_dma_unmap(dma, iova1), IOMMU_ENOENT);
    CHECK_EQ(pc.unpins, 1, "a second unmap unpins nothing");
    iommu_fault_t f[8];
    if (d_faults(mmu, f, 8, 3) == 3) {
        d_fault_is(&f[0], 13, 2, dev, page1 + 0x3000, "read past the buffer");
        d_fault_is(&f[1], 13, 2, dev, iova1 + 8, "read of the old IOVA");
        d_fault_is(&f[2], 15, 3, dev, iova1 + 0x1dc0, "write to the old IOVA");
    }

    /* IOVA reuse: a buffer of the same shape in other pages (8, 9, 10:
     * physical 10, then 5, 6) gets the same IOVA, and DMA reaches the new pages */
    uint8_t *buf2 = d_cpu + 8 * 4096 + 0x238;
    for (unsigned pg = 8; pg <= 10; pg++) fill_pat(d_cpu_pa(d_cpu + pg * 4096), 4096);
    uint64_t iova2 = 0;
    TRY(iommu_dma_map(dma, buf2, len, IOMMU_PROT_READ, &iova2));
    CHECK_EQ(iova2, iova1, "the freed IOVA is handed out again");
    CHECK(pc.pins == 2 && pc.cpu == buf2, "buffer 2 pinned");
    bad = 0;
    for (uint64_t o = 0; o < len; o += 8) {
        int r = dma_rd(dev, iova2 + o, 8, &v);
        if (r != AXI_OKAY || v != pat(d_cpu_pa(buf2 + o))) {
            if (bad++ < 4)
                CHECK(0, "DMA read of the reused IOVA at %#llx: resp %d data %#llx, expected %#llx",
                      (unsigned long long)o, r, (unsigned long long)v,
                      (unsigned long long)pat(d_cpu_pa(buf2 + o)));
        }
    }
    CHECK_EQ(bad, 0, "DMA reads through the reused IOVA reach buffer 2");
    CHECK_EQ(dma_wr(dev, iova2, 8, 1), AXI_SLVERR, "buffer 2 is read-only");
    CHECK_EQ(tb_mem_load(d_cpu_pa(buf2), 8), pat(d_cpu_pa(buf2)), "buffer 2 unchanged");
    for (unsigned i = 0; i < 3; i++) pc.pte[i] = d_pte_addr(dia.root, lv, page1 + 0x1000 * i);
    t0 = tb_now();
    pc.from = rd32(IOMMU_REG_CQT);
    d_log_clear();
    TRY(iommu_dma_unmap(dma, iova2));
    d_check_unpin(&pc, 2, buf2, len, t0, "dma_unmap of buffer 2");
    d_check_order(&pc, pc.pte, 3, t0, "dma_unmap of buffer 2");
    CHECK_EQ(dma_rd(dev, iova2, 8, &v), AXI_SLVERR, "buffer 2's IOVA refused after its unmap");
    if (d_faults(mmu, f, 8, 2) == 2) {
        d_fault_is(&f[0], 15, 3, dev, iova2, "write to read-only buffer 2");
        d_fault_is(&f[1], 13, 2, dev, iova2, "read of buffer 2's old IOVA");
    }

    /* 64 KiB physically contiguous and aligned: one Svnapot page (16 PTEs);
     * its unmap invalidates each of its 4 KiB pages */
    {
        const uint64_t pa64 = BUF_X + 0x20000;
        fill_pat(pa64, 0x10000);
        uint64_t i64 = 0;
        TRY(iommu_dma_map_phys(dma, pa64, 0x10000, IOMMU_PROT_READ | IOMMU_PROT_WRITE, &i64));
        CHECK_EQ(i64 & 0xffff, 0, "a 64 KiB-aligned IOVA for a 64 KiB-aligned buffer");
        uint64_t pte64 = tb_mem_load(d_pte_addr(dia.root, lv, i64 + 0x5000), 8);
        CHECK(pte64 & IOMMU_PTE_N, "mapped as a NAPOT page (%#llx)", (unsigned long long)pte64);
        for (uint64_t o = 0; o < 0x10000; o += 0x1000) {
            CHECK_EQ(dma_rd(dev, i64 + o + 0x18, 8, &v), AXI_OKAY, "DMA into the 64 KiB page");
            CHECK_EQ(v, pat(pa64 + o + 0x18), "its data");
        }
        from = rd32(IOMMU_REG_CQT);
        TRY(iommu_dma_unmap(dma, i64));
        d_cmd_t want[17];
        for (unsigned i = 0; i < 16; i++) want[i] = x_vma(true, true, dia.pscid, i64 + 0x1000ull * i);
        want[16] = X_SYNC;
        d_expect_cmds(from, want, 17, "dma_unmap of a 64 KiB page");
        unsigned refused = 0;
        for (uint64_t o = 0; o < 0x10000; o += 0x1000)
            refused += dma_rd(dev, i64 + o + 0x18, 8, &v) == AXI_SLVERR;
        CHECK_EQ(refused, 16, "every 4 KiB page of the 64 KiB page refused after its unmap");
        size_t n = d_faults(mmu, f, 8, 8); /* the first 8 of the 16 */
        for (size_t i = 0; i < n; i++)
            d_fault_is(&f[i], 13, 2, dev, i64 + 0x1000ull * i + 0x18, "64 KiB page after unmap");
        n = d_faults(mmu, f, 8, 8);
        for (size_t i = 0; i < n; i++)
            d_fault_is(&f[i], 13, 2, dev, i64 + 0x1000ull * (i + 8) + 0x18, "64 KiB page after unmap");
    }

    /* the last mapping of the window's table: the table is freed, so the
     * invalidation is PSCID-wide (a freed table may sit in the walk cache) */
    from = rd32(IOMMU_REG_CQT);
    TRY(iommu_dma_unmap(dma, keep));
    {
        d_cmd_t want[] = {x_vma(false, true, dia.pscid, 0), X_SYNC};
        d_expect_cmds(from, want, 2, "dma_unmap of the window's last page");
    }
    CHECK_EQ(pc.unpins, 2, "map_phys: no unpin");

    /* ---- a device moved between domains, detached, re-attached ---- */
    iommu_domain_t *dc;
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &dc));
    iommu_domain_info_t dci;
    TRY(iommu_domain_get_info(dc, &dci));
    const uint64_t X = 0x30000000, PA_A = BUF_X, PA_C = BUF_X + 0x1000;
    fill_pat(PA_A, 0x2000);
    TRY(iommu_map(da, X, PA_A, 0x1000, IOMMU_PROT_READ));
    TRY(iommu_map(dc, X, PA_C, 0x1000, IOMMU_PROT_READ));
    CHECK_EQ(dma_rd(dev, X + 8, 8, &v), AXI_OKAY, "in domain A: read X");
    CHECK_EQ(v, pat(PA_A + 8), "domain A's page (DC and translation now cached)");
    const uint64_t dca = d_dc_addr(info.ddt_root, info.ddt_mode, dev);
    CHECK(dca != 0 && info.dc_size == 32, "the device's DC");
    /* valid -> valid: tc.V = 0; INVAL_DDT + IOTINVAL(old PSCID) + fence; new DC;
     * INVAL_DDT + fence */
    from = rd32(IOMMU_REG_CQT);
    t0 = tb_now();
    d_log_clear();
    TRY(iommu_attach_device(dc, dev));
    {
        d_cmd_t want[] = {x_ddt(true, dev), x_vma(false, true, dia.pscid, 0), X_SYNC,
                          x_ddt(true, dev), X_SYNC};
        d_expect_cmds(from, want, 5, "moving the device from A to C");
        uint64_t cq_lo = d_cq_base, cq_hi = d_cq_base + 16ull * (d_cq_mask + 1);
        long v0 = d_ev_first(0, EV_MEMW, dca, dca + 8, 1, 0);          /* tc with V = 0 */
        long c1 = d_ev_first(0, EV_MEMW, cq_lo, cq_hi, ~0ull, x_ddt(true, dev).dw0);
        long b1 = c1 >= 0 ? d_ev_first((size_t)c1, EV_CQT, 0, ~0ull, 0, 0) : -1;
        long body = d_ev_first(0, EV_MEMW, dca + 8, dca + 32, 0, 0);   /* new DC body */
        long v1 = d_ev_first(0, EV_MEMW, dca, dca + 8, 1, 1);          /* tc with V = 1 */
        long c2 = v1 >= 0 ? d_ev_first((size_t)v1, EV_MEMW, cq_lo, cq_hi, ~0ull,
                                       x_ddt(true, dev).dw0)
                          : -1;
        CHECK(v0 >= 0 && c1 > v0 && b1 > c1 && body > b1 && v1 > body && c2 > v1,
              "safe order: V=0 (%ld) < INVAL_DDT (%ld) < doorbell (%ld) < new body (%ld) < "
              "V=1 (%ld) < INVAL_DDT (%ld)",
              v0, c1, b1, body, v1, c2);
        uint64_t fb = b1 >= 0 ? d_fence_after(d_ev[b1].cycle) : 0;
        CHECK(body >= 0 && fb != 0 && fb < d_ev[body].cycle,
              "the old DC's invalidation completed (cycle %llu) before the new DC is written",
              (unsigned long long)fb);
        CHECK_EQ(IOMMU_FIELD_GET(tb_mem_load(dca + 16, 8), IOMMU_DC_TA_PSCID), dci.pscid,
                 "the DC carries C's PSCID");
    }
    CHECK_EQ(dma_rd(dev, X + 8, 8, &v), AXI_OKAY, "in domain C: read X");
    CHECK_EQ(v, pat(PA_C + 8), "domain C's page, not A's cached one");
    /* detach: DC invalid, INVAL_DDT + IOTINVAL(C) + fence; then refused (258) */
    from = rd32(IOMMU_REG_CQT);
    TRY(iommu_detach_device(dc, dev));
    {
        d_cmd_t want[] = {x_ddt(true, dev), x_vma(false, true, dci.pscid, 0), X_SYNC};
        d_expect_cmds(from, want, 3, "detaching the device");
    }
    CHECK_EQ(tb_mem_load(dca, 8) & 1, 0, "DC not valid");
    CHECK_EQ(dma_rd(dev, X + 8, 8, &v), AXI_SLVERR, "detached: refused");
    if (d_faults(mmu, f, 8, 1) == 1) d_fault_is(&f[0], 258, 2, dev, X + 8, "detached device");
    /* re-attach to A */
    from = rd32(IOMMU_REG_CQT);
    TRY(iommu_attach_device(da, dev));
    {
        d_cmd_t want[] = {x_ddt(true, dev), X_SYNC};
        d_expect_cmds(from, want, 2, "re-attaching the device");
    }
    CHECK_EQ(dma_rd(dev, X + 8, 8, &v), AXI_OKAY, "back in domain A: read X");
    CHECK_EQ(v, pat(PA_A + 8), "domain A's page again");
    /* and the DMA layer works on: map_phys (no pin), DMA, unmap */
    uint64_t iova3 = 0;
    TRY(iommu_dma_map_phys(dma, PA_A + 0x10, 0x100, IOMMU_PROT_READ, &iova3));
    CHECK_EQ(iova3, win + 0x10, "map_phys at the bottom of the window again");
    CHECK_EQ(dma_rd(dev, iova3 + 0x8, 8, &v), AXI_OKAY, "DMA through map_phys");
    CHECK_EQ(v, pat(PA_A + 0x18), "its data");
    TRY(iommu_dma_unmap(dma, iova3));
    CHECK_EQ(dma_rd(dev, iova3 + 0x8, 8, &v), AXI_SLVERR, "and refused after its unmap");
    if (d_faults(mmu, f, 8, 1) == 1) d_fault_is(&f[0], 13, 2, dev, iova3 + 8, "after map_phys unmap");
    CHECK(pc.pins == 2 && pc.unpins == 2, "map_phys neither pins nor unpins");

    TRY(iommu_dma_destroy(dma));
    TRY(iommu_detach_device(da, dev));
    TRY(iommu_domain_free(dc));
    TRY(iommu_domain_free(da));
    TRY(iommu_fini(mmu));
    return 0;
}

static int t_dma_api(void) {
    iommu_sim_t sim;
    iommu_platform_t plat;
    TRY(iommu_sim_init(&sim, POOL_BASE, POOL_SIZE, 100, &plat));
    d_plat_wrap(&plat);
    int rc = dma_api_body(&plat);
    sim_set_observer(NULL, NULL);
    iommu_sim_fini(&sim);
    return rc;
}

/* ===================================================================== */
/* drv_errors                                                             */
/* ===================================================================== */
static axi_slave_cfg_t d_mem_cfg0;

/* An illegal command through the raw submit: sync reports cmd_ill, the queue
 * stops at it (and raises the interrupt), recover skips it, and the command
 * queued before it has been executed. */
static void d_illegal(iommu_t *h, const iommu_info_t *info, d_cmd_t bad, const char *what) {
    const uint32_t civ = (uint32_t)IOMMU_FIELD_GET(rd64(IOMMU_REG_ICVEC), IOMMU_ICVEC_CIV);
    iommu_cmd_t cmds[2];
    CHECK_RC(iommu_cmd_iodir_inval_ddt(&cmds[0], true, 0x99), IOMMU_OK);
    cmds[1].dw[0] = bad.dw0;
    cmds[1].dw[1] = bad.dw1;
    uint32_t from = rd32(IOMMU_REG_CQT);
    CHECK_RC(iommu_cq_submit(h, cmds, 2), IOMMU_OK);
    uint64_t t = tb_now();
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL);
    CHECK(tb_now() - t < 20000, "%s: sync returned the error at once (%llu cycles)", what,
          (unsigned long long)(tb_now() - t));
    uint32_t csr = rd32(IOMMU_REG_CQCSR);
    CHECK((csr & 0xf00u) == IOMMU_CQCSR_CMD_ILL_MASK && (csr & IOMMU_CQCSR_CQON_MASK),
          "%s: cqcsr.cmd_ill alone, queue still on (%#x)", what, csr);
    CHECK_EQ(rd32(IOMMU_REG_CQH), (from + 1) & ((1u << info->cq_log2_entries) - 1),
             "cqh stops at the illegal command, after the legal one");
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & IOMMU_IPSR_CIP_MASK, IOMMU_IPSR_CIP_MASK, "ipsr.cip");
    CHECK(tb_wsi() & (1u << civ), "%s: the command-queue interrupt wire (%u) is up", what, civ);
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL); /* still stopped: an error again, no hang */
    uint32_t errs = 0;
    CHECK_RC(iommu_cq_recover(h, &errs), IOMMU_OK);
    CHECK_EQ(errs, IOMMU_CQCSR_CMD_ILL_MASK, "recover reports cmd_ill");
    d_cmd_t nop = d_cmd_at(from + 1);
    CHECK(nop.dw0 == 2 && nop.dw1 == 0, "%s: the illegal command became IOFENCE.C (no-op)", what);
    CHECK_RC(iommu_cq_sync(h), IOMMU_OK);
    CHECK_EQ(rd32(IOMMU_REG_CQH), rd32(IOMMU_REG_CQT), "queue drained after recover");
    csr = rd32(IOMMU_REG_CQCSR);
    CHECK((csr & 0xf00u) == 0 && (csr & IOMMU_CQCSR_CQEN_MASK) && (csr & IOMMU_CQCSR_CIE_MASK),
          "%s: errors clear, cqen and cie kept (%#x)", what, csr);
    CHECK_EQ(rd32(IOMMU_REG_IPSR) & IOMMU_IPSR_CIP_MASK, 0, "recover cleared ipsr.cip");
    CHECK(!(tb_wsi() & (1u << civ)), "%s: the interrupt wire is down after recover", what);
}

static int errors_body(iommu_platform_t *plat) {
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    cfg.irq_enable = true; /* wired interrupts: cmd_ill raises cip */
    cfg.civ = 1;
    cfg.fiv = 2;
    cfg.timeout_us = 500; /* every wait: 500 polls, 1 us = 100 cycles apart */
    cfg.cq_log2_entries = 2; /* 4 entries (3 usable): the queue wraps and fills up */
    iommu_t *mmu;
    TRY(iommu_init(plat, &cfg, &mmu));
    iommu_info_t info;
    TRY(iommu_get_info(mmu, &info));
    CHECK_EQ(info.cq_log2_entries, 2, "a 4-entry command queue");
    d_cq_learn(&info);
    d_watch_fence();
    CHECK(info.fctl & IOMMU_FCTL_WSI_MASK, "fctl.WSI set by the library");
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_ICVEC), IOMMU_ICVEC_CIV), 1, "icvec.civ");
    CHECK_EQ(tb_wsi(), 0, "no interrupt after bring-up");

    /* ---- illegal and unsupported commands ---- */
    iommu_cmd_t enc;
    CHECK_RC(iommu_cmd_iotinval_gvma(&enc, IOMMU_INVAL_PSCV, 0, 0), IOMMU_EINVAL);
    d_illegal(mmu, &info, (d_cmd_t){5, 0}, "reserved opcode 5");
    d_illegal(mmu, &info, (d_cmd_t){1u | 1u << 11, 0}, "IOTINVAL with reserved bit 11");
    d_illegal(mmu, &info, (d_cmd_t){1u | 1u << 7 | 1ull << 32, 0}, "IOTINVAL.GVMA with PSCV");
    d_illegal(mmu, &info, (d_cmd_t){3u | 1u << 7, 0}, "IODIR.INVAL_PDT without DV");
    d_illegal(mmu, &info, (d_cmd_t){2u | 1u << 14, 0}, "IOFENCE.C with reserved bit 14");
    if (!(info.caps & IOMMU_CAPABILITIES_ATS_MASK))
        d_illegal(mmu, &info, (d_cmd_t){4, 0}, "ATS.INVAL without capabilities.ATS");

    /* ---- IOFENCE.C with WSI: not an error, but recover clears fence_w_ip ---- */
    {
        iommu_cmd_t c;
        CHECK_RC(iommu_cmd_iofence_c(&c, IOMMU_FENCE_WSI, 0, 0), IOMMU_OK);
        CHECK_RC(iommu_cq_submit(mmu, &c, 1), IOMMU_OK);
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_OK);
        CHECK_EQ(rd32(IOMMU_REG_CQCSR) & 0xf00u, IOMMU_CQCSR_FENCE_W_IP_MASK, "fence_w_ip");
        CHECK(tb_wsi() & 2u, "the command-queue wire is up");
        uint32_t errs = 0;
        CHECK_RC(iommu_cq_recover(mmu, &errs), IOMMU_OK);
        CHECK_EQ(errs, IOMMU_CQCSR_FENCE_W_IP_MASK, "recover reports fence_w_ip");
        CHECK_EQ(rd32(IOMMU_REG_CQCSR) & 0xf00u, 0, "fence_w_ip cleared");
        CHECK_EQ(tb_wsi() & 2u, 0, "the wire is down");
    }

    /* ---- memory faults: the completion write, then the command fetch ---- */
    {
        uint64_t word = d_fobs.watch & ~0xfffull;
        tb_mem_error(word, 4096, true);
        uint32_t at = rd32(IOMMU_REG_CQT);
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_ECQMF);
        tb_mem_error(word, 4096, false);
        CHECK_EQ(rd32(IOMMU_REG_CQCSR) & 0xf00u, IOMMU_CQCSR_CQMF_MASK, "cqmf on the fence write");
        CHECK_EQ(rd32(IOMMU_REG_CQH), at, "cqh stays on the fence that faulted");
        uint32_t errs = 0;
        CHECK_RC(iommu_cq_recover(mmu, &errs), IOMMU_OK);
        CHECK_EQ(errs, IOMMU_CQCSR_CQMF_MASK, "recover reports cqmf");
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_OK);

        uint64_t qbytes = 16ull << info.cq_log2_entries;
        tb_mem_error(info.cq_phys, qbytes < 4096 ? 4096 : qbytes, true);
        at = rd32(IOMMU_REG_CQT);
        CHECK_RC(iommu_inval_ddt(mmu, 5), IOMMU_OK);
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_ECQMF);
        tb_mem_error(info.cq_phys, qbytes < 4096 ? 4096 : qbytes, false);
        CHECK_EQ(rd32(IOMMU_REG_CQCSR) & 0xf00u, IOMMU_CQCSR_CQMF_MASK, "cqmf on the fetch");
        CHECK_EQ(rd32(IOMMU_REG_CQH), at, "cqh stays on the command it could not fetch");
        CHECK_RC(iommu_cq_recover(mmu, &errs), IOMMU_OK);
        CHECK_EQ(errs, IOMMU_CQCSR_CQMF_MASK, "recover reports cqmf");
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_OK);
        CHECK_EQ(tb_wsi() & 2u, 0, "no interrupt left pending");
    }

    /* ---- a domain operation meets a stopped queue ---- */
    const uint32_t dev = 0x33;
    iommu_domain_t *da;
    TRY(iommu_domain_alloc(mmu, IOMMU_DOMAIN_PAGING, 0, &da));
    TRY(iommu_attach_device(da, dev));
    iommu_domain_info_t dia;
    TRY(iommu_domain_get_info(da, &dia));
    const uint64_t P = BUF_X + 0x10000;
    fill_pat(P, 0x4000);
    TRY(iommu_map(da, 0x100000, P, 0x4000, IOMMU_PROT_READ));
    uint64_t v = 0;
    for (uint64_t o = 0; o < 0x4000; o += 0x1000) {
        CHECK_EQ(dma_rd(dev, 0x100000 + o, 8, &v), AXI_OKAY, "reads of the mapped pages");
        CHECK_EQ(v, pat(P + o), "their data");
    }
    {
        iommu_cmd_t bad = {{5, 0}};
        CHECK_RC(iommu_cq_submit(mmu, &bad, 1), IOMMU_OK);
        CHECK_RC(iommu_unmap(da, 0x100000, 0x1000), IOMMU_ECMDILL);
        uint32_t errs = 0;
        CHECK_RC(iommu_cq_recover(mmu, &errs), IOMMU_OK);
        CHECK_EQ(errs, IOMMU_CQCSR_CMD_ILL_MASK, "recover after the failed unmap");
        CHECK_RC(iommu_cq_sync(mmu), IOMMU_OK); /* the unmap's IOTINVAL runs now */
        CHECK_EQ(dma_rd(dev, 0x100000, 8, &v), AXI_SLVERR, "the page is gone once the queue runs");
        /* the next flush of the domain is PSCID-wide */
        uint32_t from = rd32(IOMMU_REG_CQT);
        TRY(iommu_unmap(da, 0x101000, 0x1000));
        d_cmd_t want[] = {x_vma(false, true, dia.pscid, 0), X_SYNC};
        d_expect_cmds(from, want, 2, "the unmap after a failed invalidation");
        CHECK_EQ(dma_rd(dev, 0x101000, 8, &v), AXI_SLVERR, "that page is gone too");
        CHECK_EQ(dma_rd(dev, 0x102000, 8, &v), AXI_OKAY, "the others stay");
        CHECK_EQ(v, pat(P + 0x2000), "their data");
    }

    /* ---- a fence that cannot complete: a device read stuck at memory ---- */
    d_pin_t pc;
    memset(&pc, 0, sizeof pc);
    pc.plat = *plat;
    iommu_dma_pin_ops_t pops = {d_pin, d_unpin, &pc};
    iommu_dma_t *dma;
    TRY(iommu_dma_create(da, 0x10000000, 0x1000000, &pops, &dma));
    uint8_t *buf = d_cpu + 4 * 4096 + 0x100;
    fill_pat(d_cpu_pa(d_cpu + 4 * 4096), 4096);
    uint64_t iova = 0;
    TRY(iommu_dma_map(dma, buf, 0x200, IOMMU_PROT_READ, &iova));
    CHECK_EQ(dma_rd(dev, iova, 8, &v), AXI_OKAY, "DMA through the buffer");
    CHECK_EQ(v, pat(d_cpu_pa(buf)), "its data");

    axi_slave_cfg_t stuck = d_mem_cfg0;
    stuck.stall_pct = 100; /* the memory accepts no request */
    axi_slave_set_cfg(sim_mem_slave(), &stuck);
    dma_txn_t *t = dma_txn_new(false, 0x102000 + 0x10, 0, 3);
    t->user = sim_user(dev, false, 0);
    dev_master_submit(sim_dev(), t, tb_now());
    tb_cycles(300);
    CHECK(!t->done, "the device's read is stuck at memory");

    uint64_t t1 = tb_now();
    CHECK_RC(iommu_cq_sync(mmu), IOMMU_ETIMEDOUT);
    uint64_t spent = tb_now() - t1;
    CHECK(spent >= 500ull * 100 && spent < 500ull * 100 * 3,
          "sync gave up after its timeout (%llu cycles)", (unsigned long long)spent);
    CHECK_EQ(rd32(IOMMU_REG_CQCSR) & 0xf00u, 0, "a fence waiting is no queue error");

    int unpins = pc.unpins;
    t1 = tb_now();
    CHECK_RC(iommu_dma_unmap(dma, iova), IOMMU_ETIMEDOUT);
    spent = tb_now() - t1;
    CHECK(spent < 500ull * 100 * 3, "dma_unmap gave up after its timeout (%llu cycles)",
          (unsigned long long)spent);
    CHECK_EQ(pc.unpins, unpins, "the buffer stays pinned: the fence did not complete");
    /* two fences and an IOTINVAL wait in the queue: it is full and does not move */
    t1 = tb_now();
    CHECK_RC(iommu_inval_ddt(mmu, 5), IOMMU_ETIMEDOUT);
    CHECK(tb_now() - t1 < 500ull * 100 * 3, "submit to a full queue gave up after its timeout");
    CHECK_EQ((rd32(IOMMU_REG_CQT) - rd32(IOMMU_REG_CQH)) & 3u, 3, "the queue is full");
    uint64_t pa = 0;
    CHECK_RC(iommu_iova_to_phys(da, iova & ~0xfffull, &pa), IOMMU_ENOENT);
    uint64_t other = 0;
    TRY(iommu_dma_map_phys(dma, P, 0x1000, IOMMU_PROT_READ, &other));
    CHECK((other & ~0xfffull) != (iova & ~0xfffull), "the IOVA stays held");

    axi_slave_set_cfg(sim_mem_slave(), &d_mem_cfg0);
    CHECK_EQ(sim_drain(100000), 0, "the stuck read completes once memory answers");
    CHECK(t->done && t->resp == AXI_OKAY && t->data[0] == pat(P + 0x2010),
          "the stuck read got its data (resp %u)", t->resp);
    dma_txn_t *d;
    while ((d = dev_master_take_done(sim_dev())) != NULL) dma_txn_free(d);
    uint32_t from = rd32(IOMMU_REG_CQT);
    pc.from = from;
    TRY(iommu_dma_unmap(dma, iova)); /* the retry: PSCID-wide, then unpin */
    CHECK_EQ(pc.unpins, unpins + 1, "unpinned by the retry");
    CHECK(pc.drained && pc.fence_done && ((pc.cqt - from) & d_cq_mask) >= 2,
          "the retry unpinned after its invalidation and fence completed");
    {
        d_cmd_t want[] = {x_vma(false, true, dia.pscid, 0), X_SYNC};
        d_expect_cmds(from, want, 2, "the retried dma_unmap");
    }
    CHECK_EQ(dma_rd(dev, iova, 8, &v), AXI_SLVERR, "the old IOVA is refused");
    TRY(iommu_dma_unmap(dma, other));

    iommu_fault_t f[8];
    if (d_faults(mmu, f, 8, 3) == 3) {
        d_fault_is(&f[0], 13, 2, dev, 0x100000, "read of the page unmapped across the error");
        d_fault_is(&f[1], 13, 2, dev, 0x101000, "read of the next page");
        d_fault_is(&f[2], 13, 2, dev, iova, "read of the old IOVA after the timeout");
    }
    TRY(iommu_dma_destroy(dma));
    TRY(iommu_detach_device(da, dev));
    TRY(iommu_domain_free(da));
    TRY(iommu_fini(mmu));
    return 0;
}

static int t_errors(void) {
    iommu_sim_t sim;
    iommu_platform_t plat;
    TRY(iommu_sim_init(&sim, POOL_BASE, POOL_SIZE, 100, &plat));
    d_plat_wrap(&plat);
    axi_slave_get_cfg(sim_mem_slave(), &d_mem_cfg0);
    int rc = errors_body(&plat);
    axi_slave_set_cfg(sim_mem_slave(), &d_mem_cfg0);
    sim_set_observer(NULL, NULL);
    iommu_sim_fini(&sim);
    return rc;
}

const test_def_t tests_drv[] = {
    {"drv_two_domains",
     "driver library: bring-up, two domains, map, DMA, refusals, decoded faults, unmap + IOTINVAL",
     t_driver, false},
    {"drv_dma_api",
     "driver DMA layer: pin, map, DMA, strict unmap order (unpin after the fence), reuse, re-attach",
     t_dma_api, false},
    {"drv_errors",
     "driver and command-queue errors: cmd_ill, cqmf, recover, interrupts, sync timeout",
     t_errors, false},
    {0},
};
