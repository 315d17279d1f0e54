/*
 * test_hw.c - probe, bring-up and teardown against the mock: the exact
 * register sequence, WARL fall-backs, take-over, interrupts, timeouts,
 * register failures and allocation failures at every step.
 */
#include <string.h>

#include "test.h"

/* clang-format off */
#define R8(o) {'R', 8, (o), 0, 0}
#define R4(o) {'R', 4, (o), 0, 0}
#define R8V(o, v) {'R', 8, (o), 1, (v)}
#define R4V(o, v) {'R', 4, (o), 1, (v)}
#define W8(o, v) {'W', 8, (o), 1, (v)}
#define W4(o, v) {'W', 4, (o), 1, (v)}

enum {
    CAP = IOMMU_REG_CAPABILITIES, FCTL = IOMMU_REG_FCTL, DDTP = IOMMU_REG_DDTP,
    CQB = IOMMU_REG_CQB, CQH = IOMMU_REG_CQH, CQT = IOMMU_REG_CQT, FQB = IOMMU_REG_FQB,
    FQH = IOMMU_REG_FQH, CQCSR = IOMMU_REG_CQCSR, FQCSR = IOMMU_REG_FQCSR,
    ICVEC = IOMMU_REG_ICVEC,
};
/* clang-format on */

/* The whole bring-up, access by access, with the defaults. */
static void bringup_sequence(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_info_t i = t_info(h);
    uint64_t root = i.ddt_root >> 12 << 10, cq = i.cq_phys >> 12 << 10, fq = i.fq_phys >> 12 << 10;
    const uint64_t busy = 1u << 4, cqon = 1u << 16, csr_busy = 1u << 17;
    /* clang-format off */
    const t_acc_t e[] = {
        /* probe */
        R8V(CAP, 0x3810000e10ULL), R8V(DDTP, 0), R4V(CQCSR, 0), R4V(FQCSR, 0), R4V(FCTL, 2),
        W8(CQB, 7), R8V(CQB, 7),           /* 256 commands: LOG2SZ-1 = 7 */
        W8(FQB, 6), R8V(FQB, 6),           /* 128 records */
        W8(ICVEC, 0xffff), R8V(ICVEC, 0x3333), W8(ICVEC, 0),
        /* 3LVL sticks at once; back to Off with the same PPN */
        R8V(DDTP, 0), W8(DDTP, root | 4), R8V(DDTP, root | 4 | busy), R8V(DDTP, root | 4),
        R8V(DDTP, root | 4), W8(DDTP, root | 0), R8V(DDTP, root | busy), R8V(DDTP, root),
        /* command queue */
        W8(CQB, cq | 7), W4(CQT, 0), W4(CQCSR, 1), R4V(CQCSR, 1 | csr_busy), R4V(CQCSR, 1 | cqon),
        /* fault queue */
        W8(FQB, fq | 6), W4(FQH, 0), W4(FQCSR, 1), R4V(FQCSR, 1 | csr_busy), R4V(FQCSR, 1 | cqon),
        /* icvec, invalidate everything, fence */
        W8(ICVEC, 0), W4(CQT, 2), W4(CQT, 3), R4V(CQH, 3),
        /* ddtp */
        R8V(DDTP, root), W8(DDTP, root | 4), R8V(DDTP, root | 4 | busy), R8V(DDTP, root | 4),
    };
    /* clang-format on */
    t_expect_log(m, 0, e, sizeof e / sizeof e[0], "bring-up");
    /* the commands: IODIR.INVAL_DDT DV=0, IOTINVAL.VMA GV=AV=PSCV=0, IOFENCE.C AV PR PW */
    CHECK_EQ(m->ncmds, 3);
    CHECK_EQ(m->cmds[0].dw[0], 0x3);
    CHECK_EQ(m->cmds[0].dw[1], 0);
    CHECK_EQ(m->cmds[1].dw[0], 0x1);
    CHECK_EQ(m->cmds[1].dw[1], 0);
    CHECK_EQ(m->cmds[2].dw[0], 0x0000000100003402ULL);
    CHECK_EQ(m->cmds[2].dw[1] << 2, i.cq_phys + 4096); /* the completion word's page */
    CHECK_EQ(i.ddt_mode, 4);
    CHECK_EQ(i.did_width, 24);
    CHECK_EQ(i.dc_size, 32);
    CHECK_EQ(i.cq_log2_entries, 8);
    CHECK_EQ(i.fq_log2_entries, 7);
    CHECK_EQ(i.nvec, 4);
    CHECK_EQ(i.pas, 56);
    CHECK_EQ(i.atp_modes, (1u << 8) | (1u << 9) | (1u << 10));
    CHECK_EQ(i.ddt_modes, 0x13); /* Off, Bare, 3LVL */

    /* teardown: ddtp Off (same PPN), invalidate, fq off, cq off */
    size_t from = m->nlog;
    CHECK_OK(iommu_fini(h));
    /* clang-format off */
    const t_acc_t d[] = {
        R8(DDTP), W8(DDTP, root), R8(DDTP), R8(DDTP),
        W4(CQT, 5), W4(CQT, 6), R4V(CQH, 6),
        W4(FQCSR, 0), R4(FQCSR), R4V(FQCSR, 0),
        W4(CQCSR, 0), R4(CQCSR), R4V(CQCSR, 0),
    };
    /* clang-format on */
    t_expect_log(m, from, d, sizeof d / sizeof d[0], "teardown");
    t_clean(m);
    mock_free(m);
}

/* ddtp WARL: 3LVL -> 2LVL -> 1LVL, each try written, read back, undone. */
static void ddt_mode_fallback(void) {
    static const struct {
        uint32_t modes;
        iommu_ddt_cfg_t cfg;
        uint32_t want, width;
        int tries;
    } cases[] = {
        {1u << 2, IOMMU_DDT_CFG_AUTO, 2, 7, 3},
        {1u << 3, IOMMU_DDT_CFG_AUTO, 3, 16, 2},
        {(1u << 2) | (1u << 3) | (1u << 4), IOMMU_DDT_CFG_MAX_2LVL, 3, 16, 1},
        {(1u << 2) | (1u << 3) | (1u << 4), IOMMU_DDT_CFG_MAX_1LVL, 2, 7, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mock_t *m = mock_new();
        iommu_config_t cfg = {.ddt_mode = cases[c].cfg};
        m->ddt_modes = cases[c].modes;
        iommu_t *h = t_up(m, &cfg);
        iommu_info_t i = t_info(h);
        CHECK_EQ(i.ddt_mode, cases[c].want);
        CHECK_EQ(i.did_width, cases[c].width);
        /* the ddtp writes: each tried mode, Off after the one that stuck, the final one */
        uint32_t writes[8], n = 0;
        for (size_t k = 0; k < m->nlog && n < 8; k++)
            if (m->log[k].op == 'W' && m->log[k].off == DDTP) writes[n++] = m->log[k].val & 0xf;
        int tries = cases[c].tries;
        CHECK_EQ(n, (uint32_t)tries + 2);
        uint32_t first = cases[c].cfg == IOMMU_DDT_CFG_MAX_1LVL   ? 2
                         : cases[c].cfg == IOMMU_DDT_CFG_MAX_2LVL ? 3
                                                                  : 4;
        for (int k = 0; k < tries && k < (int)n; k++)
            CHECK_EQ(writes[k], first - (uint32_t)k);
        if (n >= 2) {
            CHECK_EQ(writes[n - 2], 0);
            CHECK_EQ(writes[n - 1], cases[c].want);
        }
        t_down(h, m);
        mock_free(m);
    }
    /* nothing but Off/Bare: AUTO fails cleanly, BARE and OFF work */
    mock_t *m = mock_new();
    m->ddt_modes = 0;
    iommu_platform_t p = mock_platform(m);
    iommu_t *h = NULL;
    CHECK_RC(iommu_init(&p, NULL, &h), IOMMU_ENOTSUP);
    CHECK(h == NULL);
    t_clean(m);
    CHECK_EQ(m->cqcsr & 1, 0);
    CHECK_EQ(m->fqcsr & 1, 0);
    CHECK_EQ(m->ddtp & 0xf, 0);
    iommu_config_t cfg = {.ddt_mode = IOMMU_DDT_CFG_BARE};
    h = t_up(m, &cfg);
    CHECK_EQ(m->ddtp & 0xf, 1);
    CHECK_EQ(t_info(h).did_width, 0);
    t_down(h, m);
    CHECK_EQ(m->ddtp & 0xf, 0);
    cfg.ddt_mode = IOMMU_DDT_CFG_OFF;
    h = t_up(m, &cfg);
    CHECK_EQ(m->ddtp & 0xf, 0);
    CHECK(m->cqon && m->fqon);
    t_down(h, m);
    mock_free(m);
}

/* cqb/fqb LOG2SZ-1 are WARL: the driver uses what reads back. */
static void queue_size_warl(void) {
    mock_t *m = mock_new();
    m->cq_max_log2 = 4;
    m->fq_max_log2 = 3;
    iommu_config_t cfg = {.cq_log2_entries = 12, .fq_log2_entries = 10};
    iommu_t *h = t_up(m, &cfg);
    iommu_info_t i = t_info(h);
    CHECK_EQ(i.cq_log2_entries, 4);
    CHECK_EQ(i.fq_log2_entries, 3);
    long w = mock_log_find(m, 0, 'W', CQB);
    CHECK(w >= 0 && m->log[w].val == 11);
    CHECK_EQ(m->cqb & 0x1f, 3);
    CHECK_EQ(m->fqb & 0x1f, 2);
    t_down(h, m);
    mock_free(m);

    /* a large queue is naturally aligned */
    m = mock_new();
    cfg = (iommu_config_t){.cq_log2_entries = 12}; /* 64 KiB */
    h = t_up(m, &cfg);
    CHECK_EQ(t_info(h).cq_phys % 65536, 0);
    t_down(h, m);
    mock_free(m);
}

/* A previous owner left it running: Off with the same PPN, queues disabled. */
static void take_over(void) {
    mock_t *m = mock_new();
    m->ddtp = 0x1234ULL << 10 | 4;
    m->cqcsr = 1;
    m->cqon = true;
    m->fqcsr = 1;
    m->fqon = true;
    iommu_t *h = t_up(m, NULL);
    long k = mock_log_find(m, 0, 'W', DDTP);
    CHECK(k >= 0 && m->log[k].val == 0x1234ULL << 10);
    CHECK(mock_log_find(m, 0, 'W', CQCSR) < mock_log_find(m, 0, 'W', CQB));
    CHECK(mock_log_find(m, 0, 'W', FQCSR) < mock_log_find(m, 0, 'W', FQB));
    CHECK_EQ(m->violations, 0);
    t_down(h, m);
    mock_free(m);
}

static void caps_checks(void) {
    /* unsupported version: only capabilities was read */
    mock_t *m = mock_new();
    m->caps = (m->caps & ~0xffULL) | 0x20;
    iommu_platform_t p = mock_platform(m);
    iommu_t *h = NULL;
    CHECK_RC(iommu_init(&p, NULL, &h), IOMMU_ENOTSUP);
    CHECK_EQ(m->nlog, 1);
    t_clean(m);
    mock_free(m);

    /* big-endian only: refused; END = 1: fctl.BE cleared */
    m = mock_new();
    m->fctl |= 1;
    p = mock_platform(m);
    CHECK_RC(iommu_init(&p, NULL, &h), IOMMU_ENOTSUP);
    t_clean(m);
    m->caps |= IOMMU_CAPABILITIES_END_MASK;
    h = t_up(m, NULL);
    CHECK_EQ(m->fctl & 1, 0);
    t_down(h, m);
    mock_free(m);

    /* Sv48 only: paging domains get Sv48 */
    m = mock_new();
    m->caps &= ~(IOMMU_CAPABILITIES_SV39_MASK | IOMMU_CAPABILITIES_SV57_MASK);
    h = t_up(m, NULL);
    iommu_domain_t *d, *d2;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d));
    iommu_domain_info_t di;
    CHECK_OK(iommu_domain_get_info(d, &di));
    CHECK_EQ(di.atp_mode, IOMMU_ATP_MODE_SV48);
    CHECK_EQ(di.va_bits, 48);
    CHECK_RC(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, IOMMU_ATP_MODE_SV39, &d2), IOMMU_ENOTSUP);
    CHECK(d2 == NULL);
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);

    /* no first-stage mode at all: no paging domain */
    m = mock_new();
    m->caps &= ~(IOMMU_CAPABILITIES_SV39_MASK | IOMMU_CAPABILITIES_SV48_MASK |
                 IOMMU_CAPABILITIES_SV57_MASK);
    h = t_up(m, NULL);
    CHECK_RC(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d), IOMMU_ENOTSUP);
    t_down(h, m);
    mock_free(m);

    /* a second-stage capability adds IOTINVAL.GVMA to the initial invalidation */
    m = mock_new();
    m->caps |= IOMMU_CAPABILITIES_SV39X4_MASK;
    h = t_up(m, NULL);
    CHECK_EQ(m->ncmds, 4);
    CHECK_EQ(m->cmds[2].dw[0], 0x81); /* IOTINVAL.GVMA, GV = AV = 0 */
    t_down(h, m);
    mock_free(m);
}

static void interrupts(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.irq_enable = true, .civ = 1, .fiv = 2};
    iommu_t *h = t_up(m, &cfg);
    long k = mock_log_find(m, 0, 'W', CQCSR);
    CHECK(k >= 0 && m->log[k].val == 3); /* cqen | cie */
    k = mock_log_find(m, 0, 'W', FQCSR);
    CHECK(k >= 0 && m->log[k].val == 3); /* fqen | fie */
    CHECK_EQ(m->icvec, 0x21);
    CHECK(mock_log_find(m, 0, 'W', FCTL) < 0); /* WSI already 1 (IGS = WSI) */
    t_down(h, m);
    mock_free(m);

    /* one-bit icvec fields: two vectors, civ taken modulo 2 */
    m = mock_new();
    m->icvec_mask = 0x1111;
    cfg = (iommu_config_t){.civ = 3, .fiv = 0};
    h = t_up(m, &cfg);
    CHECK_EQ(t_info(h).nvec, 2);
    CHECK_EQ(m->icvec, 0x01);
    t_down(h, m);
    mock_free(m);

    /* IGS = BOTH: fctl.WSI is set; IGS = MSI: wired interrupts refused */
    m = mock_new();
    m->caps = (m->caps & ~IOMMU_CAPABILITIES_IGS_MASK) | (2ULL << 28);
    m->fctl = 0;
    cfg = (iommu_config_t){.irq_enable = true};
    h = t_up(m, &cfg);
    CHECK_EQ(m->fctl, 2);
    t_down(h, m);
    m->caps &= ~IOMMU_CAPABILITIES_IGS_MASK;
    m->fctl = 0;
    iommu_platform_t p = mock_platform(m);
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_ENOTSUP);
    t_clean(m);
    mock_free(m);
}

/* Bad arguments: IOMMU_EINVAL and not one register access. */
static void bad_args(void) {
    mock_t *m = mock_new();
    iommu_platform_t p = mock_platform(m), q = p;
    iommu_platform_ops_t ops = *p.ops;
    iommu_t *h = NULL;
    CHECK_RC(iommu_init(NULL, NULL, &h), IOMMU_EINVAL);
    CHECK_RC(iommu_init(&p, NULL, NULL), IOMMU_EINVAL);
    ops.mb = NULL;
    q.ops = &ops;
    CHECK_RC(iommu_init(&q, NULL, &h), IOMMU_EINVAL);
    iommu_config_t cfg = {.cq_log2_entries = 33};
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_EINVAL);
    cfg = (iommu_config_t){.max_pscid = 1u << 20};
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_EINVAL);
    cfg = (iommu_config_t){.ddt_mode = (iommu_ddt_cfg_t)9};
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_EINVAL);
    cfg = (iommu_config_t){.civ = 16};
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, 0);
    t_clean(m);

    h = t_up(m, NULL);
    size_t n = m->nlog;
    uint32_t v32;
    uint64_t v64;
    CHECK_RC(iommu_reg_read32(h, 2, &v32), IOMMU_EINVAL);
    CHECK_RC(iommu_reg_read64(h, 4, &v64), IOMMU_EINVAL);
    CHECK_RC(iommu_reg_write64(h, 4096, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_reg_read32(h, 0, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_get_info(h, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_fini(NULL), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, n);
    CHECK_OK(iommu_reg_read64(h, CAP, &v64));
    CHECK_EQ(v64, m->caps);

    /* fini with a live domain: IOMMU_EBUSY, registers untouched */
    iommu_domain_t *d;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_IDENTITY, 0, &d));
    n = m->nlog;
    CHECK_RC(iommu_fini(h), IOMMU_EBUSY);
    CHECK_EQ(m->nlog, n);
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);

    /* status strings */
    static const int codes[] = {IOMMU_OK,      IOMMU_ENOENT, IOMMU_EIO,     IOMMU_ENOMEM,
                                IOMMU_EBUSY,   IOMMU_EEXIST, IOMMU_ENODEV,  IOMMU_EINVAL,
                                IOMMU_ENOSPC,  IOMMU_ERANGE, IOMMU_ENOTSUP, IOMMU_ETIMEDOUT,
                                IOMMU_ECMDILL, IOMMU_ECQMF,  IOMMU_ECMDTO};
    for (size_t a = 0; a < sizeof codes / sizeof codes[0]; a++) {
        CHECK(strcmp(iommu_strerror(codes[a]), "unknown status") != 0);
        for (size_t b = 0; b < a; b++)
            CHECK(strcmp(iommu_strerror(codes[a]), iommu_strerror(codes[b])));
    }
    CHECK(strcmp(iommu_strerror(-12345), "unknown status") == 0);
}

/* Waits are bounded: a handshake that never completes is IOMMU_ETIMEDOUT. */
static void timeouts(void) {
    /* ddtp.busy stuck */
    mock_t *m = mock_new();
    m->busy_reads = 1u << 30;
    iommu_config_t cfg = {.timeout_us = 20};
    iommu_platform_t p = mock_platform(m);
    iommu_t *h = NULL;
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_ETIMEDOUT);
    CHECK(m->delays <= 200);
    t_clean(m);
    mock_free(m);

    /* the command queue never executes: the initial fence times out */
    m = mock_new();
    m->exec = MOCK_EXEC_NEVER;
    p = mock_platform(m);
    CHECK_RC(iommu_init(&p, &cfg, &h), IOMMU_ETIMEDOUT);
    CHECK(m->delays <= 100);
    t_clean(m);
    CHECK_EQ(m->cqcsr & 1, 0);
    CHECK_EQ(m->ddtp & 0xf, 0);
    /* ... unless told there is no command queue to use */
    cfg.no_cq = true;
    size_t from0 = m->nlog;
    h = t_up(m, &cfg);
    CHECK(mock_log_find(m, from0, 'W', CQB) < 0);
    CHECK(mock_log_find(m, from0, 'W', CQCSR) < 0);
    size_t from = m->nlog;
    CHECK_OK(iommu_fini(h));
    CHECK(mock_log_find(m, from, 'W', CQCSR) < 0);
    t_clean(m);
    mock_free(m);
}

/* Every register access of bring-up made to fail in turn: an error, and
 * nothing left allocated. */
static void mmio_failures(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    long total = (long)m->nlog;
    t_down(h, m);
    mock_free(m);
    for (long k = 1; k <= total; k++) {
        m = mock_new();
        m->fail_mmio_at = k;
        iommu_platform_t p = mock_platform(m);
        h = NULL;
        int rc = iommu_init(&p, NULL, &h);
        CHECK(rc != IOMMU_OK);
        CHECK(h == NULL);
        CHECK_EQ(m->host_live, 0);
        CHECK_EQ(m->dma_live_pages, 0);
        mock_free(m);
    }
}

/* Every allocation of bring-up made to fail in turn: IOMMU_ENOMEM, no leak,
 * the hardware left off. */
static void alloc_failures(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    long total = m->allocs;
    t_down(h, m);
    mock_free(m);
    CHECK(total >= 6);
    for (long k = 1; k <= total; k++) {
        m = mock_new();
        m->fail_alloc_at = k;
        iommu_platform_t p = mock_platform(m);
        h = NULL;
        CHECK_RC(iommu_init(&p, NULL, &h), IOMMU_ENOMEM);
        t_clean(m);
        CHECK_EQ(m->cqcsr & 1, 0);
        CHECK_EQ(m->fqcsr & 1, 0);
        CHECK_EQ(m->ddtp & 0xf, 0);
        mock_free(m);
    }
}

void test_hw(void) {
    RUN(bringup_sequence);
    RUN(ddt_mode_fallback);
    RUN(queue_size_warl);
    RUN(take_over);
    RUN(caps_checks);
    RUN(interrupts);
    RUN(bad_args);
    RUN(timeouts);
    RUN(mmio_failures);
    RUN(alloc_failures);
}
