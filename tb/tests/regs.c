/* regs.c - built-in tests of the register page: reset values, access types,
 * WARL and RW1C behaviour, busy handshakes, and SLVERR for bad accesses.
 * Expected values come from the spec and the generated header, not the RTL. */
#include <string.h>

#include "tutil.h"

typedef struct {
    uint32_t off;
    unsigned size;
    uint64_t reset;
} reg_def_t;

/* The registers this implementation has (capabilities advertise the rest as absent). */
static const reg_def_t implemented[] = {
    {IOMMU_REG_CAPABILITIES, 8, IOMMU_CAPABILITIES_RESET}, {IOMMU_REG_FCTL, 4, IOMMU_FCTL_RESET},
    {IOMMU_REG_DDTP, 8, IOMMU_DDTP_RESET},   {IOMMU_REG_CQB, 8, IOMMU_CQB_RESET},
    {IOMMU_REG_CQH, 4, IOMMU_CQH_RESET},     {IOMMU_REG_CQT, 4, IOMMU_CQT_RESET},
    {IOMMU_REG_FQB, 8, IOMMU_FQB_RESET},     {IOMMU_REG_FQH, 4, IOMMU_FQH_RESET},
    {IOMMU_REG_FQT, 4, IOMMU_FQT_RESET},     {IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_RESET},
    {IOMMU_REG_FQCSR, 4, IOMMU_FQCSR_RESET}, {IOMMU_REG_IPSR, 4, IOMMU_IPSR_RESET},
    {IOMMU_REG_ICVEC, 8, IOMMU_ICVEC_RESET},
};
#define N_IMPL (sizeof implemented / sizeof *implemented)

static bool is_implemented(uint32_t off) {
    for (size_t i = 0; i < N_IMPL; i++)
        if (off >= implemented[i].off && off < implemented[i].off + implemented[i].size) return true;
    return false;
}

/* Reset values; every other word of the page reads 0. */
static int t_reset(void) {
    for (size_t i = 0; i < N_IMPL; i++) {
        const reg_def_t *r = &implemented[i];
        uint64_t v = r->size == 8 ? rd64(r->off) : rd32(r->off);
        CHECK(v == r->reset, "register %#x resets to %#llx, expected %#llx", r->off,
              (unsigned long long)v, (unsigned long long)r->reset);
    }
    /* the spec's required values, independently of the generated header */
    uint64_t caps = rd64(IOMMU_REG_CAPABILITIES);
    CHECK_EQ(IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_VERSION), 0x10, "capabilities.version");
    CHECK_EQ(IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_PAS), 56, "capabilities.PAS");
    CHECK_EQ(IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_IGS), 1, "capabilities.IGS (WSI)");
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), 0, "ddtp.iommu_mode resets to Off");
    for (uint32_t off = 0; off < 4096; off += 4)
        if (!is_implemented(off)) CHECK(rd32(off) == 0, "absent/reserved offset %#x reads non-zero", off);
    return 0;
}

/* Write all ones everywhere, check what each register keeps. */
static int t_access(void) {
    /* absent registers and reserved offsets ignore writes */
    for (uint32_t off = 0; off < 4096; off += 8) {
        if (is_implemented(off) || is_implemented(off + 4)) continue;
        wr64(off, ~0ull);
        CHECK(rd64(off) == 0, "absent offset %#x kept a write", off);
    }
    wr64(IOMMU_REG_CAPABILITIES, 0);
    CHECK_EQ(rd64(IOMMU_REG_CAPABILITIES), IOMMU_CAPABILITIES_RESET, "capabilities is read-only");
    wr32(IOMMU_REG_FCTL, 0xffffffffu);
    CHECK_EQ(rd32(IOMMU_REG_FCTL), IOMMU_FCTL_RESET, "fctl: BE, WSI, GXL are fixed");
    wr32(IOMMU_REG_FCTL, 0);
    CHECK_EQ(IOMMU_FIELD_GET(rd32(IOMMU_REG_FCTL), IOMMU_FCTL_WSI), 1, "fctl.WSI stays 1 (IGS=WSI)");

    /* queue bases: LOG2SZ-1 clamps to the largest size, all 44 PPN bits kept */
    wr64(IOMMU_REG_CQB, ~0ull);
    CHECK_EQ(rd64(IOMMU_REG_CQB), IOMMU_CQB_PPN_MASK | 12, "cqb after writing all ones");
    wr64(IOMMU_REG_FQB, ~0ull);
    CHECK_EQ(rd64(IOMMU_REG_FQB), IOMMU_FQB_PPN_MASK | 11, "fqb after writing all ones");
    for (unsigned l = 0; l <= 11; l++) {
        wr64(IOMMU_REG_FQB, l);
        CHECK_EQ(rd64(IOMMU_REG_FQB), l, "fqb.LOG2SZ-1 keeps a supported size");
    }
    /* tail/head: only LOG2SZ-1:0 bits writable */
    wr64(IOMMU_REG_CQB, 12);
    wr32(IOMMU_REG_CQT, 0xffffffffu);
    CHECK_EQ(rd32(IOMMU_REG_CQT), 0x1fff, "cqt masked to 8192 entries");
    wr64(IOMMU_REG_CQB, 2);   /* shrinking the queue clears cqt bits above LOG2SZ */
    CHECK_EQ(rd32(IOMMU_REG_CQT), 0x7, "cqt after cqb shrinks the queue to 8 entries");
    wr64(IOMMU_REG_FQB, 11);
    wr32(IOMMU_REG_FQH, 0xffffffffu);
    CHECK_EQ(rd32(IOMMU_REG_FQH), 0xfff, "fqh masked to 4096 entries");
    /* read-only indices */
    wr32(IOMMU_REG_CQH, 5);
    CHECK_EQ(rd32(IOMMU_REG_CQH), 0, "cqh is read-only");
    wr32(IOMMU_REG_FQT, 5);
    CHECK_EQ(rd32(IOMMU_REG_FQT), 0, "fqt is read-only");
    /* icvec: 4 wires, 2 writable bits per cause */
    wr64(IOMMU_REG_ICVEC, ~0ull);
    CHECK_EQ(rd64(IOMMU_REG_ICVEC), 0x3333, "icvec after writing all ones");
    wr64(IOMMU_REG_ICVEC, 0x1234);
    CHECK_EQ(rd64(IOMMU_REG_ICVEC), 0x1230, "icvec keeps the low 2 bits of each field");
    /* ipsr: RW1C, nothing pending */
    wr32(IOMMU_REG_IPSR, 0xffffffffu);
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "ipsr after writing ones with nothing pending");
    /* 4-byte halves of an 8-byte register */
    wr32(IOMMU_REG_FQB + 4, 0x003fffff);
    CHECK_EQ(rd64(IOMMU_REG_FQB) >> 32, 0x3fffff, "fqb high half written alone");
    wr32(IOMMU_REG_FQB, 0x400 | 3);
    CHECK_EQ(rd64(IOMMU_REG_FQB), (0x3fffffull << 32) | 0x400 | 3, "fqb low half written alone");
    CHECK_EQ(rd32(IOMMU_REG_FQB + 4), 0x3fffff, "4-byte read of the high half");
    return 0;
}

/* ddtp.iommu_mode is WARL: Off, Bare, 1LVL, 2LVL and 3LVL are kept; the
 * reserved (5-13) and custom (14, 15) encodings keep the old mode. */
static int t_warl_mode(void) {
    static const unsigned bad[] = {5, 9, 13, 14, 15};
    for (unsigned m = 2; m <= 4; m++) {
        set_mode(m);
        CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), m, "xLVL mode kept");
        set_mode(1);
    }
    set_mode(1);
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), 1, "mode Bare kept");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        set_mode(bad[i]);
        CHECK(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE) == 1,
              "mode %u replaced Bare", bad[i]);
    }
    set_mode(0);
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), 0, "mode Off kept");
    set_mode(7);
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), 0, "mode 7 keeps Off");
    /* the PPN is kept whatever the mode */
    wr64(IOMMU_REG_DDTP, IOMMU_DDTP_PPN_MASK | 1);
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 1000), "ddtp.busy stays 1");
    CHECK_EQ(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_PPN_MASK | 1, "ddtp PPN and mode");
    return 0;
}

/* ddtp.busy covers leaving Bare for Off until forwarded DMA has completed. */
static int t_ddtp_busy(void) {
    axi_slave_cfg_t c, slow;
    axi_slave_get_cfg(sim_mem_slave(), &c);
    slow = c;
    slow.latency = 400;
    axi_slave_set_cfg(sim_mem_slave(), &slow);
    set_mode(1);
    dma_txn_t *t = dma_txn_new(false, 0x80000000ull, 0, 3);
    t->user = sim_user(3, false, 0);
    dev_master_submit(sim_dev(), t, tb_now());
    tb_cycles(20);                          /* the read is at memory now */
    wr64(IOMMU_REG_DDTP, 0);                /* Off */
    uint64_t v = rd64(IOMMU_REG_DDTP);
    CHECK(v & IOMMU_DDTP_BUSY_MASK, "ddtp.busy is 0 while a Bare read is still in flight");
    CHECK_EQ(IOMMU_FIELD_GET(v, IOMMU_DDTP_IOMMU_MODE), 0, "mode reads Off at once");
    CHECK(poll_reg(IOMMU_REG_DDTP, 8, 0, IOMMU_DDTP_BUSY_MASK, 2000), "ddtp.busy never clears");
    CHECK(dev_master_busy(sim_dev()) == 0, "busy cleared before the in-flight read completed");
    dma_txn_t *d = dev_master_take_done(sim_dev());
    CHECK(d == t && d->resp == AXI_OKAY, "the read issued in Bare completes OKAY");
    dma_txn_free(d);
    axi_slave_set_cfg(sim_mem_slave(), &c);
    return 0;
}

/* Misaligned addresses and other widths: SLVERR, nothing changes. */
static int t_bad_access(void) {
    static const struct { uint32_t addr, strb; } bad[] = {
        {0x10, 0x01}, {0x10, 0x03}, {0x10, 0x0e}, {0x10, 0xf0}, {0x14, 0x0f}, {0x14, 0xff},
        {0x11, 0x0f}, {0x12, 0xff}, {0x13, 0xf0}, {0x10, 0x00}, {0x10, 0x3c}, {0x16, 0xf0},
    };
    wr64(IOMMU_REG_FQB, 0x1234ull << 10 | 2);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        unsigned resp;
        uint32_t a = IOMMU_REG_FQB - IOMMU_REG_DDTP + bad[i].addr;   /* aim at fqb */
        CHECK(tb_reg_write_raw(a, ~0ull, bad[i].strb, &resp) == 0, "no response");
        CHECK(resp == AXI_SLVERR, "write addr %#x strb %#x: response %u, expected SLVERR", a,
              bad[i].strb, resp);
        CHECK_EQ(rd64(IOMMU_REG_FQB), 0x1234ull << 10 | 2, "fqb after a refused write");
    }
    for (uint32_t a = 1; a < 4; a++) {
        uint64_t v;
        unsigned resp;
        CHECK(tb_reg_read(IOMMU_REG_FQB + a, 4, &v, &resp) == 0, "no response");
        CHECK(resp == AXI_SLVERR, "read at %#x: response %u, expected SLVERR", IOMMU_REG_FQB + a, resp);
    }
    CHECK_EQ(IOMMU_FIELD_GET(rd64(IOMMU_REG_DDTP), IOMMU_DDTP_IOMMU_MODE), 0, "ddtp untouched");
    return 0;
}

/* cqcsr/fqcsr enable handshakes. */
static int t_queue_csr(void) {
    wr64(IOMMU_REG_CQB, (0x80010ull << 10) | 1);
    wr32(IOMMU_REG_CQCSR, IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK,
                   ~0ull, 1000), "cqon did not come up with busy 0");
    CHECK_EQ(rd32(IOMMU_REG_CQH), 0, "cqh is 0 after enabling");
    /* cqb is ignored while the queue is on */
    wr64(IOMMU_REG_CQB, (0x99999ull << 10) | 5);
    CHECK_EQ(rd64(IOMMU_REG_CQB), (0x80010ull << 10) | 1, "cqb changed while cqon");
    wr32(IOMMU_REG_CQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_CQCSR, 4, 0, ~0ull, 1000), "cqon did not go down");
    CHECK_EQ(rd32(IOMMU_REG_IPSR), 0, "no command-queue interrupt without an error");

    fq_enable(0x80020000ull, 3, false);
    wr32(IOMMU_REG_FQH, 7);
    CHECK_EQ(rd32(IOMMU_REG_FQH), 7, "fqh written");
    wr64(IOMMU_REG_FQB, 0);
    CHECK_EQ(rd64(IOMMU_REG_FQB), (0x80020ull << 10) | 3, "fqb changed while fqon");
    wr32(IOMMU_REG_FQCSR, 0);
    CHECK(poll_reg(IOMMU_REG_FQCSR, 4, 0, ~0ull, 1000), "fqon did not go down");
    return 0;
}

const test_def_t tests_regs[] = {
    {"reg_reset", "every register's reset value; absent and reserved offsets read 0", t_reset, false},
    {"reg_access", "access types: RO, RW, WARL sizes and masks, RW1C, absent registers", t_access, false},
    {"reg_warl_mode", "ddtp.iommu_mode keeps Off/Bare and ignores other values", t_warl_mode, false},
    {"reg_ddtp_busy", "ddtp.busy holds while DMA forwarded in Bare completes", t_ddtp_busy, false},
    {"reg_bad_access", "misaligned or partial accesses get SLVERR and change nothing", t_bad_access, false},
    {"reg_queue_csr", "cqen/cqon and fqen/fqon handshakes, bases locked while on", t_queue_csr, false},
    {0},
};
