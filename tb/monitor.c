/* monitor.c - AXI protocol monitor (see monitor.h). */
#include "monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t id;
    unsigned len;
    unsigned beats;          /* R beats seen (reads) or W beats matched (writes) */
} req_t;

typedef struct {
    req_t *v;
    size_t n, cap;
} req_q_t;

struct monitor {
    char name[16];
    bool lite;
    axi_port_t prev;
    bool have_prev;
    req_q_t ar, aw;
    unsigned *wbursts;       /* lengths of complete W bursts not yet matched to an AW */
    size_t wb_n, wb_cap;
    unsigned w_beats;        /* beats of the W burst in progress */
    unsigned violations;
};

static void violation(monitor_t *m, uint64_t now, const char *fmt, ...) {
    m->violations++;
    if (m->violations > 20) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "monitor %s: cycle %llu: ", m->name, (unsigned long long)now);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void q_push(req_q_t *q, req_t r) {
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 16;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
        if (!q->v) exit(3);
    }
    q->v[q->n++] = r;
}

static long q_oldest(const req_q_t *q, uint64_t id) {
    for (size_t i = 0; i < q->n; i++)
        if (q->v[i].id == id) return (long)i;
    return -1;
}

static void q_del(req_q_t *q, size_t i) {
    memmove(&q->v[i], &q->v[i + 1], (q->n - i - 1) * sizeof *q->v);
    q->n--;
}

monitor_t *monitor_new(const char *name, bool lite) {
    monitor_t *m = calloc(1, sizeof *m);
    if (!m) exit(3);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->lite = lite;
    return m;
}

void monitor_free(monitor_t *m) {
    if (!m) return;
    free(m->ar.v);
    free(m->aw.v);
    free(m->wbursts);
    free(m);
}

void monitor_reset(monitor_t *m) {
    m->ar.n = m->aw.n = 0;
    m->wb_n = 0;
    m->w_beats = 0;
    m->have_prev = false;
}

unsigned monitor_violations(const monitor_t *m) { return m->violations; }
unsigned monitor_outstanding(const monitor_t *m) { return (unsigned)(m->ar.n + m->aw.n); }

/* W bursts and AWs are paired in order; account beats to the writes. */
static void pair_w(monitor_t *m, uint64_t now) {
    size_t k = 0;
    for (size_t i = 0; i < m->aw.n && k < m->wb_n; i++) {
        req_t *r = &m->aw.v[i];
        if (r->beats) continue;          /* already has its beats */
        if (m->wbursts[k] != r->len + 1)
            violation(m, now, "W burst of %u beats for an AW with AWLEN+1 = %u", m->wbursts[k],
                      r->len + 1);
        r->beats = m->wbursts[k++];
    }
    memmove(m->wbursts, m->wbursts + k, (m->wb_n - k) * sizeof *m->wbursts);
    m->wb_n -= k;
}

#define STABLE(ch, cond, what)                                                        \
    do {                                                                              \
        if (m->have_prev && m->prev.ch##valid && !m->prev.ch##ready) {                \
            if (!p->ch##valid) violation(m, now, #ch "VALID dropped before " #ch "READY"); \
            else if (!(cond)) violation(m, now, #ch " payload changed while waiting (" what ")"); \
        }                                                                             \
    } while (0)

void monitor_sample(monitor_t *m, const axi_port_t *p, uint64_t now) {
    const axi_port_t *q = &m->prev;
    STABLE(aw, q->awid == p->awid && q->awaddr == p->awaddr && q->awlen == p->awlen &&
               q->awsize == p->awsize && q->awburst == p->awburst && q->awprot == p->awprot &&
               q->awuser == p->awuser, "AW");
    STABLE(ar, q->arid == p->arid && q->araddr == p->araddr && q->arlen == p->arlen &&
               q->arsize == p->arsize && q->arburst == p->arburst && q->arprot == p->arprot &&
               q->aruser == p->aruser, "AR");
    STABLE(w, q->wdata == p->wdata && q->wstrb == p->wstrb && q->wlast == p->wlast, "W");
    STABLE(b, q->bid == p->bid && q->bresp == p->bresp, "B");
    STABLE(r, q->rid == p->rid && q->rdata == p->rdata && q->rresp == p->rresp &&
              q->rlast == p->rlast, "R");

    if (p->awvalid && p->awready) q_push(&m->aw, (req_t){p->awid, m->lite ? 0 : p->awlen, 0});
    if (p->arvalid && p->arready) q_push(&m->ar, (req_t){p->arid, m->lite ? 0 : p->arlen, 0});

    if (p->wvalid && p->wready) {
        m->w_beats++;
        if (m->lite || p->wlast) {
            if (m->wb_n == m->wb_cap) {
                m->wb_cap = m->wb_cap ? 2 * m->wb_cap : 16;
                m->wbursts = realloc(m->wbursts, m->wb_cap * sizeof *m->wbursts);
                if (!m->wbursts) exit(3);
            }
            m->wbursts[m->wb_n++] = m->w_beats;
            m->w_beats = 0;
        } else if (m->w_beats > 256) {
            violation(m, now, "W burst longer than 256 beats without WLAST");
            m->w_beats = 0;
        }
    }
    pair_w(m, now);

    if (p->bvalid && p->bready) {
        long i = q_oldest(&m->aw, m->lite ? 0 : p->bid);
        if (i < 0) violation(m, now, "B with ID %#llx and no outstanding AW",
                             (unsigned long long)p->bid);
        else if (!m->aw.v[i].beats)
            violation(m, now, "B with ID %#llx before the last W beat of its write",
                      (unsigned long long)p->bid);
        else q_del(&m->aw, (size_t)i);
    }
    if (p->rvalid && p->rready) {
        long i = q_oldest(&m->ar, m->lite ? 0 : p->rid);
        if (i < 0) {
            violation(m, now, "R with ID %#llx and no outstanding AR", (unsigned long long)p->rid);
        } else {
            req_t *r = &m->ar.v[i];
            bool last = m->lite || p->rlast;
            if (last != (r->beats == r->len))
                violation(m, now, "RLAST=%d on beat %u of a %u-beat read (ID %#llx)", last,
                          r->beats + 1, r->len + 1, (unsigned long long)p->rid);
            r->beats++;
            if (last || r->beats > r->len) q_del(&m->ar, (size_t)i);
        }
    }
    m->prev = *p;
    m->have_prev = true;
}
