/* isolation.c - per-device permission map (see isolation.h). */
#include "isolation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    uint64_t lo, hi;          /* [lo, hi], inclusive */
    unsigned perms;           /* never 0 in the tree */
    uint32_t prio;
    struct node *l, *r;
} node_t;

typedef struct {
    uint32_t did;
    bool used;
    node_t *root;
    size_t count;
} device_t;

static device_t *g_devs;        /* open addressing, power-of-two capacity */
static size_t g_cap, g_ndev;
static uint32_t g_prng = 0x9e3779b9u;
static node_t **g_tmp;        /* scratch list for updates */
static size_t g_tmp_cap;

static void *xalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "isolation: out of host memory\n");
        exit(3);
    }
    return p;
}

static uint32_t next_prio(void)
{
    g_prng ^= g_prng << 13;
    g_prng ^= g_prng >> 17;
    g_prng ^= g_prng << 5;
    return g_prng;
}

/* ---- treap --------------------------------------------------------------- */

static void free_tree(node_t *t)
{
    while (t != NULL) {
        free_tree(t->l);
        node_t *r = t->r;
        free(t);
        t = r;
    }
}

/* Split t into nodes with lo < key (*a) and lo >= key (*b). */
static void split(node_t *t, uint64_t key, node_t **a, node_t **b)
{
    if (t == NULL) {
        *a = *b = NULL;
    } else if (t->lo < key) {
        split(t->r, key, &t->r, b);
        *a = t;
    } else {
        split(t->l, key, a, &t->l);
        *b = t;
    }
}

/* Every key of a is below every key of b. */
static node_t *merge(node_t *a, node_t *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (a->prio > b->prio) {
        a->r = merge(a->r, b);
        return a;
    }
    b->l = merge(a, b->l);
    return b;
}

/* The node with the greatest lo <= x, or NULL. */
static node_t *floor_node(node_t *t, uint64_t x)
{
    node_t *best = NULL;
    while (t != NULL) {
        if (t->lo <= x) {
            best = t;
            t = t->r;
        } else {
            t = t->l;
        }
    }
    return best;
}

static node_t *new_node(uint64_t lo, uint64_t hi, unsigned perms)
{
    node_t *n = xalloc(sizeof *n);
    n->lo = lo;
    n->hi = hi;
    n->perms = perms;
    n->prio = next_prio();
    n->l = n->r = NULL;
    return n;
}

static void tmp_push(node_t *n, size_t *k)
{
    if (*k == g_tmp_cap) {
        size_t cap = g_tmp_cap != 0u ? 2u * g_tmp_cap : 64u;
        node_t **p = realloc(g_tmp, cap * sizeof *p);
        if (p == NULL) {
            fprintf(stderr, "isolation: out of host memory\n");
            exit(3);
        }
        g_tmp = p;
        g_tmp_cap = cap;
    }
    g_tmp[(*k)++] = n;
}

/* Append the nodes of t to g_tmp in order, detaching them. */
static void collect(node_t *t, size_t *k)
{
    while (t != NULL) {
        collect(t->l, k);
        node_t *r = t->r;
        t->l = t->r = NULL;
        tmp_push(t, k);
        t = r;
    }
}

static node_t *pop_max(node_t **t)
{
    node_t **p = t;
    if (*p == NULL)
        return NULL;
    while ((*p)->r != NULL)
        p = &(*p)->r;
    node_t *n = *p;
    *p = n->l;
    n->l = NULL;
    return n;
}

static node_t *pop_min(node_t **t)
{
    node_t **p = t;
    if (*p == NULL)
        return NULL;
    while ((*p)->l != NULL)
        p = &(*p)->l;
    node_t *n = *p;
    *p = n->r;
    n->r = NULL;
    return n;
}

/* ---- devices ---------------------------------------------------------------- */

static size_t hash_did(uint32_t did) { return (size_t)((did * 0x9e3779b1u) >> 7); }

static device_t *find_dev(uint32_t did, bool create)
{
    if (create && 2u * (g_ndev + 1u) > g_cap) {
        device_t *old = g_devs;
        size_t n = g_cap;
        g_cap = g_cap != 0u ? 2u * g_cap : 64u;
        g_devs = xalloc(g_cap * sizeof *g_devs);
        memset(g_devs, 0, g_cap * sizeof *g_devs);
        for (size_t i = 0; i < n; i++) {
            if (!old[i].used)
                continue;
            size_t j = hash_did(old[i].did) & (g_cap - 1u);
            while (g_devs[j].used)
                j = (j + 1u) & (g_cap - 1u);
            g_devs[j] = old[i];
        }
        free(old);
    }
    if (g_cap == 0u)
        return NULL;
    size_t j = hash_did(did) & (g_cap - 1u);
    while (g_devs[j].used) {
        if (g_devs[j].did == did)
            return &g_devs[j];
        j = (j + 1u) & (g_cap - 1u);
    }
    if (!create)
        return NULL;
    g_devs[j].used = true;
    g_devs[j].did = did;
    g_devs[j].root = NULL;
    g_devs[j].count = 0;
    g_ndev++;
    return &g_devs[j];
}

/* ---- the one update primitive ------------------------------------------------ */

/* On [lo, hi]: perms = (perms | set) & ~clear, byte by byte. */
static void update(uint32_t did, uint64_t pa, uint64_t len, unsigned set, unsigned clear)
{
    if (len == 0u)
        return;
    set &= ISO_RWX;
    uint64_t lo = pa, hi = pa + (len - 1u);
    if (hi < lo)
        hi = UINT64_MAX;                               /* clip at 2^64 - 1 */
    device_t *d = find_dev(did, set != 0u);
    if (d == NULL)
        return;

    /* Cut the tree into L (lo < range), M (starting inside), R (after). */
    node_t *left, *mid, *right = NULL;
    split(d->root, lo, &left, &mid);
    if (hi != UINT64_MAX)
        split(mid, hi + 1u, &mid, &right);

    /* An interval of L that reaches into the range: cut off its tail. */
    size_t k = 0;
    node_t *lmax = pop_max(&left);
    if (lmax != NULL && lmax->hi >= lo) {
        uint64_t end = lmax->hi;
        lmax->hi = lo - 1u;
        tmp_push(new_node(lo, end, lmax->perms), &k);
        d->count++;
    }
    collect(mid, &k);
    /* The last collected interval may run past hi: split it for R. */
    node_t *rmin = NULL;
    if (k > 0u && g_tmp[k - 1u]->hi > hi) {
        node_t *t = g_tmp[k - 1u];
        rmin = new_node(hi + 1u, t->hi, t->perms);
        t->hi = hi;
        d->count++;
    } else {
        rmin = pop_min(&right);
    }

    /* Rebuild [lo, hi]: the new list of intervals, old nodes reused or freed. */
    size_t nold = k;
    node_t *built = NULL, *last = lmax;  /* last = the interval just before */
    uint64_t cur = lo;
    bool done = false;
    size_t idx = 0;
    while (!done) {
        uint64_t seg_lo, seg_hi;
        unsigned perms;
        node_t *reuse = NULL;
        if (idx < nold && g_tmp[idx]->lo == cur) {      /* an existing interval */
            reuse = g_tmp[idx++];
            seg_lo = reuse->lo;
            seg_hi = reuse->hi;
            perms = (reuse->perms | set) & ~clear;
        } else {                                         /* a gap */
            seg_lo = cur;
            seg_hi = idx < nold ? g_tmp[idx]->lo - 1u : hi;
            perms = set & ~clear;
        }
        if (seg_hi == hi)
            done = true;
        else
            cur = seg_hi + 1u;
        if (perms == 0u) {
            if (reuse != NULL) {
                free(reuse);
                d->count--;
            }
            continue;
        }
        if (last != NULL && last->perms == perms && last->hi + 1u == seg_lo) {
            last->hi = seg_hi;                           /* extend the previous one */
            if (reuse != NULL) {
                free(reuse);
                d->count--;
            }
            continue;
        }
        if (last != NULL && last != lmax)
            built = merge(built, last);
        if (reuse == NULL) {
            reuse = new_node(seg_lo, seg_hi, perms);
            d->count++;
        }
        reuse->perms = perms;
        last = reuse;
    }
    /* The interval just after may now join the last one. */
    if (rmin != NULL && last != NULL && last->perms == rmin->perms && last->hi + 1u == rmin->lo) {
        last->hi = rmin->hi;
        free(rmin);
        d->count--;
        rmin = NULL;
    }
    if (last != NULL && last != lmax)
        built = merge(built, last);
    if (lmax != NULL) {
        lmax->l = lmax->r = NULL;
        left = merge(left, lmax);
    }
    if (rmin != NULL) {
        rmin->l = rmin->r = NULL;
        right = merge(rmin, right);
    }
    d->root = merge(merge(left, built), right);
}

/* ---- API ------------------------------------------------------------------------ */

void iso_reset(void)
{
    for (size_t i = 0; i < g_cap; i++)
        if (g_devs[i].used)
            free_tree(g_devs[i].root);
    free(g_devs);
    free(g_tmp);
    g_devs = NULL;
    g_tmp = NULL;
    g_cap = g_ndev = g_tmp_cap = 0;
    g_prng = 0x9e3779b9u;
}

void iso_allow(uint32_t did, uint64_t pa, uint64_t len, unsigned perms)
{
    update(did, pa, len, perms & ISO_RWX, 0);
}

void iso_revoke(uint32_t did, uint64_t pa, uint64_t len)
{
    update(did, pa, len, 0, ISO_RWX);
}

void iso_revoke_perms(uint32_t did, uint64_t pa, uint64_t len, unsigned perms)
{
    update(did, pa, len, 0, perms & ISO_RWX);
}

void iso_clear_device(uint32_t did)
{
    device_t *d = find_dev(did, false);
    if (d == NULL)
        return;
    free_tree(d->root);
    d->root = NULL;
    d->count = 0;
}

bool iso_check(uint32_t did, uint64_t pa, uint64_t len, unsigned need)
{
    if (len == 0u)
        return true;
    uint64_t end = pa + (len - 1u);
    if (end < pa)
        end = UINT64_MAX;
    device_t *d = find_dev(did, false);
    if (d == NULL)
        return false;
    uint64_t cur = pa;
    for (;;) {
        node_t *n = floor_node(d->root, cur);
        if (n == NULL || n->hi < cur || (n->perms & need) != need)
            return false;
        if (n->hi >= end)
            return true;
        cur = n->hi + 1u;
    }
}

unsigned iso_perms(uint32_t did, uint64_t pa)
{
    device_t *d = find_dev(did, false);
    if (d == NULL)
        return 0;
    node_t *n = floor_node(d->root, pa);
    return n != NULL && n->hi >= pa ? n->perms : 0u;
}

bool iso_any(uint32_t did)
{
    device_t *d = find_dev(did, false);
    return d != NULL && d->root != NULL;
}

size_t iso_count(uint32_t did)
{
    device_t *d = find_dev(did, false);
    return d != NULL ? d->count : 0u;
}

size_t iso_total(void)
{
    size_t n = 0;
    for (size_t i = 0; i < g_cap; i++)
        if (g_devs[i].used)
            n += g_devs[i].count;
    return n;
}

static void visit(const node_t *t, iso_visit_fn fn, void *ctx)
{
    while (t != NULL) {
        visit(t->l, fn, ctx);
        fn(ctx, t->lo, t->hi, t->perms);
        t = t->r;
    }
}

void iso_foreach(uint32_t did, iso_visit_fn fn, void *ctx)
{
    device_t *d = find_dev(did, false);
    if (d != NULL)
        visit(d->root, fn, ctx);
}
