/* ptgen.c - random directory and page-table generator (see ptgen.h). */
#include "ptgen.h"

#include "isolation.h"   /* ISO_R, ISO_W, ISO_X */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Formats written here, from the IOMMU and privileged specifications. */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_N (1ull << 63)
#define PPN_SHIFT 10

#define TC_V      (1ull << 0)
#define TC_EN_ATS (1ull << 1)
#define TC_EN_PRI (1ull << 2)
#define TC_T2GPA  (1ull << 3)
#define TC_DTF    (1ull << 4)
#define TC_PDTV   (1ull << 5)
#define TC_PRPR   (1ull << 6)
#define TC_GADE   (1ull << 7)
#define TC_SADE   (1ull << 8)
#define TC_DPE    (1ull << 9)
#define TC_SBE    (1ull << 10)
#define TC_SXL    (1ull << 11)

#define PAGE 4096u

/* ---- shadow of every non-zero word written: address -> value -------------- */

typedef struct { uint64_t key, val; } slot_t;    /* key = (addr >> 3) + 1 */

typedef struct {
    uint32_t did;
    uint64_t dc_addr, fs_root;
} devinfo_t;

struct ptgen_priv {
    ptgen_cfg_t cfg;
    uint64_t next_table;
    slot_t *slots;
    size_t cap, used;
    devinfo_t *dev;
    size_t maps_cap;
};

static char g_err[200];

static void set_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_err, sizeof g_err, fmt, ap);
    va_end(ap);
}

const char *ptgen_error(void) { return g_err; }

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n, sz);
    if (p == NULL) {
        fprintf(stderr, "ptgen: out of host memory\n");
        exit(3);
    }
    return p;
}

static size_t slot_of(const ptgen_priv_t *p, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 24) & (p->cap - 1u);
    while (p->slots[i].key != 0u && p->slots[i].key != key)
        i = (i + 1u) & (p->cap - 1u);
    return i;
}

static uint64_t shadow(const ptgen_priv_t *p, uint64_t addr)
{
    size_t i = slot_of(p, (addr >> 3) + 1u);
    return p->slots[i].key != 0u ? p->slots[i].val : 0u;
}

static void shadow_set(ptgen_priv_t *p, uint64_t addr, uint64_t val)
{
    if (2u * (p->used + 1u) > p->cap) {
        slot_t *old = p->slots;
        size_t n = p->cap;
        p->cap *= 2u;
        p->slots = xcalloc(p->cap, sizeof *p->slots);
        for (size_t i = 0; i < n; i++)
            if (old[i].key != 0u)
                p->slots[slot_of(p, old[i].key)] = old[i];
        free(old);
    }
    size_t i = slot_of(p, (addr >> 3) + 1u);
    if (p->slots[i].key == 0u)
        p->used++;
    p->slots[i].key = (addr >> 3) + 1u;
    p->slots[i].val = val;
}

static void wr(ptgen_t *g, uint64_t addr, uint64_t val)
{
    g->priv->cfg.wr(g->priv->cfg.wr_ctx, addr, val);
    shadow_set(g->priv, addr, val);
}

/* ---- random numbers --------------------------------------------------------------- */

static uint64_t r64(ptgen_t *g) { return g->priv->cfg.rng(g->priv->cfg.rng_ctx); }
static uint64_t below(ptgen_t *g, uint64_t n) { return n != 0u ? r64(g) % n : 0u; }
static bool pct(ptgen_t *g, unsigned p) { return p != 0u && below(g, 100) < p; }

/* ---- tables -------------------------------------------------------------------------- */

/* A zeroed 4 KiB page from the table window; false when it is full. */
static bool alloc_table(ptgen_t *g, uint64_t *addr)
{
    ptgen_priv_t *p = g->priv;
    if (p->next_table + PAGE > p->cfg.table_base + p->cfg.table_size) {
        set_err("ptgen: table window full (%llu bytes)", (unsigned long long)p->cfg.table_size);
        return false;
    }
    *addr = p->next_table;
    p->next_table += PAGE;
    g->table_bytes += PAGE;
    for (unsigned k = 0; k < PAGE / 8u; k++)
        p->cfg.wr(p->cfg.wr_ctx, *addr + k * 8u, 0);
    return true;
}

static uint64_t ptr_entry(uint64_t table) { return ((table >> 12) << PPN_SHIFT) | PTE_V; }
static uint64_t entry_target(uint64_t e) { return ((e >> PPN_SHIFT) & ((1ull << 44) - 1u)) << 12; }

/* Address of the level-`stop` PTE on the walk of iova, creating pointer
 * entries (and tables) above it as needed. */
static bool pte_slot(ptgen_t *g, uint64_t root, unsigned levels, uint64_t iova, unsigned stop,
                     uint64_t *slot)
{
    uint64_t t = root;
    for (unsigned i = levels - 1u;; i--) {
        uint64_t s = t + ((iova >> (12u + 9u * i)) & 0x1ffu) * 8u;
        if (i == stop) {
            *slot = s;
            return true;
        }
        uint64_t e = shadow(g->priv, s);
        if (e == 0u) {
            uint64_t nt;
            if (!alloc_table(g, &nt))
                return false;
            e = ptr_entry(nt);
            wr(g, s, e);
        }
        t = entry_target(e);
    }
}

/* ---- device contexts --------------------------------------------------------------------- */

static uint64_t dc_slot_addr(ptgen_t *g, uint32_t did, bool *ok)
{
    unsigned mode = g->priv->cfg.ddt_mode;
    unsigned ddi[3] = { did & 0x7fu, (did >> 7) & 0x1ffu, (did >> 16) & 0xffu };
    uint64_t a = entry_target(g->ddtp);
    *ok = true;
    for (unsigned i = mode - 2u; i > 0u; i--) {
        uint64_t s = a + ddi[i] * 8u;
        uint64_t e = shadow(g->priv, s);
        if (e == 0u) {
            uint64_t nt;
            if (!alloc_table(g, &nt)) {
                *ok = false;
                return 0;
            }
            e = ((nt >> 12) << 10) | 1u;
            wr(g, s, e);
        }
        a = entry_target(e);
    }
    return a + ddi[0] * 32u;
}

/* Break one DC_MISCONFIG rule (ref_xlate.h I7 lists them). */
static void misconfigure(ptgen_t *g, uint64_t dc[4])
{
    bool pdtv = (dc[0] & TC_PDTV) != 0u;
    switch (below(g, 15)) {
    case 0:  dc[0] |= 1ull << (below(g, 2) ? 12u + below(g, 12) : 32u + below(g, 32)); break;
    case 1:  dc[0] |= TC_EN_ATS; break;
    case 2:  dc[0] |= TC_EN_PRI; break;
    case 3:  dc[0] |= TC_PRPR; break;
    case 4:  dc[0] |= TC_T2GPA; break;
    case 5:  dc[0] |= pdtv ? TC_SADE : TC_DPE; break;
    case 6:  dc[0] |= TC_SADE; break;
    case 7:  dc[0] |= TC_GADE; break;
    case 8:  dc[0] |= TC_SBE; break;
    case 9:  dc[0] |= TC_SXL; break;
    case 10: dc[1] |= (1u + below(g, 15)) << 60; break;
    case 11: dc[2] |= 1ull << (below(g, 2) ? below(g, 12) : 32u + below(g, 8)); break;
    case 12: dc[2] |= 1ull << (40u + below(g, 24)); break;
    case 13: dc[3] |= 1ull << (44u + below(g, 16)); break;
    default: {
        static const unsigned bad_satp[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15 };
        uint64_t m = pdtv ? 1u + below(g, 15) : bad_satp[below(g, 12)];
        dc[3] = (dc[3] & ~(0xfull << 60)) | (m << 60);
        break;
    }
    }
}

/* ---- mappings --------------------------------------------------------------------------------- */

static const struct { unsigned mask, level, shift; bool napot; } k_sizes[] = {
    { PTGEN_PG_4K, 0, 12, false },
    { PTGEN_PG_64K, 0, 16, true },
    { PTGEN_PG_2M, 1, 21, false },
    { PTGEN_PG_1G, 2, 30, false },
    { PTGEN_PG_512G, 3, 39, false },
};
#define NSIZES 5u

static uint64_t sext(uint64_t v, unsigned bits)
{
    return (uint64_t)((int64_t)(v << (64u - bits)) >> (64u - bits));
}

static bool overlaps(const ptgen_t *g, size_t first, uint64_t iova, uint64_t size)
{
    for (size_t i = first; i < g->nmaps; i++) {
        const ptgen_map_t *m = &g->maps[i];
        if (iova <= m->iova + (m->size - 1u) && m->iova <= iova + (size - 1u))
            return true;
    }
    return false;
}

static ptgen_map_t *new_record(ptgen_t *g)
{
    ptgen_priv_t *p = g->priv;
    if (g->nmaps == p->maps_cap) {
        p->maps_cap = p->maps_cap != 0u ? 2u * p->maps_cap : 64u;
        ptgen_map_t *m = realloc(g->maps, p->maps_cap * sizeof *m);
        if (m == NULL) {
            fprintf(stderr, "ptgen: out of host memory\n");
            exit(3);
        }
        g->maps = m;
    }
    ptgen_map_t *m = &g->maps[g->nmaps++];
    memset(m, 0, sizeof *m);
    return m;
}

/* Is page size k usable: the mode has the level and the data window an aligned slot? */
static bool size_usable(const ptgen_t *g, unsigned k, unsigned levels, unsigned mask)
{
    const ptgen_cfg_t *c = &g->priv->cfg;
    if (!(mask & k_sizes[k].mask) || k_sizes[k].level >= levels)
        return false;
    uint64_t sz = 1ull << k_sizes[k].shift;
    uint64_t first = (c->data_base + sz - 1u) & ~(sz - 1u);
    return first >= c->data_base && first - c->data_base + sz <= c->data_size;
}

static ptgen_fault_t pick_fault(ptgen_t *g)
{
    for (unsigned f = 1; f < PTGEN_F_COUNT; f++)
        if (pct(g, g->priv->cfg.fault_pct[f]))
            return (ptgen_fault_t)f;
    return PTGEN_F_NONE;
}

static bool fault_fits(ptgen_fault_t f, unsigned k, unsigned levels)
{
    switch (f) {
    case PTGEN_F_MISALIGNED: return k_sizes[k].level >= 1u;
    case PTGEN_F_NONLEAF_L0: return k == 0u;
    case PTGEN_F_NONLEAF_RSVD:
    case PTGEN_F_NONLEAF_INVALID: return k_sizes[k].level + 1u < levels;
    default: return true;
    }
}

static bool add_mapping(ptgen_t *g, const ptgen_dev_t *d, const devinfo_t *di, size_t first,
                        unsigned levels, unsigned dc_cause)
{
    const ptgen_cfg_t *c = &g->priv->cfg;
    unsigned vabits = 12u + 9u * levels;
    unsigned mask = d->page_mask != 0u ? d->page_mask : PTGEN_PG_4K;

    unsigned usable[NSIZES], nu = 0;
    ptgen_fault_t f = pick_fault(g);
    for (unsigned pass = 0; pass < 2u && nu == 0u; pass++) {
        if (pass == 1u)
            f = PTGEN_F_NONE;                          /* the fault cannot apply: drop it */
        for (unsigned k = 0; k < NSIZES; k++)
            if (size_usable(g, k, levels, mask) && fault_fits(f, k, levels))
                usable[nu++] = k;
    }
    if (nu == 0u)
        return true;                                   /* no page size fits: no mapping */
    unsigned k = usable[below(g, nu)];
    unsigned level = k_sizes[k].level, shift = k_sizes[k].shift;
    uint64_t psize = 1ull << shift;
    bool nonleaf_fault = f == PTGEN_F_NONLEAF_RSVD || f == PTGEN_F_NONLEAF_INVALID;
    uint64_t span = nonleaf_fault ? 1ull << (12u + 9u * (level + 1u)) : psize;

    /* an IOVA range overlapping no other record of this device */
    uint64_t iova = 0;
    bool found = false;
    for (unsigned t = 0; t < 200u && !found; t++) {
        uint64_t v;
        if (g->nmaps > first && below(g, 2)) {         /* near an earlier mapping */
            const ptgen_map_t *near = &g->maps[first + below(g, g->nmaps - first)];
            uint64_t parent = span << 9;
            v = (near->iova & ~(parent - 1u)) + below(g, 512) * span;
        } else {
            v = r64(g);
        }
        v = sext(v & ~(span - 1u), vabits);
        if (!overlaps(g, first, v, span)) {
            iova = v;
            found = true;
        }
    }
    if (!found)
        return true;

    /* the data page */
    uint64_t pfirst = (c->data_base + psize - 1u) & ~(psize - 1u);
    uint64_t npages = (c->data_size - (pfirst - c->data_base)) / psize;
    uint64_t pa = pfirst + below(g, npages) * psize;

    /* permissions */
    static const uint64_t xwr[] = { PTE_R, PTE_R | PTE_W, PTE_X, PTE_R | PTE_X,
                                    PTE_R | PTE_W | PTE_X };
    uint64_t perm = xwr[below(g, 5)];
    if (f == PTGEN_F_D0)
        perm |= PTE_R | PTE_W;
    uint64_t flags = PTE_V | perm | PTE_U | PTE_A;
    if ((perm & PTE_W) || below(g, 2))
        flags |= PTE_D;
    if (below(g, 100) < c->global_pct)
        flags |= PTE_G;
    uint64_t ppn = pa >> 12;
    if (k_sizes[k].napot) {
        ppn |= 8u;                                     /* Svnapot: ppn[3:0] = 1000 */
        flags |= PTE_N;
    }

    switch (f) {
    case PTGEN_F_INVALID:    flags &= ~PTE_V; break;
    case PTGEN_F_RSVD:       flags |= 1ull << (54u + below(g, 9)); break;
    case PTGEN_F_XWR:        flags = (flags & ~(PTE_R | PTE_W | PTE_X)) | PTE_W | (below(g, 2) ? PTE_X : 0u); break;
    case PTGEN_F_NAPOT:
        flags |= PTE_N;
        if (k_sizes[k].napot) {
            static const unsigned bad[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15 };
            ppn = (ppn & ~0xfull) | bad[below(g, 15)];
        } else if (level == 0u && (ppn & 0xfu) == 8u) {
            ppn ^= 1u;                                 /* 1000 would be a valid NAPOT */
            pa ^= 0x1000u;
        }
        break;
    case PTGEN_F_MISALIGNED: ppn += 1u + below(g, (1ull << (9u * level)) - 1u); break;
    case PTGEN_F_A0:         flags &= ~PTE_A; break;
    case PTGEN_F_D0:         flags &= ~PTE_D; break;
    case PTGEN_F_U0:         flags &= ~PTE_U; break;
    default:                 break;
    }
    uint64_t leaf = (ppn << PPN_SHIFT) | flags;

    uint64_t slot;
    if (!pte_slot(g, di->fs_root, levels, iova, level, &slot))
        return false;
    if (f == PTGEN_F_NONLEAF_L0)
        leaf = ((slot >> 12) << PPN_SHIFT) | PTE_V;    /* points at its own table */
    unsigned npte = k_sizes[k].napot ? 16u : 1u;
    for (unsigned j = 0; j < npte; j++)
        wr(g, slot + j * 8u, leaf);

    ptgen_map_t *m = new_record(g);
    m->did = d->did;
    m->iova = iova;
    m->size = span;
    m->pa = pa;
    m->pte_perms = ((perm & PTE_R) ? ISO_R : 0u) | ((perm & PTE_W) ? ISO_W : 0u) |
                   ((perm & PTE_X) ? ISO_X : 0u);
    m->global = (flags & PTE_G) != 0u;
    m->mapped = true;
    m->fault = f;
    m->dc_cause = dc_cause;
    m->level = (int)level;
    m->pte_addr = slot;
    m->npte = npte;
    m->pscid = d->pscid & 0xfffffu;

    if (nonleaf_fault) {
        uint64_t ps;
        if (!pte_slot(g, di->fs_root, levels, iova, level + 1u, &ps))
            return false;
        uint64_t e = shadow(g->priv, ps);
        if (f == PTGEN_F_NONLEAF_INVALID) {
            e &= ~PTE_V;
        } else {
            static const uint64_t bad[] = { PTE_A, PTE_D, PTE_U, PTE_N };
            uint64_t b = below(g, 2) ? bad[below(g, 4)] : 1ull << (54u + below(g, 9));
            e |= b;
        }
        wr(g, ps, e);
        m->pte_addr = ps;
        m->npte = 1;
        m->level = (int)level + 1;
        m->pa = 0;
    }
    m->valid = f == PTGEN_F_NONE && dc_cause == 0u;
    if (dc_cause != 0u)
        m->perms = 0;
    else if (f == PTGEN_F_NONE)
        m->perms = m->pte_perms;
    else if (f == PTGEN_F_D0)
        m->perms = m->pte_perms & ~(unsigned)ISO_W;
    else
        m->perms = 0;
    return true;
}

/* ---- build ---------------------------------------------------------------------------------------- */

ptgen_t *ptgen_build(const ptgen_cfg_t *cfg)
{
    g_err[0] = '\0';
    if (cfg->ddt_mode < 2u || cfg->ddt_mode > 4u) {
        set_err("ptgen: ddt_mode %u is not 1LVL/2LVL/3LVL (2..4)", cfg->ddt_mode);
        return NULL;
    }
    if ((cfg->table_base & (PAGE - 1u)) || cfg->table_size < PAGE || cfg->data_size == 0u ||
        cfg->wr == NULL || cfg->rng == NULL) {
        set_err("ptgen: bad table/data window or callbacks");
        return NULL;
    }
    uint32_t limit = cfg->ddt_mode == 2u ? 1u << 7 : cfg->ddt_mode == 3u ? 1u << 16 : 1u << 24;
    for (unsigned i = 0; i < cfg->ndevs; i++) {
        if (cfg->devs[i].did >= limit) {
            set_err("ptgen: device_id 0x%x does not fit DDT mode %u", cfg->devs[i].did, cfg->ddt_mode);
            return NULL;
        }
        for (unsigned j = 0; j < i; j++)
            if (cfg->devs[j].did == cfg->devs[i].did) {
                set_err("ptgen: device_id 0x%x given twice", cfg->devs[i].did);
                return NULL;
            }
    }

    ptgen_t *g = xcalloc(1, sizeof *g);
    ptgen_priv_t *p = xcalloc(1, sizeof *p);
    g->priv = p;
    p->cfg = *cfg;
    p->next_table = cfg->table_base;
    p->cap = 1024;
    p->slots = xcalloc(p->cap, sizeof *p->slots);
    p->dev = xcalloc(cfg->ndevs + 1u, sizeof *p->dev);

    uint64_t root;
    if (!alloc_table(g, &root)) {
        ptgen_free(g);
        return NULL;
    }
    g->ddtp = ((root >> 12) << 10) | cfg->ddt_mode;

    for (unsigned i = 0; i < cfg->ndevs; i++) {
        const ptgen_dev_t *d = &cfg->devs[i];
        devinfo_t *di = &p->dev[i];
        bool ok;
        di->did = d->did;
        di->dc_addr = dc_slot_addr(g, d->did, &ok);
        bool sv = d->fs == PTGEN_FS_SV39 || d->fs == PTGEN_FS_SV48 || d->fs == PTGEN_FS_SV57;
        if (ok && sv)
            ok = alloc_table(g, &di->fs_root);
        if (!ok) {
            ptgen_free(g);
            return NULL;
        }

        uint64_t dc[4] = { TC_V | (d->dtf ? TC_DTF : 0u), 0, (uint64_t)(d->pscid & 0xfffffu) << 12, 0 };
        if (d->fs == PTGEN_FS_PDT_BARE)
            dc[0] |= TC_PDTV | (below(g, 2) ? TC_DPE : 0u);
        if (sv) {
            uint64_t mode = d->fs == PTGEN_FS_SV39 ? 8u : d->fs == PTGEN_FS_SV48 ? 9u : 10u;
            dc[3] = (mode << 60) | (di->fs_root >> 12);
        }
        unsigned dc_cause = 0;
        if (d->dc == PTGEN_DC_INVALID) {
            dc[0] = r64(g) & ~TC_V;
            dc[1] = r64(g);
            dc[2] = r64(g);
            dc[3] = r64(g);
            dc_cause = 258;
        } else if (d->dc == PTGEN_DC_MISCONFIG) {
            misconfigure(g, dc);
            dc_cause = 259;
        }
        for (unsigned k = 0; k < 4u; k++)
            wr(g, di->dc_addr + k * 8u, dc[k]);

        size_t first = g->nmaps;
        if (!sv) {
            ptgen_map_t *m = new_record(g);
            m->did = d->did;
            m->iova = m->pa = cfg->data_base;
            m->size = cfg->data_size;
            m->pte_perms = ISO_R | ISO_W | ISO_X;
            m->perms = dc_cause != 0u ? 0u : ISO_R | ISO_W | ISO_X;
            m->valid = dc_cause == 0u;
            m->mapped = true;
            m->dc_cause = dc_cause;
            m->level = -1;
            m->pscid = d->pscid & 0xfffffu;
            continue;
        }
        unsigned levels = d->fs == PTGEN_FS_SV39 ? 3u : d->fs == PTGEN_FS_SV48 ? 4u : 5u;
        for (unsigned n = 0; n < d->nmaps; n++)
            if (!add_mapping(g, d, di, first, levels, dc_cause)) {
                ptgen_free(g);
                return NULL;
            }
    }
    return g;
}

uint64_t ptgen_dc_addr(const ptgen_t *g, uint32_t did)
{
    for (unsigned i = 0; i < g->priv->cfg.ndevs; i++)
        if (g->priv->dev[i].did == did)
            return g->priv->dev[i].dc_addr;
    return 0;
}

uint64_t ptgen_fs_root(const ptgen_t *g, uint32_t did)
{
    for (unsigned i = 0; i < g->priv->cfg.ndevs; i++)
        if (g->priv->dev[i].did == did)
            return g->priv->dev[i].fs_root;
    return 0;
}

int ptgen_unmap(ptgen_t *g, size_t i)
{
    if (i >= g->nmaps)
        return -1;
    ptgen_map_t *m = &g->maps[i];
    if (m->level < 0 || !m->mapped)
        return -1;
    for (unsigned j = 0; j < m->npte; j++)
        wr(g, m->pte_addr + j * 8u, 0);
    m->mapped = false;
    m->valid = false;
    m->perms = 0;
    return 0;
}

long ptgen_find(const ptgen_t *g, uint32_t did, uint64_t iova)
{
    for (size_t i = 0; i < g->nmaps; i++) {
        const ptgen_map_t *m = &g->maps[i];
        if (m->did == did && iova >= m->iova && iova - m->iova < m->size)
            return (long)i;
    }
    return -1;
}

void ptgen_free(ptgen_t *g)
{
    if (g == NULL)
        return;
    if (g->priv != NULL) {
        free(g->priv->slots);
        free(g->priv->dev);
        free(g->priv);
    }
    free(g->maps);
    free(g);
}

const char *ptgen_fault_name(ptgen_fault_t f)
{
    static const char *const names[PTGEN_F_COUNT] = {
        "none", "leaf V=0", "leaf reserved bit", "leaf xwr reserved", "reserved N encoding",
        "misaligned superpage", "A=0", "D=0", "U=0", "non-leaf at level 0",
        "non-leaf reserved bit", "non-leaf V=0",
    };
    return (unsigned)f < PTGEN_F_COUNT ? names[f] : "?";
}
