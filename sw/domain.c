/*
 * domain.c - domains, device attachment, map/unmap with exact invalidation.
 *
 * This layer combines the structure writers (ddt.c, pgtable.c) with the
 * invalidation commands (queue.c) in the orders the spec's software
 * guidelines require:
 *   - a DC going invalid -> valid: write it (body, wmb, tc), then
 *     IODIR.INVAL_DDT + IOFENCE.C (not required by the spec, since invalid
 *     entries are never cached, but it keeps emulated IOMMUs informed);
 *   - a valid DC changing: first tc.V = 0, then IODIR.INVAL_DDT(did) plus the
 *     IOTINVAL the OLD DC calls for, IOFENCE.C; then write the new DC as above
 *     (so the IOMMU can never see a half-written valid DC);
 *   - unmap: clear PTEs, IOTINVAL.VMA, IOFENCE.C, and only then free tables.
 * A domain with no device attached needs no invalidation: its PSCID was
 * invalidated when the last device left, and no DC has referred to it since.
 */
#include "internal.h"

/* ---- helpers --------------------------------------------------------------- */
static struct iommu_devnode *dev_find(iommu_t *h, uint32_t did) {
    for (struct iommu_devnode *n = h->devs; n; n = n->next)
        if (n->did == did) return n;
    return 0;
}

static void dev_unlink(iommu_t *h, struct iommu_devnode *node) {
    for (struct iommu_devnode **pp = &h->devs; *pp; pp = &(*pp)->next)
        if (*pp == node) {
            *pp = node->next;
            return;
        }
}

static bool cq_active(const iommu_t *h) { return !h->cfg.no_cq; }

/* Invalidate what the OLD (valid) DC of did may have left cached, and fence
 * (spec: "Changing device directory table entry"). */
static int inval_old_dc(iommu_t *h, uint32_t did, const iommu_dc_t *old) {
    iommu_cmd_t c[3];
    size_t n = 0;
    int rc;
    if (!cq_active(h)) return IOMMU_OK;
    rc = iommu_cmd_iodir_inval_ddt(&c[n++], true, did);
    if (IOMMU_FIELD_GET(old->iohgatp, IOMMU_DC_IOHGATP_MODE) != IOMMU_ATP_MODE_BARE) {
        uint32_t gscid = (uint32_t)IOMMU_FIELD_GET(old->iohgatp, IOMMU_DC_IOHGATP_GSCID);
        if (!rc) rc = iommu_cmd_iotinval_vma(&c[n++], IOMMU_INVAL_GV, gscid, 0, 0);
        if (!rc) rc = iommu_cmd_iotinval_gvma(&c[n++], IOMMU_INVAL_GV, gscid, 0);
    } else if (old->tc & IOMMU_DC_TC_PDTV_MASK) {
        if (!rc) rc = iommu_cmd_iotinval_vma(&c[n++], 0, 0, 0, 0);
    } else if (IOMMU_FIELD_GET(old->fsc, IOMMU_DC_FSC_MODE) != IOMMU_ATP_MODE_BARE) {
        uint32_t pscid = (uint32_t)IOMMU_FIELD_GET(old->ta, IOMMU_DC_TA_PSCID);
        if (!rc) rc = iommu_cmd_iotinval_vma(&c[n++], IOMMU_INVAL_PSCV, 0, pscid, 0);
    }
    if (!rc) rc = iommu_cq_submit(h, c, n);
    if (!rc) rc = iommu_cq_sync(h);
    return rc;
}

/* IODIR.INVAL_DDT for a DC that became valid, and fence. */
static int announce_dc(iommu_t *h, uint32_t did) {
    int rc;
    if (!cq_active(h)) return IOMMU_OK;
    rc = iommu_inval_ddt(h, did);
    if (!rc) rc = iommu_cq_sync(h);
    return rc;
}

static int dc_for(const iommu_domain_t *dom, iommu_dc_t *dc) {
    if (dom->type == IOMMU_DOMAIN_PAGING)
        return iommu_dc_paging(dc, dom->pgt.mode, dom->pgt.root, dom->pscid);
    return iommu_dc_identity(dc);
}

static void gather_reset(iommu_domain_t *dom) {
    dom->ngather = 0;
    dom->gather_all = false;
}

static uint32_t gather_limit(const iommu_domain_t *dom) {
    uint32_t t = dom->h->cfg.inval_threshold;
    return t < IOMMU_GATHER_MAX ? t : IOMMU_GATHER_MAX;
}

/* Record an unmapped leaf: one IOTINVAL per 4-KiB page of a NAPOT leaf, one
 * per other leaf (every cached entry of a superpage comes from its single PTE). */
static void gather_add(iommu_domain_t *dom, uint64_t iova, uint64_t size) {
    uint32_t n = size == IOMMU_PGSIZE_64K ? 16u : 1u;
    for (uint32_t i = 0; i < n; i++) {
        if (dom->ngather < gather_limit(dom))
            dom->gather[dom->ngather++] = iova + (uint64_t)i * IOMMU_PAGE_SIZE;
        else
            dom->gather_all = true;
    }
}

/* Invalidate what was gathered, fence, then free the unlinked tables. */
static int dom_flush(iommu_domain_t *dom) {
    iommu_t *h = dom->h;
    int rc = IOMMU_OK;
    if (!dom->stale && !dom->pending.n && !dom->ngather && !dom->gather_all) return IOMMU_OK;
    if (dom->ndev && cq_active(h)) {
        /* A freed table may sit in a non-leaf cache: only AV=0 reaches it. */
        if (dom->stale || dom->pending.n || dom->gather_all) {
            rc = iommu_inval_vma_pscid(h, dom->pscid);
        } else {
            iommu_cmd_t c[16];
            uint32_t i = 0;
            while (!rc && i < dom->ngather) {
                size_t n = 0;
                for (; n < 16u && i < dom->ngather; n++, i++)
                    rc = rc ? rc
                            : iommu_cmd_iotinval_vma(&c[n], IOMMU_INVAL_AV | IOMMU_INVAL_PSCV, 0,
                                                     dom->pscid, dom->gather[i]);
                if (!rc) rc = iommu_cq_submit(h, c, n);
            }
        }
        if (!rc) rc = iommu_cq_sync(h);
        if (rc) {
            dom->stale = true;
            gather_reset(dom);
            return rc;
        }
    }
    iommu_pgt_release(h, &dom->pending);
    gather_reset(dom);
    dom->stale = false;
    return IOMMU_OK;
}

static uint32_t va_bits(const iommu_domain_t *dom) { return 12u + 9u * dom->pgt.levels; }

/* [iova, iova + size) is non-empty, 4-KiB aligned, inside one canonical half. */
static int range_check(const iommu_domain_t *dom, uint64_t iova, uint64_t size) {
    if (!size || !IS_ALIGNED(iova, IOMMU_PAGE_SIZE) || !IS_ALIGNED(size, IOMMU_PAGE_SIZE))
        return IOMMU_EINVAL;
    uint64_t last = iova + size - 1u;
    if (last < iova) return IOMMU_ERANGE;
    uint32_t vb = va_bits(dom);
    uint64_t top = iova >> (vb - 1u);
    if (top != 0 && top != (~0ULL >> (vb - 1u))) return IOMMU_ERANGE;
    if ((iova >> (vb - 1u)) != (last >> (vb - 1u))) return IOMMU_ERANGE;
    return IOMMU_OK;
}

/* ---- domains ---------------------------------------------------------------- */
int iommu_domain_alloc(iommu_t *h, iommu_domain_type_t type, uint32_t atp_mode,
                       iommu_domain_t **out) {
    iommu_domain_t *dom;
    int rc;
    if (!h || !out) return IOMMU_EINVAL;
    *out = 0;
    if (type != IOMMU_DOMAIN_BLOCKED && type != IOMMU_DOMAIN_IDENTITY &&
        type != IOMMU_DOMAIN_PAGING)
        return IOMMU_EINVAL;
    if (type != IOMMU_DOMAIN_PAGING && atp_mode) return IOMMU_EINVAL;
    if (type == IOMMU_DOMAIN_PAGING) {
        if (!atp_mode) {
            static const uint32_t pref[3] = {IOMMU_ATP_MODE_SV39, IOMMU_ATP_MODE_SV48,
                                             IOMMU_ATP_MODE_SV57};
            for (unsigned i = 0; i < 3 && !atp_mode; i++)
                if (h->info.atp_modes & (1u << pref[i])) atp_mode = pref[i];
            if (!atp_mode) return IOMMU_ENOTSUP;
        } else if (atp_mode != IOMMU_ATP_MODE_SV39 && atp_mode != IOMMU_ATP_MODE_SV48 &&
                   atp_mode != IOMMU_ATP_MODE_SV57) {
            return IOMMU_EINVAL;
        } else if (!(h->info.atp_modes & (1u << atp_mode))) {
            return IOMMU_ENOTSUP;
        }
    }
    dom = host_zalloc(h, sizeof *dom);
    if (!dom) return IOMMU_ENOMEM;
    dom->h = h;
    dom->type = type;
    if (type == IOMMU_DOMAIN_PAGING) {
        if ((rc = iommu_i_pscid_alloc(h, &dom->pscid))) {
            host_free(h, dom, sizeof *dom);
            return rc;
        }
        if ((rc = iommu_pgt_init(h, &dom->pgt, atp_mode))) {
            iommu_i_pscid_free(h, dom->pscid);
            host_free(h, dom, sizeof *dom);
            return rc;
        }
    }
    h->ndomains++;
    *out = dom;
    return IOMMU_OK;
}

int iommu_domain_free(iommu_domain_t *dom) {
    if (!dom) return IOMMU_EINVAL;
    iommu_t *h = dom->h;
    if (dom->ndev || dom->ndma) return IOMMU_EBUSY;
    if (dom->type == IOMMU_DOMAIN_PAGING) {
        /* No device uses the PSCID since the last detach invalidated it. */
        iommu_pgt_release(h, &dom->pending);
        IGNORE_STATUS(iommu_pgt_destroy(&dom->pgt));
        iommu_i_pscid_free(h, dom->pscid);
    }
    h->ndomains--;
    host_free(h, dom, sizeof *dom);
    return IOMMU_OK;
}

int iommu_domain_get_info(const iommu_domain_t *dom, iommu_domain_info_t *info) {
    if (!dom || !info) return IOMMU_EINVAL;
    iommu_zero(info, sizeof *info);
    info->type = dom->type;
    info->ndevices = dom->ndev;
    if (dom->type == IOMMU_DOMAIN_PAGING) {
        info->atp_mode = dom->pgt.mode;
        info->pscid = dom->pscid;
        info->root = dom->pgt.root;
        info->pgsizes = iommu_pgt_pgsizes(dom->pgt.mode);
        info->va_bits = va_bits(dom);
    }
    return IOMMU_OK;
}

/* ---- attach / detach ------------------------------------------------------------ */
static int did_ok(const iommu_t *h, uint32_t did) {
    if (!h->ddt_levels) return IOMMU_ENODEV;
    if (did >> h->info.did_width) return IOMMU_ERANGE;
    return IOMMU_OK;
}

/* The DC did had: from memory; if it is no longer valid there while the
 * device still belongs to a translating domain (an earlier departure whose
 * invalidation failed), the DC that domain wrote, so that the departure
 * invalidates it again. */
static int old_dc(iommu_t *h, const struct iommu_devnode *node, uint32_t did, iommu_dc_t *old) {
    int rc = iommu_ddt_read_dc(h, did, old);
    if (rc || (old->tc & IOMMU_DC_TC_V_MASK) || !node || node->dom->type == IOMMU_DOMAIN_BLOCKED)
        return rc;
    return dc_for(node->dom, old);
}

int iommu_attach_device(iommu_domain_t *dom, uint32_t did) {
    struct iommu_devnode *node, *fresh = 0;
    iommu_dc_t old, nw;
    iommu_t *h;
    int rc;
    if (!dom) return IOMMU_EINVAL;
    h = dom->h;
    if ((rc = did_ok(h, did))) return rc;
    node = dev_find(h, did);
    if (node && node->dom == dom) return IOMMU_OK;
    if ((rc = dc_for(dom, &nw))) return rc;
    if (!node) {
        fresh = host_zalloc(h, sizeof *fresh);
        if (!fresh) return IOMMU_ENOMEM;
        fresh->did = did;
    }
    if ((rc = old_dc(h, node, did, &old))) goto fail;

    /* Leave the old domain: V = 0, invalidate by the old DC, fence. */
    if (old.tc & IOMMU_DC_TC_V_MASK) {
        if ((rc = iommu_ddt_clear_valid(h, did))) goto fail;
        plat_wmb(h);
        if ((rc = inval_old_dc(h, did, &old))) goto fail;
    }
    if (node) { /* the device has left its old domain */
        node->dom->ndev--;
        node->dom = 0;
    }

    /* Enter the new one: body, wmb, tc with V = 1 (blocked: stay invalid). */
    if (dom->type != IOMMU_DOMAIN_BLOCKED) {
        rc = iommu_ddt_write_dc(h, did, &nw);
        if (rc) {
            if (node) {
                dev_unlink(h, node);
                host_free(h, node, sizeof *node);
            }
            goto fail;
        }
        plat_wmb(h);
    }
    if (fresh) {
        fresh->next = h->devs;
        h->devs = fresh;
        node = fresh;
    }
    node->dom = dom;
    dom->ndev++;
    return dom->type != IOMMU_DOMAIN_BLOCKED ? announce_dc(h, did) : IOMMU_OK;

fail:
    host_free(h, fresh, sizeof *fresh);
    return rc;
}

int iommu_detach_device(iommu_domain_t *dom, uint32_t did) {
    struct iommu_devnode *node;
    iommu_dc_t old;
    iommu_t *h;
    int rc;
    if (!dom) return IOMMU_EINVAL;
    h = dom->h;
    if ((rc = did_ok(h, did))) return rc;
    node = dev_find(h, did);
    if (!node || node->dom != dom) return IOMMU_ENOENT;
    if ((rc = old_dc(h, node, did, &old))) return rc;
    if (old.tc & IOMMU_DC_TC_V_MASK) {
        if ((rc = iommu_ddt_clear_valid(h, did))) return rc;
        plat_wmb(h);
        if ((rc = inval_old_dc(h, did, &old))) return rc;
    }
    dev_unlink(h, node);
    host_free(h, node, sizeof *node);
    dom->ndev--;
    return IOMMU_OK;
}

/* ---- map / unmap -------------------------------------------------------------- */
static int unmap_range(iommu_domain_t *dom, uint64_t iova, uint64_t size) {
    uint64_t last = iova + size - 1u, a, base, sz, got;
    bool mapped;
    int rc;

    /* Pass 1: no leaf may stick out of the range (then nothing changes). */
    for (a = iova;;) {
        IGNORE_STATUS(iommu_i_pgt_probe(&dom->pgt, a, &base, &sz, &mapped));
        if (mapped && (base < iova || base + sz - 1u > last)) return IOMMU_EINVAL;
        uint64_t next = base + sz;
        if (next == 0 || next - 1u >= last) break;
        a = next;
    }
    /* Pass 2: clear the leaves; flush when the free list could overflow. */
    for (a = iova;;) {
        IGNORE_STATUS(iommu_i_pgt_probe(&dom->pgt, a, &base, &sz, &mapped));
        if (mapped) {
            if (IOMMU_PGT_FREELIST_MAX - dom->pending.n < dom->pgt.levels - 1u &&
                (rc = dom_flush(dom)))
                return rc;
            if ((rc = iommu_pgt_unmap(&dom->pgt, base, &got, &dom->pending))) return rc;
            gather_add(dom, base, got);
        }
        uint64_t next = base + sz;
        if (next == 0 || next - 1u >= last) break;
        a = next;
    }
    return dom_flush(dom); /* its doorbell orders the PTE stores before the commands */
}

int iommu_map(iommu_domain_t *dom, uint64_t iova, uint64_t phys, uint64_t size, unsigned prot) {
    int rc;
    if (!dom || dom->type != IOMMU_DOMAIN_PAGING) return IOMMU_EINVAL;
    if (!prot || (prot & ~(IOMMU_PROT_READ | IOMMU_PROT_WRITE | IOMMU_PROT_EXEC)))
        return IOMMU_EINVAL;
    if (!IS_ALIGNED(phys, IOMMU_PAGE_SIZE)) return IOMMU_EINVAL;
    if ((rc = range_check(dom, iova, size))) return rc;
    if (phys + size - 1u < phys || ((phys + size - 1u) >> dom->h->info.pas)) return IOMMU_ERANGE;

    uint64_t sizes = iommu_pgt_pgsizes(dom->pgt.mode), done = 0;
    while (done < size) {
        uint64_t va = iova + done, pa = phys + done, left = size - done, ps = IOMMU_PGSIZE_4K;
        for (uint64_t s = IOMMU_PGSIZE_512G; s > IOMMU_PGSIZE_4K; s >>= 1)
            if ((sizes & s) && s <= left && IS_ALIGNED(va, s) && IS_ALIGNED(pa, s)) {
                ps = s;
                break;
            }
        rc = iommu_pgt_map(&dom->pgt, va, pa, ps, prot);
        if (rc) {
            if (done) IGNORE_STATUS(unmap_range(dom, iova, done));
            return rc;
        }
        done += ps;
    }
    return IOMMU_OK;
}

int iommu_unmap(iommu_domain_t *dom, uint64_t iova, uint64_t size) {
    int rc;
    if (!dom || dom->type != IOMMU_DOMAIN_PAGING) return IOMMU_EINVAL;
    if ((rc = range_check(dom, iova, size))) return rc;
    return unmap_range(dom, iova, size);
}

int iommu_iova_to_phys(const iommu_domain_t *dom, uint64_t iova, uint64_t *phys) {
    if (!dom || !phys) return IOMMU_EINVAL;
    switch (dom->type) {
    case IOMMU_DOMAIN_IDENTITY: *phys = iova; return IOMMU_OK;
    case IOMMU_DOMAIN_PAGING: return iommu_pgt_lookup(&dom->pgt, iova, phys, 0, 0);
    default: return IOMMU_EINVAL;
    }
}
