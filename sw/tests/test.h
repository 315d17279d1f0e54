/*
 * test.h - a minimal test harness for the driver's host tests.
 */
#ifndef TEST_H
#define TEST_H

#include <inttypes.h>
#include <stdio.h>

#include "iommu_drv.h"
#include "mock.h"

extern unsigned t_checks, t_fails, t_tests, t_failed_tests;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        t_checks++;                                                                                \
        if (!(cond)) {                                                                             \
            t_fails++;                                                                             \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                      \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                           \
        t_checks++;                                                                                \
        if (a_ != b_) {                                                                            \
            t_fails++;                                                                             \
            printf("  %s:%d: %s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n", __FILE__,         \
                   __LINE__, #a, #b, a_, b_);                                                      \
        }                                                                                          \
    } while (0)

/* A status call must return `want`. */
#define CHECK_RC(expr, want)                                                                       \
    do {                                                                                           \
        int got_ = (expr), want_ = (want);                                                         \
        t_checks++;                                                                                \
        if (got_ != want_) {                                                                       \
            t_fails++;                                                                             \
            printf("  %s:%d: %s returned %d (%s), expected %d (%s)\n", __FILE__, __LINE__, #expr,  \
                   got_, iommu_strerror(got_), want_, iommu_strerror(want_));                      \
        }                                                                                          \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, IOMMU_OK)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        unsigned f0_ = t_fails;                                                                    \
        t_tests++;                                                                                 \
        fn();                                                                                      \
        if (t_fails != f0_) {                                                                      \
            t_failed_tests++;                                                                      \
            printf("FAIL %s\n", #fn);                                                              \
        }                                                                                          \
    } while (0)

/* ---- helpers (common.c) ---- */
/* Bring an IOMMU up on m (cfg may be NULL); checks success. */
iommu_t *t_up(mock_t *m, const iommu_config_t *cfg);
/* iommu_fini, then check: no host or DMA memory left, no rule violated. */
void t_down(iommu_t *h, mock_t *m);
/* No leak and no violation on m (after an error path). */
void t_clean(mock_t *m);
iommu_info_t t_info(iommu_t *h);
/* Commands executed since index `from` */
size_t t_ncmds(const mock_t *m, size_t from);

/* Expected register access: op 'R'/'W', size, offset; val checked when chk. */
typedef struct {
    char op;
    uint8_t size;
    uint32_t off;
    int chk;
    uint64_t val;
} t_acc_t;
/* The log from `from` on must be exactly e[0..n). */
void t_expect_log(const mock_t *m, size_t from, const t_acc_t *e, size_t n, const char *what);

void test_hw(void);
void test_queue(void);
void test_ddt(void);
void test_pgtable(void);
void test_domain(void);
void test_iova(void);
void test_dma(void);
void test_pool(void);
void test_linux(void);

#endif
