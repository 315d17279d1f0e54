/*
 * test_pgtable.c - Sv39/Sv48/Sv57 page tables: PTE contents for every page
 * size (checked with the privileged spec's bit numbers: V0 R1 W2 X3 U4 G5 A6
 * D7, PPN 53:10, N 63; Svnapot 64 KiB = ppn[3:0] 0b1000), lookups, unmap and
 * freeing of emptied tables, and the error cases.
 */
#include "test.h"

#define PPN_OF(e) ((((e) >> 10) & ((1ULL << 44) - 1)) << 12)

/* Walk as the privileged spec does: VPN[i] = iova[12+9i+8 : 12+9i]; a PTE
 * with any of R, W, X is a leaf.  Returns the PTE's address, or 0. */
static uint64_t spec_walk(const mock_t *m, uint64_t root, unsigned levels, uint64_t iova,
                          int *level) {
    uint64_t table = root;
    for (int i = (int)levels - 1; i >= 0; i--) {
        uint64_t pa = table + 8 * ((iova >> (12 + 9 * i)) & 0x1ff), e = mock_rd64(m, pa);
        if (!(e & 1)) return 0;
        if (e & 0xe) {
            *level = i;
            return pa;
        }
        CHECK_EQ(e & ~(((1ULL << 44) - 1) << 10), 1); /* non-leaf: V and PPN only */
        table = PPN_OF(e);
    }
    return 0;
}

static void page_sizes(void) {
    static const uint32_t modes[] = {IOMMU_ATP_MODE_SV39, IOMMU_ATP_MODE_SV48, IOMMU_ATP_MODE_SV57};
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    for (unsigned k = 0; k < 3; k++) {
        iommu_pgt_t pgt;
        unsigned levels = 3 + k;
        long live0 = m->dma_live_pages;
        CHECK_OK(iommu_pgt_init(h, &pgt, modes[k]));
        CHECK_EQ(pgt.levels, levels);
        CHECK_EQ(m->dma_live_pages, live0 + 1);
        uint64_t pte, phys, sz;
        int lvl = -1;

        /* 4 KiB, read/write: V R W U A D */
        CHECK_OK(iommu_pgt_map(&pgt, 0x1000, 0x90001000, IOMMU_PGSIZE_4K,
                               IOMMU_PROT_READ | IOMMU_PROT_WRITE));
        uint64_t pa = spec_walk(m, pgt.root, levels, 0x1000, &lvl);
        CHECK(pa != 0);
        CHECK_EQ(lvl, 0);
        CHECK_EQ(mock_rd64(m, pa), 0xD7 | (0x90001ULL << 10));
        CHECK_EQ(m->dma_live_pages, live0 + levels); /* root + one table per lower level */
        /* permissions: R -> V R U A; X -> V X U A; W alone -> R W (xwr=010 is reserved) */
        static const struct {
            unsigned prot;
            uint64_t bits;
        } perm[] = {{IOMMU_PROT_READ, 0x53},
                    {IOMMU_PROT_EXEC, 0x59},
                    {IOMMU_PROT_WRITE, 0xD7},
                    {IOMMU_PROT_READ | IOMMU_PROT_EXEC, 0x5B},
                    {IOMMU_PROT_READ | IOMMU_PROT_WRITE | IOMMU_PROT_EXEC, 0xDF}};
        for (unsigned p = 0; p < 5; p++) {
            uint64_t va = 0x10000 + 0x1000 * p;
            CHECK_OK(iommu_pgt_map(&pgt, va, 0x90100000, IOMMU_PGSIZE_4K, perm[p].prot));
            pa = spec_walk(m, pgt.root, levels, va, &lvl);
            CHECK(pa && mock_rd64(m, pa) == (perm[p].bits | (0x90100ULL << 10)));
        }

        /* 64 KiB Svnapot: 16 identical level-0 PTEs, N = 1, ppn[3:0] = 1000 */
        CHECK_OK(iommu_pgt_map(&pgt, 0x40000, 0x90230000, IOMMU_PGSIZE_64K,
                               IOMMU_PROT_READ | IOMMU_PROT_WRITE));
        for (unsigned i = 0; i < 16; i++) {
            pa = spec_walk(m, pgt.root, levels, 0x40000 + 0x1000 * i, &lvl);
            CHECK(pa && lvl == 0);
            CHECK_EQ(mock_rd64(m, pa), (1ULL << 63) | (0x90238ULL << 10) | 0xD7);
        }
        CHECK_OK(iommu_pgt_lookup(&pgt, 0x45123, &phys, &sz, &pte));
        CHECK_EQ(phys, 0x90235123);
        CHECK_EQ(sz, IOMMU_PGSIZE_64K);

        /* 2 MiB at level 1, 1 GiB at level 2 */
        CHECK_OK(iommu_pgt_map(&pgt, 0x40000000ULL + 0x200000, 0xa0200000, IOMMU_PGSIZE_2M,
                               IOMMU_PROT_READ));
        pa = spec_walk(m, pgt.root, levels, 0x40234567, &lvl);
        CHECK(pa && lvl == 1);
        CHECK_EQ(mock_rd64(m, pa), 0x53 | (0xa0200ULL << 10));
        CHECK_OK(iommu_pgt_lookup(&pgt, 0x40234567, &phys, &sz, NULL));
        CHECK_EQ(phys, 0xa0234567);
        CHECK_EQ(sz, IOMMU_PGSIZE_2M);
        CHECK_OK(iommu_pgt_map(&pgt, 0x80000000ULL, 0xc0000000, IOMMU_PGSIZE_1G, IOMMU_PROT_WRITE));
        pa = spec_walk(m, pgt.root, levels, 0x80000000ULL + 0x12345678, &lvl);
        CHECK(pa && lvl == 2);
        CHECK_EQ(mock_rd64(m, pa), 0xD7 | (0xc0000ULL << 10));
        CHECK_OK(iommu_pgt_lookup(&pgt, 0x80000000ULL + 0x12345678, &phys, &sz, NULL));
        CHECK_EQ(phys, 0xc0000000ULL + 0x12345678);
        CHECK_EQ(sz, IOMMU_PGSIZE_1G);

        /* 512 GiB at level 3: Sv48 and Sv57 only */
        if (levels >= 4) {
            CHECK_OK(iommu_pgt_map(&pgt, 0x8000000000ULL, 0x8000000000ULL, IOMMU_PGSIZE_512G,
                                   IOMMU_PROT_READ));
            pa = spec_walk(m, pgt.root, levels, 0x8000000000ULL + 0x123456789ULL, &lvl);
            CHECK(pa && lvl == 3);
            CHECK_EQ(mock_rd64(m, pa), 0x53 | (0x8000000ULL << 10));
            CHECK_OK(iommu_pgt_lookup(&pgt, 0x8000000000ULL + 0x123456789ULL, &phys, &sz, NULL));
            CHECK_EQ(phys, 0x8000000000ULL + 0x123456789ULL);
            CHECK_EQ(sz, IOMMU_PGSIZE_512G);
            CHECK_EQ(iommu_pgt_pgsizes(modes[k]) & IOMMU_PGSIZE_512G, IOMMU_PGSIZE_512G);
        } else {
            CHECK_RC(iommu_pgt_map(&pgt, 0, 0, IOMMU_PGSIZE_512G, IOMMU_PROT_READ), IOMMU_EINVAL);
            CHECK_EQ(iommu_pgt_pgsizes(modes[k]) & IOMMU_PGSIZE_512G, 0);
        }
        CHECK_OK(iommu_pgt_lookup(&pgt, 0x1abc, &phys, &sz, NULL));
        CHECK_EQ(phys, 0x90001abc);
        CHECK_EQ(sz, IOMMU_PGSIZE_4K);
        CHECK_RC(iommu_pgt_lookup(&pgt, 0x2000, &phys, &sz, NULL), IOMMU_ENOENT);
        CHECK_RC(iommu_pgt_lookup(&pgt, 0x7000000000ULL, &phys, &sz, NULL),
                 levels == 3 ? IOMMU_ERANGE : IOMMU_ENOENT);

        CHECK_OK(iommu_pgt_destroy(&pgt));
        CHECK_EQ(m->dma_live_pages, live0);
    }
    t_down(h, m);
    mock_free(m);
}

static void unmap_frees(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_pgt_t pgt;
    iommu_pgt_freelist_t fl = {.n = 0};
    uint64_t sz;
    CHECK_OK(iommu_pgt_init(h, &pgt, IOMMU_ATP_MODE_SV48));
    long live = m->dma_live_pages;

    /* one page: three tables under the root; its unmap empties all three */
    const uint64_t va = 0x123456789000ULL & ((1ULL << 47) - 1);
    CHECK_OK(iommu_pgt_map(&pgt, va, 0x90000000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ));
    CHECK_EQ(m->dma_live_pages, live + 3);
    CHECK_OK(iommu_pgt_unmap(&pgt, va, &sz, &fl));
    CHECK_EQ(sz, IOMMU_PGSIZE_4K);
    CHECK_EQ(fl.n, 3);
    CHECK_EQ(mock_rd64(m, pgt.root + 8 * ((va >> 39) & 0x1ff)), 0); /* unlinked from the root */
    CHECK_EQ(m->dma_live_pages, live + 3);                          /* not freed yet */
    iommu_pgt_release(h, &fl);
    CHECK_EQ(fl.n, 0);
    CHECK_EQ(m->dma_live_pages, live);
    CHECK_RC(iommu_pgt_lookup(&pgt, va, NULL, NULL, NULL), IOMMU_ENOENT);

    /* two pages in one table: the first unmap frees nothing */
    CHECK_OK(iommu_pgt_map(&pgt, 0x200000, 0x90000000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ));
    CHECK_OK(iommu_pgt_map(&pgt, 0x201000, 0x90001000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ));
    CHECK_OK(iommu_pgt_unmap(&pgt, 0x200000, &sz, &fl));
    CHECK_EQ(fl.n, 0);
    CHECK_OK(iommu_pgt_unmap(&pgt, 0x201000, &sz, &fl));
    CHECK_EQ(fl.n, 3);
    iommu_pgt_release(h, &fl);

    /* a superpage's table chain: only the levels above it */
    CHECK_OK(iommu_pgt_map(&pgt, 0x40000000, 0x40000000, IOMMU_PGSIZE_1G, IOMMU_PROT_READ));
    CHECK_EQ(m->dma_live_pages, live + 1);
    CHECK_RC(iommu_pgt_unmap(&pgt, 0x40001000, &sz, &fl), IOMMU_EINVAL); /* inside the leaf */
    CHECK_OK(iommu_pgt_unmap(&pgt, 0x40000000, &sz, &fl));
    CHECK_EQ(sz, IOMMU_PGSIZE_1G);
    CHECK_EQ(fl.n, 1);
    iommu_pgt_release(h, &fl);

    /* NAPOT: all 16 cleared; not from the middle */
    CHECK_OK(iommu_pgt_map(&pgt, 0x30000, 0x90030000, IOMMU_PGSIZE_64K, IOMMU_PROT_READ));
    CHECK_RC(iommu_pgt_unmap(&pgt, 0x31000, &sz, &fl), IOMMU_EINVAL);
    CHECK_OK(iommu_pgt_unmap(&pgt, 0x30000, &sz, &fl));
    CHECK_EQ(sz, IOMMU_PGSIZE_64K);
    CHECK_EQ(fl.n, 3);
    iommu_pgt_release(h, &fl);
    CHECK_EQ(m->dma_live_pages, live);

    /* nothing there; no room in the free list */
    CHECK_RC(iommu_pgt_unmap(&pgt, 0x5000, &sz, &fl), IOMMU_ENOENT);
    CHECK_OK(iommu_pgt_map(&pgt, 0x5000, 0x90000000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ));
    fl.n = IOMMU_PGT_FREELIST_MAX - 2;
    CHECK_RC(iommu_pgt_unmap(&pgt, 0x5000, &sz, &fl), IOMMU_ENOSPC);
    CHECK_OK(iommu_pgt_lookup(&pgt, 0x5000, NULL, NULL, NULL));
    fl.n = 0;
    CHECK_OK(iommu_pgt_destroy(&pgt));
    CHECK_EQ(m->dma_live_pages, live - 1);
    t_down(h, m);
    mock_free(m);
}

static void map_errors(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_pgt_t pgt;
    CHECK_OK(iommu_pgt_init(h, &pgt, IOMMU_ATP_MODE_SV39));
    long live = m->dma_live_pages;

    /* overlaps: nothing changes */
    CHECK_OK(iommu_pgt_map(&pgt, 0x200000, 0x90200000, IOMMU_PGSIZE_2M, IOMMU_PROT_READ));
    CHECK_RC(iommu_pgt_map(&pgt, 0x201000, 0x1000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ), IOMMU_EEXIST);
    CHECK_RC(iommu_pgt_map(&pgt, 0x200000, 0x90200000, IOMMU_PGSIZE_2M, IOMMU_PROT_READ),
             IOMMU_EEXIST);
    CHECK_OK(iommu_pgt_map(&pgt, 0x5000, 0x5000, IOMMU_PGSIZE_4K, IOMMU_PROT_READ));
    CHECK_RC(iommu_pgt_map(&pgt, 0, 0, IOMMU_PGSIZE_2M, IOMMU_PROT_READ), IOMMU_EEXIST);
    CHECK_RC(iommu_pgt_map(&pgt, 0, 0, IOMMU_PGSIZE_64K, IOMMU_PROT_READ), IOMMU_EEXIST);
    CHECK_RC(iommu_pgt_map(&pgt, 0, 0, IOMMU_PGSIZE_1G, IOMMU_PROT_READ), IOMMU_EEXIST);
    CHECK_EQ(m->dma_live_pages, live + 2);
    /* arguments */
    CHECK_RC(iommu_pgt_map(&pgt, 0x1000, 0x1000, IOMMU_PGSIZE_4K, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_pgt_map(&pgt, 0x1000, 0x1000, IOMMU_PGSIZE_4K, 8), IOMMU_EINVAL);
    CHECK_RC(iommu_pgt_map(&pgt, 0x1800, 0x1000, IOMMU_PGSIZE_4K, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_pgt_map(&pgt, 0x10000, 0x1000, IOMMU_PGSIZE_64K, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_pgt_map(&pgt, 0x1000, 0x1000, 0x3000, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_pgt_map(&pgt, 1ULL << 38, 0x1000, IOMMU_PGSIZE_4K, 1),
             IOMMU_ERANGE); /* not canonical */
    CHECK_RC(iommu_pgt_map(&pgt, 0x1000, 1ULL << 56, IOMMU_PGSIZE_4K, 1),
             IOMMU_ERANGE); /* beyond PAS */
    CHECK_RC(iommu_pgt_map(NULL, 0x1000, 0x1000, IOMMU_PGSIZE_4K, 1), IOMMU_EINVAL);
    /* the upper canonical half works: root index 256 */
    CHECK_OK(iommu_pgt_map(&pgt, 0xFFFFFFC000000000ULL, 0x1000, IOMMU_PGSIZE_4K, 1));
    CHECK(mock_rd64(m, pgt.root + 8 * 256) & 1);
    CHECK_OK(iommu_pgt_destroy(&pgt));
    CHECK_RC(iommu_pgt_init(h, &pgt, 7), IOMMU_EINVAL);
    t_down(h, m);
    mock_free(m);

    /* Sv57 map needing four new tables: each allocation failing leaves nothing */
    m = mock_new();
    h = t_up(m, NULL);
    CHECK_OK(iommu_pgt_init(h, &pgt, IOMMU_ATP_MODE_SV57));
    live = m->dma_live_pages;
    for (long k = 1; k <= 4; k++) {
        m->fail_alloc_at = m->allocs + k;
        CHECK_RC(iommu_pgt_map(&pgt, 0x1000, 0x1000, IOMMU_PGSIZE_4K, 1), IOMMU_ENOMEM);
        CHECK_EQ(m->dma_live_pages, live);
        CHECK_EQ(mock_rd64(m, pgt.root), 0);
    }
    m->fail_alloc_at = 0;
    CHECK_OK(iommu_pgt_map(&pgt, 0x1000, 0x1000, IOMMU_PGSIZE_4K, 1));
    CHECK_EQ(m->dma_live_pages, live + 4);
    CHECK_OK(iommu_pgt_destroy(&pgt));
    t_down(h, m);
    mock_free(m);
}

void test_pgtable(void) {
    RUN(page_sizes);
    RUN(unmap_frees);
    RUN(map_errors);
}
