/*
 * test_iova.c - the IOVA allocator: alignment, no overlap, lowest fit, reuse
 * after free, reservations, exhaustion, a random run checked against a
 * shadow list, allocation failure.
 */
#include <stdlib.h>

#include "test.h"

static void iova_basics(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_iova_t *ia;
    uint64_t a, b, c, d;
    CHECK_OK(iommu_iova_create(h, 0x100000, 0x100000, &ia)); /* [1 MiB, 2 MiB) */
    CHECK_OK(iommu_iova_alloc(ia, 1, 0, &a));
    CHECK_EQ(a, 0x100000);
    CHECK_OK(iommu_iova_alloc(ia, 0x1001, 0, &b)); /* rounded to 8 KiB */
    CHECK_EQ(b, 0x101000);
    CHECK_OK(iommu_iova_alloc(ia, 0x1000, 0x10000, &c));
    CHECK_EQ(c, 0x110000);
    CHECK_OK(iommu_iova_alloc(ia, 0x1000, 0, &d));
    CHECK_EQ(d, 0x103000); /* lowest fit: the gap below c */
    CHECK_OK(iommu_iova_free(ia, b));
    CHECK_OK(iommu_iova_alloc(ia, 0x2000, 0, &b));
    CHECK_EQ(b, 0x101000); /* reused */
    CHECK_RC(iommu_iova_free(ia, 0x102000), IOMMU_ENOENT);
    CHECK_RC(iommu_iova_alloc(ia, 0x100000, 0, &a), IOMMU_ENOSPC);
    CHECK_RC(iommu_iova_alloc(ia, 0x1000, 3, &a), IOMMU_EINVAL);
    CHECK_RC(iommu_iova_alloc(ia, 0, 0, &a), IOMMU_EINVAL);
    /* reservations */
    CHECK_RC(iommu_iova_reserve(ia, 0x110000, 0x1000), IOMMU_EEXIST);
    CHECK_RC(iommu_iova_reserve(ia, 0x1ff000, 0x2000), IOMMU_ERANGE);
    CHECK_OK(iommu_iova_reserve(ia, 0x104000, 0xc000));
    CHECK_OK(iommu_iova_alloc(ia, 0x1000, 0, &a));
    CHECK_EQ(a, 0x111000);
    /* fill up exactly */
    CHECK_OK(iommu_iova_alloc(ia, 0x200000 - 0x112000, 0, &a));
    CHECK_EQ(a, 0x112000);
    CHECK_RC(iommu_iova_alloc(ia, 0x1000, 0, &a), IOMMU_ENOSPC);
    CHECK_OK(iommu_iova_free(ia, 0x104000)); /* the reservation */
    CHECK_OK(iommu_iova_alloc(ia, 0x8000, 0x8000, &a));
    CHECK_EQ(a, 0x108000);
    /* node allocation failure */
    m->fail_alloc_at = m->allocs + 1;
    CHECK_RC(iommu_iova_alloc(ia, 0x1000, 0, &a), IOMMU_ENOMEM);
    m->fail_alloc_at = 0;
    iommu_iova_destroy(ia);
    CHECK_RC(iommu_iova_create(h, 0x800, 0x1000, &ia), IOMMU_EINVAL);
    CHECK_RC(iommu_iova_create(h, 0, 0, &ia), IOMMU_EINVAL);

    /* the top of the address space */
    CHECK_OK(iommu_iova_create(h, 0xFFFFFFFFFFFF0000ULL, 0x10000, &ia));
    CHECK_OK(iommu_iova_alloc(ia, 0x8000, 0x8000, &a));
    CHECK_OK(iommu_iova_alloc(ia, 0x8000, 0, &b));
    CHECK_EQ(b, 0xFFFFFFFFFFFF8000ULL);
    CHECK_RC(iommu_iova_alloc(ia, 0x1000, 0, &c), IOMMU_ENOSPC);
    iommu_iova_destroy(ia);
    t_down(h, m);
    mock_free(m);
}

/* Random allocate/free, checked against a shadow list: every range inside
 * the window, aligned, disjoint from every other live range. */
static void iova_random(void) {
    mock_t *m = mock_new();
    iommu_t *h = t_up(m, NULL);
    iommu_iova_t *ia;
    const uint64_t base = 0x40000000, size = 0x4000000; /* 64 MiB */
    CHECK_OK(iommu_iova_create(h, base, size, &ia));
    enum { N = 64 };
    uint64_t start[N] = {0}, len[N] = {0};
    unsigned seed = 12345, fails = 0;
    for (int it = 0; it < 4000; it++) {
        seed = seed * 1103515245u + 12345u;
        unsigned slot = (seed >> 8) % N;
        if (len[slot]) {
            CHECK_OK(iommu_iova_free(ia, start[slot]));
            len[slot] = 0;
            continue;
        }
        uint64_t sz = ((seed >> 16) % 64 + 1) * 0x1000, align = 0x1000ULL << ((seed >> 24) % 8);
        uint64_t a;
        int rc = iommu_iova_alloc(ia, sz, align, &a);
        if (rc == IOMMU_ENOSPC) {
            fails++;
            continue;
        }
        CHECK_OK(rc);
        CHECK(a >= base && a + sz <= base + size);
        CHECK_EQ(a % align, 0);
        for (unsigned j = 0; j < N; j++)
            if (len[j]) CHECK(a + sz <= start[j] || start[j] + len[j] <= a);
        start[slot] = a;
        len[slot] = sz;
    }
    CHECK_EQ(fails, 0);
    iommu_iova_destroy(ia); /* frees the live nodes too */
    t_down(h, m);
    mock_free(m);
}

void test_iova(void) {
    RUN(iova_basics);
    RUN(iova_random);
}
