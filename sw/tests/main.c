/*
 * main.c - runs every host test of the driver library; prints failures and a
 * one-line summary; exit status 1 when anything failed.
 */
#include <stdlib.h>

#include "test.h"

unsigned t_checks, t_fails, t_tests, t_failed_tests;

iommu_t *t_up(mock_t *m, const iommu_config_t *cfg) {
    iommu_platform_t p = mock_platform(m);
    iommu_t *h = NULL;
    int rc = iommu_init(&p, cfg, &h);
    CHECK_OK(rc);
    if (rc) {
        printf("  bring-up failed: %s (last violation: %s)\n", iommu_strerror(rc),
               m->last_violation);
        exit(1);
    }
    return h;
}

void t_clean(mock_t *m) {
    CHECK_EQ(m->host_live, 0);
    CHECK_EQ(m->dma_live_pages, 0);
    CHECK_EQ(m->violations, 0);
    if (m->violations) printf("  last violation: %s\n", m->last_violation);
}

void t_down(iommu_t *h, mock_t *m) {
    CHECK_OK(iommu_fini(h));
    t_clean(m);
}

iommu_info_t t_info(iommu_t *h) {
    iommu_info_t i;
    CHECK_OK(iommu_get_info(h, &i));
    return i;
}

size_t t_ncmds(const mock_t *m, size_t from) { return m->ncmds - from; }

void t_expect_log(const mock_t *m, size_t from, const t_acc_t *e, size_t n, const char *what) {
    size_t got = m->nlog - from;
    bool ok = got == n;
    for (size_t i = 0; ok && i < n; i++) {
        const mock_access_t *a = &m->log[from + i];
        if (a->op != e[i].op || a->size != e[i].size || a->off != e[i].off ||
            (e[i].chk && a->val != e[i].val)) {
            printf("  %s: access %zu is %c%u 0x%03x 0x%" PRIx64 ", expected %c%u 0x%03x", what, i,
                   a->op, a->size, a->off, a->val, e[i].op, e[i].size, e[i].off);
            if (e[i].chk) printf(" 0x%" PRIx64, e[i].val);
            printf("\n");
            ok = false;
        }
    }
    t_checks++;
    if (!ok) {
        t_fails++;
        printf("  %s: %zu accesses, expected %zu; log:\n", what, got, n);
        mock_log_dump(m, from);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    test_pool();
    test_hw();
    test_queue();
    test_ddt();
    test_pgtable();
    test_domain();
    test_iova();
    test_dma();
    test_linux();
    printf("sw-test: %u tests, %u checks, %u failed tests, %u failed checks\n", t_tests, t_checks,
           t_failed_tests, t_fails);
    return t_fails ? 1 : 0;
}
