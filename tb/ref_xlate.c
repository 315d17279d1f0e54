/* ref_xlate.c - reference translator (see ref_xlate.h for every rule it follows). */
#include "ref_xlate.h"

#include <stddef.h>
#include <string.h>

/* capabilities fields */
#define CAP_SV32        (1ull << 8)
#define CAP_SV39        (1ull << 9)
#define CAP_SV48        (1ull << 10)
#define CAP_SV57        (1ull << 11)
#define CAP_SVRSW60T59B (1ull << 14)
#define CAP_SVPBMT      (1ull << 15)
#define CAP_SVX4_ALL    (0xfull << 16)   /* Sv32x4 .. Sv57x4 */
#define CAP_MSI_FLAT    (1ull << 22)
#define CAP_MSI_MRIF    (1ull << 23)
#define CAP_AMO_HWAD    (1ull << 24)
#define CAP_ATS         (1ull << 25)
#define CAP_T2GPA       (1ull << 26)
#define CAP_END         (1ull << 27)
#define CAP_PAS_SHIFT   32
#define CAP_PD_ALL      (7ull << 38)     /* PD8, PD17, PD20 */
#define CAP_QOSID       (1ull << 41)
/* features whose behaviour this model does not cover (F1) */
#define CAP_UNMODELLED  (CAP_SVX4_ALL | CAP_MSI_FLAT | CAP_MSI_MRIF | CAP_AMO_HWAD | CAP_ATS | \
                         CAP_T2GPA | CAP_END | CAP_PD_ALL | CAP_QOSID)

#define FCTL_BE  (1u << 0)
#define FCTL_GXL (1u << 2)

/* ddtp and non-leaf DDTE */
#define DDTP_MODE_MASK 0xfull
#define DDTE_RSVD      ((0x1ffull << 1) | (0x3ffull << 54))   /* 9:1, 63:54 */

/* DC doublewords (base format) */
#define TC_RSVD        ((0xfffull << 12) | (0xffffffffull << 32))  /* 23:12, 63:32 */
#define TA_RSVD        (0xfffull | (0xffull << 32))                /* 11:0, 39:32 */
#define TA_QOS         (0xffffffull << 40)                         /* RCID, MCID */
#define TA_PSCID(ta)   ((uint32_t)(((ta) >> 12) & 0xfffffu))
#define FSC_RSVD       (0xffffull << 44)                           /* 59:44 */
#define FSC_MODE(fsc)  ((unsigned)((fsc) >> 60))
#define FSC_PPN(fsc)   ((fsc) & REF_PPN_MASK)
#define IOHGATP_MODE(x) ((unsigned)((x) >> 60))

/* PTE fields */
#define PTE_RSW_60_59  (3ull << 59)
#define PTE_PBMT       (3ull << 61)
#define PTE_RSVD_60_54 (0x7full << 54)

typedef enum { ACC_EXEC, ACC_READ, ACC_WRITE } acc_t;

typedef struct {
    const ref_cfg_t *cfg;
    const ref_req_t *req;
    ref_read64_fn rd;
    void *ctx;
    ref_out_t *out;
    acc_t acc;
    unsigned pas;
    bool dtf;          /* DC located and tc.DTF=1 */
} walk_t;

static uint64_t pte_ppn(uint64_t pte) { return (pte >> REF_PTE_PPN_SHIFT) & REF_PPN_MASK; }

/* An address is reachable when it is below 2^PAS (F4). */
static bool below_pas(const walk_t *w, uint64_t addr)
{
    return w->pas >= 64u || (addr >> w->pas) == 0u;
}

/* A table read: false when the read got an AXI error or lies at/above 2^PAS. */
static bool table_read(const walk_t *w, uint64_t addr, uint64_t *val)
{
    *val = 0;
    if (!below_pas(w, addr))
        return false;
    return w->rd(w->ctx, addr, val);
}

static void fault(walk_t *w, unsigned cause, const char *rule)
{
    ref_out_t *o = w->out;
    o->fault = true;
    o->cause = cause;
    o->rule = rule;
    o->pa = 0;
    if (cause == REF_CAUSE_BURST_CROSS)
        o->record = true;                                  /* F5 */
    else
        o->record = !(w->dtf && ref_dtf_suppresses(cause)); /* I8 */
}

static unsigned page_fault_cause(acc_t a)
{
    return a == ACC_EXEC ? REF_CAUSE_INSN_PAGE
         : a == ACC_READ ? REF_CAUSE_READ_PAGE : REF_CAUSE_WRITE_PAGE;
}

static unsigned access_fault_cause(acc_t a)
{
    return a == ACC_EXEC ? REF_CAUSE_INSN_ACCESS
         : a == ACC_READ ? REF_CAUSE_READ_ACCESS : REF_CAUSE_WRITE_ACCESS;
}

/* The translation is complete: F4 on the final address. */
static void finish(walk_t *w, uint64_t pa, const char *rule)
{
    if (!below_pas(w, pa)) {
        fault(w, access_fault_cause(w->acc), "final address at or above 2^PAS");
        return;
    }
    w->out->fault = false;
    w->out->record = false;
    w->out->pa = pa;
    w->out->rule = rule;
}

/* I2: does an INCR burst touch two 4 KiB pages? */
static bool incr_crosses(const ref_req_t *r)
{
    unsigned size = r->size > 7u ? 7u : r->size;
    uint64_t bpb = 1ull << size;
    uint64_t start = r->iova & ~(bpb - 1u);
    uint64_t bytes = ((uint64_t)(r->len & 0xffu) + 1u) * bpb;
    uint64_t last = start + bytes - 1u;
    if (last < start)
        return true;                              /* runs past 2^64 */
    return (last >> 12) != (r->iova >> 12);
}

/* ---- DC configuration checks (I7) ------------------------------------------ */

/* Returns NULL when the DC is well formed, else the violated rule. */
static const char *dc_misconfig(const walk_t *w, const uint64_t dc[4])
{
    uint64_t caps = w->cfg->caps;
    uint64_t tc = dc[0], iohgatp = dc[1], ta = dc[2], fsc = dc[3];
    bool pdtv = (tc & REF_TC_PDTV) != 0u;

    if (tc & TC_RSVD)
        return "DC.tc reserved bits set";
    if (!(caps & CAP_ATS) && (tc & (REF_TC_EN_ATS | REF_TC_EN_PRI | REF_TC_PRPR)))
        return "DC.tc EN_ATS/EN_PRI/PRPR with capabilities.ATS=0";
    if (!(tc & REF_TC_EN_ATS) && (tc & REF_TC_T2GPA))
        return "DC.tc.T2GPA without EN_ATS";
    if (!(tc & REF_TC_EN_ATS) && (tc & REF_TC_EN_PRI))
        return "DC.tc.EN_PRI without EN_ATS";
    if (!(tc & REF_TC_EN_PRI) && (tc & REF_TC_PRPR))
        return "DC.tc.PRPR without EN_PRI";
    if (!(caps & CAP_T2GPA) && (tc & REF_TC_T2GPA))
        return "DC.tc.T2GPA with capabilities.T2GPA=0";
    if ((tc & REF_TC_T2GPA) && IOHGATP_MODE(iohgatp) == 0u)
        return "DC.tc.T2GPA with iohgatp Bare";
    if (fsc & FSC_RSVD)
        return "DC.fsc reserved bits 59:44 set";
    if (pdtv) {
        /* Bare is the only pdtp mode without PD8/PD17/PD20 (F1). */
        if (FSC_MODE(fsc) != 0u)
            return "DC.fsc.pdtp.MODE not supported";
    } else {
        unsigned m = FSC_MODE(fsc);
        bool ok = m == REF_SATP_BARE
               || (m == REF_SATP_SV39 && (caps & CAP_SV39))
               || (m == REF_SATP_SV48 && (caps & CAP_SV48))
               || (m == REF_SATP_SV57 && (caps & CAP_SV57));
        if (!ok)
            return "DC.fsc.iosatp.MODE not supported";
        if (tc & REF_TC_DPE)
            return "DC.tc.DPE with PDTV=0";
    }
    /* Every Sv*x4 is 0 (F1): only Bare is a supported iohgatp mode. */
    if (IOHGATP_MODE(iohgatp) != 0u)
        return "DC.iohgatp.MODE not supported";
    if (tc & (REF_TC_SADE | REF_TC_GADE))
        return "DC.tc.SADE/GADE with capabilities.AMO_HWAD=0";
    if (((tc & REF_TC_SBE) != 0u) != ((w->cfg->fctl & FCTL_BE) != 0u))
        return "DC.tc.SBE != fctl.BE (END=0)";
    if (tc & REF_TC_SXL)
        return "DC.tc.SXL=1 with fctl.GXL read-only 0";
    if (ta & TA_RSVD)
        return "DC.ta reserved bits set";
    if (ta & TA_QOS)
        return "DC.ta RCID/MCID with capabilities.QOSID=0";
    return NULL;
}

/* ---- first-stage walk (I10, I11) ------------------------------------------- */

static void first_stage(walk_t *w, unsigned mode, uint64_t root_ppn, bool supervisor)
{
    const ref_req_t *r = w->req;
    uint64_t caps = w->cfg->caps;
    unsigned levels = mode == REF_SATP_SV39 ? 3u : mode == REF_SATP_SV48 ? 4u : 5u;
    unsigned vabits = 12u + 9u * levels;
    unsigned pf = page_fault_cause(w->acc);
    uint64_t va = r->iova;

    /* canonical: bits 63:vabits equal bit vabits-1 */
    int64_t sx = (int64_t)(va << (64u - vabits)) >> (64u - vabits);
    if ((uint64_t)sx != va) {
        fault(w, pf, "IOVA not canonical");
        return;
    }

    uint64_t rsvd = PTE_RSVD_60_54;
    if (!(caps & CAP_SVPBMT))
        rsvd |= PTE_PBMT;
    if (caps & CAP_SVRSW60T59B)
        rsvd &= ~PTE_RSW_60_59;

    uint64_t a = root_ppn << 12;
    int i = (int)levels - 1;
    bool global = false;
    uint64_t pte;
    for (;;) {
        unsigned vpn = (unsigned)(va >> (12u + 9u * (unsigned)i)) & 0x1ffu;
        if (!table_read(w, a + vpn * 8u, &pte)) {
            fault(w, access_fault_cause(w->acc), "PTE read error");
            return;
        }
        if (!(pte & REF_PTE_V)) {
            fault(w, pf, "PTE V=0");
            return;
        }
        if (!(pte & REF_PTE_R) && (pte & REF_PTE_W)) {
            fault(w, pf, "PTE xwr reserved (R=0, W=1)");
            return;
        }
        if (pte & rsvd) {
            fault(w, pf, "PTE reserved bits set");
            return;
        }
        bool leaf = (pte & (REF_PTE_R | REF_PTE_X)) != 0u;
        if (caps & CAP_SVPBMT) {
            uint64_t pbmt = pte & PTE_PBMT;
            if ((leaf && pbmt == PTE_PBMT) || (!leaf && pbmt != 0u)) {
                fault(w, pf, "PTE PBMT reserved");
                return;
            }
        }
        if (pte & REF_PTE_N) {
            if (i >= 1) {
                fault(w, pf, "PTE N=1 above level 0");
                return;
            }
            if (leaf && (pte_ppn(pte) & 0xfu) != 0x8u) {
                fault(w, pf, "PTE N=1 with reserved ppn[3:0]");
                return;
            }
        }
        global = global || (pte & REF_PTE_G) != 0u;
        w->out->global = global;
        if (leaf)
            break;
        if (pte & (REF_PTE_D | REF_PTE_A | REF_PTE_U)) {
            fault(w, pf, "non-leaf PTE with D/A/U set");
            return;
        }
        if (i == 0) {
            fault(w, pf, "non-leaf PTE at level 0");
            return;
        }
        i--;
        a = pte_ppn(pte) << 12;
    }

    /* a leaf at level i */
    bool perm = w->acc == ACC_EXEC ? (pte & REF_PTE_X) != 0u
              : w->acc == ACC_READ ? (pte & REF_PTE_R) != 0u
              : (pte & REF_PTE_W) != 0u;
    if (!perm) {
        fault(w, pf, w->acc == ACC_EXEC ? "leaf X=0" : w->acc == ACC_READ ? "leaf R=0" : "leaf W=0");
        return;
    }
    bool u = (pte & REF_PTE_U) != 0u;
    if (!supervisor && !u) {
        fault(w, pf, "leaf U=0 for a user access");
        return;
    }
    if (supervisor && u) {
        fault(w, pf, "leaf U=1 for a supervisor access (SUM=0)");
        return;
    }
    uint64_t ppn = pte_ppn(pte);
    unsigned shift = 12u + 9u * (unsigned)i;
    if (i > 0 && (ppn & ((1ull << (9u * (unsigned)i)) - 1u)) != 0u) {
        fault(w, pf, "misaligned superpage");
        return;
    }
    if (!(pte & REF_PTE_A)) {
        fault(w, pf, "leaf A=0");
        return;
    }
    if (w->acc == ACC_WRITE && !(pte & REF_PTE_D)) {
        fault(w, pf, "leaf D=0 on a write");
        return;
    }
    if (pte & REF_PTE_N) {                     /* Svnapot 64 KiB, level 0 */
        ppn = (ppn & ~0xfull) | ((va >> 12) & 0xfu);
        w->out->page_shift = 16u;
        finish(w, (ppn << 12) | (va & 0xfffu), "translated (64 KiB NAPOT)");
        return;
    }
    w->out->page_shift = shift;
    uint64_t off_mask = (1ull << shift) - 1u;
    finish(w, ((ppn << 12) & ~off_mask) | (va & off_mask), "translated");
}

/* ---- the translation process (I1) ------------------------------------------- */

void ref_translate(const ref_cfg_t *cfg, const ref_req_t *req, ref_read64_fn rd, void *ctx,
                   ref_out_t *out)
{
    walk_t w = { cfg, req, rd, ctx, out, ACC_READ, 0, false };
    memset(out, 0, sizeof *out);

    w.acc = req->write ? ACC_WRITE : req->exec ? ACC_EXEC : ACC_READ;
    w.pas = (unsigned)((cfg->caps >> CAP_PAS_SHIFT) & 0x3fu);
    out->ttyp = req->write ? REF_TTYP_UNTR_WRITE : req->exec ? REF_TTYP_UNTR_EXEC
                                                             : REF_TTYP_UNTR_READ;
    uint32_t did = req->did & 0xffffffu;                               /* I3 */
    out->rec_did = did;
    out->rec_pv = req->pv;
    out->rec_pid = req->pv ? (req->pid & 0xfffffu) : 0u;               /* F6 */
    out->rec_priv = req->pv && req->priv;
    out->iotval = req->iova;                                           /* I12 */
    out->iotval2 = 0;

    unsigned mode = (unsigned)(cfg->ddtp & DDTP_MODE_MASK);
    if ((cfg->caps & CAP_UNMODELLED) || (cfg->fctl & (FCTL_BE | FCTL_GXL)) ||
        mode > REF_DDTP_3LVL) {
        fault(&w, REF_CAUSE_UNMODELLED, "configuration not modelled");
        return;
    }

    /* step 1-2 */
    if (mode == REF_DDTP_OFF) {
        fault(&w, REF_CAUSE_ALL_DISALLOWED, "ddtp Off");
        return;
    }
    if (mode == REF_DDTP_BARE) {
        finish(&w, req->iova, "ddtp Bare");
        return;
    }

    /* F5 */
    if (req->burst == REF_BURST_INCR && incr_crosses(req)) {
        fault(&w, REF_CAUSE_BURST_CROSS, "INCR burst crosses 4 KiB");
        return;
    }

    /* steps 3, 5 (I4) */
    unsigned ddi[3] = { did & 0x7fu, (did >> 7) & 0x1ffu, (did >> 16) & 0xffu };
    if ((mode == REF_DDTP_2LVL && ddi[2] != 0u) ||
        (mode == REF_DDTP_1LVL && (ddi[2] != 0u || ddi[1] != 0u))) {
        fault(&w, REF_CAUSE_TTYP_DISALLOWED, "device_id wider than the DDT mode");
        return;
    }

    /* step 6: locate the DC */
    uint64_t a = ((cfg->ddtp >> 10) & REF_PPN_MASK) << 12;
    for (int i = (int)(mode - REF_DDTP_1LVL); i > 0; i--) {
        uint64_t ddte;
        if (!table_read(&w, a + ddi[i] * 8u, &ddte)) {
            fault(&w, REF_CAUSE_DDT_LOAD, "DDTE read error");
            return;
        }
        if (!(ddte & 1u)) {
            fault(&w, REF_CAUSE_DDT_INVALID, "DDTE V=0");
            return;
        }
        if (ddte & DDTE_RSVD) {
            fault(&w, REF_CAUSE_DDT_MISCONFIG, "DDTE reserved bits set");
            return;
        }
        a = pte_ppn(ddte) << 12;
    }
    uint64_t dc[4];
    bool rd_ok = true;
    for (unsigned k = 0; k < 4u; k++)                                  /* I6 */
        rd_ok = table_read(&w, a + ddi[0] * 32u + k * 8u, &dc[k]) && rd_ok;
    if (!rd_ok) {
        fault(&w, REF_CAUSE_DDT_LOAD, "DC read error");
        return;
    }
    if (!(dc[0] & REF_TC_V)) {
        fault(&w, REF_CAUSE_DDT_INVALID, "DC tc.V=0");
        return;
    }
    const char *why = dc_misconfig(&w, dc);
    if (why != NULL) {
        fault(&w, REF_CAUSE_DDT_MISCONFIG, why);
        return;
    }
    out->dc_valid = true;
    w.dtf = (dc[0] & REF_TC_DTF) != 0u;

    /* step 7 (I9) */
    bool pdtv = (dc[0] & REF_TC_PDTV) != 0u;
    if (req->pv && !pdtv) {
        fault(&w, REF_CAUSE_TTYP_DISALLOWED, "process_id with DC.tc.PDTV=0");
        return;
    }

    /* steps 10-13: choose the first stage */
    if (pdtv) {
        /* pdtp.MODE is Bare (anything else is misconfigured, I7): steps 11-13. */
        finish(&w, req->iova, "PDTV=1, pdtp Bare: first stage Bare");
        return;
    }
    unsigned fs_mode = FSC_MODE(dc[3]);
    if (fs_mode == REF_SATP_BARE) {
        finish(&w, req->iova, "iosatp Bare");
        return;
    }
    out->pscid = TA_PSCID(dc[2]);
    /* step 17 (I10): supervisor only with a process_id, unreachable here */
    first_stage(&w, fs_mode, FSC_PPN(dc[3]), req->pv && req->priv);
}

bool ref_dtf_suppresses(unsigned c)
{
    return c == 1u || (c >= 4u && c <= 7u) || c == 12u || c == 13u || c == 15u ||
           c == 20u || c == 21u || c == 23u || (c >= 260u && c <= 267u) ||
           (c >= 269u && c <= 271u) || c == 274u;
}

const char *ref_cause_name(unsigned c)
{
    switch (c) {
    case 0:    return "none";
    case 1:    return "Instruction access fault";
    case 4:    return "Read address misaligned";
    case 5:    return "Read access fault";
    case 6:    return "Write/AMO address misaligned";
    case 7:    return "Write/AMO access fault";
    case 12:   return "Instruction page fault";
    case 13:   return "Read page fault";
    case 15:   return "Write/AMO page fault";
    case 20:   return "Instruction guest page fault";
    case 21:   return "Read guest-page fault";
    case 23:   return "Write/AMO guest-page fault";
    case 256:  return "All inbound transactions disallowed";
    case 257:  return "DDT entry load access fault";
    case 258:  return "DDT entry not valid";
    case 259:  return "DDT entry misconfigured";
    case 260:  return "Transaction type disallowed";
    case 261:  return "MSI PTE load access fault";
    case 262:  return "MSI PTE not valid";
    case 263:  return "MSI PTE misconfigured";
    case 264:  return "MRIF access fault";
    case 265:  return "PDT entry load access fault";
    case 266:  return "PDT entry not valid";
    case 267:  return "PDT entry misconfigured";
    case 268:  return "DDT data corruption";
    case 269:  return "PDT data corruption";
    case 270:  return "MSI PT data corruption";
    case 271:  return "MSI MRIF data corruption";
    case 272:  return "Internal data path error";
    case 273:  return "IOMMU MSI write access fault";
    case 274:  return "First/second-stage PT data corruption";
    case 2048: return "Burst crosses a 4 KiB page (custom)";
    case 4095: return "Not modelled by ref_xlate";
    default:   return c >= 2048u && c <= 4095u ? "custom" : "reserved";
    }
}
