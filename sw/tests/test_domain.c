/*
 * test_domain.c - domains: PSCIDs, attach/detach in the spec's safe order,
 * page-size choice, exactly the invalidations an unmap needs, freeing of
 * tables only after the fence, error paths.
 */
#include "test.h"

/* IOTINVAL.VMA, GV=0, from the spec's layout (opcode 1, AV 10, PSCID 31:12, PSCV 32). */
static uint64_t vma0(int av, uint64_t pscid) {
    return 1u | (uint64_t)av << 10 | pscid << 12 | 1ULL << 32;
}
static uint64_t vma1(uint64_t addr) { return (addr >> 12) << 10; }
/* IODIR.INVAL_DDT DV=1 */
static uint64_t ddt1(uint64_t did) { return 3u | 1ULL << 33 | did << 40; }
static bool is_fence(uint64_t dw0) { return (dw0 & 0x3ff) == 2; }

static iommu_domain_t *paging(iommu_t *h) {
    iommu_domain_t *d = NULL;
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &d));
    return d;
}

static uint32_t pscid_of(iommu_domain_t *d) {
    iommu_domain_info_t i;
    CHECK_OK(iommu_domain_get_info(d, &i));
    return i.pscid;
}

/* Physical address of did's DC in a 3LVL base-format directory. */
static uint64_t dc_pa(const mock_t *m, uint64_t root, uint32_t did) {
    uint64_t e2 = mock_rd64(m, root + 8 * (did >> 16));
    uint64_t e1 = mock_rd64(m, ((e2 >> 10) << 12) + 8 * ((did >> 7) & 0x1ff));
    return ((e1 >> 10) << 12) + 32 * (did & 0x7f);
}

static void domain_basics(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *a = paging(h), *b = paging(h), *c, *x;
    CHECK_EQ(pscid_of(a), 1);
    CHECK_EQ(pscid_of(b), 2);
    CHECK_OK(iommu_domain_free(a));
    c = paging(h);
    CHECK_EQ(pscid_of(c), 1); /* reused */
    iommu_domain_info_t i;
    CHECK_OK(iommu_domain_get_info(c, &i));
    CHECK_EQ(i.type, IOMMU_DOMAIN_PAGING);
    CHECK_EQ(i.atp_mode, IOMMU_ATP_MODE_SV39);
    CHECK_EQ(i.va_bits, 39);
    CHECK_EQ(i.pgsizes, IOMMU_PGSIZE_4K | IOMMU_PGSIZE_64K | IOMMU_PGSIZE_2M | IOMMU_PGSIZE_1G);
    CHECK_RC(iommu_domain_alloc(h, IOMMU_DOMAIN_IDENTITY, 8, &x), IOMMU_EINVAL);
    CHECK_RC(iommu_domain_alloc(h, (iommu_domain_type_t)7, 0, &x), IOMMU_EINVAL);
    CHECK_RC(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 11, &x), IOMMU_EINVAL);
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, IOMMU_ATP_MODE_SV57, &x));
    CHECK_OK(iommu_domain_free(x));
    CHECK_OK(iommu_domain_free(b));
    CHECK_OK(iommu_domain_free(c));
    t_down(h, m);
    mock_free(m);

    /* PSCIDs run out */
    m = mock_new();
    iommu_config_t cfg = {.max_pscid = 2};
    h = t_up(m, &cfg);
    a = paging(h);
    b = paging(h);
    CHECK_RC(iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, 0, &c), IOMMU_ENOSPC);
    CHECK_OK(iommu_domain_free(a));
    CHECK_OK(iommu_domain_free(b));
    t_down(h, m);
    mock_free(m);
}

/* First attach (DC invalid -> valid): body, wmb, tc; then INVAL_DDT + fence. */
static void attach_first(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d = paging(h);
    iommu_domain_info_t di;
    CHECK_OK(iommu_domain_get_info(d, &di));
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_attach_device(d, 5));
    uint64_t pa = dc_pa(m, t_info(h).ddt_root, 5);
    CHECK_EQ(mock_rd64(m, pa), 1);
    CHECK_EQ(mock_rd64(m, pa + 8), 0);
    CHECK_EQ(mock_rd64(m, pa + 16), (uint64_t)di.pscid << 12);
    CHECK_EQ(mock_rd64(m, pa + 24), (8ULL << 60) | (di.root >> 12));
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0], ddt1(5));
    CHECK(is_fence(m->cmds[c0 + 1].dw[0]));
    long tc = mock_memw_last(m, pa), body = mock_memw_last(m, pa + 24);
    CHECK(body < tc && m->memw[tc].event < m->cmds[c0].event);
    CHECK_OK(iommu_attach_device(d, 5)); /* already there: nothing */
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_OK(iommu_domain_get_info(d, &di));
    CHECK_EQ(di.ndevices, 1);
    CHECK_RC(iommu_domain_free(d), IOMMU_EBUSY);
    CHECK_RC(iommu_detach_device(d, 6), IOMMU_ENOENT);
    CHECK_OK(iommu_detach_device(d, 5));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* Moving a device between translating domains (valid -> valid). */
static void attach_move(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *a = paging(h), *b = paging(h);
    uint32_t pa_id = pscid_of(a), pb_id = pscid_of(b);
    CHECK_OK(iommu_attach_device(a, 9));
    uint64_t pa = dc_pa(m, t_info(h).ddt_root, 9);
    size_t c0 = m->ncmds, w0 = m->nmemw;
    CHECK_OK(iommu_attach_device(b, 9));
    /* 1. tc with V = 0 */
    CHECK(m->nmemw > w0 && m->memw[w0].pa == pa && m->memw[w0].val == 0);
    /* 2. INVAL_DDT(9), IOTINVAL.VMA PSCV=1 for the OLD PSCID, fence */
    CHECK_EQ(t_ncmds(m, c0), 5);
    CHECK_EQ(m->cmds[c0].dw[0], ddt1(9));
    CHECK_EQ(m->cmds[c0 + 1].dw[0], vma0(0, pa_id));
    CHECK_EQ(m->cmds[c0 + 1].dw[1], 0);
    CHECK(is_fence(m->cmds[c0 + 2].dw[0]));
    CHECK(m->memw[w0].event < m->cmds[c0].event);
    /* 3. the new DC, written only after that fence, tc (V = 1) last */
    long body = mock_memw_last(m, pa + 16), tc = mock_memw_last(m, pa);
    CHECK(body > (long)w0 && m->memw[body].event > m->cmds[c0 + 2].event);
    CHECK(tc > body);
    CHECK_EQ(mock_rd64(m, pa + 16), (uint64_t)pb_id << 12);
    CHECK_EQ(mock_rd64(m, pa), 1);
    /* 4. INVAL_DDT(9) + fence after it */
    CHECK_EQ(m->cmds[c0 + 3].dw[0], ddt1(9));
    CHECK(is_fence(m->cmds[c0 + 4].dw[0]));
    CHECK(m->cmds[c0 + 3].event > m->memw[tc].event);
    iommu_domain_info_t i;
    CHECK_OK(iommu_domain_get_info(a, &i));
    CHECK_EQ(i.ndevices, 0);
    CHECK_OK(iommu_domain_free(a));
    CHECK_RC(iommu_detach_device(b, 10), IOMMU_ENOENT);
    CHECK_OK(iommu_detach_device(b, 9));
    CHECK_OK(iommu_domain_free(b));
    t_down(h, m);
    mock_free(m);
}

/* A departure whose invalidation failed is invalidated again on the retry. */
static void departure_retry(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.timeout_us = 10};
    iommu_t *h = t_up(m, &cfg);
    iommu_domain_t *a = paging(h), *b = paging(h);
    CHECK_OK(iommu_attach_device(a, 9));
    m->exec = MOCK_EXEC_NEVER;
    CHECK_RC(iommu_attach_device(b, 9), IOMMU_ETIMEDOUT);
    iommu_domain_info_t i;
    CHECK_OK(iommu_domain_get_info(a, &i));
    CHECK_EQ(i.ndevices, 1); /* still counted in a: its PSCID is not known clean */
    m->exec = MOCK_EXEC_ON_CQH_READ;
    CHECK_OK(iommu_cq_sync(h)); /* the stuck commands run now */
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_attach_device(b, 9));
    CHECK(t_ncmds(m, c0) >= 2);
    CHECK_EQ(m->cmds[c0].dw[0], ddt1(9));
    CHECK_EQ(m->cmds[c0 + 1].dw[0], vma0(0, pscid_of(a)));
    CHECK_OK(iommu_domain_get_info(a, &i));
    CHECK_EQ(i.ndevices, 0);
    /* the same for detach */
    m->exec = MOCK_EXEC_NEVER;
    CHECK_RC(iommu_detach_device(b, 9), IOMMU_ETIMEDOUT);
    m->exec = MOCK_EXEC_ON_CQH_READ;
    c0 = m->ncmds;
    CHECK_OK(iommu_detach_device(b, 9));
    bool seen = false;
    for (size_t k = c0; k < m->ncmds; k++)
        seen |= m->cmds[k].dw[0] == vma0(0, pscid_of(b));
    CHECK(seen);
    CHECK_OK(iommu_domain_free(a));
    CHECK_OK(iommu_domain_free(b));
    t_down(h, m);
    mock_free(m);
}

static void identity_blocked(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *id, *bl, *pg = paging(h);
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_IDENTITY, 0, &id));
    CHECK_OK(iommu_domain_alloc(h, IOMMU_DOMAIN_BLOCKED, 0, &bl));
    CHECK_OK(iommu_attach_device(id, 3));
    uint64_t pa = dc_pa(m, t_info(h).ddt_root, 3), phys;
    CHECK_EQ(mock_rd64(m, pa), 1);      /* V */
    CHECK_EQ(mock_rd64(m, pa + 24), 0); /* iosatp Bare */
    CHECK_OK(iommu_iova_to_phys(id, 0x12345678, &phys));
    CHECK_EQ(phys, 0x12345678);
    CHECK_RC(iommu_map(id, 0, 0, 4096, IOMMU_PROT_READ), IOMMU_EINVAL);
    CHECK_RC(iommu_iova_to_phys(bl, 0, &phys), IOMMU_EINVAL);

    /* identity -> blocked: V = 0; INVAL_DDT only (iosatp was Bare), fence */
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_attach_device(bl, 3));
    CHECK_EQ(mock_rd64(m, pa) & 1, 0);
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0], ddt1(3));
    CHECK(is_fence(m->cmds[c0 + 1].dw[0]));
    /* blocked -> paging: the DC was invalid, no invalidation before */
    c0 = m->ncmds;
    CHECK_OK(iommu_attach_device(pg, 3));
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0], ddt1(3));
    /* paging -> blocked: the old PSCID is invalidated */
    c0 = m->ncmds;
    CHECK_OK(iommu_attach_device(bl, 3));
    CHECK_EQ(t_ncmds(m, c0), 3);
    CHECK_EQ(m->cmds[c0 + 1].dw[0], vma0(0, pscid_of(pg)));
    /* detach from blocked: bookkeeping only */
    c0 = m->ncmds;
    CHECK_OK(iommu_detach_device(bl, 3));
    CHECK_EQ(t_ncmds(m, c0), 0);
    CHECK_OK(iommu_domain_free(id));
    CHECK_OK(iommu_domain_free(bl));
    CHECK_OK(iommu_domain_free(pg));
    t_down(h, m);
    mock_free(m);
}

static void map_sizes(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d = paging(h);
    uint64_t phys, sz;
    const uint64_t off = 0x80000000ULL; /* phys = iova + off: same alignment */
    CHECK_OK(iommu_map(d, 0x1FF000, 0x1FF000 + off, 0x212000, IOMMU_PROT_READ | IOMMU_PROT_WRITE));
    static const struct {
        uint64_t va, size;
    } want[] = {{0x1FF000, IOMMU_PGSIZE_4K},  {0x200000, IOMMU_PGSIZE_2M},
                {0x3FF000, IOMMU_PGSIZE_2M},  {0x400000, IOMMU_PGSIZE_64K},
                {0x40F000, IOMMU_PGSIZE_64K}, {0x410000, IOMMU_PGSIZE_4K}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        iommu_domain_info_t di;
        CHECK_OK(iommu_domain_get_info(d, &di));
        iommu_pgt_t pgt = {.h = h, .mode = di.atp_mode, .levels = 3, .root = di.root};
        CHECK_OK(iommu_pgt_lookup(&pgt, want[i].va + 0x10, &phys, &sz, NULL));
        CHECK_EQ(sz, want[i].size);
        CHECK_EQ(phys, want[i].va + 0x10 + off);
    }
    CHECK_OK(iommu_iova_to_phys(d, 0x410123, &phys));
    CHECK_EQ(phys, 0x410123 + off);
    CHECK_RC(iommu_iova_to_phys(d, 0x411000, &phys), IOMMU_ENOENT);
    CHECK_RC(iommu_iova_to_phys(d, 0x1FE000, &phys), IOMMU_ENOENT);
    /* different alignment of iova and phys: 4 KiB pages only */
    CHECK_OK(iommu_map(d, 0x10000000, 0x90011000, 0x20000, IOMMU_PROT_READ));
    iommu_domain_info_t di;
    CHECK_OK(iommu_domain_get_info(d, &di));
    iommu_pgt_t pgt = {.h = h, .mode = di.atp_mode, .levels = 3, .root = di.root};
    CHECK_OK(iommu_pgt_lookup(&pgt, 0x1001F000, &phys, &sz, NULL));
    CHECK_EQ(sz, IOMMU_PGSIZE_4K);
    CHECK_EQ(phys, 0x90030000);
    /* overlap: refused, and nothing of the new range stays mapped */
    CHECK_RC(iommu_map(d, 0x0FFF0000, 0x90000000, 0x20000, IOMMU_PROT_READ), IOMMU_EEXIST);
    CHECK_RC(iommu_iova_to_phys(d, 0x0FFF0000, &phys), IOMMU_ENOENT);
    CHECK_OK(iommu_iova_to_phys(d, 0x10000000, &phys));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* Freed tables are still allocated when the fence runs. */
static uint64_t watch_page;
static int watch_seen, watch_still_allocated;
static void watch_fence(mock_t *m, const mock_cmd_t *c) {
    if (!is_fence(c->dw[0]) || !watch_page) return;
    uint64_t i = (watch_page - MOCK_MEM_BASE) / 4096;
    watch_seen++;
    watch_still_allocated += (int)((m->bitmap[i / 64] >> (i % 64)) & 1);
}

static void unmap_invalidation(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.inval_threshold = 20};
    iommu_t *h = t_up(m, &cfg);
    iommu_domain_t *d = paging(h);
    uint32_t id = pscid_of(d);
    CHECK_OK(iommu_attach_device(d, 1));
    /* a keeper page so that no table empties */
    CHECK_OK(iommu_map(d, 0x1f0000, 0x90000000, 0x1000, IOMMU_PROT_READ));

    /* three pages: one IOTINVAL.VMA AV=1 PSCV=1 each, then IOFENCE.C */
    CHECK_OK(iommu_map(d, 0x1000, 0x90001000, 0x3000, IOMMU_PROT_READ));
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x1000, 0x3000));
    CHECK_EQ(t_ncmds(m, c0), 4);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(m->cmds[c0 + i].dw[0], vma0(1, id));
        CHECK_EQ(m->cmds[c0 + i].dw[1], vma1(0x1000 + 0x1000 * i));
    }
    CHECK_EQ(m->cmds[c0 + 3].dw[0] & 0x3fff, 0x3402); /* AV PR PW */

    /* a 64 KiB NAPOT page: all 16 of its 4 KiB pages */
    CHECK_OK(iommu_map(d, 0x10000, 0x90010000, 0x10000, IOMMU_PROT_READ));
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x10000, 0x10000));
    CHECK_EQ(t_ncmds(m, c0), 17);
    CHECK_EQ(m->cmds[c0 + 15].dw[1], vma1(0x1F000));

    /* a 2 MiB page: one command for its single PTE */
    CHECK_OK(iommu_map(d, 0x400000, 0x90400000, 0x200000, IOMMU_PROT_READ));
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x400000, 0x200000));
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[1], vma1(0x400000));

    /* more than the threshold: one per-PSCID IOTINVAL.VMA (AV=0) */
    CHECK_OK(
        iommu_map(d, 0x100000, 0x90100000, 0x30000, IOMMU_PROT_READ)); /* 3 x 64K: 48 commands */
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x100000, 0x30000));
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0], vma0(0, id));
    CHECK_EQ(m->cmds[c0].dw[1], 0);

    /* holes are fine; nothing mapped: no command */
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x800000, 0x400000));
    CHECK_EQ(t_ncmds(m, c0), 0);

    /* a table empties: per-PSCID (a non-leaf entry may be cached) and the
     * table is freed only after the fence completed */
    iommu_domain_info_t di;
    CHECK_OK(iommu_domain_get_info(d, &di));
    CHECK_OK(iommu_map(d, 0x40000000, 0x90000000, 0x1000, IOMMU_PROT_READ));
    uint64_t e2 = mock_rd64(m, di.root + 8 * 1);
    watch_page = (e2 >> 10) << 12; /* the level-1 table under root[1] */
    long live = m->dma_live_pages;
    m->on_cmd = watch_fence;
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x40000000, 0x1000));
    m->on_cmd = NULL;
    CHECK_EQ(t_ncmds(m, c0), 2);
    CHECK_EQ(m->cmds[c0].dw[0], vma0(0, id));
    CHECK_EQ(watch_seen, 1);
    CHECK_EQ(watch_still_allocated, 1);
    CHECK_EQ(m->dma_live_pages, live - 2);
    CHECK_EQ(mock_rd64(m, di.root + 8), 0);
    watch_page = 0;

    /* a leaf crossing the range's end: refused, nothing changed */
    CHECK_OK(iommu_map(d, 0x600000, 0x90600000, 0x200000, IOMMU_PROT_READ));
    c0 = m->ncmds;
    size_t w0 = m->nmemw;
    CHECK_RC(iommu_unmap(d, 0x600000, 0x1000), IOMMU_EINVAL);
    CHECK_RC(iommu_unmap(d, 0x5FF000, 0x2000), IOMMU_EINVAL);
    CHECK_EQ(t_ncmds(m, c0), 0);
    CHECK_EQ(m->nmemw, w0);
    CHECK_OK(iommu_unmap(d, 0x5FF000, 0x201000));

    /* no device attached: no command at all (the detach invalidated the PSCID) */
    CHECK_OK(iommu_detach_device(d, 1));
    c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x1f0000, 0x1000));
    CHECK_EQ(t_ncmds(m, c0), 0);
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* The invalidation fails: the PTEs are gone but the tables are kept until a
 * later (per-PSCID) invalidation succeeds. */
static void unmap_inval_failure(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.timeout_us = 10};
    iommu_t *h = t_up(m, &cfg);
    iommu_domain_t *d = paging(h);
    CHECK_OK(iommu_attach_device(d, 1));
    CHECK_OK(iommu_map(d, 0x1000, 0x90000000, 0x1000, IOMMU_PROT_READ));
    long live = m->dma_live_pages;
    m->exec = MOCK_EXEC_NEVER;
    CHECK_RC(iommu_unmap(d, 0x1000, 0x1000), IOMMU_ETIMEDOUT);
    uint64_t phys;
    CHECK_RC(iommu_iova_to_phys(d, 0x1000, &phys), IOMMU_ENOENT);
    CHECK_EQ(m->dma_live_pages, live); /* tables held */
    m->exec = MOCK_EXEC_ON_CQH_READ;
    size_t c0 = m->ncmds;
    CHECK_OK(iommu_unmap(d, 0x1000, 0x1000)); /* nothing mapped, but stale */
    /* the queued commands of the failed call run first, then the retry's */
    bool pscid_wide = false;
    for (size_t i = c0; i < m->ncmds; i++)
        if (m->cmds[i].dw[0] == vma0(0, pscid_of(d))) pscid_wide = true;
    CHECK(pscid_wide);
    CHECK_EQ(m->dma_live_pages, live - 2);
    CHECK_OK(iommu_detach_device(d, 1));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

static void errors_touch_nothing(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_domain_t *d = paging(h);
    CHECK_OK(iommu_attach_device(d, 1));
    size_t n = m->nlog, w = m->nmemw, c = m->ncmds;
    uint64_t phys;
    CHECK_RC(iommu_map(NULL, 0, 0, 4096, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0x800, 0, 4096, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0, 0x800, 4096, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0, 0, 0, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0, 0, 4095, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0, 0, 4096, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0, 0, 4096, 16), IOMMU_EINVAL);
    CHECK_RC(iommu_map(d, 0x3FFFFFF000ULL, 0, 0x2000, 1),
             IOMMU_ERANGE); /* crosses the canonical hole */
    CHECK_RC(iommu_map(d, 0xFFFFFFFFFFFFF000ULL, 0, 0x2000, 1), IOMMU_ERANGE); /* wraps */
    CHECK_RC(iommu_map(d, 0, 0xFFFFFFFFFFFFF000ULL, 0x1000, 1), IOMMU_ERANGE);
    CHECK_RC(iommu_unmap(d, 0x800, 4096), IOMMU_EINVAL);
    CHECK_RC(iommu_unmap(d, 0, 0), IOMMU_EINVAL);
    CHECK_RC(iommu_unmap(NULL, 0, 4096), IOMMU_EINVAL);
    CHECK_RC(iommu_iova_to_phys(d, 0, NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_iova_to_phys(d, 1ULL << 40, &phys), IOMMU_ERANGE);
    CHECK_RC(iommu_attach_device(NULL, 1), IOMMU_EINVAL);
    CHECK_RC(iommu_attach_device(d, 1u << 24), IOMMU_ERANGE);
    CHECK_RC(iommu_detach_device(d, 1u << 24), IOMMU_ERANGE);
    CHECK_RC(iommu_domain_free(NULL), IOMMU_EINVAL);
    CHECK_RC(iommu_domain_get_info(d, NULL), IOMMU_EINVAL);
    CHECK_EQ(m->nlog, n);
    CHECK_EQ(m->nmemw, w);
    CHECK_EQ(m->ncmds, c);
    CHECK_OK(iommu_detach_device(d, 1));
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);

    /* no directory (Bare): attach is IOMMU_ENODEV */
    m = mock_new();
    iommu_config_t cfg = {.ddt_mode = IOMMU_DDT_CFG_BARE};
    h = t_up(m, &cfg);
    d = paging(h);
    CHECK_RC(iommu_attach_device(d, 1), IOMMU_ENODEV);
    CHECK_OK(iommu_domain_free(d));
    t_down(h, m);
    mock_free(m);
}

/* Every allocation of a map / attach failing in turn: error, nothing left. */
static void alloc_failures(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    long host0 = m->host_live, dma0 = m->dma_live_pages;
    for (long k = 1;; k++) {
        long base = m->allocs;
        iommu_domain_t *d = NULL;
        m->fail_alloc_at = base + k;
        int rc = iommu_domain_alloc(h, IOMMU_DOMAIN_PAGING, IOMMU_ATP_MODE_SV48, &d);
        if (!rc) rc = iommu_attach_device(d, 0x120000 + (uint32_t)k);
        if (!rc) rc = iommu_map(d, 0x7f0000000000ULL - 0x1000, 0x90000000, 0x3000, IOMMU_PROT_READ);
        bool injected = m->allocs >= base + k;
        m->fail_alloc_at = 0;
        if (!injected) { /* every allocation has had its turn */
            CHECK_OK(rc);
        } else {
            CHECK_RC(rc, IOMMU_ENOMEM);
            uint64_t phys;
            if (d) CHECK_RC(iommu_iova_to_phys(d, 0x7f0000000000ULL - 0x1000, &phys), IOMMU_ENOENT);
        }
        if (d) {
            int r2 = iommu_detach_device(d, 0x120000 + (uint32_t)k);
            CHECK(r2 == IOMMU_OK || r2 == IOMMU_ENOENT);
            CHECK_OK(iommu_domain_free(d));
        }
        CHECK_EQ(m->host_live, host0);
        if (!injected) break;
        CHECK(k < 40);
        if (k >= 40) break;
    }
    (void)dma0; /* directory pages stay: they belong to the directory */
    t_down(h, m);
    mock_free(m);
}

/* no_cq: everything works, no command is ever queued. */
static void without_cq(void) {
    mock_t *m = mock_new();
    iommu_config_t cfg = {.no_cq = true};
    iommu_t *h = t_up(m, &cfg);
    iommu_domain_t *a = paging(h), *b = paging(h);
    CHECK_OK(iommu_attach_device(a, 1));
    CHECK_OK(iommu_map(a, 0, 0x90000000, 0x10000, IOMMU_PROT_READ));
    CHECK_OK(iommu_unmap(a, 0, 0x10000));
    CHECK_OK(iommu_attach_device(b, 1));
    CHECK_OK(iommu_detach_device(b, 1));
    CHECK_EQ(m->ncmds, 0);
    CHECK(mock_log_find(m, 0, 'W', IOMMU_REG_CQT) < 0);
    CHECK_OK(iommu_domain_free(a));
    CHECK_OK(iommu_domain_free(b));
    t_down(h, m);
    mock_free(m);
}

void test_domain(void) {
    RUN(domain_basics);
    RUN(attach_first);
    RUN(attach_move);
    RUN(departure_retry);
    RUN(identity_blocked);
    RUN(map_sizes);
    RUN(unmap_invalidation);
    RUN(unmap_inval_failure);
    RUN(errors_touch_nothing);
    RUN(alloc_failures);
    RUN(without_cq);
}
