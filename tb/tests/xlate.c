/* xlate.c - directed tests of the translation engine: each DDT level, each
 * page size, each fault cause and each PTE rule, with the expected outcome
 * written from the spec (translation process; privileged spec's Sv39/48/57
 * walk) next to each case.
 *
 * The fault tests (xlate_ddt_faults, xlate_pte_faults) build their tables by
 * hand with raw stores, so a case can set exactly the bits it is about.  The
 * tests that only need ordinary mappings (xlate_levels, xlate_page_sizes,
 * xlate_order, xlate_bursts) get the IOMMU, its fault queue, the directory, a
 * domain per device and the mappings from the driver library (tdrv.h); the
 * records are still decoded here, straight from the library's fault queue. */
#include <string.h>

#include "tdrv.h"
#include "tutil.h"

/* Memory map of these tests. */
#define DDT_BASE  0x80000000ull     /* raw: directory pages and page tables (pt_alloc);
                                     * library: its DMA pool (directory, tables, queues) */
#define DRV_SIZE  (16ull << 20)
#define DATA_BASE 0x90000000ull     /* data pages */
#define FQ_BASE   0x7f000000ull     /* raw: fault queue, 64 records */

/* ---- set-up shared by the cases --------------------------------------------------------- */
static uint64_t fq_base;            /* the fault queue of the current set-up */

/* Raw: reset the IOMMU (memory is kept), enable the fault queue, point ddtp
 * at a fresh root in `mode`. */
static void setup(ddt_t *d, unsigned mode) {
    tb_reset();
    pt_alloc_init(DDT_BASE);
    d->mode = mode;
    d->root = pt_alloc();
    fq_base = FQ_BASE;
    fq_enable(FQ_BASE, 5, false);
    set_ddtp(mode, d->root);
}

/* Library: reset the IOMMU and bring it up through the driver library with
 * both queues and the directory in ddtp mode `mode`. */
static bool lib_setup(tdrv_t *t, unsigned mode) {
    tb_reset();
    if (!tdrv_up(t, DDT_BASE, DRV_SIZE, mode, false)) return false;
    fq_base = t->info.fq_phys;
    return true;
}

/* The leaf PTE that maps iova in a table rooted at root (levels 3..5), and
 * its level; 0 if there is none.  Read from memory, to make sure the library
 * built the page size a case is about. */
static uint64_t leaf_of(uint64_t root, unsigned levels, uint64_t iova, unsigned *level) {
    uint64_t t = root;
    for (int l = (int)levels - 1; l >= 0; l--) {
        uint64_t pte = tb_mem_load(t + 8 * ((iova >> (12 + 9 * l)) & 511), 8);
        if (!(pte & PTE_V)) return 0;
        if (pte & (PTE_R | PTE_W | PTE_X)) {
            *level = (unsigned)l;
            return pte;
        }
        t = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return 0;
}

static unsigned fq_count(void) { return rd32(IOMMU_REG_FQT) - rd32(IOMMU_REG_FQH); }

/* Expect the next record (index `*seen`) to have these fields. */
static void expect_record(unsigned *seen, unsigned cause, unsigned ttyp, uint32_t did, uint64_t iotval) {
    CHECK(poll_reg(IOMMU_REG_FQT, 4, *seen + 1, ~0ull, 2000), "no fault record %u (cause %u)", *seen, cause);
    fault_rec_t r = fq_record(fq_base, *seen);
    CHECK_EQ(r.cause, cause, "record CAUSE");
    CHECK_EQ(r.ttyp, ttyp, "record TTYP");
    CHECK_EQ(r.did, did, "record DID");
    CHECK_EQ(r.iotval, iotval, "record iotval");
    CHECK_EQ(r.iotval2, 0, "record iotval2");
    (*seen)++;
}

static uint64_t pattern(uint64_t pa) { return pa * 0x9e3779b97f4a7c15ull ^ 0x1234; }

/* ---- tests -------------------------------------------------------------------------------- */

/* Each DDT level and each first-stage mode: a read and a write through a
 * 4 KiB mapping reach the mapped physical page; a second access hits.
 * Set-up through the library: ddtp in that mode, a Sv39/48/57 domain. */
static int t_levels(void) {
    static const unsigned ddt_modes[] = {2, 3, 4};
    for (unsigned mi = 0; mi < 3; mi++) {
        for (unsigned levels = 3; levels <= 5; levels++) {
            tdrv_t t;
            if (!lib_setup(&t, ddt_modes[mi])) return 1;
            /* the widest device_id the mode allows */
            uint32_t did = ddt_modes[mi] == 2 ? 0x7f : ddt_modes[mi] == 3 ? 0xffff : 0xabcdef;
            iommu_domain_t *dom = tdrv_paging(&t, levels, did);
            uint64_t iova = 0x12345000ull, pa = DATA_BASE + 0x7000;
            if (!dom || !tdrv_map(dom, iova, pa, 4096, IOMMU_PGSIZE_4K)) return 1;
            tb_mem_store(pa + 0x18, 8, pattern(pa));
            uint64_t v = 0;
            CHECK_EQ(dma_rd(did, iova + 0x18, 8, &v), AXI_OKAY, "read through the mapping");
            CHECK_EQ(v, pattern(pa), "read data from the mapped page");
            CHECK_EQ(dma_wr(did, iova + 0x20, 8, 0x5555), AXI_OKAY, "write through the mapping");
            CHECK_EQ(tb_mem_load(pa + 0x20, 8), 0x5555, "write landed in the mapped page");
            uint64_t ds0 = axi_slave_reads(sim_ds_slave());
            tb_mem_store(pa + 0x28, 8, ~pattern(pa));
            CHECK_EQ(dma_rd(did, iova + 0x28, 8, &v), AXI_OKAY, "second read");
            CHECK_EQ(v, ~pattern(pa), "second read: data from the mapped page, offset kept");
            CHECK_EQ(axi_slave_reads(sim_ds_slave()), ds0, "second read hit the IOTLB (no walk)");
            CHECK_EQ(fq_count(), 0, "no fault record");
            tdrv_down(&t);
        }
    }
    return 0;
}

/* Every page size: 4 KiB, 64 KiB (Svnapot), 2 MiB, 1 GiB, 512 GiB (Sv48),
 * with accesses at both ends of the page.  The library maps each page (one
 * iommu_map of exactly the page's size); the leaf it wrote is checked to be
 * of that size before the accesses. */
static int t_page_sizes(void) {
    static const struct { unsigned level; bool napot; uint64_t size; } pg[] = {
        {0, false, 4096}, {0, true, 65536}, {1, false, 2ull << 20},
        {2, false, 1ull << 30}, {3, false, 512ull << 30},
    };
    tdrv_t t;
    if (!lib_setup(&t, 2)) return 1;
    iommu_domain_t *dom = tdrv_paging(&t, 4, 3);
    iommu_domain_info_t di;
    if (!dom) return 1;
    TRY(iommu_domain_get_info(dom, &di));
    for (unsigned i = 0; i < sizeof pg / sizeof *pg; i++) {
        uint64_t iova = (uint64_t)(i + 1) << 40;                  /* its own level-3 entry */
        uint64_t pa = 0x40000000000ull + pg[i].size * (i + 1);    /* aligned to the size */
        if (!tdrv_map(dom, iova, pa, pg[i].size, pg[i].size)) return 1;
        for (uint64_t o = 0; o < pg[i].size; o += pg[i].napot ? 4096 : pg[i].size) {
            unsigned level = 99;
            uint64_t pte = leaf_of(di.root, 4, iova + o, &level);
            uint64_t want = pt_leaf(pa, PTE_RWUAD | (pg[i].napot ? PTE_N | (1ull << 13) : 0));
            CHECK(level == pg[i].level && pte == want,
                  "page of %#llx bytes: leaf %#llx at level %u, expected %#llx at level %u",
                  (unsigned long long)pg[i].size, (unsigned long long)pte, level,
                  (unsigned long long)want, pg[i].level);
        }
        uint64_t offs[2] = {0x8, pg[i].size - 8};
        for (unsigned k = 0; k < 2; k++) {
            tb_mem_store(pa + offs[k], 8, pattern(pa + offs[k]));
            uint64_t v = 0;
            CHECK_EQ(dma_rd(3, iova + offs[k], 8, &v), AXI_OKAY, "read");
            CHECK_EQ(v, pattern(pa + offs[k]), "data from the right physical address");
        }
    }
    CHECK_EQ(fq_count(), 0, "no fault record");
    tdrv_down(&t);
    return 0;
}

/* One access; returns its AXI response. */
typedef enum { RD, WR, EX } acc_t;
static int access(uint32_t did, uint64_t iova, acc_t acc, bool pv, uint32_t pid, bool priv) {
    tb_dma_t r;
    tb_dma_result_t res;
    memset(&r, 0, sizeof r);
    r.dev = did;
    r.iova = iova;
    r.size = 8;
    r.beats = 1;
    r.write = acc == WR;
    r.exec = acc == EX;
    r.pv = pv;
    r.pid = pid;
    r.priv = priv;
    r.data = 0x77;
    if (tb_dma(&r, &res, 100000)) return -1;
    return (int)res.resp;
}

static unsigned ttyp_of(acc_t a) { return a == WR ? 3 : a == EX ? 1 : 2; }
static unsigned page_fault(acc_t a) { return a == WR ? 15 : a == EX ? 12 : 13; }
static unsigned access_fault(acc_t a) { return a == WR ? 7 : a == EX ? 1 : 5; }

/* Expect SLVERR and, when cause != 0, one record with it. */
static void expect_fault(unsigned *seen, const char *what, uint32_t did, uint64_t iova, acc_t a,
                         unsigned cause) {
    uint64_t mem0 = axi_slave_reads(sim_mem_slave()) + axi_slave_writes(sim_mem_slave());
    int resp = access(did, iova, a, false, 0, false);
    CHECK(resp == AXI_SLVERR, "%s: expected SLVERR, got %d", what, resp);
    CHECK_EQ(axi_slave_reads(sim_mem_slave()) + axi_slave_writes(sim_mem_slave()), mem0,
             "a refused access reaches no memory");
    if (cause) {
        unsigned before = tb_check_failures;
        expect_record(seen, cause, ttyp_of(a), did, iova);
        if (tb_check_failures != before) tb_fail(__FILE__, __LINE__, "... in case: %s", what);
    } else {
        tb_cycles(200);
        CHECK(fq_count() == *seen, "%s: a record was written though DTF=1", what);
    }
}

static void expect_ok(const char *what, uint32_t did, uint64_t iova, acc_t a) {
    int resp = access(did, iova, a, false, 0, false);
    CHECK(resp == AXI_OKAY, "%s: expected OKAY, got %d", what, resp);
}

/* Directory faults: device_id too wide (260), non-leaf DDTE not valid (258),
 * reserved bits (259), read error (257); DC not valid (258), every
 * misconfiguration this IOMMU's capabilities imply (259), DC read error
 * (257); a process_id without PDT support (260); DTF. */
static int t_ddt_faults(void) {
    ddt_t d;
    unsigned seen = 0;
    uint64_t iova = 0x4000;

    /* 1LVL: device_id bits 23:7 must be 0; 2LVL: bits 23:16. */
    setup(&d, 2);
    expect_fault(&seen, "1LVL, device_id 0x80", 0x80, iova, RD, 260);
    setup(&d, 3);
    seen = 0;
    expect_fault(&seen, "2LVL, device_id 0x10000", 0x10000, iova, WR, 260);

    setup(&d, 4);
    seen = 0;
    /* non-leaf entries: the level-2 entry of device 0x010000 is absent. */
    expect_fault(&seen, "DDTE at level 2 not valid", 0x010000, iova, RD, 258);
    /* a reserved bit in a valid level-2 entry (bit 1) */
    uint64_t l1 = pt_alloc();
    tb_mem_store(d.root + 2 * 8, 8, ((l1 >> 12) << 10) | 1 | 2);
    expect_fault(&seen, "DDTE reserved bit 1", 0x020000, iova, RD, 259);
    tb_mem_store(d.root + 2 * 8, 8, ((l1 >> 12) << 10) | 1 | (1ull << 60));
    expect_fault(&seen, "DDTE reserved bit 60", 0x020000, iova, RD, 259);
    /* level-1 entry unreadable */
    tb_mem_store(d.root + 2 * 8, 8, ((l1 >> 12) << 10) | 1);
    tb_mem_error(l1 + 5 * 8, 8, true);
    expect_fault(&seen, "DDTE read error", 0x020000 | (5 << 7), iova, EX, 257);
    tb_mem_error(l1 + 5 * 8, 8, false);

    /* device contexts, one device each */
    uint64_t root = pt_alloc();
    uint64_t ok_fsc = pt_satp(3, root), ok_ta = 5ull << 12;
    pt_map(root, 3, iova, 0, pt_leaf(DATA_BASE, PTE_RWUAD));
    const struct { const char *what; uint64_t tc, gatp, ta, fsc; unsigned cause; } dc[] = {
        {"DC V=0", 0, 0, 0, 0, 258},
        {"tc.EN_ATS with ATS=0", 1 | 2, 0, 0, 0, 259},
        {"tc.EN_PRI with ATS=0", 1 | 4, 0, 0, 0, 259},
        {"tc.T2GPA with T2GPA=0", 1 | 8, 0, 0, 0, 259},
        {"tc.PRPR with ATS=0", 1 | 64, 0, 0, 0, 259},
        {"tc.GADE with AMO_HWAD=0", 1 | 128, 0, 0, 0, 259},
        {"tc.SADE with AMO_HWAD=0", 1 | 256, 0, 0, 0, 259},
        {"tc.DPE with PDTV=0", 1 | 512, 0, 0, 0, 259},
        {"tc.SBE with END=0, fctl.BE=0", 1 | 1024, 0, 0, 0, 259},
        {"tc.SXL with GXL=0 read-only", 1 | 2048, 0, 0, 0, 259},
        {"tc reserved bit 12", 1 | (1ull << 12), 0, 0, 0, 259},
        {"tc reserved bit 40", 1 | (1ull << 40), 0, 0, 0, 259},
        {"iohgatp Sv39x4 not supported", 1, 8ull << 60, 0, 0, 259},
        {"iohgatp reserved mode 1", 1, 1ull << 60, 0, 0, 259},
        {"ta reserved bit 0", 1, 0, 1, 0, 259},
        {"ta RCID with QOSID=0", 1, 0, 1ull << 40, 0, 259},
        {"iosatp reserved mode 1", 1, 0, 0, 1ull << 60, 259},
        {"iosatp Sv32 (SXL=0)", 1, 0, 0, 11ull << 60, 259},
        {"iosatp reserved bit 44", 1, 0, 0, ok_fsc | (1ull << 44), 259},
        {"pdtp PD8 without PD8", 1 | 32, 0, 0, 1ull << 60, 259},
        {"pdtp PD20 without PD20", 1 | 32, 0, 0, 3ull << 60, 259},
    };
    uint32_t did = 0x000100;
    for (unsigned i = 0; i < sizeof dc / sizeof *dc; i++, did++) {
        dc_write(&d, did, dc[i].tc, dc[i].gatp, dc[i].ta ? dc[i].ta : ok_ta,
                 dc[i].fsc ? dc[i].fsc : ok_fsc);
        expect_fault(&seen, dc[i].what, did, iova, RD, dc[i].cause);
    }
    /* a DC whose third doubleword cannot be read */
    uint64_t dca = ddt_dc_addr(&d, did);
    dc_write(&d, did, 1, 0, ok_ta, ok_fsc);
    tb_mem_error(dca + 16, 8, true);
    expect_fault(&seen, "DC read error", did, iova, WR, 257);
    tb_mem_error(dca + 16, 8, false);
    did++;

    /* A valid DC: custom tc bits 31:24 are ignored, the access goes through. */
    dc_write(&d, did, 1 | (0xffull << 24), 0, ok_ta, ok_fsc);
    expect_ok("custom tc bits", did, iova, RD);
    /* process_id with PDTV=0: 260 with PV, PID and PRIV in the record. */
    CHECK_EQ(access(did, iova, RD, true, 0x12345, true), AXI_SLVERR, "PV=1, PDTV=0");
    CHECK(poll_reg(IOMMU_REG_FQT, 4, seen + 1, ~0ull, 2000), "no record for PV=1");
    fault_rec_t r = fq_record(FQ_BASE, seen++);
    CHECK_EQ(r.cause, 260, "PV=1, PDTV=0: cause");
    CHECK(r.pv && r.priv && r.pid == 0x12345, "PV=1: PV, PRIV and PID recorded");
    did++;

    /* DTF=1: page faults and 260 are not recorded, DC faults still are. */
    dc_write(&d, did, 1 | 16, 0, ok_ta, ok_fsc);
    expect_fault(&seen, "DTF: page fault", did, 0x9000, RD, 0);
    CHECK_EQ(access(did, iova, RD, true, 1, false), AXI_SLVERR, "DTF: PV=1 refused");
    tb_cycles(200);
    CHECK_EQ(fq_count(), seen, "DTF: 260 not recorded");
    expect_ok("DTF: a good access still passes", did, iova, RD);
    did++;
    dc_write(&d, did, 16, 0, ok_ta, ok_fsc);   /* V=0: DTF is not trusted */
    expect_fault(&seen, "DTF in an invalid DC", did, iova, RD, 258);
    did++;

    /* First stage Bare (iosatp Bare, or PDTV=1 with pdtp Bare): IOVA = PA. */
    tb_mem_store(DATA_BASE + 0x48, 8, pattern(7));
    dc_write(&d, did, 1, 0, 0, 0);
    uint64_t v = 0;
    CHECK_EQ(dma_rd(did, DATA_BASE + 0x48, 8, &v), AXI_OKAY, "iosatp Bare");
    CHECK_EQ(v, pattern(7), "iosatp Bare: IOVA is the physical address");
    did++;
    dc_write(&d, did, 1 | 32 | 512, 0, 0, 0);
    CHECK_EQ(dma_rd(did, DATA_BASE + 0x48, 8, &v), AXI_OKAY, "PDTV=1, DPE=1, pdtp Bare");
    CHECK_EQ(v, pattern(7), "pdtp Bare: IOVA is the physical address");
    /* a Bare pdtp takes any process_id, privileged or not (spec issue 638) */
    CHECK_EQ(access(did, DATA_BASE + 0x48, RD, true, 3, true), AXI_OKAY, "pdtp Bare with PV=1");
    /* above PAS with a Bare first stage: access fault */
    expect_fault(&seen, "Bare first stage above PAS", did, 1ull << 56, WR, 7);
    return 0;
}

/* First-stage PTE rules (privileged spec, Sv39 walk), one device each. */
static int t_pte_faults(void) {
    ddt_t d;
    unsigned seen = 0;
    setup(&d, 2);
    uint32_t did = 1;
    const uint64_t pa = DATA_BASE, big = 0x40000000ull;   /* 1 GiB aligned */
    static const struct {
        const char *what;
        unsigned level;      /* leaf level */
        uint64_t pte;        /* flags; PPN from pa (level 0) or big */
        acc_t acc;
        int expect;          /* -1 OK, else 'p' page fault / 'a' access fault */
    } c[] = {
        {"V=0", 0, PTE_RWUAD & ~PTE_V, RD, 'p'},
        {"V=0, write", 0, PTE_RWUAD & ~PTE_V, WR, 'p'},
        {"V=0, execute", 0, PTE_RWUAD & ~PTE_V, EX, 'p'},
        {"xwr=010 reserved", 0, PTE_V | PTE_W | PTE_U | PTE_A | PTE_D, WR, 'p'},
        {"xwr=110 reserved", 0, PTE_V | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D, EX, 'p'},
        {"reserved bit 54", 0, PTE_RWUAD | (1ull << 54), RD, 'p'},
        {"reserved bit 60", 0, PTE_RWUAD | (1ull << 60), RD, 'p'},
        {"PBMT without Svpbmt", 0, PTE_RWUAD | (1ull << 61), RD, 'p'},
        {"N with PPN[3:0] != 1000", 0, PTE_RWUAD | PTE_N, RD, 'p'},
        {"N on a 2 MiB leaf", 1, PTE_RWUAD | PTE_N, RD, 'p'},
        {"misaligned 2 MiB superpage", 1, PTE_RWUAD | (1ull << 10), RD, 'p'},
        {"misaligned 1 GiB superpage", 2, PTE_RWUAD | (1ull << 19), WR, 'p'},
        {"U=0 (requests are user mode)", 0, PTE_RWUAD & ~PTE_U, RD, 'p'},
        {"X=0, execute", 0, PTE_RWUAD, EX, 'p'},
        {"X only, execute", 0, PTE_V | PTE_X | PTE_U | PTE_A, EX, -1},
        {"X only, read (R=0)", 0, PTE_V | PTE_X | PTE_U | PTE_A, RD, 'p'},
        {"R only, write (W=0)", 0, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D, WR, 'p'},
        {"A=0, read", 0, PTE_RWUAD & ~PTE_A, RD, 'p'},
        {"D=0, read", 0, PTE_RWUAD & ~PTE_D, RD, -1},
        {"D=0, write", 0, PTE_RWUAD & ~PTE_D, WR, 'p'},
        {"G set, still fine", 0, PTE_RWUAD | PTE_G, WR, -1},
        {"RSW bits are software's", 0, PTE_RWUAD | (3ull << 8), RD, -1},
        {"2 MiB leaf", 1, PTE_RWUAD, RD, -1},
        {"1 GiB leaf", 2, PTE_RWUAD, WR, -1},
    };
    for (unsigned i = 0; i < sizeof c / sizeof *c; i++, did++) {
        uint64_t root = pt_alloc();
        dc_write(&d, did, 1, 0, (uint64_t)did << 12, pt_satp(3, root));
        uint64_t iova = 0x0000004000000000ull - 0x40000000ull;   /* top of Sv39's lower half */
        uint64_t ppa = c[i].level ? big : pa;
        pt_map(root, 3, iova, c[i].level, pt_leaf(ppa, c[i].pte));
        if (c[i].expect < 0) expect_ok(c[i].what, did, iova + 0x10, c[i].acc);
        else expect_fault(&seen, c[i].what, did, iova + 0x10, c[i].acc,
                          c[i].expect == 'p' ? page_fault(c[i].acc) : access_fault(c[i].acc));
    }

    /* Non-leaf rules: a non-leaf PTE at level 0; D, A or U in a non-leaf
     * (N too: Svnapot reserves it there).  The page is mapped in full and the
     * flag is added to its root entry, so only the flag can refuse it. */
    static const struct { const char *what; uint64_t nonleaf_flags; } nl[] = {
        {"non-leaf with A", PTE_A}, {"non-leaf with D", PTE_D},
        {"non-leaf with U", PTE_U}, {"non-leaf with N", PTE_N}, {"non-leaf, none", 0},
    };
    for (unsigned i = 0; i < sizeof nl / sizeof *nl; i++, did++) {
        uint64_t root = pt_alloc();
        dc_write(&d, did, 1, 0, (uint64_t)did << 12, pt_satp(3, root));
        pt_map(root, 3, 0x1000, 0, pt_leaf(pa, PTE_RWUAD));
        tb_mem_store(root, 8, tb_mem_load(root, 8) | nl[i].nonleaf_flags);   /* VPN[2] = 0 */
        if (nl[i].nonleaf_flags) expect_fault(&seen, nl[i].what, did, 0x1000, RD, 13);
        else expect_ok(nl[i].what, did, 0x1000, RD);
    }
    {
        uint64_t root = pt_alloc();
        dc_write(&d, did, 1, 0, (uint64_t)did << 12, pt_satp(3, root));
        uint64_t e = pt_map(root, 3, 0x5000, 0, 0);
        tb_mem_store(e, 8, ((pt_alloc() >> 12) << 10) | PTE_V);   /* pointer at level 0 */
        expect_fault(&seen, "non-leaf PTE at level 0", did, 0x5000, WR, 15);
        did++;
    }
    /* Read errors during the walk: access faults 5, 7, 1. */
    for (acc_t a = RD; a <= EX; a++, did++) {
        uint64_t root = pt_alloc();
        dc_write(&d, did, 1, 0, (uint64_t)did << 12, pt_satp(3, root));
        uint64_t e = pt_map(root, 3, 0x7000, 0, pt_leaf(pa, PTE_RWUAD | PTE_X));
        tb_mem_error(e, 8, true);
        expect_fault(&seen, "PTE read error", did, 0x7000, a, access_fault(a));
        tb_mem_error(e, 8, false);
        expect_ok("PTE readable again", did, 0x7000, a);
    }
    /* Sv39: IOVA bits 63:39 must equal bit 38. */
    {
        uint64_t root = pt_alloc();
        dc_write(&d, did, 1, 0, (uint64_t)did << 12, pt_satp(3, root));
        pt_map(root, 3, 0x7000, 0, pt_leaf(pa, PTE_RWUAD));
        expect_fault(&seen, "non-canonical Sv39 IOVA", did, 0x8000000000ull | 0x7000, RD, 13);
        expect_fault(&seen, "non-canonical Sv39 IOVA (high)", did, 0xffff800000007000ull, WR, 15);
        did++;
    }
    CHECK_EQ(fq_count(), seen, "no extra records");
    return 0;
}

/* A leaf whose permissions software widens without IOTINVAL.VMA (R to R/W):
 * the cached entry refuses the write, which walks and gets the new leaf; that
 * refill has the cached tag but other permissions, so it must be written (a
 * refill with the same tag and permissions writes nothing): the next write
 * hits, with no walk.  For the 4 KiB and 2 MiB arrays and the fully
 * associative one (1 GiB). */
static int t_perm_upgrade(void) {
    static const struct { unsigned level; uint64_t size; } pg[] = {
        {0, 4096}, {1, 2ull << 20}, {2, 1ull << 30},
    };
    ddt_t d;
    setup(&d, 2);
    uint32_t did = 5;
    uint64_t root = pt_alloc();
    dc_write(&d, did, 1, 0, 9ull << 12, pt_satp(3, root));
    for (unsigned i = 0; i < sizeof pg / sizeof *pg; i++) {
        uint64_t iova = (uint64_t)(i + 1) << 31, pa = 0x40000000000ull + pg[i].size * (i + 1);
        uint64_t e = pt_map(root, 3, iova, pg[i].level, pt_leaf(pa, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D));
        tb_mem_store(pa + 8, 8, pattern(pa + 8));
        uint64_t v = 0;
        CHECK_EQ(dma_rd(did, iova + 8, 8, &v), AXI_OKAY, "read of the R-only page");
        CHECK_EQ(v, pattern(pa + 8), "read data");
        tb_mem_store(e, 8, pt_leaf(pa, PTE_RWUAD));                    /* no invalidation */
        CHECK_EQ(access(did, iova + 16, WR, false, 0, false), AXI_OKAY, "write after R -> RW (walks)");
        uint64_t ds0 = axi_slave_reads(sim_ds_slave());
        CHECK_EQ(access(did, iova + 24, WR, false, 0, false), AXI_OKAY, "second write");
        CHECK(axi_slave_reads(sim_ds_slave()) == ds0,
              "page of %#llx bytes: the second write walked (the refill with the new permissions was dropped)",
              (unsigned long long)pg[i].size);
        CHECK_EQ(tb_mem_load(pa + 24, 8), 0x77, "the second write reached the page");
    }
    CHECK_EQ(fq_count(), 0, "no fault record");
    return 0;
}

/* Bursts: an INCR burst that crosses a 4 KiB boundary is refused with custom
 * cause 2048; one that ends exactly on the boundary passes. */
static int t_bursts(void) {
    tdrv_t t;
    unsigned seen = 0;
    if (!lib_setup(&t, 2)) return 1;
    iommu_domain_t *dom = tdrv_paging(&t, 3, 9);
    if (!dom || !tdrv_map(dom, 0x10000, DATA_BASE, 0x2000, IOMMU_PGSIZE_4K)) return 1;
    for (int write = 0; write <= 1; write++) {
        tb_dma_t r;
        tb_dma_result_t res;
        memset(&r, 0, sizeof r);
        r.dev = 9;
        r.size = 8;
        r.write = write;
        r.iova = 0x10000 + 4096 - 16 * 8;   /* 16 beats end exactly at the boundary */
        r.beats = 16;
        CHECK_EQ(tb_dma(&r, &res, 100000), 0, "burst done");
        CHECK_EQ(res.resp, AXI_OKAY, "burst ending on the boundary");
        r.iova += 8;                        /* now its last beat is in the next page */
        CHECK_EQ(tb_dma(&r, &res, 100000), 0, "burst done");
        CHECK_EQ(res.resp, AXI_SLVERR, "burst crossing the boundary");
        if (!write) CHECK_EQ(res.beats, 16, "every beat of a refused read answered");
        expect_record(&seen, 2048, write ? 3 : 2, 9, r.iova);
    }
    tdrv_down(&t);
    return 0;
}

/* Hit under miss and AXI order: with slow walks (data-structure latency
 * 300), a read miss on ID 1 is overtaken by reads that hit on ID 2 and by a
 * write that hits, but not by a later read that hits on its own ID 1; a
 * write miss does not hold a read. */
static int t_order(void) {
    tdrv_t tdrv;
    if (!lib_setup(&tdrv, 2)) return 1;
    iommu_domain_t *dom = tdrv_paging(&tdrv, 3, 4);
    if (!dom) return 1;
    for (unsigned p = 0; p < 4; p++)   /* four 4 KiB pages, each in its own 2 MiB */
        if (!tdrv_map(dom, 0x100000 + p * 0x200000ull, DATA_BASE + p * 4096, 4096, IOMMU_PGSIZE_4K))
            return 1;
    uint64_t v;
    CHECK_EQ(dma_rd(4, 0x100000, 8, &v), AXI_OKAY, "warm page 0");     /* IOTLB: page 0 */
    CHECK_EQ(dma_wr(4, 0x100100, 8, 0), AXI_OKAY, "warm the write channel's DC cache");
    axi_slave_cfg_t c;
    axi_slave_get_cfg(sim_ds_slave(), &c);
    c.latency = 300;
    axi_slave_set_cfg(sim_ds_slave(), &c);

    dma_txn_t *miss = dma_txn_new(false, 0x300000, 0, 3);      /* page 1: a walk */
    miss->id = 1;
    miss->user = sim_user(4, false, 0);
    dma_txn_t *same = dma_txn_new(false, 0x100008, 0, 3);      /* page 0, ID 1: after the miss */
    same->id = 1;
    same->user = miss->user;
    dma_txn_t *hits[8];
    dev_master_submit(sim_dev(), miss, tb_now());
    dev_master_submit(sim_dev(), same, tb_now());
    for (unsigned k = 0; k < 8; k++) {
        hits[k] = dma_txn_new(false, 0x100010 + 8 * k, 0, 3);   /* page 0, ID 2: overtake */
        hits[k]->id = 2;
        hits[k]->user = miss->user;
        dev_master_submit(sim_dev(), hits[k], tb_now());
    }
    dma_txn_t *wr = dma_txn_new(true, 0x100100, 0, 3);         /* a write that hits */
    wr->user = miss->user;
    dev_master_submit(sim_dev(), wr, tb_now());
    dma_txn_t *wmiss = dma_txn_new(true, 0x500000, 0, 3);      /* page 2: a write miss */
    wmiss->user = miss->user;
    dev_master_submit(sim_dev(), wmiss, tb_now());
    dma_txn_t *rd_after = dma_txn_new(false, 0x100200, 0, 3);  /* read hit behind the write miss */
    rd_after->id = 3;
    rd_after->user = miss->user;
    dev_master_submit(sim_dev(), rd_after, tb_now());
    CHECK(sim_drain(100000) == 0, "transactions never completed");
    CHECK(miss->done && miss->resp == AXI_OKAY, "the miss completed");
    for (unsigned k = 0; k < 8; k++)
        CHECK(hits[k]->t_done < miss->t_done, "hit %u (ID 2) finished at %llu, after the miss (%llu)",
              k, (unsigned long long)hits[k]->t_done, (unsigned long long)miss->t_done);
    CHECK(same->t_done > miss->t_done, "same-ID hit finished at %llu, before the miss (%llu)",
          (unsigned long long)same->t_done, (unsigned long long)miss->t_done);
    CHECK(wr->t_done < miss->t_done, "a write hit waited for a read miss");
    CHECK(rd_after->t_done < wmiss->t_done, "a read hit waited for a write miss");
    dma_txn_t *t;
    while ((t = dev_master_take_done(sim_dev()))) {
        CHECK_EQ(t->resp, AXI_OKAY, "response");
        dma_txn_free(t);
    }
    tdrv_down(&tdrv);
    return 0;
}

const test_def_t tests_xlate[] = {
    {"xlate_levels", "each DDT level x Sv39/Sv48/Sv57: reads and writes reach the mapped page", t_levels, false},
    {"xlate_page_sizes", "4K, 64K napot, 2M, 1G, 512G pages translate at both ends", t_page_sizes, false},
    {"xlate_ddt_faults", "directory and DC faults 257-260, misconfigurations, PV, DTF, Bare first stage", t_ddt_faults, false},
    {"xlate_pte_faults", "every first-stage PTE rule: page faults 12/13/15, access faults 1/5/7", t_pte_faults, false},
    {"xlate_order", "hits overtake a miss of another ID, never one of their own ID; reads and writes independent", t_order, false},
    {"xlate_perm_upgrade", "a leaf widened from R to RW without IOTINVAL: the write walks, its refill is cached, the next write hits", t_perm_upgrade, false},
    {"xlate_bursts", "bursts ending on a 4 KiB boundary pass, crossing ones are refused (2048)", t_bursts, false},
    {0},
};
