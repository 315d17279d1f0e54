/* cqrace.c - cq_race: software unmaps, remaps, maps, invalidates and fences
 * through the command queue while devices keep DMA flowing through the same
 * pages (RISC-V IOMMU v1.0, "Command-Queue (CQ)" and "Guidelines for
 * invalidations").
 *
 * Set-up: a 1LVL directory with 4 devices in 3 domains (devices 0 and 1 share
 * one Sv39 table and its PSCID; 2 and 3 have their own), the fault queue and
 * the command queue on.  Each domain has a pool of IOVA pages (4 KiB leaves),
 * each mapped to a distinct physical page of a shared pool or unmapped.
 *
 * Devices: random reads and writes (single beats and INCR bursts inside one
 * 4 KiB page), several AXI IDs, to random pages of their pool (mapped or not),
 * to pages software just changed, and to stray IOVAs, continuously, with
 * random latency, jitter, back-pressure, reordering and R-beat interleaving
 * on the memory ports.
 *
 * Software, a state machine stepped from the main loop between cycles (the
 * devices keep going while it waits on a register): unmap (clear the leaf PTE,
 * then IOTINVAL.VMA), remap (a new leaf with another physical page, then
 * IOTINVAL.VMA), map (a leaf where there was none: no invalidation, the spec
 * forbids caching invalid PTEs), spurious IOTINVAL.VMAs, IOFENCE.C with PR=PW=1
 * (AV=1 writing a flag that software polls in memory, or AV=0 and software
 * polls cqh) after one or more groups, cqt writes now or later.  Every
 * IOTINVAL.VMA that follows a change covers its page: AV=1 PSCV=1 (exact),
 * AV=1 PSCV=0, AV=0 PSCV=1 or AV=0 PSCV=0, at random.  A physical page given
 * up by an unmap or remap goes back to the free pool only when the fence after
 * its invalidation has completed (unmap, invalidate, fence, reuse); a reused
 * page may go to another domain.  A remap replaces a valid leaf with another
 * valid one before the invalidation: the queue chapter's note says "either the
 * old translation or the new translation will be used", which is what this
 * test accepts; the software guidelines call such in-place changes (other than
 * page promotion/demotion) implementation-defined, so a different IOMMU might
 * define them otherwise.
 *
 * Rules checked (each page of each domain keeps a history of its states: what
 * memory held from which cycle to which, and until when the old translation
 * may still be used):
 *   - a translation may reach the memory port only while it is usable: from
 *     the store that made it to the completion of the IOFENCE.C after the
 *     IOTINVAL that followed the store that replaced it ("either the old or
 *     the new translation": both are legal in between);
 *   - a fault is legal only when the page was unmapped (or its translation
 *     lacks the permission) at some cycle between the request's arrival and
 *     its answer; a map is exact for requests that arrive after the store;
 *   - every memory-port AR/AW is matched, in AXI order (per ID for reads, AW
 *     order for writes), to its device request: the physical address, offset,
 *     length, size and AxUSER must be the ones of a usable translation; the
 *     requests it overtook must have faulted;
 *   - isolation (tb/isolation.c): every memory-port burst touches only bytes
 *     its device (AxUSER) may touch at that cycle: a page is revoked from the
 *     cycle its fence completes (the AV write is presented on the
 *     data-structure port, or a cqh read shows the fence passed);
 *   - PR=PW=1: when a fence completes, no read (last R) or write (B) of a
 *     device to a page that fence revokes is still outstanding at memory;
 *   - every response is OKAY exactly when the request reached memory, SLVERR
 *     (every beat) otherwise; each SLVERR has exactly one fault record (cause
 *     13/15, TTYP 2/3, the device, iotval = the IOVA) and each record one
 *     SLVERR (multiset);
 *   - the IOMMU writes on the data-structure port only fault records and fence
 *     flags, and a fence flag only its 4 bytes;
 *   - at the end: cqcsr has no error bit, cqh == cqt, nothing left unmatched,
 *     no AXI protocol violation.
 *
 * The run stops after CQ_RACE_INVALS IOTINVAL.VMA commands completed (a fence
 * after them completed; default 2000; `make soak` sets 300).  A command queue
 * that does not move is reported as such (a probe fence first, then a timeout
 * per fence).  With CQ_RACE_TRACE set, every software action and fence
 * completion is printed with its cycle.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isolation.h"
#include "rng.h"
#include "tutil.h"

#define TABLE_BASE 0x0000000080000000ull     /* directory and page tables */
#define CQ_BASE    0x0000000060000000ull     /* command queue: 256 x 16 B = 4 KiB */
#define CQ_LOG2    8
#define CQ_N       (1u << CQ_LOG2)
#define CQ_MASK    (CQ_N - 1)
#define FLAG_BASE  0x0000000068000000ull     /* IOFENCE.C AV=1 flags: 256 slots of 16 B */
#define FLAG_SLOTS 256u
#define FQ_BASE    0x0000000070000000ull
#define FQ_LOG2    12                         /* 4096 records */
#define DATA_BASE  0x0000000100000000ull     /* the physical pages DMA may reach */

#define NDEV  4
#define NDOM  3
#define POOL  16      /* IOVA pages per domain */
#define NPA   80      /* physical pages */
#define NIDS  8
#define HN    32      /* states kept per page */
#define TXR   (1u << 16)
#define GUARD 0xa5u
#define INF   UINT64_MAX

#define FENCE_TIMEOUT 200000ull   /* cycles a fence may take before the queue counts as stuck */
#define PROBE_TIMEOUT 20000ull

/* ---- state ------------------------------------------------------------------ */
typedef struct {
    bool mapped;
    uint64_t pa;
    unsigned perms;          /* ISO_R / ISO_W */
    uint64_t t0;             /* cycle of the store that made this state */
    uint64_t t1;             /* cycle of the store that ended it (INF: current) */
    uint64_t tu;             /* mapped: last cycle its translation may reach memory */
} pstate_t;

typedef struct {
    uint64_t iova, pte;      /* page IOVA and its leaf PTE's address */
    bool mapped;             /* what memory holds now */
    uint64_t pa;
    unsigned perms;
    bool busy;               /* a change waits for its fence (software's view) */
    pstate_t h[HN];
    uint64_t nh;             /* states pushed; h[k % HN] */
} page_t;

typedef struct {
    uint32_t pscid;
    uint64_t root;
    unsigned ndev, dev[NDEV];
    page_t pg[POOL];
} dom_t;

typedef struct {
    uint32_t did;
    unsigned dom;
} rdev_t;

enum { TX_FREE, TX_PEND, TX_MEM, TX_SKIP, TX_FAULTED };
typedef struct {
    int st;
    bool in_q, done;
    dma_txn_t *t;            /* the device master's, until it is taken back */
    uint64_t tag, t_addr, pa;
    unsigned dev, dom, len, size, id;
    int page;                /* pool index, -1 = stray IOVA */
    uint64_t iova, user;
    bool write;
} tx_t;

typedef struct {
    uint64_t *v;
    size_t head, n, cap;
} tq_t;

typedef struct {             /* a transaction outstanding at the memory port */
    uint64_t id, pa, t;
    uint32_t did;
    bool write;
} mout_t;

typedef struct {
    unsigned seq;
    uint32_t idx;            /* its command-queue index */
    bool av;
    uint64_t flag;           /* AV=1: flag address, data = seq */
    uint64_t t_sub, t_hw;
    bool hw_done;
    uint64_t invals_before;  /* IOTINVALs put before it */
} fence_t;

typedef struct {             /* an unmap or remap waiting for its fence */
    unsigned dom, pg;
    uint64_t hidx;           /* the replaced state */
    uint64_t old_pa;
    unsigned fence;          /* 0: no fence yet */
    bool revoked;
} change_t;

typedef struct {
    unsigned cause, ttyp;
    uint32_t did;
    uint64_t iotval;
} fkey_t;

typedef struct {
    fkey_t *v;
    size_t n, cap;
} fset_t;

static struct {
    rdev_t dev[NDEV];
    dom_t dom[NDOM];
    uint64_t free_pa[NPA];
    unsigned nfree;
    tx_t *tx;
    uint64_t next_tag;
    tq_t rq[NIDS], wq;
    mout_t *mo;
    size_t nmo, capmo;
    /* command queue, software side */
    uint32_t cq_rung, cq_head_seen;   /* the tail itself is tutil's (cq_put, cq_tail) */
    fence_t fence[16];
    unsigned nfence, fence_seq;
    change_t chg[64];
    unsigned nchg;
    uint64_t invals_put, invals_done, invals_unfenced;
    bool ds_aw_seen;
    uint64_t sw_wait, next_poll, next_fq;
    unsigned hot[8][2], nhot;
    unsigned depth, batch, gap;
    int last_dom, last_pg;   /* the page of the latest DMA: unmapped under traffic */
    /* fault records */
    fset_t resp_faults, recs;
    uint32_t fq_head;
    bool trace;
    bool sets;               /* cq_race_sets: every pool page in one of two IOTLB sets */
    /* counters */
    uint64_t n_dma, n_ok, n_fault, n_stray, n_unmap, n_remap, n_map, n_spurious, n_fences, n_fence_av;
    uint64_t n_inval_kind[4], n_stale, n_race_fault, n_skip, n_mem_checked, n_cqh_reads, n_records;
} S;

static const char *const kind_name[4] = {"AV=1,PSCV=1", "AV=1,PSCV=0", "AV=0,PSCV=1", "AV=0,PSCV=0"};

#define TRACE(...)                                                        \
    do {                                                                  \
        if (S.trace) {                                                    \
            printf("%" PRIu64 " ", tb_now());                             \
            printf(__VA_ARGS__);                                          \
            printf("\n");                                                 \
        }                                                                 \
    } while (0)

/* ---- small containers ---------------------------------------------------------- */
static void tq_push(tq_t *q, uint64_t v) {
    if (q->head + q->n == q->cap) {
        if (q->head) {
            memmove(q->v, q->v + q->head, q->n * sizeof *q->v);
            q->head = 0;
        } else {
            q->cap = q->cap ? 2 * q->cap : 64;
            q->v = realloc(q->v, q->cap * sizeof *q->v);
            if (!q->v) abort();
        }
    }
    q->v[q->head + q->n++] = v;
}

static tx_t *tq_tx(const tq_t *q, size_t i) { return &S.tx[q->v[q->head + i] % TXR]; }

static void tq_drop_front(tq_t *q, size_t k) {
    q->head += k;
    q->n -= k;
}

static void fset_add(fset_t *s, fkey_t k) {
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) abort();
    }
    s->v[s->n++] = k;
}

static bool fset_take(fset_t *s, fkey_t k) {
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].cause == k.cause && s->v[i].ttyp == k.ttyp && s->v[i].did == k.did &&
            s->v[i].iotval == k.iotval) {
            s->v[i] = s->v[--s->n];
            return true;
        }
    return false;
}

/* A faulted response and a record meet in either order. */
static void fault_response(fkey_t k) {
    if (!fset_take(&S.recs, k)) fset_add(&S.resp_faults, k);
}
static void fault_record(fkey_t k) {
    if (!fset_take(&S.resp_faults, k)) fset_add(&S.recs, k);
}

/* ---- page histories --------------------------------------------------------------- */
static pstate_t *hist(page_t *p, uint64_t k) { return &p->h[k % HN]; }

static void push_state(page_t *p, bool mapped, uint64_t pa, unsigned perms, uint64_t now) {
    if (p->nh) hist(p, p->nh - 1)->t1 = now;
    pstate_t *s = hist(p, p->nh++);
    *s = (pstate_t){mapped, pa, perms, now, INF, INF};
    p->mapped = mapped;
    p->pa = pa;
    p->perms = perms;
}

/* The states to look at: every one kept; false when a request older than the
 * oldest kept state might need a dropped one. */
static bool hist_range(const page_t *p, uint64_t since, uint64_t *lo) {
    *lo = p->nh > HN ? p->nh - HN : 0;
    return p->nh <= HN || p->h[*lo % HN].t0 <= since;
}

/* May a request of [a, b] (arrival .. decision) fault with this page's history? */
static bool fault_ok(page_t *p, unsigned need, uint64_t a, uint64_t b) {
    uint64_t lo;
    if (!hist_range(p, a, &lo))
        tb_fail(__FILE__, __LINE__, "page %#" PRIx64 ": history too short for a request of cycle %" PRIu64,
                p->iova, a);
    for (uint64_t k = lo; k < p->nh; k++) {
        const pstate_t *s = hist(p, k);
        if (!s->mapped && s->t0 <= b && a < s->t1) return true;
        if (s->mapped && (s->perms & need) != need && s->t0 <= b && a <= s->tu) return true;
    }
    return false;
}

/* The state whose translation to `pa` may reach memory at cycle `now`, or NULL. */
static const pstate_t *usable(page_t *p, uint64_t pa, unsigned need, uint64_t a, uint64_t now) {
    uint64_t lo;
    if (!hist_range(p, a, &lo))
        tb_fail(__FILE__, __LINE__, "page %#" PRIx64 ": history too short for a request of cycle %" PRIu64,
                p->iova, a);
    for (uint64_t k = lo; k < p->nh; k++) {
        const pstate_t *s = hist(p, k);
        if (s->mapped && s->pa == pa && (s->perms & need) == need && s->t0 <= now && now <= s->tu)
            return s;
    }
    return NULL;
}

static void describe(page_t *p, char *buf, size_t n) {
    size_t u = 0;
    uint64_t lo;
    hist_range(p, 0, &lo);
    buf[0] = 0;
    if (p->nh > 4 && p->nh - 4 > lo) lo = p->nh - 4;   /* the last four */
    for (uint64_t k = lo; k < p->nh && u + 120 < n; k++) {
        const pstate_t *s = hist(p, k);
        if (s->mapped)
            u += (size_t)snprintf(buf + u, n - u, " [pa %#" PRIx64 " %s from %" PRIu64 " stored-over %" PRId64
                                  " usable-to %" PRId64 "]", s->pa, s->perms & ISO_W ? "rw" : "r", s->t0,
                                  s->t1 == INF ? -1 : (int64_t)s->t1, s->tu == INF ? -1 : (int64_t)s->tu);
        else
            u += (size_t)snprintf(buf + u, n - u, " [unmapped from %" PRIu64 " to %" PRId64 "]", s->t0,
                                  s->t1 == INF ? -1 : (int64_t)s->t1);
    }
}

/* ---- memory-port checks (the observer) ------------------------------------------- */
static uint64_t tx_taddr(const tx_t *e) { return e->t ? e->t->t_addr : e->t_addr; }

static void tx_release(tx_t *e) {
    if (!e->in_q && e->done) e->st = TX_FREE;
}

/* Drop the faulted entries at the front of a queue. */
static void tq_clean(tq_t *q) {
    while (q->n && tq_tx(q, 0)->st == TX_FAULTED) {
        tx_t *e = tq_tx(q, 0);
        e->in_q = false;
        tx_release(e);
        tq_drop_front(q, 1);
    }
}

static bool tx_matches(tx_t *e, uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned prot,
                       uint64_t user, uint64_t now) {
    if (e->user != user || e->len != len || e->size != size || burst != 1 || prot != 0) return false;
    if ((addr & 0xfff) != (e->iova & 0xfff) || e->page < 0) return false;
    page_t *p = &S.dom[e->dom].pg[e->page];
    return usable(p, addr & ~0xfffull, e->write ? ISO_W : ISO_R, tx_taddr(e), now) != NULL;
}

static void mem_request(bool write, const axi_port_t *m, uint64_t now) {
    uint64_t id = write ? m->awid : m->arid, addr = write ? m->awaddr : m->araddr;
    uint64_t user = write ? m->awuser : m->aruser;
    unsigned len = write ? m->awlen : m->arlen, size = write ? m->awsize : m->arsize;
    unsigned burst = write ? m->awburst : m->arburst, prot = write ? m->awprot : m->arprot;
    uint32_t did = (uint32_t)(user & 0xffffff);
    const char *ch = write ? "write" : "read";
    S.n_mem_checked++;

    /* isolation at this cycle */
    uint64_t n = (uint64_t)(len + 1) << size;
    if (!iso_check(did, addr, n, write ? ISO_W : ISO_R))
        tb_fail(__FILE__, __LINE__, "isolation: device %#x %s [%#" PRIx64 ", +%" PRIu64 ") at the memory "
                "port without permission at cycle %" PRIu64, did, ch, addr, n, now);

    /* the device request it belongs to */
    tq_t *q = write ? &S.wq : &S.rq[id % NIDS];
    size_t i;
    bool found = false;
    for (i = 0; i < q->n; i++) {
        tx_t *e = tq_tx(q, i);
        if (e->st == TX_FAULTED) continue;
        uint64_t ta = tx_taddr(e);
        if (!ta) break;   /* not at the IOMMU yet */
        if (tx_matches(e, addr, len, size, burst, prot, user, now)) {
            found = true;
            break;
        }
        page_t *p = e->page >= 0 ? &S.dom[e->dom].pg[e->page] : NULL;
        if (p && !fault_ok(p, e->write ? ISO_W : ISO_R, ta, now)) {
            char buf[600];
            describe(p, buf, sizeof buf);
            tb_fail(__FILE__, __LINE__, "cycle %" PRIu64 ": memory-port %s %#" PRIx64 " (len %u size %u user %#"
                    PRIx64 ") is not the translation of the oldest %s in flight%s (iova %#" PRIx64 ", device %#x, "
                    "len %u size %u, arrived cycle %" PRIu64 ") which may not fault; its page:%s", now, ch, addr,
                    len, size, user, ch, write ? "" : " of its ID", e->iova, S.dev[e->dev].did, e->len, e->size,
                    ta, buf);
            return;
        }
    }
    if (!found) {
        tb_fail(__FILE__, __LINE__, "cycle %" PRIu64 ": memory-port %s %#" PRIx64 " (id %" PRIu64 " len %u size %u "
                "user %#" PRIx64 ") matches no device request in flight with a usable translation", now, ch, addr,
                id, len, size, user);
        return;
    }
    for (size_t j = 0; j <= i; j++) {
        tx_t *e = tq_tx(q, j);
        e->in_q = false;
        if (j == i) {
            e->st = TX_MEM;
            e->pa = addr & ~0xfffull;
            const pstate_t *s = usable(&S.dom[e->dom].pg[e->page], e->pa, write ? ISO_W : ISO_R, tx_taddr(e), now);
            if (s && s->t1 <= now) S.n_stale++;   /* the old translation, after the store that replaced it */
        } else if (e->st == TX_PEND) {
            e->st = TX_SKIP;   /* it faulted; its SLVERR comes later */
            S.n_skip++;
        }
        tx_release(e);
    }
    tq_drop_front(q, i + 1);
    tq_clean(q);

    if (S.nmo == S.capmo) {
        S.capmo = S.capmo ? 2 * S.capmo : 64;
        S.mo = realloc(S.mo, S.capmo * sizeof *S.mo);
        if (!S.mo) abort();
    }
    S.mo[S.nmo++] = (mout_t){id, addr & ~0xfffull, now, did, write};
}

static void mem_complete(bool write, uint64_t id) {
    for (size_t i = 0; i < S.nmo; i++)
        if (S.mo[i].write == write && S.mo[i].id == id) {
            memmove(S.mo + i, S.mo + i + 1, (S.nmo - i - 1) * sizeof *S.mo);
            S.nmo--;
            return;
        }
    tb_fail(__FILE__, __LINE__, "memory-port %s response of ID %" PRIu64 " with none outstanding",
            write ? "write" : "read", id);
}

/* ---- fences -------------------------------------------------------------------- */
/* The hardware completed every fence up to seq at cycle `when`: the old
 * translations they cover may not reach memory from `when` on. */
static void hw_complete(unsigned seq, uint64_t when) {
    for (unsigned f = 0; f < S.nfence; f++) {
        fence_t *fe = &S.fence[f];
        if (fe->seq > seq || fe->hw_done) continue;
        fe->hw_done = true;
        fe->t_hw = when;
        TRACE("fence %u (index %u%s) completed, %" PRIu64 " cycles after its cqt write", fe->seq, fe->idx,
              fe->av ? ", AV" : "", when - fe->t_sub);
    }
    for (unsigned c = 0; c < S.nchg; c++) {
        change_t *ch = &S.chg[c];
        if (!ch->fence || ch->fence > seq || ch->revoked) continue;
        ch->revoked = true;
        dom_t *d = &S.dom[ch->dom];
        page_t *p = &d->pg[ch->pg];
        if (p->nh - ch->hidx <= HN) hist(p, ch->hidx)->tu = when - 1;
        for (unsigned k = 0; k < d->ndev; k++) {
            uint32_t did = S.dev[d->dev[k]].did;
            iso_revoke(did, ch->old_pa, 4096);
            /* PR = PW = 1: nothing of it may still be in flight at memory */
            for (size_t i = 0; i < S.nmo; i++)
                if (S.mo[i].did == did && S.mo[i].pa == ch->old_pa)
                    tb_fail(__FILE__, __LINE__, "IOFENCE.C (PR=PW=1) %u completed at cycle %" PRIu64 " while device "
                            "%#x's %s of revoked page %#" PRIx64 " (iova %#" PRIx64 ", issued at cycle %" PRIu64 ") "
                            "is still outstanding at the memory port", seq, when, did,
                            S.mo[i].write ? "write" : "read", ch->old_pa, p->iova, S.mo[i].t);
        }
    }
}

/* Software saw every fence up to seq complete: reuse their pages. */
static void sw_complete(unsigned seq) {
    uint64_t now = tb_now();
    hw_complete(seq, now);   /* no-op for fences whose completion was seen on the port */
    unsigned k = 0;
    for (unsigned f = 0; f < S.nfence; f++) {
        fence_t *fe = &S.fence[f];
        if (fe->seq > seq) {
            S.fence[k++] = *fe;
            continue;
        }
        if (fe->invals_before > S.invals_done) S.invals_done = fe->invals_before;
        if (fe->av) {   /* the flag: 4 bytes, nothing around it */
            uint64_t slot = fe->flag & ~15ull;
            for (unsigned b = 0; b < 16; b++) {
                uint64_t a = slot + b;
                if (a >= fe->flag && a < fe->flag + 4) continue;
                CHECK(tb_mem_load(a, 1) == GUARD, "IOFENCE.C %u: the flag write at %#" PRIx64 " changed byte %#"
                      PRIx64, fe->seq, fe->flag, a);
            }
        }
    }
    S.nfence = k;
    k = 0;
    for (unsigned c = 0; c < S.nchg; c++) {
        change_t *ch = &S.chg[c];
        if (!ch->fence || ch->fence > seq) {
            S.chg[k++] = *ch;
            continue;
        }
        S.free_pa[S.nfree++] = ch->old_pa;
        S.dom[ch->dom].pg[ch->pg].busy = false;
    }
    S.nchg = k;
}

/* A write the IOMMU starts on the data-structure port. */
static void ds_write(uint64_t addr, unsigned len, unsigned size, uint64_t now) {
    if (addr >= FQ_BASE && addr < FQ_BASE + (32ull << FQ_LOG2)) return;
    if (addr >= FLAG_BASE && addr < FLAG_BASE + 16ull * FLAG_SLOTS) {
        CHECK(len == 0 && size <= 3, "fence flag write at %#" PRIx64 ": len %u size %u", addr, len, size);
        for (unsigned f = 0; f < S.nfence; f++) {
            fence_t *fe = &S.fence[f];
            if (fe->av && (fe->flag & ~15ull) == (addr & ~15ull)) {
                CHECK((addr & ~7ull) == (fe->flag & ~7ull), "IOFENCE.C %u flag %#" PRIx64 " written at %#" PRIx64,
                      fe->seq, fe->flag, addr);
                if (!fe->hw_done) hw_complete(fe->seq, now);
                return;
            }
        }
        tb_fail(__FILE__, __LINE__, "a write to the fence-flag page at %#" PRIx64 " that no IOFENCE.C in flight asked "
                "for", addr);
        return;
    }
    tb_fail(__FILE__, __LINE__, "the IOMMU writes %#" PRIx64 " on the data-structure port (neither a fault record nor "
            "a fence flag)", addr);
}

static void observe(void *ctx, const dut_io_t *io, uint64_t now) {
    (void)ctx;
    const axi_port_t *m = &io->mem, *ds = &io->ds;
    if (m->rvalid && m->rready && m->rlast) mem_complete(false, m->rid);
    if (m->bvalid && m->bready) mem_complete(true, m->bid);
    if (ds->awvalid) {
        if (!S.ds_aw_seen) ds_write(ds->awaddr, ds->awlen, ds->awsize, now);
        S.ds_aw_seen = !ds->awready;
    }
    if (m->arvalid && m->arready) mem_request(false, m, now);
    if (m->awvalid && m->awready) mem_request(true, m, now);
}

/* ---- device traffic ---------------------------------------------------------------- */
static void submit_random(void) {
    unsigned dv = (unsigned)rng_below(NDEV), dm = S.dev[dv].dom;
    int pg = (int)rng_below(POOL);
    unsigned r = (unsigned)rng_below(100);
    uint64_t page;
    if (r < 3) {
        pg = -1;   /* a page with no leaf (canonical Sv39, outside the pool) */
        bool clash;
        do {
            page = rng_below(1ull << 26) << 12;
            clash = false;
            for (unsigned k = 0; k < POOL; k++) clash |= S.dom[dm].pg[k].iova == page;
        } while (clash);
        S.n_stray++;
    } else {
        if (r < 45 && S.nhot) {   /* a page software changed lately */
            unsigned h = (unsigned)rng_below(S.nhot);
            dm = S.hot[h][0];
            pg = (int)S.hot[h][1];
            dv = S.dom[dm].dev[rng_below(S.dom[dm].ndev)];
        }
        else if (rng_below(4)) {   /* mostly mapped pages */
            for (unsigned tries = 0; tries < 8 && !S.dom[dm].pg[pg].mapped; tries++) pg = (int)rng_below(POOL);
        }
        page = S.dom[dm].pg[pg].iova;
        S.last_dom = (int)dm;
        S.last_pg = pg;
    }
    bool write = rng_below(2);
    unsigned size = (unsigned)rng_below(4), nb = 1u << size;
    unsigned len = rng_below(10) < 6 ? 0 : (unsigned)rng_below(8);
    uint64_t bytes = (uint64_t)(len + 1) * nb;
    uint64_t off = rng_below((4096 - bytes) / nb + 1) * nb;

    dma_txn_t *t = dma_txn_new(write, page + off, len, size);
    t->burst = 1;
    t->id = (uint32_t)rng_below(NIDS);
    t->user = sim_user(S.dev[dv].did, false, 0);
    t->prot = 0;
    t->w_first = write && rng_below(4) == 0;
    for (unsigned b = 0; b <= len; b++) t->data[b] = rng_next();
    t->tag = S.next_tag++;

    tx_t *e = &S.tx[t->tag % TXR];
    if (e->st != TX_FREE) {
        tb_fail(__FILE__, __LINE__, "internal: transaction slot %" PRIu64 " still in use (a request never resolved)",
                t->tag % TXR);
    }
    *e = (tx_t){TX_PEND, true, false, t, t->tag, 0, 0, dv, dm, len, size, t->id, pg, page + off, t->user, write};
    tq_push(write ? &S.wq : &S.rq[t->id], t->tag);
    dev_master_submit(sim_dev(), t, tb_now());
    S.n_dma++;
}

static void take_done(void) {
    dma_txn_t *d;
    while ((d = dev_master_take_done(sim_dev()))) {
        tx_t *e = &S.tx[d->tag % TXR];
        e->t = NULL;
        e->t_addr = d->t_addr;
        e->done = true;
        const char *ch = d->write ? "write" : "read";
        page_t *p = e->page >= 0 ? &S.dom[e->dom].pg[e->page] : NULL;
        unsigned need = d->write ? ISO_W : ISO_R;
        if (!d->write) CHECK_EQ(d->beats, d->len + 1, "R beats");
        if (d->resp == AXI_OKAY) {
            S.n_ok++;
            CHECK(e->st == TX_MEM, "cycle %" PRIu64 ": %s iova %#" PRIx64 " of device %#x answered OKAY without "
                  "reaching the memory port", d->t_done, ch, e->iova, S.dev[e->dev].did);
        } else if (d->resp == AXI_SLVERR) {
            S.n_fault++;
            if (!d->write)
                for (unsigned b = 0; b < d->beats; b++)
                    CHECK(d->beat_resp[b] == AXI_SLVERR, "refused read iova %#" PRIx64 ": beat %u not SLVERR", e->iova,
                          b);
            if (e->st == TX_MEM) {
                /* an identical request behind it may be the one that reached memory */
                tq_t *q = d->write ? &S.wq : &S.rq[e->id];
                bool swapped = false;
                for (size_t i = 0; i < q->n && !swapped; i++) {
                    tx_t *o = tq_tx(q, i);
                    if (o->st == TX_PEND && o->user == e->user && o->iova == e->iova && o->len == e->len &&
                        o->size == e->size && o->dom == e->dom) {
                        o->st = TX_MEM;
                        o->pa = e->pa;
                        e->st = TX_SKIP;
                        /* o leaves the queue: everything before it was resolved already */
                        for (size_t j = 0; j <= i; j++) {
                            tx_t *x = tq_tx(q, j);
                            x->in_q = false;
                            tx_release(x);
                        }
                        tq_drop_front(q, i + 1);
                        swapped = true;
                    }
                }
                CHECK(swapped, "cycle %" PRIu64 ": %s iova %#" PRIx64 " of device %#x answered SLVERR after it reached "
                      "the memory port (pa %#" PRIx64 ")", d->t_done, ch, e->iova, S.dev[e->dev].did, e->pa);
            } else if (e->st == TX_PEND) {
                if (p && !fault_ok(p, need, d->t_addr, d->t_first)) {
                    char buf[600];
                    describe(p, buf, sizeof buf);
                    tb_fail(__FILE__, __LINE__, "%s iova %#" PRIx64 " of device %#x (arrived cycle %" PRIu64 ", "
                            "answered %" PRIu64 ") faulted, but its page was mapped with permission throughout:%s",
                            ch, e->iova, S.dev[e->dev].did, d->t_addr, d->t_first, buf);
                }
                e->st = TX_FAULTED;
                tq_clean(d->write ? &S.wq : &S.rq[e->id]);
            }
            if (p && p->nh && fault_ok(p, need, d->t_addr, d->t_addr) == false) S.n_race_fault++;
            fault_response((fkey_t){d->write ? 15u : 13u, d->write ? 3u : 2u, S.dev[e->dev].did, e->iova});
        } else {
            tb_fail(__FILE__, __LINE__, "%s iova %#" PRIx64 " answered %u", ch, e->iova, d->resp);
        }
        tx_release(e);
        dma_txn_free(d);
    }
}

/* ---- software: command queue, fault queue ------------------------------------------- */
static void saw_cqh(uint32_t h) {
    h &= CQ_MASK;
    S.cq_head_seen = h;
    S.n_cqh_reads++;
    unsigned last = 0;
    uint32_t pending = (S.cq_rung - h) & CQ_MASK;
    for (unsigned f = 0; f < S.nfence; f++)   /* only fences published by a cqt write */
        if (S.fence[f].t_sub && ((S.fence[f].idx - h) & CQ_MASK) >= pending) last = S.fence[f].seq;
    if (last) sw_complete(last);
}

static unsigned cq_space(void) { return (S.cq_head_seen - cq_tail() - 1) & CQ_MASK; }

static void cq_ring_now(void) {
    cq_ring();
    S.cq_rung = cq_tail();
    for (unsigned f = 0; f < S.nfence; f++)
        if (!S.fence[f].t_sub) S.fence[f].t_sub = tb_now();
}

/* IOTINVAL.VMA (GV=0) of one kind; kinds 0..3 as kind_name. */
static void put_inval(unsigned kind, uint32_t pscid, uint64_t iova) {
    bool av = kind < 2, pscv = kind == 0 || kind == 2;
    cq_put(cmd_iotinval(0, av, av ? iova : 0, pscv, pscid, false, 0));
    S.invals_put++;
    S.invals_unfenced++;
    S.n_inval_kind[kind]++;
}

static void put_fence(bool av) {
    fence_t *fe = &S.fence[S.nfence++];
    memset(fe, 0, sizeof *fe);
    fe->seq = ++S.fence_seq;
    fe->av = av;
    if (av) {
        uint64_t slot = FLAG_BASE + 16ull * (fe->seq % FLAG_SLOTS);
        fe->flag = slot + 4 * rng_below(4);
        tb_mem_fill(slot, 16, GUARD);   /* a slot serves again 256 fences later */
        tb_mem_store(fe->flag, 4, 0);
    }
    fe->idx = cq_put(cmd_iofence(av, false, true, true, av ? fe->flag : 0, av ? fe->seq : 0));
    fe->invals_before = S.invals_put;
    S.invals_unfenced = 0;
    for (unsigned c = 0; c < S.nchg; c++)
        if (!S.chg[c].fence) S.chg[c].fence = fe->seq;
    S.n_fences++;
    S.n_fence_av += av;
    S.batch = 1 + (unsigned)rng_below(4);   /* changes before the next fence */
    TRACE("fence %u put at index %u%s", fe->seq, fe->idx, av ? " (AV)" : "");
}

static void hot_add(unsigned dm, unsigned pg) {
    unsigned k = S.nhot < 8 ? S.nhot++ : (unsigned)rng_below(8);
    S.hot[k][0] = dm;
    S.hot[k][1] = pg;
}

static unsigned rand_perms(void) { return rng_below(5) ? ISO_R | ISO_W : ISO_R; }

static uint64_t leaf(uint64_t pa, unsigned perms) {
    return pt_leaf(pa, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D | (perms & ISO_W ? PTE_W : 0));
}

static void allow_domain(unsigned dm, uint64_t pa, unsigned perms) {
    for (unsigned k = 0; k < S.dom[dm].ndev; k++) iso_allow(S.dev[S.dom[dm].dev[k]].did, pa, 4096, perms);
}

static uint64_t take_pa(void) {
    unsigned i = (unsigned)rng_below(S.nfree);
    uint64_t pa = S.free_pa[i];
    S.free_pa[i] = S.free_pa[--S.nfree];
    return pa;
}

/* A random page of a random domain that is (not) mapped and not busy; for
 * unmaps, often the page the devices used last. */
static bool pick_page(bool mapped, unsigned *dm, unsigned *pg) {
    if (mapped && S.last_dom >= 0 && rng_below(2)) {
        const page_t *p = &S.dom[S.last_dom].pg[S.last_pg];
        if (p->mapped && !p->busy) {
            *dm = (unsigned)S.last_dom;
            *pg = (unsigned)S.last_pg;
            return true;
        }
    }
    for (unsigned tries = 0; tries < 16; tries++) {
        *dm = (unsigned)rng_below(NDOM);
        *pg = (unsigned)rng_below(POOL);
        const page_t *p = &S.dom[*dm].pg[*pg];
        if (p->mapped == mapped && !p->busy) return true;
    }
    return false;
}

/* Unmap (remap = false) or remap a page, then its IOTINVAL.VMA. */
static bool sw_unmap(bool remap) {
    unsigned dm, pg;
    if (S.nchg >= 48 || !pick_page(true, &dm, &pg) || (remap && !S.nfree)) return false;
    page_t *p = &S.dom[dm].pg[pg];
    uint64_t now = tb_now(), old = p->pa;
    change_t *ch = &S.chg[S.nchg++];
    *ch = (change_t){dm, pg, p->nh - 1, old, 0, false};
    if (remap) {
        uint64_t pa = take_pa();
        unsigned perms = rand_perms();
        allow_domain(dm, pa, perms);   /* before the store: the new translation is usable at once */
        tb_mem_store(p->pte, 8, leaf(pa, perms));
        push_state(p, true, pa, perms, now);
        S.n_remap++;
    } else {
        tb_mem_store(p->pte, 8, 0);
        push_state(p, false, 0, 0, now);
        S.n_unmap++;
    }
    p->busy = true;
    unsigned kind = (unsigned)rng_below(4);
    put_inval(kind, S.dom[dm].pscid, p->iova);
    hot_add(dm, pg);
    TRACE("%s domain %u iova %#" PRIx64 " (pa %#" PRIx64 " -> %#" PRIx64 "), IOTINVAL.VMA %s", remap ? "remap" : "unmap",
          dm, p->iova, old, p->mapped ? p->pa : 0, kind_name[kind]);
    return true;
}

static bool sw_map(void) {
    unsigned dm, pg;
    if (!S.nfree || !pick_page(false, &dm, &pg)) return false;
    page_t *p = &S.dom[dm].pg[pg];
    uint64_t pa = take_pa();
    unsigned perms = rand_perms();
    allow_domain(dm, pa, perms);
    tb_mem_store(p->pte, 8, leaf(pa, perms));
    push_state(p, true, pa, perms, tb_now());
    hot_add(dm, pg);
    S.n_map++;
    TRACE("map domain %u iova %#" PRIx64 " -> pa %#" PRIx64 " %s", dm, p->iova, pa, perms & ISO_W ? "rw" : "r");
    return true;
}

static void drain_records(void) {
    uint32_t tail = rd32(IOMMU_REG_FQT), mask = (1u << FQ_LOG2) - 1;
    while (S.fq_head != tail) {
        fault_rec_t r = fq_record(FQ_BASE, S.fq_head);
        CHECK(!r.pv && !r.priv && r.pid == 0 && r.iotval2 == 0, "fault record %u: pv %d priv %d pid %#x iotval2 %#"
              PRIx64, S.fq_head, r.pv, r.priv, r.pid, r.iotval2);
        fault_record((fkey_t){r.cause, r.ttyp, r.did, r.iotval});
        S.n_records++;
        S.fq_head = (S.fq_head + 1) & mask;
    }
    wr32(IOMMU_REG_FQH, S.fq_head);
    CHECK_EQ(rd32(IOMMU_REG_FQCSR) & (IOMMU_FQCSR_FQOF_MASK | IOMMU_FQCSR_FQMF_MASK), 0,
             "fault queue overflow or memory fault");
}

/* One step of software.  Returns true when simulated time went by. */
static bool sw_step(bool stopping) {
    uint64_t now = tb_now();
    /* AV=1 fences: the flag in memory (the newest one set covers the older ones) */
    for (unsigned f = S.nfence; f-- > 0;) {
        fence_t *fe = &S.fence[f];
        if (fe->av && fe->t_sub && tb_mem_load(fe->flag, 4) == fe->seq) {
            sw_complete(fe->seq);
            break;
        }
    }
    if (now >= S.next_fq) {
        drain_records();
        S.next_fq = tb_now() + 1000 + rng_below(2000);
        return true;
    }
    /* AV=0 fences in flight (or any, now and then): read cqh */
    bool poll = false;
    for (unsigned f = 0; f < S.nfence; f++) poll |= S.fence[f].t_sub && (!S.fence[f].av || rng_below(8) == 0);
    if (poll && now >= S.next_poll) {
        saw_cqh(rd32(IOMMU_REG_CQH));
        S.next_poll = tb_now() + rng_below(12);
        return true;
    }
    if (now < S.sw_wait) return false;
    if (S.cq_rung != cq_tail() && (stopping || rng_below(3) == 0)) {
        cq_ring_now();
        return true;
    }
    if (stopping) {
        if (S.invals_unfenced && S.nfence < 4 && cq_space() >= 1) put_fence(rng_below(2));
        return false;
    }
    if (cq_space() < 4) {   /* refresh the head we know of */
        saw_cqh(rd32(IOMMU_REG_CQH));
        return true;
    }
    unsigned unfenced = 0;
    for (unsigned c = 0; c < S.nchg; c++) unfenced += !S.chg[c].fence;
    if ((unfenced >= S.batch || S.invals_unfenced > 6) && S.nfence < 4) {
        put_fence(rng_below(2));
        if (rng_below(2)) cq_ring_now();
        return false;
    }
    unsigned r = (unsigned)rng_below(100);
    bool did = false;
    if (r < 28) did = sw_unmap(false);
    else if (r < 40) did = sw_unmap(true);
    else if (r < 68) did = sw_map();
    else if (r < 73) {   /* an IOTINVAL.VMA no change asked for */
        unsigned dm = (unsigned)rng_below(NDOM), kind = (unsigned)rng_below(4);
        put_inval(kind, S.dom[dm].pscid, S.dom[dm].pg[rng_below(POOL)].iova);
        S.n_spurious++;
        did = true;
    } else if (r < 78 && S.invals_unfenced && S.nfence < 4) {
        put_fence(rng_below(2));
        did = true;
    }
    if (did && S.cq_rung != cq_tail() && rng_below(2)) {
        cq_ring_now();
        return true;
    }
    S.sw_wait = now + rng_below(did ? S.gap + 1 : 40);
    return false;
}

/* ---- set-up ---------------------------------------------------------------------- */
static void random_ports(void) {
    axi_slave_cfg_t c, cur;
    axi_slave_get_cfg(sim_mem_slave(), &cur);
    c = cur;
    c.latency = 1 + (unsigned)rng_below(16);
    c.jitter = cur.jitter > 0 ? cur.jitter : (unsigned)rng_below(16);
    c.stall_pct = cur.stall_pct > 0 ? cur.stall_pct : (unsigned)rng_below(30);
    c.gap_pct = cur.gap_pct > 0 ? cur.gap_pct : (unsigned)rng_below(30);
    c.reorder = cur.reorder || rng_below(2);
    c.interleave = cur.interleave || rng_below(2);
    c.max_outstanding = 1 + (unsigned)rng_below(24);
    axi_slave_set_cfg(sim_mem_slave(), &c);
    axi_slave_get_cfg(sim_ds_slave(), &cur);
    c.is_error = cur.is_error;
    c.latency = 1 + (unsigned)rng_below(24);
    c.max_outstanding = 1 + (unsigned)rng_below(16);
    axi_slave_set_cfg(sim_ds_slave(), &c);
    dev_master_cfg_t d = {(unsigned)rng_below(30), (unsigned)rng_below(30), 4 + (unsigned)rng_below(24)};
    dev_master_set_cfg(sim_dev(), &d);
}

static void setup(void) {
    /* devices: 0 and 1 share domain 0, 2 and 3 have domains 1 and 2 */
    for (unsigned i = 0; i < NDEV; i++) {
        bool dup;
        do {
            S.dev[i].did = (uint32_t)rng_below(128);   /* 1LVL: 7-bit device_id */
            dup = false;
            for (unsigned j = 0; j < i; j++) dup |= S.dev[j].did == S.dev[i].did;
        } while (dup);
        S.dev[i].dom = i == 0 ? 0 : i - 1;
    }
    pt_alloc_init(TABLE_BASE);
    ddt_t ddt = {2, pt_alloc()};
    uint64_t now = tb_now();
    for (unsigned dm = 0; dm < NDOM; dm++) {
        dom_t *d = &S.dom[dm];
        bool dup;
        do {
            d->pscid = 1 + (uint32_t)rng_below((1u << 20) - 1);
            dup = false;
            for (unsigned j = 0; j < dm; j++) dup |= S.dom[j].pscid == d->pscid;
        } while (dup);
        d->root = pt_alloc();
        for (unsigned i = 0; i < NDEV; i++)
            if (S.dev[i].dom == dm) d->dev[d->ndev++] = i;
        /* the pool: 10 pages in one 2 MiB region, 6 anywhere below 2^38; with
         * S.sets, VPN[6:0] (the set of a 128-set IOTLB) is one of two values
         * for every page of every domain (6 pages in the region then, which
         * has only 8 such pages): 48 pages share 8 ways, so fills replace
         * entries all the time, next to scans and walks. */
        uint64_t region = rng_below(1ull << 17) << 21;
        for (unsigned k = 0; k < POOL; k++) {
            page_t *p = &d->pg[k];
            bool clash;
            do {
                p->iova = k < (S.sets ? 6u : 10u) ? region + (rng_below(512) << 12) : rng_below(1ull << 26) << 12;
                if (S.sets) p->iova = (p->iova & ~0x7f000ull) | (rng_below(2) ? 0x5000ull : 0x6a000ull);
                clash = false;
                for (unsigned j = 0; j < k; j++) clash |= d->pg[j].iova == p->iova;
            } while (clash);
            p->pte = pt_map(d->root, 3, p->iova, 0, 0);
        }
    }
    for (unsigned k = 0; k < NPA; k++) S.free_pa[S.nfree++] = DATA_BASE + ((uint64_t)k << 12);
    for (unsigned dm = 0; dm < NDOM; dm++)
        for (unsigned k = 0; k < POOL; k++) {
            page_t *p = &S.dom[dm].pg[k];
            if (rng_below(10) < 6) {
                uint64_t pa = take_pa();
                unsigned perms = rand_perms();
                allow_domain(dm, pa, perms);
                tb_mem_store(p->pte, 8, leaf(pa, perms));
                push_state(p, true, pa, perms, now);
            } else {
                push_state(p, false, 0, 0, now);
            }
        }
    for (unsigned i = 0; i < NDEV; i++) {
        const dom_t *d = &S.dom[S.dev[i].dom];
        dc_write(&ddt, S.dev[i].did, 1 /* V */, 0, (uint64_t)d->pscid << 12, pt_satp(3, d->root));
    }
    tb_mem_fill(FLAG_BASE, 16ull * FLAG_SLOTS, GUARD);
    tb_mem_fill(CQ_BASE, 16ull * CQ_N, 0);

    random_ports();
    fq_enable(FQ_BASE, FQ_LOG2 - 1, false);
    /* the command queue (spec, initialization guidelines) */
    cq_enable(CQ_BASE, CQ_LOG2 - 1, false);
    set_ddtp(2, ddt.root);
}

static void cq_state(uint32_t *h, uint32_t *t, uint32_t *csr) {
    *h = rd32(IOMMU_REG_CQH);
    *t = rd32(IOMMU_REG_CQT);
    *csr = rd32(IOMMU_REG_CQCSR);
}

/* ---- the test ---------------------------------------------------------------------- */
/* One IOFENCE.C (AV=1) before any traffic: does the queue move at all? */
static bool probe(void) {
    put_fence(true);
    cq_ring_now();
    uint64_t t0 = tb_now();
    while (S.nfence && tb_now() - t0 < PROBE_TIMEOUT) {
        tb_cycles(20);
        if (tb_mem_load(S.fence[0].flag, 4) == S.fence[0].seq) sw_complete(S.fence[0].seq);
        else saw_cqh(rd32(IOMMU_REG_CQH));
    }
    if (!S.nfence) return true;
    uint32_t h, t, csr;
    cq_state(&h, &t, &csr);
    tb_fail(__FILE__, __LINE__, "the command queue executes no command: IOFENCE.C at index 0, cqt = %u, and after "
            "%llu cycles cqh = %u, cqcsr = %#x (no command-queue engine, or it is stuck)", t,
            (unsigned long long)PROBE_TIMEOUT, h, csr);
    return false;
}

/* Traffic and software until `target` invalidations completed; 0, or 1 when stuck. */
static int race(uint64_t target) {
    S.depth = 8 + (unsigned)rng_below(32);
    S.batch = 1 + (unsigned)rng_below(4);
    S.gap = (unsigned)rng_below(80);   /* software's pace: idle cycles after an action */
    S.last_dom = -1;
    S.next_fq = tb_now() + 1000;
    uint64_t start = tb_now(), budget = 4000 * target + 2000000;
    bool stopping = false;
    for (;;) {
        if (tb_check_failures > 20) return 1;
        uint64_t now = tb_now();
        if (now - start > budget) {
            tb_fail(__FILE__, __LINE__, "no end after %" PRIu64 " cycles: %" PRIu64 " of %" PRIu64 " invalidations done",
                    now - start, S.invals_done, target);
            return 1;
        }
        if (S.nfence && S.fence[0].t_sub && now - S.fence[0].t_sub > FENCE_TIMEOUT) {
            uint32_t h, t, csr;
            cq_state(&h, &t, &csr);
            tb_fail(__FILE__, __LINE__, "command queue stuck: IOFENCE.C %u at index %u (cqt written at cycle %" PRIu64
                    ") not complete after %llu cycles: cqh = %u, cqt = %u, cqcsr = %#x", S.fence[0].seq,
                    S.fence[0].idx, S.fence[0].t_sub, (unsigned long long)FENCE_TIMEOUT, h, t, csr);
            return 1;
        }
        if (!stopping && S.invals_done >= target) stopping = true;
        if (stopping && !S.nfence && !S.invals_unfenced && S.cq_rung == cq_tail()) return 0;
        if (!stopping)
            while (dev_master_busy(sim_dev()) < S.depth) submit_random();
        take_done();
        if (!sw_step(stopping)) sim_step();
    }
}

static void final_checks(void) {
    uint32_t h, t, csr;
    cq_state(&h, &t, &csr);
    CHECK_EQ(h, t, "cqh == cqt at the end");
    CHECK_EQ(csr & (IOMMU_CQCSR_CQMF_MASK | IOMMU_CQCSR_CMD_TO_MASK | IOMMU_CQCSR_CMD_ILL_MASK |
                    IOMMU_CQCSR_FENCE_W_IP_MASK), 0, "cqcsr error bits (cqmf, cmd_to, cmd_ill, fence_w_ip)");
    CHECK(csr & IOMMU_CQCSR_CQON_MASK, "cqcsr.cqon went to 0");
    CHECK(S.resp_faults.n == 0, "%zu faulted requests without a fault record (first: device %#x iova %#" PRIx64
          " cause %u)", S.resp_faults.n, S.resp_faults.n ? S.resp_faults.v[0].did : 0,
          S.resp_faults.n ? S.resp_faults.v[0].iotval : 0, S.resp_faults.n ? S.resp_faults.v[0].cause : 0);
    CHECK(S.recs.n == 0, "%zu fault records without a faulted request (first: cause %u ttyp %u device %#x iotval %#"
          PRIx64 ")", S.recs.n, S.recs.n ? S.recs.v[0].cause : 0, S.recs.n ? S.recs.v[0].ttyp : 0,
          S.recs.n ? S.recs.v[0].did : 0, S.recs.n ? S.recs.v[0].iotval : 0);
    for (unsigned k = 0; k < NIDS; k++) {
        tq_clean(&S.rq[k]);
        CHECK(S.rq[k].n == 0, "ID %u: %zu reads never resolved", k, S.rq[k].n);
    }
    tq_clean(&S.wq);
    CHECK(S.wq.n == 0, "%zu writes never resolved", S.wq.n);
    CHECK(S.nmo == 0, "%zu memory-port transactions without a response", S.nmo);
}

static int run(uint64_t target, bool sets) {
    memset(&S, 0, sizeof S);
    S.sets = sets;
    iso_reset();
    S.trace = getenv("CQ_RACE_TRACE") != NULL;
    S.tx = calloc(TXR, sizeof *S.tx);
    if (!S.tx) abort();
    setup();
    sim_set_observer(observe, NULL);
    int rc = probe() ? race(target) : 1;
    CHECK(sim_drain(200000) == 0, "%u DMA never completed", dev_master_busy(sim_dev()));
    take_done();
    tb_cycles(500);   /* the last records */
    drain_records();
    if (!rc) final_checks();
    CHECK_EQ(tb_violations(), 0, "AXI protocol violations");
    printf("cq_race: %" PRIu64 " invalidations executed (IOTINVAL.VMA %s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64
           ", %s %" PRIu64 "; %" PRIu64 " spurious), %" PRIu64 " IOFENCE.C (%" PRIu64 " AV=1), %" PRIu64 " unmaps, %"
           PRIu64 " remaps, %" PRIu64 " maps\n", S.invals_done, kind_name[0], S.n_inval_kind[0], kind_name[1],
           S.n_inval_kind[1], kind_name[2], S.n_inval_kind[2], kind_name[3], S.n_inval_kind[3], S.n_spurious,
           S.n_fences, S.n_fence_av, S.n_unmap, S.n_remap, S.n_map);
    printf("cq_race: %" PRIu64 " DMA (%" PRIu64 " OKAY, %" PRIu64 " faulted, %" PRIu64 " stray), %" PRIu64
           " memory-port requests checked, %" PRIu64 " used an old translation after its store, %" PRIu64
           " faulted on a page mapped when they arrived, %" PRIu64 " fault records, %" PRIu64 " cqh reads\n",
           S.n_dma, S.n_ok, S.n_fault, S.n_stray, S.n_mem_checked, S.n_stale, S.n_race_fault, S.n_records,
           S.n_cqh_reads);
    sim_set_observer(NULL, NULL);
    for (unsigned k = 0; k < NIDS; k++) free(S.rq[k].v);
    free(S.wq.v);
    free(S.mo);
    free(S.tx);
    free(S.resp_faults.v);
    free(S.recs.v);
    iso_reset();
    return rc;
}

static int race_n(uint64_t *n) {
    *n = 2000;
    const char *e = getenv("CQ_RACE_INVALS");
    if (e && *e) {
        char *end;
        *n = strtoull(e, &end, 0);
        if (*end || !*n) {
            fprintf(stderr, "cq_race: CQ_RACE_INVALS must be a positive number, got '%s'\n", e);
            return 1;
        }
    }
    return 0;
}

static int t_cq_race(void) {
    uint64_t n;
    return race_n(&n) ? 1 : run(n, false);
}

static int t_cq_race_sets(void) {
    uint64_t n;
    return race_n(&n) ? 1 : run(n, true);
}

const test_def_t tests_cqrace[] = {
    {"cq_race", "unmap/remap/map + IOTINVAL.VMA + IOFENCE.C under DMA: old-or-new window, isolation after the fence",
     t_cq_race, false},
    {"cq_race_sets", "cq_race with every page in two IOTLB sets: replacement and set scans racing fills and walks",
     t_cq_race_sets, false},
    {0},
};
