/*
 * mock.c - mock IOMMU register page, command execution and memory for the
 * host unit tests (see mock.h).
 */
#include "mock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT(n) (1ULL << (n))

static void violation(mock_t *m, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->last_violation, sizeof m->last_violation, fmt, ap);
    va_end(ap);
    m->violations++;
}

/* ---- memory ------------------------------------------------------------- */
static bool in_arena(uint64_t pa, uint64_t len) {
    return pa >= MOCK_MEM_BASE && len <= MOCK_MEM_SIZE && pa - MOCK_MEM_BASE <= MOCK_MEM_SIZE - len;
}

void *mock_va(const mock_t *m, uint64_t pa) { return m->mem + (pa - MOCK_MEM_BASE); }

uint64_t mock_rd64(const mock_t *m, uint64_t pa) {
    uint64_t v;
    if (!in_arena(pa, 8)) return 0;
    memcpy(&v, mock_va(m, pa), 8);
    return v;
}

void mock_wr64(mock_t *m, uint64_t pa, uint64_t v) {
    if (!in_arena(pa, 8)) return;
    memcpy(mock_va(m, pa), &v, 8);
}

/* ---- register model ------------------------------------------------------ */
static uint32_t cq_entries(const mock_t *m) {
    return 1u << (IOMMU_FIELD_GET(m->cqb, IOMMU_CQB_LOG2SZM1) + 1u);
}
static uint32_t fq_entries(const mock_t *m) {
    return 1u << (IOMMU_FIELD_GET(m->fqb, IOMMU_FQB_LOG2SZM1) + 1u);
}
static uint32_t ddt_mode(const mock_t *m) {
    return (uint32_t)IOMMU_FIELD_GET(m->ddtp, IOMMU_DDTP_IOMMU_MODE);
}

static unsigned reg_size(uint32_t off) {
    switch (off) {
    case IOMMU_REG_CAPABILITIES:
    case IOMMU_REG_DDTP:
    case IOMMU_REG_CQB:
    case IOMMU_REG_FQB:
    case IOMMU_REG_ICVEC: return 8;
    case IOMMU_REG_FCTL:
    case IOMMU_REG_CQH:
    case IOMMU_REG_CQT:
    case IOMMU_REG_FQH:
    case IOMMU_REG_FQT:
    case IOMMU_REG_CQCSR:
    case IOMMU_REG_FQCSR:
    case IOMMU_REG_IPSR: return 4;
    default: return 0;
    }
}

static uint64_t reg_read(mock_t *m, uint32_t off) {
    uint64_t v = 0;
    switch (off) {
    case IOMMU_REG_CAPABILITIES: v = m->caps; break;
    case IOMMU_REG_FCTL: v = m->fctl; break;
    case IOMMU_REG_DDTP:
        v = m->ddtp | (m->ddtp_busy ? IOMMU_DDTP_BUSY_MASK : 0);
        if (m->ddtp_busy) m->ddtp_busy--;
        break;
    case IOMMU_REG_CQB: v = m->cqb; break;
    case IOMMU_REG_CQH:
        if (m->exec == MOCK_EXEC_ON_CQH_READ) mock_exec_commands(m);
        v = m->cqh;
        break;
    case IOMMU_REG_CQT: v = m->cqt; break;
    case IOMMU_REG_FQB: v = m->fqb; break;
    case IOMMU_REG_FQH: v = m->fqh; break;
    case IOMMU_REG_FQT: v = m->fqt; break;
    case IOMMU_REG_CQCSR:
        v = m->cqcsr | (m->cqon ? IOMMU_CQCSR_CQON_MASK : 0) |
            (m->cq_busy ? IOMMU_CQCSR_BUSY_MASK : 0);
        if (m->cq_busy && !--m->cq_busy) m->cqon = m->cqcsr & IOMMU_CQCSR_CQEN_MASK;
        break;
    case IOMMU_REG_FQCSR:
        v = m->fqcsr | (m->fqon ? IOMMU_FQCSR_FQON_MASK : 0) |
            (m->fq_busy ? IOMMU_FQCSR_BUSY_MASK : 0);
        if (m->fq_busy && !--m->fq_busy) m->fqon = m->fqcsr & IOMMU_FQCSR_FQEN_MASK;
        break;
    case IOMMU_REG_IPSR: v = m->ipsr; break;
    case IOMMU_REG_ICVEC: v = m->icvec; break;
    default: break;
    }
    return v;
}

static void reg_write(mock_t *m, uint32_t off, uint64_t v) {
    switch (off) {
    case IOMMU_REG_FCTL: {
        uint32_t w = 0, igs = (uint32_t)IOMMU_FIELD_GET(m->caps, IOMMU_CAPABILITIES_IGS);
        if (m->caps & IOMMU_CAPABILITIES_END_MASK) w |= (uint32_t)IOMMU_FCTL_BE_MASK;
        if (igs == 2) w |= (uint32_t)IOMMU_FCTL_WSI_MASK;
        if (ddt_mode(m) != IOMMU_DDTP_MODE_OFF || m->cqon || m->fqon)
            violation(m, "fctl written while the IOMMU is not Off or a queue is on");
        m->fctl = (m->fctl & ~w) | ((uint32_t)v & w);
        break;
    }
    case IOMMU_REG_DDTP: {
        uint32_t old = ddt_mode(m), mode = (uint32_t)(v & IOMMU_DDTP_IOMMU_MODE_MASK);
        uint64_t ppn = v & IOMMU_DDTP_PPN_MASK;
        if (m->ddtp_busy) violation(m, "ddtp written while busy");
        if (mode >= IOMMU_DDTP_MODE_1LVL && old >= IOMMU_DDTP_MODE_1LVL)
            violation(m, "ddtp: xLVL written while in xLVL");
        if (mode == IOMMU_DDTP_MODE_OFF && old != IOMMU_DDTP_MODE_OFF &&
            ppn != (m->ddtp & IOMMU_DDTP_PPN_MASK))
            violation(m, "ddtp: PPN changed on the way to Off");
        if (!((m->ddt_modes | 3u) & (1u << mode))) mode = old; /* WARL: keep */
        m->ddtp = ppn | mode;
        m->ddtp_busy = m->busy_reads;
        break;
    }
    case IOMMU_REG_CQB: {
        if (m->cqon || m->cq_busy) violation(m, "cqb written while the queue is on or busy");
        uint64_t l = v & IOMMU_CQB_LOG2SZM1_MASK;
        if (l > m->cq_max_log2 - 1u) l = m->cq_max_log2 - 1u;
        m->cqb = (v & IOMMU_CQB_PPN_MASK) | l;
        m->cqt &= cq_entries(m) - 1u;
        break;
    }
    case IOMMU_REG_CQT: m->cqt = (uint32_t)v & (cq_entries(m) - 1u); break;
    case IOMMU_REG_FQB: {
        if (m->fqon || m->fq_busy) violation(m, "fqb written while the queue is on or busy");
        uint64_t l = v & IOMMU_FQB_LOG2SZM1_MASK;
        if (l > m->fq_max_log2 - 1u) l = m->fq_max_log2 - 1u;
        m->fqb = (v & IOMMU_FQB_PPN_MASK) | l;
        m->fqh &= fq_entries(m) - 1u;
        break;
    }
    case IOMMU_REG_FQH: m->fqh = (uint32_t)v & (fq_entries(m) - 1u); break;
    case IOMMU_REG_CQCSR: {
        uint32_t val = (uint32_t)v;
        bool en = val & IOMMU_CQCSR_CQEN_MASK, was = m->cqcsr & IOMMU_CQCSR_CQEN_MASK;
        m->cqcsr &= ~(val & (uint32_t)IOMMU_CQCSR_W1C);
        m->cqcsr = (m->cqcsr & ~(uint32_t)(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK)) |
                   (val & (uint32_t)(IOMMU_CQCSR_CQEN_MASK | IOMMU_CQCSR_CIE_MASK));
        if (en != was) {
            if (m->cq_busy) violation(m, "cqen changed while busy");
            if (en) {
                m->cqh = 0;
                m->cqcsr &= ~(uint32_t)IOMMU_CQCSR_W1C;
            }
            m->cq_busy = m->busy_reads;
            if (!m->cq_busy) m->cqon = en;
        }
        break;
    }
    case IOMMU_REG_FQCSR: {
        uint32_t val = (uint32_t)v;
        bool en = val & IOMMU_FQCSR_FQEN_MASK, was = m->fqcsr & IOMMU_FQCSR_FQEN_MASK;
        m->fqcsr &= ~(val & (uint32_t)IOMMU_FQCSR_W1C);
        m->fqcsr = (m->fqcsr & ~(uint32_t)(IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FIE_MASK)) |
                   (val & (uint32_t)(IOMMU_FQCSR_FQEN_MASK | IOMMU_FQCSR_FIE_MASK));
        if (en != was) {
            if (m->fq_busy) violation(m, "fqen changed while busy");
            if (en) {
                m->fqt = 0;
                m->fqcsr &= ~(uint32_t)IOMMU_FQCSR_W1C;
            }
            m->fq_busy = m->busy_reads;
            if (!m->fq_busy) m->fqon = en;
        }
        break;
    }
    case IOMMU_REG_IPSR: m->ipsr &= ~((uint32_t)v & (uint32_t)IOMMU_IPSR_W1C); break;
    case IOMMU_REG_ICVEC: m->icvec = v & m->icvec_mask; break;
    case IOMMU_REG_CAPABILITIES:
    case IOMMU_REG_CQH:
    case IOMMU_REG_FQT: violation(m, "write to read-only register 0x%x", off); break;
    default: break;
    }
}

static void log_access(mock_t *m, char op, unsigned size, uint32_t off, uint64_t val) {
    if (m->nlog == m->caplog) {
        m->caplog = m->caplog ? 2 * m->caplog : 256;
        m->log = realloc(m->log, m->caplog * sizeof *m->log);
        if (!m->log) abort();
    }
    m->log[m->nlog++] = (mock_access_t){.op = op, .size = (uint8_t)size, .off = off, .val = val};
}

static int reg_access(mock_t *m, char op, unsigned size, uint32_t off, uint64_t *val) {
    m->event++;
    if (m->fail_mmio_at && ++m->mmio_count == m->fail_mmio_at) return IOMMU_EIO;
    if (off % size) violation(m, "unaligned %u-byte access at 0x%x", size, off);
    unsigned rs = reg_size(off);
    if (rs && rs != size) violation(m, "%u-byte access to %u-byte register 0x%x", size, rs, off);
    if (op == 'R') {
        *val = reg_read(m, off);
        if (size == 4) *val &= 0xffffffffu;
    } else {
        reg_write(m, off, *val);
    }
    log_access(m, op, size, off, *val);
    return IOMMU_OK;
}

/* ---- commands ------------------------------------------------------------- */
static uint32_t mode_did_width(uint32_t mode) {
    return mode == IOMMU_DDTP_MODE_1LVL ? 7u : mode == IOMMU_DDTP_MODE_2LVL ? 16u : 24u;
}

/* Legal per the spec's layouts (reserved bits zero, defined encodings). */
static bool cmd_legal(const mock_t *m, uint64_t d0, uint64_t d1) {
    uint32_t op = d0 & 0x7f, f3 = (d0 >> 7) & 7;
    switch (op) {
    case 1: { /* IOTINVAL */
        uint64_t rsv0 = BIT(11) | (0x3ffULL << 34) | (0xfULL << 60);
        uint64_t rsv1 = 0x3ffULL | (3ULL << 62);
        if (m->caps & IOMMU_CAPABILITIES_NL_MASK) rsv0 &= ~BIT(34);
        if (m->caps & IOMMU_CAPABILITIES_S_MASK) rsv1 &= ~BIT(9);
        if (f3 > 1 || (d0 & rsv0) || (d1 & rsv1)) return false;
        if (f3 == 1 && (d0 & BIT(32))) return false; /* GVMA with PSCV */
        return true;
    }
    case 2: /* IOFENCE.C */
        if (f3 != 0 || (d0 & (0x3ffffULL << 14)) || (d1 & (3ULL << 62))) return false;
        if ((d0 & BIT(11)) && !(m->fctl & IOMMU_FCTL_WSI_MASK)) return false;
        return true;
    case 3: { /* IODIR */
        uint64_t rsv0 = (3ULL << 10) | BIT(32) | (0x3fULL << 34);
        if (f3 > 1 || (d0 & rsv0) || d1) return false;
        bool dv = d0 & BIT(33);
        uint32_t did = (uint32_t)(d0 >> 40), pid = (uint32_t)((d0 >> 12) & 0xfffff);
        if (f3 == 0 && pid) return false;
        if (f3 == 1 && !dv) return false;
        if (dv && (did >> mode_did_width(ddt_mode(m)))) return false;
        return true;
    }
    default: return false; /* ATS without capabilities.ATS, reserved opcodes */
    }
}

void mock_exec_commands(mock_t *m) {
    if (!(m->cqcsr & IOMMU_CQCSR_CQEN_MASK) || !m->cqon) return;
    uint64_t base = IOMMU_FIELD_GET(m->cqb, IOMMU_CQB_PPN) << 12;
    uint32_t mask = cq_entries(m) - 1u;
    while (m->cqh != m->cqt && !(m->cqcsr & (IOMMU_CQCSR_CMD_ILL_MASK | IOMMU_CQCSR_CQMF_MASK))) {
        uint64_t pa = base + 16ull * m->cqh;
        if (!in_arena(pa, 16)) {
            m->cqcsr |= (uint32_t)IOMMU_CQCSR_CQMF_MASK;
            if (m->cqcsr & IOMMU_CQCSR_CIE_MASK) m->ipsr |= (uint32_t)IOMMU_IPSR_CIP_MASK;
            break;
        }
        uint64_t d0 = mock_rd64(m, pa), d1 = mock_rd64(m, pa + 8);
        if (!cmd_legal(m, d0, d1)) {
            m->cqcsr |= (uint32_t)IOMMU_CQCSR_CMD_ILL_MASK;
            if (m->cqcsr & IOMMU_CQCSR_CIE_MASK) m->ipsr |= (uint32_t)IOMMU_IPSR_CIP_MASK;
            break;
        }
        if ((d0 & 0x7f) == 2) { /* IOFENCE.C completes: everything before it is done */
            if (d0 & BIT(10)) {
                uint64_t addr = (d1 & ((1ULL << 62) - 1)) << 2;
                uint32_t data = (uint32_t)(d0 >> 32);
                if (!in_arena(addr, 4)) {
                    m->cqcsr |= (uint32_t)IOMMU_CQCSR_CQMF_MASK;
                    if (m->cqcsr & IOMMU_CQCSR_CIE_MASK) m->ipsr |= (uint32_t)IOMMU_IPSR_CIP_MASK;
                    break;
                }
                memcpy(mock_va(m, addr), &data, 4);
            }
            if (d0 & BIT(11)) {
                m->cqcsr |= (uint32_t)IOMMU_CQCSR_FENCE_W_IP_MASK;
                if (m->cqcsr & IOMMU_CQCSR_CIE_MASK) m->ipsr |= (uint32_t)IOMMU_IPSR_CIP_MASK;
            }
            m->last_fence_event = m->event + 1;
        }
        if (m->ncmds == m->capcmds) {
            m->capcmds = m->capcmds ? 2 * m->capcmds : 64;
            m->cmds = realloc(m->cmds, m->capcmds * sizeof *m->cmds);
            if (!m->cmds) abort();
        }
        mock_cmd_t *c = &m->cmds[m->ncmds++];
        c->dw[0] = d0;
        c->dw[1] = d1;
        c->event = ++m->event;
        m->cqh = (m->cqh + 1u) & mask;
        if (m->on_cmd) m->on_cmd(m, c);
    }
}

bool mock_inject_fault(mock_t *m, const uint64_t rec[4]) {
    if (!(m->fqcsr & IOMMU_FQCSR_FQEN_MASK) || !m->fqon) return false;
    if (m->fqcsr & (IOMMU_FQCSR_FQMF_MASK | IOMMU_FQCSR_FQOF_MASK)) return false;
    uint32_t mask = fq_entries(m) - 1u;
    bool fie = m->fqcsr & IOMMU_FQCSR_FIE_MASK;
    if (((m->fqt + 1u) & mask) == m->fqh) {
        m->fqcsr |= (uint32_t)IOMMU_FQCSR_FQOF_MASK;
        if (fie) m->ipsr |= (uint32_t)IOMMU_IPSR_FIP_MASK;
        return false;
    }
    uint64_t pa = (IOMMU_FIELD_GET(m->fqb, IOMMU_FQB_PPN) << 12) + 32ull * m->fqt;
    if (!in_arena(pa, 32)) {
        m->fqcsr |= (uint32_t)IOMMU_FQCSR_FQMF_MASK;
        if (fie) m->ipsr |= (uint32_t)IOMMU_IPSR_FIP_MASK;
        return false;
    }
    for (int i = 0; i < 4; i++)
        mock_wr64(m, pa + 8u * (unsigned)i, rec[i]);
    m->fqt = (m->fqt + 1u) & mask;
    if (fie) m->ipsr |= (uint32_t)IOMMU_IPSR_FIP_MASK;
    return true;
}

/* ---- platform operations ------------------------------------------------- */
static int op_read32(void *ctx, uint32_t off, uint32_t *val) {
    uint64_t v = 0;
    int rc = reg_access(ctx, 'R', 4, off, &v);
    *val = (uint32_t)v;
    return rc;
}
static int op_read64(void *ctx, uint32_t off, uint64_t *val) {
    return reg_access(ctx, 'R', 8, off, val);
}
static int op_write32(void *ctx, uint32_t off, uint32_t val) {
    uint64_t v = val;
    return reg_access(ctx, 'W', 4, off, &v);
}
static int op_write64(void *ctx, uint32_t off, uint64_t val) {
    return reg_access(ctx, 'W', 8, off, &val);
}

static bool alloc_fails(mock_t *m) {
    m->allocs++;
    return m->fail_alloc_at && m->allocs == m->fail_alloc_at;
}

static int op_dma_alloc(void *ctx, size_t size, size_t align, void **virt, uint64_t *phys) {
    mock_t *m = ctx;
    if (alloc_fails(m)) return IOMMU_ENOMEM;
    if (size % 4096 || (align & (align - 1u))) violation(m, "dma_alloc(%zu, %zu)", size, align);
    int rc = iommu_pagepool_alloc(&m->pool, size, align, phys);
    if (rc) return rc;
    memset(mock_va(m, *phys), 0, size);
    if (virt) *virt = mock_va(m, *phys);
    m->dma_live_pages += (long)(size / 4096);
    return IOMMU_OK;
}
static void op_dma_free(void *ctx, void *virt, uint64_t phys, size_t size) {
    mock_t *m = ctx;
    (void)virt;
    if (iommu_pagepool_free(&m->pool, phys, size) != IOMMU_OK) {
        violation(m, "bad dma_free(0x%llx, %zu)", (unsigned long long)phys, size);
        return;
    }
    memset(mock_va(m, phys), 0xa5, size); /* use-after-free shows up as garbage */
    m->dma_live_pages -= (long)(size / 4096);
}
static uint64_t op_mem_read64(void *ctx, uint64_t pa) {
    mock_t *m = ctx;
    if (!in_arena(pa, 8) || pa % 8) violation(m, "mem_read64(0x%llx)", (unsigned long long)pa);
    return mock_rd64(m, pa);
}
static void op_mem_write64(void *ctx, uint64_t pa, uint64_t v) {
    mock_t *m = ctx;
    m->event++;
    if (!in_arena(pa, 8) || pa % 8) violation(m, "mem_write64(0x%llx)", (unsigned long long)pa);
    mock_wr64(m, pa, v);
    if (m->nmemw == m->capmemw) {
        m->capmemw = m->capmemw ? 2 * m->capmemw : 1024;
        m->memw = realloc(m->memw, m->capmemw * sizeof *m->memw);
        if (!m->memw) abort();
    }
    m->memw[m->nmemw++] = (mock_memw_t){.pa = pa, .val = v, .event = m->event};
}
static int op_virt_to_phys(void *ctx, const void *virt, uint64_t *phys) {
    mock_t *m = ctx;
    if (m->v2p) return m->v2p(m, virt, phys);
    const uint8_t *v = virt;
    if (v < m->mem || v >= m->mem + MOCK_MEM_SIZE) return IOMMU_ENOTSUP;
    *phys = MOCK_MEM_BASE + (uint64_t)(v - m->mem);
    return IOMMU_OK;
}
static void *op_host_alloc(void *ctx, size_t size) {
    mock_t *m = ctx;
    if (alloc_fails(m)) return NULL;
    void *p = calloc(1, size);
    if (p) m->host_live++;
    return p;
}
static void op_host_free(void *ctx, void *p, size_t size) {
    mock_t *m = ctx;
    (void)size;
    if (!p) return;
    free(p);
    m->host_live--;
}
static void op_wmb(void *ctx) {
    mock_t *m = ctx;
    m->wmbs++;
    m->last_wmb_event = ++m->event;
}
static void op_mb(void *ctx) {
    mock_t *m = ctx;
    m->mbs++;
    m->event++;
}
static void op_delay(void *ctx, uint32_t us) {
    mock_t *m = ctx;
    (void)us;
    m->delays++;
    if (m->exec == MOCK_EXEC_ON_DELAY) mock_exec_commands(m);
}

static const iommu_platform_ops_t mock_ops = {
    .read32 = op_read32,
    .read64 = op_read64,
    .write32 = op_write32,
    .write64 = op_write64,
    .dma_alloc = op_dma_alloc,
    .dma_free = op_dma_free,
    .mem_read64 = op_mem_read64,
    .mem_write64 = op_mem_write64,
    .virt_to_phys = op_virt_to_phys,
    .host_alloc = op_host_alloc,
    .host_free = op_host_free,
    .wmb = op_wmb,
    .mb = op_mb,
    .delay_us = op_delay,
};

iommu_platform_t mock_platform(mock_t *m) { return (iommu_platform_t){.ops = &mock_ops, .ctx = m}; }

mock_t *mock_new(void) {
    mock_t *m = calloc(1, sizeof *m);
    if (!m) abort();
    m->mem = aligned_alloc(4096, MOCK_MEM_SIZE); /* page offsets equal physical ones */
    if (m->mem) memset(m->mem, 0, MOCK_MEM_SIZE);
    m->bitmap = calloc(IOMMU_PAGEPOOL_WORDS(MOCK_MEM_SIZE), sizeof(uint64_t));
    if (!m->mem || !m->bitmap) abort();
    if (iommu_pagepool_init(&m->pool, MOCK_MEM_BASE, MOCK_MEM_SIZE, m->bitmap)) abort();
    m->caps = IOMMU_CAPABILITIES_RESET;
    m->ddt_modes = (1u << 2) | (1u << 3) | (1u << 4);
    m->cq_max_log2 = 13;
    m->fq_max_log2 = 12;
    m->icvec_mask = 0x3333;
    m->busy_reads = 1;
    m->fctl = IOMMU_FCTL_RESET;
    m->exec = MOCK_EXEC_ON_CQH_READ;
    return m;
}

void mock_free(mock_t *m) {
    if (!m) return;
    free(m->mem);
    free(m->bitmap);
    free(m->log);
    free(m->cmds);
    free(m->memw);
    free(m);
}

void mock_log_clear(mock_t *m) { m->nlog = 0; }

long mock_log_find(const mock_t *m, size_t from, char op, uint32_t off) {
    for (size_t i = from; i < m->nlog; i++)
        if (m->log[i].op == op && m->log[i].off == off) return (long)i;
    return -1;
}

void mock_log_dump(const mock_t *m, size_t from) {
    for (size_t i = from; i < m->nlog; i++)
        printf("  %3zu %c%u 0x%03x 0x%llx\n", i, m->log[i].op, m->log[i].size, m->log[i].off,
               (unsigned long long)m->log[i].val);
}

long mock_memw_last(const mock_t *m, uint64_t pa) {
    for (size_t i = m->nmemw; i-- > 0;)
        if (m->memw[i].pa == pa) return (long)i;
    return -1;
}
