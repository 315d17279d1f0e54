/*
 * test_queue.c - command encodings (checked against the bit positions of the
 * spec's command layouts, written out here as literals), command-queue
 * submission with wrap-around, sync, errors and recovery, fault-queue
 * draining, decoding and overflow.
 */
#include <string.h>

#include "test.h"

/* Bit positions from iommu_in_memory_queues.adoc, not from the encoder:
 * IOTINVAL dword0: opcode 6:0, func3 9:7, AV 10, PSCID 31:12, PSCV 32, GV 33,
 * GSCID 59:44; dword1: ADDR[63:12] at 61:10. */
static uint64_t spec_iotinval0(unsigned f3, int gv, int av, int pscv, uint64_t gscid,
                               uint64_t pscid) {
    return 1u | (uint64_t)f3 << 7 | (uint64_t)av << 10 | pscid << 12 | (uint64_t)pscv << 32 |
           (uint64_t)gv << 33 | gscid << 44;
}

static void encode_iotinval(void) {
    iommu_cmd_t c;
    const uint64_t addr = 0x76543210F000ULL;
    /* one combination fully written out */
    CHECK_OK(iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_GV | IOMMU_INVAL_AV | IOMMU_INVAL_PSCV, 0xABCD,
                                    0x12345, addr));
    CHECK_EQ(c.dw[0], 0x0ABCD00312345401ULL);
    CHECK_EQ(c.dw[1], 0x00001D950C843C00ULL);
    /* every GV/AV/PSCV combination of IOTINVAL.VMA */
    for (int gv = 0; gv < 2; gv++)
        for (int av = 0; av < 2; av++)
            for (int pscv = 0; pscv < 2; pscv++) {
                unsigned f = (gv ? IOMMU_INVAL_GV : 0) | (av ? IOMMU_INVAL_AV : 0) |
                             (pscv ? IOMMU_INVAL_PSCV : 0);
                uint32_t gscid = gv ? 0x8001 : 0, pscid = pscv ? 0xFFFFF : 0;
                uint64_t a = av ? 0xFFFFFFFFFFFFF000ULL : 0;
                memset(&c, 0xff, sizeof c);
                CHECK_OK(iommu_cmd_iotinval_vma(&c, f, gscid, pscid, a));
                CHECK_EQ(c.dw[0], spec_iotinval0(0, gv, av, pscv, gscid, pscid));
                CHECK_EQ(c.dw[1], av ? 0x3FFFFFFFFFFFFC00ULL : 0);
            }
    /* IOTINVAL.GVMA: func3 = 1; PSCV is illegal */
    CHECK_OK(iommu_cmd_iotinval_gvma(&c, IOMMU_INVAL_GV | IOMMU_INVAL_AV, 0xABCD, addr));
    CHECK_EQ(c.dw[0], 0x0ABCD00200000481ULL);
    CHECK_EQ(c.dw[1], 0x00001D950C843C00ULL);
    CHECK_OK(iommu_cmd_iotinval_gvma(&c, 0, 0, 0));
    CHECK_EQ(c.dw[0], 0x81);
    CHECK_RC(iommu_cmd_iotinval_gvma(&c, IOMMU_INVAL_PSCV, 0, 0), IOMMU_EINVAL);
    /* operands wider than their fields, or given without their valid bit */
    CHECK_RC(iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_PSCV, 0, 0x100000, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_GV, 0x10000, 0, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_AV, 0, 0, 0x1234), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(&c, 0, 0, 5, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(&c, 0, 0, 0, 0x1000), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(&c, 0x80, 0, 0, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iotinval_vma(NULL, 0, 0, 0, 0), IOMMU_EINVAL);
}

static void encode_iodir_iofence(void) {
    iommu_cmd_t c;
    /* IODIR: opcode 3, func3 0 INVAL_DDT / 1 INVAL_PDT, PID 31:12, DV 33, DID 63:40 */
    CHECK_OK(iommu_cmd_iodir_inval_ddt(&c, true, 0xABCDEF));
    CHECK_EQ(c.dw[0], 0xABCDEF0200000003ULL);
    CHECK_EQ(c.dw[1], 0);
    CHECK_OK(iommu_cmd_iodir_inval_ddt(&c, false, 0));
    CHECK_EQ(c.dw[0], 0x3);
    CHECK_RC(iommu_cmd_iodir_inval_ddt(&c, false, 5), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iodir_inval_ddt(&c, true, 1u << 24), IOMMU_EINVAL);
    CHECK_OK(iommu_cmd_iodir_inval_pdt(&c, 0x12, 0x54321));
    CHECK_EQ(c.dw[0], 0x0000120254321083ULL);
    CHECK_EQ(c.dw[1], 0);
    CHECK_RC(iommu_cmd_iodir_inval_pdt(&c, 0, 1u << 20), IOMMU_EINVAL);
    /* IOFENCE.C: opcode 2, AV 10, WSI 11, PR 12, PW 13, DATA 63:32; dword1 = ADDR[63:2] */
    CHECK_OK(iommu_cmd_iofence_c(&c,
                                 IOMMU_FENCE_AV | IOMMU_FENCE_WSI | IOMMU_FENCE_PR | IOMMU_FENCE_PW,
                                 0x80001234, 0xdeadbeef));
    CHECK_EQ(c.dw[0], 0xDEADBEEF00003C02ULL);
    CHECK_EQ(c.dw[1], 0x2000048D);
    static const struct {
        unsigned f;
        uint64_t dw0;
    } one[] = {
        {IOMMU_FENCE_WSI, 0x802}, {IOMMU_FENCE_PR, 0x1002}, {IOMMU_FENCE_PW, 0x2002}, {0, 0x2}};
    for (size_t i = 0; i < 4; i++) {
        CHECK_OK(iommu_cmd_iofence_c(&c, one[i].f, 0, 0));
        CHECK_EQ(c.dw[0], one[i].dw0);
        CHECK_EQ(c.dw[1], 0);
    }
    CHECK_OK(iommu_cmd_iofence_c(&c, IOMMU_FENCE_AV, 0xFFFFFFFFFFFFFFFCULL, 1));
    CHECK_EQ(c.dw[0], 0x0000000100000402ULL);
    CHECK_EQ(c.dw[1], 0x3FFFFFFFFFFFFFFFULL);
    CHECK_RC(iommu_cmd_iofence_c(&c, IOMMU_FENCE_AV, 0x80000002, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iofence_c(&c, 0, 0x1000, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_cmd_iofence_c(&c, 1u << 7, 0, 0), IOMMU_EINVAL);
}

/* A 4-entry queue (3 usable): 10 commands in one call wrap around twice;
 * the driver waits for room by re-reading cqh. */
static void submit_wraps(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.cq_log2_entries = 2};
    iommu_t *h = t_up(m, &cfg);
    size_t c0 = m->ncmds, l0 = m->nlog;
    iommu_cmd_t cmds[10];
    for (unsigned i = 0; i < 10; i++)
        CHECK_OK(iommu_cmd_iodir_inval_ddt(&cmds[i], true, i));
    CHECK_OK(iommu_cq_submit(h, cmds, 10));
    CHECK_OK(iommu_cq_sync(h));
    CHECK_EQ(t_ncmds(m, c0), 11);
    for (unsigned i = 0; i < 10 && c0 + i < m->ncmds; i++)
        CHECK_EQ(m->cmds[c0 + i].dw[0], cmds[i].dw[0]);
    /* every cqt written stays inside the queue, and the doorbell comes
     * after the writes it publishes (wmb between) */
    for (size_t k = l0; k < m->nlog; k++)
        if (m->log[k].op == 'W' && m->log[k].off == IOMMU_REG_CQT) CHECK(m->log[k].val < 4);
    CHECK_EQ(m->violations, 0);
    t_down(h, m);
    mock_free(m);

    /* a stuck queue: the 4th command finds no room */
    m = mock_new();
    cfg.timeout_us = 30;
    h = t_up(m, &cfg);
    m->exec = MOCK_EXEC_NEVER;
    CHECK_RC(iommu_cq_submit(h, cmds, 4), IOMMU_ETIMEDOUT);
    m->exec = MOCK_EXEC_ON_CQH_READ;
    CHECK_OK(iommu_cq_sync(h)); /* it drains once the IOMMU moves */
    t_down(h, m);
    mock_free(m);
}

static void sync_and_errors(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.timeout_us = 40};
    iommu_t *h = t_up(m, &cfg);
    uint64_t word = t_info(h).cq_phys + 4096;

    /* each sync writes a new sequence number */
    CHECK_OK(iommu_cq_sync(h));
    uint32_t s1 = (uint32_t)mock_rd64(m, word);
    CHECK_OK(iommu_cq_sync(h));
    CHECK_EQ((uint32_t)mock_rd64(m, word), s1 + 1);
    CHECK_EQ(m->cmds[m->ncmds - 1].dw[0], ((uint64_t)(s1 + 1) << 32) | 0x3402);

    /* the IOMMU works only while the driver waits */
    m->exec = MOCK_EXEC_ON_DELAY;
    CHECK_OK(iommu_cq_sync(h));
    CHECK(m->delays > 0);

    /* timeout: bounded */
    m->exec = MOCK_EXEC_NEVER;
    uint32_t d0 = m->delays;
    CHECK_RC(iommu_cq_sync(h), IOMMU_ETIMEDOUT);
    CHECK(m->delays - d0 <= 41);
    m->exec = MOCK_EXEC_ON_CQH_READ;
    CHECK_OK(iommu_cq_sync(h));

    /* an illegal command (reserved opcode 5): cmd_ill, reported by sync;
     * recover skips it and the queue goes on */
    iommu_cmd_t bad = {{5, 0}}, ok1;
    CHECK_OK(iommu_cmd_iodir_inval_ddt(&ok1, true, 7));
    CHECK_OK(iommu_cq_submit(h, &bad, 1));
    CHECK_OK(iommu_cq_submit(h, &ok1, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL);
    uint32_t errs = 0;
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_cq_recover(h, &errs));
    CHECK_EQ(errs, IOMMU_CQCSR_CMD_ILL_MASK);
    CHECK_EQ(m->cqcsr & IOMMU_CQCSR_CMD_ILL_MASK, 0);
    CHECK_EQ(m->cqcsr & 1, 1); /* still enabled */
    CHECK_OK(iommu_cq_sync(h));
    CHECK(t_ncmds(m, c0) >= 3); /* the no-op fence, ok1, the fences of both syncs */
    CHECK_EQ(m->cmds[c0].dw[0], 0x2);
    CHECK_EQ(m->cmds[c0 + 1].dw[0], ok1.dw[0]);
    /* an IOTINVAL with a reserved bit (11) set is illegal too */
    iommu_cmd_t rsv = {{1 | (1u << 11), 0}};
    CHECK_OK(iommu_cq_submit(h, &rsv, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL);
    CHECK_OK(iommu_cq_recover(h, NULL));
    CHECK_OK(iommu_cq_sync(h));

    /* a fence whose completion write faults: cqmf */
    iommu_cmd_t f;
    CHECK_OK(iommu_cmd_iofence_c(&f, IOMMU_FENCE_AV, 0x1000, 1)); /* outside memory */
    CHECK_OK(iommu_cq_submit(h, &f, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECQMF);
    CHECK_OK(iommu_cq_recover(h, &errs));
    CHECK_EQ(errs, IOMMU_CQCSR_CQMF_MASK);
    CHECK_OK(iommu_cq_sync(h));

    /* bad arguments touch no register */
    size_t n = m->nlog;
    CHECK_RC(iommu_cq_submit(NULL, &f, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_cq_submit(h, NULL, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_cq_sync(NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_inval_ddt(h, 1u << 24), IOMMU_EINVAL);
    CHECK_RC(iommu_inval_vma_pscid(h, 1u << 20), IOMMU_EINVAL);
    CHECK_RC(iommu_inval_vma_page(h, 1, 0x123), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, n);
    CHECK_OK(iommu_cq_submit(h, &f, 0)); /* nothing to do: no doorbell */
    CHECK_EQ(m->nlog, n);
    t_down(h, m);
    mock_free(m);

    /* without a command queue: IOMMU_ENODEV */
    m = mock_new();
    cfg.no_cq = true;
    h = t_up(m, &cfg);
    CHECK_RC(iommu_cq_sync(h), IOMMU_ENODEV);
    CHECK_RC(iommu_inval_vma_all(h), IOMMU_ENODEV);
    CHECK_RC(iommu_cq_recover(h, NULL), IOMMU_ENODEV);
    t_down(h, m);
    mock_free(m);
}

/* With wired interrupts an error (or a fence with WSI) sets ipsr.cip, which
 * stays set until written 1: recover must clear it after clearing its causes
 * in cqcsr, or the level interrupt stays asserted for good. */
static void recover_clears_cip(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.irq_enable = true};
    iommu_t *h = t_up(m, &cfg);
    CHECK(m->cqcsr & IOMMU_CQCSR_CIE_MASK);
    m->ipsr = 0;

    iommu_cmd_t bad = {{5, 0}};
    CHECK_OK(iommu_cq_submit(h, &bad, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL);
    CHECK(m->ipsr & IOMMU_IPSR_CIP_MASK);
    m->ipsr |= (uint32_t)IOMMU_IPSR_FIP_MASK; /* a fault interrupt, not recover's business */
    size_t l0 = m->nlog;
    uint32_t errs = 0;
    CHECK_OK(iommu_cq_recover(h, &errs));
    CHECK_EQ(errs, IOMMU_CQCSR_CMD_ILL_MASK);
    CHECK_EQ(m->ipsr, IOMMU_IPSR_FIP_MASK);
    long wc = mock_log_find(m, l0, 'W', IOMMU_REG_CQCSR);
    long wi = mock_log_find(m, l0, 'W', IOMMU_REG_IPSR);
    CHECK(wc >= 0 && wi > wc); /* the causes first, then the pending bit */
    if (wi >= 0) CHECK_EQ(m->log[wi].val, IOMMU_IPSR_CIP_MASK);
    CHECK_OK(iommu_cq_sync(h));
    m->ipsr = 0;

    /* IOFENCE.C with WSI: fence_w_ip and cip, both cleared by recover */
    iommu_cmd_t f;
    CHECK_OK(iommu_cmd_iofence_c(&f, IOMMU_FENCE_WSI, 0, 0));
    CHECK_OK(iommu_cq_submit(h, &f, 1));
    CHECK_OK(iommu_cq_sync(h));
    CHECK(m->cqcsr & IOMMU_CQCSR_FENCE_W_IP_MASK);
    CHECK(m->ipsr & IOMMU_IPSR_CIP_MASK);
    CHECK_OK(iommu_cq_recover(h, &errs));
    CHECK_EQ(errs, IOMMU_CQCSR_FENCE_W_IP_MASK);
    CHECK_EQ(m->cqcsr & IOMMU_CQCSR_W1C, 0);
    CHECK_EQ(m->ipsr, 0);

    /* cqmf: a fence whose completion write faults */
    CHECK_OK(iommu_cmd_iofence_c(&f, IOMMU_FENCE_AV, 0x1000, 1));
    CHECK_OK(iommu_cq_submit(h, &f, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECQMF);
    CHECK(m->ipsr & IOMMU_IPSR_CIP_MASK);
    CHECK_OK(iommu_cq_recover(h, &errs));
    CHECK_EQ(errs, IOMMU_CQCSR_CQMF_MASK);
    CHECK_EQ(m->ipsr, 0);
    CHECK_OK(iommu_cq_sync(h));
    CHECK_EQ(m->violations, 0);
    t_down(h, m);
    mock_free(m);

    /* without interrupts, recover leaves ipsr alone */
    m = mock_new();
    h = t_up(m, NULL);
    CHECK_OK(iommu_cq_submit(h, &bad, 1));
    CHECK_RC(iommu_cq_sync(h), IOMMU_ECMDILL);
    l0 = m->nlog;
    CHECK_OK(iommu_cq_recover(h, NULL));
    CHECK_EQ(mock_log_find(m, l0, 'W', IOMMU_REG_IPSR), -1);
    CHECK_OK(iommu_cq_sync(h));
    t_down(h, m);
    mock_free(m);
}

/* A record with the fields at the spec's positions: CAUSE 11:0, PID 31:12,
 * PV 32, PRIV 33, TTYP 39:34, DID 63:40. */
static void rec_make(uint64_t r[4], uint64_t cause, uint64_t pid, int pv, int priv, uint64_t ttyp,
                     uint64_t did, uint64_t iotval, uint64_t iotval2) {
    r[0] = cause | pid << 12 | (uint64_t)pv << 32 | (uint64_t)priv << 33 | ttyp << 34 | did << 40;
    r[1] = 0x1234; /* custom */
    r[2] = iotval;
    r[3] = iotval2;
}

static void fault_decode(void) {
    uint64_t r[4];
    iommu_fault_t f;
    rec_make(r, 13, 0x54321, 1, 1, 2, 0xabcdef, 0x1000, 0);
    CHECK_EQ(r[0], 0xABCDEF0B5432100DULL);
    CHECK_OK(iommu_fault_decode(r, &f));
    CHECK_EQ(f.cause, 13);
    CHECK(strcmp(f.cause_name, "read page fault") == 0);
    CHECK_EQ(f.pid, 0x54321);
    CHECK(f.pv && f.priv);
    CHECK_EQ(f.ttyp, 2);
    CHECK(strcmp(f.ttyp_name, "untranslated read") == 0);
    CHECK_EQ(f.did, 0xabcdef);
    CHECK_EQ(f.custom, 0x1234);
    CHECK_EQ(f.iotval, 0x1000);
    CHECK_EQ(f.iotval2, 0);
    rec_make(r, 4095, 0, 0, 0, 63, 0, ~0ULL, ~0ULL);
    CHECK_OK(iommu_fault_decode(r, &f));
    CHECK_EQ(f.cause, 4095);
    CHECK(strcmp(f.cause_name, "custom cause") == 0);
    CHECK_EQ(f.ttyp, 63);
    CHECK(strcmp(f.ttyp_name, "custom transaction type") == 0);
    CHECK(!f.pv && !f.priv);
    CHECK_EQ(f.iotval2, ~0ULL);
    /* every defined cause has a name, the gaps are reserved */
    static const unsigned defined[] = {1, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23};
    for (size_t i = 0; i < sizeof defined / sizeof defined[0]; i++)
        CHECK(strstr(iommu_fault_cause_name(defined[i]), "reserved") == NULL);
    for (unsigned c = 256; c <= 274; c++)
        CHECK(strstr(iommu_fault_cause_name(c), "reserved") == NULL);
    CHECK(strcmp(iommu_fault_cause_name(256), "all inbound transactions disallowed") == 0);
    CHECK(strcmp(iommu_fault_cause_name(258), "DDT entry not valid") == 0);
    CHECK(strcmp(iommu_fault_cause_name(0), "reserved cause") == 0);
    CHECK(strcmp(iommu_fault_cause_name(275), "reserved cause") == 0);
    CHECK(strcmp(iommu_fault_ttyp_name(4), "reserved transaction type") == 0);
    CHECK(strcmp(iommu_fault_ttyp_name(7), "translated write/AMO") == 0);
    CHECK_RC(iommu_fault_decode(NULL, &f), IOMMU_EINVAL);
}

static void fault_drain(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.fq_log2_entries = 2, .irq_enable = true}; /* 4 slots, 3 usable */
    iommu_t *h = t_up(m, &cfg);
    iommu_fault_t out[8];
    size_t n = 99;
    uint32_t errs = 99;
    uint64_t r[4];

    CHECK_OK(iommu_fq_drain(h, out, 8, &n, &errs));
    CHECK_EQ(n, 0);
    CHECK_EQ(errs, 0);

    /* three records, then an overflow */
    for (unsigned i = 0; i < 4; i++) {
        rec_make(r, 256 + i, 0, 0, 0, 2, 10 + i, 0x1000 * i, 0);
        CHECK(mock_inject_fault(m, r) == (i < 3));
    }
    CHECK(m->ipsr & IOMMU_IPSR_FIP_MASK);
    CHECK(m->fqcsr & IOMMU_FQCSR_FQOF_MASK);
    size_t l0 = m->nlog;
    CHECK_OK(iommu_fq_drain(h, out, 2, &n, &errs));
    CHECK_EQ(n, 2);
    CHECK_EQ(errs, IOMMU_FQ_ERR_OF);
    CHECK_EQ(out[0].cause, 256);
    CHECK_EQ(out[0].did, 10);
    CHECK_EQ(out[1].cause, 257);
    CHECK_EQ(out[1].iotval, 0x1000);
    CHECK_EQ(m->fqh, 2);
    CHECK_EQ(m->fqcsr & (IOMMU_FQCSR_FQOF_MASK | IOMMU_FQCSR_FQMF_MASK), 0);
    CHECK_EQ(m->fqcsr & 3, 3); /* fqen and fie kept */
    CHECK_EQ(m->ipsr & IOMMU_IPSR_FIP_MASK, 0);
    /* the guideline's order: fqcsr read, errors cleared, fip cleared, fqt read, fqh written */
    const t_acc_t e[] = {
        {'R', 4, IOMMU_REG_FQCSR, 0, 0}, {'W', 4, IOMMU_REG_FQCSR, 1, 0x203},
        {'W', 4, IOMMU_REG_IPSR, 1, 2},  {'R', 4, IOMMU_REG_FQT, 1, 3},
        {'W', 4, IOMMU_REG_FQH, 1, 2},
    };
    t_expect_log(m, l0, e, 5, "drain");
    CHECK_OK(iommu_fq_drain(h, out, 8, &n, &errs));
    CHECK_EQ(n, 1);
    CHECK_EQ(errs, 0);
    CHECK_EQ(out[0].cause, 258);

    /* wrap-around: three more land in slots 3, 0, 1 */
    for (unsigned i = 0; i < 3; i++) {
        rec_make(r, 13, 0, 0, 0, 3, 20 + i, 0, 0);
        CHECK(mock_inject_fault(m, r));
    }
    CHECK_EQ(m->fqt, 2);
    CHECK_OK(iommu_fq_drain(h, out, 8, &n, NULL));
    CHECK_EQ(n, 3);
    for (unsigned i = 0; i < 3 && i < n; i++)
        CHECK_EQ(out[i].did, 20 + i);
    CHECK_EQ(m->fqh, 2);

    /* errors only (max = 0, out = NULL) */
    m->fqcsr |= IOMMU_FQCSR_FQMF_MASK;
    CHECK_OK(iommu_fq_drain(h, NULL, 0, &n, &errs));
    CHECK_EQ(errs, IOMMU_FQ_ERR_MF);
    CHECK_EQ(m->fqcsr & IOMMU_FQCSR_FQMF_MASK, 0);

    /* bad arguments touch nothing */
    l0 = m->nlog;
    CHECK_RC(iommu_fq_drain(h, NULL, 1, &n, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_fq_drain(h, out, 1, NULL, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_fq_drain(NULL, out, 1, &n, NULL), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, l0);
    t_down(h, m);
    mock_free(m);
}

void test_queue(void) {
    RUN(encode_iotinval);
    RUN(encode_iodir_iofence);
    RUN(submit_wraps);
    RUN(sync_and_errors);
    RUN(recover_clears_cip);
    RUN(fault_decode);
    RUN(fault_drain);
}
