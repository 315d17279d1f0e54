/*
 * queue.c - commands, the command queue and the fault queue.
 *
 * Command queue: software owns cqt and keeps a shadow of it (cq_tail); a
 * submission reserves slots (re-reading cqh only when the shadow says the
 * queue is full), writes each 16-byte command with two 64-bit stores, issues
 * wmb, then rings the doorbell once.  A sync is IOFENCE.C with AV=1 writing a
 * fresh sequence number to a completion word, plus a bounded wait for cqh to
 * reach the tail.  Fault queue: records between fqh and fqt are decoded and
 * fqh advanced, following the spec's interrupt-handling guideline.
 */
#include "internal.h"

/* ---- command encoders ------------------------------------------------------ */
static void cmd_clear(iommu_cmd_t *c) { c->dw[0] = c->dw[1] = 0; }

static uint64_t cmd_op(uint32_t opcode, uint32_t func3) {
    return IOMMU_FIELD_PREP(IOMMU_CMD_OPCODE, opcode) | IOMMU_FIELD_PREP(IOMMU_CMD_FUNC3, func3);
}

static int iotinval(iommu_cmd_t *c, uint32_t func3, unsigned flags, uint32_t gscid, uint32_t pscid,
                    uint64_t addr) {
    bool av = flags & IOMMU_INVAL_AV, pscv = flags & IOMMU_INVAL_PSCV, gv = flags & IOMMU_INVAL_GV;
    if (!c || (flags & ~(IOMMU_INVAL_AV | IOMMU_INVAL_PSCV | IOMMU_INVAL_GV))) return IOMMU_EINVAL;
    if (gscid > 0xffffu || (!gv && gscid)) return IOMMU_EINVAL;
    if (pscid > 0xfffffu || (!pscv && pscid)) return IOMMU_EINVAL;
    if ((av && !IS_ALIGNED(addr, IOMMU_PAGE_SIZE)) || (!av && addr)) return IOMMU_EINVAL;
    cmd_clear(c);
    c->dw[0] = cmd_op(IOMMU_CMD_OP_IOTINVAL, func3) | IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_AV, av) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_PSCID, pscid) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_PSCV, pscv) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_GV, gv) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_GSCID, gscid);
    c->dw[1] = IOMMU_FIELD_PREP(IOMMU_CMD_IOTINVAL_ADDR, addr >> IOMMU_PAGE_SHIFT);
    return IOMMU_OK;
}

int iommu_cmd_iotinval_vma(iommu_cmd_t *c, unsigned flags, uint32_t gscid, uint32_t pscid,
                           uint64_t addr) {
    return iotinval(c, IOMMU_CMD_F3_IOTINVAL_VMA, flags, gscid, pscid, addr);
}

int iommu_cmd_iotinval_gvma(iommu_cmd_t *c, unsigned flags, uint32_t gscid, uint64_t addr) {
    if (flags & IOMMU_INVAL_PSCV) return IOMMU_EINVAL; /* illegal for GVMA */
    return iotinval(c, IOMMU_CMD_F3_IOTINVAL_GVMA, flags, gscid, 0, addr);
}

int iommu_cmd_iodir_inval_ddt(iommu_cmd_t *c, bool dv, uint32_t did) {
    if (!c || did > 0xffffffu || (!dv && did)) return IOMMU_EINVAL;
    cmd_clear(c);
    c->dw[0] = cmd_op(IOMMU_CMD_OP_IODIR, IOMMU_CMD_F3_IODIR_DDT) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IODIR_DV, dv) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IODIR_DID, did);
    return IOMMU_OK;
}

int iommu_cmd_iodir_inval_pdt(iommu_cmd_t *c, uint32_t did, uint32_t pid) {
    if (!c || did > 0xffffffu || pid > 0xfffffu) return IOMMU_EINVAL;
    cmd_clear(c);
    c->dw[0] = cmd_op(IOMMU_CMD_OP_IODIR, IOMMU_CMD_F3_IODIR_PDT) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IODIR_PID, pid) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IODIR_DV, 1) | IOMMU_FIELD_PREP(IOMMU_CMD_IODIR_DID, did);
    return IOMMU_OK;
}

int iommu_cmd_iofence_c(iommu_cmd_t *c, unsigned flags, uint64_t addr, uint32_t data) {
    const unsigned all = IOMMU_FENCE_AV | IOMMU_FENCE_WSI | IOMMU_FENCE_PR | IOMMU_FENCE_PW;
    bool av = flags & IOMMU_FENCE_AV;
    if (!c || (flags & ~all)) return IOMMU_EINVAL;
    if ((av && (addr & 3u)) || (!av && (addr || data))) return IOMMU_EINVAL;
    cmd_clear(c);
    c->dw[0] = cmd_op(IOMMU_CMD_OP_IOFENCE, IOMMU_CMD_F3_IOFENCE_C) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_AV, av) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_WSI, (flags & IOMMU_FENCE_WSI) != 0) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_PR, (flags & IOMMU_FENCE_PR) != 0) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_PW, (flags & IOMMU_FENCE_PW) != 0) |
               IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_DATA, data);
    c->dw[1] = IOMMU_FIELD_PREP(IOMMU_CMD_IOFENCE_ADDR, addr >> 2);
    return IOMMU_OK;
}

/* ---- command queue ----------------------------------------------------------- */
void iommu_i_cq_reset_shadow(iommu_t *h) {
    h->cq_mask = (1u << h->info.cq_log2_entries) - 1u;
    h->cq_tail = 0;
    h->cq_head = 0;
}

static bool cq_usable(const iommu_t *h) { return h->cq_on && !h->cfg.no_cq; }

/* cqcsr error bits as a status (IOMMU_OK when none). */
static int cq_error(uint32_t csr) {
    if (csr & IOMMU_CQCSR_CMD_ILL_MASK) return IOMMU_ECMDILL;
    if (csr & IOMMU_CQCSR_CQMF_MASK) return IOMMU_ECQMF;
    if (csr & IOMMU_CQCSR_CMD_TO_MASK) return IOMMU_ECMDTO;
    return IOMMU_OK;
}

static int cq_check(iommu_t *h) {
    uint32_t csr;
    int rc = iommu_i_rd32(h, IOMMU_REG_CQCSR, &csr);
    return rc ? rc : cq_error(csr);
}

/* Wait until the slot `next` would leave the queue not full (next != cqh). */
static int cq_wait_room(iommu_t *h, uint32_t next) {
    for (uint32_t t = 0;; t++) {
        uint32_t head;
        int rc = iommu_i_rd32(h, IOMMU_REG_CQH, &head);
        if (rc) return rc;
        h->cq_head = head & h->cq_mask;
        if (h->cq_head != next) return IOMMU_OK;
        if ((rc = cq_check(h))) return rc;
        if (t >= h->cfg.timeout_us) return IOMMU_ETIMEDOUT;
        plat_delay(h, 1);
    }
}

static int cq_doorbell(iommu_t *h) {
    plat_wmb(h); /* the commands before the tail that publishes them */
    return iommu_i_wr32(h, IOMMU_REG_CQT, h->cq_tail);
}

int iommu_cq_submit(iommu_t *h, const iommu_cmd_t *cmds, size_t n) {
    size_t pending = 0;
    if (!h || (!cmds && n)) return IOMMU_EINVAL;
    if (!cq_usable(h)) return IOMMU_ENODEV;
    for (size_t i = 0; i < n; i++) {
        uint32_t next = (h->cq_tail + 1u) & h->cq_mask;
        if (next == h->cq_head) { /* full as far as we know: publish, then wait */
            int rc;
            if (pending && (rc = cq_doorbell(h))) return rc;
            pending = 0;
            if ((rc = cq_wait_room(h, next))) return rc;
        }
        uint64_t slot = h->cq_phys + (uint64_t)h->cq_tail * 16u;
        mem_wr(h, slot, cmds[i].dw[0]);
        mem_wr(h, slot + 8u, cmds[i].dw[1]);
        h->cq_tail = next;
        pending++;
    }
    return pending ? cq_doorbell(h) : IOMMU_OK;
}

int iommu_cq_sync(iommu_t *h) {
    iommu_cmd_t fence;
    uint32_t seq;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if (!cq_usable(h)) return IOMMU_ENODEV;
    seq = ++h->sync_seq;
    if (!seq) seq = ++h->sync_seq;
    rc = iommu_cmd_iofence_c(&fence, IOMMU_FENCE_AV | IOMMU_FENCE_PR | IOMMU_FENCE_PW, h->sync_phys,
                             seq);
    if (!rc) rc = iommu_cq_submit(h, &fence, 1);
    if (rc) return rc;
    for (uint32_t t = 0;; t++) {
        uint32_t head;
        if ((rc = iommu_i_rd32(h, IOMMU_REG_CQH, &head))) return rc;
        h->cq_head = head & h->cq_mask;
        if (h->cq_head == h->cq_tail) {
            plat_mb(h); /* cqh observed before the completion word is read */
            if ((uint32_t)mem_rd(h, h->sync_phys) == seq) return IOMMU_OK;
        } else if ((rc = cq_check(h))) {
            return rc;
        }
        if (t >= h->cfg.timeout_us) return IOMMU_ETIMEDOUT;
        plat_delay(h, 1);
    }
}

int iommu_cq_recover(iommu_t *h, uint32_t *errs) {
    const uint32_t w1c = (uint32_t)(IOMMU_CQCSR_CQMF_MASK | IOMMU_CQCSR_CMD_TO_MASK |
                                    IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_FENCE_W_IP_MASK);
    uint32_t csr, head;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if (errs) *errs = 0;
    if (!cq_usable(h)) return IOMMU_ENODEV;
    if ((rc = iommu_i_rd32(h, IOMMU_REG_CQCSR, &csr))) return rc;
    if (errs) *errs = csr & w1c;
    if (csr & (IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_CQMF_MASK)) {
        iommu_cmd_t nop;
        if ((rc = iommu_i_rd32(h, IOMMU_REG_CQH, &head))) return rc;
        if ((rc = iommu_cmd_iofence_c(&nop, 0, 0, 0))) return rc;
        uint64_t slot = h->cq_phys + (uint64_t)(head & h->cq_mask) * 16u;
        mem_wr(h, slot, nop.dw[0]);
        mem_wr(h, slot + 8u, nop.dw[1]);
        plat_wmb(h);
    }
    if (csr & w1c) {
        uint32_t keep = (uint32_t)IOMMU_CQCSR_CQEN_MASK;
        if (h->cfg.irq_enable) keep |= (uint32_t)IOMMU_CQCSR_CIE_MASK;
        if ((rc = iommu_i_wr32(h, IOMMU_REG_CQCSR, keep | (csr & w1c)))) return rc;
    }
    /* ipsr.cip stays set (and the wired interrupt asserted) until written 1;
     * clear it after its causes, since it is set again while one remains. */
    if (h->cfg.irq_enable) return iommu_i_wr32(h, IOMMU_REG_IPSR, (uint32_t)IOMMU_IPSR_CIP_MASK);
    return IOMMU_OK;
}

/* ---- invalidation helpers ------------------------------------------------------- */
int iommu_inval_ddt(iommu_t *h, uint32_t did) {
    iommu_cmd_t c;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = iommu_cmd_iodir_inval_ddt(&c, true, did))) return rc;
    return iommu_cq_submit(h, &c, 1);
}

int iommu_inval_ddt_all(iommu_t *h) {
    iommu_cmd_t c;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = iommu_cmd_iodir_inval_ddt(&c, false, 0))) return rc;
    return iommu_cq_submit(h, &c, 1);
}

int iommu_inval_vma_pscid(iommu_t *h, uint32_t pscid) {
    iommu_cmd_t c;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_PSCV, 0, pscid, 0))) return rc;
    return iommu_cq_submit(h, &c, 1);
}

int iommu_inval_vma_page(iommu_t *h, uint32_t pscid, uint64_t iova) {
    iommu_cmd_t c;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = iommu_cmd_iotinval_vma(&c, IOMMU_INVAL_AV | IOMMU_INVAL_PSCV, 0, pscid, iova)))
        return rc;
    return iommu_cq_submit(h, &c, 1);
}

int iommu_inval_vma_all(iommu_t *h) {
    iommu_cmd_t c;
    int rc;
    if (!h) return IOMMU_EINVAL;
    if ((rc = iommu_cmd_iotinval_vma(&c, 0, 0, 0, 0))) return rc;
    return iommu_cq_submit(h, &c, 1);
}

/* ---- fault records ---------------------------------------------------------------- */
const char *iommu_fault_cause_name(uint32_t cause) {
    switch (cause) {
    case 1: return "instruction access fault";
    case 4: return "read address misaligned";
    case 5: return "read access fault";
    case 6: return "write/AMO address misaligned";
    case 7: return "write/AMO access fault";
    case 12: return "instruction page fault";
    case 13: return "read page fault";
    case 15: return "write/AMO page fault";
    case 20: return "instruction guest-page fault";
    case 21: return "read guest-page fault";
    case 23: return "write/AMO guest-page fault";
    case 256: return "all inbound transactions disallowed";
    case 257: return "DDT entry load access fault";
    case 258: return "DDT entry not valid";
    case 259: return "DDT entry misconfigured";
    case 260: return "transaction type disallowed";
    case 261: return "MSI PTE load access fault";
    case 262: return "MSI PTE not valid";
    case 263: return "MSI PTE misconfigured";
    case 264: return "MRIF access fault";
    case 265: return "PDT entry load access fault";
    case 266: return "PDT entry not valid";
    case 267: return "PDT entry misconfigured";
    case 268: return "DDT data corruption";
    case 269: return "PDT data corruption";
    case 270: return "MSI PT data corruption";
    case 271: return "MSI MRIF data corruption";
    case 272: return "internal data path error";
    case 273: return "IOMMU MSI write access fault";
    case 274: return "first/second-stage PT data corruption";
    default: return cause >= 2048 && cause <= 4095 ? "custom cause" : "reserved cause";
    }
}

const char *iommu_fault_ttyp_name(uint32_t ttyp) {
    switch (ttyp) {
    case 0: return "none";
    case 1: return "untranslated read for execute";
    case 2: return "untranslated read";
    case 3: return "untranslated write/AMO";
    case 5: return "translated read for execute";
    case 6: return "translated read";
    case 7: return "translated write/AMO";
    case 8: return "PCIe ATS translation request";
    case 9: return "PCIe message request";
    default:
        return ttyp >= 32 && ttyp <= 63 ? "custom transaction type" : "reserved transaction type";
    }
}

int iommu_fault_decode(const uint64_t rec[4], iommu_fault_t *f) {
    if (!rec || !f) return IOMMU_EINVAL;
    f->cause = (uint32_t)IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_CAUSE);
    f->pid = (uint32_t)IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_PID);
    f->pv = IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_PV) != 0;
    f->priv = IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_PRIV) != 0;
    f->ttyp = (uint32_t)IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_TTYP);
    f->did = (uint32_t)IOMMU_FIELD_GET(rec[0], IOMMU_FAULT_DID);
    f->custom = (uint32_t)IOMMU_FIELD_GET(rec[1], IOMMU_FAULT_CUSTOM);
    f->iotval = rec[2];
    f->iotval2 = rec[3];
    f->cause_name = iommu_fault_cause_name(f->cause);
    f->ttyp_name = iommu_fault_ttyp_name(f->ttyp);
    return IOMMU_OK;
}

int iommu_fq_drain(iommu_t *h, iommu_fault_t *out, size_t max, size_t *n, uint32_t *errs) {
    uint32_t csr, tail, e = 0;
    size_t count = 0;
    int rc;
    if (!h || !n || (max && !out)) return IOMMU_EINVAL;
    *n = 0;
    if (errs) *errs = 0;
    if (!h->fq_on) return IOMMU_ENODEV;

    /* 1. errors: report and clear (W1C), keeping fqen/fie as configured */
    if ((rc = iommu_i_rd32(h, IOMMU_REG_FQCSR, &csr))) return rc;
    if (csr & IOMMU_FQCSR_FQMF_MASK) e |= IOMMU_FQ_ERR_MF;
    if (csr & IOMMU_FQCSR_FQOF_MASK) e |= IOMMU_FQ_ERR_OF;
    if (e) {
        uint32_t v = (uint32_t)IOMMU_FQCSR_FQEN_MASK |
                     (csr & (uint32_t)(IOMMU_FQCSR_FQMF_MASK | IOMMU_FQCSR_FQOF_MASK));
        if (h->cfg.irq_enable) v |= (uint32_t)IOMMU_FQCSR_FIE_MASK;
        if ((rc = iommu_i_wr32(h, IOMMU_REG_FQCSR, v))) return rc;
    }
    if (errs) *errs = e;
    /* 2. clear the pending interrupt before looking at the queue */
    if ((rc = iommu_i_wr32(h, IOMMU_REG_IPSR, (uint32_t)IOMMU_IPSR_FIP_MASK))) return rc;
    /* 3. records between fqh and fqt */
    if ((rc = iommu_i_rd32(h, IOMMU_REG_FQT, &tail))) return rc;
    tail &= h->fq_mask;
    plat_mb(h); /* fqt observed before the records it covers are read */
    uint32_t head = h->fq_head;
    while (head != tail && count < max) {
        uint64_t rec[4], pa = h->fq_phys + (uint64_t)head * IOMMU_FAULT_REC_SIZE;
        for (unsigned i = 0; i < 4; i++)
            rec[i] = mem_rd(h, pa + 8u * i);
        IGNORE_STATUS(iommu_fault_decode(rec, &out[count]));
        count++;
        head = (head + 1u) & h->fq_mask;
    }
    *n = count;
    if (!count) return IOMMU_OK;
    plat_mb(h); /* records read before the slots are handed back */
    if ((rc = iommu_i_wr32(h, IOMMU_REG_FQH, head))) return rc; /* shadow unchanged */
    h->fq_head = head;
    return IOMMU_OK;
}
