/* tdrv.c - set-up through the driver library for the built-in tests (tdrv.h). */
#include "tdrv.h"

#include <string.h>

/* Clock cycles per microsecond of the library's waits (every poll waits 1 us). */
#define TDRV_CYCLES_PER_US 100u

#define LIB_OK(call, what)                                                               \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        if (rc_ != IOMMU_OK) {                                                           \
            CHECK(0, "%s: %s: %s", what, #call, iommu_strerror(rc_));                    \
            return false;                                                                \
        }                                                                                \
    } while (0)

bool tdrv_up(tdrv_t *t, uint64_t base, uint64_t size, unsigned ddt_mode, bool no_cq) {
    static const iommu_ddt_cfg_t cfg_of[] = {
        IOMMU_DDT_CFG_OFF, IOMMU_DDT_CFG_BARE, IOMMU_DDT_CFG_MAX_1LVL, IOMMU_DDT_CFG_MAX_2LVL,
        IOMMU_DDT_CFG_MAX_3LVL,
    };
    memset(t, 0, sizeof *t);
    if (ddt_mode > IOMMU_DDTP_MODE_3LVL) {
        CHECK(0, "tdrv_up: ddtp mode %u", ddt_mode);
        return false;
    }
    LIB_OK(iommu_sim_init(&t->sim, base, size, TDRV_CYCLES_PER_US, &t->plat), "tdrv_up");
    iommu_config_t cfg;
    iommu_config_default(&cfg);
    cfg.ddt_mode = cfg_of[ddt_mode];
    cfg.no_cq = no_cq;
    int rc = iommu_init(&t->plat, &cfg, &t->h);
    if (rc != IOMMU_OK) {
        CHECK(0, "tdrv_up: iommu_init: %s", iommu_strerror(rc));
        iommu_sim_fini(&t->sim);
        t->h = NULL;
        return false;
    }
    LIB_OK(iommu_get_info(t->h, &t->info), "tdrv_up");
    /* MAX_nLVL falls back to fewer levels: this IOMMU must take the one asked for */
    CHECK(t->info.ddt_mode == ddt_mode, "tdrv_up: the library chose ddtp mode %u, not %u",
          t->info.ddt_mode, ddt_mode);
    return t->info.ddt_mode == ddt_mode;
}

static bool up(const tdrv_t *t, const char *what) {
    CHECK(t->h != NULL, "%s: the library is not up", what);
    return t->h != NULL;
}

iommu_domain_t *tdrv_paging(tdrv_t *t, unsigned levels, uint32_t did) {
    static const uint32_t mode_of[] = {IOMMU_ATP_MODE_SV39, IOMMU_ATP_MODE_SV48,
                                       IOMMU_ATP_MODE_SV57};
    if (!up(t, "tdrv_paging")) return NULL;
    if (levels < 3 || levels > 5 || t->ndom == TDRV_MAX_DOMAINS) {
        CHECK(0, "tdrv_paging: %u levels, %u domains", levels, t->ndom);
        return NULL;
    }
    iommu_domain_t *dom = NULL;
    int rc = iommu_domain_alloc(t->h, IOMMU_DOMAIN_PAGING, mode_of[levels - 3], &dom);
    if (rc != IOMMU_OK) {
        CHECK(0, "tdrv_paging: iommu_domain_alloc (Sv%u): %s", 39 + 9 * (levels - 3),
              iommu_strerror(rc));
        return NULL;
    }
    if ((rc = iommu_attach_device(dom, did)) != IOMMU_OK) {
        CHECK(0, "tdrv_paging: iommu_attach_device(%#x): %s", did, iommu_strerror(rc));
        rc = iommu_domain_free(dom);
        CHECK(rc == IOMMU_OK, "tdrv_paging: iommu_domain_free: %s", iommu_strerror(rc));
        return NULL;
    }
    t->dom[t->ndom] = dom;
    t->did[t->ndom++] = did;
    return dom;
}

bool tdrv_map(iommu_domain_t *dom, uint64_t iova, uint64_t pa, uint64_t len, uint64_t pgsize) {
    if (!dom || !pgsize || (pgsize & (pgsize - 1)) || ((iova | pa | len) & (pgsize - 1))) {
        CHECK(0, "tdrv_map: %#llx -> %#llx, %#llx bytes in pages of %#llx",
              (unsigned long long)iova, (unsigned long long)pa, (unsigned long long)len,
              (unsigned long long)pgsize);
        return false;
    }
    for (uint64_t o = 0; o < len; o += pgsize) {
        int rc = iommu_map(dom, iova + o, pa + o, pgsize, IOMMU_PROT_READ | IOMMU_PROT_WRITE);
        if (rc != IOMMU_OK) {
            CHECK(0, "tdrv_map: iommu_map(%#llx -> %#llx, %#llx): %s",
                  (unsigned long long)(iova + o), (unsigned long long)(pa + o),
                  (unsigned long long)pgsize, iommu_strerror(rc));
            return false;
        }
    }
    return true;
}

uint32_t tdrv_pscid(const iommu_domain_t *dom) {
    iommu_domain_info_t info;
    int rc = iommu_domain_get_info(dom, &info);
    CHECK(rc == IOMMU_OK, "tdrv_pscid: %s", iommu_strerror(rc));
    return rc == IOMMU_OK ? info.pscid : 0;
}

void tdrv_down(tdrv_t *t) {
    if (!t->h) return;
    for (unsigned i = t->ndom; i-- > 0;) {
        int rc = iommu_detach_device(t->dom[i], t->did[i]);
        CHECK(rc == IOMMU_OK, "tdrv_down: iommu_detach_device(%#x): %s", t->did[i],
              iommu_strerror(rc));
        rc = iommu_domain_free(t->dom[i]);
        CHECK(rc == IOMMU_OK, "tdrv_down: iommu_domain_free: %s", iommu_strerror(rc));
    }
    t->ndom = 0;
    int rc = iommu_fini(t->h);
    CHECK(rc == IOMMU_OK, "tdrv_down: iommu_fini: %s", iommu_strerror(rc));
    t->h = NULL;
    iommu_sim_fini(&t->sim);
}
