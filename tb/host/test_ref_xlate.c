/*
 * test_ref_xlate.c - host unit tests of the reference translator
 * (tb/ref_xlate.c) on hand-built directories and page tables in a fake
 * memory.  Every expected value is worked out by hand from the spec text
 * (the interpretation it rests on is named as I<n>/F<n> of ref_xlate.h).
 * Ends with the line `N passed, M failed` (test cases); exits non-zero on any
 * failure.
 *
 *   gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Itb tb/ref_xlate.c \
 *       tb/host/test_ref_xlate.c -o build/test_ref_xlate
 */
#include "hcase.h"
#include "mem.h"
#include "ref_xlate.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fake memory: sparse 8-byte words, a few error words ----------------- */

/* The fake memory is the test bench's sparse memory (tb/mem.c); g_err lists
 * doublewords whose reads fail. */
static uint64_t g_err[16];
static unsigned g_nerr;
static unsigned g_reads;

static void mem_clear(void)
{
    mem_reset_all();
    g_nerr = 0;
}

static void mem_w(uint64_t addr, uint64_t val) { mem_store(addr, 8, val); }

static uint64_t mem_r(uint64_t addr) { return mem_load(addr, 8); }

static void mem_error(uint64_t addr) { g_err[g_nerr++] = addr & ~7ull; }

static bool fake_rd(void *ctx, uint64_t pa, uint64_t *val)
{
    (void)ctx;
    g_reads++;
    if (pa & 7u) {
        printf("  ref_xlate read an unaligned address 0x%" PRIx64 "\n", pa);
        abort();
    }
    for (unsigned k = 0; k < g_nerr; k++)
        if (g_err[k] == pa) {
            *val = 0xdeadbeefdeadbeefull;
            return false;
        }
    *val = mem_r(pa);
    return true;
}

/* ---- harness ----------------------------------------------------------------- */

static ref_out_t g_out;

/* After a failed CHECK: what the reference said. */
static void show_out(void)
{
    printf("    got fault=%d cause=%u (%s) record=%d pa=0x%" PRIx64 " page_shift=%u rule=%s\n",
           g_out.fault, g_out.cause, ref_cause_name(g_out.cause), g_out.record, g_out.pa,
           g_out.page_shift, g_out.rule != NULL ? g_out.rule : "-");
}

/* translation succeeded to physical address p */
#define OK(p) do { CHECK(!g_out.fault); CHECK(g_out.pa == (uint64_t)(p)); } while (0)
/* fault with cause c, recorded (r=true) or DTF-suppressed */
#define FAULT(c, r) do { CHECK(g_out.fault); CHECK(g_out.cause == (unsigned)(c)); \
                         CHECK(g_out.record == (r)); } while (0)

/* ---- configuration and requests ----------------------------------------------- */

static ref_cfg_t g_cfg;

enum { R = 0, W = 1, X = 2 };   /* access kinds */

static ref_req_t req(uint32_t did, uint64_t iova, int acc)
{
    ref_req_t r;
    memset(&r, 0, sizeof r);
    r.did = did;
    r.iova = iova;
    r.write = acc == W;
    r.exec = acc == X;
    r.len = 0;
    r.size = 3;
    r.burst = REF_BURST_INCR;
    return r;
}

static void xl(const ref_req_t *r) { ref_translate(&g_cfg, r, fake_rd, NULL, &g_out); }

static void xl_simple(uint32_t did, uint64_t iova, int acc)
{
    ref_req_t r = req(did, iova, acc);
    xl(&r);
}

/* ---- table building ------------------------------------------------------------ */

#define DDT_ROOT  0x0010000ull
#define DC_TC_OK  (REF_TC_V)
static uint64_t g_bump;          /* next free 4 KiB table page */

static uint64_t alloc_page(void)
{
    uint64_t a = g_bump;
    g_bump += 0x1000u;
    return a;
}

/* Reset memory and set ddtp to `mode` with the root at DDT_ROOT. */
static void setup(unsigned mode)
{
    mem_clear();
    g_bump = 0x0100000ull;
    g_cfg.caps = REF_CAPS_THIS_IOMMU;
    g_cfg.fctl = 0;
    g_cfg.ddtp = ((DDT_ROOT >> 12) << 10) | mode;
}

static uint64_t nl_entry(uint64_t table) { return ((table >> 12) << 10) | 1u; }

/* Address of the non-leaf DDTE at `level` (2 or 1) for did, creating the path. */
static uint64_t ddte_addr(uint32_t did, unsigned level)
{
    unsigned mode = (unsigned)(g_cfg.ddtp & 0xfu);
    unsigned ddi[3] = { did & 0x7fu, (did >> 7) & 0x1ffu, (did >> 16) & 0xffu };
    uint64_t a = DDT_ROOT;
    for (unsigned i = mode - REF_DDTP_1LVL; i > 0; i--) {
        uint64_t e = a + ddi[i] * 8u;
        if (i == level)
            return e;
        if (!(mem_r(e) & 1u))
            mem_w(e, nl_entry(alloc_page()));
        a = ((mem_r(e) >> 10) & REF_PPN_MASK) << 12;
    }
    abort();
}

/* Address of did's DC, creating the directory path. */
static uint64_t dc_addr(uint32_t did)
{
    unsigned mode = (unsigned)(g_cfg.ddtp & 0xfu);
    unsigned ddi[3] = { did & 0x7fu, (did >> 7) & 0x1ffu, (did >> 16) & 0xffu };
    uint64_t a = DDT_ROOT;
    for (unsigned i = mode - REF_DDTP_1LVL; i > 0; i--) {
        uint64_t e = a + ddi[i] * 8u;
        if (!(mem_r(e) & 1u))
            mem_w(e, nl_entry(alloc_page()));
        a = ((mem_r(e) >> 10) & REF_PPN_MASK) << 12;
    }
    return a + ddi[0] * 32u;
}

static void put_dc(uint32_t did, uint64_t tc, uint64_t iohgatp, uint64_t ta, uint64_t fsc)
{
    uint64_t a = dc_addr(did);
    mem_w(a, tc);
    mem_w(a + 8u, iohgatp);
    mem_w(a + 16u, ta);
    mem_w(a + 24u, fsc);
}

static uint64_t satp(unsigned mode, uint64_t root) { return ((uint64_t)mode << 60) | (root >> 12); }
static uint64_t ta_pscid(uint32_t p) { return (uint64_t)p << 12; }

/* Leaf/non-leaf PTE values. */
#define LEAF_RWX (REF_PTE_V | REF_PTE_R | REF_PTE_W | REF_PTE_X | REF_PTE_U | REF_PTE_A | REF_PTE_D)
static uint64_t pte(uint64_t pa, uint64_t flags) { return ((pa >> 12) << 10) | flags; }

static unsigned levels_of(unsigned mode) { return mode == REF_SATP_SV39 ? 3u : mode == REF_SATP_SV48 ? 4u : 5u; }

/* Address of the PTE at `level` on the walk of iova (non-leaf PTEs above it
 * are created as plain V=1 pointers when absent). */
static uint64_t pte_addr(unsigned mode, uint64_t root, uint64_t iova, unsigned level)
{
    uint64_t a = root;
    for (int i = (int)levels_of(mode) - 1;; i--) {
        uint64_t e = a + ((iova >> (12u + 9u * (unsigned)i)) & 0x1ffu) * 8u;
        if ((unsigned)i == level)
            return e;
        if (!(mem_r(e) & 1u))
            mem_w(e, pte(alloc_page(), REF_PTE_V));
        a = ((mem_r(e) >> 10) & REF_PPN_MASK) << 12;
    }
}

/* Map iova with a leaf at `level`. */
static uint64_t map(unsigned mode, uint64_t root, uint64_t iova, unsigned level, uint64_t leaf)
{
    uint64_t e = pte_addr(mode, root, iova, level);
    mem_w(e, leaf);
    return e;
}

/* One device 7 with an Sv39/48/57 first stage rooted at `root`; tc extra bits. */
#define DEV 7u
static uint64_t g_root;
static void setup_fs(unsigned ddt_mode, unsigned fs_mode, uint64_t tc_extra)
{
    setup(ddt_mode);
    g_root = alloc_page();
    put_dc(DEV, REF_TC_V | tc_extra, 0, ta_pscid(0x5a5a5), satp(fs_mode, g_root));
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_modes(void)
{
    hc_begin("Off: every request 256, recorded, record fields");
    setup(REF_DDTP_OFF);
    {
        ref_req_t r = req(0x123456, 0xfedcba9876543210ull, R);
        r.pv = true;
        r.pid = 0xabcde;
        r.priv = true;
        xl(&r);
        FAULT(256, true);
        CHECK(g_out.ttyp == 2);
        CHECK(g_out.iotval == 0xfedcba9876543210ull && g_out.iotval2 == 0);
        CHECK(g_out.rec_did == 0x123456 && g_out.rec_pv && g_out.rec_pid == 0xabcde && g_out.rec_priv);
        CHECK(!g_out.dc_valid);
        r.pv = false;                                   /* F6: PID, PRIV 0 without PV */
        r.write = true;
        xl(&r);
        FAULT(256, true);
        CHECK(g_out.ttyp == 3 && !g_out.rec_pv && g_out.rec_pid == 0 && !g_out.rec_priv);
        r.write = false;
        r.exec = true;
        xl(&r);
        CHECK(g_out.ttyp == 1);
        r.burst = REF_BURST_INCR;                       /* F5 only applies in xLVL modes */
        r.iova = 0xff8;
        r.len = 3;
        xl(&r);
        FAULT(256, true);
    }
    hc_end();

    hc_begin("Bare: pass-through, no memory read");
    setup(REF_DDTP_BARE);
    g_reads = 0;
    xl_simple(0xffffff, 0x12345678, W);
    OK(0x12345678);
    CHECK(g_reads == 0 && g_out.page_shift == 0 && !g_out.dc_valid);
    xl_simple(1, 0x00ffffffffffffffull, X);            /* 2^56 - 1 is the last byte */
    OK(0x00ffffffffffffffull);
    hc_end();

    hc_begin("Bare: address at or above 2^PAS is an access fault by type (F4)");
    setup(REF_DDTP_BARE);
    xl_simple(1, 1ull << 56, R);
    FAULT(5, true);
    xl_simple(1, 1ull << 56, W);
    FAULT(7, true);
    xl_simple(1, 0xffffffffffffffffull, X);
    FAULT(1, true);
    CHECK(g_out.iotval == 0xffffffffffffffffull && g_out.ttyp == 1);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);   /* PAS = 40 */
    xl_simple(1, (1ull << 40) - 8u, R);
    OK((1ull << 40) - 8u);
    xl_simple(1, 1ull << 40, R);
    FAULT(5, true);
    hc_end();

    hc_begin("Bare: a burst crossing 4 KiB passes (F5)");
    setup(REF_DDTP_BARE);
    {
        ref_req_t r = req(3, 0xff8, W);
        r.len = 15;
        xl(&r);
        OK(0xff8);
    }
    hc_end();

    hc_begin("Reserved ddtp mode and unmodelled caps give REF_CAUSE_UNMODELLED");
    setup(REF_DDTP_BARE);
    g_cfg.ddtp = 5;
    xl_simple(1, 0, R);
    FAULT(REF_CAUSE_UNMODELLED, true);
    setup(REF_DDTP_BARE);
    g_cfg.caps |= 1ull << 22;                           /* MSI_FLAT */
    xl_simple(1, 0, R);
    FAULT(REF_CAUSE_UNMODELLED, true);
    setup(REF_DDTP_BARE);
    g_cfg.fctl = 1;                                     /* BE */
    xl_simple(1, 0, R);
    FAULT(REF_CAUSE_UNMODELLED, true);
    CHECK(strcmp(ref_cause_name(13), "Read page fault") == 0);
    CHECK(strcmp(ref_cause_name(2048), "Burst crosses a 4 KiB page (custom)") == 0);
    CHECK(strcmp(ref_cause_name(3000), "custom") == 0);
    CHECK(strcmp(ref_cause_name(300), "reserved") == 0);
    hc_end();
}

static void test_ddt(void)
{
    hc_begin("1LVL: DC at root + DDI[0]*32, iosatp Bare passes");
    setup(REF_DDTP_1LVL);
    put_dc(0x55, DC_TC_OK, 0, 0, 0);
    CHECK(dc_addr(0x55) == DDT_ROOT + 0x55u * 32u);
    g_reads = 0;
    xl_simple(0x55, 0xabcdef123, R);
    OK(0xabcdef123);
    CHECK(g_out.dc_valid && g_out.page_shift == 0 && g_out.pscid == 0);
    CHECK(g_reads == 4);
    hc_end();

    hc_begin("1LVL: device_id with DDI[1] or DDI[2] set is 260, recorded (I4)");
    setup(REF_DDTP_1LVL);
    put_dc(0x00, DC_TC_OK | REF_TC_DTF, 0, 0, 0);
    g_reads = 0;
    xl_simple(0x80, 0x1000, R);
    FAULT(260, true);
    xl_simple(0x10000, 0x1000, W);
    FAULT(260, true);
    CHECK(g_reads == 0);
    xl_simple(0x7f, 0x1000, R);                         /* largest 1LVL device_id, DC zero */
    FAULT(258, true);
    xl_simple(0x1000000, 0x1000, R);                    /* I3: bit 24 is not part of device_id */
    OK(0x1000);                                         /* device 0's DC */
    CHECK(g_out.rec_did == 0);
    hc_end();

    hc_begin("2LVL: walk DDI[1] then DDI[0]; 260 for DDI[2] != 0");
    setup(REF_DDTP_2LVL);
    put_dc(0xffff, DC_TC_OK, 0, 0, 0);
    CHECK(ddte_addr(0xffff, 1) == DDT_ROOT + 0x1ffu * 8u);
    xl_simple(0xffff, 0x42, R);
    OK(0x42);
    xl_simple(0x10000, 0x42, R);
    FAULT(260, true);
    hc_end();

    hc_begin("3LVL: walk DDI[2], DDI[1], DDI[0]");
    setup(REF_DDTP_3LVL);
    put_dc(0xab1234, DC_TC_OK, 0, 0, 0);
    CHECK(ddte_addr(0xab1234, 2) == DDT_ROOT + 0xabu * 8u);
    CHECK((dc_addr(0xab1234) & 0xfffu) == 0x34u * 32u);
    g_reads = 0;
    xl_simple(0xab1234, 0x9000, X);
    OK(0x9000);
    CHECK(g_reads == 6);
    xl_simple(0xab1235, 0x9000, X);                     /* neighbour: DC all zero */
    FAULT(258, true);
    xl_simple(0xac1234, 0x9000, X);                     /* DDTE at level 2 zero */
    FAULT(258, true);
    hc_end();

    hc_begin("Non-leaf DDTE: error 257, V=0 258, reserved bits 259 (I5)");
    for (unsigned level = 1; level <= 2; level++) {
        setup(REF_DDTP_3LVL);
        put_dc(0x012345, DC_TC_OK | REF_TC_DTF, 0, 0, 0);
        uint64_t e = ddte_addr(0x012345, level), v = mem_r(e);
        mem_error(e);
        xl_simple(0x012345, 0, R);
        FAULT(257, true);
        CHECK(!g_out.dc_valid);
        setup(REF_DDTP_3LVL);
        put_dc(0x012345, DC_TC_OK | REF_TC_DTF, 0, 0, 0);
        mem_w(e, v & ~1ull);
        xl_simple(0x012345, 0, W);
        FAULT(258, true);
        mem_w(e, (v & ~1ull) | (1ull << 1));           /* V=0 wins over reserved bits */
        xl_simple(0x012345, 0, W);
        FAULT(258, true);
        static const unsigned bits[] = { 1, 5, 9, 54, 60, 63 };
        for (unsigned k = 0; k < 6; k++) {
            mem_w(e, v | (1ull << bits[k]));
            xl_simple(0x012345, 0, X);
            FAULT(259, true);
        }
        mem_w(e, v);
        xl_simple(0x012345, 0, X);
        OK(0);
    }
    hc_end();

    hc_begin("DDT root or DDTE pointing at or above 2^PAS is 257 (F4)");
    setup(REF_DDTP_2LVL);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);
    g_cfg.ddtp = ((1ull << 40) >> 12 << 10) | REF_DDTP_2LVL;
    xl_simple(1, 0, R);
    FAULT(257, true);
    setup(REF_DDTP_2LVL);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);
    mem_w(DDT_ROOT, nl_entry(1ull << 41));
    xl_simple(1, 0, R);
    FAULT(257, true);
    hc_end();
}

static void test_dc(void)
{
    hc_begin("DC: read error on any doubleword is 257, even with tc.V=0 (I6)");
    for (unsigned k = 0; k < 4; k++) {
        setup(REF_DDTP_1LVL);
        put_dc(9, k == 0 ? 0 : DC_TC_OK | REF_TC_DTF, 0, 0, 0);
        mem_error(dc_addr(9) + k * 8u);
        xl_simple(9, 0x1000, R);
        FAULT(257, true);
    }
    hc_end();

    hc_begin("DC: tc.V=0 is 258 whatever else is set");
    setup(REF_DDTP_1LVL);
    put_dc(9, ~1ull, ~0ull, ~0ull, ~0ull);
    xl_simple(9, 0x1000, R);
    FAULT(258, true);
    hc_end();

    hc_begin("DC: every DC_MISCONFIG rule that applies is 259, recorded even with DTF (I7)");
    {
        struct { uint64_t tc, iohgatp, ta, fsc; } bad[] = {
            { 1ull << 12, 0, 0, 0 },                     /* tc reserved 23:12 */
            { 1ull << 23, 0, 0, 0 },
            { 1ull << 32, 0, 0, 0 },                     /* tc reserved 63:32 */
            { 1ull << 63, 0, 0, 0 },
            { REF_TC_EN_ATS, 0, 0, 0 },                  /* ATS=0 */
            { REF_TC_EN_ATS | REF_TC_EN_PRI, 0, 0, 0 },
            { REF_TC_EN_PRI, 0, 0, 0 },
            { REF_TC_PRPR, 0, 0, 0 },
            { REF_TC_T2GPA, 0, 0, 0 },
            { REF_TC_DPE, 0, 0, 0 },                     /* DPE with PDTV=0 */
            { REF_TC_SADE, 0, 0, 0 },                    /* AMO_HWAD=0 */
            { REF_TC_GADE, 0, 0, 0 },
            { REF_TC_SBE, 0, 0, 0 },                     /* fctl.BE=0, END=0 */
            { REF_TC_SXL, 0, 0, 0 },                     /* GXL read-only 0 */
            { REF_TC_SXL, 0, 0, 8ull << 60 },            /* "Sv32" with SXL=1 */
            { 0, 8ull << 60, 0, 0 },                     /* Sv39x4 unsupported */
            { 0, 9ull << 60, 0, 0 },
            { 0, 10ull << 60, 0, 0 },
            { 0, 1ull << 60, 0, 0 },                     /* reserved iohgatp modes */
            { 0, 15ull << 60, 0, 0 },
            { 0, 0, 1ull << 0, 0 },                      /* ta reserved 11:0 */
            { 0, 0, 1ull << 11, 0 },
            { 0, 0, 1ull << 32, 0 },                     /* ta reserved 39:32 */
            { 0, 0, 1ull << 39, 0 },
            { 0, 0, 1ull << 40, 0 },                     /* RCID, QOSID=0 */
            { 0, 0, 1ull << 63, 0 },                     /* MCID */
            { 0, 0, 0, 1ull << 44 },                     /* fsc reserved 59:44 */
            { 0, 0, 0, 1ull << 59 },
            { 0, 0, 0, 1ull << 60 },                     /* iosatp.MODE 1..7 reserved */
            { 0, 0, 0, 7ull << 60 },
            { 0, 0, 0, 11ull << 60 },                    /* 11..13 reserved */
            { 0, 0, 0, 13ull << 60 },
            { 0, 0, 0, 14ull << 60 },                    /* custom, not supported */
            { 0, 0, 0, 15ull << 60 },
            { REF_TC_PDTV, 0, 0, 1ull << 60 },           /* PD8 unsupported */
            { REF_TC_PDTV, 0, 0, 2ull << 60 },           /* PD17 */
            { REF_TC_PDTV, 0, 0, 3ull << 60 },           /* PD20 */
            { REF_TC_PDTV, 0, 0, 4ull << 60 },           /* reserved */
            { REF_TC_PDTV, 0, 0, 14ull << 60 },          /* custom */
            { REF_TC_PDTV, 0, 0, 1ull << 50 },           /* pdtp reserved 59:44 */
        };
        for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            setup(REF_DDTP_1LVL);
            put_dc(9, REF_TC_V | REF_TC_DTF | bad[k].tc, bad[k].iohgatp, bad[k].ta, bad[k].fsc);
            xl_simple(9, 0x2000, R);
            if (!g_out.fault || g_out.cause != 259)
                printf("  misconfig case %u\n", k);
            FAULT(259, true);
            CHECK(!g_out.dc_valid);
        }
    }
    hc_end();

    hc_begin("DC: well-formed corner values are not misconfigured (I7)");
    {
        struct { uint64_t tc, iohgatp, ta, fsc; } good[] = {
            { 0xffull << 24, 0, 0, 0 },                  /* tc custom 31:24 ignored */
            { 0, 0x0fffffffffffffffull, 0, 0 },          /* iohgatp Bare: PPN, GSCID ignored */
            { 0, 0, 0xfffffull << 12, 0 },               /* any PSCID */
            { 0, 0, 0, REF_PPN_MASK },                   /* iosatp Bare, PPN ignored */
            { REF_TC_PDTV | REF_TC_DPE, 0, 0, REF_PPN_MASK },   /* pdtp Bare, PPN ignored */
            { REF_TC_PDTV, 0, 0, 0 },
        };
        for (unsigned k = 0; k < sizeof good / sizeof good[0]; k++) {
            setup(REF_DDTP_1LVL);
            put_dc(9, REF_TC_V | good[k].tc, good[k].iohgatp, good[k].ta, good[k].fsc);
            xl_simple(9, 0x2000, R);
            OK(0x2000);
            CHECK(g_out.dc_valid);
        }
    }
    hc_end();

    hc_begin("DC: Sv48/Sv57 without their caps bits are 259");
    setup(REF_DDTP_1LVL);
    g_cfg.caps = REF_CAPS_THIS_IOMMU & ~(3ull << 10);   /* Sv39 only */
    put_dc(9, REF_TC_V, 0, 0, satp(REF_SATP_SV48, 0x200000));
    xl_simple(9, 0x2000, R);
    FAULT(259, true);
    put_dc(9, REF_TC_V, 0, 0, satp(REF_SATP_SV57, 0x200000));
    xl_simple(9, 0x2000, R);
    FAULT(259, true);
    g_cfg.caps = REF_CAPS_THIS_IOMMU & ~(7ull << 9);    /* no Sv39 either */
    put_dc(9, REF_TC_V, 0, 0, satp(REF_SATP_SV39, 0x200000));
    xl_simple(9, 0x2000, R);
    FAULT(259, true);
    hc_end();

    hc_begin("DC address at or above 2^PAS is 257 (F4)");
    setup(REF_DDTP_2LVL);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);
    mem_w(DDT_ROOT, nl_entry((1ull << 40) - 0x1000u));
    xl_simple(0x7f, 0, R);                               /* DC at 2^40 - 32: below */
    FAULT(258, true);
    mem_w(DDT_ROOT, nl_entry(1ull << 40));
    xl_simple(0, 0, R);
    FAULT(257, true);
    hc_end();
}

static void test_pv(void)
{
    hc_begin("PV with PDTV=0 is 260; recorded with DTF=0, suppressed with DTF=1 (I8, I9)");
    setup(REF_DDTP_1LVL);
    put_dc(1, REF_TC_V, 0, 0, 0);
    put_dc(2, REF_TC_V | REF_TC_DTF, 0, 0, 0);
    {
        ref_req_t r = req(1, 0x3000, R);
        r.pv = true;
        r.pid = 0x12345;
        r.priv = true;
        xl(&r);
        FAULT(260, true);
        CHECK(g_out.dc_valid && g_out.rec_pv && g_out.rec_pid == 0x12345 && g_out.rec_priv);
        r.did = 2;
        xl(&r);
        FAULT(260, false);
        r.pv = false;                                    /* no PV: Bare first stage passes */
        xl(&r);
        OK(0x3000);
    }
    hc_end();

    hc_begin("PDTV=1, pdtp Bare: any process_id passes untranslated (I9)");
    setup(REF_DDTP_1LVL);
    put_dc(1, REF_TC_V | REF_TC_PDTV, 0, 0, 0);
    put_dc(2, REF_TC_V | REF_TC_PDTV | REF_TC_DPE, 0, 0, 0);
    {
        ref_req_t r = req(1, 0x123456789ull, W);
        r.pv = true;
        r.pid = 0xfffff;
        r.priv = true;
        xl(&r);
        OK(0x123456789ull);
        CHECK(g_out.page_shift == 0 && g_out.dc_valid);
        r.pv = false;
        xl(&r);
        OK(0x123456789ull);
        r.did = 2;
        xl(&r);
        OK(0x123456789ull);
        r.pv = true;
        r.pid = 1;
        xl(&r);
        OK(0x123456789ull);
        r.iova = 1ull << 60;                             /* F4 still applies, DTF=0 */
        xl(&r);
        FAULT(7, true);
    }
    hc_end();
}

static void test_burst(void)
{
    hc_begin("INCR burst crossing 4 KiB is 2048, always recorded (F5, I2)");
    setup(REF_DDTP_1LVL);
    put_dc(1, REF_TC_V | REF_TC_DTF, 0, 0, 0);
    {
        ref_req_t r = req(1, 0xff8, R);
        r.len = 1;                                       /* 0xff8..0x1007 */
        xl(&r);
        FAULT(2048, true);
        CHECK(g_out.iotval == 0xff8 && g_out.ttyp == 2 && !g_out.dc_valid);
        r.iova = 0xff0;                                  /* 0xff0..0xfff */
        xl(&r);
        OK(0xff0);
        r.iova = 0xffc;                                  /* first beat 0xffc..0xfff, then 0x1000.. */
        xl(&r);
        FAULT(2048, true);
        r.len = 0;                                       /* 0xffc..0xfff only */
        xl(&r);
        OK(0xffc);
        r.iova = 0x1fff;                                 /* size 0, 2 beats: 0x1fff, 0x2000 */
        r.size = 0;
        r.len = 1;
        xl(&r);
        FAULT(2048, true);
        r.len = 0;
        xl(&r);
        OK(0x1fff);
        r.iova = 0x1000;                                 /* 256 x 16 bytes = 4 KiB exactly */
        r.size = 4;
        r.len = 255;
        xl(&r);
        OK(0x1000);
        r.iova = 0x1010;
        xl(&r);
        FAULT(2048, true);
        r.iova = 0xfffffffffffffff8ull;                  /* runs past 2^64 */
        r.size = 3;
        r.len = 1;
        xl(&r);
        FAULT(2048, true);
    }
    hc_end();

    hc_begin("FIXED and WRAP bursts never cross (F5)");
    setup(REF_DDTP_1LVL);
    put_dc(1, REF_TC_V, 0, 0, 0);
    {
        ref_req_t r = req(1, 0xff8, W);
        r.len = 15;
        r.burst = REF_BURST_FIXED;
        xl(&r);
        OK(0xff8);
        r.len = 3;
        r.burst = REF_BURST_WRAP;
        xl(&r);
        OK(0xff8);
    }
    hc_end();

    hc_begin("Crossing is checked before the device_id width and the DDT walk (F5)");
    setup(REF_DDTP_1LVL);
    {
        ref_req_t r = req(0x80, 0x7ff8, R);              /* 260 otherwise */
        r.len = 1;
        g_reads = 0;
        xl(&r);
        FAULT(2048, true);
        CHECK(g_reads == 0);
        r.did = 5;                                       /* DC invalid otherwise */
        xl(&r);
        FAULT(2048, true);
    }
    hc_end();
}

/* Sv39 device DEV with one leaf; check R/W/X outcome. */
static void expect_rwx(uint64_t iova, int r_ok, int w_ok, int x_ok, uint64_t pa)
{
    xl_simple(DEV, iova, R);
    if (r_ok) OK(pa); else FAULT(13, true);
    xl_simple(DEV, iova, W);
    if (w_ok) OK(pa); else FAULT(15, true);
    xl_simple(DEV, iova, X);
    if (x_ok) OK(pa); else FAULT(12, true);
}

static void test_sv39(void)
{
    const unsigned M = REF_SATP_SV39;

    hc_begin("Sv39 4 KiB page: pa, page_shift, pscid, 3 PTE reads");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x40201000, 0, pte(0x87654000, LEAF_RWX));
    g_reads = 0;
    xl_simple(DEV, 0x40201abc, R);
    OK(0x87654abc);
    CHECK(g_reads == 4 + 3 && g_out.page_shift == 12 && g_out.pscid == 0x5a5a5 && !g_out.global);
    expect_rwx(0x40201008, 1, 1, 1, 0x87654008);
    xl_simple(DEV, 0x40202000, R);                       /* neighbour page: PTE zero */
    FAULT(13, true);
    hc_end();

    hc_begin("Sv39 2 MiB and 1 GiB superpages");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x00600000, 1, pte(0x80200000, LEAF_RWX));
    map(M, g_root, 0x40000000, 2, pte(0xc0000000, LEAF_RWX));
    xl_simple(DEV, 0x006fedcb, W);
    OK(0x802fedcb);
    CHECK(g_out.page_shift == 21);
    xl_simple(DEV, 0x7fffffff, X);
    OK(0xffffffff);
    CHECK(g_out.page_shift == 30);
    hc_end();

    hc_begin("Sv39 Svnapot 64 KiB: ppn[3:0] replaced by vpn[0][3:0]");
    setup_fs(REF_DDTP_1LVL, M, 0);
    for (unsigned k = 0; k < 16; k++)
        map(M, g_root, 0x10000 + k * 0x1000u, 0, pte(0x90000000, LEAF_RWX) | (8ull << 10) | REF_PTE_N);
    xl_simple(DEV, 0x10123, R);
    OK(0x90000123);
    CHECK(g_out.page_shift == 16);
    xl_simple(DEV, 0x1f456, W);
    OK(0x9000f456);
    xl_simple(DEV, 0x17000, X);
    OK(0x90007000);
    hc_end();

    hc_begin("Sv39 reserved N encodings fault (I11)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    {
        static const unsigned low[] = { 0x0, 0x1, 0x2, 0x4, 0x9, 0xc, 0xf };
        for (unsigned k = 0; k < 7; k++) {
            map(M, g_root, 0x10000, 0, pte(0x90000000, LEAF_RWX) | ((uint64_t)low[k] << 10) | REF_PTE_N);
            expect_rwx(0x10000, 0, 0, 0, 0);
        }
        map(M, g_root, 0x00600000, 1, pte(0x80200000, LEAF_RWX) | REF_PTE_N);  /* N on a 2 MiB leaf */
        expect_rwx(0x00600000, 0, 0, 0, 0);
        map(M, g_root, 0x40000000, 2, pte(0xc0000000, LEAF_RWX) | REF_PTE_N);  /* N on a 1 GiB leaf */
        expect_rwx(0x40000000, 0, 0, 0, 0);
        /* N on a non-leaf (level 1 and level 2) */
        setup_fs(REF_DDTP_1LVL, M, 0);
        map(M, g_root, 0x123000, 0, pte(0x5000, LEAF_RWX));
        expect_rwx(0x123000, 1, 1, 1, 0x5000);
        uint64_t e1 = pte_addr(M, g_root, 0x123000, 1), e2 = pte_addr(M, g_root, 0x123000, 2);
        mem_w(e1, mem_r(e1) | REF_PTE_N);
        expect_rwx(0x123000, 0, 0, 0, 0);
        mem_w(e1, mem_r(e1) & ~REF_PTE_N);
        mem_w(e2, mem_r(e2) | REF_PTE_N);
        expect_rwx(0x123000, 0, 0, 0, 0);
    }
    hc_end();

    hc_begin("Sv39 canonical check: bits 63:39 equal bit 38 (I11)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0xffffffc000001000ull, 0, pte(0x7000, LEAF_RWX));   /* vpn[2] = 0x100 */
    CHECK(pte_addr(M, g_root, 0xffffffc000001000ull, 2) == g_root + 0x100u * 8u);
    xl_simple(DEV, 0xffffffc000001010ull, R);
    OK(0x7010);
    g_reads = 0;
    xl_simple(DEV, 0x0000004000001010ull, R);           /* bit 38 set, 63:39 clear */
    FAULT(13, true);
    CHECK(g_reads == 4);
    xl_simple(DEV, 0x8000000000001010ull, W);           /* bit 63 only */
    FAULT(15, true);
    xl_simple(DEV, 0xffffff8000001010ull, X);           /* bit 38 clear, 63:39 set */
    FAULT(12, true);
    hc_end();

    hc_begin("Sv39 V=0 and reserved xwr (010, 110) fault by access type");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX & ~REF_PTE_V));
    expect_rwx(0x5000, 0, 0, 0, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, REF_PTE_V | REF_PTE_W | REF_PTE_U | REF_PTE_A | REF_PTE_D));
    expect_rwx(0x5000, 0, 0, 0, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, REF_PTE_V | REF_PTE_W | REF_PTE_X | REF_PTE_U | REF_PTE_A | REF_PTE_D));
    expect_rwx(0x5000, 0, 0, 0, 0);
    uint64_t e1 = pte_addr(M, g_root, 0x5000, 1);       /* a non-leaf that looks like W-only */
    mem_w(e1, mem_r(e1) | REF_PTE_W);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX));
    expect_rwx(0x5000, 0, 0, 0, 0);
    hc_end();

    hc_begin("Sv39 reserved PTE bits 62:54 fault; RSW 9:8 ignored (F1, I11)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    for (unsigned b = 54; b <= 62; b++) {
        map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX) | (1ull << b));
        expect_rwx(0x5000, 0, 0, 0, 0);
    }
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX) | (3ull << 8));
    expect_rwx(0x5000, 1, 1, 1, 0x8000);
    {   /* reserved bits in a non-leaf PTE */
        uint64_t e2 = pte_addr(M, g_root, 0x5000, 2), v = mem_r(e2);
        mem_w(e2, v | (1ull << 61));
        expect_rwx(0x5000, 0, 0, 0, 0);
        mem_w(e2, v | (3ull << 8));
        expect_rwx(0x5000, 1, 1, 1, 0x8000);
    }
    hc_end();

    hc_begin("Sv39 with Svpbmt / Svrsw60t59b caps: PBMT 0-2 legal on a leaf, 60:59 ignored");
    setup_fs(REF_DDTP_1LVL, M, 0);
    g_cfg.caps |= (1ull << 15) | (1ull << 14);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX) | (2ull << 61) | (3ull << 59));
    expect_rwx(0x5000, 1, 1, 1, 0x8000);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX) | (3ull << 61));
    expect_rwx(0x5000, 0, 0, 0, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX) | (1ull << 58));
    expect_rwx(0x5000, 0, 0, 0, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX));
    {
        uint64_t e1 = pte_addr(M, g_root, 0x5000, 1), v = mem_r(e1);
        mem_w(e1, v | (1ull << 61));                     /* PBMT on a non-leaf */
        expect_rwx(0x5000, 0, 0, 0, 0);
        mem_w(e1, v | (3ull << 59));
        expect_rwx(0x5000, 1, 1, 1, 0x8000);
    }
    hc_end();

    hc_begin("Sv39 non-leaf with D, A or U faults; G on a non-leaf makes the leaf global");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX));
    {
        uint64_t e1 = pte_addr(M, g_root, 0x5000, 1), v = mem_r(e1);
        static const uint64_t bad[] = { REF_PTE_D, REF_PTE_A, REF_PTE_U };
        for (unsigned k = 0; k < 3; k++) {
            mem_w(e1, v | bad[k]);
            expect_rwx(0x5000, 0, 0, 0, 0);
        }
        mem_w(e1, v | REF_PTE_G);
        xl_simple(DEV, 0x5000, R);
        OK(0x8000);
        CHECK(g_out.global);
        mem_w(e1, v);
        map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX | REF_PTE_G));
        xl_simple(DEV, 0x5000, R);
        CHECK(g_out.global);
    }
    hc_end();

    hc_begin("Sv39 non-leaf at level 0 faults");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x5000, 0, pte(0x9000, REF_PTE_V));
    mem_w(0x9000, pte(0x8000, LEAF_RWX));                /* never reached */
    expect_rwx(0x5000, 0, 0, 0, 0);
    hc_end();

    hc_begin("Sv39 leaf permissions R, W, X by access type");
    setup_fs(REF_DDTP_1LVL, M, 0);
    static const struct { uint64_t xwr; int r, w, x; } perm[] = {
        { REF_PTE_R, 1, 0, 0 },
        { REF_PTE_R | REF_PTE_W, 1, 1, 0 },
        { REF_PTE_X, 0, 0, 1 },                          /* execute-only: read faults (no MXR) */
        { REF_PTE_R | REF_PTE_X, 1, 0, 1 },
        { REF_PTE_R | REF_PTE_W | REF_PTE_X, 1, 1, 1 },
    };
    for (unsigned k = 0; k < 5; k++) {
        map(M, g_root, 0x5000, 0, pte(0x8000, REF_PTE_V | REF_PTE_U | REF_PTE_A | REF_PTE_D | perm[k].xwr));
        expect_rwx(0x5123, perm[k].r, perm[k].w, perm[k].x, 0x8123);
    }
    hc_end();

    hc_begin("Sv39 U=0 faults for every access, also with AxPROT[0]=1 and PV=0 (I10)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX & ~REF_PTE_U));
    expect_rwx(0x5000, 0, 0, 0, 0);
    {
        ref_req_t r = req(DEV, 0x5000, R);
        r.priv = true;
        xl(&r);
        FAULT(13, true);
        CHECK(!g_out.rec_priv);
        map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX));
        xl(&r);
        OK(0x8000);
    }
    hc_end();

    hc_begin("Sv39 misaligned superpages fault");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x00600000, 1, pte(0x80201000, LEAF_RWX));      /* ppn[0] = 1 */
    expect_rwx(0x00600000, 0, 0, 0, 0);
    map(M, g_root, 0x00600000, 1, pte(0x80000000 | (0x100ull << 12), LEAF_RWX));   /* ppn[0] bit 8 */
    expect_rwx(0x00600000, 0, 0, 0, 0);
    map(M, g_root, 0x40000000, 2, pte(0xc0200000, LEAF_RWX));      /* ppn[1] = 1 */
    expect_rwx(0x40000000, 0, 0, 0, 0);
    map(M, g_root, 0x40000000, 2, pte(0xc0001000, LEAF_RWX));      /* ppn[0] = 1 */
    expect_rwx(0x40000000, 0, 0, 0, 0);
    map(M, g_root, 0x40000000, 2, pte(0x1c0000000ull, LEAF_RWX));  /* aligned */
    expect_rwx(0x40000000, 1, 1, 1, 0x1c0000000ull);
    hc_end();

    hc_begin("Sv39 A=0 faults every access; D=0 faults writes only (I11)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX & ~REF_PTE_A));
    expect_rwx(0x5000, 0, 0, 0, 0);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX & ~REF_PTE_D));
    expect_rwx(0x5000, 1, 0, 1, 0x8000);
    map(M, g_root, 0x00600000, 1, pte(0x80200000, LEAF_RWX & ~REF_PTE_D));
    expect_rwx(0x00612345, 1, 0, 1, 0x80212345);
    hc_end();

    hc_begin("Sv39 PTE read errors are access faults 5/7/1 at every level");
    for (unsigned level = 0; level < 3; level++) {
        setup_fs(REF_DDTP_1LVL, M, 0);
        uint64_t e = map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX));
        if (level > 0)
            e = pte_addr(M, g_root, 0x5000, level);
        mem_error(e);
        xl_simple(DEV, 0x5000, R);
        FAULT(5, true);
        xl_simple(DEV, 0x5000, W);
        FAULT(7, true);
        xl_simple(DEV, 0x5000, X);
        FAULT(1, true);
        CHECK(g_out.dc_valid && g_out.pscid == 0x5a5a5);
    }
    hc_end();

}

static void test_pas_after_translation(void)
{
    const unsigned M = REF_SATP_SV39;
    hc_begin("Sv39 final address at or above 2^PAS: access fault by type (F4)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);
    map(M, g_root, 0x5000, 0, pte(1ull << 40, LEAF_RWX));
    xl_simple(DEV, 0x5000, R);
    FAULT(5, true);
    xl_simple(DEV, 0x5000, W);
    FAULT(7, true);
    xl_simple(DEV, 0x5000, X);
    FAULT(1, true);
    map(M, g_root, 0x5000, 0, pte((1ull << 40) - 0x1000u, LEAF_RWX));
    xl_simple(DEV, 0x5fff, R);
    OK((1ull << 40) - 1u);
    hc_end();

    hc_begin("Sv39 PTE address at or above 2^PAS: access fault by type (F4)");
    setup_fs(REF_DDTP_1LVL, M, 0);
    g_cfg.caps = (REF_CAPS_THIS_IOMMU & ~(0x3full << 32)) | (40ull << 32);
    mem_w(g_root, pte(1ull << 40, REF_PTE_V));           /* vpn[2] = 0 points above PAS */
    xl_simple(DEV, 0x5000, W);
    FAULT(7, true);
    xl_simple(DEV, 0x5000, X);
    FAULT(1, true);
    hc_end();
}

static void test_dtf(void)
{
    const unsigned M = REF_SATP_SV39;
    hc_begin("DTF=1 suppresses page and access faults once the DC is located (I8)");
    setup_fs(REF_DDTP_2LVL, M, REF_TC_DTF);
    map(M, g_root, 0x5000, 0, pte(0x8000, LEAF_RWX & ~REF_PTE_W));
    xl_simple(DEV, 0x5000, R);
    OK(0x8000);
    xl_simple(DEV, 0x5000, W);
    FAULT(15, false);
    CHECK(g_out.dc_valid);
    xl_simple(DEV, 0x6000, X);
    FAULT(12, false);
    xl_simple(DEV, 1ull << 40, R);                       /* non-canonical */
    FAULT(13, false);
    mem_error(pte_addr(M, g_root, 0x5000, 0));
    xl_simple(DEV, 0x5000, R);
    FAULT(5, false);
    hc_end();

    hc_begin("DTF=1 with iosatp Bare: final address above 2^PAS not recorded (I8, F4)");
    setup(REF_DDTP_1LVL);
    put_dc(3, REF_TC_V | REF_TC_DTF, 0, 0, 0);
    xl_simple(3, 1ull << 56, W);
    FAULT(7, false);
    hc_end();

    hc_begin("ref_dtf_suppresses follows the FAULT_CAUSE table");
    {
        static const unsigned no[] = { 1, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23, 260, 261, 262, 263,
                                       264, 265, 266, 267, 269, 270, 271, 274 };
        static const unsigned yes[] = { 256, 257, 258, 259, 268, 272, 273, 2048 };
        for (unsigned k = 0; k < sizeof no / sizeof no[0]; k++)
            CHECK(ref_dtf_suppresses(no[k]));
        for (unsigned k = 0; k < sizeof yes / sizeof yes[0]; k++)
            CHECK(!ref_dtf_suppresses(yes[k]));
    }
    hc_end();
}

static void test_sv48_sv57(void)
{
    hc_begin("Sv48 4 KiB page and 512 GiB page; canonical at bit 47");
    setup_fs(REF_DDTP_3LVL, REF_SATP_SV48, 0);
    map(REF_SATP_SV48, g_root, 0x0000712345678000ull, 0, pte(0x4567000, LEAF_RWX));
    g_reads = 0;
    xl_simple(DEV, 0x0000712345678abcull, W);
    OK(0x4567abc);
    CHECK(g_reads == 6 + 4 && g_out.page_shift == 12);
    map(REF_SATP_SV48, g_root, 0x0000008000000000ull, 3, pte(0x10000000000ull, LEAF_RWX));  /* 1 TiB PA */
    xl_simple(DEV, 0x000000fedcba9876ull, R);
    OK(0x17edcba9876ull);
    CHECK(g_out.page_shift == 39);
    map(REF_SATP_SV48, g_root, 0xffff800000000000ull, 0, pte(0x3000, LEAF_RWX));
    xl_simple(DEV, 0xffff800000000010ull, X);
    OK(0x3010);
    xl_simple(DEV, 0x0000800000000010ull, R);            /* bit 47 set, 63:48 clear */
    FAULT(13, true);
    xl_simple(DEV, 0x0001000000000010ull, R);            /* bit 48 set */
    FAULT(13, true);
    hc_end();

    hc_begin("Sv48 misaligned 512 GiB page faults");
    setup_fs(REF_DDTP_3LVL, REF_SATP_SV48, 0);
    map(REF_SATP_SV48, g_root, 0x0000008000000000ull, 3, pte(0x10040000000ull, LEAF_RWX));
    expect_rwx(0x0000008000000000ull, 0, 0, 0, 0);
    hc_end();

    hc_begin("Sv57 4 KiB, 2 MiB and 256 TiB pages; canonical at bit 56");
    setup_fs(REF_DDTP_2LVL, REF_SATP_SV57, 0);
    map(REF_SATP_SV57, g_root, 0x00ab000000001000ull, 0, pte(0x2000, LEAF_RWX));
    g_reads = 0;
    xl_simple(DEV, 0x00ab000000001008ull, R);
    OK(0x2008);
    CHECK(g_reads == 5 + 5);
    map(REF_SATP_SV57, g_root, 0x00ab000000200000ull, 1, pte(0x40000000, LEAF_RWX));
    xl_simple(DEV, 0x00ab0000002ffff8ull, W);
    OK(0x400ffff8);
    map(REF_SATP_SV57, g_root, 0x0001000000000000ull, 4, pte(0x1000000000000ull, LEAF_RWX));
    xl_simple(DEV, 0x0001123456789abcull, X);
    OK(0x1123456789abcull);
    CHECK(g_out.page_shift == 48);
    map(REF_SATP_SV57, g_root, 0xff00000000000000ull, 0, pte(0x6000, LEAF_RWX));
    xl_simple(DEV, 0xff00000000000ff8ull, R);
    OK(0x6ff8);
    xl_simple(DEV, 0x0100000000000000ull, R);            /* bit 56 set, 63:57 clear */
    FAULT(13, true);
    xl_simple(DEV, 0xfe00000000000000ull, W);            /* bit 56 clear, 63:57 set */
    FAULT(15, true);
    hc_end();

    hc_begin("Sv57 Svnapot and non-leaf at level 0");
    setup_fs(REF_DDTP_2LVL, REF_SATP_SV57, 0);
    for (unsigned k = 0; k < 16; k++)
        map(REF_SATP_SV57, g_root, 0x00ab000000030000ull + k * 0x1000u, 0,
            pte(0x7770000, LEAF_RWX) | (8ull << 10) | REF_PTE_N);
    xl_simple(DEV, 0x00ab00000003a123ull, R);
    OK(0x777a123);
    map(REF_SATP_SV57, g_root, 0x00ab000000040000ull, 0, pte(0x9000, REF_PTE_V | REF_PTE_G));
    expect_rwx(0x00ab000000040000ull, 0, 0, 0, 0);
    hc_end();
}

int main(void)
{
    hc_detail = show_out;
    test_modes();
    test_ddt();
    test_dc();
    test_pv();
    test_burst();
    test_sv39();
    test_pas_after_translation();
    test_dtf();
    test_sv48_sv57();
    mem_reset_all();
    return hc_summary();
}
