/*
 * fake_tb.c - a software stand-in for every function of tb.h, so that the
 * scenario runner can be unit-tested on the host without Verilator.
 *
 * Behaviour (the unit tests rely on it):
 *  - time: a cycle counter advanced by tb_cycles() and by every access
 *    (register access 2 cycles, DMA 4 + beats cycles, reset 10 cycles);
 *  - registers: 4 KiB of bytes that read back what was written, except that
 *    bit 4 of offset 0x10 (a "busy" bit) reads 1 for the first 3 reads after
 *    each write touching 0x10 and 0 afterwards; offsets that are not 4-aligned
 *    answer SLVERR, offsets beyond 4 KiB answer DECERR, and offsets at or above
 *    FAKE_REG_HANG never answer (the call returns -1 after 10000 cycles);
 *    tb_reset() clears them;
 *  - memory: sparse, the whole 64-bit space, zero where never written; kept as
 *    a log of stores and fills that loads search newest first (slow but simple
 *    and safe for any address or length); error ranges likewise;
 *  - DMA: reads and writes that memory, beat by beat (INCR), when the IOVA is
 *    below 2^48, SLVERR otherwise or when a beat touches an error range;
 *    device 999 never answers (returns -1 after `timeout` cycles), device 998
 *    answers DECERR and device 997 EXOKAY;
 *  - tb_wsi() returns fake_wsi;
 *  - scheduled events (a memory store, a new fake_wsi value) happen when time
 *    reaches their cycle, so that polls can be tested.
 */
#include "tb.h"

#include <stdlib.h>
#include <string.h>

/* ---- controls and observations for the tests ---------------------------- */

#define FAKE_REG_BYTES 4096u
#define FAKE_REG_HANG  0x10000000u
#define FAKE_BUSY_OFF  0x10u
#define FAKE_EVENTS    8u

uint32_t fake_wsi;                    /* what tb_wsi() returns */
unsigned fake_resets;                 /* tb_reset() calls */
unsigned fake_reg_reads, fake_reg_writes;
unsigned fake_dmas;                   /* tb_dma() calls */
tb_dma_t fake_last_dma;               /* the last request given to tb_dma() */
uint64_t fake_last_dma_timeout;

void fake_tb_init(void);
void fake_schedule_store(uint64_t at, uint64_t addr, unsigned size, uint64_t val);
void fake_schedule_wsi(uint64_t at, uint32_t val);
bool fake_mem_is_error(uint64_t addr);

/* ---- state --------------------------------------------------------------- */

typedef struct {
    uint64_t addr, len;
    bool fill;                        /* fill with `byte`, else copy `data` */
    uint8_t byte;
    uint8_t *data;
} mem_op_t;

typedef struct {
    uint64_t addr, len;
    bool err;
} err_op_t;

typedef struct {
    bool used, is_wsi;
    uint64_t at, addr, val;
    unsigned size;
} event_t;

static uint64_t now;
static uint8_t regs[FAKE_REG_BYTES];
static unsigned busy_reads;
static mem_op_t *mem_ops;
static size_t n_mem_ops, cap_mem_ops;
static err_op_t *err_ops;
static size_t n_err_ops, cap_err_ops;
static event_t events[FAKE_EVENTS];

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap != 0 ? *cap * 2u : 16u;
    p = realloc(p, *cap * elem);
    if (p == NULL)
        abort();
    return p;
}

static void mem_log(uint64_t addr, uint64_t len, bool fill, uint8_t byte, const void *data)
{
    mem_op_t *op;
    if (len == 0)
        return;
    mem_ops = grow(mem_ops, &cap_mem_ops, n_mem_ops, sizeof(*mem_ops));
    op = &mem_ops[n_mem_ops++];
    op->addr = addr;
    op->len = len;
    op->fill = fill;
    op->byte = byte;
    op->data = NULL;
    if (!fill) {
        op->data = malloc((size_t)len);
        if (op->data == NULL)
            abort();
        memcpy(op->data, data, (size_t)len);
    }
}

static uint8_t mem_byte(uint64_t addr)
{
    for (size_t i = n_mem_ops; i-- > 0;) {
        const mem_op_t *op = &mem_ops[i];
        uint64_t d = addr - op->addr;
        if (d < op->len)
            return op->fill ? op->byte : op->data[d];
    }
    return 0;
}

static void advance(uint64_t n)
{
    now += n;
    for (unsigned i = 0; i < FAKE_EVENTS; i++) {
        event_t *e = &events[i];
        if (!e->used || e->at > now)
            continue;
        e->used = false;
        if (e->is_wsi)
            fake_wsi = (uint32_t)e->val;
        else
            tb_mem_store(e->addr, e->size, e->val);
    }
}

static event_t *new_event(uint64_t at)
{
    for (unsigned i = 0; i < FAKE_EVENTS; i++) {
        if (!events[i].used) {
            memset(&events[i], 0, sizeof(events[i]));
            events[i].used = true;
            events[i].at = at;
            return &events[i];
        }
    }
    abort();
}

void fake_tb_init(void)
{
    for (size_t i = 0; i < n_mem_ops; i++)
        free(mem_ops[i].data);
    free(mem_ops);
    free(err_ops);
    mem_ops = NULL;
    err_ops = NULL;
    n_mem_ops = cap_mem_ops = n_err_ops = cap_err_ops = 0;
    memset(regs, 0, sizeof(regs));
    memset(events, 0, sizeof(events));
    memset(&fake_last_dma, 0, sizeof(fake_last_dma));
    busy_reads = 0;
    now = 0;
    fake_wsi = 0;
    fake_resets = fake_reg_reads = fake_reg_writes = fake_dmas = 0;
    fake_last_dma_timeout = 0;
}

void fake_schedule_store(uint64_t at, uint64_t addr, unsigned size, uint64_t val)
{
    event_t *e = new_event(at);
    e->addr = addr;
    e->size = size;
    e->val = val;
}

void fake_schedule_wsi(uint64_t at, uint32_t val)
{
    event_t *e = new_event(at);
    e->is_wsi = true;
    e->val = val;
}

bool fake_mem_is_error(uint64_t addr)
{
    for (size_t i = n_err_ops; i-- > 0;)
        if (addr - err_ops[i].addr < err_ops[i].len)
            return err_ops[i].err;
    return false;
}

/* Any byte of [addr, addr+len) currently marked as an error. */
static bool mem_range_error(uint64_t addr, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        if (fake_mem_is_error(addr + i))
            return true;
    return false;
}

/* ---- tb.h ------------------------------------------------------------------ */

uint64_t tb_now(void)
{
    return now;
}

void tb_cycles(uint64_t n)
{
    advance(n);
}

void tb_reset(void)
{
    fake_resets++;
    memset(regs, 0, sizeof(regs));
    busy_reads = 0;
    advance(10);
}

static int reg_check(uint32_t off, unsigned size, unsigned *resp)
{
    advance(2);
    if (off >= FAKE_REG_HANG) {
        advance(10000);
        return -1;
    }
    if (off % 4u != 0 || (size != 4 && size != 8))
        *resp = AXI_SLVERR;
    else if ((uint64_t)off + size > FAKE_REG_BYTES)
        *resp = AXI_DECERR;
    else
        *resp = AXI_OKAY;
    return 0;
}

int tb_reg_read(uint32_t off, unsigned size, uint64_t *val, unsigned *resp)
{
    fake_reg_reads++;
    *val = 0;
    if (reg_check(off, size, resp) != 0)
        return -1;
    if (*resp != AXI_OKAY)
        return 0;
    for (unsigned i = 0; i < size; i++)
        *val |= (uint64_t)regs[off + i] << (8u * i);
    if (off <= FAKE_BUSY_OFF && FAKE_BUSY_OFF < off + size) {
        unsigned bit = 8u * (FAKE_BUSY_OFF - off) + 4u;
        *val &= ~(UINT64_C(1) << bit);
        if (busy_reads > 0) {
            *val |= UINT64_C(1) << bit;
            busy_reads--;
        }
    }
    return 0;
}

int tb_reg_write(uint32_t off, unsigned size, uint64_t val, unsigned *resp)
{
    fake_reg_writes++;
    if (reg_check(off, size, resp) != 0)
        return -1;
    if (*resp != AXI_OKAY)
        return 0;
    for (unsigned i = 0; i < size; i++)
        regs[off + i] = (uint8_t)(val >> (8u * i));
    if (off <= FAKE_BUSY_OFF && FAKE_BUSY_OFF < off + size)
        busy_reads = 3;
    return 0;
}

void tb_mem_write(uint64_t addr, const void *buf, size_t n)
{
    mem_log(addr, n, false, 0, buf);
}

void tb_mem_read(uint64_t addr, void *buf, size_t n)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = mem_byte(addr + i);
}

uint64_t tb_mem_load(uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8u; i++)
        v |= (uint64_t)mem_byte(addr + i) << (8u * i);
    return v;
}

void tb_mem_store(uint64_t addr, unsigned size, uint64_t val)
{
    uint8_t b[8];
    if (size > 8u)
        size = 8u;
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(val >> (8u * i));
    mem_log(addr, size, false, 0, b);
}

void tb_mem_fill(uint64_t addr, uint64_t len, uint8_t byte)
{
    mem_log(addr, len, true, byte, NULL);
}

void tb_mem_error(uint64_t addr, uint64_t len, bool err)
{
    if (len == 0)
        return;
    err_ops = grow(err_ops, &cap_err_ops, n_err_ops, sizeof(*err_ops));
    err_ops[n_err_ops].addr = addr;
    err_ops[n_err_ops].len = len;
    err_ops[n_err_ops].err = err;
    n_err_ops++;
}

int tb_dma(const tb_dma_t *req, tb_dma_result_t *res, uint64_t timeout)
{
    fake_dmas++;
    fake_last_dma = *req;
    fake_last_dma_timeout = timeout;
    memset(res, 0, sizeof(*res));
    if (req->dev == 999u) {
        advance(timeout);
        return -1;
    }
    advance(4u + req->beats);
    res->done = true;
    if (req->dev == 998u || req->dev == 997u) {
        res->resp = req->dev == 998u ? AXI_DECERR : AXI_EXOKAY;
        res->beats = req->write ? 0 : req->beats;
        return 0;
    }
    for (unsigned beat = 0; beat < req->beats; beat++) {
        uint64_t a = req->iova + (uint64_t)beat * req->size;
        if (a >= (UINT64_C(1) << 48) || mem_range_error(a, req->size)) {
            if (res->resp == AXI_OKAY)
                res->resp = AXI_SLVERR;
            continue;
        }
        if (req->write) {
            tb_mem_store(a, req->size, req->data);
        } else if (beat == 0) {
            uint64_t m = req->size >= 8u ? UINT64_MAX : (UINT64_C(1) << (8u * req->size)) - 1u;
            res->rdata = tb_mem_load(a, req->size) & m;
        }
    }
    res->beats = req->write ? 0 : req->beats;
    return 0;
}

uint32_t tb_wsi(void)
{
    return fake_wsi;
}

unsigned tb_violations(void)
{
    return 0;
}
