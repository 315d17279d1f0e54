/*
 * test_isolation.c - host unit tests of the isolation checker's permission
 * map (tb/isolation.c): directed cases, a random comparison against a
 * byte-array model (which also checks the tree's canonical form: sorted,
 * disjoint, non-empty permissions, equal neighbours merged) and a load test
 * with 100k ranges.  Ends with `N passed, M failed`; exits non-zero on any
 * failure.
 *
 *   gcc -std=c11 -O1 -g -Wall -Wextra -Werror -Itb tb/isolation.c \
 *       tb/host/test_isolation.c -o build/test_isolation
 */
#include "hcase.h"
#include "isolation.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


static uint64_t g_rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

/* ---- canonical-form check ------------------------------------------------------ */

typedef struct { uint64_t lo, hi; unsigned perms; bool first, ok; size_t n; } walk_t;

static void visit(void *ctx, uint64_t lo, uint64_t hi, unsigned perms)
{
    walk_t *w = ctx;
    if (lo > hi || perms == 0u || (perms & ~7u) != 0u)
        w->ok = false;
    if (!w->first) {
        if (lo <= w->hi)                                 /* overlap or out of order */
            w->ok = false;
        if (lo == w->hi + 1u && perms == w->perms)       /* should have been merged */
            w->ok = false;
    }
    w->first = false;
    w->lo = lo;
    w->hi = hi;
    w->perms = perms;
    w->n++;
}

static bool canonical(uint32_t did)
{
    walk_t w = { 0, 0, 0, true, true, 0 };
    iso_foreach(did, visit, &w);
    return w.ok && w.n == iso_count(did);
}

/* ---- directed ------------------------------------------------------------------------ */

static void test_directed(void)
{
    hc_begin("empty map: nothing allowed, 0 bytes always allowed");
    iso_reset();
    CHECK(!iso_check(1, 0x1000, 1, ISO_R));
    CHECK(!iso_check(1, 0x1000, 1, 0));
    CHECK(iso_check(1, 0x1000, 0, ISO_RWX));
    CHECK(!iso_any(1) && iso_count(1) == 0 && iso_total() == 0 && iso_perms(1, 0) == 0);
    iso_revoke(1, 0, 100);                               /* no device: no-op */
    CHECK(!iso_any(1));
    hc_end();

    hc_begin("allow, check each permission, bounds of the range");
    iso_reset();
    iso_allow(5, 0x1000, 0x1000, ISO_R | ISO_W);
    CHECK(iso_check(5, 0x1000, 0x1000, ISO_R));
    CHECK(iso_check(5, 0x1000, 0x1000, ISO_R | ISO_W));
    CHECK(!iso_check(5, 0x1000, 0x1000, ISO_X));
    CHECK(!iso_check(5, 0x1000, 0x1000, ISO_R | ISO_X));
    CHECK(!iso_check(5, 0xfff, 2, ISO_R));
    CHECK(!iso_check(5, 0x1fff, 2, ISO_R));
    CHECK(iso_check(5, 0x1fff, 1, ISO_R));
    CHECK(iso_check(5, 0x1000, 0x1000, 0));
    CHECK(!iso_check(6, 0x1000, 1, ISO_R));              /* other device */
    CHECK(iso_perms(5, 0x1800) == (ISO_R | ISO_W) && iso_perms(5, 0x2000) == 0);
    CHECK(iso_any(5) && !iso_any(6) && iso_count(5) == 1);
    hc_end();

    hc_begin("adjacent ranges with equal permissions merge; different ones do not");
    iso_reset();
    iso_allow(1, 0x1000, 0x1000, ISO_R);
    iso_allow(1, 0x2000, 0x1000, ISO_R);
    CHECK(iso_count(1) == 1 && iso_check(1, 0x1000, 0x2000, ISO_R));
    iso_allow(1, 0x3000, 0x1000, ISO_W);
    CHECK(iso_count(1) == 2);
    CHECK(iso_check(1, 0x2ff8, 16, 0) && !iso_check(1, 0x2ff8, 16, ISO_R));
    iso_allow(1, 0x3000, 0x1000, ISO_R);                 /* now R|W: still 2 */
    CHECK(iso_count(1) == 2 && iso_check(1, 0x1000, 0x3000, ISO_R));
    iso_allow(1, 0x1000, 0x2000, ISO_W);                 /* all R|W: one */
    CHECK(iso_count(1) == 1 && iso_check(1, 0x1000, 0x3000, ISO_R | ISO_W));
    CHECK(canonical(1));
    hc_end();

    hc_begin("allow ORs permissions into part of a range (split in three)");
    iso_reset();
    iso_allow(1, 0, 100, ISO_R);
    iso_allow(1, 40, 20, ISO_X);
    CHECK(iso_count(1) == 3);
    CHECK(iso_perms(1, 39) == ISO_R && iso_perms(1, 40) == (ISO_R | ISO_X));
    CHECK(iso_perms(1, 59) == (ISO_R | ISO_X) && iso_perms(1, 60) == ISO_R);
    CHECK(canonical(1));
    hc_end();

    hc_begin("revoke splits a range; revoke_perms removes only some");
    iso_reset();
    iso_allow(2, 0x10000, 0x10000, ISO_RWX);
    iso_revoke(2, 0x14000, 0x1000);
    CHECK(iso_count(2) == 2);
    CHECK(iso_check(2, 0x10000, 0x4000, ISO_RWX) && !iso_check(2, 0x13fff, 2, ISO_R));
    CHECK(iso_check(2, 0x15000, 0xb000, ISO_RWX) && iso_perms(2, 0x14abc) == 0);
    iso_revoke_perms(2, 0x18000, 0x1000, ISO_W);
    CHECK(iso_count(2) == 4 && iso_perms(2, 0x18000) == (ISO_R | ISO_X));
    iso_revoke(2, 0, 0x18000);
    iso_revoke(2, 0x19000, 0x100000);
    CHECK(iso_count(2) == 1 && iso_check(2, 0x18000, 0x1000, ISO_R | ISO_X));
    iso_revoke_perms(2, 0x18000, 0x1000, ISO_RWX);
    CHECK(!iso_any(2) && iso_count(2) == 0);
    iso_allow(2, 0x100, 0x100, ISO_R);                   /* the device comes back */
    CHECK(iso_any(2));
    iso_clear_device(2);
    CHECK(!iso_any(2));
    hc_end();

    hc_begin("one allow over many ranges and gaps");
    iso_reset();
    for (unsigned k = 0; k < 10; k++)
        iso_allow(3, k * 0x100u, 0x80, k & 1u ? ISO_W : ISO_X);
    CHECK(iso_count(3) == 10);
    iso_allow(3, 0x40, 0x900, ISO_R);
    CHECK(canonical(3));
    CHECK(iso_check(3, 0x40, 0x900, ISO_R));
    CHECK(iso_perms(3, 0x3f) == ISO_X && iso_perms(3, 0x40) == (ISO_R | ISO_X));
    CHECK(iso_perms(3, 0x80) == ISO_R && iso_perms(3, 0x140) == (ISO_R | ISO_W));
    CHECK(iso_perms(3, 0x93f) == (ISO_R | ISO_W) && iso_perms(3, 0x940) == ISO_W);
    CHECK(iso_perms(3, 0x97f) == ISO_W && iso_perms(3, 0x980) == 0);
    iso_revoke(3, 0x50, 0x8f0);                          /* [0x50, 0x93f] */
    CHECK(canonical(3) && iso_perms(3, 0x4f) == (ISO_R | ISO_X) && iso_perms(3, 0x50) == 0);
    CHECK(iso_perms(3, 0x93f) == 0 && iso_perms(3, 0x940) == ISO_W && iso_count(3) == 3);
    hc_end();

    hc_begin("top of the address space: ranges ending at 2^64 - 1, clipping");
    iso_reset();
    iso_allow(4, UINT64_MAX - 0xfff, 0x1000, ISO_R);
    CHECK(iso_check(4, UINT64_MAX, 1, ISO_R) && iso_check(4, UINT64_MAX - 0xfff, 0x1000, ISO_R));
    CHECK(!iso_check(4, UINT64_MAX - 0x1000, 2, ISO_R));
    CHECK(iso_check(4, UINT64_MAX - 7, 100, ISO_R));     /* wraps: clipped at the top */
    iso_allow(4, UINT64_MAX - 0x7ff, 0x10000, ISO_W);    /* clipped */
    CHECK(iso_count(4) == 2 && canonical(4));
    iso_allow(4, 0, UINT64_MAX, ISO_X);                  /* [0, 2^64 - 2] */
    CHECK(iso_perms(4, UINT64_MAX) == (ISO_R | ISO_W) && iso_perms(4, 0) == ISO_X);
    CHECK(iso_perms(4, UINT64_MAX - 1) == (ISO_R | ISO_W | ISO_X) && canonical(4));
    iso_revoke(4, 0, UINT64_MAX);
    CHECK(iso_count(4) == 1 && iso_perms(4, UINT64_MAX) == (ISO_R | ISO_W));
    iso_revoke(4, UINT64_MAX, 1);
    CHECK(!iso_any(4));
    hc_end();

    hc_begin("many devices, including device_id 0 and 0xffffff");
    iso_reset();
    for (uint32_t d = 0; d < 1000; d++)
        iso_allow(d * 16777u % 0x1000000u, d * 0x1000u, 0x1000, ISO_R);
    iso_allow(0xffffff, 0, 1, ISO_W);
    bool all = true;
    for (uint32_t d = 0; d < 1000; d++)
        all = all && iso_check(d * 16777u % 0x1000000u, d * 0x1000u, 0x1000, ISO_R) &&
              !iso_check(d * 16777u % 0x1000000u, d * 0x1000u + 0x1000u, 1, ISO_R);
    CHECK(all);
    CHECK(iso_check(0xffffff, 0, 1, ISO_W) && iso_total() == 1001);
    hc_end();
}

/* ---- random against a byte-array model ---------------------------------------------- */

#define SPACE 2048u
#define NDEV 3u
static uint8_t g_model[NDEV][SPACE];

static void test_random(void)
{
    hc_begin("random operations match a byte-array model (20 rounds x 3000 ops)");
    for (unsigned round = 0; round < 20 && !hc_failed(); round++) {
        iso_reset();
        memset(g_model, 0, sizeof g_model);
        for (unsigned op = 0; op < 3000 && !hc_failed(); op++) {
            uint32_t did = (uint32_t)(rnd() % NDEV);
            uint64_t a = rnd() % SPACE, n = rnd() % 64u;
            if (rnd() % 8u == 0u)
                n = rnd() % 512u;
            if (a + n > SPACE)
                n = SPACE - a;
            unsigned p = (unsigned)(rnd() % 8u), kind = (unsigned)(rnd() % 3u);
            if (kind == 0u) {
                iso_allow(did, a, n, p);
                for (uint64_t i = a; i < a + n; i++)
                    g_model[did][i] |= (uint8_t)p;
            } else if (kind == 1u) {
                iso_revoke(did, a, n);
                memset(&g_model[did][a], 0, (size_t)n);
            } else {
                iso_revoke_perms(did, a, n, p);
                for (uint64_t i = a; i < a + n; i++)
                    g_model[did][i] &= (uint8_t)~p;
            }
            /* a random check of each kind */
            uint64_t ca = rnd() % SPACE, cn = 1u + rnd() % 64u;
            if (ca + cn > SPACE)
                cn = SPACE - ca;
            unsigned need = (unsigned)(rnd() % 8u);
            bool want = true;
            for (uint64_t i = ca; i < ca + cn; i++)
                if ((g_model[did][i] & need) != need || g_model[did][i] == 0u)
                    want = false;
            CHECK(iso_check(did, ca, cn, need) == want);
            if (op % 100u == 99u) {
                bool same = true;
                size_t runs = 0;
                for (uint64_t i = 0; i < SPACE; i++) {
                    same = same && iso_perms(did, i) == g_model[did][i];
                    if (g_model[did][i] != 0u && (i == 0u || g_model[did][i - 1u] != g_model[did][i]))
                        runs++;
                }
                CHECK(same);
                CHECK(canonical(did));
                CHECK(iso_count(did) == runs);           /* canonical form is unique */
            }
        }
    }
    hc_end();
}

/* ---- load ---------------------------------------------------------------------------------- */

static void test_load(void)
{
    hc_begin("100k ranges over 8 devices, 400k checks, 20k revokes");
    iso_reset();
    clock_t t0 = clock();
    enum { N = 100000 };
    static uint64_t base[N];
    for (unsigned k = 0; k < N; k++) {
        base[k] = (rnd() % (1ull << 36)) & ~0xfffull;
        /* odd devices: scattered ranges, even: adjacent pages of alternating perms */
        uint32_t did = k % 8u;
        if (did % 2u == 0u)
            base[k] = (uint64_t)k * 0x1000u;
        iso_allow(did, base[k], 0x1000, did % 2u == 0u ? 1u + (k / 8u) % 2u : ISO_RWX);
    }
    size_t total = iso_total();
    CHECK(total > 90000u && total <= (size_t)N);
    bool ok = true;
    for (unsigned k = 0; k < 400000u; k++) {
        unsigned i = (unsigned)(rnd() % N);
        uint32_t did = i % 8u;
        uint64_t off = rnd() % 0x1000u, n = 1u + rnd() % (0x1000u - off);
        ok = ok && iso_check(did, base[i] + off, n, did % 2u == 0u ? 1u + (i / 8u) % 2u : ISO_R);
    }
    CHECK(ok);
    for (unsigned k = 0; k < 20000u; k++) {
        unsigned i = (unsigned)(rnd() % N);
        iso_revoke(i % 8u, base[i] + 0x800u, 8);
        ok = ok && !iso_check(i % 8u, base[i], 0x1000, 0);
    }
    CHECK(ok);
    for (uint32_t d = 0; d < 8; d++)
        CHECK(canonical(d));
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("  load: %zu ranges, %.2f s\n", iso_total(), secs);
    hc_end();
    iso_reset();
}

int main(void)
{
    test_directed();
    test_random();
    test_load();
    iso_reset();
    return hc_summary();
}
