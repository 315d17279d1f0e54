/* axi_slave.c - AXI4 slave model over the sparse memory (see axi_slave.h). */
#include "axi_slave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rng.h"

typedef struct {
    uint64_t id, addr;
    unsigned len, size, burst;
    uint64_t ready_at;       /* response may start at this cycle */
    unsigned beats_in;       /* writes: W beats received; reads: R beats given */
    bool err;
    uint64_t seq;            /* arrival order */
    uint64_t t_accept;       /* cycle of the AR/AW handshake */
} txn_t;

typedef struct {
    txn_t *v;
    size_t n, cap;
} txn_list_t;

typedef struct {
    uint64_t data;
    uint32_t strb;
    bool last;
} wbeat_t;

struct axi_slave {
    char name[16];
    axi_slave_cfg_t cfg;
    txn_list_t rd, wr;       /* accepted, not yet answered */
    wbeat_t *wq;             /* W beats not yet matched to an AW */
    size_t wq_n, wq_cap;
    uint64_t seq;
    /* the response being offered (held until taken) */
    bool r_busy;
    bool r_offered;          /* RVALID is up for the current beat */
    uint64_t r_data;         /* its data, read from memory when first offered (held stable) */
    size_t r_idx;            /* index into rd of the burst being returned */
    unsigned r_beat;
    bool b_busy;
    size_t b_idx;
    /* ready signals decided for this cycle */
    uint8_t awready, wready, arready;
    uint64_t n_reads, n_writes;
    uint64_t rd_lat, rd_lat_n, wr_lat, wr_lat_n;
};

static void list_push(txn_list_t *l, txn_t t) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) exit(3);
    }
    l->v[l->n++] = t;
}

static void list_del(txn_list_t *l, size_t i) {
    memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof *l->v);
    l->n--;
}

uint64_t axi_beat_addr(uint64_t addr, unsigned len, unsigned size, unsigned burst, unsigned i) {
    uint64_t nbytes = 1ull << size;
    uint64_t aligned = addr & ~(nbytes - 1);
    switch (burst) {
    case 0: /* FIXED */
        return addr;
    case 2: { /* WRAP */
        uint64_t total = nbytes * (len + 1);
        uint64_t lower = addr & ~(total - 1);
        return lower + ((aligned - lower + i * nbytes) % total);
    }
    default: /* INCR */
        return i == 0 ? addr : aligned + i * nbytes;
    }
}

axi_slave_t *axi_slave_new(const char *name, const axi_slave_cfg_t *cfg) {
    axi_slave_t *s = calloc(1, sizeof *s);
    if (!s) exit(3);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->cfg = *cfg;
    return s;
}

void axi_slave_free(axi_slave_t *s) {
    if (!s) return;
    free(s->rd.v);
    free(s->wr.v);
    free(s->wq);
    free(s);
}

void axi_slave_set_cfg(axi_slave_t *s, const axi_slave_cfg_t *cfg) { s->cfg = *cfg; }
void axi_slave_get_cfg(const axi_slave_t *s, axi_slave_cfg_t *cfg) { *cfg = s->cfg; }

void axi_slave_reset(axi_slave_t *s) {
    s->rd.n = s->wr.n = 0;
    s->wq_n = 0;
    s->r_busy = s->b_busy = s->r_offered = false;
}

unsigned axi_slave_inflight(const axi_slave_t *s) { return (unsigned)(s->rd.n + s->wr.n); }
uint64_t axi_slave_reads(const axi_slave_t *s) { return s->n_reads; }
uint64_t axi_slave_writes(const axi_slave_t *s) { return s->n_writes; }

void axi_slave_latency(const axi_slave_t *s, uint64_t *rd_sum, uint64_t *rd_n, uint64_t *wr_sum,
                       uint64_t *wr_n) {
    *rd_sum = s->rd_lat;
    *rd_n = s->rd_lat_n;
    *wr_sum = s->wr_lat;
    *wr_n = s->wr_lat_n;
}

static uint64_t ready_time(const axi_slave_t *s, uint64_t now) {
    return now + s->cfg.latency + (s->cfg.jitter ? rng_below(s->cfg.jitter + 1) : 0);
}

/* Oldest-for-its-ID transactions that are ready; pick one (random across IDs
 * when reordering, else the oldest). Returns the index or -1. */
static long pick(const txn_list_t *l, uint64_t now, bool reorder, bool need_complete) {
    long cand[64];
    unsigned nc = 0;
    for (size_t i = 0; i < l->n; i++) {
        const txn_t *t = &l->v[i];
        bool older_same_id = false;
        for (size_t j = 0; j < l->n; j++)
            if (l->v[j].id == t->id && l->v[j].seq < t->seq) { older_same_id = true; break; }
        if (older_same_id) continue;
        if (t->ready_at > now) continue;
        if (need_complete && t->beats_in != t->len + 1) continue;
        if (nc < 64) cand[nc++] = (long)i;
    }
    if (!nc) return -1;
    if (!reorder) {
        long best = cand[0];
        for (unsigned k = 1; k < nc; k++)
            if (l->v[cand[k]].seq < l->v[best].seq) best = cand[k];
        return best;
    }
    return cand[rng_below(nc)];
}

/* Data beats the shared memory can still give this cycle.  An R beat is
 * charged when offered; a W beat when accepted (WREADY alone costs nothing),
 * and one accepted after the cycle's beat was gone is owed by the next cycle. */
static int shared_beats, shared_debt;

void axi_slave_new_cycle(void) {
    shared_beats = 1 - shared_debt;
    shared_debt = 0;
}

void axi_slave_drive(axi_slave_t *s, axi_port_t *p, uint64_t now) {
    unsigned max = s->cfg.max_outstanding;
    bool shared = s->cfg.shared_bw;
    s->arready = !rng_pct(s->cfg.stall_pct) && (!max || s->rd.n < max);
    s->awready = !rng_pct(s->cfg.stall_pct) && (!max || s->wr.n < max);

    /* R: a beat on offer stays on offer; a new beat needs the shared beat. */
    if (!s->r_busy && !rng_pct(s->cfg.gap_pct)) {
        long i = pick(&s->rd, now, s->cfg.reorder || s->cfg.interleave, false);
        if (i >= 0) {
            s->r_busy = true;
            s->r_idx = (size_t)i;
            s->r_beat = s->rd.v[i].beats_in;
        }
    }
    bool r_new = false;
    if (s->r_busy && (s->r_offered || !shared || shared_beats > 0)) {
        r_new = !s->r_offered;
        s->r_offered = true;
        if (shared) shared_beats--;
    }

    s->wready = !rng_pct(s->cfg.stall_pct) && s->wq_n < 1024 && (!shared || shared_beats > 0);
    p->arready = s->arready;
    p->awready = s->awready;
    p->wready = s->wready;

    if (s->r_offered) {
        const txn_t *t = &s->rd.v[s->r_idx];
        uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, s->r_beat);
        p->rvalid = 1;
        p->rid = t->id;
        p->rresp = t->err ? 2 : 0;
        /* AXI: the payload stays stable while RVALID waits for RREADY, even when
         * a write lands on the same bytes meanwhile */
        if (r_new) s->r_data = t->err ? 0 : mem_load(a & ~7ull, 8);
        p->rdata = s->r_data;
        p->rlast = (s->r_beat == t->len);
    } else {
        p->rvalid = 0;
        p->rid = p->rdata = 0;
        p->rresp = 0;
        p->rlast = 0;
    }

    /* B */
    if (!s->b_busy && !rng_pct(s->cfg.gap_pct)) {
        long i = pick(&s->wr, now, s->cfg.reorder, true);
        if (i >= 0) {
            s->b_busy = true;
            s->b_idx = (size_t)i;
        }
    }
    if (s->b_busy) {
        const txn_t *t = &s->wr.v[s->b_idx];
        p->bvalid = 1;
        p->bid = t->id;
        p->bresp = t->err ? 2 : 0;
    } else {
        p->bvalid = 0;
        p->bid = 0;
        p->bresp = 0;
    }
}

/* Give W beats waiting in wq to the oldest writes that still need beats. */
static void match_w(axi_slave_t *s, uint64_t now) {
    size_t used = 0;
    for (size_t i = 0; i < s->wr.n && used < s->wq_n; i++) {
        /* writes are filled strictly in arrival (AW) order */
        txn_t *t = NULL;
        uint64_t best = UINT64_MAX;
        for (size_t j = 0; j < s->wr.n; j++)
            if (s->wr.v[j].beats_in <= s->wr.v[j].len && s->wr.v[j].seq < best) {
                best = s->wr.v[j].seq;
                t = &s->wr.v[j];
            }
        if (!t) break;
        while (used < s->wq_n && t->beats_in <= t->len) {
            wbeat_t *b = &s->wq[used++];
            uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, t->beats_in);
            if (!t->err) mem_store_strb(a & ~7ull, b->data, b->strb, 8);
            bool want_last = (t->beats_in == t->len);
            if (b->last != want_last)
                fprintf(stderr, "%s: W beat %u of a %u-beat burst has WLAST=%d\n", s->name,
                        t->beats_in, t->len + 1, b->last);
            t->beats_in++;
            if (t->beats_in == t->len + 1) t->ready_at = ready_time(s, now);
        }
    }
    memmove(s->wq, s->wq + used, (s->wq_n - used) * sizeof *s->wq);
    s->wq_n -= used;
}

void axi_slave_update(axi_slave_t *s, const axi_port_t *p, uint64_t now) {
    if (p->arvalid && s->arready) {
        txn_t t = {p->arid, p->araddr, p->arlen, p->arsize, p->arburst, ready_time(s, now), 0,
                   false, s->seq++, now};
        uint64_t bytes = (uint64_t)(t.len + 1) << t.size;
        t.err = s->cfg.is_error && s->cfg.is_error(t.addr, bytes);
        list_push(&s->rd, t);
        s->n_reads++;
    }
    if (p->awvalid && s->awready) {
        txn_t t = {p->awid, p->awaddr, p->awlen, p->awsize, p->awburst, UINT64_MAX, 0, false,
                   s->seq++, now};
        uint64_t bytes = (uint64_t)(t.len + 1) << t.size;
        t.err = s->cfg.is_error && s->cfg.is_error(t.addr, bytes);
        list_push(&s->wr, t);
        s->n_writes++;
    }
    if (p->wvalid && s->wready) {
        if (s->cfg.shared_bw) {
            if (shared_beats > 0) shared_beats--;
            else shared_debt++;
        }
        if (s->wq_n == s->wq_cap) {
            s->wq_cap = s->wq_cap ? 2 * s->wq_cap : 64;
            s->wq = realloc(s->wq, s->wq_cap * sizeof *s->wq);
            if (!s->wq) exit(3);
        }
        s->wq[s->wq_n++] = (wbeat_t){p->wdata, p->wstrb, p->wlast != 0};
    }
    match_w(s, now);

    if (s->r_offered && p->rready) {
        txn_t *t = &s->rd.v[s->r_idx];
        s->r_offered = false;
        if (s->r_beat == 0) {
            s->rd_lat += now - t->t_accept;
            s->rd_lat_n++;
        }
        if (s->r_beat == t->len) {
            list_del(&s->rd, s->r_idx);
            s->r_busy = false;
        } else {
            s->r_beat++;
            t->beats_in++;                        /* for reads: the beats already given */
            if (s->cfg.interleave) s->r_busy = false;   /* the next beat may be another ID's */
        }
    }
    if (s->b_busy && p->bready) {
        s->wr_lat += now - s->wr.v[s->b_idx].t_accept;
        s->wr_lat_n++;
        list_del(&s->wr, s->b_idx);
        s->b_busy = false;
    }
}
