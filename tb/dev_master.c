/* dev_master.c - device DMA master (see dev_master.h). */
#include "dev_master.h"

#include <stdlib.h>
#include <string.h>

#include "axi_slave.h"
#include "rng.h"

/* A FIFO of transaction pointers. */
typedef struct {
    dma_txn_t **v;
    size_t head, n, cap;
} tq_t;

struct dev_master {
    dev_master_cfg_t cfg;
    tq_t ar_q, aw_q, w_q;        /* waiting for AR / AW / W beats */
    tq_t rd_out, wr_out;         /* address sent, response pending (in order) */
    unsigned w_beat;             /* next beat of w_q head */
    dma_txn_t *done_head, *done_tail;
    unsigned busy;
    /* what is shown this cycle */
    bool ar_show, aw_show, w_show;
    uint8_t rready, bready;
};

static void tq_push(tq_t *q, dma_txn_t *t) {
    if (q->n == q->cap) {
        size_t ncap = q->cap ? 2 * q->cap : 16;
        dma_txn_t **v = malloc(ncap * sizeof *v);
        if (!v) exit(3);
        for (size_t i = 0; i < q->n; i++) v[i] = q->v[(q->head + i) % q->cap];
        free(q->v);
        q->v = v;
        q->cap = ncap;
        q->head = 0;
    }
    q->v[(q->head + q->n) % q->cap] = t;
    q->n++;
}

static dma_txn_t *tq_at(const tq_t *q, size_t i) { return q->v[(q->head + i) % q->cap]; }

static void tq_del(tq_t *q, size_t i) {
    for (size_t k = i; k + 1 < q->n; k++)
        q->v[(q->head + k) % q->cap] = q->v[(q->head + k + 1) % q->cap];
    q->n--;
}

static void tq_pop(tq_t *q) {
    q->head = (q->head + 1) % q->cap;
    q->n--;
}

dev_master_t *dev_master_new(const dev_master_cfg_t *cfg) {
    dev_master_t *d = calloc(1, sizeof *d);
    if (!d) exit(3);
    d->cfg = *cfg;
    return d;
}

void dev_master_set_cfg(dev_master_t *d, const dev_master_cfg_t *cfg) { d->cfg = *cfg; }
void dev_master_get_cfg(const dev_master_t *d, dev_master_cfg_t *cfg) { *cfg = d->cfg; }

dma_txn_t *dma_txn_new(bool write, uint64_t addr, unsigned len, unsigned size) {
    dma_txn_t *t = calloc(1, sizeof *t);
    if (!t) exit(3);
    t->write = write;
    t->addr = addr;
    t->len = len;
    t->size = size;
    t->burst = 1;
    t->data = calloc(len + 1, sizeof *t->data);
    t->beat_resp = calloc(len + 1, sizeof *t->beat_resp);
    if (!t->data || !t->beat_resp) exit(3);
    return t;
}

void dma_txn_free(dma_txn_t *t) {
    if (!t) return;
    free(t->data);
    free(t->beat_resp);
    free(t);
}

void dev_master_submit(dev_master_t *d, dma_txn_t *t, uint64_t now) {
    t->done = false;
    t->resp = 0;
    t->beats = 0;
    t->t_submit = now;
    t->next = NULL;
    if (t->write) {
        tq_push(&d->aw_q, t);
        tq_push(&d->w_q, t);
    } else {
        tq_push(&d->ar_q, t);
    }
    d->busy++;
}

dma_txn_t *dev_master_take_done(dev_master_t *d) {
    dma_txn_t *t = d->done_head;
    if (t) {
        d->done_head = t->next;
        if (!d->done_head) d->done_tail = NULL;
        t->next = NULL;
    }
    return t;
}

unsigned dev_master_busy(const dev_master_t *d) { return d->busy; }

static void free_q(tq_t *q, bool free_txns) {
    if (free_txns)
        for (size_t i = 0; i < q->n; i++) dma_txn_free(tq_at(q, i));
    free(q->v);
    memset(q, 0, sizeof *q);
}

void dev_master_reset(dev_master_t *d) {
    /* every transaction is in exactly one of ar_q, rd_out, aw_q/wr_out (writes
     * may sit in w_q as well), or the done list */
    free_q(&d->ar_q, true);
    free_q(&d->rd_out, true);
    for (size_t i = 0; i < d->w_q.n; i++) {
        dma_txn_t *t = tq_at(&d->w_q, i);
        bool elsewhere = false;
        for (size_t k = 0; k < d->aw_q.n; k++) elsewhere |= tq_at(&d->aw_q, k) == t;
        for (size_t k = 0; k < d->wr_out.n; k++) elsewhere |= tq_at(&d->wr_out, k) == t;
        if (!elsewhere) dma_txn_free(t);
    }
    free_q(&d->w_q, false);
    free_q(&d->aw_q, true);
    free_q(&d->wr_out, true);
    while (d->done_head) dma_txn_free(dev_master_take_done(d));
    d->w_beat = 0;
    d->busy = 0;
    d->ar_show = d->aw_show = d->w_show = false;
}

void dev_master_free(dev_master_t *d) {
    if (!d) return;
    dev_master_reset(d);
    free(d);
}

static bool room(const dev_master_t *d, const tq_t *out) {
    return !d->cfg.max_outstanding || out->n < d->cfg.max_outstanding;
}

/* May the W beats of t go now?  Only once its AW went, unless w_first. */
static bool w_allowed(const dev_master_t *d, const dma_txn_t *t) {
    if (t->w_first) return true;
    for (size_t i = 0; i < d->aw_q.n; i++)
        if (tq_at(&d->aw_q, i) == t) return false;
    return true;
}

void dev_master_drive(dev_master_t *d, axi_port_t *p, uint64_t now) {
    (void)now;
    /* Once shown, VALID stays until the handshake (AXI rule). */
    if (!d->ar_show) d->ar_show = d->ar_q.n && room(d, &d->rd_out) && !rng_pct(d->cfg.bubble_pct);
    if (!d->aw_show) d->aw_show = d->aw_q.n && room(d, &d->wr_out) && !rng_pct(d->cfg.bubble_pct);
    if (!d->w_show)
        d->w_show = d->w_q.n && w_allowed(d, tq_at(&d->w_q, 0)) && !rng_pct(d->cfg.bubble_pct);

    if (d->ar_show) {
        dma_txn_t *t = tq_at(&d->ar_q, 0);
        p->arid = t->id; p->araddr = t->addr; p->arlen = t->len; p->arsize = t->size;
        p->arburst = t->burst; p->arprot = t->prot; p->aruser = t->user;
        p->arcache = 0; p->arlock = 0; p->arqos = 0;
    } else {
        p->arid = p->araddr = p->aruser = 0;
        p->arlen = p->arsize = p->arburst = p->arprot = p->arcache = p->arlock = p->arqos = 0;
    }
    p->arvalid = d->ar_show;

    if (d->aw_show) {
        dma_txn_t *t = tq_at(&d->aw_q, 0);
        p->awid = t->id; p->awaddr = t->addr; p->awlen = t->len; p->awsize = t->size;
        p->awburst = t->burst; p->awprot = t->prot; p->awuser = t->user;
        p->awcache = 0; p->awlock = 0; p->awqos = 0;
    } else {
        p->awid = p->awaddr = p->awuser = 0;
        p->awlen = p->awsize = p->awburst = p->awprot = p->awcache = p->awlock = p->awqos = 0;
    }
    p->awvalid = d->aw_show;

    if (d->w_show) {
        dma_txn_t *t = tq_at(&d->w_q, 0);
        uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, d->w_beat);
        unsigned nbytes = 1u << t->size;
        unsigned lane = (unsigned)(a & 7) & ~(nbytes - 1);
        uint64_t mask = nbytes == 8 ? ~0ull : ((1ull << (8 * nbytes)) - 1);
        p->wdata = (t->data[d->w_beat] & mask) << (8 * lane);
        p->wstrb = ((1u << nbytes) - 1) << lane;
        p->wlast = d->w_beat == t->len;
    } else {
        p->wdata = 0;
        p->wstrb = 0;
        p->wlast = 0;
    }
    p->wvalid = d->w_show;

    d->rready = !rng_pct(d->cfg.stall_pct);
    d->bready = !rng_pct(d->cfg.stall_pct);
    p->rready = d->rready;
    p->bready = d->bready;
}

static void finish(dev_master_t *d, dma_txn_t *t, uint64_t now) {
    t->done = true;
    t->t_done = now;
    if (d->done_tail) d->done_tail->next = t;
    else d->done_head = t;
    d->done_tail = t;
    d->busy--;
}

static long oldest_with_id(const tq_t *q, uint64_t id) {
    for (size_t i = 0; i < q->n; i++)
        if (tq_at(q, i)->id == id) return (long)i;
    return -1;
}

void dev_master_update(dev_master_t *d, const axi_port_t *p, uint64_t now) {
    if (p->arvalid && p->arready) {
        dma_txn_t *t = tq_at(&d->ar_q, 0);
        t->t_addr = now;
        tq_pop(&d->ar_q);
        tq_push(&d->rd_out, t);
        d->ar_show = false;
    }
    if (p->awvalid && p->awready) {
        dma_txn_t *t = tq_at(&d->aw_q, 0);
        t->t_addr = now;
        tq_pop(&d->aw_q);
        tq_push(&d->wr_out, t);
        d->aw_show = false;
    }
    if (p->wvalid && p->wready) {
        dma_txn_t *t = tq_at(&d->w_q, 0);
        if (d->w_beat == t->len) {
            tq_pop(&d->w_q);
            d->w_beat = 0;
            if (t->b_early) finish(d, t, now);   /* its B came first (a violation) */
        } else {
            d->w_beat++;
        }
        d->w_show = false;
    }
    if (p->rvalid && p->rready) {
        long i = oldest_with_id(&d->rd_out, p->rid);
        if (i >= 0) {   /* the monitor reports an R nobody asked for */
            dma_txn_t *t = tq_at(&d->rd_out, (size_t)i);
            if (t->beats <= t->len) {
                uint64_t a = axi_beat_addr(t->addr, t->len, t->size, t->burst, t->beats);
                unsigned nbytes = 1u << t->size;
                unsigned lane = (unsigned)(a & 7) & ~(nbytes - 1);
                uint64_t mask = nbytes == 8 ? ~0ull : ((1ull << (8 * nbytes)) - 1);
                t->data[t->beats] = (p->rdata >> (8 * lane)) & mask;
                t->beat_resp[t->beats] = p->rresp;
            }
            if (!t->beats) t->t_first = now;
            if (p->rresp && !t->resp) t->resp = p->rresp;
            t->beats++;
            if (p->rlast) {
                tq_del(&d->rd_out, (size_t)i);
                finish(d, t, now);
            }
        }
    }
    if (p->bvalid && p->bready) {
        long i = oldest_with_id(&d->wr_out, p->bid);
        if (i >= 0) {
            dma_txn_t *t = tq_at(&d->wr_out, (size_t)i);
            t->resp = p->bresp;
            t->t_first = now;
            tq_del(&d->wr_out, (size_t)i);
            /* A B before the last W beat breaks AXI (the monitor reports it);
             * the transaction stays ours until its beats are out. */
            bool in_w = false;
            for (size_t k = 0; k < d->w_q.n; k++) in_w |= tq_at(&d->w_q, k) == t;
            if (in_w) t->b_early = true;
            else finish(d, t, now);
        }
    }
}
