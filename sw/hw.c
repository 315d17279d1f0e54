/*
 * hw.c - the handle: register access, probe, bring-up and teardown.
 *
 * Probe follows the spec's "Guidelines for initialization" and Linux's
 * write-and-read-back discovery of WARL fields; bring-up enables the command
 * queue, the fault queue, the interrupt vectors and then ddtp, in that order.
 */
#include "internal.h"

/* ---- status strings ------------------------------------------------------ */
const char *iommu_strerror(int status) {
    switch (status) {
    case IOMMU_OK: return "success";
    case IOMMU_ENOENT: return "no such mapping, device or allocation";
    case IOMMU_EIO: return "register access failed";
    case IOMMU_ENOMEM: return "out of memory";
    case IOMMU_EBUSY: return "still in use";
    case IOMMU_EEXIST: return "already mapped";
    case IOMMU_ENODEV: return "unit not enabled";
    case IOMMU_EINVAL: return "invalid argument";
    case IOMMU_ENOSPC: return "no space left";
    case IOMMU_ERANGE: return "address or ID out of range";
    case IOMMU_ENOTSUP: return "not supported by the hardware";
    case IOMMU_ETIMEDOUT: return "timed out";
    case IOMMU_ECMDILL: return "illegal command (cqcsr.cmd_ill)";
    case IOMMU_ECQMF: return "command queue memory fault (cqcsr.cqmf)";
    case IOMMU_ECMDTO: return "command timeout (cqcsr.cmd_to)";
    default: return "unknown status";
    }
}

bool iommu_platform_valid(const iommu_platform_t *p) {
    const iommu_platform_ops_t *o;
    if (!p || !(o = p->ops)) return false;
    return o->read32 && o->read64 && o->write32 && o->write64 && o->dma_alloc && o->dma_free &&
           o->mem_read64 && o->mem_write64 && o->host_alloc && o->host_free && o->wmb && o->mb &&
           o->delay_us;
}

void iommu_config_default(iommu_config_t *cfg) {
    if (cfg) iommu_zero(cfg, sizeof *cfg);
}

/* ---- register access ----------------------------------------------------- */
int iommu_i_rd32(iommu_t *h, uint32_t off, uint32_t *v) {
    *v = 0;
    return h->plat.ops->read32(h->plat.ctx, off, v) ? IOMMU_EIO : IOMMU_OK;
}
int iommu_i_rd64(iommu_t *h, uint32_t off, uint64_t *v) {
    *v = 0;
    return h->plat.ops->read64(h->plat.ctx, off, v) ? IOMMU_EIO : IOMMU_OK;
}
int iommu_i_wr32(iommu_t *h, uint32_t off, uint32_t v) {
    return h->plat.ops->write32(h->plat.ctx, off, v) ? IOMMU_EIO : IOMMU_OK;
}
int iommu_i_wr64(iommu_t *h, uint32_t off, uint64_t v) {
    return h->plat.ops->write64(h->plat.ctx, off, v) ? IOMMU_EIO : IOMMU_OK;
}

int iommu_i_poll32(iommu_t *h, uint32_t off, uint32_t mask, uint32_t want, uint32_t *last) {
    uint32_t v = 0;
    for (uint32_t t = 0;; t++) {
        int rc = iommu_i_rd32(h, off, &v);
        if (last) *last = v;
        if (rc) return rc;
        if ((v & mask) == want) return IOMMU_OK;
        if (t >= h->cfg.timeout_us) return IOMMU_ETIMEDOUT;
        plat_delay(h, 1);
    }
}

int iommu_i_poll64(iommu_t *h, uint32_t off, uint64_t mask, uint64_t want, uint64_t *last) {
    uint64_t v = 0;
    for (uint32_t t = 0;; t++) {
        int rc = iommu_i_rd64(h, off, &v);
        if (last) *last = v;
        if (rc) return rc;
        if ((v & mask) == want) return IOMMU_OK;
        if (t >= h->cfg.timeout_us) return IOMMU_ETIMEDOUT;
        plat_delay(h, 1);
    }
}

static bool reg_off_ok(const iommu_t *h, uint32_t off, uint32_t size) {
    return h && off < 4096u && off % size == 0;
}
int iommu_reg_read32(iommu_t *h, uint32_t off, uint32_t *val) {
    if (!reg_off_ok(h, off, 4) || !val) return IOMMU_EINVAL;
    return iommu_i_rd32(h, off, val);
}
int iommu_reg_read64(iommu_t *h, uint32_t off, uint64_t *val) {
    if (!reg_off_ok(h, off, 8) || !val) return IOMMU_EINVAL;
    return iommu_i_rd64(h, off, val);
}
int iommu_reg_write32(iommu_t *h, uint32_t off, uint32_t val) {
    if (!reg_off_ok(h, off, 4)) return IOMMU_EINVAL;
    return iommu_i_wr32(h, off, val);
}
int iommu_reg_write64(iommu_t *h, uint32_t off, uint64_t val) {
    if (!reg_off_ok(h, off, 8)) return IOMMU_EINVAL;
    return iommu_i_wr64(h, off, val);
}

/* ---- memory -------------------------------------------------------------- */
int iommu_i_dma_page_alloc(const iommu_t *h, size_t size, size_t align, uint64_t *phys) {
    void *virt = 0;
    *phys = 0;
    if (h->plat.ops->dma_alloc(h->plat.ctx, size, align, &virt, phys) != IOMMU_OK)
        return IOMMU_ENOMEM;
    /* Keep the physical address only; remember nothing about virt: every
     * backend accepts virt = NULL in dma_free for memory it handed out. */
    return IOMMU_OK;
}

void iommu_i_dma_page_free(const iommu_t *h, uint64_t phys, size_t size) {
    if (phys) h->plat.ops->dma_free(h->plat.ctx, 0, phys, size);
}

/* ---- PSCIDs --------------------------------------------------------------- */
int iommu_i_pscid_alloc(iommu_t *h, uint32_t *pscid) {
    for (uint32_t id = 1; id <= h->cfg.max_pscid; id++) {
        uint64_t bit = 1ULL << (id % 64);
        if (!(h->pscid_map[id / 64] & bit)) {
            h->pscid_map[id / 64] |= bit;
            *pscid = id;
            return IOMMU_OK;
        }
    }
    return IOMMU_ENOSPC;
}

void iommu_i_pscid_free(iommu_t *h, uint32_t pscid) {
    if (pscid && pscid <= h->cfg.max_pscid) h->pscid_map[pscid / 64] &= ~(1ULL << (pscid % 64));
}

/* ---- probe ------------------------------------------------------------------ */
static uint32_t low_ones(uint64_t v) {
    uint32_t n = 0;
    while (v & 1u) {
        n++;
        v >>= 1;
    }
    return n;
}

/* Write ddtp (after waiting for busy = 0) and wait for busy = 0 again;
 * *now gets the value read back. */
static int ddtp_write(iommu_t *h, uint64_t val, uint64_t *now) {
    uint64_t v;
    int rc = iommu_i_poll64(h, IOMMU_REG_DDTP, IOMMU_DDTP_BUSY_MASK, 0, &v);
    if (rc) return rc;
    rc = iommu_i_wr64(h, IOMMU_REG_DDTP, val);
    if (rc) return rc;
    return iommu_i_poll64(h, IOMMU_REG_DDTP, IOMMU_DDTP_BUSY_MASK, 0, now ? now : &v);
}

static uint64_t ddtp_value(const iommu_t *h, uint32_t mode) {
    return IOMMU_FIELD_PREP(IOMMU_DDTP_IOMMU_MODE, mode) |
           IOMMU_FIELD_PREP(IOMMU_DDTP_PPN, h->ddt_root >> IOMMU_PAGE_SHIFT);
}

/* Disable a queue: write its csr 0, wait until on = busy = 0. */
static int queue_off(iommu_t *h, uint32_t csr, uint32_t on_mask, uint32_t busy_mask) {
    int rc = iommu_i_wr32(h, csr, 0);
    if (rc) return rc;
    return iommu_i_poll32(h, csr, on_mask | busy_mask, 0, 0);
}

/* Take the IOMMU over: ddtp to Off (keeping its PPN, as the spec requires),
 * both queues disabled. */
static int take_over(iommu_t *h) {
    uint64_t ddtp;
    uint32_t csr;
    int rc = iommu_i_poll64(h, IOMMU_REG_DDTP, IOMMU_DDTP_BUSY_MASK, 0, &ddtp);
    if (rc) return rc;
    if (IOMMU_FIELD_GET(ddtp, IOMMU_DDTP_IOMMU_MODE) != IOMMU_DDTP_MODE_OFF) {
        rc = ddtp_write(h, ddtp & IOMMU_DDTP_PPN_MASK, &ddtp);
        if (rc) return rc;
        if (IOMMU_FIELD_GET(ddtp, IOMMU_DDTP_IOMMU_MODE) != IOMMU_DDTP_MODE_OFF) return IOMMU_EIO;
    }
    rc = iommu_i_rd32(h, IOMMU_REG_CQCSR, &csr);
    if (rc) return rc;
    if (csr & (IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK)) {
        rc = queue_off(h, IOMMU_REG_CQCSR, IOMMU_CQCSR_CQON_MASK, IOMMU_CQCSR_BUSY_MASK);
        if (rc) return rc;
    }
    rc = iommu_i_rd32(h, IOMMU_REG_FQCSR, &csr);
    if (rc) return rc;
    if (csr & (IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FQON_MASK | IOMMU_FQCSR_BUSY_MASK)) {
        rc = queue_off(h, IOMMU_REG_FQCSR, IOMMU_FQCSR_FQON_MASK, IOMMU_FQCSR_BUSY_MASK);
        if (rc) return rc;
    }
    return IOMMU_OK;
}

/* fctl: little-endian structures; WSI when interrupts are wanted. */
static int setup_fctl(iommu_t *h) {
    uint32_t fctl, want;
    uint64_t caps = h->info.caps;
    uint32_t igs = (uint32_t)IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_IGS);
    int rc = iommu_i_rd32(h, IOMMU_REG_FCTL, &fctl);
    if (rc) return rc;
    want = fctl & ~(uint32_t)IOMMU_FCTL_BE_MASK;
    if ((fctl & IOMMU_FCTL_BE_MASK) && !IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_END))
        return IOMMU_ENOTSUP; /* big-endian only */
    if (h->cfg.irq_enable) {
        if (igs == 0) return IOMMU_ENOTSUP; /* MSI only: this driver uses wired interrupts */
        want |= (uint32_t)IOMMU_FCTL_WSI_MASK;
    }
    if (want != fctl) {
        rc = iommu_i_wr32(h, IOMMU_REG_FCTL, want);
        if (rc) return rc;
        rc = iommu_i_rd32(h, IOMMU_REG_FCTL, &fctl);
        if (rc) return rc;
        if ((fctl & (IOMMU_FCTL_BE_MASK | IOMMU_FCTL_WSI_MASK)) !=
            (want & (IOMMU_FCTL_BE_MASK | IOMMU_FCTL_WSI_MASK)))
            return IOMMU_ENOTSUP;
    }
    h->info.fctl = fctl;
    return IOMMU_OK;
}

/* Write a queue base with the wanted LOG2SZ-1 and read back what the WARL
 * field kept.  *log2 gets log2(entries). */
static int probe_queue_size(iommu_t *h, uint32_t reg, uint32_t want_log2, uint32_t *log2) {
    uint64_t v;
    int rc = iommu_i_wr64(h, reg, IOMMU_FIELD_PREP(IOMMU_CQB_LOG2SZM1, want_log2 - 1u));
    if (rc) return rc;
    rc = iommu_i_rd64(h, reg, &v);
    if (rc) return rc;
    *log2 = (uint32_t)IOMMU_FIELD_GET(v, IOMMU_CQB_LOG2SZM1) + 1u;
    return IOMMU_OK;
}

/* Number of interrupt vectors: write 0xF to each icvec field and count the
 * writable low bits (spec guideline); the CQ and FQ fields decide. */
static int probe_icvec(iommu_t *h) {
    uint64_t v;
    int rc = iommu_i_wr64(h, IOMMU_REG_ICVEC,
                          IOMMU_ICVEC_CIV_MASK | IOMMU_ICVEC_FIV_MASK | IOMMU_ICVEC_PMIV_MASK |
                              IOMMU_ICVEC_PIV_MASK);
    if (rc) return rc;
    rc = iommu_i_rd64(h, IOMMU_REG_ICVEC, &v);
    if (rc) return rc;
    uint32_t bc = low_ones(IOMMU_FIELD_GET(v, IOMMU_ICVEC_CIV));
    uint32_t bf = low_ones(IOMMU_FIELD_GET(v, IOMMU_ICVEC_FIV));
    h->info.nvec = 1u << (bc < bf ? bc : bf);
    return iommu_i_wr64(h, IOMMU_REG_ICVEC, 0);
}

static uint32_t did_width_of(uint32_t mode, uint32_t dc_size) {
    bool ext = dc_size == IOMMU_DC_EXT_SIZE;
    switch (mode) {
    case IOMMU_DDTP_MODE_1LVL: return ext ? 6u : 7u;
    case IOMMU_DDTP_MODE_2LVL: return ext ? 15u : 16u;
    case IOMMU_DDTP_MODE_3LVL: return 24u;
    default: return 0;
    }
}

/* Directory mode: write the wanted mode, read back, fall back one level at a
 * time; return to Off (same PPN) after every try that stuck. */
static int probe_ddt_mode(iommu_t *h, uint32_t *mode) {
    uint32_t top;
    *mode = IOMMU_DDTP_MODE_OFF;
    h->info.ddt_modes = (1u << IOMMU_DDTP_MODE_OFF) | (1u << IOMMU_DDTP_MODE_BARE);
    switch (h->cfg.ddt_mode) {
    case IOMMU_DDT_CFG_OFF: return IOMMU_OK;
    case IOMMU_DDT_CFG_BARE: *mode = IOMMU_DDTP_MODE_BARE; return IOMMU_OK;
    case IOMMU_DDT_CFG_MAX_1LVL: top = IOMMU_DDTP_MODE_1LVL; break;
    case IOMMU_DDT_CFG_MAX_2LVL: top = IOMMU_DDTP_MODE_2LVL; break;
    default: top = IOMMU_DDTP_MODE_3LVL; break;
    }
    for (uint32_t m = top; m >= IOMMU_DDTP_MODE_1LVL; m--) {
        uint64_t v;
        int rc = ddtp_write(h, ddtp_value(h, m), &v);
        if (rc) return rc;
        uint32_t got = (uint32_t)IOMMU_FIELD_GET(v, IOMMU_DDTP_IOMMU_MODE);
        if (got != IOMMU_DDTP_MODE_OFF) {
            rc = ddtp_write(h, ddtp_value(h, IOMMU_DDTP_MODE_OFF), &v);
            if (rc) return rc;
            if (IOMMU_FIELD_GET(v, IOMMU_DDTP_IOMMU_MODE) != IOMMU_DDTP_MODE_OFF) return IOMMU_EIO;
        }
        if (got == m) {
            h->info.ddt_modes |= 1u << m;
            *mode = m;
            return IOMMU_OK;
        }
    }
    return IOMMU_ENOTSUP;
}

static int check_caps(iommu_t *h) {
    uint64_t caps = h->info.caps;
    h->info.version = (uint32_t)IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_VERSION);
    if ((h->info.version >> 4) != 1u) return IOMMU_ENOTSUP;
    h->info.pas = (uint32_t)IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_PAS);
    if (h->info.pas < 32u || h->info.pas > 56u) return IOMMU_ENOTSUP;
    h->info.dc_size =
        IOMMU_FIELD_GET(caps, IOMMU_CAPABILITIES_MSI_FLAT) ? IOMMU_DC_EXT_SIZE : IOMMU_DC_BASE_SIZE;
    h->info.atp_modes = 0;
    if (caps & IOMMU_CAPABILITIES_SV39_MASK) h->info.atp_modes |= 1u << IOMMU_ATP_MODE_SV39;
    if (caps & IOMMU_CAPABILITIES_SV48_MASK) h->info.atp_modes |= 1u << IOMMU_ATP_MODE_SV48;
    if (caps & IOMMU_CAPABILITIES_SV57_MASK) h->info.atp_modes |= 1u << IOMMU_ATP_MODE_SV57;
    return IOMMU_OK;
}

static int config_resolve(iommu_config_t *c) {
    if (!c->cq_log2_entries) c->cq_log2_entries = 8;
    if (!c->fq_log2_entries) c->fq_log2_entries = 7;
    if (!c->timeout_us) c->timeout_us = 100000;
    if (!c->max_pscid) c->max_pscid = 1023;
    if (!c->inval_threshold) c->inval_threshold = 32;
    if (c->cq_log2_entries > 32 || c->fq_log2_entries > 32) return IOMMU_EINVAL;
    if (c->max_pscid > 0xfffffu) return IOMMU_EINVAL;
    if ((unsigned)c->ddt_mode > IOMMU_DDT_CFG_MAX_3LVL) return IOMMU_EINVAL;
    if (c->civ > 15 || c->fiv > 15) return IOMMU_EINVAL;
    return IOMMU_OK;
}

/* ---- bring-up ------------------------------------------------------------- */
static int cq_enable(iommu_t *h) {
    uint64_t cqb = IOMMU_FIELD_PREP(IOMMU_CQB_PPN, h->cq_phys >> IOMMU_PAGE_SHIFT) |
                   IOMMU_FIELD_PREP(IOMMU_CQB_LOG2SZM1, h->info.cq_log2_entries - 1u);
    uint32_t csr = (uint32_t)IOMMU_CQCSR_CQEN_MASK;
    int rc;
    if (h->cfg.irq_enable) csr |= (uint32_t)IOMMU_CQCSR_CIE_MASK;
    if ((rc = iommu_i_wr64(h, IOMMU_REG_CQB, cqb))) return rc;
    if ((rc = iommu_i_wr32(h, IOMMU_REG_CQT, 0))) return rc;
    if ((rc = iommu_i_wr32(h, IOMMU_REG_CQCSR, csr))) return rc;
    h->cq_on = true; /* from here on, teardown must disable it */
    iommu_i_cq_reset_shadow(h);
    return iommu_i_poll32(h, IOMMU_REG_CQCSR, IOMMU_CQCSR_CQON_MASK | IOMMU_CQCSR_BUSY_MASK,
                          IOMMU_CQCSR_CQON_MASK, 0);
}

static int fq_enable(iommu_t *h) {
    uint64_t fqb = IOMMU_FIELD_PREP(IOMMU_FQB_PPN, h->fq_phys >> IOMMU_PAGE_SHIFT) |
                   IOMMU_FIELD_PREP(IOMMU_FQB_LOG2SZM1, h->info.fq_log2_entries - 1u);
    uint32_t csr = (uint32_t)IOMMU_FQCSR_FQEN_MASK;
    int rc;
    if (h->cfg.irq_enable) csr |= (uint32_t)IOMMU_FQCSR_FIE_MASK;
    if ((rc = iommu_i_wr64(h, IOMMU_REG_FQB, fqb))) return rc;
    if ((rc = iommu_i_wr32(h, IOMMU_REG_FQH, 0))) return rc;
    if ((rc = iommu_i_wr32(h, IOMMU_REG_FQCSR, csr))) return rc;
    h->fq_on = true;
    h->fq_mask = (1u << h->info.fq_log2_entries) - 1u;
    h->fq_head = 0;
    return iommu_i_poll32(h, IOMMU_REG_FQCSR, IOMMU_FQCSR_FQON_MASK | IOMMU_FQCSR_BUSY_MASK,
                          IOMMU_FQCSR_FQON_MASK, 0);
}

/* Forget everything a previous owner may have left cached. */
static int inval_everything(iommu_t *h) {
    iommu_cmd_t c[3];
    size_t n = 0;
    int rc = iommu_cmd_iodir_inval_ddt(&c[n++], false, 0);
    if (!rc) rc = iommu_cmd_iotinval_vma(&c[n++], 0, 0, 0, 0);
    if (!rc && (h->info.caps & (IOMMU_CAPABILITIES_SV32X4_MASK | IOMMU_CAPABILITIES_SV39X4_MASK |
                                IOMMU_CAPABILITIES_SV48X4_MASK | IOMMU_CAPABILITIES_SV57X4_MASK)))
        rc = iommu_cmd_iotinval_gvma(&c[n++], 0, 0, 0);
    if (!rc) rc = iommu_cq_submit(h, c, n);
    if (!rc) rc = iommu_cq_sync(h);
    return rc;
}

static size_t queue_bytes(uint32_t entry, uint32_t log2) {
    size_t sz = (size_t)entry << log2;
    return sz < IOMMU_PAGE_SIZE ? IOMMU_PAGE_SIZE : sz;
}

/* Undo bring-up: everything off, everything freed.  Returns the first error. */
static int teardown(iommu_t *h) {
    int first = IOMMU_OK, rc;
    uint64_t v;
    if (h->info.ddt_mode != IOMMU_DDTP_MODE_OFF) {
        rc = ddtp_write(h, ddtp_value(h, IOMMU_DDTP_MODE_OFF), &v);
        if (rc && !first) first = rc;
        h->info.ddt_mode = IOMMU_DDTP_MODE_OFF;
    }
    if (h->cq_on && !h->cfg.no_cq) {
        rc = inval_everything(h);
        if (rc && !first) first = rc;
    }
    if (h->fq_on) {
        rc = queue_off(h, IOMMU_REG_FQCSR, IOMMU_FQCSR_FQON_MASK, IOMMU_FQCSR_BUSY_MASK);
        if (rc && !first) first = rc;
        h->fq_on = false;
    }
    if (h->cq_on) {
        rc = queue_off(h, IOMMU_REG_CQCSR, IOMMU_CQCSR_CQON_MASK, IOMMU_CQCSR_BUSY_MASK);
        if (rc && !first) first = rc;
        h->cq_on = false;
    }
    if (h->ddt_root) {
        iommu_i_ddt_free_tree(h);
        iommu_i_dma_page_free(h, h->ddt_root, IOMMU_PAGE_SIZE);
    }
    if (h->cq_phys) iommu_i_dma_page_free(h, h->cq_phys, queue_bytes(16, h->info.cq_log2_entries));
    if (h->fq_phys) iommu_i_dma_page_free(h, h->fq_phys, queue_bytes(32, h->info.fq_log2_entries));
    if (h->sync_phys) iommu_i_dma_page_free(h, h->sync_phys, IOMMU_PAGE_SIZE);
    host_free(h, h->pscid_map, h->pscid_words * sizeof(uint64_t));
    host_free(h, h, sizeof *h);
    return first;
}

static int bring_up(iommu_t *h) {
    uint64_t v;
    uint32_t mode;
    int rc;

    /* ---- probe (the IOMMU stays Off) ---- */
    if ((rc = iommu_i_rd64(h, IOMMU_REG_CAPABILITIES, &h->info.caps))) return rc;
    if ((rc = check_caps(h))) return rc;
    if ((rc = take_over(h))) return rc;
    if ((rc = setup_fctl(h))) return rc;
    if (!h->cfg.no_cq &&
        (rc = probe_queue_size(h, IOMMU_REG_CQB, h->cfg.cq_log2_entries, &h->info.cq_log2_entries)))
        return rc;
    if ((rc = probe_queue_size(h, IOMMU_REG_FQB, h->cfg.fq_log2_entries, &h->info.fq_log2_entries)))
        return rc;
    if ((rc = probe_icvec(h))) return rc;
    if ((rc = iommu_i_dma_page_alloc(h, IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE, &h->ddt_root))) return rc;
    if ((rc = probe_ddt_mode(h, &mode))) return rc;

    /* ---- memory for the queues ---- */
    if (!h->cfg.no_cq) {
        size_t sz = queue_bytes(16, h->info.cq_log2_entries);
        if ((rc = iommu_i_dma_page_alloc(h, sz, sz, &h->cq_phys))) return rc;
        if ((rc = iommu_i_dma_page_alloc(h, IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE, &h->sync_phys)))
            return rc;
    }
    {
        size_t sz = queue_bytes(32, h->info.fq_log2_entries);
        if ((rc = iommu_i_dma_page_alloc(h, sz, sz, &h->fq_phys))) return rc;
    }
    h->info.cq_phys = h->cq_phys;
    h->info.fq_phys = h->fq_phys;
    h->info.ddt_root = h->ddt_root;

    /* ---- bring-up, in the spec's order ---- */
    plat_wmb(h); /* zeroed queue memory before the IOMMU may read it */
    if (!h->cfg.no_cq && (rc = cq_enable(h))) return rc;
    if ((rc = fq_enable(h))) return rc;
    uint32_t civ = h->cfg.civ % h->info.nvec, fiv = h->cfg.fiv % h->info.nvec;
    if ((rc = iommu_i_wr64(h, IOMMU_REG_ICVEC,
                           IOMMU_FIELD_PREP(IOMMU_ICVEC_CIV, civ) |
                               IOMMU_FIELD_PREP(IOMMU_ICVEC_FIV, fiv))))
        return rc;
    if (!h->cfg.no_cq && (rc = inval_everything(h))) return rc;
    h->ddt_levels = mode >= IOMMU_DDTP_MODE_1LVL ? mode - 1u : 0u;
    if (mode != IOMMU_DDTP_MODE_OFF) {
        h->info.ddt_mode = mode; /* teardown turns it back off */
        if ((rc = ddtp_write(h, ddtp_value(h, mode), &v))) return rc;
        if (IOMMU_FIELD_GET(v, IOMMU_DDTP_IOMMU_MODE) != mode) return IOMMU_EIO;
    }
    h->info.did_width = did_width_of(mode, h->info.dc_size);
    return IOMMU_OK;
}

int iommu_init(const iommu_platform_t *plat, const iommu_config_t *cfg, iommu_t **out) {
    iommu_config_t c;
    iommu_t *h;
    int rc;

    if (!out || !iommu_platform_valid(plat)) return IOMMU_EINVAL;
    *out = 0;
    if (cfg)
        c = *cfg;
    else
        iommu_config_default(&c);
    if ((rc = config_resolve(&c))) return rc;

    h = plat->ops->host_alloc(plat->ctx, sizeof *h);
    if (!h) return IOMMU_ENOMEM;
    h->plat = *plat;
    h->cfg = c;
    h->pscid_words = (c.max_pscid + 1u + 63u) / 64u;
    h->pscid_map = host_zalloc(h, h->pscid_words * sizeof(uint64_t));
    if (!h->pscid_map) {
        host_free(h, h, sizeof *h);
        return IOMMU_ENOMEM;
    }
    h->pscid_map[0] = 1; /* PSCID 0 is never handed out */

    rc = bring_up(h);
    if (rc) {
        IGNORE_STATUS(teardown(h));
        return rc;
    }
    *out = h;
    return IOMMU_OK;
}

int iommu_fini(iommu_t *h) {
    if (!h) return IOMMU_EINVAL;
    if (h->ndomains || h->devs) return IOMMU_EBUSY;
    return teardown(h);
}

int iommu_get_info(const iommu_t *h, iommu_info_t *info) {
    if (!h || !info) return IOMMU_EINVAL;
    *info = h->info;
    return IOMMU_OK;
}
