/*
 * pgtable.c - Sv39/Sv48/Sv57 first-stage page tables (RISC-V privileged
 * spec), built for the IOMMU.
 *
 * Level L (0 = 4-KiB leaves) is indexed by iova bits 12+9L+8 .. 12+9L; a leaf
 * at level L maps 2^(12+9L) bytes; a 64-KiB page is 16 identical Svnapot PTEs
 * at level 0 (N = 1, ppn[3:0] = 0b1000).  Non-leaf PTEs have only V and the
 * PPN (A, D, U must be 0 there).  Every entry is written with one 64-bit
 * store; a new branch is completed before the single store that links it in;
 * unmapping unlinks tables that become empty and hands them to a free list
 * that is released only after the invalidation.
 */
#include "internal.h"

#define PTE_LEAF_MASK (IOMMU_PTE_R | IOMMU_PTE_W | IOMMU_PTE_X)
#define NAPOT_PTES    16u

static uint32_t levels_of(uint32_t mode) {
    switch (mode) {
    case IOMMU_ATP_MODE_SV39: return 3;
    case IOMMU_ATP_MODE_SV48: return 4;
    case IOMMU_ATP_MODE_SV57: return 5;
    default: return 0;
    }
}

static uint32_t idx(uint64_t iova, uint32_t level) {
    return (uint32_t)(iova >> (IOMMU_PAGE_SHIFT + 9u * level)) & 511u;
}

static uint64_t level_size(uint32_t level) { return 1ULL << (IOMMU_PAGE_SHIFT + 9u * level); }

static uint64_t pte_addr(uint64_t pte) {
    return IOMMU_FIELD_GET(pte, IOMMU_PTE_PPN) << IOMMU_PAGE_SHIFT;
}

static bool pte_valid(uint64_t pte) { return pte & IOMMU_PTE_V; }
static bool pte_leaf(uint64_t pte) { return (pte & IOMMU_PTE_V) && (pte & PTE_LEAF_MASK); }
static bool pte_table(uint64_t pte) { return (pte & IOMMU_PTE_V) && !(pte & PTE_LEAF_MASK); }

static uint64_t table_pte(uint64_t table) {
    return IOMMU_PTE_V | IOMMU_FIELD_PREP(IOMMU_PTE_PPN, table >> IOMMU_PAGE_SHIFT);
}

/* iova is canonical for va_bits: bits 63 .. va_bits-1 all equal. */
static bool canonical(uint64_t iova, uint32_t levels) {
    uint32_t va_bits = IOMMU_PAGE_SHIFT + 9u * levels;
    uint64_t top = iova >> (va_bits - 1u);
    return top == 0 || top == (~0ULL >> (va_bits - 1u));
}

uint64_t iommu_pgt_pgsizes(uint32_t mode) {
    uint32_t lv = levels_of(mode);
    if (!lv) return 0;
    uint64_t s = IOMMU_PGSIZE_4K | IOMMU_PGSIZE_64K | IOMMU_PGSIZE_2M | IOMMU_PGSIZE_1G;
    if (lv >= 4) s |= IOMMU_PGSIZE_512G;
    return s;
}

int iommu_pgt_init(iommu_t *h, iommu_pgt_t *pgt, uint32_t mode) {
    int rc;
    if (!h || !pgt || !levels_of(mode)) return IOMMU_EINVAL;
    if (!(h->info.atp_modes & (1u << mode))) return IOMMU_ENOTSUP;
    uint64_t root;
    if ((rc = iommu_i_dma_page_alloc(h, IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE, &root))) return rc;
    pgt->h = h;
    pgt->mode = mode;
    pgt->levels = levels_of(mode);
    pgt->root = root;
    return IOMMU_OK;
}

static void free_tables(iommu_t *h, uint64_t table, uint32_t level) {
    for (uint32_t i = 0; level > 0 && i < 512u; i++) {
        uint64_t e = mem_rd(h, table + 8u * i);
        if (pte_table(e)) free_tables(h, pte_addr(e), level - 1u);
    }
    iommu_i_dma_page_free(h, table, IOMMU_PAGE_SIZE);
}

int iommu_pgt_destroy(iommu_pgt_t *pgt) {
    if (!pgt || !pgt->h || !pgt->root) return IOMMU_EINVAL;
    free_tables(pgt->h, pgt->root, pgt->levels - 1u);
    pgt->root = 0;
    return IOMMU_OK;
}

static int size_level(uint64_t pgsize, uint32_t levels, uint32_t *level) {
    switch (pgsize) {
    case IOMMU_PGSIZE_4K:
    case IOMMU_PGSIZE_64K: *level = 0; return IOMMU_OK;
    case IOMMU_PGSIZE_2M: *level = 1; return IOMMU_OK;
    case IOMMU_PGSIZE_1G: *level = 2; return IOMMU_OK;
    case IOMMU_PGSIZE_512G: *level = 3; return levels >= 4 ? IOMMU_OK : IOMMU_EINVAL;
    default: return IOMMU_EINVAL;
    }
}

static uint64_t leaf_pte(uint64_t phys, unsigned prot, bool napot) {
    uint64_t ppn = phys >> IOMMU_PAGE_SHIFT;
    uint64_t pte = IOMMU_PTE_V | IOMMU_PTE_U | IOMMU_PTE_A;
    if (prot & (IOMMU_PROT_READ | IOMMU_PROT_WRITE)) pte |= IOMMU_PTE_R;
    if (prot & IOMMU_PROT_WRITE) pte |= IOMMU_PTE_W | IOMMU_PTE_D;
    if (prot & IOMMU_PROT_EXEC) pte |= IOMMU_PTE_X;
    if (napot) {
        ppn = (ppn & ~0xfULL) | IOMMU_PTE_NAPOT64K_PPN_LOW;
        pte |= IOMMU_PTE_N;
    }
    return pte | IOMMU_FIELD_PREP(IOMMU_PTE_PPN, ppn);
}

static void write_leaf(iommu_t *h, uint64_t table, uint64_t iova, uint32_t level, uint64_t pte,
                       bool napot) {
    uint32_t first = idx(iova, level), n = napot ? NAPOT_PTES : 1u;
    for (uint32_t i = 0; i < n; i++)
        mem_wr(h, table + 8u * (first + i), pte);
}

int iommu_pgt_map(iommu_pgt_t *pgt, uint64_t iova, uint64_t phys, uint64_t pgsize, unsigned prot) {
    uint32_t level;
    iommu_t *h;
    if (!pgt || !(h = pgt->h) || !pgt->root) return IOMMU_EINVAL;
    if (size_level(pgsize, pgt->levels, &level)) return IOMMU_EINVAL;
    if (!prot || (prot & ~(IOMMU_PROT_READ | IOMMU_PROT_WRITE | IOMMU_PROT_EXEC)))
        return IOMMU_EINVAL;
    if (!IS_ALIGNED(iova, pgsize) || !IS_ALIGNED(phys, pgsize)) return IOMMU_EINVAL;
    if (!canonical(iova, pgt->levels)) return IOMMU_ERANGE;
    if (phys + pgsize < phys || ((phys + pgsize - 1u) >> h->info.pas)) return IOMMU_ERANGE;
    bool napot = pgsize == IOMMU_PGSIZE_64K;
    uint64_t pte = leaf_pte(phys, prot, napot);

    /* Walk down to the table at `level`, stopping at the first missing entry. */
    uint64_t table = pgt->root;
    uint32_t lvl = pgt->levels - 1u;
    for (; lvl > level; lvl--) {
        uint64_t e = mem_rd(h, table + 8u * idx(iova, lvl));
        if (pte_leaf(e)) return IOMMU_EEXIST;
        if (!pte_valid(e)) break;
        table = pte_addr(e);
    }
    if (lvl == level) { /* the table exists: the slot(s) must be free */
        uint32_t first = idx(iova, level), n = napot ? NAPOT_PTES : 1u;
        for (uint32_t i = 0; i < n; i++)
            if (pte_valid(mem_rd(h, table + 8u * (first + i)))) return IOMMU_EEXIST;
        write_leaf(h, table, iova, level, pte, napot);
        return IOMMU_OK;
    }
    /* Missing tables for levels lvl-1 .. level: build them, then link once. */
    uint32_t need = lvl - level;
    uint64_t page[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < need; i++) {
        int rc = iommu_i_dma_page_alloc(h, IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE, &page[i]);
        if (rc) {
            while (i--)
                iommu_i_dma_page_free(h, page[i], IOMMU_PAGE_SIZE);
            return rc;
        }
    }
    for (uint32_t i = 0; i + 1u < need; i++) /* page[i] is the table at level lvl-1-i */
        mem_wr(h, page[i] + 8u * idx(iova, lvl - 1u - i), table_pte(page[i + 1]));
    write_leaf(h, page[need - 1u], iova, level, pte, napot);
    plat_wmb(h); /* the whole branch before the store that makes it reachable */
    mem_wr(h, table + 8u * idx(iova, lvl), table_pte(page[0]));
    return IOMMU_OK;
}

/* Find the leaf for iova.  On success *level, *pte and tables[] (tables[l] =
 * table at level l, for l >= *level) are set.  IOMMU_ENOENT when unmapped:
 * *level is then the level of the invalid entry. */
static int walk(const iommu_pgt_t *pgt, uint64_t iova, uint32_t *level, uint64_t *pte,
                uint64_t tables[5]) {
    uint64_t table = pgt->root;
    for (uint32_t lvl = pgt->levels - 1u;; lvl--) {
        uint64_t e = mem_rd(pgt->h, table + 8u * idx(iova, lvl));
        tables[lvl] = table;
        *level = lvl;
        *pte = e;
        if (pte_leaf(e)) return IOMMU_OK;
        if (!pte_valid(e) || lvl == 0) return IOMMU_ENOENT;
        table = pte_addr(e);
    }
}

static uint64_t leaf_size(uint64_t pte, uint32_t level) {
    return (level == 0 && (pte & IOMMU_PTE_N)) ? IOMMU_PGSIZE_64K : level_size(level);
}

int iommu_pgt_lookup(const iommu_pgt_t *pgt, uint64_t iova, uint64_t *phys, uint64_t *pgsize,
                     uint64_t *pte) {
    uint64_t tables[5], e;
    uint32_t level;
    int rc;
    if (!pgt || !pgt->h || !pgt->root) return IOMMU_EINVAL;
    if (!canonical(iova, pgt->levels)) return IOMMU_ERANGE;
    if ((rc = walk(pgt, iova, &level, &e, tables))) return rc;
    uint64_t size = leaf_size(e, level);
    uint64_t base = pte_addr(e);
    if (size == IOMMU_PGSIZE_64K) base &= ~(IOMMU_PGSIZE_64K - 1u);
    if (phys) *phys = base | (iova & (size - 1u));
    if (pgsize) *pgsize = size;
    if (pte) *pte = e;
    return IOMMU_OK;
}

/* Used by the domain layer: what covers iova.  *mapped = true: a leaf
 * [*base, *base + *size).  false: an unmapped aligned span of *size bytes. */
int iommu_i_pgt_probe(const iommu_pgt_t *pgt, uint64_t iova, uint64_t *base, uint64_t *size,
                      bool *mapped) {
    uint64_t tables[5], e;
    uint32_t level;
    int rc = walk(pgt, iova, &level, &e, tables);
    *mapped = rc == IOMMU_OK;
    *size = *mapped ? leaf_size(e, level) : level_size(level);
    *base = iova & ~(*size - 1u);
    return IOMMU_OK;
}

static bool table_empty(iommu_t *h, uint64_t table) {
    for (uint32_t i = 0; i < 512u; i++)
        if (mem_rd(h, table + 8u * i)) return false;
    return true;
}

int iommu_pgt_unmap(iommu_pgt_t *pgt, uint64_t iova, uint64_t *pgsize, iommu_pgt_freelist_t *fl) {
    uint64_t tables[5], e;
    uint32_t level;
    iommu_t *h;
    int rc;
    if (!pgt || !(h = pgt->h) || !pgt->root || !pgsize || !fl) return IOMMU_EINVAL;
    if (!IS_ALIGNED(iova, IOMMU_PAGE_SIZE)) return IOMMU_EINVAL;
    if (!canonical(iova, pgt->levels)) return IOMMU_ERANGE;
    if (fl->n > IOMMU_PGT_FREELIST_MAX || IOMMU_PGT_FREELIST_MAX - fl->n < pgt->levels - 1u)
        return IOMMU_ENOSPC;
    if ((rc = walk(pgt, iova, &level, &e, tables))) return rc;
    uint64_t size = leaf_size(e, level);
    if (!IS_ALIGNED(iova, size)) return IOMMU_EINVAL; /* inside a larger leaf */

    write_leaf(h, tables[level], iova, level, 0, size == IOMMU_PGSIZE_64K);
    for (uint32_t l = level; l + 1u < pgt->levels; l++) {
        if (!table_empty(h, tables[l])) break;
        mem_wr(h, tables[l + 1u] + 8u * idx(iova, l + 1u), 0);
        fl->page[fl->n++] = tables[l];
    }
    *pgsize = size;
    return IOMMU_OK;
}

void iommu_pgt_release(iommu_t *h, iommu_pgt_freelist_t *fl) {
    if (!h || !fl) return;
    for (uint32_t i = 0; i < fl->n && i < IOMMU_PGT_FREELIST_MAX; i++)
        iommu_i_dma_page_free(h, fl->page[i], IOMMU_PAGE_SIZE);
    fl->n = 0;
}
