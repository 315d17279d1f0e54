/* mem.c - sparse physical memory (see mem.h). */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)
#define NBUCKETS 4096u

typedef struct page {
    uint64_t pfn;
    struct page *next;
    uint8_t data[PAGE_SIZE];
} page_t;

static page_t *buckets[NBUCKETS];

typedef struct { uint64_t lo, hi; } range_t;   /* [lo, hi] inclusive */
/* one list of disjoint error ranges per port (mem_port_t) */
static range_t *err_list[MEM_NPORTS];
static size_t err_n[MEM_NPORTS];

static unsigned hash_pfn(uint64_t pfn) {
    pfn ^= pfn >> 17;
    pfn *= 0x9e3779b97f4a7c15ull;
    return (unsigned)(pfn >> 52) & (NBUCKETS - 1);
}

static page_t *find_page(uint64_t pfn, bool create) {
    unsigned h = hash_pfn(pfn);
    for (page_t *p = buckets[h]; p; p = p->next)
        if (p->pfn == pfn) return p;
    if (!create) return NULL;
    page_t *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "mem: out of host memory\n");
        exit(3);
    }
    p->pfn = pfn;
    p->next = buckets[h];
    buckets[h] = p;
    return p;
}

void mem_reset_all(void) {
    for (unsigned i = 0; i < NBUCKETS; i++) {
        page_t *p = buckets[i];
        while (p) {
            page_t *n = p->next;
            free(p);
            p = n;
        }
        buckets[i] = NULL;
    }
    for (int i = 0; i < MEM_NPORTS; i++) {
        free(err_list[i]);
        err_list[i] = NULL;
        err_n[i] = 0;
    }
}

void mem_write(uint64_t addr, const void *buf, size_t n) {
    const uint8_t *b = buf;
    while (n) {
        uint64_t off = addr & (PAGE_SIZE - 1);
        size_t chunk = PAGE_SIZE - off;
        if (chunk > n) chunk = n;
        page_t *p = find_page(addr >> PAGE_BITS, true);
        memcpy(p->data + off, b, chunk);
        addr += chunk;
        b += chunk;
        n -= chunk;
    }
}

void mem_read(uint64_t addr, void *buf, size_t n) {
    uint8_t *b = buf;
    while (n) {
        uint64_t off = addr & (PAGE_SIZE - 1);
        size_t chunk = PAGE_SIZE - off;
        if (chunk > n) chunk = n;
        page_t *p = find_page(addr >> PAGE_BITS, false);
        if (p) memcpy(b, p->data + off, chunk);
        else memset(b, 0, chunk);
        addr += chunk;
        b += chunk;
        n -= chunk;
    }
}

uint64_t mem_load(uint64_t addr, unsigned size) {
    uint8_t b[8];
    uint64_t v = 0;
    mem_read(addr, b, size);
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}

void mem_store(uint64_t addr, unsigned size, uint64_t val) {
    uint8_t b[8];
    for (unsigned i = 0; i < size; i++) b[i] = (uint8_t)(val >> (8 * i));
    mem_write(addr, b, size);
}

void mem_store_strb(uint64_t addr, uint64_t data, uint32_t strb, unsigned nbytes) {
    for (unsigned i = 0; i < nbytes; i++)
        if (strb & (1u << i)) {
            uint8_t b = (uint8_t)(data >> (8 * i));
            mem_write(addr + i, &b, 1);
        }
}

/* Error ranges are kept as a list of disjoint inclusive intervals. */
void mem_set_error(mem_port_t port, uint64_t addr, uint64_t len, bool err) {
    range_t *err_ranges = err_list[port];
    size_t n_err = err_n[port];
    if (len == 0) return;
    uint64_t lo = addr, hi = addr + len - 1;
    if (hi < lo) hi = UINT64_MAX;   /* clamp a range that wraps */
    /* remove [lo, hi] from every range, splitting where needed */
    size_t n = 0;
    range_t *out = malloc((n_err * 2 + 2) * sizeof *out);
    if (!out) exit(3);
    for (size_t i = 0; i < n_err; i++) {
        range_t r = err_ranges[i];
        if (r.hi < lo || r.lo > hi) { out[n++] = r; continue; }
        if (r.lo < lo) out[n++] = (range_t){r.lo, lo - 1};
        if (r.hi > hi) out[n++] = (range_t){hi + 1, r.hi};
    }
    if (err) out[n++] = (range_t){lo, hi};
    free(err_ranges);
    err_list[port] = out;
    err_n[port] = n;
}

bool mem_is_error(mem_port_t port, uint64_t addr, uint64_t len) {
    const range_t *err_ranges = err_list[port];
    size_t n_err = err_n[port];
    if (len == 0) return false;
    uint64_t lo = addr, hi = addr + len - 1;
    if (hi < lo) hi = UINT64_MAX;
    for (size_t i = 0; i < n_err; i++)
        if (!(err_ranges[i].hi < lo || err_ranges[i].lo > hi)) return true;
    return false;
}
